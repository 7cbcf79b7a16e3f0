//! The one proof before every change that deletes or deactivates on a row's behalf
//! (docs/rules.md §4 steps 1–5): what IAM says of the row's user, read once, judged by
//! [`crate::core::proof`] against the run's one index of what the sheet holds. The teardown,
//! key-only and deactivation paths all call this, and act on its verdict only.

use crate::adapters::{Iam, ServiceError};
use crate::configuration::JobSettings;
use crate::core::proof::{self, Claim, UserFacts, Verdict};
use crate::core::sheet::Holdings;
use crate::core::teardown::Refusal;

pub async fn prove<I: Iam>(
    iam: &I,
    holdings: &Holdings<'_>,
    claim: Claim<'_>,
    settings: &JobSettings,
) -> Result<Verdict, ServiceError> {
    // Step 1: a protected user is not even read.
    if proof::protected(claim.user, &settings.protected_users) {
        return Ok(Verdict::Refused(Refusal::Protected));
    }
    let facts = match iam.inventory(claim.user).await? {
        Some(inventory) => UserFacts::Exists(Box::new(inventory)),
        // Step 2 asks who owns the key only when the user is gone.
        None => UserFacts::Missing {
            key_owner: iam.key_owner(claim.key).await.map_err(|e| e.to_string()),
        },
    };
    Ok(proof::judge(
        claim,
        holdings,
        facts,
        &settings.iam_path_prefix,
    ))
}
