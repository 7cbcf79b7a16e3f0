//! The demo's two AWS accounts, 本番 (the home account) and 検証, as IAM would answer for them.
//! They agree with the bundled sheet: every live row's user and key are in the row's account,
//! a `削除済み` row's user is gone, and one open row's user is gone already on purpose (the
//! "already gone" case: its key is unknown to IAM, so the row is only recorded as deleted).

use std::collections::HashMap;

use crate::adapters::memory::{MemoryFleet, MemoryIam};
use crate::core::domain::{AccessKeyId, Account, AwsAccountId};
use crate::core::teardown::{AttachedPolicy, UserInventory};

/// 本番, the home account.
pub const HOME: &str = "123456789012";
/// 検証.
pub const STAGING: &str = "210987654321";

/// (account, IAM user, access key) of every user that exists in IAM.
pub const USERS: &[(&str, &str, &str)] = &[
    (HOME, "tanaka-backup", "AKIADEMO0000TANAKA01"),
    (HOME, "suzuki-athena", "AKIADEMO000SUZUKI001"),
    (HOME, "ito-logs", "AKIADEMO000000ITO001"),
    (HOME, "watanabe-billing", "AKIADEMO000WATANABE1"),
    (HOME, "yamamoto-cdn", "AKIADEMO000YAMAMOTO1"),
    (STAGING, "sato-ci", "AKIADEMO00000SATO001"),
    (STAGING, "kobayashi-etl", "AKIADEMO000KOBAYASHI"),
];

/// (account, IAM user, access key) of the users the sheet names that IAM no longer has: the
/// keys are still known to STS (it names the account of deleted keys too).
pub const GONE: &[(&str, &str, &str)] = &[
    (HOME, "takahashi-test", "AKIADEMO0TAKAHASHI01"),
    (STAGING, "nakamura-migration", "AKIADEMO000NAKAMURA1"),
];

pub fn id(s: &str) -> AwsAccountId {
    AwsAccountId::parse(s).expect("demo account IDs are valid")
}

fn key(k: &str) -> AccessKeyId {
    AccessKeyId::parse(k).expect("demo key IDs are valid")
}

/// The accounts as `KEYWARDEN_ACCOUNTS=本番=…,検証=…` lists them.
pub fn listed() -> Vec<Account> {
    vec![
        Account {
            id: id(HOME),
            alias: Some("本番".into()),
        },
        Account {
            id: id(STAGING),
            alias: Some("検証".into()),
        },
    ]
}

/// A user as the original system created it: one key and a policy named after the user.
fn plain_user(account: &str, name: &str, access_key: &str) -> UserInventory {
    UserInventory {
        arn: format!("arn:aws:iam::{account}:user/{name}"),
        path: "/".into(),
        access_keys: vec![key(access_key)],
        attached_policies: vec![AttachedPolicy {
            name: name.into(),
            arn: format!("arn:aws:iam::{account}:policy/{name}"),
        }],
        ..Default::default()
    }
}

/// sato-ci has grown everything a teardown must remove before `DeleteUser`.
fn sato_ci(account: &str) -> UserInventory {
    let mut inv = plain_user(account, "sato-ci", "AKIADEMO00000SATO001");
    inv.login_profile = true;
    inv.mfa_devices = vec![format!("arn:aws:iam::{account}:mfa/sato-ci")];
    inv.inline_policies = vec!["ecr-push-extra".into()];
    inv.attached_policies.push(AttachedPolicy {
        name: "ReadOnlyAccess".into(),
        arn: "arn:aws:iam::aws:policy/ReadOnlyAccess".into(),
    });
    inv.groups = vec!["ci-users".into()];
    inv
}

/// One account's IAM users.
pub fn account(account: &str) -> MemoryIam {
    MemoryIam(
        USERS
            .iter()
            .filter(|(a, _, _)| *a == account)
            .map(|&(a, user, k)| {
                let inv = if user == "sato-ci" {
                    sato_ci(a)
                } else {
                    plain_user(a, user, k)
                };
                (user.to_string(), inv)
            })
            .collect(),
    )
}

/// Both accounts, and which account each key belongs to.
pub fn fleet() -> MemoryFleet {
    MemoryFleet {
        home: id(HOME),
        others: HashMap::from([(id(STAGING), account(STAGING))]),
        key_accounts: USERS
            .iter()
            .chain(GONE)
            .map(|(a, _, k)| (key(k), id(a)))
            .collect(),
    }
}
