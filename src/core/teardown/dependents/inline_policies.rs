//! Policies embedded in the user.

use super::Dependent;
use crate::core::outcome::Lang;
use crate::core::teardown::Step;

pub const DEPENDENT: Dependent = Dependent {
    name: "inline policies",
    lists: &["ListUserPolicies"],
    removes: &["DeleteUserPolicy"],
    steps: |inv| {
        let names = inv.inline_policies.iter().cloned();
        names.map(Step::DeleteInlinePolicy).collect()
    },
    words: |step, lang| {
        let Step::DeleteInlinePolicy(p) = step else {
            return None;
        };
        Some(match lang {
            Lang::En => format!("delete inline policy {p}"),
            Lang::Ja => format!("インラインポリシー {p} を削除"),
        })
    },
};
