//! Phase: SPEC §8 for sheet rows — set a row's key Inactive in its grace period, or Active
//! again when an administrator extended a row keywarden had deactivated. Only the row's own
//! key is ever touched, and only after IAM confirms it is the row's.

use chrono::{Days, NaiveDate};
use futures::stream::{self, StreamExt};

use super::rows::{Caps, subject};
use super::teardowns::compose;
use super::{Job, Mode};
use crate::adapters::Iam;
use crate::core::messages;
use crate::core::outcome::{Action, ActionOutcome, CellChange, SheetChange, Switch};
use crate::core::plan::{Decision, Plan, PlannedRow};
use crate::core::teardown::{self, Refusal};

pub async fn run<S, M, I: Iam, V>(
    job: &Job<'_, S, M, I, V>,
    plan: &Plan<'_>,
    caps: &Caps,
    today: NaiveDate,
    mode: Mode,
) -> Vec<ActionOutcome> {
    stream::iter(plan.rows.iter())
        .filter(|p| {
            std::future::ready(matches!(
                p.decision,
                Decision::Deactivate | Decision::Reactivate
            ))
        })
        .map(|p| row(job, p, caps, today, mode))
        .buffer_unordered(job.settings.concurrency.max(1))
        .collect()
        .await
}

async fn row<S, M, I: Iam, V>(
    job: &Job<'_, S, M, I, V>,
    p: &PlannedRow<'_>,
    caps: &Caps,
    today: NaiveDate,
    mode: Mode,
) -> ActionOutcome {
    let activate = p.decision == Decision::Reactivate;
    let mut outcome = ActionOutcome::new(
        subject(p),
        Action::Switch {
            activate,
            result: Switch::Planned,
        },
    );
    let result = match &p.row.valid {
        Err(problems) => Switch::RowUnusable(problems.clone()),
        Ok(_) if !activate && !caps.deactivations_allowed() => Switch::Cap {
            due: caps.deactivations_due,
            max: caps.max_deactivations,
        },
        Ok(valid) => {
            let (user, key) = (&valid.account, &valid.key_id);
            let grace_end = valid
                .end
                .checked_add_days(Days::new(job.settings.rules.deactivate_grace.into()))
                .unwrap_or(valid.end);
            let result = switch(job, user, key, activate, grace_end, mode).await;
            let change = match (&result, activate) {
                (Switch::Switched { .. }, true) => Some(CellChange::Reactivated),
                (Switch::Switched { .. } | Switch::KeyGone { planned: false }, false) => {
                    Some(CellChange::Deactivated(today))
                }
                _ => None,
            };
            outcome.sheet = change.map(|change| SheetChange {
                row: p.row.row,
                account: user.clone(),
                key: key.clone(),
                change,
                result: None,
            });
            if matches!(result, Switch::Switched { .. }) {
                let text = if activate {
                    messages::row_reactivated(p.row)
                } else {
                    let delete_on = grace_end + Days::new(1);
                    messages::row_deactivated(p.row, &delete_on.to_string())
                };
                outcome.owner_dm = Some(compose(p, text));
            }
            result
        }
    };
    outcome.action = Action::Switch { activate, result };
    outcome
}

async fn switch<S, M, I: Iam, V>(
    job: &Job<'_, S, M, I, V>,
    user: &crate::core::domain::IamUserName,
    key: &crate::core::domain::AccessKeyId,
    activate: bool,
    grace_end: NaiveDate,
    mode: Mode,
) -> Switch {
    let s = job.settings;
    if teardown::is_protected(user, &s.protected_users) {
        return Switch::Refused(Refusal::Protected);
    }
    let inventory = match job.iam.inventory(user).await {
        Err(e) => {
            return Switch::ReadFailed {
                error: e.to_string(),
            };
        }
        Ok(inv) => inv,
    };
    let key_exists = match &inventory {
        Some(inv) if !inv.path.starts_with(&s.iam_path_prefix) => {
            return Switch::Refused(Refusal::OutsidePath {
                path: inv.path.clone(),
                prefix: s.iam_path_prefix.clone(),
            });
        }
        Some(inv) if !inv.access_keys.is_empty() && !inv.access_keys.contains(key) => {
            return Switch::Refused(Refusal::KeyMismatch {
                sheet_key: key.clone(),
                iam_keys: inv.access_keys.clone(),
            });
        }
        Some(inv) => inv.access_keys.contains(key),
        None => false,
    };
    match (mode, key_exists) {
        (Mode::DryRun, true) => Switch::Planned,
        (Mode::DryRun, false) => Switch::KeyGone { planned: true },
        (Mode::Run, false) if activate => Switch::CannotReactivate,
        (Mode::Run, false) => Switch::KeyGone { planned: false },
        (Mode::Run, true) => match job.iam.set_key_active(user, key, activate).await {
            Ok(()) => Switch::Switched { grace_end },
            Err(e) => Switch::Failed {
                error: e.to_string(),
            },
        },
    }
}
