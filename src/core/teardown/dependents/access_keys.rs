//! The user's access keys (the row's key among them).

use super::Dependent;
use crate::core::outcome::Lang;
use crate::core::teardown::Step;

pub const DEPENDENT: Dependent = Dependent {
    name: "access keys",
    lists: &["ListAccessKeys"],
    removes: &["DeleteAccessKey"],
    steps: |inv| {
        let keys = inv.access_keys.iter().cloned();
        keys.map(Step::DeleteAccessKey).collect()
    },
    words: |step, lang| {
        let Step::DeleteAccessKey(k) = step else {
            return None;
        };
        Some(match lang {
            Lang::En => format!("delete access key {k}"),
            Lang::Ja => format!("アクセスキー {k} を削除"),
        })
    },
};
