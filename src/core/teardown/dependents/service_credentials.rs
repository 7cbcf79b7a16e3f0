//! Service-specific credentials (CodeCommit HTTPS, Amazon Keyspaces, Bedrock).

use super::{Dependent, each, say};
use crate::core::teardown::Step;

pub const DEPENDENT: Dependent = Dependent {
    name: "service-specific credentials",
    lists: &["ListServiceSpecificCredentials"],
    removes: &["DeleteServiceSpecificCredential"],
    steps: |inv| {
        each(
            &inv.service_credentials,
            Step::DeleteServiceSpecificCredential,
        )
    },
    words: |step, lang| match step {
        Step::DeleteServiceSpecificCredential(x) => say(
            lang,
            format!("delete service credential {x}"),
            format!("サービス固有の認証情報 {x} を削除"),
        ),
        _ => None,
    },
};
