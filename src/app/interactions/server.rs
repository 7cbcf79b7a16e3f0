//! The HTTP edge of docs/rules.md §9: `POST /slack/interactions` and `GET /healthz`. Routing lives
//! in [`handle_http`], a plain function of (method, path, headers, raw body), so the axum server
//! of `keywarden serve` and the Lambda Function URL path answer identically.
//!
//! A request is verified before anything else: unsigned, mis-signed or stale requests get 401
//! with nothing read or written, and the body is never logged (it holds user data and a
//! `response_url` that lets anyone answer as the app).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};

use super::handler::{HttpAnswer, Interactions};
use super::payload::parse_body;
use super::slack_api::InteractiveSlack;
use super::verify::RequestVerifier;
use crate::adapters::{ServiceError, SheetStore};

pub const INTERACTIONS_PATH: &str = "/slack/interactions";
pub const HEALTH_PATH: &str = "/healthz";
/// 200 only when the spreadsheet can be read and the bot token works.
pub const READY_PATH: &str = "/readyz";
/// Slack shows an error when an interaction is not answered within this.
const SLACK_DEADLINE: std::time::Duration = std::time::Duration::from_secs(3);

/// Answers one HTTP request; `now` is the clock for the signature window and "today".
pub async fn handle_http<S, K>(
    app: &Interactions<S, K>,
    verifier: &RequestVerifier,
    method: &str,
    path: &str,
    headers: &HeaderMap,
    body: &[u8],
    now: DateTime<Utc>,
) -> HttpAnswer
where
    S: SheetStore + Send + Sync,
    K: InteractiveSlack,
{
    match (method, path) {
        ("GET" | "HEAD", HEALTH_PATH) => HttpAnswer::text(200, "ok"),
        ("GET" | "HEAD", READY_PATH) => match app.ready().await {
            Ok(()) => HttpAnswer::text(200, "ready"),
            // The reason goes to the log only: on Lambda this path is public, and the reason
            // names the spreadsheet.
            Err(why) => {
                tracing::warn!(%why, "not ready (503)");
                HttpAnswer::text(503, "not ready: see the log")
            }
        },
        ("POST", INTERACTIONS_PATH) => {
            let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
            if let Err(e) = verifier.verify(
                header("x-slack-signature"),
                header("x-slack-request-timestamp"),
                body,
                now.timestamp(),
            ) {
                tracing::warn!(reason = %e, "Slack request refused (401)");
                return HttpAnswer::text(401, "invalid Slack request signature");
            }
            let started = std::time::Instant::now();
            let answer = match parse_body(body) {
                Ok(interaction) => app.handle(interaction, now).await,
                Err(e) => app.payload_error(e).await,
            };
            if started.elapsed() > SLACK_DEADLINE {
                tracing::warn!(
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    "answered after Slack's 3 s: the user saw an error although the work is done"
                );
            }
            answer
        }
        (_, HEALTH_PATH | READY_PATH | INTERACTIONS_PATH) => {
            HttpAnswer::text(405, "method not allowed")
        }
        _ => HttpAnswer::text(404, "not found"),
    }
}

struct Shared<S, K> {
    app: Arc<Interactions<S, K>>,
    verifier: RequestVerifier,
}

/// The axum router of `keywarden serve`.
pub fn router<S, K>(app: Arc<Interactions<S, K>>, verifier: RequestVerifier) -> Router
where
    S: SheetStore + Send + Sync + 'static,
    K: InteractiveSlack + 'static,
{
    Router::new()
        .fallback(answer::<S, K>)
        .with_state(Arc::new(Shared { app, verifier }))
}

async fn answer<S, K>(
    State(shared): State<Arc<Shared<S, K>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response
where
    S: SheetStore + Send + Sync + 'static,
    K: InteractiveSlack + 'static,
{
    let body = match body {
        Ok(body) => body,
        // Refused like a bad signature, and logged like one: without the body.
        Err(rejection) => {
            let status = rejection.status();
            tracing::warn!(%status, path = uri.path(), reason = %rejection.body_text(), "Slack request refused");
            return rejection.into_response();
        }
    };
    let answer = handle_http(
        &shared.app,
        &shared.verifier,
        method.as_str(),
        uri.path(),
        &headers,
        &body,
        Utc::now(),
    )
    .await;
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(header::CONTENT_TYPE, answer.content_type)],
        answer.body,
    )
        .into_response()
}

/// Serves on `listen` until the process ends.
pub async fn serve<S, K>(
    listen: SocketAddr,
    app: Arc<Interactions<S, K>>,
    verifier: RequestVerifier,
) -> Result<(), ServiceError>
where
    S: SheetStore + Send + Sync + 'static,
    K: InteractiveSlack + 'static,
{
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| ServiceError::Unavailable(format!("cannot listen on {listen}: {e}")))?;
    serve_on(listener, app, verifier).await
}

/// Serves on a bound listener (tests bind 127.0.0.1:0 and read the port first).
pub async fn serve_on<S, K>(
    listener: tokio::net::TcpListener,
    app: Arc<Interactions<S, K>>,
    verifier: RequestVerifier,
) -> Result<(), ServiceError>
where
    S: SheetStore + Send + Sync + 'static,
    K: InteractiveSlack + 'static,
{
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "serving Slack interactions on {INTERACTIONS_PATH}");
    }
    axum::serve(listener, router(app, verifier))
        .await
        .map_err(|e| ServiceError::Unavailable(format!("the interactions server stopped: {e}")))
}
