//! `tracing` to stderr (stdout is the report's): text for people, JSON on Lambda.

use tracing_subscriber::EnvFilter;

pub enum Format {
    Text,
    /// Warnings only unless `RUST_LOG` says otherwise: the demo's output is its stdout.
    Quiet,
    Json,
}

/// Crates that see tokens and secrets on the wire (headers, token responses, request bodies):
/// never more verbose than this, whatever `RUST_LOG` says, so a debug session cannot leak them.
const CAPS: &[&str] = &[
    "yup_oauth2=warn",
    "google_sheets4=warn",
    "google_apis_common=warn",
    "hyper=warn",
    "hyper_util=warn",
    "hyper_rustls=warn",
    "h2=warn",
    "rustls=warn",
    "slack_morphism=warn",
    "aws_smithy_runtime=warn",
    "aws_smithy_runtime_api=warn",
    "aws_smithy_http_client=warn",
    "aws_smithy_types=warn",
    "aws_sigv4=warn",
    "aws_config=warn",
    "aws_runtime=warn",
    "aws_sdk_iam=warn",
    "aws_sdk_sts=warn",
    "aws_sdk_sso=warn",
    "aws_sdk_ssooidc=warn",
    "aws_sdk_secretsmanager=warn",
    "aws_smithy_http=warn",
    "aws_smithy_json=warn",
    "tower=warn",
    "lambda_runtime=info",
    "lambda_runtime_api_client=info",
];

/// The filter: `RUST_LOG` (or the default level) with the caps above appended.
pub fn filter(rust_log: Option<&str>, default: &str) -> EnvFilter {
    let caps = CAPS.join(",");
    let wanted = rust_log.unwrap_or(default);
    EnvFilter::try_new(format!("{wanted},{caps}"))
        .unwrap_or_else(|_| EnvFilter::new(format!("{default},{caps}")))
}

/// `RUST_LOG` picks the level; `info` by default.
pub fn init(format: Format) {
    let default = if matches!(format, Format::Quiet) {
        "warn"
    } else {
        "info"
    };
    let rust_log = std::env::var("RUST_LOG").ok();
    // Colours only on a terminal: cron and systemd logs are files.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter(rust_log.as_deref(), default))
        .with_ansi(ansi)
        .with_writer(std::io::stderr);
    let _ = match format {
        Format::Text | Format::Quiet => builder.try_init(),
        Format::Json => builder.json().with_current_span(false).try_init(),
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing::level_filters::LevelFilter;

    #[test]
    fn token_bearing_crates_stay_quiet_even_at_trace() {
        let f = filter(Some("trace"), "info");
        let text = f.to_string();
        assert!(
            text.contains("yup_oauth2=warn") && text.contains("aws_smithy_runtime=warn"),
            "{text}"
        );
        assert_eq!(
            f.max_level_hint(),
            Some(LevelFilter::TRACE),
            "our own logs still go to trace"
        );
    }

    #[test]
    fn a_broken_rust_log_falls_back_to_the_default() {
        assert!(filter(Some("=[bad"), "info").to_string().contains("info"));
    }
}
