//! The proof of docs/rules.md §4 against moto: a row the sheet gets wrong never deletes the wrong
//! thing, and what was done reaches the sheet before anything waits on Slack. The one proof (steps
//! 1–5) runs before every destructive step — the key-only deletion, the deactivation of a grace
//! period, the reactivation — so the sheets that used to slip past a path with its own partial
//! copy of the checks are here too.

use crate::fixtures::{
    EXAMPLE_KEY, TANAKA, TODAY, assert_only_key_deleted, created_on, detail, key_status,
    request_sheet, row, run_json, tanaka_env, user_with_key,
};
use crate::support;

use std::time::Duration;

use serde_json::{Value, json};
use support::app::{REQUEST_SHEET, TestEnv, action_for};
use support::google::Endpoint;
use support::moto::{Loadout, load_user, remaining};

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
    let env = tanaka_env().await;
    let iam = env.iam_client();
    load_user(&iam, "sato", console_user()).await;
    let ci = load_user(&iam, "sato-ci", Loadout::bare()).await;
    // The row means sato-ci but says sato.
    env.set_requests(&[row("sato", &ci.access_key_ids[0], json!("2026/11/20"))]);
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
    let env = tanaka_env().await;
    let ci = load_user(&env.iam_client(), "sato-ci", Loadout::bare()).await;
    env.set_requests(&[row("sato-cl", &ci.access_key_ids[0], json!("2026/11/20"))]);
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
    let env = tanaka_env().await;
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
        row("tanaka-s3", old, json!("2026/11/20")),
        row("tanaka-s3", new, json!("2027/03/31")),
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
    assert_only_key_deleted(&left, "tanaka-s3", new, old);
    assert_eq!(
        env.google.cell(REQUEST_SHEET, "K2"),
        Some(json!("削除済み"))
    );
    assert_eq!(env.google.cell(REQUEST_SHEET, "K3"), None);
    let mutations: Vec<String> = env.iam.mutations().into_iter().map(|c| c.action).collect();
    assert_eq!(
        mutations,
        vec!["TagUser", "DeleteAccessKey", "UntagUser"],
        "tagged first, then the key only, and the tag off once 削除済み is written"
    );
    let dm = env.slack.messages_to(TANAKA);
    assert!(dm.iter().any(|m| m.contains("残しています")), "{dm:?}");
}

#[tokio::test]
async fn a_teardown_tags_the_user_before_its_first_change() {
    let env = tanaka_env().await;
    let key = user_with_key(&env.iam_client(), "tanaka-s3", Loadout::default()).await;
    env.set_requests(&[row("tanaka-s3", &key, json!("2026/11/20"))]);
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
    let env = tanaka_env().await;
    let key = user_with_key(&env.iam_client(), "tanaka-s3", Loadout::bare()).await;
    env.set_requests(&[row("tanaka-s3", &key, json!("2026/11/20"))]);
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

// --- The one proof on every path ------------------------------------------------------------

/// Due yesterday's yesterday: a teardown without grace, a deactivation with a 3-day grace.
const ENDED: &str = "2026/11/20";
const RENEWED: &str = "2027/03/31";

/// The same ID with its last letter changed: a key ID that reads fine but is nobody's.
fn typo(key: &str) -> String {
    let (head, last) = key.split_at(key.len() - 1);
    format!("{head}{}", if last == "Q" { "R" } else { "Q" })
}

fn mutations(env: &TestEnv) -> Vec<String> {
    env.iam.mutations().into_iter().map(|c| c.action).collect()
}

async fn two_keys(env: &TestEnv, user: &str) -> Vec<String> {
    let loadout = Loadout {
        access_keys: 2,
        ..Loadout::bare()
    };
    load_user(&env.iam_client(), user, loadout)
        .await
        .access_key_ids
}

async fn one_key(env: &TestEnv, user: &str) -> String {
    user_with_key(&env.iam_client(), user, Loadout::bare()).await
}

#[tokio::test]
async fn a_renewal_row_does_not_hide_a_mistyped_due_key() {
    let env = tanaka_env().await;
    let real = one_key(&env, "tanaka-dev").await;
    env.set_requests(&[
        row("tanaka-dev", &typo(&real), json!(ENDED)),
        row("tanaka-dev", &real, json!(RENEWED)),
    ]);
    let (status, report) = run_json(&env).await;
    assert_eq!(status, 1, "{report:#}");
    assert_eq!(action_for(&report, 2)["outcome"], "refused", "{report:#}");
    assert!(detail(&report, 2).contains(&real), "names IAM's keys");
    assert!(mutations(&env).is_empty(), "{:?}", mutations(&env));
    assert_eq!(env.google.cell(REQUEST_SHEET, "K2"), None, "not 削除済み");
    assert_eq!(key_status(&env, "tanaka-dev").await.len(), 1);
}

#[tokio::test]
async fn a_copied_renewal_row_with_the_same_key_changes_nothing() {
    let env = tanaka_env().await;
    let key = one_key(&env, "tanaka-dev").await;
    // The renewal was pasted with the old key, and its user name was retyped wrongly: it still
    // holds the key, whatever user it names.
    env.set_requests(&[
        row("tanaka-dev", &key, json!(ENDED)),
        row("tanaka-dve", &key, json!(RENEWED)),
    ]);
    let (status, report) = run_json(&env).await;
    assert_eq!(status, 1, "{report:#}");
    assert_eq!(action_for(&report, 2)["outcome"], "refused");
    assert!(detail(&report, 2).contains("rows 2 and 3"), "{report:#}");
    assert!(mutations(&env).is_empty(), "{:?}", mutations(&env));
    assert_eq!(env.google.cell(REQUEST_SHEET, "K2"), None);
    let summary = env.slack.messages_to(support::app::ADMIN_IDS[0]).concat();
    assert!(summary.contains("2 行目と 3 行目"), "{summary}");
}

#[tokio::test]
async fn an_extended_row_with_an_unreadable_key_cell_claims_the_key_too() {
    let env = tanaka_env().await;
    let key = one_key(&env, "tanaka-dev").await;
    env.set_requests(&[
        row("tanaka-dev", &key, json!(ENDED)),
        row("tanaka-dev", &format!("{key} （旧）"), json!(RENEWED)).status("延長"),
    ]);
    let (status, report) = run_json(&env).await;
    assert_eq!(status, 1, "{report:#}");
    assert_eq!(action_for(&report, 2)["outcome"], "refused");
    assert!(detail(&report, 2).contains("rows 2 and 3"), "{report:#}");
    assert!(mutations(&env).is_empty(), "{:?}", mutations(&env));
    assert_eq!(remaining(&env.iam_client(), "tanaka-dev").await.len(), 2);
}

#[tokio::test]
async fn the_users_other_key_under_a_mistyped_name_keeps_the_user() {
    let env = tanaka_env().await;
    let keys = two_keys(&env, "tanaka-dev").await;
    env.set_requests(&[
        row("tanaka-dev", &keys[0], json!(ENDED)),
        row("tanaka-dve", &keys[1], json!(RENEWED)),
    ]);
    let (status, report) = run_json(&env).await;
    assert_eq!(status, 0, "{report:#}");
    let text = detail(&report, 2);
    assert!(
        text.contains("row 3") && text.contains("tanaka-dve"),
        "{text}"
    );
    assert_eq!(
        mutations(&env),
        vec!["TagUser", "DeleteAccessKey", "UntagUser"],
        "tagged, then the due key only, then untagged"
    );
    let left = remaining(&env.iam_client(), "tanaka-dev").await;
    assert_only_key_deleted(&left, "tanaka-dev", &keys[1], &keys[0]);
    assert_eq!(
        env.google.cell(REQUEST_SHEET, "K2"),
        Some(json!("削除済み"))
    );
    let dm = env.slack.messages_to(TANAKA).concat();
    assert!(dm.contains("3行目") && dm.contains("tanaka-dve"), "{dm}");
}

#[tokio::test]
async fn an_interrupted_key_only_deletion_is_finished_from_its_tag() {
    let env = tanaka_env().await;
    let keys = two_keys(&env, "tanaka-dev").await;
    let iam = env.iam_client();
    // An earlier run tagged the user for keys[0], deleted that key, and died before writing.
    iam.tag_user()
        .user_name("tanaka-dev")
        .tags(
            aws_sdk_iam::types::Tag::builder()
                .key("keywarden:teardown")
                .value(&keys[0])
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    iam.delete_access_key()
        .user_name("tanaka-dev")
        .access_key_id(&keys[0])
        .send()
        .await
        .unwrap();
    env.set_requests(&[
        row("tanaka-dev", &keys[0], json!(ENDED)),
        row("tanaka-dev", &keys[1], json!(RENEWED)),
    ]);
    let (status, report) = run_json(&env).await;
    assert_eq!(status, 0, "{report:#}");
    assert_eq!(action_for(&report, 2)["outcome"], "done", "{report:#}");
    assert_eq!(
        mutations(&env),
        vec!["UntagUser"],
        "nothing left to delete; the tag comes off once 削除済み is written"
    );
    assert_eq!(
        env.google.cell(REQUEST_SHEET, "K2"),
        Some(json!("削除済み"))
    );
    assert_eq!(key_status(&env, "tanaka-dev").await.len(), 1);
    assert_eq!(teardown_tag(&env, "tanaka-dev").await, None);
}

/// The user's `keywarden:teardown` tag as IAM holds it now.
async fn teardown_tag(env: &TestEnv, user: &str) -> Option<String> {
    env.iam_client()
        .list_user_tags()
        .user_name(user)
        .send()
        .await
        .expect("the user exists")
        .tags()
        .iter()
        .find(|t| t.key() == "keywarden:teardown")
        .map(|t| t.value().to_string())
}

#[tokio::test]
async fn a_finished_key_only_deletion_takes_its_tag_off_the_kept_user() {
    let env = tanaka_env().await;
    let keys = two_keys(&env, "tanaka-dev").await;
    env.set_requests(&[
        row("tanaka-dev", &keys[0], json!(ENDED)),
        row("tanaka-dev", &keys[1], json!(RENEWED)),
    ]);
    let (status, report) = run_json(&env).await;
    assert_eq!(status, 0, "{report:#}");
    assert_eq!(
        env.google.cell(REQUEST_SHEET, "K2"),
        Some(json!("削除済み"))
    );
    assert_eq!(
        key_status(&env, "tanaka-dev").await,
        vec![(keys[1].clone(), "Active".to_string())],
        "the user is kept with its other key"
    );
    assert_eq!(teardown_tag(&env, "tanaka-dev").await, None, "tag removed");
    // The tag came off only after 削除済み was written.
    let untag = env
        .iam
        .calls()
        .into_iter()
        .find(|c| c.action == "UntagUser")
        .expect("UntagUser");
    assert_eq!(untag.param("TagKeys.member.1"), Some("keywarden:teardown"));
    let written = env
        .google
        .requests()
        .into_iter()
        .find(|r| r.path.ends_with("values:batchUpdate") && r.body.contains("K2"))
        .expect("削除済み written");
    assert!(
        written.at < untag.at,
        "untagged before 削除済み was written"
    );

    // Later, an administrator adds (or copies) a due row naming the same key: the kept user
    // no longer carries a tag that would pass it as an interrupted deletion.
    env.set_requests(&[
        row("tanaka-dev", &keys[0], json!(ENDED)).status("削除済み"),
        row("tanaka-dev", &keys[1], json!(RENEWED)),
        row("tanaka-dev", &keys[0], json!(ENDED)),
    ]);
    let before = mutations(&env).len();
    let (status, report) = run_json(&env).await;
    assert_eq!(status, 1, "{report:#}");
    assert_eq!(action_for(&report, 4)["outcome"], "refused", "{report:#}");
    assert!(detail(&report, 4).contains(&keys[1]), "names IAM's keys");
    assert_eq!(mutations(&env).len(), before, "{:?}", mutations(&env));
    assert_eq!(env.google.cell(REQUEST_SHEET, "K4"), None, "not 削除済み");
}

#[tokio::test]
async fn a_key_only_deletion_keeps_its_tag_until_deleted_is_written() {
    let env = tanaka_env().await;
    let keys = two_keys(&env, "tanaka-dev").await;
    env.set_requests(&[
        row("tanaka-dev", &keys[0], json!(ENDED)),
        row("tanaka-dev", &keys[1], json!(RENEWED)),
    ]);
    env.google.fail_next(Endpoint::Write, 503, 100);
    let (status, report) = run_json(&env).await;
    assert_eq!(status, 1, "{report:#}");
    assert_eq!(env.google.cell(REQUEST_SHEET, "K2"), None);
    assert_eq!(key_status(&env, "tanaka-dev").await.len(), 1, "key deleted");
    assert_eq!(
        teardown_tag(&env, "tanaka-dev").await,
        Some(keys[0].clone()),
        "the write failed: the tag stays for the next run"
    );
    assert!(!mutations(&env).contains(&"UntagUser".to_string()));

    // Google is back: the next run finds the key gone and the tag, writes 削除済み, untags.
    env.google.fail_next(Endpoint::Write, 503, 0);
    let (status, report) = run_json(&env).await;
    assert_eq!(status, 0, "{report:#}");
    assert_eq!(
        env.google.cell(REQUEST_SHEET, "K2"),
        Some(json!("削除済み"))
    );
    assert_eq!(teardown_tag(&env, "tanaka-dev").await, None);
    assert_eq!(
        key_status(&env, "tanaka-dev").await,
        vec![(keys[1].clone(), "Active".to_string())]
    );
}

#[tokio::test]
async fn a_tag_that_cannot_be_removed_is_reported_with_its_row() {
    let env = tanaka_env().await;
    let keys = two_keys(&env, "tanaka-dev").await;
    env.set_requests(&[
        row("tanaka-dev", &keys[0], json!(ENDED)),
        row("tanaka-dev", &keys[1], json!(RENEWED)),
    ]);
    env.iam.fail_next("UntagUser", 403, "AccessDenied", 5);
    let (status, report) = run_json(&env).await;
    assert_eq!(status, 1, "{report:#}");
    assert_eq!(
        env.google.cell(REQUEST_SHEET, "K2"),
        Some(json!("削除済み")),
        "the write stands"
    );
    let alert = report["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["action"] == "alert" && a["row"] == 2)
        .cloned()
        .unwrap_or_else(|| panic!("no alert for row 2: {report:#}"));
    assert_eq!(alert["outcome"], "failed", "{alert}");
    let text = alert["detail"].as_str().unwrap();
    assert!(
        text.contains("keywarden:teardown") && text.contains("untag-user"),
        "{text}"
    );
    let summary = env.slack.messages_to(support::app::ADMIN_IDS[0]).concat();
    assert!(summary.contains("untag-user"), "{summary}");
}

#[tokio::test]
async fn the_own_policy_goes_whatever_the_sheet_spells_the_user() {
    let env = tanaka_env().await;
    let loaded = load_user(&env.iam_client(), "tanaka-s3", Loadout::original()).await;
    env.set_requests(&[row("Tanaka-S3", &loaded.access_key_ids[0], json!(ENDED))]);
    let (status, report) = run_json(&env).await;
    assert_eq!(status, 0, "{report:#}");
    let deleted = env
        .iam
        .mutations()
        .into_iter()
        .filter(|c| c.action == "DeletePolicy")
        .filter_map(|c| c.param("PolicyArn").map(String::from))
        .collect::<Vec<_>>();
    assert_eq!(deleted, vec![loaded.own_policy_arn.clone().unwrap()]);
    assert!(remaining(&env.iam_client(), "tanaka-s3").await.is_empty());
}

// --- deactivation before delete (docs/rules.md §8): the same proof first --------------------

async fn grace_env() -> TestEnv {
    let mut env = tanaka_env().await;
    env.set_env("KEYWARDEN_DEACTIVATE_GRACE_DAYS", "3");
    env
}

fn deactivate(report: &Value, row: u64) -> Value {
    let a = action_for(report, row);
    assert_eq!(a["action"], "deactivate", "{report:#}");
    a
}

#[tokio::test]
async fn a_mistyped_users_key_is_not_set_inactive() {
    let env = grace_env().await;
    let key = one_key(&env, "tanaka-dev").await;
    // tanaka-dve does not exist; the key is tanaka-dev's.
    env.set_requests(&[row("tanaka-dve", &key, json!(ENDED))]);
    let (status, report) = run_json(&env).await;
    assert_eq!(status, 1, "{report:#}");
    assert_eq!(deactivate(&report, 2)["outcome"], "refused");
    assert!(detail(&report, 2).contains("belongs to IAM user tanaka-dev"));
    assert!(mutations(&env).is_empty(), "{:?}", mutations(&env));
    assert_eq!(env.google.cell(REQUEST_SHEET, "K2"), None);
    assert_eq!(
        key_status(&env, "tanaka-dev").await,
        vec![(key, "Active".to_string())]
    );
}

#[tokio::test]
async fn a_key_a_live_renewal_row_holds_is_not_set_inactive() {
    let env = grace_env().await;
    let key = one_key(&env, "tanaka-dev").await;
    env.set_requests(&[
        row("tanaka-dev", &key, json!(ENDED)),
        row("tanaka-dev", &key, json!(RENEWED)),
    ]);
    let (status, report) = run_json(&env).await;
    assert_eq!(status, 1, "{report:#}");
    assert_eq!(deactivate(&report, 2)["outcome"], "refused");
    assert!(detail(&report, 2).contains("rows 2 and 3"), "{report:#}");
    assert!(mutations(&env).is_empty(), "{:?}", mutations(&env));
    assert_eq!(env.google.cell(REQUEST_SHEET, "K2"), None);
}

#[tokio::test]
async fn a_row_whose_user_and_key_are_gone_is_not_marked_deactivated() {
    let env = grace_env().await;
    env.set_requests(&[row("long-gone", EXAMPLE_KEY, json!(ENDED))]);
    let (status, report) = run_json(&env).await;
    assert_eq!(status, 0, "{report:#}");
    assert!(detail(&report, 2).contains("nothing written"), "{report:#}");
    assert_eq!(env.google.cell(REQUEST_SHEET, "K2"), None, "no 無効化済み");
    assert_eq!(env.google.cell(REQUEST_SHEET, "M2"), None, "no 無効化日");
    // After the grace the teardown finds everything gone and records it.
    let out = env.run_daily("2026-11-24").await;
    assert_eq!(out.status, 0, "{}", out.stdout);
    assert_eq!(
        env.google.cell(REQUEST_SHEET, "K2"),
        Some(json!("削除済み"))
    );
}

#[tokio::test]
async fn a_deactivated_row_whose_end_date_moved_gets_its_key_back() {
    let env = grace_env().await;
    let key = one_key(&env, "tanaka-dev").await;
    env.iam_client()
        .update_access_key()
        .user_name("tanaka-dev")
        .access_key_id(&key)
        .status(aws_sdk_iam::types::StatusType::Inactive)
        .send()
        .await
        .unwrap();
    // Deactivated by an earlier run, then an approved extension moved the end date.
    let row = row("tanaka-dev", &key, json!("2027/01/31")).status("無効化済み");
    env.google.set_sheet(
        REQUEST_SHEET,
        request_sheet(&["無効化日"], vec![(row, vec![json!("2026-11-21")])]),
    );
    let (status, report) = run_json(&env).await;
    assert_eq!(status, 0, "{report:#}");
    let back = action_for(&report, 2);
    assert_eq!(
        (back["action"].as_str(), back["outcome"].as_str()),
        (Some("reactivate"), Some("done")),
        "{report:#}"
    );
    assert_eq!(
        key_status(&env, "tanaka-dev").await,
        vec![(key, "Active".to_string())]
    );
    assert_eq!(
        env.google.cell(REQUEST_SHEET, "M2"),
        None,
        "無効化日 cleared"
    );
    assert_eq!(
        env.google.cell(REQUEST_SHEET, "K2"),
        None,
        "無効化済み removed"
    );
}

// --- A rotation reaches the sheet as soon as it is done ------------------------------------

#[tokio::test]
async fn each_rotation_is_written_before_the_next_one_starts() {
    let mut env = tanaka_env().await;
    let a = one_key(&env, "ci-a").await;
    let b = one_key(&env, "ci-b").await;
    env.set_requests(&[
        row("ci-a", &a, json!("2099/12/31")),
        row("ci-b", &b, json!("2099/12/31")),
    ]);
    let moto = env.moto.endpoint();
    env.set_env("KEYWARDEN_ROTATE_USERS", "ci-a,ci-b")
        .set_env("KEYWARDEN_ROTATE_DAYS", "0")
        .set_env("KEYWARDEN_CONCURRENCY", "1")
        .set_env("AWS_ENDPOINT_URL_SECRETS_MANAGER", &moto);
    // Due on the day the keys were made (a rotation age of 0 days).
    let day = created_on(&env, "ci-a").await.to_string();
    let out = env.run_daily(&day).await;
    let (status, report) = (out.status, out.json());
    assert_eq!(status, 0, "{report:#}");
    let creates: Vec<_> = env
        .iam
        .calls()
        .into_iter()
        .filter(|c| c.action == "CreateAccessKey")
        .collect();
    assert_eq!(creates.len(), 2, "{report:#}");
    let writes: Vec<_> = env
        .google
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("values:batchUpdate"))
        .collect();
    let first_written = writes
        .iter()
        .find(|w| w.body.contains("L2") || w.body.contains("L3"))
        .expect("a rotation was written");
    assert!(
        first_written.at < creates[1].at,
        "the first rotation's new key ID reached the sheet before the second rotation began"
    );
    for cell in ["L2", "L3"] {
        let now = env.google.cell(REQUEST_SHEET, cell).unwrap();
        assert!(
            now != json!(a) && now != json!(b),
            "{cell} holds the new key"
        );
    }
}
