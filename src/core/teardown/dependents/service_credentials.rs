//! Service-specific credentials (CodeCommit HTTPS, Amazon Keyspaces, Bedrock).

use super::Dependent;
use crate::core::outcome::Lang;
use crate::core::teardown::Step;

pub const DEPENDENT: Dependent = Dependent {
    name: "service-specific credentials",
    lists: &["ListServiceSpecificCredentials"],
    removes: &["DeleteServiceSpecificCredential"],
    steps: |inv| {
        let creds = inv.service_credentials.iter().cloned();
        creds.map(Step::DeleteServiceSpecificCredential).collect()
    },
    words: |step, lang| {
        let Step::DeleteServiceSpecificCredential(c) = step else {
            return None;
        };
        Some(match lang {
            Lang::En => format!("delete service credential {c}"),
            Lang::Ja => format!("サービス固有の認証情報 {c} を削除"),
        })
    },
};
