//! The demo tells one story: on every day the documents point at, its messages agree with what
//! the IAM stand-ins and the plan say, and its extension walk-through is for a row whose owner
//! got the notice with the button that day.

use super::*;
use crate::core::domain::{Accounts, AwsAccountId, RowStatus};
use crate::core::sheet::{Directory, Owner, RequestTable};

const BUTTON: &str = "[ボタン: 延長を申請する]";

fn day(date: &str) -> NaiveDate {
    date.parse().expect("documented days are dates")
}

fn table() -> RequestTable {
    let grid: Grid = serde_json::from_str(REQUESTS).unwrap();
    let mut table = RequestTable::parse("key_request_form", &grid).unwrap();
    let accounts = Accounts::new(accounts::id(accounts::HOME), accounts::listed());
    table.resolve_accounts(&accounts);
    table
}

fn directory() -> Directory {
    let grid: Grid = serde_json::from_str(USERS).unwrap();
    Directory::parse("users_json", &grid).unwrap()
}

/// Whether the IAM stand-in of `account` has `user`.
fn in_iam(account: &str, user: &str) -> bool {
    accounts::account(account).0.contains_key(user)
}

/// The row's owner's Slack ID, when users_json knows them.
fn owner_id(report_owner: &str) -> Option<SlackUserId> {
    let name = crate::core::domain::NameKey::new(report_owner)?;
    match directory().lookup(&name) {
        Owner::Found(id) => Some(id),
        _ => None,
    }
}

#[test]
fn the_two_accounts_agree_with_the_rows() {
    let table = table();
    let accounts = Accounts::new(accounts::id(accounts::HOME), accounts::listed());
    let mut named = Vec::new();
    for row in &table.rows {
        let account = accounts
            .resolve(&row.aws_account_cell())
            .unwrap_or_else(|e| panic!("row {}: {e}", row.row));
        let id = account.id.to_string();
        let user = row.user();
        named.push((id.clone(), user.to_string()));
        let listed = accounts::USERS.iter().find(|(_, u, _)| *u == user);
        let gone = accounts::GONE.iter().find(|(_, u, _)| *u == user);
        match (listed, gone) {
            (Some((a, _, k)), None) => {
                assert_ne!(
                    row.status,
                    RowStatus::Deleted,
                    "row {}: 削除済み but in IAM",
                    row.row
                );
                assert_eq!(*a, id, "row {}: {user} is in the other account", row.row);
                assert_eq!(*k, row.key_id(), "row {}: IAM holds another key", row.row);
                assert!(in_iam(&id, user), "row {}", row.row);
            }
            (None, Some((a, _, k))) => {
                assert_eq!(*a, id, "row {}", row.row);
                assert_eq!(*k, row.key_id(), "row {}", row.row);
                assert!(!in_iam(accounts::HOME, user) && !in_iam(accounts::STAGING, user));
            }
            other => panic!(
                "row {} ({user}): in IAM and gone both or neither: {other:?}",
                row.row
            ),
        }
        // STS names the row's account for its key, as the key-proves-the-account check wants.
        let fleet = accounts::fleet();
        let key = crate::core::domain::AccessKeyId::parse(row.key_id()).unwrap();
        assert_eq!(
            fleet.key_accounts.get(&key),
            Some(&AwsAccountId::parse(&id).unwrap()),
            "row {}",
            row.row
        );
    }
    // No IAM user that no row names: every user of the stand-ins belongs to the story.
    for (a, user, _) in accounts::USERS {
        assert!(
            named.contains(&(a.to_string(), user.to_string())),
            "{user} in {a} has no row"
        );
    }
}

#[test]
fn every_documented_day_is_one_the_tests_run() {
    // The README, the help and the demo's own banner point readers at days; each is tested.
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let cli = include_str!("../../cli.rs");
    for text in [readme.as_str(), cli] {
        for (at, _) in text.match_indices("demo --today ") {
            let date = &text[at + "demo --today ".len()..][..10];
            if date.starts_with("YYYY") {
                continue;
            }
            assert!(
                DEMO_DAYS.iter().any(|d| d.date == date),
                "{date} is not in DEMO_DAYS"
            );
        }
    }
    assert!(cli.contains(DEMO_TODAY) && DEMO_DAYS.iter().all(|d| cli.contains(d.date)));
    assert_eq!(
        DEMO_DAYS[0].date, DEMO_TODAY,
        "the first day is the default"
    );
}

#[tokio::test]
async fn every_teardown_dm_matches_what_iam_says_on_every_documented_day() {
    for d in DEMO_DAYS {
        let report = run(day(d.date)).await.unwrap();
        let deletes: Vec<_> = report
            .actions
            .iter()
            .filter(|a| a.action == ActionKind::Delete)
            .collect();
        assert!(!deletes.is_empty(), "{}: the demo shows teardowns", d.date);
        for a in deletes {
            let row = a.row.unwrap();
            let account = a.aws_account.as_deref().unwrap();
            let user = a.user.as_str();
            assert_eq!(
                a.outcome,
                Outcome::Planned,
                "{} row {row}: {}",
                d.date,
                a.detail
            );
            let exists = in_iam(account, user);
            let planned_steps = report.iam_steps.iter().any(|(u, _)| u == user);
            assert_eq!(
                exists, planned_steps,
                "{} row {row}: IAM steps only for a user IAM has",
                d.date
            );
            assert_eq!(
                !exists,
                a.detail.contains("already gone"),
                "{} row {row}: the report says already gone exactly when IAM has no {user}: {}",
                d.date,
                a.detail
            );
            let about = format!("「{user}」");
            let dms: Vec<_> = report
                .messages
                .iter()
                .filter(|m| !settings().admins.contains(&m.to) && m.text.contains(&about))
                .collect();
            match owner_id(&a.owner) {
                Some(owner) => {
                    assert_eq!(dms.len(), 1, "{} row {row}: one DM to the owner", d.date);
                    assert_eq!(dms[0].to, owner);
                    let text = &dms[0].text;
                    assert!(
                        text.contains(a.access_key_id.as_str()) && text.contains(account),
                        "{text}"
                    );
                    if exists {
                        assert!(
                            text.contains("を削除しました"),
                            "{} row {row}: {text}",
                            d.date
                        );
                    } else {
                        assert!(
                            text.contains("「削除済み」として記録しました")
                                && !text.contains("削除しました"),
                            "{} row {row}: an already-gone user is recorded, not deleted: {text}",
                            d.date
                        );
                    }
                }
                None => {
                    assert!(dms.is_empty(), "{} row {row}: nobody to DM", d.date);
                    assert!(
                        report.actions.iter().any(|x| x.row == Some(row)
                            && x.action == ActionKind::Alert
                            && x.outcome == Outcome::Failed),
                        "{} row {row}: administrators hear the owner was not told",
                        d.date
                    );
                }
            }
        }
    }
}

#[tokio::test]
async fn the_walkthrough_is_for_a_row_noticed_with_the_button_that_day() {
    for d in DEMO_DAYS {
        let report = run(day(d.date)).await.unwrap();
        let walk = extension_walkthrough(&report).await.unwrap();
        let row = walk
            .row
            .unwrap_or_else(|| panic!("{}: a documented day walks an extension", d.date));
        let notice = report
            .actions
            .iter()
            .find(|a| a.row == Some(row) && a.action == ActionKind::Notify)
            .unwrap_or_else(|| panic!("{} row {row}: no notice that day", d.date));
        assert_eq!(
            notice.outcome,
            Outcome::Planned,
            "{}: {}",
            d.date,
            notice.detail
        );
        let owner = owner_id(&notice.owner).expect("the owner is known");
        let dm = report
            .messages
            .iter()
            .find(|m| m.to == owner)
            .unwrap_or_else(|| panic!("{} row {row}: the owner's notice", d.date));
        assert!(
            dm.text.contains(BUTTON) && dm.text.contains(notice.access_key_id.as_str()),
            "{}: {}",
            d.date,
            dm.text
        );
        // The walk-through is that row's and that owner's, and ends approved.
        assert!(
            walk.text.contains(&format!("{row}行目 {}", notice.user)),
            "{}",
            walk.text
        );
        assert!(
            walk.text.contains(&format!("所有者 {owner}")),
            "{}",
            walk.text
        );
        assert!(walk.text.contains("承認されました"), "{}", walk.text);
        // The banner says which day this is and how to see another.
        let rendered = render(&report);
        assert!(rendered.starts_with("demo: "), "{rendered}");
        assert!(rendered.lines().next().unwrap().contains(d.date));
        assert!(rendered.contains("--today YYYY-MM-DD"));
    }
}

#[tokio::test]
async fn a_day_without_a_notice_walks_no_extension() {
    // 2027-06-01: every end date has passed or is far ahead; nobody has a button to click.
    let report = run(day("2027-06-01")).await.unwrap();
    assert!(
        !report
            .actions
            .iter()
            .any(|a| a.action == ActionKind::Notify)
    );
    assert!(!report.messages.iter().any(|m| m.text.contains(BUTTON)));
    let walk = extension_walkthrough(&report).await.unwrap();
    assert_eq!(walk.row, None);
    assert!(walk.text.contains("--today 2026-11-22"), "{}", walk.text);
    assert!(!walk.text.contains("承認"), "{}", walk.text);
}

#[tokio::test]
async fn the_demo_covers_every_kind_of_row() {
    let report = run(demo_today()).await.unwrap();
    let by_row = |row: usize| report.actions.iter().find(|a| a.row == Some(row)).unwrap();
    let kinds = |row: usize| (by_row(row).action, by_row(row).outcome);
    assert_eq!(kinds(2), (ActionKind::Notify, Outcome::Planned));
    assert_eq!(kinds(3), (ActionKind::Delete, Outcome::Planned));
    assert_eq!(by_row(4).action, ActionKind::Skip);
    assert_eq!(by_row(5).action, ActionKind::Skip);
    assert_eq!(kinds(6), (ActionKind::Unusable, Outcome::Refused));
    assert_eq!(kinds(7), (ActionKind::Notify, Outcome::Failed));
    for quiet in [8, 10] {
        assert!(
            report.actions.iter().all(|a| a.row != Some(quiet)),
            "nothing for row {quiet}"
        );
    }
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
async fn a_week_later_the_unextended_notice_ends_in_a_teardown() {
    let report = run(day("2026-11-30")).await.unwrap();
    let by_row = |row: usize| report.actions.iter().find(|a| a.row == Some(row)).unwrap();
    let kinds = |row: usize| (by_row(row).action, by_row(row).outcome);
    assert_eq!(kinds(2), (ActionKind::Delete, Outcome::Planned));
    assert!(
        by_row(2).detail.contains("would tear down tanaka-backup"),
        "{}",
        by_row(2).detail
    );
    assert_eq!(kinds(7), (ActionKind::Delete, Outcome::Planned));
    assert_eq!(kinds(10), (ActionKind::Notify, Outcome::Planned));
    assert_eq!(by_row(10).aws_account_alias.as_deref(), Some("検証"));
}

#[tokio::test]
async fn the_demo_shows_two_aws_accounts() {
    let report = run(demo_today()).await.unwrap();
    let by_row = |row: usize| report.actions.iter().find(|a| a.row == Some(row)).unwrap();
    assert_eq!(by_row(2).aws_account.as_deref(), Some(accounts::HOME));
    assert_eq!(by_row(2).aws_account_alias.as_deref(), Some("本番"));
    assert_eq!(by_row(3).aws_account.as_deref(), Some(accounts::STAGING));
    assert_eq!(by_row(3).aws_account_alias.as_deref(), Some("検証"));
    // A number cell: 検証's ID.
    assert_eq!(by_row(9).aws_account.as_deref(), Some(accounts::STAGING));
    let rendered = render(&report);
    for part in [
        "AWS account",
        "■ AWS アカウント 本番 (123456789012)",
        "■ AWS アカウント 検証 (210987654321)",
        "arn:aws:iam::210987654321:policy/sato-ci",
        "sato-ci in 検証 (210987654321):",
    ] {
        assert!(rendered.contains(part), "{part} in {rendered}");
    }
}
