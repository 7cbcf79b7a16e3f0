//! Phase: docs/rules.md §8 for sheet rows — set a row's key Inactive in its grace period, or Active
//! again when a row keywarden had deactivated was extended (`延長`, or its end date moved past
//! today). Only the row's own key is ever touched, and only after the one proof of docs/rules.md §4
//! (`prove`) shows it is the row's user's key and no other live row claims it.

use chrono::{Days, NaiveDate};
use futures::stream::{self, StreamExt};

use super::accounts::{AccountWork, current};
use super::prove::prove;
use super::rows::{Caps, subject};
use super::teardowns::compose;
use super::{Job, Mode, Services};
use crate::adapters::Iam;
use crate::core::outcome::{Action, ActionOutcome, CellChange, SheetChange, Switch};
use crate::core::plan::{Decision, PlannedRow};
use crate::core::proof::{Claim, Verdict};
use crate::core::sheet::Holdings;
use crate::core::words::dms;

/// Every deactivation and reactivation of the account's rows.
pub async fn run<X: Services>(
    job: &Job<'_, X>,
    work: &AccountWork<'_>,
    caps: &Caps,
) -> Vec<ActionOutcome> {
    let (holdings, today, mode) = (work.holdings, work.today, work.mode);
    stream::iter(work.with(|d| matches!(d, Decision::Deactivate | Decision::Reactivate)))
        .map(|p| row(job, holdings, p, caps, today, mode))
        .buffer_unordered(job.settings.concurrency.max(1))
        .collect()
        .await
}

async fn row<X: Services>(
    job: &Job<'_, X>,
    holdings: &Holdings<'_>,
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
    let result = match &p.row.valid() {
        Err(problems) => Switch::RowUnusable(problems.to_vec()),
        Ok(_) if !activate && !caps.deactivations_allowed() => Switch::Cap {
            due: caps.deactivations_due,
            max: caps.max_deactivations,
        },
        // The deadline gate: no proof (and no IAM call) is started with seconds left.
        Ok(_) if job.deadline.passed() => Switch::OutOfTime,
        Ok(valid) => {
            let (user, key) = (&valid.user, &valid.key_id);
            let grace_end = valid
                .end
                .checked_add_days(Days::new(job.settings.rules.deactivate_grace.into()))
                .unwrap_or(valid.end);
            let claim = Claim {
                row: p.row.row,
                account: current(job.settings),
                user,
                key,
            };
            let result = switch(job, holdings, claim, activate, grace_end, mode).await;
            // Only what was done is written: a key that is gone was not deactivated.
            let change = match (&result, activate) {
                (Switch::Switched { .. }, true) => Some(CellChange::Reactivated {
                    status: p.row.status_without_deactivated_mark(),
                }),
                (Switch::Switched { .. }, false) => Some(CellChange::Deactivated(today)),
                _ => None,
            };
            outcome.sheet = change.map(|change| SheetChange {
                row: p.row.row,
                user: user.clone(),
                key: key.clone(),
                change,
                status_read: Some(p.row.status_text().to_string()),
                result: None,
            });
            if matches!(result, Switch::Switched { .. }) {
                let text = if activate {
                    dms::row_reactivated(p.row)
                } else {
                    let delete_on = grace_end + Days::new(1);
                    dms::row_deactivated(p.row, &delete_on.to_string())
                };
                outcome.owner_dm = Some(compose(p, text));
            }
            result
        }
    };
    outcome.action = Action::Switch { activate, result };
    outcome
}

/// The proof first (docs/rules.md §4 steps 1–5, as for a deletion), then the key's status, only
/// when the verdict shows the key is the row's user's and still there.
async fn switch<X: Services>(
    job: &Job<'_, X>,
    holdings: &Holdings<'_>,
    claim: Claim<'_>,
    activate: bool,
    grace_end: NaiveDate,
    mode: Mode,
) -> Switch {
    let verdict = match prove(job.iam, holdings, claim, job.settings).await {
        Ok(verdict) => verdict,
        Err(e) => {
            return Switch::ReadFailed {
                error: e.to_string(),
            };
        }
    };
    if let Verdict::Refused(r) = verdict {
        return Switch::Refused(r);
    }
    let present = verdict.key_present(claim.key);
    match (mode, present) {
        (Mode::DryRun, true) => Switch::Planned,
        (_, false) if activate => Switch::CannotReactivate,
        (Mode::DryRun, false) => Switch::KeyGone { planned: true },
        (Mode::Run, false) => Switch::KeyGone { planned: false },
        (Mode::Run, true) if job.deadline.passed() => Switch::OutOfTime,
        (Mode::Run, true) => match job
            .iam
            .set_key_active(claim.user, claim.key, activate)
            .await
        {
            Ok(()) => Switch::Switched { grace_end },
            Err(e) => Switch::Failed {
                error: e.to_string(),
            },
        },
    }
}
