//! The proof of docs/rules.md §4 steps 1–5, made before every change that deletes or deactivates
//! anything on a row's behalf: a full teardown, a key-only deletion, and the deactivation of
//! a grace period (and, as a precaution, the reactivation after an extension). Pure: given
//! what IAM said of the row's user (read once by the caller) and the one index of what the
//! sheet holds, it returns a typed verdict; every path acts on that verdict only.

use crate::core::domain::{AccessKeyId, AwsAccountId, IamUserName};
use crate::core::sheet::{Held, Holdings, KeyCell};
use crate::core::teardown::{Refusal, UserInventory};

/// What a row claims: its row number, IAM user `U` of its AWS account and access key `K`.
#[derive(Debug, Clone, Copy)]
pub struct Claim<'a> {
    pub row: usize,
    /// The row's AWS account; `None` in a run of one account whose ID is unknown.
    pub account: Option<&'a AwsAccountId>,
    pub user: &'a IamUserName,
    pub key: &'a AccessKeyId,
}

/// What IAM said of `U`, read once for the proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserFacts {
    /// `U` exists, with everything a teardown needs to know.
    Exists(Box<UserInventory>),
    /// `U` does not exist; `key_owner` is what `GetAccessKeyLastUsed` said of `K`: `Ok(None)`
    /// for a key IAM does not know, `Ok(Some(user))` for another user's key, `Err` when IAM
    /// would not say.
    Missing {
        key_owner: Result<Option<IamUserName>, String>,
    },
}

/// The row that keeps `U` alive when only `K` is deleted (step 5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keeper {
    pub row: usize,
    /// The user name the keeper row holds when it is not `U` (a mistyped name holding another
    /// of `U`'s keys); `None` when the row names `U`.
    pub named: Option<String>,
}

/// What may be done for the row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Step 6: tear the whole user down. `K` is one of its keys, or `U` carries
    /// `keywarden:teardown` = `K` (an interrupted teardown).
    Teardown(UserInventory),
    /// Step 5: delete `K` only and keep the user for `keeper`. `K` is missing from the
    /// inventory when an interrupted run already removed it (`U` carries the tag): nothing is
    /// left to do then.
    KeyOnly {
        keeper: Keeper,
        inventory: UserInventory,
    },
    /// Step 2: neither `U` nor `K` exists any more.
    Gone,
    Refused(Refusal),
}

impl Verdict {
    /// Whether `K` itself is still in IAM as one of `U`'s keys (what a deactivation needs).
    pub fn key_present(&self, key: &AccessKeyId) -> bool {
        match self {
            Verdict::Teardown(inv) | Verdict::KeyOnly { inventory: inv, .. } => {
                inv.access_keys.contains(key)
            }
            Verdict::Gone | Verdict::Refused(_) => false,
        }
    }
}

/// Step 1's first half, which needs no IAM read: protected users are never even looked at.
pub fn protected(user: &IamUserName, protected: &[IamUserName]) -> bool {
    protected.contains(user)
}

/// Steps 1 (path) to 5, in that order, on what IAM said of `U`.
pub fn judge(claim: Claim, holdings: &Holdings, facts: UserFacts, path_prefix: &str) -> Verdict {
    let Claim {
        row,
        account,
        user,
        key,
    } = claim;
    // Step 2: the user is gone; the key's owner tells whether everything is.
    let inv = match facts {
        UserFacts::Missing {
            key_owner: Ok(None),
        } => return Verdict::Gone,
        UserFacts::Missing {
            key_owner: Ok(Some(owner)),
        } => {
            return Verdict::Refused(Refusal::KeyElsewhere {
                user: user.clone(),
                sheet_key: key.clone(),
                owner,
            });
        }
        UserFacts::Missing {
            key_owner: Err(error),
        } => {
            return Verdict::Refused(Refusal::KeyOwnerUnknown {
                user: user.clone(),
                sheet_key: key.clone(),
                error,
            });
        }
        UserFacts::Exists(inv) => *inv,
    };
    // Step 1: only users under the path prefix.
    if !inv.path.starts_with(path_prefix) {
        return Verdict::Refused(Refusal::OutsidePath {
            path: inv.path.clone(),
            prefix: path_prefix.to_string(),
        });
    }
    let tagged = inv.teardown_tag.as_deref() == Some(key.as_str());
    let key_present = inv.access_keys.contains(key);
    // Step 3: the user's keys must include K, unless keywarden itself removed it.
    if !inv.access_keys.is_empty() && !key_present && !tagged {
        return Verdict::Refused(Refusal::KeyMismatch {
            sheet_key: key.clone(),
            iam_keys: inv.access_keys.clone(),
        });
    }
    // Step 4: a keyless user is ours to finish only if we tagged it for K.
    if inv.access_keys.is_empty() && !tagged {
        return Verdict::Refused(Refusal::NotTagged {
            user: user.clone(),
            sheet_key: key.clone(),
        });
    }
    // Step 5: what the other live rows claim.
    let other = |h: &&Held| h.row() != row && h.keeps_alive();
    let mut claimants: Vec<usize> = holdings
        .holders(key)
        .filter(other)
        .chain(
            holdings
                .naming(account, user)
                .filter(other)
                .filter(|h| matches!(h.key(), KeyCell::Empty | KeyCell::Unreadable)),
        )
        .map(|h| h.row())
        .collect();
    if !claimants.is_empty() {
        claimants.push(row);
        claimants.sort_unstable();
        claimants.dedup();
        return Verdict::Refused(Refusal::TwoRowsClaim {
            key: key.clone(),
            rows: claimants,
        });
    }
    if let Some(keeper) = keeper(claim, &inv, holdings) {
        return Verdict::KeyOnly {
            keeper,
            inventory: inv,
        };
    }
    Verdict::Teardown(inv)
}

/// Another live row that names `U` with a different key, or that holds another of `U`'s keys
/// under some other name: the user stays for it.
fn keeper(claim: Claim, inv: &UserInventory, holdings: &Holdings) -> Option<Keeper> {
    let other = |h: &&Held| h.row() != claim.row && h.keeps_alive();
    let same_name = holdings
        .naming(claim.account, claim.user)
        .filter(other)
        .find(|h| matches!(h.key(), KeyCell::Id(k) if k != claim.key.as_str()))
        .map(|h| Keeper {
            row: h.row(),
            named: None,
        });
    let other_name = || {
        inv.access_keys
            .iter()
            .filter(|k| *k != claim.key)
            .flat_map(|k| holdings.holders(k))
            .filter(other)
            .filter(|h| !h.names(claim.user) || !h.in_account(claim.account))
            .min_by_key(|h| h.row())
            .map(|h| Keeper {
                row: h.row(),
                // A row without a user name is named by its row alone.
                named: (!h.user().is_empty()).then(|| h.user().to_string()),
            })
    };
    same_name.or_else(other_name)
}

#[cfg(test)]
#[path = "proof_tests.rs"]
mod tests;
