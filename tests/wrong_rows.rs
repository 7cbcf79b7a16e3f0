//! SPEC §4's proofs against moto: a row the sheet gets wrong never deletes the wrong thing, and
//! what was done reaches the sheet before anything waits on Slack.

mod support;

use std::time::Duration;

use serde_json::{Value, json};
use support::app::{REQUEST_SHEET, RequestRow, TestEnv, UserRow, action_for};
use support::moto::{Loadout, load_user, remaining};

const TANAKA: &str = "U0TANAKA01";
const TODAY: &str = "2026-11-22";

async fn env() -> TestEnv {
    let env = TestEnv::start().await;
    env.set_users(&[UserRow::new(TANAKA, "田中", "太郎")]);
    env
}

async fn run_json(env: &TestEnv) -> (i32, Value) {
    let out = env
        .run(&["run", "--today", TODAY, "--output", "json"])
        .await;
    let json = out.json();
    (out.status, json)
}

fn detail(report: &Value, row: u64) -> String {
    action_for(report, row)["detail"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A person's console user (password, MFA, group, no keys) whose name the sheet mistyped.
fn console_user() -> Loadout {
    Loadout {
        access_keys: 0,
        login_profile: true,
        virtual_mfa: true,
        group: Some("people".into()),
        ..Loadout::bare()
    }
}

#[tokio::test]
async fn a_mistyped_name_of_a_keyless_console_user_changes_nothing() {
    let env = env().await;
    let iam = env.iam_client();
    load_user(&iam, "sato", console_user()).await;
    let ci = load_user(&iam, "sato-ci", Loadout::bare()).await;
    // The row means sato-ci but says sato.
    env.set_requests(&[RequestRow::new(
        "田中 太郎",
        "sato",
        &ci.access_key_ids[0],
        json!("2026/11/20"),
    )]);
    let (status, report) = run_json(&env).await;
    assert_eq!(status, 1, "{report:#}");
    let row = action_for(&report, 2);
    assert_eq!(row["outcome"], "refused", "{row}");
    assert!(detail(&report, 2).contains("keywarden:teardown"), "{row}");
    assert!(env.iam.mutations().is_empty(), "{:?}", env.iam.mutations());
    let left = remaining(&iam, "sato").await;
    for part in ["user sato", "login profile"] {
        assert!(left.iter().any(|l| l == part), "{part} gone: {left:?}");
    }
    assert!(left.iter().any(|l| l.starts_with("MFA device")), "{left:?}");
    assert_eq!(env.google.cell(REQUEST_SHEET, "K2"), None);
}

#[tokio::test]
async fn a_mistyped_name_that_does_not_exist_is_not_marked_deleted_while_the_key_lives() {
    let env = env().await;
    let ci = load_user(&env.iam_client(), "sato-ci", Loadout::bare()).await;
    env.set_requests(&[RequestRow::new(
        "田中 太郎",
        "sato-cl",
        &ci.access_key_ids[0],
        json!("2026/11/20"),
    )]);
    let (status, report) = run_json(&env).await;
    assert_eq!(status, 1, "{report:#}");
    assert_eq!(action_for(&report, 2)["outcome"], "refused");
    assert!(detail(&report, 2).contains("belongs to IAM user sato-ci"));
    assert_eq!(env.google.cell(REQUEST_SHEET, "K2"), None, "not 削除済み");
    assert!(env.iam.mutations().is_empty());
    assert_eq!(remaining(&env.iam_client(), "sato-ci").await.len(), 2);
}

#[tokio::test]
async fn a_renewal_deletes_only_the_expired_key_and_keeps_the_user() {
    let env = env().await;
    let loaded = load_user(
        &env.iam_client(),
        "tanaka-s3",
        Loadout {
            access_keys: 2,
            ..Loadout::original()
        },
    )
    .await;
    let (old, new) = (&loaded.access_key_ids[0], &loaded.access_key_ids[1]);
    env.set_requests(&[
        RequestRow::new("田中 太郎", "tanaka-s3", old, json!("2026/11/20")),
        RequestRow::new("田中 太郎", "tanaka-s3", new, json!("2027/03/31")),
    ]);
    let (status, report) = run_json(&env).await;
    assert_eq!(status, 0, "{report:#}");
    let row = action_for(&report, 2);
    assert_eq!(
        (row["action"].as_str(), row["outcome"].as_str()),
        (Some("delete"), Some("done"))
    );
    assert!(detail(&report, 2).contains("row 3"), "{row}");
    let left = remaining(&env.iam_client(), "tanaka-s3").await;
    assert!(left.contains(&"user tanaka-s3".to_string()), "{left:?}");
    assert!(left.contains(&format!("access key {new}")), "{left:?}");
    assert!(!left.contains(&format!("access key {old}")), "{left:?}");
    assert_eq!(
        env.google.cell(REQUEST_SHEET, "K2"),
        Some(json!("削除済み"))
    );
    assert_eq!(env.google.cell(REQUEST_SHEET, "K3"), None);
    let mutations: Vec<String> = env.iam.mutations().into_iter().map(|c| c.action).collect();
    assert_eq!(
        mutations,
        vec!["TagUser", "DeleteAccessKey"],
        "tagged first, then the key only"
    );
    let dm = env.slack.messages_to(TANAKA);
    assert!(dm.iter().any(|m| m.contains("残しています")), "{dm:?}");
}

#[tokio::test]
async fn a_teardown_tags_the_user_before_its_first_change() {
    let env = env().await;
    let key = load_user(&env.iam_client(), "tanaka-s3", Loadout::default())
        .await
        .access_key_ids[0]
        .clone();
    env.set_requests(&[RequestRow::new(
        "田中 太郎",
        "tanaka-s3",
        &key,
        json!("2026/11/20"),
    )]);
    env.iam.fail_next("DeleteUser", 403, "AccessDenied", 1);
    let (status, _) = run_json(&env).await;
    assert_eq!(status, 1);
    let mutations = env.iam.mutations();
    assert_eq!(mutations[0].action, "TagUser", "{mutations:?}");
    assert_eq!(
        mutations[0].param("Tags.member.1.Value"),
        Some(key.as_str())
    );
    // Interrupted: no keys left, but tagged for this key — the next run finishes it.
    let (status, report) = run_json(&env).await;
    assert_eq!(status, 0, "{report:#}");
    assert!(remaining(&env.iam_client(), "tanaka-s3").await.is_empty());
}

#[tokio::test]
async fn deleted_is_written_before_the_run_waits_on_slack() {
    let env = env().await;
    let key = load_user(&env.iam_client(), "tanaka-s3", Loadout::bare())
        .await
        .access_key_ids[0]
        .clone();
    env.set_requests(&[RequestRow::new(
        "田中 太郎",
        "tanaka-s3",
        &key,
        json!("2026/11/20"),
    )]);
    // Slack stalls; the process is killed while it waits.
    env.slack.delay(Duration::from_secs(60));
    let mut child = env
        .command()
        .args(["run", "--today", TODAY])
        .spawn()
        .expect("keywarden starts");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while env.google.cell(REQUEST_SHEET, "K2").is_none() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    child.kill().await.expect("killed");
    assert_eq!(
        env.google.cell(REQUEST_SHEET, "K2"),
        Some(json!("削除済み")),
        "written before any Slack message"
    );
    assert!(env.slack.messages().is_empty(), "nothing reached Slack yet");
}
