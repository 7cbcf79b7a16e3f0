//! Thin entry point: logging, TLS provider, then the CLI or the Lambda runtime.

use std::process::ExitCode;

fn main() -> ExitCode {
    // glibc gives each thread that allocates its own arena (up to 8 per core); the rows are
    // built on whichever thread decodes them, so freed memory scatters and the peak grows.
    // Fewer arenas measured a lower peak (docs/benchmark.md) at no cost in time. An explicit
    // MALLOC_ARENA_MAX wins (the benchmark compares settings without a rebuild).
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: called before any other thread exists; mallopt only tunes the allocator.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
    // One crypto provider for every TLS client (Slack, Google, and the AWS SDK through
    // adapters::aws::http_client): ring, installed once for the whole process.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime starts");
    if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some() {
        keywarden::logging::init(keywarden::logging::Format::Json);
        return runtime.block_on(keywarden::lambda::serve());
    }
    let cli = keywarden::cli::parse();
    let quiet = matches!(cli.command, keywarden::cli::Command::Demo(_));
    keywarden::logging::init(if quiet {
        keywarden::logging::Format::Quiet
    } else {
        keywarden::logging::Format::Text
    });
    runtime.block_on(keywarden::cli::main(cli))
}
