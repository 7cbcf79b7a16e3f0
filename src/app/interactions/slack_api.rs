//! The Slack Web API calls of the extension flow, behind a small trait so the handler can be
//! tested against the fake Slack or any double: open the modal (`views.open`), post an
//! approval request (`chat.postMessage`, keeping its channel and ts), update it
//! (`chat.update`) and answer the clicking user (`response_url`).
//!
//! Configured like [`crate::adapters::slack::SlackDm`]: the bot token, and the Web API base
//! (`KEYWARDEN_SLACK_API_URL`, trailing `/` trimmed because slack-morphism adds its own).

use std::future::Future;
use std::time::Duration;

use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;

use crate::adapters::ServiceError;
use crate::adapters::google::https_or_http;
use crate::core::domain::Secret;
use crate::core::extension::record::ApprovalCopy;

/// The interactive calls; every error is worded for the clicking user's message.
pub trait InteractiveSlack: Send + Sync {
    fn open_view(
        &self,
        trigger_id: &str,
        view: SlackView,
    ) -> impl Future<Output = Result<(), ServiceError>> + Send;
    /// Posts to a channel or a user ID (a DM); returns where the message is.
    fn post(
        &self,
        channel: &str,
        content: SlackMessageContent,
    ) -> impl Future<Output = Result<ApprovalCopy, ServiceError>> + Send;
    fn update(
        &self,
        message: &ApprovalCopy,
        content: SlackMessageContent,
    ) -> impl Future<Output = Result<(), ServiceError>> + Send;
    /// A message only the clicking user sees, next to the clicked message.
    fn respond(
        &self,
        response_url: &str,
        text: &str,
    ) -> impl Future<Output = Result<(), ServiceError>> + Send;
    /// `auth.test`, for `/readyz`: whether the bot token works; who the bot is.
    fn auth_test(&self) -> impl Future<Output = Result<String, ServiceError>> + Send;
}

type Connector = slack_morphism::hyper_tokio::SlackClientHyperConnector<
    google_sheets4::hyper_rustls::HttpsConnector<
        google_sheets4::hyper_util::client::legacy::connect::HttpConnector,
    >,
>;

/// [`InteractiveSlack`] on slack-morphism's hyper client. No retries: Slack wants an answer
/// within 3 seconds, and a failed step is reported to the user, who can click again.
pub struct SlackInteractive {
    client: SlackClient<Connector>,
    token: SlackApiToken,
    timeout: Duration,
}

impl SlackInteractive {
    pub fn new(token: &Secret, api_url: &str, timeout: Duration) -> Result<Self, ServiceError> {
        let connector = slack_morphism::hyper_tokio::SlackClientHyperConnector::with_connector(
            https_or_http()?,
        )
        .with_slack_api_url(api_url.trim_end_matches('/'));
        Ok(SlackInteractive {
            client: SlackClient::new(connector),
            token: SlackApiToken::new(SlackApiTokenValue(token.expose().to_string())),
            timeout,
        })
    }

    async fn timed<T>(
        &self,
        method: &str,
        call: impl Future<Output = Result<T, SlackClientError>>,
    ) -> Result<T, ServiceError> {
        match tokio::time::timeout(self.timeout, call).await {
            Err(_) => Err(ServiceError::Unavailable(format!(
                "Slack {method}: no answer within {} ms",
                self.timeout.as_millis()
            ))),
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(ServiceError::Unavailable(format!(
                "Slack {method}: {}",
                describe(e)
            ))),
        }
    }
}

/// The Slack error code (e.g. `expired_trigger_id`) or the HTTP status; never the token.
fn describe(e: SlackClientError) -> String {
    match e {
        SlackClientError::ApiError(api) => api.code,
        SlackClientError::HttpError(h) => format!("HTTP {}", h.status_code),
        SlackClientError::RateLimitError(_) => "rate limited (429)".into(),
        SlackClientError::HttpProtocolError(p) => format!("connection failed: {p}"),
        other => other.to_string(),
    }
}

impl InteractiveSlack for SlackInteractive {
    async fn auth_test(&self) -> Result<String, ServiceError> {
        let session = self.client.open_session(&self.token);
        let answer = self.timed("auth.test", session.auth_test()).await?;
        Ok(format!(
            "bot {} in team {}",
            answer.user.unwrap_or_default(),
            answer.team
        ))
    }

    async fn open_view(&self, trigger_id: &str, view: SlackView) -> Result<(), ServiceError> {
        let request = SlackApiViewsOpenRequest::new(SlackTriggerId(trigger_id.to_string()), view);
        let session = self.client.open_session(&self.token);
        self.timed("views.open", session.views_open(&request))
            .await?;
        Ok(())
    }

    async fn post(
        &self,
        channel: &str,
        content: SlackMessageContent,
    ) -> Result<ApprovalCopy, ServiceError> {
        let request =
            SlackApiChatPostMessageRequest::new(SlackChannelId(channel.to_string()), content)
                .with_unfurl_links(false)
                .with_unfurl_media(false);
        let session = self.client.open_session(&self.token);
        let answer = self
            .timed("chat.postMessage", session.chat_post_message(&request))
            .await?;
        Ok(ApprovalCopy {
            channel: answer.channel.0,
            ts: answer.ts.0,
        })
    }

    async fn update(
        &self,
        message: &ApprovalCopy,
        content: SlackMessageContent,
    ) -> Result<(), ServiceError> {
        let request = SlackApiChatUpdateRequest::new(
            SlackChannelId(message.channel.clone()),
            content,
            SlackTs(message.ts.clone()),
        );
        let session = self.client.open_session(&self.token);
        self.timed("chat.update", session.chat_update(&request))
            .await?;
        Ok(())
    }

    async fn respond(&self, response_url: &str, text: &str) -> Result<(), ServiceError> {
        let url = url::Url::parse(response_url)
            .map_err(|e| ServiceError::Invalid(format!("Slack response_url is not a URL: {e}")))?;
        let request = SlackApiPostWebhookMessageRequest::new(
            SlackMessageContent::new().with_text(text.to_string()),
        )
        .with_replace_original(false);
        self.timed(
            "response_url",
            self.client
                .respond_to_event(&SlackResponseUrl(url), &request),
        )
        .await?;
        Ok(())
    }
}
