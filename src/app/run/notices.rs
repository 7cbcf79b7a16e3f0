//! Phase: the owners' notices a week before the end date (SPEC §3). `通知日` is asked for only
//! when the owner's DM was delivered, so an owner who could not be reached is tried again.

use futures::stream::{self, StreamExt};

use super::rows::{owner_problem, subject};
use super::{Job, Mode};
use crate::adapters::Messenger;
use crate::core::messages;
use crate::core::outcome::{Action, ActionOutcome, CellChange, Dm, Notice, SheetChange};
use crate::core::plan::{Decision, Plan, PlannedRow};
use crate::core::sheet::Owner;

/// Every due notice, DMs to different owners side by side.
pub async fn run<S, M: Messenger, I, V>(
    job: &Job<'_, S, M, I, V>,
    plan: &Plan<'_>,
    mode: Mode,
) -> Vec<ActionOutcome> {
    stream::iter(plan.rows.iter())
        .filter_map(|p| async move {
            match p.decision {
                Decision::Notify { days_left } => Some((p, days_left)),
                _ => None,
            }
        })
        .map(|(p, days_left)| notice(job, p, days_left, plan.today, mode))
        .buffer_unordered(job.settings.concurrency.max(1))
        .collect()
        .await
}

async fn notice<S, M: Messenger, I, V>(
    job: &Job<'_, S, M, I, V>,
    p: &PlannedRow<'_>,
    days_left: i64,
    today: chrono::NaiveDate,
    mode: Mode,
) -> ActionOutcome {
    let end = p
        .row
        .valid
        .as_ref()
        .map(|v| v.end)
        .unwrap_or(chrono::NaiveDate::MIN);
    let text = messages::owner_notice(p.row, days_left, &job.settings.request_sheet);
    let dm = match (&p.owner, owner_problem(p)) {
        (Owner::Found(to), _) => send(job, to, text, mode).await,
        (_, Some(problem)) => Dm::NoOwner(problem),
        (_, None) => unreachable!("an owner is found or has a problem"),
    };
    let mut outcome = ActionOutcome::new(
        subject(p),
        Action::Notice {
            notice: Notice { end, days_left },
            dm: dm.clone(),
        },
    );
    if let (Dm::Sent { .. }, Ok(valid)) = (&dm, &p.row.valid) {
        outcome.sheet = Some(SheetChange {
            row: p.row.row,
            account: valid.account.clone(),
            key: valid.key_id.clone(),
            change: CellChange::Notified(today),
            result: None,
        });
    }
    outcome
}

/// Sends a DM (composes it, in a dry run), unless the run's deadline passes first.
pub async fn send<S, M: Messenger, I, V>(
    job: &Job<'_, S, M, I, V>,
    to: &crate::core::domain::SlackUserId,
    text: String,
    mode: Mode,
) -> Dm {
    let to = to.clone();
    if mode == Mode::DryRun {
        return Dm::Composed { to, text };
    }
    match job.deadline.run(job.slack.send(&to, &text)).await {
        Some(Ok(())) => Dm::Sent { to, text },
        Some(Err(e)) => Dm::NotSent {
            to,
            error: e.to_string(),
        },
        None => Dm::OutOfTime { to },
    }
}
