//! Slack Web API through `slack-morphism`: bot DMs with `chat.postMessage` (SPEC §7).

use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;

use super::google::https_or_http;
use super::{Messenger, SendError, ServiceError};
use crate::domain::{Secret, SlackUserId};

type Connector = slack_morphism::hyper_tokio::SlackClientHyperConnector<
    google_sheets4::hyper_rustls::HttpsConnector<
        google_sheets4::hyper_util::client::legacy::connect::HttpConnector,
    >,
>;

/// Slack errors meaning this person cannot get the bot's DMs: retrying will not help.
const UNREACHABLE: &[&str] = &[
    "channel_not_found",
    "messages_tab_disabled",
    "user_not_found",
    "user_disabled",
    "not_in_channel",
    "is_archived",
    "cannot_dm_bot",
];

/// A `Retry-After` longer than this is not waited for: the message fails and the run goes on
/// (a notice is tried again on the next run).
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(20);

pub struct SlackDm {
    client: SlackClient<Connector>,
    token: SlackApiToken,
}

impl SlackDm {
    /// No global pacing: Slack's limit is per channel, and each 429 says how long to wait.
    pub fn new(token: &Secret, api_url: &str) -> Result<Self, ServiceError> {
        let connector = slack_morphism::hyper_tokio::SlackClientHyperConnector::with_connector(
            https_or_http()?,
        )
        .with_slack_api_url(api_url.trim_end_matches('/'));
        Ok(SlackDm {
            client: SlackClient::new(connector),
            token: SlackApiToken::new(SlackApiTokenValue(token.expose().to_string())),
        })
    }

    async fn post_once(&self, to: &SlackUserId, text: &str) -> Result<(), Attempt> {
        let request = SlackApiChatPostMessageRequest::new(
            SlackChannelId(to.as_str().to_string()),
            SlackMessageContent::new().with_text(text.to_string()),
        )
        .with_unfurl_links(false)
        .with_unfurl_media(false);
        let session = self.client.open_session(&self.token);
        match tokio::time::timeout(ATTEMPT_TIMEOUT, session.chat_post_message(&request)).await {
            Err(_) => Err(Attempt::Transient(None, "no answer within 20 s".into())),
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(classify(e)),
        }
    }

    /// `auth.test`: whether the token is valid, and who the bot is.
    pub async fn auth_test(&self) -> Result<String, ServiceError> {
        let session = self.client.open_session(&self.token);
        match session.auth_test().await {
            Ok(r) => Ok(format!(
                "bot {} in team {}",
                r.user.unwrap_or_default(),
                r.team
            )),
            Err(e) => Err(ServiceError(format!(
                "Slack auth.test failed: {}",
                classify(e).message()
            ))),
        }
    }
}

/// One attempt's failure; `Transient` may carry the server's `Retry-After`.
#[derive(Debug)]
enum Attempt {
    Transient(Option<Duration>, String),
    Final(SendError),
}

impl Attempt {
    fn message(&self) -> String {
        match self {
            Attempt::Transient(_, m) => m.clone(),
            Attempt::Final(e) => e.to_string(),
        }
    }
}

fn classify(e: SlackClientError) -> Attempt {
    match e {
        SlackClientError::ApiError(api) if UNREACHABLE.contains(&api.code.as_str()) => {
            Attempt::Final(SendError::Unreachable(api.code))
        }
        SlackClientError::ApiError(api) => {
            Attempt::Final(SendError::Failed(match api.code.as_str() {
                "invalid_auth" | "not_authed" | "token_revoked" | "account_inactive" => {
                    format!("{} (check SLACK_BOT_TOKEN)", api.code)
                }
                "missing_scope" => "missing_scope (give the app the chat:write scope)".into(),
                _ => api.code,
            }))
        }
        SlackClientError::RateLimitError(rl) => match rl.retry_after {
            Some(wait) if wait > MAX_RETRY_AFTER => Attempt::Final(SendError::Failed(format!(
                "rate limited for {} s",
                wait.as_secs()
            ))),
            wait => Attempt::Transient(
                Some(wait.unwrap_or(Duration::from_secs(1))),
                "rate limited (429)".into(),
            ),
        },
        SlackClientError::HttpError(h) if h.status_code.is_server_error() => {
            Attempt::Transient(None, format!("HTTP {}", h.status_code))
        }
        SlackClientError::HttpError(h) => {
            Attempt::Final(SendError::Failed(format!("HTTP {}", h.status_code)))
        }
        SlackClientError::HttpProtocolError(p) => {
            Attempt::Transient(None, format!("connection failed: {p}"))
        }
        other => Attempt::Final(SendError::Failed(other.to_string())),
    }
}

impl Messenger for SlackDm {
    async fn send(&self, to: &SlackUserId, text: &str) -> Result<(), SendError> {
        let backoff = ExponentialBuilder::default()
            .with_min_delay(Duration::from_millis(500))
            .with_max_delay(Duration::from_secs(8))
            .with_max_times(4)
            .with_jitter();
        (|| self.post_once(to, text))
            .retry(backoff)
            .when(|e| matches!(e, Attempt::Transient(..)))
            // Slack's Retry-After wins over our own backoff, within the same number of tries.
            .adjust(|e, planned| match e {
                Attempt::Transient(Some(wait), _) => planned.map(|_| *wait),
                _ => planned,
            })
            .notify(|e, wait| tracing::warn!(to = %to, error = %e.message(), ?wait, "Slack message failed, retrying"))
            .await
            .map_err(|e| match e {
                Attempt::Final(e) => e,
                Attempt::Transient(_, m) => SendError::Failed(format!("{m}, gave up after retries")),
            })
    }
}
