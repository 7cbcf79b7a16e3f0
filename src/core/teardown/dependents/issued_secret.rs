//! The Secrets Manager secret of a user keywarden issued (docs/rules.md §12 step 4), deleted
//! right after the user. The vault adapter takes it, so it needs no IAM action.

use super::{Frame, say};
use crate::core::teardown::{REQUEST_TAG, Step};

pub const FRAME: Frame = Frame {
    name: "issued key's secret",
    actions: &[],
    words: |step, lang| match step {
        Step::DeleteIssuedSecret { secret, request } => say(
            lang,
            format!("delete secret {secret} if tagged {REQUEST_TAG}={request}"),
            format!("シークレット {secret} を削除（{REQUEST_TAG}={request} のときのみ）"),
        ),
        _ => None,
    },
};
