//! The user's console password.

use super::Dependent;
use crate::core::outcome::Lang;
use crate::core::teardown::Step;

pub const DEPENDENT: Dependent = Dependent {
    name: "login profile",
    lists: &["GetLoginProfile"],
    removes: &["DeleteLoginProfile"],
    steps: |inv| {
        if inv.login_profile {
            vec![Step::DeleteLoginProfile]
        } else {
            Vec::new()
        }
    },
    words: |step, lang| {
        let Step::DeleteLoginProfile = step else {
            return None;
        };
        Some(match lang {
            Lang::En => "delete login profile".into(),
            Lang::Ja => "ログインプロファイルを削除".into(),
        })
    },
};
