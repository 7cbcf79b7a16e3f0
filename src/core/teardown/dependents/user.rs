//! The user itself, once every dependent is gone.

use super::Frame;
use crate::core::outcome::Lang;
use crate::core::teardown::Step;

pub const FRAME: Frame = Frame {
    name: "user",
    actions: &["GetUser", "DeleteUser"],
    words: |step, lang| {
        let Step::DeleteUser = step else {
            return None;
        };
        Some(match lang {
            Lang::En => "delete user".into(),
            Lang::Ja => "ユーザーを削除".into(),
        })
    },
};
