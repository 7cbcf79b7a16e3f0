//! Thin entry point: logging, TLS provider, then the CLI or the Lambda runtime.

use std::process::ExitCode;

use clap::Parser;

/// Parsing a large sheet makes millions of small strings; mimalloc serves them faster than
/// the system allocator (see the README's benchmark).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // One crypto provider for every TLS client (Slack, Google, and the AWS SDK through
    // adapters::aws::http_client): ring, installed once for the whole process.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime starts");
    if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some() {
        keywarden::logging::init(keywarden::logging::Format::Json);
        return runtime.block_on(keywarden::lambda::serve());
    }
    let cli = keywarden::cli::Cli::parse();
    let quiet = matches!(cli.command, keywarden::cli::Command::Demo(_));
    keywarden::logging::init(if quiet {
        keywarden::logging::Format::Quiet
    } else {
        keywarden::logging::Format::Text
    });
    runtime.block_on(keywarden::cli::main(cli))
}
