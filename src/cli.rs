//! The command line of SPEC §6: `run`, `plan`, `check`, `demo`, and the Lambda entry point.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::adapters::Messenger;
use crate::adapters::aws;
use crate::adapters::google::{self, GoogleSheets};
use crate::adapters::iam::AwsIam;
use crate::adapters::memory::NoSlack;
use crate::adapters::secrets::SecretsManager;
use crate::adapters::slack::SlackDm;
use crate::app::demo;
use crate::app::run::{Deadline, Job, Mode};
use crate::configuration::{ConfigError, Needs, Settings, Sources, parse_today};
use crate::core::report::Report;

#[derive(Debug, Parser)]
#[command(
    name = "keywarden",
    version,
    about = "Runs the lifecycle of AWS IAM access keys recorded in a Google Spreadsheet"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the daily job: notify, tear down, write back, tell administrators.
    Run(RunArgs),
    /// Show what `run` would do, changing nothing (same as `run --dry-run`).
    Plan(RunArgs),
    /// Check configuration, credentials, sheet headers, Slack and IAM access.
    Check(CheckArgs),
    /// Run the whole job offline on the bundled example data, changing nothing.
    Demo(DemoArgs),
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Pretend today is this date (YYYY-MM-DD) instead of today in KEYWARDEN_TIMEZONE.
    #[arg(long, value_parser = parse_today)]
    pub today: Option<NaiveDate>,
    /// Read everything, change nothing: no Slack message, no IAM write, no sheet write.
    #[arg(long)]
    pub dry_run: bool,
    #[arg(long, value_enum, default_value_t = Output::Text)]
    pub output: Output,
    /// TOML file with the same keys as the environment, lower case, without KEYWARDEN_.
    #[arg(long)]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[arg(long)]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The example data is written for 2026-11-22; try other days to see other decisions.
    #[arg(long, value_parser = parse_today)]
    pub today: Option<NaiveDate>,
    #[arg(long, value_enum, default_value_t = Output::Text)]
    pub output: Output,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    Text,
    Json,
}

/// Exit status 2 (SPEC §6): nothing could run.
const NOTHING_RAN: u8 = 2;

pub async fn main(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Run(args) => {
            let mode = if args.dry_run {
                Mode::DryRun
            } else {
                Mode::Run
            };
            run(args, mode).await
        }
        Command::Plan(args) => run(args, Mode::DryRun).await,
        Command::Check(args) => crate::app::check::run(args.config.as_deref()).await,
        Command::Demo(args) => match demo::run(args.today.unwrap_or_else(demo::demo_today)).await {
            Ok(report) => {
                match args.output {
                    Output::Json => print_json(&report),
                    Output::Text => print!("{}", demo::render(&report)),
                }
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e.to_string()),
        },
    }
}

/// The JSON report on stdout, written as it is serialised.
fn print_json(report: &crate::core::report::Report) {
    if let Err(e) = report.write_json(std::io::stdout().lock()) {
        eprintln!("keywarden: cannot write the report: {e}");
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("keywarden: {message}");
    ExitCode::from(NOTHING_RAN)
}

/// Settings for a command; `Err` is already worded for the administrator.
pub fn settings(config: Option<&std::path::Path>, needs: Needs) -> Result<Settings, ConfigError> {
    Settings::load(&Sources::load(config)?, needs)
}

async fn run(args: RunArgs, mode: Mode) -> ExitCode {
    let needs = Needs {
        google: true,
        slack: mode == Mode::Run,
    };
    let settings = match settings(args.config.as_deref(), needs) {
        Ok(s) => s,
        Err(e) => return fail(&e.to_string()),
    };
    let today = settings.today(args.today);
    match execute(&settings, today, mode, Deadline::none()).await {
        Ok(report) => {
            match args.output {
                Output::Json => print_json(&report),
                Output::Text => print!("{}", report.to_table()),
            }
            ExitCode::from(report.exit_code() as u8)
        }
        Err(message) => fail(&message),
    }
}

/// The real services, connected: secrets fetched, Google key read, clients built.
pub struct Connected {
    pub sheets: GoogleSheets,
    /// `None` only for a dry run without a token (configuration requires one for `run`).
    pub slack: Option<SlackDm>,
    pub iam: AwsIam,
    pub vault: SecretsManager,
}

/// Reads the secrets (from Secrets Manager when named) and builds the three clients.
pub async fn connect(settings: &Settings) -> Result<Connected, String> {
    let aws = aws::load().await;
    let secrets = SecretsManager::new(&aws);
    let key = match &settings.google_key_secret {
        Some(name) => google::parse_key(&secrets.fetch(name).await.map_err(|e| e.to_string())?),
        None => google::read_key_file(&settings.google_credentials).await,
    }
    .map_err(|e| e.to_string())?;
    let sheets = GoogleSheets::connect(
        key,
        &settings.sheets_api_url,
        &settings.spreadsheet_id,
        settings.http_timeout,
    )
    .await
    .map_err(|e| e.to_string())?;
    let token = match (&settings.slack_token, &settings.slack_token_secret) {
        (Some(token), _) => Some(token.clone()),
        (None, Some(name)) => Some(secrets.fetch(name).await.map_err(|e| e.to_string())?),
        (None, None) => None,
    };
    let slack = token
        .map(|t| SlackDm::new(&t, &settings.slack_api_url, settings.http_timeout))
        .transpose()
        .map_err(|e| e.to_string())?;
    Ok(Connected {
        sheets,
        slack,
        iam: AwsIam::new(&aws),
        vault: secrets,
    })
}

/// Connects the real services and runs one job; `Err` means nothing could run.
pub async fn execute(
    settings: &Settings,
    today: NaiveDate,
    mode: Mode,
    deadline: Deadline,
) -> Result<Report, String> {
    tracing::info!(%today, ?mode, "keywarden starting");
    let services = connect(settings).await?;
    let report = match &services.slack {
        Some(slack) => run_with(settings, &services, slack, today, mode, deadline).await,
        // Only a dry run gets here without a token (configuration requires one for `run`).
        None => run_with(settings, &services, &NoSlack, today, mode, deadline).await,
    }?;
    tracing::info!(
        actions = report.actions.len(),
        exit = report.exit_code(),
        "keywarden finished"
    );
    Ok(report)
}

async fn run_with<M: Messenger>(
    settings: &Settings,
    services: &Connected,
    slack: &M,
    today: NaiveDate,
    mode: Mode,
    deadline: Deadline,
) -> Result<Report, String> {
    let job = Job {
        settings: &settings.job,
        sheets: &services.sheets,
        slack,
        iam: &services.iam,
        vault: &services.vault,
        deadline,
    };
    job.run(today, mode).await.map_err(|e| e.to_string())
}
