//! `tracing` to stderr (stdout is the report's): text for people, JSON on Lambda.

use tracing_subscriber::EnvFilter;

pub enum Format {
    Text,
    /// Warnings only unless `RUST_LOG` says otherwise: the demo's output is its stdout.
    Quiet,
    Json,
}

/// `RUST_LOG` picks the level; `info` by default.
pub fn init(format: Format) {
    let default = if matches!(format, Format::Quiet) {
        "warn"
    } else {
        "info"
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        Format::Text | Format::Quiet => builder.try_init(),
        Format::Json => builder.json().with_current_span(false).try_init(),
    };
}
