//! Managed policies attached to the user: only detached here (the user's own policy is deleted
//! after the user: see `own_policy.rs`).

use super::Dependent;
use crate::core::outcome::Lang;
use crate::core::teardown::Step;

pub const DEPENDENT: Dependent = Dependent {
    name: "attached policies",
    lists: &["ListAttachedUserPolicies"],
    removes: &["DetachUserPolicy"],
    steps: |inv| {
        let arns = inv.attached_policies.iter().map(|p| p.arn.clone());
        arns.map(Step::DetachPolicy).collect()
    },
    words: |step, lang| {
        let Step::DetachPolicy(p) = step else {
            return None;
        };
        Some(match lang {
            Lang::En => format!("detach policy {p}"),
            Lang::Ja => format!("ポリシー {p} をデタッチ"),
        })
    },
};
