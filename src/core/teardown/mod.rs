//! What tearing an IAM user down takes (docs/rules.md §4), as data: the user's inventory, the
//! guards that refuse, and the ordered steps. Pure, so the order and the refusals are tested
//! without IAM. Each dependent of a user — what it is called, the IAM actions it needs, its
//! steps — is a unit of [`dependents`], whose list orders the steps.

use std::fmt;

use crate::core::domain::{AccessKeyId, IamUserName};
use crate::core::outcome::Lang;

pub mod dependents;

#[cfg(test)]
use dependents::own_policy::policy_path;
use dependents::own_policy::{self, is_own};

/// Everything of a user that `DeleteUser` requires gone, as read from IAM.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserInventory {
    pub arn: String,
    pub path: String,
    pub access_keys: Vec<AccessKeyId>,
    pub login_profile: bool,
    pub signing_certificates: Vec<String>,
    pub ssh_public_keys: Vec<String>,
    pub service_credentials: Vec<String>,
    pub mfa_devices: Vec<String>,
    pub inline_policies: Vec<String>,
    pub attached_policies: Vec<AttachedPolicy>,
    pub groups: Vec<String>,
    /// A customer-managed policy named after the user that is no longer attached: left by a
    /// teardown interrupted between detaching it and deleting it (see [`orphan_policy_arns`]).
    pub orphan_policy: Option<String>,
    /// The value of the user's [`TEARDOWN_TAG`], if keywarden started tearing it down.
    pub teardown_tag: Option<String>,
    /// The value of the user's [`REQUEST_TAG`]: keywarden issued it for that request
    /// (docs/rules.md §12), and its secret goes with it.
    pub request_tag: Option<String>,
}

/// Set on a user keywarden created for a key request (docs/rules.md §12): the request's ID.
pub const REQUEST_TAG: &str = "keywarden:request";
/// The owner's Slack ID, on a user keywarden created.
pub const OWNER_TAG: &str = "keywarden:owner";
/// The request's end date (`YYYY-MM-DD`), on a user keywarden created.
pub const END_DATE_TAG: &str = "keywarden:end-date";

/// Set on a user before keywarden's first change to it (docs/rules.md §4 step 4): a keyless user is
/// an interrupted teardown only when it carries this tag with the row's key ID.
pub const TEARDOWN_TAG: &str = "keywarden:teardown";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachedPolicy {
    pub name: String,
    pub arn: String,
}

/// Why a user is not torn down although its row is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Protected,
    OutsidePath {
        path: String,
        prefix: String,
    },
    KeyMismatch {
        sheet_key: AccessKeyId,
        iam_keys: Vec<AccessKeyId>,
    },
    /// Two live rows claim the key: another row holds it, or names the user with a key cell
    /// that is empty or unreadable (step 5). `rows` includes the row itself.
    TwoRowsClaim {
        key: AccessKeyId,
        rows: Vec<usize>,
    },
    /// The user has no keys and keywarden never started tearing it down: probably a mistyped
    /// name (step 4).
    NotTagged {
        user: IamUserName,
        sheet_key: AccessKeyId,
    },
    /// The row's key belongs to another user (step 2).
    KeyElsewhere {
        user: IamUserName,
        sheet_key: AccessKeyId,
        owner: IamUserName,
    },
    /// The user does not exist, and IAM will not say who owns the key (step 2).
    KeyOwnerUnknown {
        user: IamUserName,
        sheet_key: AccessKeyId,
        error: String,
    },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Protected => write!(
                f,
                "refused: the user is in protected_users; remove it from KEYWARDEN_PROTECTED_USERS \
                 or mark the row 延長 if the key should stay"
            ),
            Refusal::OutsidePath { path, prefix } => write!(
                f,
                "refused: the user's IAM path {path} is outside KEYWARDEN_IAM_PATH_PREFIX {prefix}; \
                 delete it by hand or change the prefix"
            ),
            Refusal::KeyMismatch {
                sheet_key,
                iam_keys,
            } => write!(
                f,
                "refused: the sheet says key {sheet_key} but the user's keys are {}; \
                 correct the アクセスキーID cell (nothing was changed)",
                iam_keys
                    .iter()
                    .map(|k| k.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Refusal::TwoRowsClaim { key, rows } => write!(
                f,
                "refused: rows {} both claim key {key} (one holds it, or names the user with an \
                 empty or unreadable key cell); nothing was changed: keep the key in one live row only",
                rows.iter()
                    .map(|r| r.to_string())
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
            Refusal::NotTagged { user, sheet_key } => write!(
                f,
                "refused: IAM user {user} has no access keys and keywarden never started tearing it \
                 down (no {TEARDOWN_TAG} tag for {sheet_key}); the アカウント名 cell may name the wrong \
                 user. Nothing was changed: correct the cell, or delete the user by hand"
            ),
            Refusal::KeyElsewhere {
                user,
                sheet_key,
                owner,
            } => write!(
                f,
                "refused: key {sheet_key} belongs to IAM user {owner}, not to {user}; the アカウント名 \
                 cell may be mistyped. Nothing was changed: correct the cell"
            ),
            Refusal::KeyOwnerUnknown {
                user,
                sheet_key,
                error,
            } => write!(
                f,
                "refused: IAM user {user} does not exist and IAM will not say who owns key {sheet_key} \
                 ({error}); nothing was changed: check the row and delete the key by hand if needed"
            ),
        }
    }
}

/// Where to look for the user's own policy left unattached by an interrupted teardown. Keys
/// go before policies, so a user with keys left, or whose own policy is still attached, was
/// never half torn down: then there is nothing to look for.
pub fn orphan_policy_arns(user: &IamUserName, inv: &UserInventory) -> Vec<String> {
    if !inv.access_keys.is_empty() || inv.attached_policies.iter().any(|p| is_own(p, user)) {
        return Vec::new();
    }
    own_policy_arns(user, inv)
}

/// One idempotent IAM change; each tolerates the thing being gone already.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Marks the user as being torn down for this key (docs/rules.md §4 step 4), before any change.
    TagForTeardown(AccessKeyId),
    DeleteLoginProfile,
    DeleteAccessKey(AccessKeyId),
    DeleteSigningCertificate(String),
    DeleteSshPublicKey(String),
    DeleteServiceSpecificCredential(String),
    DeactivateMfaDevice(String),
    DeleteVirtualMfaDevice(String),
    DeleteInlinePolicy(String),
    DetachPolicy(String),
    RemoveFromGroup(String),
    DeleteUser,
    /// Deletes the user's own customer-managed policy once nothing else uses it.
    DeleteOwnPolicy(String),
    /// Removes [`TEARDOWN_TAG`] from a user a key-only deletion kept, once `削除済み` is in the
    /// sheet, and only while the tag still names this key (a later key-only deletion of the
    /// same user may have re-tagged it for its own key, which its next run still needs).
    UntagTeardown(AccessKeyId),
    /// Deletes the Secrets Manager secret of a user keywarden issued (docs/rules.md §12 step
    /// 4), after the user, only while the secret carries [`REQUEST_TAG`] = `request`.
    DeleteIssuedSecret {
        secret: String,
        request: String,
    },
}

impl Step {
    /// The step in `lang`'s words, from its unit in [`dependents`].
    pub fn words(&self, lang: Lang) -> String {
        dependents::words(self, lang)
    }
}

/// The report's English.
impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.words(Lang::En))
    }
}

/// The steps, in the order IAM requires: the tag, every dependent in [`dependents::DEPENDENTS`]'
/// order, then the user, then its own policy (only under `path_prefix`, like the users
/// keywarden may delete).
pub fn steps(
    user: &IamUserName,
    key: &AccessKeyId,
    inv: &UserInventory,
    path_prefix: &str,
) -> Vec<Step> {
    let tag = dependents::tag::step(key, inv);
    tag.into_iter()
        .chain(dependents::removal_steps(inv))
        .chain([Step::DeleteUser])
        .chain(own_policy::steps(user, inv, path_prefix))
        .collect()
}

/// A user keywarden issued (it carries [`REQUEST_TAG`]) takes its secret `secret` with it,
/// right after the user is deleted (docs/rules.md §12 step 4).
pub fn with_issued_secret(mut steps: Vec<Step>, inv: &UserInventory, secret: String) -> Vec<Step> {
    let Some(request) = inv.request_tag.clone() else {
        return steps;
    };
    let at = steps
        .iter()
        .position(|s| *s == Step::DeleteUser)
        .map_or(steps.len(), |i| i + 1);
    steps.insert(at, Step::DeleteIssuedSecret { secret, request });
    steps
}

/// Step 5's key-only deletion: tag the user (so an interrupted run is finished, step 3), then
/// delete the key; nothing when an earlier run already removed it.
pub fn key_only_steps(key: &AccessKeyId, inv: &UserInventory) -> Vec<Step> {
    if !inv.access_keys.contains(key) {
        return Vec::new();
    }
    let tag = dependents::tag::step(key, inv);
    tag.into_iter()
        .chain([Step::DeleteAccessKey(key.clone())])
        .collect()
}

/// `arn:aws:iam::123456789012:user/path/name` → (`aws`, `123456789012`).
pub fn partition_and_account(user_arn: &str) -> Option<(&str, &str)> {
    let mut parts = user_arn.split(':');
    let (Some("arn"), Some(partition), Some("iam"), Some(""), Some(account)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    (!account.is_empty()).then_some((partition, account))
}

/// Where the user's own policy would be: `arn:<partition>:iam::<account>:policy<path><name>`.
pub fn own_policy_arns(user: &IamUserName, inv: &UserInventory) -> Vec<String> {
    let Some((partition, account)) = partition_and_account(&inv.arn) else {
        return Vec::new();
    };
    let mut paths = vec![inv.path.as_str()];
    if inv.path != "/" {
        paths.push("/");
    }
    // IAM's own spelling of the name (the ARN's last segment), not the sheet's.
    let name = inv.arn.rsplit('/').next().filter(|n| !n.is_empty());
    let name = name.unwrap_or(user.as_str());
    paths
        .into_iter()
        .map(|path| format!("arn:{partition}:iam::{account}:policy{path}{name}"))
        .collect()
}

#[cfg(test)]
mod tests;
