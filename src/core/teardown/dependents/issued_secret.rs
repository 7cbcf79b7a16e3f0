//! The Secrets Manager secret of a user keywarden issued (docs/rules.md §12 step 4), deleted
//! right after the user. The vault adapter takes it, so it needs no IAM action.

use super::Frame;
use crate::core::outcome::Lang;
use crate::core::teardown::{REQUEST_TAG, Step};

pub const FRAME: Frame = Frame {
    name: "issued key's secret",
    actions: &[],
    words: |step, lang| {
        let Step::DeleteIssuedSecret { secret, request } = step else {
            return None;
        };
        Some(match lang {
            Lang::En => format!("delete secret {secret} if tagged {REQUEST_TAG}={request}"),
            Lang::Ja => {
                format!("シークレット {secret} を削除（{REQUEST_TAG}={request} のときのみ）")
            }
        })
    },
};
