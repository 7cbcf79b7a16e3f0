//! The user's own customer-managed policy (docs/rules.md §4 step 7): named like the user, under
//! the path prefix, deleted after the user once nothing else is attached to it (non-default
//! versions first). AWS-managed and shared policies are only detached.

use super::{Frame, say};
use crate::core::domain::IamUserName;
use crate::core::teardown::{AttachedPolicy, Step, UserInventory};

pub const FRAME: Frame = Frame {
    name: "own policy",
    actions: &[
        "GetPolicy",
        "ListPolicyVersions",
        "DeletePolicyVersion",
        "DeletePolicy",
    ],
    words: |step, lang| match step {
        Step::DeleteOwnPolicy(p) => say(
            lang,
            format!("delete policy {p} if unused"),
            format!("ポリシー {p} を削除（ほかで使われていなければ）"),
        ),
        _ => None,
    },
};

/// The user's own policies among those attached, and the one an interrupted teardown left
/// unattached, under `path_prefix` only (like the users keywarden may delete).
pub fn steps(user: &IamUserName, inv: &UserInventory, path_prefix: &str) -> Vec<Step> {
    inv.attached_policies
        .iter()
        .filter(|p| is_own(p, user) && is_customer_managed(&p.arn))
        .map(|p| p.arn.clone())
        .chain(inv.orphan_policy.clone())
        .filter(|arn| policy_path(arn).is_some_and(|path| path.starts_with(path_prefix)))
        .map(Step::DeleteOwnPolicy)
        .collect()
}

/// The user's own policy is named after it; IAM compares both names without regard to case,
/// so the sheet's spelling of the user does not matter.
pub fn is_own(policy: &AttachedPolicy, user: &IamUserName) -> bool {
    policy.name.eq_ignore_ascii_case(user.as_str())
}

/// AWS-managed policies live in account `aws` and are never deleted.
fn is_customer_managed(arn: &str) -> bool {
    !arn.contains(":iam::aws:policy/")
}

/// `arn:aws:iam::123456789012:policy/team/name` → `/team/`.
pub fn policy_path(arn: &str) -> Option<&str> {
    let rest = arn.split_once(":policy")?.1;
    rest.rfind('/').map(|end| &rest[..=end])
}
