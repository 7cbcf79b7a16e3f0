//! The teardown tag (docs/rules.md §4 step 4): set before keywarden's first change to a user,
//! removed from a user a key-only deletion kept. Read with the user (`GetUser`).

use super::{Frame, say};
use crate::core::domain::AccessKeyId;
use crate::core::teardown::{Step, TEARDOWN_TAG, UserInventory};

pub const FRAME: Frame = Frame {
    name: "teardown tag",
    actions: &["GetUser", "TagUser", "UntagUser"],
    words: |step, lang| match step {
        Step::TagForTeardown(k) => say(
            lang,
            format!("tag {TEARDOWN_TAG}={k}"),
            format!("タグ {TEARDOWN_TAG}={k} を付ける"),
        ),
        Step::UntagTeardown(k) => say(
            lang,
            format!("remove tag {TEARDOWN_TAG}={k}"),
            format!("タグ {TEARDOWN_TAG}={k} を外す"),
        ),
        _ => None,
    },
};

/// The tag for `key`, unless the user carries it already.
pub fn step(key: &AccessKeyId, inv: &UserInventory) -> Option<Step> {
    (inv.teardown_tag.as_deref() != Some(key.as_str())).then(|| Step::TagForTeardown(key.clone()))
}
