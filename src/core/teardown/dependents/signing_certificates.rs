//! X.509 signing certificates.

use super::{Dependent, each, say};
use crate::core::teardown::Step;

pub const DEPENDENT: Dependent = Dependent {
    name: "signing certificates",
    lists: &["ListSigningCertificates"],
    removes: &["DeleteSigningCertificate"],
    steps: |inv| each(&inv.signing_certificates, Step::DeleteSigningCertificate),
    words: |step, lang| match step {
        Step::DeleteSigningCertificate(x) => say(
            lang,
            format!("delete signing certificate {x}"),
            format!("署名証明書 {x} を削除"),
        ),
        _ => None,
    },
};
