//! SSH public keys (CodeCommit).

use super::{Dependent, each, say};
use crate::core::teardown::Step;

pub const DEPENDENT: Dependent = Dependent {
    name: "SSH public keys",
    lists: &["ListSSHPublicKeys"],
    removes: &["DeleteSSHPublicKey"],
    steps: |inv| each(&inv.ssh_public_keys, Step::DeleteSshPublicKey),
    words: |step, lang| match step {
        Step::DeleteSshPublicKey(x) => say(
            lang,
            format!("delete SSH public key {x}"),
            format!("SSH 公開鍵 {x} を削除"),
        ),
        _ => None,
    },
};
