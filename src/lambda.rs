//! AWS Lambda: one job per invocation (docs/rules.md §6). The payload may ask for a dry run or pin
//! the date for a manual test: `{"dry_run": true}`, `{"today": "2026-11-22"}`; `{"job":
//! "requests"}` runs key issuance's short pass instead of the daily job (docs/rules.md §12, the
//! 15-minute schedule); anything else in it (EventBridge Scheduler's input) is ignored.

use std::process::ExitCode;

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::app::run::{Deadline, Mode, Pass};
use crate::configuration::{Needs, parse_today};

/// Set on the interactions function (template.yaml): HTTP events only, never the daily job.
const HTTP_ONLY: &str = "KEYWARDEN_LAMBDA_HTTP_ONLY";

#[derive(Debug, Default, Deserialize)]
struct Payload {
    #[serde(default)]
    dry_run: bool,
    today: Option<String>,
    /// `"daily"` (the default) or `"requests"`.
    job: Option<String>,
}

/// The report is the result of a clean run or a dry run. A run with failed or refused actions is logged
/// (report included) and then fails the invocation, so the function's `Errors` alarm fires;
/// a run that could not start fails it too.
async fn handle(event: LambdaEvent<serde_json::Value>) -> Result<Box<RawValue>, Error> {
    if let Some(request) = http::HttpEvent::parse(&event.payload) {
        // Boxed: the endpoint's future is deep enough to overflow the compiler's layout limit.
        let answer = Box::pin(http::answer(request)).await;
        return Ok(serde_json::value::to_raw_value(&answer)?);
    }
    // The interactions function shares the binary but has no IAM rights: it must never mistake
    // a stray invocation for the daily job (it would send notices, then fail on IAM).
    if std::env::var(HTTP_ONLY).is_ok_and(|v| v == "true") {
        return Err(format!(
            "{HTTP_ONLY} is true: this function only answers HTTP (Function URL) events"
        )
        .into());
    }
    // A payload that names our fields must be right: a typo must not become a real run.
    let ours = event.payload.as_object().is_some_and(|m| {
        m.contains_key("dry_run") || m.contains_key("today") || m.contains_key("job")
    });
    let payload: Payload = if ours {
        serde_json::from_value(event.payload).map_err(|e| {
            format!("invalid payload ({e}): use {{\"dry_run\": true}}, {{\"today\": \"YYYY-MM-DD\"}} and/or {{\"job\": \"requests\"}}")
        })?
    } else {
        Payload::default()
    };
    let pass = match payload.job.as_deref() {
        None | Some("daily") => Pass::Daily,
        Some("requests") => Pass::Requests,
        Some(other) => {
            return Err(format!(
                "invalid payload: job \"{other}\" is neither \"daily\" nor \"requests\""
            )
            .into());
        }
    };
    let mode = if payload.dry_run {
        Mode::DryRun
    } else {
        Mode::Run
    };
    let settings = crate::app::connect::settings(
        None,
        Needs {
            google: true,
            slack: mode == Mode::Run,
            signing_secret: false,
        },
    )?;
    let pinned = payload.today.as_deref().map(parse_today).transpose()?;
    let deadline = Deadline::at(invocation_deadline(event.context.deadline));
    if pass == Pass::Requests && settings.job.issue.is_none() {
        return Err(
            "{\"job\": \"requests\"} needs key issuance: set KEYWARDEN_ISSUE_POLICIES".into(),
        );
    }
    let report =
        crate::app::connect::execute(&settings, settings.today(pinned), mode, pass, deadline)
            .await?;
    // The report as the JSON text `--output json` writes (docs/decisions.md): a `Value` tree
    // of it was several times its size, beside the report itself.
    let json = serde_json::value::to_raw_value(&report)?;
    let bad = report
        .actions
        .iter()
        .filter(|a| {
            matches!(
                a.outcome,
                crate::core::report::Outcome::Failed | crate::core::report::Outcome::Refused
            )
        })
        .count();
    let failed = report.exit_code() != 0;
    drop(report);
    // A dry run is a manual test: it returns its report and never trips the alarm.
    if failed && mode == Mode::Run {
        tracing::error!(report = %json, "some actions failed or were refused");
        return Err(format!(
            "{bad} action(s) failed or were refused; the report is in the log above"
        )
        .into());
    }
    tracing::info!(report = %json, "keywarden run finished");
    Ok(json)
}

/// The invocation's deadline (milliseconds since the epoch) as an instant of this process.
fn invocation_deadline(epoch_ms: u64) -> tokio::time::Instant {
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    tokio::time::Instant::now() + std::time::Duration::from_millis(epoch_ms.saturating_sub(now_ms))
}

/// docs/rules.md §6, §9: an HTTP event (Lambda Function URL or API Gateway HTTP API, payload format
/// 2.0) is a Slack interaction, answered as `keywarden serve` answers it.
mod http {
    use axum::http::{HeaderMap, HeaderName, HeaderValue};
    use base64::Engine;
    use serde_json::{Value, json};
    use tokio::sync::OnceCell;

    use crate::app::interactions::{RequestVerifier, handle_http, wire};
    use crate::configuration::Needs;

    /// The endpoint, connected once per Lambda instance: Slack waits only 3 s.
    static ENDPOINT: OnceCell<(std::sync::Arc<wire::Endpoint>, RequestVerifier)> =
        OnceCell::const_new();

    pub struct HttpEvent {
        method: String,
        path: String,
        headers: HeaderMap,
        body: Vec<u8>,
    }

    impl HttpEvent {
        /// `None` for anything that is not a payload-2.0 HTTP event (the daily schedule).
        pub fn parse(payload: &Value) -> Option<HttpEvent> {
            let http = payload.get("requestContext")?.get("http")?;
            let method = http.get("method")?.as_str()?.to_string();
            let path = payload
                .get("rawPath")
                .or_else(|| http.get("path"))?
                .as_str()?
                .to_string();
            let mut headers = HeaderMap::new();
            for (name, value) in payload
                .get("headers")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                if let (Ok(name), Some(Ok(value))) = (
                    HeaderName::from_bytes(name.as_bytes()),
                    value.as_str().map(HeaderValue::from_str),
                ) {
                    headers.insert(name, value);
                }
            }
            let text = payload.get("body").and_then(Value::as_str).unwrap_or("");
            let body = if payload.get("isBase64Encoded").and_then(Value::as_bool) == Some(true) {
                base64::engine::general_purpose::STANDARD
                    .decode(text)
                    .unwrap_or_default()
            } else {
                text.as_bytes().to_vec()
            };
            Some(HttpEvent {
                method,
                path,
                headers,
                body,
            })
        }
    }

    fn response(status: u16, content_type: &str, body: String) -> Value {
        json!({
            "statusCode": status,
            "headers": {"content-type": content_type},
            "body": body,
            "isBase64Encoded": false,
        })
    }

    pub async fn answer(request: HttpEvent) -> Value {
        let connected = ENDPOINT
            .get_or_try_init(|| async {
                let needs = Needs {
                    google: true,
                    slack: true,
                    signing_secret: true,
                };
                let settings =
                    crate::app::connect::settings(None, needs).map_err(|e| e.to_string())?;
                wire::connect(&settings).await
            })
            .await;
        let (app, verifier) = match connected {
            Ok(connected) => connected,
            Err(e) => {
                tracing::error!(error = %e, "the interactions endpoint is not configured");
                return response(
                    503,
                    "text/plain; charset=utf-8",
                    "keywarden is not configured for Slack interactions; see the logs".into(),
                );
            }
        };
        let answer = handle_http(
            app,
            verifier,
            &request.method,
            &request.path,
            &request.headers,
            &request.body,
            chrono::Utc::now(),
        )
        .await;
        response(answer.status, answer.content_type, answer.body)
    }
}

pub async fn serve() -> ExitCode {
    match lambda_runtime::run(service_fn(handle)).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "Lambda runtime stopped");
            ExitCode::FAILURE
        }
    }
}
