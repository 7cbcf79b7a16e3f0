//! X.509 signing certificates.

use super::Dependent;
use crate::core::outcome::Lang;
use crate::core::teardown::Step;

pub const DEPENDENT: Dependent = Dependent {
    name: "signing certificates",
    lists: &["ListSigningCertificates"],
    removes: &["DeleteSigningCertificate"],
    steps: |inv| {
        let certs = inv.signing_certificates.iter().cloned();
        certs.map(Step::DeleteSigningCertificate).collect()
    },
    words: |step, lang| {
        let Step::DeleteSigningCertificate(c) = step else {
            return None;
        };
        Some(match lang {
            Lang::En => format!("delete signing certificate {c}"),
            Lang::Ja => format!("署名証明書 {c} を削除"),
        })
    },
};
