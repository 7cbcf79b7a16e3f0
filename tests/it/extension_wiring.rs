//! docs/rules.md §9 as the binary wires it: the owner's notice carries the request button only when
//! a signing secret is configured, pending requests reach the administrators' run summary,
//! `keywarden serve` answers signed requests and refuses the rest, and `check` says whether
//! interactions are on — all against the local fakes.

use crate::fixtures::{EXAMPLE_KEY, TANAKA, notice_row, request_sheet, tanaka_env};
use crate::support;

use serde_json::{Value, json};
use support::app::{ADMIN_IDS, REQUEST_SHEET, TestEnv, date_serial};
use support::http;
use support::slack_requests::{SIGNING_SECRET, button_click, form, sign};

async fn env_with_notice() -> TestEnv {
    let env = tanaka_env().await;
    env.set_requests(&[notice_row()]);
    env
}

fn action_ids(blocks: &Option<Value>) -> Vec<String> {
    let text = blocks.as_ref().map(|b| b.to_string()).unwrap_or_default();
    text.match_indices("\"action_id\":\"")
        .map(|(i, m)| {
            text[i + m.len()..]
                .split('"')
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

#[tokio::test]
async fn the_notice_carries_the_request_button_only_with_a_signing_secret() {
    let env = env_with_notice().await;
    let out = env.run(&["run", "--today", "2026-11-22"]).await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    let plain = env.slack.messages();
    let notice = plain
        .iter()
        .find(|m| m.channel == TANAKA)
        .expect("a notice");
    assert!(
        action_ids(&notice.blocks).is_empty(),
        "no button without docs/rules.md §9"
    );
    assert!(notice.text.contains("状態欄に「延長」"), "{}", notice.text);

    let mut env = env_with_notice().await;
    env.set_env("SLACK_SIGNING_SECRET", SIGNING_SECRET);
    let out = env.run(&["run", "--today", "2026-11-22"]).await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    let messages = env.slack.messages();
    let notice = messages
        .iter()
        .find(|m| m.channel == TANAKA)
        .expect("a notice");
    assert_eq!(action_ids(&notice.blocks), vec!["keywarden_extend_request"]);
    let blocks = notice.blocks.as_ref().unwrap().to_string();
    assert!(
        blocks.contains("tanaka-s3")
            && blocks.contains(EXAMPLE_KEY)
            && blocks.contains("2026-11-29"),
        "the button's value names the row: {blocks}"
    );
    assert!(notice.text.contains("延長を申請する"), "{}", notice.text);
}

#[tokio::test]
async fn pending_requests_are_listed_in_the_run_summary() {
    let env = tanaka_env().await;
    let pending = keywarden::core::extension::record::PendingRequest {
        id: "1764000000000".into(),
        requester: keywarden::core::domain::SlackUserId::parse(TANAKA).unwrap(),
        current_end: "2027-03-31".parse().unwrap(),
        requested_end: "2027-04-30".parse().unwrap(),
        requested_at: chrono::DateTime::parse_from_rfc3339("2026-11-21T10:00:00+09:00").unwrap(),
        copies: Vec::new(),
        reason: "検証の延長".into(),
    };
    let row = notice_row().end(date_serial("2027-03-31"));
    env.google.set_sheet(
        REQUEST_SHEET,
        request_sheet(&["延長申請"], vec![(row, vec![json!(pending.to_cell())])]),
    );
    let out = env.run_daily("2026-11-22").await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    let summary = env.slack.messages_to(ADMIN_IDS[0]);
    assert_eq!(summary.len(), 1, "the pending request is worth a summary");
    assert!(
        summary[0].contains("2行目")
            && summary[0].contains("2027-04-30")
            && summary[0].contains("申請中"),
        "{}",
        summary[0]
    );
}

#[tokio::test]
async fn serve_answers_signed_requests_and_refuses_the_rest() {
    let mut env = env_with_notice().await;
    env.set_env("SLACK_SIGNING_SECRET", SIGNING_SECRET);
    let (mut child, base) = env.serve().await;
    let health = http("GET", &format!("{base}/healthz"), &[], String::new()).await;
    assert_eq!(health.status, 200, "GET /healthz");
    // Ready: a Google token and one read, and Slack's auth.test.
    let auth_tests = env.slack.auth_tests();
    let ready = http("GET", &format!("{base}/readyz"), &[], String::new()).await;
    assert_eq!(ready.status, 200, "GET /readyz: {}", ready.body);
    assert_eq!(env.slack.auth_tests(), auth_tests + 1);
    // The spreadsheet unreadable: alive, but not ready, and it says why.
    env.google
        .fail_next(support::google::Endpoint::Read, 403, 100);
    let health = http("GET", &format!("{base}/healthz"), &[], String::new()).await;
    assert_eq!(health.status, 200);
    let ready = http("GET", &format!("{base}/readyz"), &[], String::new()).await;
    assert_eq!(ready.status, 503, "{}", ready.body);
    assert!(!ready.body.contains("test-sheet-id"), "{}", ready.body);
    env.google
        .fail_next(support::google::Endpoint::Read, 403, 0);

    let value = format!(r#"{{"v":1,"a":"tanaka-s3","k":"{EXAMPLE_KEY}","e":"2026-11-29"}}"#);
    let click = button_click(
        TANAKA,
        "keywarden_extend_request",
        &value,
        &env.slack.response_url("click"),
    );
    let body = form(&click);
    let url = format!("{base}/slack/interactions");
    let form = ("content-type", "application/x-www-form-urlencoded");

    let unsigned = http("POST", &url, &[form], body.clone()).await;
    assert_eq!(unsigned.status, 401);
    let stale_ts = (chrono::Utc::now().timestamp() - 600).to_string();
    let stale = http(
        "POST",
        &url,
        &[
            form,
            ("x-slack-request-timestamp", &stale_ts),
            ("x-slack-signature", &sign(&stale_ts, &body)),
        ],
        body.clone(),
    )
    .await;
    assert_eq!(stale.status, 401, "a replay older than 5 minutes");
    assert!(
        env.slack.views().is_empty(),
        "nothing done for refused requests"
    );

    let ts = chrono::Utc::now().timestamp().to_string();
    let signed = http(
        "POST",
        &url,
        &[
            form,
            ("x-slack-request-timestamp", &ts),
            ("x-slack-signature", &sign(&ts, &body)),
        ],
        body,
    )
    .await;
    assert_eq!(signed.status, 200);
    assert_eq!(env.slack.views().len(), 1, "the modal was opened");
    assert_eq!(env.google.counts().writes, 0);

    // An oversized body is refused, and the refusal is logged like a bad signature's.
    let huge = "payload=".to_string() + &"x".repeat(3 * 1024 * 1024);
    let oversized = http("POST", &url, &[form], huge).await;
    assert_eq!(oversized.status, 413);
    child.kill().await.ok();
    let mut stderr = String::new();
    tokio::io::AsyncReadExt::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr)
        .await
        .unwrap();
    assert!(
        stderr.contains("Slack request refused (401)"),
        "the bad signatures are logged: {stderr}"
    );
    assert!(
        stderr
            .lines()
            .any(|l| l.contains("Slack request refused") && l.contains("413")),
        "the oversized body is logged: {stderr}"
    );
    assert!(!stderr.contains("xxxxxxxx"), "never the body");
    assert!(
        stderr
            .lines()
            .any(|l| l.contains("not ready (503)") && l.contains("Google Sheets")),
        "why it is not ready is logged: {stderr}"
    );
}

#[tokio::test]
async fn serve_without_a_signing_secret_says_what_to_set() {
    let env = env_with_notice().await;
    let out = env.run(&["serve", "--listen", "127.0.0.1:0"]).await;
    assert_eq!(out.status, 2);
    assert!(
        out.stderr.contains("SLACK_SIGNING_SECRET"),
        "{}",
        out.stderr
    );
}

#[tokio::test]
async fn check_says_whether_interactions_are_on_and_changes_nothing() {
    let env = env_with_notice().await;
    let out = env.run(&["check"]).await;
    assert!(
        out.stdout
            .lines()
            .any(|l| l.contains("extension requests from Slack: off")),
        "{}",
        out.stdout
    );
    let mut env = env_with_notice().await;
    env.set_env("SLACK_SIGNING_SECRET", SIGNING_SECRET);
    let out = env.run(&["check"]).await;
    assert!(
        out.stdout
            .lines()
            .any(|l| l.starts_with('✓') && l.contains("extension requests from Slack: on")),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains(SIGNING_SECRET) && !out.stderr.contains(SIGNING_SECRET));
    assert!(env.slack.messages().is_empty(), "check posts nothing");
    assert_eq!(env.google.counts().writes, 0, "check writes nothing");
}
