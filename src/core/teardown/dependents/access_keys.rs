//! The user's access keys (the row's key among them).

use super::{Dependent, each, say};
use crate::core::teardown::Step;

pub const DEPENDENT: Dependent = Dependent {
    name: "access keys",
    lists: &["ListAccessKeys"],
    removes: &["DeleteAccessKey"],
    steps: |inv| each(&inv.access_keys, Step::DeleteAccessKey),
    words: |step, lang| match step {
        Step::DeleteAccessKey(x) => say(
            lang,
            format!("delete access key {x}"),
            format!("アクセスキー {x} を削除"),
        ),
        _ => None,
    },
};
