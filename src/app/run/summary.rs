//! Phase: one summary DM per administrator of everything that needs attention (docs/rules.md §7),
//! in Japanese, derived from the run's outcomes; a dry run only composes it.

use chrono::NaiveDate;

use super::notices::send;
use super::{Job, Mode, Services};
use crate::core::ahead::Upcoming;
use crate::core::messages;
use crate::core::outcome::{ActionOutcome, Alert, Dm, DmFailure};
use crate::core::report::Message;

/// The summaries sent (or composed), and an alert for each administrator it did not reach.
pub async fn send_summary<X: Services>(
    job: &Job<'_, X>,
    today: NaiveDate,
    outcomes: &[ActionOutcome],
    week: Option<&[Upcoming]>,
    mode: Mode,
) -> (Vec<Message>, Vec<ActionOutcome>) {
    let s = job.settings;
    let day = today.format("%Y-%m-%d").to_string();
    // `keywarden requests` has no week ahead to tell (docs/rules.md §12).
    let text = match week {
        Some(week) => messages::admin_summary(&day, &s.request_sheet, outcomes, week),
        None => messages::requests_summary(&day, &s.request_sheet, outcomes),
    };
    let Some(text) = text else {
        return (Vec::new(), Vec::new());
    };
    if s.admins.is_empty() {
        tracing::warn!(
            "no administrators configured (KEYWARDEN_ADMIN_SLACK_IDS): the summary is only logged"
        );
        tracing::info!(summary = %text, "run summary");
    }
    let sends = s
        .admins
        .iter()
        .map(|admin| send(job, admin, text.clone(), mode));
    let mut sent = Vec::new();
    let mut failures = Vec::new();
    for dm in futures::future::join_all(sends).await {
        match dm {
            Dm::Sent { to, text } | Dm::Composed { to, text } => sent.push(Message { to, text }),
            Dm::NotSent { to, error } => {
                failures.push(ActionOutcome::alert(Alert::SummaryNotDelivered {
                    admin: to,
                    error,
                }))
            }
            Dm::OutOfTime { to } => {
                failures.push(ActionOutcome::alert(Alert::SummaryNotDelivered {
                    admin: to,
                    error: DmFailure::OutOfTime,
                }))
            }
            Dm::NoOwner(_) => {}
        }
    }
    (sent, failures)
}
