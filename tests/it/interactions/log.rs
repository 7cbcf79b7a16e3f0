//! Every decision of the extension flow leaves one line in the log sheet (its own ID), and a
//! reason typed in Slack stays text.

use super::*;
use crate::fixtures::assert_appends_are_raw_rows;

fn log_lines(env: &Env) -> Vec<Vec<Value>> {
    let sheet = env.google.sheet("keywarden_log");
    assert_eq!(sheet[0][0], "日時", "header row first: {sheet:?}");
    sheet[1..].to_vec()
}

#[tokio::test]
async fn request_and_decisions_are_logged_and_a_formula_like_reason_stays_text() {
    let env = start(None).await;
    assert_eq!(env.request_click(TANAKA, "1.1.1").await.status, 200);
    let reason = "=IMPORTXML(\"http://x\",\"//a\") 案件延長";
    let answer = env.submit(TANAKA, Some("2027-01-31"), Some(reason)).await;
    assert_eq!(
        answer.json()["response_action"],
        "update",
        "{}",
        answer.body
    );
    let lines = log_lines(&env);
    assert_eq!(lines.len(), 1, "{lines:?}");
    let request = &lines[0];
    assert_eq!(request[3], json!(2));
    assert_eq!(request[4], "田中 太郎");
    assert_eq!(request[5], "tanaka-s3");
    assert_eq!(request[6], EXAMPLE_KEY);
    assert_eq!(request[7], "extension_request");
    assert_eq!(request[8], "done");
    let detail = request[9].as_str().expect("text, not a formula");
    assert!(
        detail.contains(reason) && detail.contains(TANAKA),
        "{detail}"
    );
    assert!(request[0].as_str().unwrap().ends_with("+09:00"));

    // The other administrator approves: one more line, with its own ID.
    let appends = env.google.counts().appends;
    assert_eq!(env.decide(ADMIN2, true, ADMIN2).await.status, 200);
    let lines = log_lines(&env);
    assert_eq!(lines.len(), 2, "{lines:?}");
    let approve = &lines[1];
    assert_eq!(approve[7], "extension_approve");
    assert_eq!(approve[8], "done");
    let detail = approve[9].as_str().unwrap();
    assert!(
        detail.contains("2026-11-29 → 2027-01-31") && detail.contains(ADMIN2),
        "who approved: {detail}"
    );
    assert_ne!(approve[1], request[1], "one ID per interaction");
    assert_eq!(env.google.counts().appends, appends + 1);
    let sheet_updates = env.google.counts().sheet_updates;
    assert_eq!(sheet_updates, 1, "the sheet was added once");
    assert_appends_are_raw_rows(&env.google);
}

#[tokio::test]
async fn a_rejection_is_logged() {
    let env = start(None).await;
    env.pending_request(TANAKA).await;
    assert_eq!(env.decide(ADMIN1, false, ADMIN1).await.status, 200);
    let lines = log_lines(&env);
    let actions: Vec<_> = lines.iter().map(|l| l[7].clone()).collect();
    assert_eq!(
        actions,
        [json!("extension_request"), json!("extension_reject")]
    );
    assert!(lines[1][9].as_str().unwrap().contains("却下"), "{lines:?}");
}
