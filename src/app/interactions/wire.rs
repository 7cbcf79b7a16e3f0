//! The real services behind the endpoint, built from the configuration: used by
//! `keywarden serve` and by the Lambda Function URL path alike.

use std::sync::Arc;
use std::time::Duration;

use super::{
    FleetAccounts, InteractionSettings, Interactions, Issuance, RequestVerifier, SlackInteractive,
};
use crate::adapters::accounts::AwsAccounts;
use crate::adapters::aws;
use crate::adapters::google::GoogleSheets;
use crate::adapters::iam::AwsIam;
use crate::adapters::secrets::SecretsManager;
use crate::app::connect::{secret_or_named, sheets};
use crate::configuration::Settings;
use crate::core::domain::Secret;

/// Slack waits 3 s for an answer: one attempt to Google or Slack gets at most this.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(2);

/// The endpoint with the real Google Sheets and Slack.
pub type Endpoint = Interactions<GoogleSheets, SlackInteractive>;

/// Reads the secrets (from Secrets Manager when named) and builds the endpoint and its verifier.
pub async fn connect(settings: &Settings) -> Result<(Arc<Endpoint>, RequestVerifier), String> {
    let aws = aws::load().await;
    let secrets = SecretsManager::new(&aws);
    let ext = &settings.extensions;
    let signing_secret = secret_or_named(&secrets, &ext.signing_secret, &ext.signing_secret_name)
        .await?
        .ok_or("SLACK_SIGNING_SECRET is not set")?;
    let endpoint = endpoint(settings, &secrets, &aws).await?;
    Ok((endpoint, RequestVerifier::new(&signing_secret)))
}

/// For Socket Mode: the endpoint and the app-level token (`SLACK_APP_TOKEN`, or read from
/// `KEYWARDEN_SLACK_APP_TOKEN_SECRET`); no signing secret is needed.
pub async fn connect_socket(settings: &Settings) -> Result<(Arc<Endpoint>, Secret), String> {
    let aws = aws::load().await;
    let secrets = SecretsManager::new(&aws);
    let ext = &settings.extensions;
    let app_token = secret_or_named(&secrets, &ext.app_token, &ext.app_token_name)
        .await?
        .ok_or("SLACK_APP_TOKEN is not set")?;
    if !app_token.expose().starts_with("xapp-") {
        // Never quoted: it is a credential.
        return Err("the app token read from Secrets Manager does not start with xapp-".into());
    }
    let endpoint = endpoint(settings, &secrets, &aws).await?;
    Ok((endpoint, app_token))
}

/// The handler with the real Google Sheets and Slack Web API, shared by HTTP and Socket Mode.
async fn endpoint(
    settings: &Settings,
    secrets: &SecretsManager,
    aws: &aws_config::SdkConfig,
) -> Result<Arc<Endpoint>, String> {
    let ext = &settings.extensions;
    let token = secret_or_named(secrets, &settings.slack_token, &settings.slack_token_secret)
        .await?
        .ok_or("SLACK_BOT_TOKEN is not set")?;
    let sheets = sheets(settings, secrets, ATTEMPT_TIMEOUT).await?;
    let slack = SlackInteractive::new(&token, &settings.slack_api_url, ATTEMPT_TIMEOUT)
        .map_err(|e| e.to_string())?;
    let job = &settings.job;
    let mut interaction = InteractionSettings::with_admins(job.admins.clone());
    interaction.approval_channel = ext.approval_channel.clone();
    interaction.extension_days = ext.extension_days;
    interaction.max_extension_days = ext.max_extension_days;
    interaction.request_sheet = job.request_sheet.clone();
    interaction.users_sheet = job.users_sheet.clone();
    interaction.log_sheet = job.log_sheet.clone();
    interaction.timezone = settings.timezone;
    let mut app = Interactions::new(interaction, sheets, slack);
    if let Some(issue) = &job.issue {
        // The accounts as the run resolves them: a request's ID holds its account's digits.
        let fleet = AwsAccounts::new(aws, &job.accounts, settings.today(None));
        let accounts: FleetAccounts<_, AwsIam, SecretsManager> =
            FleetAccounts::new(fleet, job.accounts.setting.clone());
        app = app.with_issuance(Issuance {
            settings: issue.clone(),
            protected: job.accounts.protected.clone(),
            accounts: Box::new(accounts),
        });
    }
    Ok(Arc::new(app))
}
