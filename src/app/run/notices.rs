//! Phase: the owners' notices a week before the end date (docs/rules.md §3). `通知日` is asked for
//! only when the owner's DM was delivered, so an owner who could not be reached is tried again.

use futures::stream::{self, StreamExt};
use slack_morphism::prelude::SlackBlock;

use super::rows::{owner, subject};
use super::{Job, Mode, Services};
use crate::adapters::{Messenger, SendError};
use crate::app::interactions::blocks;
use crate::core::domain::SlackUserId;
use crate::core::extension::value::RowRef;
use crate::core::outcome::{Action, ActionOutcome, CellChange, Dm, DmFailure, Notice, SheetChange};
use crate::core::plan::{Decision, Plan, PlannedRow};
use crate::core::words::dms;

/// Every due notice, DMs to different owners side by side.
pub async fn run<X: Services>(job: &Job<'_, X>, plan: &Plan<'_>, mode: Mode) -> Vec<ActionOutcome> {
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

async fn notice<X: Services>(
    job: &Job<'_, X>,
    p: &PlannedRow<'_>,
    days_left: i64,
    today: chrono::NaiveDate,
    mode: Mode,
) -> ActionOutcome {
    let end = p.row.valid_end().unwrap_or(chrono::NaiveDate::MIN);
    // docs/rules.md §9: with extension requests on, the owner answers the notice with a button.
    let button: Vec<SlackBlock> = match &p.row.valid() {
        Ok(valid) if job.settings.extension_requests => {
            vec![blocks::request_button(&RowRef::of(valid))]
        }
        _ => Vec::new(),
    };
    let text = dms::owner_notice(
        p.row,
        days_left,
        &job.settings.request_sheet,
        !button.is_empty(),
    );
    let dm = match owner(p) {
        Ok(to) => send_blocks(job, &to, text, &button, mode).await,
        Err(problem) => Dm::NoOwner(problem),
    };
    let mut outcome = ActionOutcome::new(
        subject(p),
        Action::Notice {
            notice: Notice {
                end,
                days_left,
                with_button: !button.is_empty(),
            },
            dm: dm.clone(),
        },
    );
    if let (Dm::Sent { .. }, Ok(valid)) = (&dm, &p.row.valid()) {
        outcome.sheet = Some(SheetChange {
            row: p.row.row,
            user: valid.user.clone(),
            key: valid.key_id.clone(),
            change: CellChange::Notified(today),
            status_read: None,
            result: None,
        });
    }
    outcome
}

/// Sends a DM (composes it, in a dry run), unless the run's deadline passes first.
pub async fn send<X: Services>(job: &Job<'_, X>, to: &SlackUserId, text: String, mode: Mode) -> Dm {
    send_blocks(job, to, text, &[], mode).await
}

/// [`send`] with interactive blocks after the text.
async fn send_blocks<X: Services>(
    job: &Job<'_, X>,
    to: &SlackUserId,
    text: String,
    blocks: &[SlackBlock],
    mode: Mode,
) -> Dm {
    let to = to.clone();
    if mode == Mode::DryRun {
        return Dm::Composed { to, text };
    }
    match job
        .deadline
        .run(job.slack.send_with_blocks(&to, &text, blocks))
        .await
    {
        Some(Ok(())) => Dm::Sent { to, text },
        Some(Err(e)) => Dm::NotSent {
            to,
            error: match e {
                SendError::Unreachable(code) => DmFailure::Unreachable(code),
                SendError::Failed(message) => DmFailure::Failed(message),
            },
        },
        None => Dm::OutOfTime { to },
    }
}
