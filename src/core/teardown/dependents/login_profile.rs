//! The user's console password.

use super::{Dependent, say};
use crate::core::teardown::Step;

pub const DEPENDENT: Dependent = Dependent {
    name: "login profile",
    lists: &["GetLoginProfile"],
    removes: &["DeleteLoginProfile"],
    steps: |inv| Vec::from_iter(inv.login_profile.then_some(Step::DeleteLoginProfile)),
    words: |step, lang| match step {
        Step::DeleteLoginProfile => say(
            lang,
            "delete login profile".into(),
            "ログインプロファイルを削除".into(),
        ),
        _ => None,
    },
};
