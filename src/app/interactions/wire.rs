//! The real services behind the endpoint, built from the configuration: used by
//! `keywarden serve` and by the Lambda Function URL path alike.

use std::sync::Arc;
use std::time::Duration;

use super::{InteractionSettings, Interactions, RequestVerifier, SlackInteractive};
use crate::adapters::aws;
use crate::adapters::google::{self, GoogleSheets};
use crate::adapters::secrets::SecretsManager;
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
    let fetch = |name: String| {
        let secrets = &secrets;
        async move { secrets.fetch(&name).await.map_err(|e| e.to_string()) }
    };
    let ext = &settings.extensions;
    let signing_secret = match (&ext.signing_secret, &ext.signing_secret_name) {
        (Some(secret), _) => secret.clone(),
        (None, Some(name)) => fetch(name.clone()).await?,
        (None, None) => return Err("SLACK_SIGNING_SECRET is not set".into()),
    };
    let token: Secret = match (&settings.slack_token, &settings.slack_token_secret) {
        (Some(token), _) => token.clone(),
        (None, Some(name)) => fetch(name.clone()).await?,
        (None, None) => return Err("SLACK_BOT_TOKEN is not set".into()),
    };
    let key = match &settings.google_key_secret {
        Some(name) => google::parse_key(&fetch(name.clone()).await?),
        None => google::read_key_file(&settings.google_credentials).await,
    }
    .map_err(|e| e.to_string())?;
    let sheets = GoogleSheets::connect(
        key,
        &settings.sheets_api_url,
        &settings.spreadsheet_id,
        ATTEMPT_TIMEOUT,
    )
    .await
    .map_err(|e| e.to_string())?;
    let slack = SlackInteractive::new(&token, &settings.slack_api_url, ATTEMPT_TIMEOUT)
        .map_err(|e| e.to_string())?;
    let job = &settings.job;
    let mut interaction = InteractionSettings::with_admins(job.admins.clone());
    interaction.approval_channel = ext.approval_channel.clone();
    interaction.extension_days = ext.extension_days;
    interaction.max_extension_days = ext.max_extension_days;
    interaction.request_sheet = job.request_sheet.clone();
    interaction.users_sheet = job.users_sheet.clone();
    interaction.timezone = settings.timezone;
    Ok((
        Arc::new(Interactions::new(interaction, sheets, slack)),
        RequestVerifier::new(&signing_secret),
    ))
}
