//! The log sheet and the days ahead, end to end: the real binary against the fake Google (with
//! `values:append` and `addSheet`), the fake Slack and moto.

use crate::fixtures::{TODAY, assert_appends_are_raw_rows, row, tanaka_env, user_with_key};
use crate::support;

use std::time::Duration;

use serde_json::{Value, json};
use support::app::{ADMIN_IDS, REQUEST_SHEET, RequestRow, TestEnv};
use support::google::Endpoint;
use support::moto::{Loadout, load_user};

const LOG: &str = "keywarden_log";
const HEADER: [&str; 10] = [
    "日時",
    "実行ID",
    "AWSアカウント",
    "行",
    "氏名",
    "アカウント名",
    "アクセスキーID",
    "処理",
    "結果",
    "詳細",
];

fn log_exists(env: &TestEnv) -> bool {
    let mut exists = false;
    env.google.edit(|s| exists = s.contains(LOG));
    exists
}

/// The log's lines below the header, as (row, 処理, 結果) with the whole line kept.
fn lines(env: &TestEnv) -> Vec<Vec<Value>> {
    let sheet = env.google.sheet(LOG);
    assert_eq!(
        sheet[0],
        HEADER.iter().map(|h| json!(h)).collect::<Vec<_>>(),
        "row 1 is the header"
    );
    sheet[1..].to_vec()
}

fn summary(line: &[Value]) -> (Value, String, String) {
    let text = |i: usize| {
        line.get(i)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    (line.get(3).cloned().unwrap_or(json!("")), text(7), text(8))
}

/// Row 2 due for a teardown, row 3 due for a notice, row 4 names a keyless console user (the
/// teardown is refused), row 5 is done already (a skip: not logged).
async fn mixed_sheet(env: &TestEnv) -> String {
    let iam = env.iam_client();
    let key = user_with_key(&iam, "tanaka-s3", Loadout::bare()).await;
    load_user(
        &iam,
        "sato",
        Loadout {
            access_keys: 0,
            login_profile: true,
            ..Loadout::bare()
        },
    )
    .await;
    env.set_requests(&[
        row("tanaka-s3", &key, json!("2026/11/20")),
        row("tanaka-ec2", "AKIAIOSFODNN7EXAMPL3", json!("2026/11/29")),
        row("sato", "AKIAIOSFODNN7EXAMPL4", json!("2026/11/20")),
        row("old", "AKIAIOSFODNN7EXAMPL5", json!("2026/01/20")).status("削除済み"),
    ]);
    key
}

#[tokio::test]
async fn a_run_logs_its_actions_in_order_with_one_run_id_and_the_next_appends_below() {
    let env = tanaka_env().await;
    let key = mixed_sheet(&env).await;
    let out = env.run_daily(TODAY).await;
    assert_eq!(out.status, 1, "the refusal exits 1\n{}", out.stderr);
    let report = out.json();
    let run_id = report["run_id"]
        .as_str()
        .expect("run_id in the report")
        .to_string();
    assert!(!run_id.is_empty());

    let first = lines(&env);
    let seen: Vec<_> = first.iter().map(|l| summary(l)).collect();
    assert_eq!(
        seen,
        [
            (json!(2), "delete".into(), "done".into()),
            (json!(4), "delete".into(), "refused".into()),
            (json!(3), "notify".into(), "done".into()),
        ],
        "the IAM stage, then the notices; no skip: {first:?}"
    );
    for line in &first {
        assert_eq!(line[1], json!(run_id), "one run ID: {line:?}");
        let at = line[0].as_str().unwrap();
        let parsed = chrono::DateTime::parse_from_rfc3339(at).expect("ISO 8601");
        assert_eq!(
            parsed.offset().local_minus_utc(),
            9 * 3600,
            "Asia/Tokyo: {at}"
        );
        assert!(at.ends_with("+09:00"), "{at}");
    }
    assert_eq!(first[0][4], "田中 太郎");
    assert_eq!(first[0][5], "tanaka-s3");
    assert_eq!(first[0][6], json!(key));
    let detail = first[1][9].as_str().unwrap();
    assert!(
        detail.contains("keywarden:teardown"),
        "the administrators' wording: {detail}"
    );
    let counts = env.google.counts();
    assert_eq!(
        (counts.appends, counts.sheet_updates),
        (3, 1),
        "missing → addSheet → header with the IAM lines; then the notices"
    );
    assert_eq!(
        counts.sheets_requests(),
        9,
        "the first run's budget: read, 2 × (re-check + write), 3 appends, 1 addSheet"
    );
    assert_appends_are_raw_rows(&env.google);

    // The next day: the refusal again, below, with another run ID; the sheet is not re-created.
    let again = env.run_daily("2026-11-23").await;
    assert_eq!(again.status, 1, "{}", again.stderr);
    let second_id = again.json()["run_id"].as_str().unwrap().to_string();
    assert_ne!(second_id, run_id);
    let all = lines(&env);
    assert_eq!(&all[..3], &first[..], "earlier lines untouched");
    assert_eq!(all.len(), 4, "{all:?}");
    assert_eq!(
        summary(&all[3]),
        (json!(4), "delete".into(), "refused".into())
    );
    assert_eq!(all[3][1], json!(second_id));
    let counts = env.google.counts();
    assert_eq!((counts.appends, counts.sheet_updates), (4, 1));
}

#[tokio::test]
async fn a_persons_text_starting_with_equals_is_stored_as_text() {
    let env = tanaka_env().await;
    // Not in users_json: the notice fails, and the line quotes the name as typed.
    env.set_requests(&[RequestRow::new(
        "=IMPORTXML(\"http://x\",\"//a\")",
        "tanaka-ec2",
        "AKIAIOSFODNN7EXAMPL3",
        json!("2026/11/29"),
    )]);
    let out = env.run(&["run", "--today", TODAY]).await;
    assert_eq!(out.status, 1, "{}", out.stderr);
    let all = lines(&env);
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0][4], json!("=IMPORTXML(\"http://x\",\"//a\")"));
    assert_eq!(
        summary(&all[0]),
        (json!(2), "notify".into(), "failed".into())
    );
}

#[tokio::test]
async fn a_dry_run_appends_nothing() {
    let env = tanaka_env().await;
    mixed_sheet(&env).await;
    for args in [
        vec!["plan", "--today", TODAY],
        vec!["run", "--dry-run", "--today", TODAY, "--output", "json"],
        vec!["plan", "--days", "7", "--today", TODAY],
    ] {
        let out = env.run(&args).await;
        assert_eq!(out.status, 1, "{args:?}: {}", out.stderr);
    }
    let counts = env.google.counts();
    assert_eq!(
        (counts.appends, counts.sheet_updates, counts.writes),
        (0, 0, 0)
    );
    assert!(!log_exists(&env));
}

#[tokio::test]
async fn a_failed_append_keeps_the_status_writes_and_exits_1() {
    let env = tanaka_env().await;
    let iam = env.iam_client();
    let key = user_with_key(&iam, "tanaka-s3", Loadout::bare()).await;
    env.set_requests(&[
        row("tanaka-s3", &key, json!("2026/11/20")),
        row("tanaka-ec2", "AKIAIOSFODNN7EXAMPL3", json!("2026/11/29")),
    ]);
    env.google.fail_next(Endpoint::Append, 403, 10);
    let out = env.run_daily(TODAY).await;
    assert_eq!(out.status, 1, "{}", out.stderr);
    assert_eq!(
        env.google.cell(REQUEST_SHEET, "K2"),
        Some(json!("削除済み"))
    );
    assert_eq!(
        env.google.cell(REQUEST_SHEET, "M3"),
        Some(json!(TODAY)),
        "通知日"
    );
    let report = out.json();
    let actions = report["actions"].as_array().unwrap();
    let done: Vec<_> = actions
        .iter()
        .filter(|a| a["row"] == json!(2) || a["row"] == json!(3))
        .map(|a| (a["action"].clone(), a["outcome"].clone()))
        .collect();
    assert_eq!(
        done,
        [
            (json!("delete"), json!("done")),
            (json!("notify"), json!("done"))
        ],
        "{report:#}"
    );
    let alerts: Vec<_> = actions
        .iter()
        .filter(|a| a["action"] == "alert" && a["detail"].as_str().unwrap().contains(LOG))
        .collect();
    assert_eq!(alerts.len(), 2, "one per stage: {report:#}");
    assert!(alerts.iter().all(|a| a["outcome"] == "failed"));
    // Administrators hear of the first stage's failure in the summary.
    let summary = env.slack.messages_to(ADMIN_IDS[0]).join("\n");
    assert!(summary.contains(LOG), "{summary}");
}

#[tokio::test]
async fn a_kill_after_the_iam_stage_leaves_its_log_lines() {
    let env = tanaka_env().await;
    let key = user_with_key(&env.iam_client(), "tanaka-s3", Loadout::bare()).await;
    env.set_requests(&[row("tanaka-s3", &key, json!("2026/11/20"))]);
    env.slack.delay(Duration::from_secs(60));
    let mut child = env
        .command()
        .args(["run", "--today", TODAY])
        .spawn()
        .expect("keywarden starts");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !(log_exists(&env) && env.google.sheet(LOG).len() > 1)
        && tokio::time::Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    child.kill().await.expect("killed");
    assert!(env.slack.messages().is_empty(), "nothing reached Slack yet");
    assert_eq!(
        env.google.cell(REQUEST_SHEET, "K2"),
        Some(json!("削除済み"))
    );
    let all = lines(&env);
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(summary(&all[0]), (json!(2), "delete".into(), "done".into()));
}

/// Rows falling due on different days: a notice today, then a teardown and a notice ahead.
fn rows_due_on_different_days() -> Vec<RequestRow> {
    vec![
        // notified today (not ahead); torn down on the 25th
        row("tanaka-s3", "AKIAIOSFODNN7EXAMPL2", json!("2026/11/24")),
        // its notice window opens on the 26th; torn down on the 3rd, past 7 days
        row("tanaka-ec2", "AKIAIOSFODNN7EXAMPL3", json!("2026-12-02")),
        // extended, and far away: nothing
        row("kept", "AKIAIOSFODNN7EXAMPL4", json!("2026/11/23")).status("延長"),
        row("far", "AKIAIOSFODNN7EXAMPL5", json!("2999/12/31")),
    ]
}

#[tokio::test]
async fn plan_days_lists_what_each_day_brings_from_the_sheet_alone() {
    let env = tanaka_env().await;
    env.set_requests(&rows_due_on_different_days());
    let out = env
        .run(&["plan", "--days", "7", "--today", TODAY, "--output", "json"])
        .await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    let report = out.json();
    assert_eq!(
        report["ahead"],
        json!([
            {"date": "2026-11-25", "row": 2, "account": "tanaka-s3", "action": "delete"},
            {"date": "2026-11-25", "row": 3, "account": "tanaka-ec2", "action": "notify"},
        ]),
        "{report:#}"
    );
    assert!(env.iam.mutations().is_empty());

    let longer = env
        .run(&["plan", "--days", "14", "--today", TODAY, "--output", "json"])
        .await
        .json();
    let dates: Vec<_> = longer["ahead"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["date"].clone(), a["row"].clone(), a["action"].clone()))
        .collect();
    assert_eq!(
        dates.last(),
        Some(&(json!("2026-12-03"), json!(3), json!("delete"))),
        "{longer:#}"
    );

    let table = env.run(&["plan", "--days", "3", "--today", TODAY]).await;
    assert_eq!(table.status, 0, "{}", table.stderr);
    assert!(
        table.stdout.contains("IAM is not read") && table.stdout.contains("2026-11-25"),
        "{}",
        table.stdout
    );

    let plain = env
        .run(&["plan", "--today", TODAY, "--output", "json"])
        .await
        .json();
    assert!(plain.get("ahead").is_none(), "only with --days: {plain:#}");
    let run = env.run(&["run", "--days", "7", "--today", TODAY]).await;
    assert_eq!(run.status, 2, "--days is plan's: {}", run.stderr);
}

#[tokio::test]
async fn the_summary_ends_with_the_teardowns_and_deactivations_of_the_next_7_days() {
    let env = tanaka_env().await;
    env.set_requests(&rows_due_on_different_days());
    let out = env.run(&["run", "--today", TODAY]).await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    let summary = env.slack.messages_to(ADMIN_IDS[0]).join("\n");
    let block: Vec<&str> = summary
        .lines()
        .skip_while(|l| !l.contains("今後7日間"))
        .collect();
    assert_eq!(block.len(), 2, "a heading and one line: {summary}");
    assert!(
        block[1].contains("2026-11-25")
            && block[1].contains("2行目")
            && block[1].contains("tanaka-s3"),
        "{summary}"
    );
    assert!(!block[1].contains("tanaka-ec2"), "notices are not in it");
}
