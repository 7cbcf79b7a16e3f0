//! The user itself, once every dependent is gone.

use super::{Frame, say};
use crate::core::teardown::Step;

pub const FRAME: Frame = Frame {
    name: "user",
    actions: &["GetUser", "DeleteUser"],
    words: |step, lang| match step {
        Step::DeleteUser => say(lang, "delete user".into(), "ユーザーを削除".into()),
        _ => None,
    },
};
