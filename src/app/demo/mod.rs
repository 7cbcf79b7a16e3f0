//! `keywarden demo`: the whole job, offline, on the bundled example sheet (`demo/`), against
//! in-memory stand-ins of the three services. It is a dry run: it shows the Slack messages it
//! would send and the IAM steps it would take, and changes nothing.

use std::collections::HashMap;

use chrono::NaiveDate;

mod extension;

use crate::adapters::memory::{MemoryFleet, MemoryIam, MemorySheets, NoSlack, NoVault};
use crate::app::run::{Deadline, Fatal, Job, Mode};
use crate::configuration::JobSettings;
use crate::core::domain::{AccessKeyId, Account, AccountsSetting, AwsAccountId, SlackUserId};
use crate::core::plan::Rules;
use crate::core::report::Report;
use crate::core::sheet::Grid;
use crate::core::teardown::{AttachedPolicy, UserInventory};

/// The day the example data was written for.
pub const DEMO_TODAY: &str = "2026-11-22";
const REQUESTS: &str = include_str!("../../../demo/key_request_form.json");
const USERS: &str = include_str!("../../../demo/users_json.json");

/// The demo's two AWS accounts (SPEC §10): 本番, the home account, and 検証.
const HOME: &str = "123456789012";
const STAGING: &str = "210987654321";

fn id(s: &str) -> AwsAccountId {
    AwsAccountId::parse(s).expect("demo account IDs are valid")
}

fn key(k: &str) -> AccessKeyId {
    AccessKeyId::parse(k).expect("demo key IDs are valid")
}

/// 本番 (the home account): the demo's users other than sato-ci.
fn home_account() -> MemoryIam {
    // nakamura-migration (in 検証) is already gone from IAM: the demo shows that case too.
    MemoryIam(HashMap::new())
}

/// 検証: sato-ci, due for a teardown in the demo.
fn staging_account() -> MemoryIam {
    let account = STAGING;
    let sato = UserInventory {
        arn: format!("arn:aws:iam::{account}:user/sato-ci"),
        path: "/".into(),
        access_keys: vec![key("AKIADEMO00000SATO001")],
        login_profile: true,
        mfa_devices: vec![format!("arn:aws:iam::{account}:mfa/sato-ci")],
        inline_policies: vec!["ecr-push-extra".into()],
        attached_policies: vec![
            AttachedPolicy {
                name: "sato-ci".into(),
                arn: format!("arn:aws:iam::{account}:policy/sato-ci"),
            },
            AttachedPolicy {
                name: "ReadOnlyAccess".into(),
                arn: "arn:aws:iam::aws:policy/ReadOnlyAccess".into(),
            },
        ],
        groups: vec!["ci-users".into()],
        ..Default::default()
    };
    MemoryIam(HashMap::from([("sato-ci".to_string(), sato)]))
}

fn fleet() -> MemoryFleet {
    let keys = [
        ("AKIADEMO0000TANAKA01", HOME),
        ("AKIADEMO00000SATO001", STAGING),
        ("AKIADEMO000NAKAMURA1", STAGING),
        ("AKIADEMO000000ITO001", HOME),
        ("AKIADEMO000WATANABE1", HOME),
        ("AKIADEMO000YAMAMOTO1", HOME),
        ("AKIADEMO000SUZUKI001", HOME),
    ];
    MemoryFleet {
        home: id(HOME),
        others: HashMap::from([(id(STAGING), staging_account())]),
        key_accounts: keys.iter().map(|(k, a)| (key(k), id(a))).collect(),
    }
}

pub fn settings() -> JobSettings {
    JobSettings {
        request_sheet: "key_request_form".into(),
        users_sheet: "users_json".into(),
        admins: vec![SlackUserId::parse("U0ADMIN001").expect("valid")],
        rules: Rules {
            notify_days: 7,
            max_deletions: 10,
            deactivate_grace: 0,
        },
        protected_users: Vec::new(),
        iam_path_prefix: "/".into(),
        hygiene: Default::default(),
        timezone: chrono_tz::Tz::Asia__Tokyo,
        extension_requests: true,
        concurrency: 4,
        accounts: crate::configuration::AccountSettings {
            setting: AccountsSetting::Listed(vec![
                Account {
                    id: id(HOME),
                    alias: Some("本番".into()),
                },
                Account {
                    id: id(STAGING),
                    alias: Some("検証".into()),
                },
            ]),
            ..Default::default()
        },
        log_sheet: "keywarden_log".into(),
        days_ahead: None,
    }
}

pub fn demo_today() -> NaiveDate {
    DEMO_TODAY.parse().expect("valid constant date")
}

pub async fn run(today: NaiveDate) -> Result<Report, Fatal> {
    let grid = |text: &str| -> Grid {
        serde_json::from_str(text).expect("bundled demo data is valid JSON")
    };
    let sheets = MemorySheets(HashMap::from([
        ("key_request_form".to_string(), grid(REQUESTS)),
        ("users_json".to_string(), grid(USERS)),
    ]));
    let settings = settings();
    let job = Job {
        settings: &settings,
        sheets: &sheets,
        slack: &NoSlack,
        iam: &home_account(),
        vault: &NoVault,
        fleet: &fleet(),
        deadline: Deadline::none(),
    };
    job.run(today, Mode::DryRun).await
}

/// Extension requests on the bundled data: one extension request from the owner's click to the approval.
pub async fn extension_walkthrough(today: NaiveDate) -> Result<String, String> {
    let grid = |text: &str| -> Grid {
        serde_json::from_str(text).expect("bundled demo data is valid JSON")
    };
    let admin = settings()
        .admins
        .first()
        .cloned()
        .ok_or("no administrator")?;
    extension::walkthrough(grid(REQUESTS), grid(USERS), today, admin).await
}

/// The demo's report for people: the plan table, the messages and the IAM steps.
pub fn render(report: &Report) -> String {
    let mut out = report.to_table();
    out.push_str("\n== Slack messages that would be sent ==\n");
    for m in &report.messages {
        out.push_str(&format!("\n--- to {} ---\n{}\n", m.to, m.text));
    }
    out.push_str("\n== IAM steps that would be taken ==\n");
    for (user, steps) in &report.iam_steps {
        out.push_str(&format!("\n{user}:\n"));
        for (i, step) in steps.iter().enumerate() {
            out.push_str(&format!("  {}. {step}\n", i + 1));
        }
    }
    out.push_str("\n(demo: a dry run on the bundled example data in demo/; nothing was changed)\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::report::{ActionKind, Outcome};

    #[tokio::test]
    async fn the_demo_covers_every_kind_of_row() {
        let report = run(demo_today()).await.unwrap();
        let by_row = |row: usize| report.actions.iter().find(|a| a.row == Some(row)).unwrap();
        assert_eq!(
            (by_row(2).action, by_row(2).outcome),
            (ActionKind::Notify, Outcome::Planned)
        );
        assert_eq!(
            (by_row(3).action, by_row(3).outcome),
            (ActionKind::Delete, Outcome::Planned)
        );
        assert_eq!(by_row(4).action, ActionKind::Skip);
        assert_eq!(by_row(5).action, ActionKind::Skip);
        assert_eq!(
            (by_row(6).action, by_row(6).outcome),
            (ActionKind::Unusable, Outcome::Refused)
        );
        assert_eq!(
            (by_row(7).action, by_row(7).outcome),
            (ActionKind::Notify, Outcome::Failed)
        );
        assert!(
            report.actions.iter().all(|a| a.row != Some(8)),
            "nothing to do for row 8"
        );
        assert!(
            by_row(9).detail.contains("already gone"),
            "{}",
            by_row(9).detail
        );
        let rendered = render(&report);
        assert!(
            rendered.contains("delete user") && rendered.contains("U0DEMO0001"),
            "{rendered}"
        );
        assert!(report.iam_steps[0].1.last().unwrap().contains("policy"));
    }

    #[tokio::test]
    async fn the_demo_shows_two_aws_accounts() {
        let report = run(demo_today()).await.unwrap();
        let by_row = |row: usize| report.actions.iter().find(|a| a.row == Some(row)).unwrap();
        assert_eq!(by_row(2).aws_account.as_deref(), Some(HOME));
        assert_eq!(by_row(2).aws_account_alias.as_deref(), Some("本番"));
        assert_eq!(by_row(3).aws_account.as_deref(), Some(STAGING));
        assert_eq!(by_row(3).aws_account_alias.as_deref(), Some("検証"));
        // A number cell: 検証's ID.
        assert_eq!(by_row(9).aws_account.as_deref(), Some(STAGING));
        let rendered = render(&report);
        for part in [
            "AWS account",
            "■ AWS アカウント 本番 (123456789012)",
            "■ AWS アカウント 検証 (210987654321)",
            "arn:aws:iam::210987654321:policy/sato-ci",
        ] {
            assert!(rendered.contains(part), "{part} in {rendered}");
        }
    }
}
