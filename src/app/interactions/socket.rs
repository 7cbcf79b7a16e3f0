//! Socket Mode: docs/rules.md §9 for hosts with no public URL. With `SLACK_APP_TOKEN` (`xapp-…`),
//! `keywarden serve` opens WebSockets to Slack (slack-morphism's
//! [`SlackClientSocketModeListener`]) instead of listening for HTTP, and every interaction
//! goes to the same [`Interactions::handle`] the HTTP path calls.
//!
//! No signature is checked here, on purpose: Socket Mode messages arrive over a WebSocket that
//! Slack opened for this app after `apps.connections.open` authenticated the app-level token,
//! so nothing else can put a message on it (Slack signs only HTTP requests).
//!
//! The handler's answer becomes the envelope's acknowledgement: an empty HTTP 200 is a bare
//! ack, a `response_action` (validation errors, the modal replaced by a notice) is the ack's
//! `payload`, exactly the JSON the HTTP body would have carried.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use slack_morphism::errors::{SlackClientError, SlackClientProtocolError};
use slack_morphism::prelude::*;

use super::handler::{HttpAnswer, Interactions};
use super::payload::parse_event;
use super::slack_api::InteractiveSlack;
use crate::adapters::google::https_or_http;
use crate::adapters::{ServiceError, SheetStore};
use crate::core::domain::Secret;

type Connector = SlackClientHyperConnector<
    google_sheets4::hyper_rustls::HttpsConnector<
        google_sheets4::hyper_util::client::legacy::connect::HttpConnector,
    >,
>;

/// Slack expects the acknowledgement within this, as for HTTP.
const SLACK_DEADLINE: std::time::Duration = std::time::Duration::from_secs(3);

/// Carries out one interaction as Socket Mode delivers it (already parsed by
/// slack-morphism): the same reading and the same handler as [`super::handle_http`].
pub async fn answer_event<S, K>(
    app: &Interactions<S, K>,
    event: SlackInteractionEvent,
    now: DateTime<Utc>,
) -> HttpAnswer
where
    S: SheetStore + Send + Sync,
    K: InteractiveSlack,
{
    match parse_event(event) {
        Ok(interaction) => app.handle(interaction, now).await,
        Err(e) => app.payload_error(e).await,
    }
}

/// The handler's HTTP answer as a Socket Mode acknowledgement. Only a `view_submission`
/// answer has a body Slack reads; any other answer (a click's empty 200, the 400 of an
/// unreadable payload) is a bare ack, since Socket Mode has no status code and an unacked
/// envelope would only be delivered again.
pub fn acknowledgement(answer: &HttpAnswer) -> SlackInteractionResponse {
    if answer.status == 200 && answer.content_type.starts_with("application/json") {
        match serde_json::from_str::<SlackViewSubmissionResponse>(&answer.body) {
            Ok(response) => return response.into(),
            Err(e) => tracing::warn!(
                error = %e,
                "the answer is not a view_submission response; acknowledged without it"
            ),
        }
    }
    SlackInteractionResponse::Empty
}

/// Connects to Slack over Socket Mode and answers interactions until SIGTERM or Ctrl-C.
/// `api_url` is `KEYWARDEN_SLACK_API_URL`: `apps.connections.open` is asked there, and the
/// WebSocket URL it returns is used as given.
pub async fn serve_socket_mode<S, K>(
    app: Arc<Interactions<S, K>>,
    app_token: &Secret,
    api_url: &str,
) -> Result<(), ServiceError>
where
    S: SheetStore + Send + Sync + 'static,
    K: InteractiveSlack + 'static,
{
    let connector = SlackClientHyperConnector::with_connector(https_or_http()?)
        .with_slack_api_url(api_url.trim_end_matches('/'));
    let client = Arc::new(SlackClient::new(connector));
    let token = SlackApiToken::new(SlackApiTokenValue(app_token.expose().to_string()));
    // Fail fast on a refused token: the listener itself would retry every 30 s forever.
    client
        .open_session(&token)
        .apps_connections_open(&SlackApiAppsConnectionOpenRequest::new())
        .await
        .map_err(|e| {
            ServiceError::Unavailable(format!(
                "Slack refused to open a Socket Mode connection ({}): check SLACK_APP_TOKEN \
                 (an app-level token with connections:write) and that Socket Mode is enabled \
                 in the Slack app",
                describe(&e)
            ))
        })?;

    let callbacks =
        SlackSocketModeListenerCallbacks::new().with_interaction_events(on_interaction::<S, K>);
    let environment = Arc::new(
        SlackClientEventsListenerEnvironment::new(client)
            .with_error_handler(on_error)
            .with_user_state(app),
    );
    let listener = SlackClientSocketModeListener::new(
        &SlackClientSocketModeConfig::new(),
        environment,
        callbacks,
    );
    listener
        .listen_for(&token)
        .await
        .map_err(|e| ServiceError::Unavailable(format!("Socket Mode: {}", describe(&e))))?;
    tracing::info!("answering Slack interactions over Socket Mode (no HTTP listener)");
    listener.serve().await;
    Ok(())
}

/// slack-morphism's interaction callback: a plain `fn`, so the handler travels in the
/// listener's user state.
async fn on_interaction<S, K>(
    event: SlackInteractionEvent,
    _client: Arc<SlackClient<Connector>>,
    state: SlackClientEventsUserState,
) -> UserCallbackResult<SlackInteractionResponse>
where
    S: SheetStore + Send + Sync + 'static,
    K: InteractiveSlack + 'static,
{
    let app = state
        .read()
        .await
        .get_user_state::<Arc<Interactions<S, K>>>()
        .cloned();
    let Some(app) = app else {
        tracing::error!("Socket Mode listener started without its handler; acknowledged only");
        return Ok(SlackInteractionResponse::Empty);
    };
    let started = std::time::Instant::now();
    let answer = answer_event(&app, event, Utc::now()).await;
    if started.elapsed() > SLACK_DEADLINE {
        tracing::warn!(
            elapsed_ms = started.elapsed().as_millis() as u64,
            "acknowledged after Slack's 3 s: the user saw an error although the work is done"
        );
    }
    Ok(acknowledgement(&answer))
}

/// Logs listener errors without their JSON body (slack-morphism puts an unreadable
/// message's body in the error, and a body holds user data and a `response_url`).
/// Answering 200 makes the listener acknowledge, so Slack does not redeliver.
fn on_error(
    err: Box<dyn std::error::Error + Send + Sync + 'static>,
    _client: Arc<SlackClient<Connector>>,
    _state: SlackClientEventsUserState,
) -> HttpStatusCode {
    if let Some(protocol) = err.downcast_ref::<SlackClientProtocolError>() {
        tracing::warn!(error = %protocol.json_error, "unreadable Socket Mode message; acknowledged");
    } else if let Some(SlackClientError::ProtocolError(protocol)) =
        err.downcast_ref::<SlackClientError>()
    {
        tracing::warn!(error = %protocol.json_error, "unreadable Socket Mode message; acknowledged");
    } else {
        tracing::warn!(error = %err, "Socket Mode");
    }
    HttpStatusCode::OK
}

/// The Slack error code or the HTTP status; never the token.
fn describe(e: &SlackClientError) -> String {
    match e {
        SlackClientError::ApiError(api) => api.code.clone(),
        SlackClientError::HttpError(h) => format!("HTTP {}", h.status_code),
        SlackClientError::RateLimitError(_) => "rate limited (429)".into(),
        SlackClientError::HttpProtocolError(p) => format!("connection failed: {p}"),
        SlackClientError::ProtocolError(p) => format!("unreadable answer: {}", p.json_error),
        other => other.to_string(),
    }
}

#[cfg(test)]
#[path = "socket_tests.rs"]
mod tests;
