//! Managed policies attached to the user: only detached here (the user's own policy is deleted
//! after the user: see `own_policy.rs`).

use super::{Dependent, say};
use crate::core::teardown::Step;

pub const DEPENDENT: Dependent = Dependent {
    name: "attached policies",
    lists: &["ListAttachedUserPolicies"],
    removes: &["DetachUserPolicy"],
    steps: |inv| {
        let arns = inv.attached_policies.iter().map(|p| p.arn.clone());
        arns.map(Step::DetachPolicy).collect()
    },
    words: |step, lang| match step {
        Step::DetachPolicy(p) => say(
            lang,
            format!("detach policy {p}"),
            format!("ポリシー {p} をデタッチ"),
        ),
        _ => None,
    },
};
