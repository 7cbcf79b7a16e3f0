//! Policies embedded in the user.

use super::{Dependent, each, say};
use crate::core::teardown::Step;

pub const DEPENDENT: Dependent = Dependent {
    name: "inline policies",
    lists: &["ListUserPolicies"],
    removes: &["DeleteUserPolicy"],
    steps: |inv| each(&inv.inline_policies, Step::DeleteInlinePolicy),
    words: |step, lang| match step {
        Step::DeleteInlinePolicy(x) => say(
            lang,
            format!("delete inline policy {x}"),
            format!("インラインポリシー {x} を削除"),
        ),
        _ => None,
    },
};
