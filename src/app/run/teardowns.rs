//! Phase: tear down the IAM users of due rows (SPEC §4). Every step first proves from IAM that
//! it acts on what the row means; when IAM disagrees, nothing changes and administrators hear.
//! The owner's DM is only composed here: it is sent after the sheet write (see `owner_dms`).

use std::collections::BTreeMap;

use futures::stream::{self, StreamExt};

use super::rows::{Caps, owner, subject};
use super::{Job, Mode};
use crate::adapters::{Iam, ServiceError, StepResult};
use crate::core::domain::{AccessKeyId, IamUserName};
use crate::core::messages;
use crate::core::outcome::{
    Action, ActionOutcome, CellChange, Dm, SheetChange, Teardown, TeardownRefusal,
};
use crate::core::plan::{Decision, Plan, PlannedRow};
use crate::core::teardown::{self, Refusal, Step, UserInventory};

/// Every due teardown; rows of one IAM user one after another, users side by side.
pub async fn run<S, M, I: Iam, V>(
    job: &Job<'_, S, M, I, V>,
    plan: &Plan<'_>,
    caps: &Caps,
    mode: Mode,
) -> Vec<ActionOutcome> {
    let mut by_user: BTreeMap<Option<&IamUserName>, Vec<&PlannedRow>> = BTreeMap::new();
    for p in plan.rows.iter().filter(|p| p.decision == Decision::Delete) {
        let user = p.row.valid.as_ref().ok().map(|v| &v.account);
        by_user.entry(user).or_default().push(p);
    }
    stream::iter(by_user.into_values())
        .map(|group| async move {
            let mut out = Vec::new();
            for p in group {
                out.push(row(job, p, caps, mode).await);
            }
            out
        })
        .buffer_unordered(job.settings.concurrency.max(1))
        .flat_map(stream::iter)
        .collect()
        .await
}

/// One due row: guards, then the teardown (or the plan of it).
async fn row<S, M, I: Iam, V>(
    job: &Job<'_, S, M, I, V>,
    p: &PlannedRow<'_>,
    caps: &Caps,
    mode: Mode,
) -> ActionOutcome {
    let mut outcome = ActionOutcome::new(subject(p), Action::Teardown(Teardown::OutOfTime));
    let Ok(valid) = &p.row.valid else {
        return outcome;
    };
    let (user, key) = (&valid.account, &valid.key_id);
    let result = if !caps.deletions_allowed() {
        Teardown::Refused(TeardownRefusal::Cap {
            due: caps.deletions_due,
            max: caps.max_deletions,
        })
    } else if job.deadline.passed() {
        Teardown::OutOfTime
    } else {
        tear_down(job, p, user, key, mode).await
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
            account: user.clone(),
            key: key.clone(),
            change: CellChange::Deleted,
            result: None,
        });
    }
    if finished {
        let text = match &result {
            Teardown::KeyOnly { .. } => messages::owner_key_deleted(p.row),
            _ => messages::owner_deleted(p.row),
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

/// What IAM says of the row's user and key, proven before anything changes (SPEC §4 1–5).
enum Proof {
    Refused(Refusal),
    /// The user and the key are both gone.
    Gone,
    /// Step 5: delete only the key; the user stays for these rows.
    KeyOnly(Vec<usize>),
    /// The steps of a full teardown.
    Ready(Vec<Step>),
}

async fn prove<I: Iam>(
    iam: &I,
    p: &PlannedRow<'_>,
    user: &IamUserName,
    key: &AccessKeyId,
    protected: &[IamUserName],
    prefix: &str,
) -> Result<Proof, ServiceError> {
    if teardown::is_protected(user, protected) {
        return Ok(Proof::Refused(Refusal::Protected));
    }
    if !p.user_still_needed_by.is_empty() {
        return Ok(Proof::Refused(Refusal::StillNeeded {
            user: user.clone(),
            rows: p.user_still_needed_by.clone(),
        }));
    }
    let Some(mut inv) = iam.inventory(user).await? else {
        // Step 2: the user is gone — but is the key? Its owner tells.
        return Ok(match iam.key_owner(key).await {
            Ok(None) => Proof::Gone,
            Ok(Some(owner)) => Proof::Refused(Refusal::KeyElsewhere {
                user: user.clone(),
                sheet_key: key.clone(),
                owner,
            }),
            Err(e) => Proof::Refused(Refusal::KeyOwnerUnknown {
                user: user.clone(),
                sheet_key: key.clone(),
                error: e.to_string(),
            }),
        });
    };
    if !p.user_kept_for.is_empty() && inv.path.starts_with(prefix) {
        // Step 5: only the key goes. A key no longer listed was deleted by an earlier run,
        // unless IAM says it belongs to someone else.
        if !inv.access_keys.contains(key)
            && let Some(owner) = iam.key_owner(key).await?
        {
            return Ok(Proof::Refused(Refusal::KeyElsewhere {
                user: user.clone(),
                sheet_key: key.clone(),
                owner,
            }));
        }
        return Ok(Proof::KeyOnly(p.user_kept_for.clone()));
    }
    if let Err(refusal) = teardown::check(user, &inv, key, prefix) {
        return Ok(Proof::Refused(refusal));
    }
    inv.orphan_policy = orphan_policy(iam, user, &inv).await?;
    Ok(Proof::Ready(teardown::steps(user, key, &inv, prefix)))
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

async fn tear_down<S, M, I: Iam, V>(
    job: &Job<'_, S, M, I, V>,
    p: &PlannedRow<'_>,
    user: &IamUserName,
    key: &AccessKeyId,
    mode: Mode,
) -> Teardown {
    let s = job.settings;
    let proof = prove(
        job.iam,
        p,
        user,
        key,
        &s.protected_users,
        &s.iam_path_prefix,
    )
    .await;
    match (proof, mode) {
        (Err(e), _) => Teardown::ReadFailed {
            error: e.to_string(),
        },
        (Ok(Proof::Refused(r)), _) => Teardown::Refused(TeardownRefusal::Guard(r)),
        (Ok(Proof::Gone), Mode::DryRun) => Teardown::AlreadyGone { planned: true },
        (Ok(Proof::Gone), Mode::Run) => Teardown::AlreadyGone { planned: false },
        (Ok(Proof::KeyOnly(kept_by)), Mode::DryRun) => Teardown::KeyOnly {
            planned: true,
            kept_by,
        },
        (Ok(Proof::KeyOnly(kept_by)), Mode::Run) => {
            match job
                .iam
                .apply(user, &Step::DeleteAccessKey(key.clone()))
                .await
            {
                Ok(_) => Teardown::KeyOnly {
                    planned: false,
                    kept_by,
                },
                Err(e) => Teardown::Stopped {
                    at: Step::DeleteAccessKey(key.clone()),
                    error: e.to_string(),
                    user_deleted: false,
                },
            }
        }
        (Ok(Proof::Ready(steps)), Mode::DryRun) => Teardown::Planned { steps },
        (Ok(Proof::Ready(steps)), Mode::Run) => apply(job.iam, user, steps).await,
    }
}

/// Applies the steps in order; stops at the first failure so the next run resumes there.
async fn apply<I: Iam>(iam: &I, user: &IamUserName, steps: Vec<Step>) -> Teardown {
    let mut kept = Vec::new();
    let mut user_deleted = false;
    for step in &steps {
        match iam.apply(user, step).await {
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
