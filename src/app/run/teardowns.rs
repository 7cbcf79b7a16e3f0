//! Phase: tear down the IAM users of due rows (docs/rules.md §4). Each row first gets the one proof
//! (`prove`); a full teardown or a key-only deletion follows only from its verdict, and when
//! IAM or the sheet disagree nothing changes and administrators hear.
//! The owner's DM is only composed here: it is sent after the sheet write (see `owner_dms`).

use std::collections::BTreeMap;

use futures::stream::{self, StreamExt};

use super::accounts::{AccountWork, current};
use super::prove::prove;
use super::rows::{Caps, owner, subject};
use super::{Job, Mode, Services};
use crate::adapters::{Iam, ServiceError, StepResult, Vault};
use crate::core::domain::{AccessKeyId, IamUserName};
use crate::core::outcome::{
    Action, ActionOutcome, CellChange, Dm, SheetChange, Teardown, TeardownRefusal,
};
use crate::core::plan::{Decision, PlannedRow};
use crate::core::proof::{Claim, Verdict};
use crate::core::sheet::Holdings;
use crate::core::teardown::{self, REQUEST_TAG, Step, UserInventory};
use crate::core::words::dms;

/// Every due teardown of the account; rows of one IAM user one after another, users side by
/// side.
pub async fn run<X: Services>(
    job: &Job<'_, X>,
    work: &AccountWork<'_>,
    caps: &Caps,
) -> Vec<ActionOutcome> {
    let (holdings, mode) = (work.holdings, work.mode);
    let mut by_user: BTreeMap<Option<IamUserName>, Vec<&PlannedRow>> = BTreeMap::new();
    for p in work.with(|d| *d == Decision::Delete) {
        let user = p.row.valid().ok().map(|v| v.user);
        by_user.entry(user).or_default().push(p);
    }
    stream::iter(by_user.into_values())
        .map(|group| async move {
            let mut out = Vec::new();
            for p in group {
                out.push(row(job, holdings, p, caps, mode).await);
            }
            out
        })
        .buffer_unordered(job.settings.concurrency.max(1))
        .flat_map(stream::iter)
        .collect()
        .await
}

/// One due row: guards, then the teardown (or the plan of it).
async fn row<X: Services>(
    job: &Job<'_, X>,
    holdings: &Holdings<'_>,
    p: &PlannedRow<'_>,
    caps: &Caps,
    mode: Mode,
) -> ActionOutcome {
    let mut outcome = ActionOutcome::new(subject(p), Action::Teardown(Teardown::OutOfTime));
    let Ok(valid) = &p.row.valid() else {
        return outcome;
    };
    let (user, key) = (&valid.user, &valid.key_id);
    let result = if !caps.deletions_allowed() {
        Teardown::Refused(TeardownRefusal::Cap {
            due: caps.deletions_due,
            max: caps.max_deletions,
        })
    } else if job.deadline.passed() {
        Teardown::OutOfTime
    } else {
        tear_down(job, holdings, p, user, key, mode).await
    };
    let finished = matches!(
        result,
        Teardown::AlreadyGone { .. }
            | Teardown::Planned { .. }
            | Teardown::TornDown { .. }
            | Teardown::KeyOnly { .. }
            | Teardown::Stopped {
                user_deleted: true,
                ..
            }
    );
    let planned = matches!(
        result,
        Teardown::AlreadyGone { planned: true }
            | Teardown::Planned { .. }
            | Teardown::KeyOnly { planned: true, .. }
    );
    if finished && !planned {
        outcome.sheet = Some(SheetChange {
            row: p.row.row,
            user: user.clone(),
            key: key.clone(),
            change: CellChange::Deleted,
            status_read: Some(p.row.status_text().to_string()),
            result: None,
        });
    }
    if finished {
        let text = match &result {
            Teardown::KeyOnly { keeper, .. } => dms::owner_key_deleted(p.row, keeper),
            // Nothing was deleted this time: the owner hears the row was recorded, no more.
            Teardown::AlreadyGone { .. } => dms::owner_already_gone(p.row),
            _ => dms::owner_deleted(p.row),
        };
        outcome.owner_dm = Some(compose(p, text));
    }
    outcome.action = Action::Teardown(result);
    outcome
}

/// The owner's DM, to be sent later, or why there is nobody to send it to.
pub fn compose(p: &PlannedRow, text: String) -> Dm {
    match owner(p) {
        Ok(to) => Dm::Composed { to, text },
        Err(problem) => Dm::NoOwner(problem),
    }
}

/// The user's own policy that an interrupted teardown left unattached, if any.
async fn orphan_policy<I: Iam>(
    iam: &I,
    user: &IamUserName,
    inv: &UserInventory,
) -> Result<Option<String>, ServiceError> {
    for arn in teardown::orphan_policy_arns(user, inv) {
        match iam.policy_attachments(&arn).await {
            Ok(Some(0)) => return Ok(Some(arn)),
            Ok(_) => {}
            // Least privilege may hide policies outside the IAM path: not ours to delete then.
            Err(ServiceError::AccessDenied(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(None)
}

async fn tear_down<X: Services>(
    job: &Job<'_, X>,
    holdings: &Holdings<'_>,
    p: &PlannedRow<'_>,
    user: &IamUserName,
    key: &AccessKeyId,
    mode: Mode,
) -> Teardown {
    let claim = Claim {
        row: p.row.row,
        account: current(job.settings),
        user,
        key,
    };
    let verdict = match prove(job.iam, holdings, claim, job.settings).await {
        Ok(verdict) => verdict,
        Err(e) => {
            return Teardown::ReadFailed {
                error: e.to_string(),
            };
        }
    };
    let planned = mode == Mode::DryRun;
    match verdict {
        Verdict::Refused(r) => Teardown::Refused(TeardownRefusal::Guard(r)),
        Verdict::Gone => Teardown::AlreadyGone { planned },
        Verdict::KeyOnly {
            keeper, inventory, ..
        } => {
            let steps = teardown::key_only_steps(key, &inventory);
            if planned {
                return Teardown::KeyOnly { planned, keeper };
            }
            match apply(job, user, steps).await {
                Teardown::TornDown { .. } => Teardown::KeyOnly { planned, keeper },
                stopped => stopped,
            }
        }
        Verdict::Teardown(mut inv) => {
            inv.orphan_policy = match orphan_policy(job.iam, user, &inv).await {
                Ok(arn) => arn,
                Err(e) => {
                    return Teardown::ReadFailed {
                        error: e.to_string(),
                    };
                }
            };
            let steps = teardown::steps(user, key, &inv, &job.settings.iam_path_prefix);
            let steps = teardown::with_issued_secret(steps, &inv, issued_secret(job, user));
            match mode {
                Mode::DryRun => Teardown::Planned { steps },
                Mode::Run => apply(job, user, steps).await,
            }
        }
    }
}

/// The secret an issued user's key went to (docs/rules.md §12): `<prefix><user>`, with the
/// default prefix once issuance is off.
fn issued_secret<X: Services>(job: &Job<'_, X>, user: &IamUserName) -> String {
    let prefix = job
        .settings
        .issue
        .as_ref()
        .map_or(crate::core::issue::settings::DEFAULT_SECRET_PREFIX, |i| {
            i.secret_prefix.as_str()
        });
    format!("{prefix}{user}")
}

/// docs/rules.md §12 step 4: the secret goes only when it carries this request's tag; a secret
/// without it is somebody else's and is never touched.
async fn delete_issued_secret<X: Services>(
    job: &Job<'_, X>,
    secret: &str,
    request: &str,
) -> Result<StepResult, ServiceError> {
    match job.vault.secret_tag(secret, REQUEST_TAG).await? {
        None => Ok(StepResult::AlreadyGone),
        Some(Some(tag)) if tag.trim() == request.trim() => job.vault.force_delete(secret).await,
        Some(_) => Ok(StepResult::Kept(format!(
            "the secret does not carry {REQUEST_TAG}={request}: not keywarden's to delete"
        ))),
    }
}

/// Applies the steps in order; stops at the first failure, or when the invocation's deadline
/// comes, so the next run resumes there (the tag of the first step makes that safe).
async fn apply<X: Services>(job: &Job<'_, X>, user: &IamUserName, steps: Vec<Step>) -> Teardown {
    let mut kept = Vec::new();
    let mut user_deleted = false;
    for step in &steps {
        if job.deadline.passed() {
            return Teardown::Stopped {
                at: step.clone(),
                error: crate::core::outcome::OUT_OF_TIME.into(),
                user_deleted,
            };
        }
        let result = match step {
            Step::DeleteIssuedSecret { secret, request } => {
                delete_issued_secret(job, secret, request).await
            }
            _ => job.iam.apply(user, step).await,
        };
        match result {
            Ok(StepResult::Done) => tracing::info!(user = %user, step = %step, "done"),
            Ok(StepResult::AlreadyGone) => {
                tracing::info!(user = %user, step = %step, "already gone")
            }
            Ok(StepResult::Kept(why)) => kept.push((step.clone(), why)),
            Err(e) => {
                return Teardown::Stopped {
                    at: step.clone(),
                    error: e.to_string(),
                    user_deleted,
                };
            }
        }
        user_deleted |= *step == Step::DeleteUser;
    }
    Teardown::TornDown { steps, kept }
}
