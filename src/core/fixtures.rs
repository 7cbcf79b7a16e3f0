//! The unit tests' data, built once: the newtypes from text, and a request row as the sheet
//! parser makes it. A test changes only what differs:
//! `request_row().with(Text::End, "2026-11-20")` (public fields set directly).

use chrono::NaiveDate;

use crate::core::domain::{AccessKeyId, Account, AwsAccountId, IamUserName, SlackUserId};
use crate::core::issue::{PolicyArn, PolicyEntry, ValidRequest, request_id};
use crate::core::sheet::RequestRow;
use crate::core::teardown::{AttachedPolicy, UserInventory};

/// The access key ID of AWS's documentation.
pub const KEY: &str = "AKIAIOSFODNN7EXAMPLE";

pub fn key(s: &str) -> AccessKeyId {
    AccessKeyId::parse(s).unwrap()
}

pub fn user(s: &str) -> IamUserName {
    IamUserName::parse(s).unwrap()
}

/// A `YYYY-MM-DD` date.
pub fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// 田中 太郎's open row 2: IAM user `tanaka`, key [`KEY`], ending 2026-11-29, never notified,
/// in the home account, every cell readable.
pub fn request_row() -> RequestRow {
    RequestRow::of_texts(
        2,
        ["", "田中 太郎", "tanaka", KEY, "", "", "", "2026-11-29", ""],
        Some(date("2026-11-29")),
    )
}

/// 田中 太郎's (`U0TANAKA01`) valid key request: IAM user `tanaka-s3` in account 123456789012,
/// the `読み取り` entry (ReadOnlyAccess), no start date, ending 2027-03-31.
pub fn valid_request() -> ValidRequest {
    let account = Account {
        id: AwsAccountId::parse("123456789012").unwrap(),
        alias: None,
    };
    let owner = SlackUserId::parse("U0TANAKA01").unwrap();
    let end = date("2027-03-31");
    let entry = PolicyEntry::new(
        "読み取り",
        PolicyArn::parse("arn:aws:iam::aws:policy/ReadOnlyAccess").unwrap(),
    )
    .unwrap();
    ValidRequest {
        id: request_id(&account.id, "tanaka-s3", &owner, &entry.name, None, end),
        policy_arn: entry.arn_for(&account.id),
        account,
        user: user("tanaka-s3"),
        owner,
        entry,
        start: None,
        end,
    }
}

/// IAM user `tanaka` holding one or more of every dependent: a virtual and a hardware MFA
/// device, and its own, a shared and an AWS-managed policy named like it.
pub fn loaded_inventory() -> UserInventory {
    UserInventory {
        arn: "arn:aws:iam::123456789012:user/tanaka".into(),
        path: "/".into(),
        access_keys: vec![key(KEY)],
        login_profile: true,
        signing_certificates: vec!["CERT1".into()],
        ssh_public_keys: vec!["APKA1".into()],
        service_credentials: vec!["ACCA1".into()],
        mfa_devices: vec![
            "arn:aws:iam::123456789012:mfa/tanaka".into(),
            "GAHT12345678".into(),
        ],
        inline_policies: vec!["inline".into()],
        attached_policies: vec![
            AttachedPolicy {
                name: "tanaka".into(),
                arn: "arn:aws:iam::123456789012:policy/tanaka".into(),
            },
            AttachedPolicy {
                name: "shared".into(),
                arn: "arn:aws:iam::123456789012:policy/shared".into(),
            },
            AttachedPolicy {
                name: "tanaka".into(),
                arn: "arn:aws:iam::aws:policy/tanaka".into(),
            },
        ],
        groups: vec!["devs".into()],
        orphan_policy: None,
        teardown_tag: None,
        request_tag: None,
    }
}
