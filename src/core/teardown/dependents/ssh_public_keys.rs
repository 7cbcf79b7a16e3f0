//! SSH public keys (CodeCommit).

use super::Dependent;
use crate::core::outcome::Lang;
use crate::core::teardown::Step;

pub const DEPENDENT: Dependent = Dependent {
    name: "SSH public keys",
    lists: &["ListSSHPublicKeys"],
    removes: &["DeleteSSHPublicKey"],
    steps: |inv| {
        let keys = inv.ssh_public_keys.iter().cloned();
        keys.map(Step::DeleteSshPublicKey).collect()
    },
    words: |step, lang| {
        let Step::DeleteSshPublicKey(k) = step else {
            return None;
        };
        Some(match lang {
            Lang::En => format!("delete SSH public key {k}"),
            Lang::Ja => format!("SSH 公開鍵 {k} を削除"),
        })
    },
};
