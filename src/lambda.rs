//! AWS Lambda: one job per invocation (SPEC §6). The payload may ask for a dry run or pin the
//! date for a manual test: `{"dry_run": true}`, `{"today": "2026-11-22"}`; anything else in
//! it (EventBridge Scheduler's input) is ignored.

use std::process::ExitCode;

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde::Deserialize;

use crate::app::run::{Deadline, Mode};
use crate::configuration::{Needs, parse_today};

#[derive(Debug, Default, Deserialize)]
struct Payload {
    #[serde(default)]
    dry_run: bool,
    today: Option<String>,
}

/// The report is the result of a clean run or a dry run. A run with failed or refused actions is logged
/// (report included) and then fails the invocation, so the function's `Errors` alarm fires;
/// a run that could not start fails it too.
async fn handle(event: LambdaEvent<serde_json::Value>) -> Result<serde_json::Value, Error> {
    // A payload that names our fields must be right: a typo must not become a real run.
    let ours = event
        .payload
        .as_object()
        .is_some_and(|m| m.contains_key("dry_run") || m.contains_key("today"));
    let payload: Payload = if ours {
        serde_json::from_value(event.payload).map_err(|e| {
            format!("invalid payload ({e}): use {{\"dry_run\": true}} and/or {{\"today\": \"YYYY-MM-DD\"}}")
        })?
    } else {
        Payload::default()
    };
    let mode = if payload.dry_run {
        Mode::DryRun
    } else {
        Mode::Run
    };
    let settings = crate::cli::settings(
        None,
        Needs {
            google: true,
            slack: mode == Mode::Run,
        },
    )?;
    let pinned = payload.today.as_deref().map(parse_today).transpose()?;
    let deadline = Deadline::at(invocation_deadline(event.context.deadline));
    let report = crate::cli::execute(&settings, settings.today(pinned), mode, deadline).await?;
    let json = serde_json::to_value(&report)?;
    // A dry run is a manual test: it returns its report and never trips the alarm.
    if report.exit_code() != 0 && mode == Mode::Run {
        tracing::error!(report = %json, "some actions failed or were refused");
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

pub async fn serve() -> ExitCode {
    match lambda_runtime::run(service_fn(handle)).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "Lambda runtime stopped");
            ExitCode::FAILURE
        }
    }
}
