//! Bad input never crashes the run and never loses data: each case gets a message naming the
//! row, the cell and what to fix, and administrators hear of it.

use crate::fixtures::{
    EXAMPLE_KEY, TANAKA, TODAY, actions, row, run_on, tanaka, tanaka_env, user_with_key,
};
use crate::support;

use serde_json::{Value, json};
use support::app::{
    ADMIN_IDS, REQUEST_SHEET, RequestRow, TestEnv, USERS_SHEET, action_for, users_sheet_header,
};
use support::moto::Loadout;

#[tokio::test]
async fn cells_iam_would_reject_make_the_row_unusable() {
    let env = tanaka_env().await;
    env.set_requests(&[
        row("tanaka-s3", "not-a-key", json!("2026/11/01")),
        row("tanaka s3", EXAMPLE_KEY, json!("2026/11/01")),
        row("tanaka-s3", EXAMPLE_KEY, json!("1926/11/01")),
        row("tanaka-s3", EXAMPLE_KEY, json!("2206/11/01")),
        RequestRow::new("", "tanaka-s3", EXAMPLE_KEY, json!("2026/11/01")),
    ]);
    let (status, report) = run_on(&env, TODAY, &[]).await;
    assert_eq!(status, 1);
    let expect = [
        (2, "L2 (アクセスキーID)"),
        (3, "J3 (アカウント名)"),
        (
            4,
            "I4 (アクセスキー利用終了日): 1926-11-01 is before the start date 2026-04-01 in H4",
        ),
        (6, "B6 (氏名)"),
    ];
    assert!(
        actions(&report).iter().all(|a| a["row"] != 5),
        "2206 is a year like any other: {report}"
    );
    for (row, text) in expect {
        let a = action_for(&report, row);
        assert_eq!(a["action"], "unusable", "{a}");
        assert!(
            a["detail"].as_str().unwrap().contains(text),
            "{text} not in {a}"
        );
    }
    assert!(
        env.iam.calls().is_empty(),
        "nothing was looked up, let alone deleted"
    );
    let summary = &env.slack.messages_to(ADMIN_IDS[0])[0];
    for (row, _) in expect {
        assert!(
            summary.contains(&format!("{row}行目")),
            "row {row} missing from {summary}"
        );
    }
}

#[tokio::test]
async fn far_future_end_dates_mean_no_end_and_are_quiet() {
    let env = tanaka_env().await;
    env.set_requests(&[
        row("tanaka-s3", EXAMPLE_KEY, json!("9999/12/31")),
        row("tanaka-ci", "AKIAI44QH8DHBEXAMPLE", json!("2999年12月31日")),
    ]);
    let out = env.run_daily(TODAY).await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    let report = out.json();
    assert!(actions(&report).is_empty(), "nothing to do: {report}");
    assert!(env.iam.calls().is_empty());
    assert!(
        env.slack
            .messages()
            .iter()
            .all(|m| !m.text.contains("行目")),
        "no alert: {:?}",
        env.slack.messages()
    );
}

#[tokio::test]
async fn a_sheet_that_does_not_exist_is_named() {
    let mut env = TestEnv::start().await;
    env.set_env("KEYWARDEN_REQUEST_SHEET", "申請フォーム");
    let out = env.run(&["run", "--today", TODAY]).await;
    assert_eq!(out.status, 2);
    assert!(
        out.stderr.contains("申請フォーム") && out.stderr.contains("KEYWARDEN_REQUEST_SHEET"),
        "{}",
        out.stderr
    );
    assert!(env.slack.messages().is_empty());
}

#[tokio::test]
async fn users_json_problems_are_reported_not_fatal() {
    let env = TestEnv::start().await;
    env.google.set_sheet(
        USERS_SHEET,
        vec![
            users_sheet_header(),
            tanaka().to_values(),
            vec![json!(""), json!("山田"), json!("花子")],
            vec![json!("not an id"), json!("鈴木"), json!("一郎")],
        ],
    );
    env.set_requests(&[row("tanaka-s3", EXAMPLE_KEY, json!("2026/11/29"))]);
    let (status, report) = run_on(&env, TODAY, &[]).await;
    assert_eq!(status, 0, "{report:#}");
    let alerts: Vec<Value> = actions(&report)
        .into_iter()
        .filter(|a| a["action"] == "alert")
        .collect();
    assert_eq!(alerts.len(), 2, "{alerts:#?}");
    assert!(alerts[0]["detail"].as_str().unwrap().contains("row 3"));
    assert!(alerts[1]["detail"].as_str().unwrap().contains("not an id"));
    assert_eq!(
        env.slack.messages_to(TANAKA).len(),
        1,
        "the good rows still work"
    );
}

#[tokio::test]
async fn duplicate_rows_for_one_key_are_pointed_out() {
    let env = TestEnv::start().await;
    let key = user_with_key(&env.iam_client(), "tanaka-s3", Loadout::bare()).await;
    env.set_users(&[tanaka()]);
    // The same key twice: once expired, once re-entered with a later end date.
    env.set_requests(&[
        row("tanaka-s3", &key, json!("2026/11/01")),
        row("tanaka-s3", &key, json!("2027/03/31")),
    ]);
    let (status, report) = run_on(&env, TODAY, &[]).await;
    assert_eq!(status, 1);
    let dup = actions(&report)
        .into_iter()
        .find(|a| a["action"] == "alert")
        .expect("a duplicate alert");
    assert!(
        dup["detail"].as_str().unwrap().contains("rows 2, 3"),
        "{dup}"
    );
    let refused = action_for(&report, 2);
    assert_eq!(
        refused["outcome"], "refused",
        "the later row still needs the user"
    );
    assert!(
        refused["detail"].as_str().unwrap().contains("rows 2 and 3"),
        "{refused}"
    );
    assert!(env.iam.mutations().is_empty());
}

#[tokio::test]
async fn huge_cells_markup_and_control_characters_stay_inert() {
    let env = tanaka_env().await;
    let mut row = row("tanaka-s3", EXAMPLE_KEY, json!("2026/11/29"));
    row.purpose = json!(format!(
        "<!channel> *至急* <@UADMIN0001> <https://evil.example|click>\u{7}\n{}",
        "長".repeat(100_000)
    ));
    row.service = json!("S3 & <!here>");
    env.set_requests(&[row]);
    let (status, report) = run_on(&env, TODAY, &[]).await;
    assert_eq!(status, 0, "{report:#}");
    let sent = env.slack.messages();
    let dm = sent.iter().find(|m| m.channel == TANAKA).expect("owner DM");
    for text in [dm.text.as_str(), &env.slack.messages_to(ADMIN_IDS[0])[0]] {
        assert!(
            !text.contains("<!channel>")
                && !text.contains("<!here>")
                && !text.contains("<@UADMIN0001>"),
            "{text}"
        );
        assert!(!text.contains("<https://"), "no live links from the sheet");
        assert!(!text.contains('\u{7}'));
    }
    assert!(dm.text.contains("&lt;!channel&gt;"), "shown as typed");
    assert!(
        dm.text.chars().count() < 3_000,
        "a huge cell is cut: {} chars",
        dm.text.chars().count()
    );
    let blocks = dm.blocks.as_ref().expect("blocks");
    for block in blocks.as_array().unwrap() {
        assert_eq!(
            block["text"]["type"], "plain_text",
            "never formatted, never a mention"
        );
    }
    assert_eq!(env.google.cell(REQUEST_SHEET, "M2"), Some(json!(TODAY)));
}
