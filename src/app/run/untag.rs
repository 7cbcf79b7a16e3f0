//! Phase: once `削除済み` of a key-only deletion is in the sheet, take the teardown tag off the
//! user it kept. The tag exists so that a run interrupted between deleting the key and writing
//! the row is finished by the next one; after the write it has done its work, and left on a
//! kept user for ever it would let any later due row naming that key pass the proof as an
//! interrupted deletion. A write that failed keeps the tag: the next run finds the key gone
//! and the tag, writes `削除済み`, and untags then.

use std::collections::HashMap;

use super::{Job, Mode, Services};
use crate::adapters::{Iam, StepResult};
use crate::core::domain::{Accounts, AwsAccountId};
use crate::core::outcome::{
    Action, ActionOutcome, Alert, OUT_OF_TIME, SheetChange, Teardown, WriteResult,
};
use crate::core::teardown::Step;

/// Untags the users of the key-only deletions whose `削除済み` was written; an alert for each
/// tag left behind. `accounts` is `Some` when the run acts in several AWS accounts: a user of
/// another account is untagged there, through the clients the IAM stage entered it with
/// (`entered`); an account the stage did not enter is entered once.
pub async fn run<X: Services>(
    job: &Job<'_, X>,
    accounts: Option<&Accounts>,
    entered: HashMap<AwsAccountId, X::Iam>,
    outcomes: &[ActionOutcome],
    mode: Mode,
) -> Vec<ActionOutcome> {
    if mode == Mode::DryRun {
        return Vec::new();
    }
    let mut entered: HashMap<AwsAccountId, Result<X::Iam, String>> =
        entered.into_iter().map(|(id, iam)| (id, Ok(iam))).collect();
    let mut alerts = Vec::new();
    for o in outcomes.iter().filter(|o| written_key_only(o)) {
        let Some(change) = &o.sheet else { continue };
        let step = Step::UntagTeardown(change.key.clone());
        let other = match (accounts, &o.subject.aws_account) {
            (Some(all), Some(a)) if a.id != all.home().id => Some(&a.id),
            _ => None,
        };
        let result = if job.deadline.passed() {
            Err(OUT_OF_TIME.to_string())
        } else if let Some(id) = other {
            if !entered.contains_key(id) {
                let iam = job.fleet.enter(id).await.map(|(iam, _)| iam);
                entered.insert(*id, iam.map_err(|e| e.to_string()));
            }
            match &entered[id] {
                Ok(iam) => iam
                    .apply(&change.user, &step)
                    .await
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e.clone()),
            }
        } else {
            job.iam
                .apply(&change.user, &step)
                .await
                .map_err(|e| e.to_string())
        };
        match result {
            Ok(StepResult::Done) => {
                tracing::info!(user = %change.user, step = %step, "done");
            }
            Ok(StepResult::AlreadyGone | StepResult::Kept(_)) => {
                tracing::info!(user = %change.user, step = %step, "nothing to remove");
            }
            Err(error) => {
                let mut alert = ActionOutcome::new(
                    o.subject.clone(),
                    Action::Alert(Alert::TeardownTagKept {
                        user: change.user.clone(),
                        key: change.key.clone(),
                        error,
                    }),
                );
                alert.subject.row = o.row();
                alerts.push(alert);
            }
        }
    }
    alerts
}

/// A key-only deletion of this run (or the finishing of an interrupted one) whose `削除済み`
/// reached the sheet.
fn written_key_only(o: &ActionOutcome) -> bool {
    matches!(
        o.action,
        Action::Teardown(Teardown::KeyOnly { planned: false, .. })
    ) && matches!(
        o.sheet,
        Some(SheetChange {
            result: Some(WriteResult::Written { .. }),
            ..
        })
    )
}
