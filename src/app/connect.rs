//! The real services of a command, connected from its settings: secrets fetched (from Secrets
//! Manager when named), the Google key read, the clients built. Shared by `run`, `check`,
//! `serve` and the Lambda entry point.

use chrono::NaiveDate;

use crate::adapters::Messenger;
use crate::adapters::accounts::AwsAccounts;
use crate::adapters::aws;
use crate::adapters::bounded::Bounded;
use crate::adapters::google::{self, GoogleSheets};
use crate::adapters::iam::AwsIam;
use crate::adapters::memory::NoSlack;
use crate::adapters::secrets::SecretsManager;
use crate::adapters::slack::SlackDm;
use crate::app::run::{Deadline, Job, Mode, Pass};
use crate::configuration::{ConfigError, Needs, Settings, Sources};
use crate::core::domain::Secret;
use crate::core::outcome::OUT_OF_TIME;
use crate::core::report::Report;

/// Settings for a command; `Err` is already worded for the administrator.
pub fn settings(config: Option<&std::path::Path>, needs: Needs) -> Result<Settings, ConfigError> {
    Settings::load(&Sources::load(config)?, needs)
}

/// The real services, connected: secrets fetched, Google key read, clients built.
pub struct Connected {
    pub sheets: GoogleSheets,
    /// `None` only for a dry run without a token (configuration requires one for `run`).
    pub slack: Option<SlackDm>,
    pub iam: AwsIam,
    pub vault: SecretsManager,
    /// The AWS configuration the clients came from: other accounts are entered from it.
    pub aws: aws_config::SdkConfig,
}

/// Reads the secrets (from Secrets Manager when named) and builds the three clients.
pub async fn connect(settings: &Settings) -> Result<Connected, String> {
    let aws = aws::load().await;
    let secrets = SecretsManager::new(&aws);
    let sheets = sheets(settings, &secrets, settings.http_timeout).await?;
    let token = secret_or_named(
        &secrets,
        &settings.slack_token,
        &settings.slack_token_secret,
    )
    .await?;
    let slack = token
        .map(|t| SlackDm::new(&t, &settings.slack_api_url, settings.http_timeout))
        .transpose()
        .map_err(|e| e.to_string())?;
    Ok(Connected {
        sheets,
        slack,
        iam: AwsIam::new(&aws),
        vault: secrets,
        aws,
    })
}

/// A secret given directly, or read from the Secrets Manager secret it names.
pub async fn secret_or_named(
    secrets: &SecretsManager,
    value: &Option<Secret>,
    name: &Option<String>,
) -> Result<Option<Secret>, String> {
    match (value, name) {
        (Some(value), _) => Ok(Some(value.clone())),
        (None, Some(name)) => secrets
            .fetch(name)
            .await
            .map(Some)
            .map_err(|e| e.to_string()),
        (None, None) => Ok(None),
    }
}

/// The spreadsheet, with the key from its file or from Secrets Manager; `attempt_timeout`
/// bounds each HTTP attempt (Slack interactions must answer within 3 s).
pub async fn sheets(
    settings: &Settings,
    secrets: &SecretsManager,
    attempt_timeout: std::time::Duration,
) -> Result<GoogleSheets, String> {
    let key = match &settings.google_key_secret {
        Some(name) => google::parse_key(&secrets.fetch(name).await.map_err(|e| e.to_string())?),
        None => google::read_key_file(&settings.google_credentials).await,
    }
    .map_err(|e| e.to_string())?;
    GoogleSheets::connect(
        key,
        &settings.sheets_api_url,
        &settings.spreadsheet_id,
        attempt_timeout,
    )
    .await
    .map_err(|e| e.to_string())
}

/// Connects the real services and runs one job; `Err` means nothing could run.
pub async fn execute(
    settings: &Settings,
    today: NaiveDate,
    mode: Mode,
    pass: Pass,
    deadline: Deadline,
) -> Result<Report, String> {
    tracing::info!(%today, ?mode, ?pass, "keywarden starting");
    // Secrets Manager is read here: within the deadline too.
    let services = deadline
        .run(connect(settings))
        .await
        .unwrap_or_else(|| Err(format!("could not connect: {OUT_OF_TIME}")))?;
    let report = match &services.slack {
        Some(slack) => run_with(settings, &services, slack, today, mode, pass, deadline).await,
        // Only a dry run gets here without a token (configuration requires one for `run`).
        None => run_with(settings, &services, &NoSlack, today, mode, pass, deadline).await,
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
    pass: Pass,
    deadline: Deadline,
) -> Result<Report, String> {
    // Every AWS call of the run ends by the deadline's cutoff (inside Lambda), whichever
    // phase makes it and in whichever account: bounded here, once.
    let cutoff = deadline.cutoff();
    let fleet = Bounded::new(
        AwsAccounts::new(&services.aws, &settings.job.accounts, today),
        cutoff,
    );
    let iam = Bounded::new(services.iam.clone(), cutoff);
    let vault = Bounded::new(services.vault.clone(), cutoff);
    let job = Job::new(
        &settings.job,
        &services.sheets,
        slack,
        &iam,
        &vault,
        &fleet,
        deadline,
    );
    match pass {
        Pass::Daily => job.run(today, mode).await,
        Pass::Requests => job.requests(today, mode).await,
    }
    .map_err(|e| e.to_string())
}
