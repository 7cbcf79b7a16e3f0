//! Administrators insert rows while the endpoint works: every write goes to the row found
//! again by account and key, in a read made after the step's Slack calls (docs/rules.md §9 step 4).

use super::*;

/// Another person's row, inserted above tanaka's.
fn other_row(account: &str, key: &str) -> Vec<Value> {
    RequestRow::new("佐藤 花子", account, key, date_serial("2026-12-15")).to_values()
}

/// Waits (at most 10 s) until `done` holds.
async fn wait_until(done: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(std::time::Instant::now() < deadline, "timed out waiting");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn a_row_inserted_while_the_approval_posts_are_in_flight_does_not_get_the_request() {
    let env = start(None).await;
    assert_eq!(env.request_click(TANAKA, "1.1.1").await.status, 200);
    // Slack answers slowly: the approval posts are in flight for most of a second.
    env.slack.delay(Duration::from_millis(800));
    let reads = env.google.counts().reads;
    let insert = async {
        // The submission has read the sheet (row 2 is tanaka's): now a row goes in above it.
        wait_until(|| env.google.counts().reads > reads).await;
        env.google.edit(|s| {
            s.insert_row(
                REQUEST_SHEET,
                2,
                other_row("sato-dev", "AKIAI44QH8DHBEXAMPLE"),
            )
        });
    };
    let (answer, ()) = tokio::join!(
        env.submit(TANAKA, Some("2027-01-31"), Some("案件が延びたため")),
        insert
    );
    let answer = answer.json();
    assert!(
        answer["view"].to_string().contains("送信しました"),
        "{answer}"
    );
    assert_eq!(
        env.cell("J3"),
        Some(json!("tanaka-s3")),
        "tanaka moved to row 3"
    );
    assert_eq!(env.cell("O2"), None, "nothing in sato's row");
    let pending = env.cell("O3").expect("the request is in tanaka's row");
    assert!(
        pending.as_str().unwrap().starts_with("【延長申請中】"),
        "{pending}"
    );
    // The approval requests named row 2 when posted; they now name row 3.
    let updates = env.slack.updates();
    assert_eq!(updates.len(), 2, "{updates:?}");
    assert!(
        updates.iter().all(|u| u.text.contains("3行目")),
        "{updates:?}"
    );

    // Another row is inserted before the approval: it lands in tanaka's row (now 4) too.
    env.slack.delay(Duration::ZERO);
    env.google.edit(|s| {
        s.insert_row(
            REQUEST_SHEET,
            2,
            other_row("suzuki-dev", "AKIAJ5XQ7EXAMPLE2222"),
        )
    });
    assert_eq!(env.decide(ADMIN2, true, ADMIN2).await.status, 200);
    assert_eq!(env.cell("J4"), Some(json!("tanaka-s3")));
    assert_eq!(env.cell("I4"), Some(date_serial("2027-01-31")), "approved");
    assert_eq!(env.cell("O4"), None, "延長申請 cleared");
    let history = env.cell("P4").expect("history in tanaka's row");
    assert!(history.as_str().unwrap().contains("承認"), "{history}");
    for row in [2, 3] {
        assert_eq!(
            env.cell(&format!("I{row}")),
            Some(date_serial("2026-12-15")),
            "row {row}'s end date untouched"
        );
        assert_eq!(env.cell(&format!("O{row}")), None);
        assert_eq!(env.cell(&format!("P{row}")), None);
    }
    assert!(
        env.slack
            .messages_to(TANAKA)
            .iter()
            .any(|t| t.contains("4行目") && t.contains("承認されました")),
        "{:?}",
        env.slack.messages_to(TANAKA)
    );
}

#[tokio::test]
async fn a_request_can_be_rejected_after_its_end_date_was_edited_by_hand() {
    let env = start(None).await;
    env.pending_request(TANAKA).await;
    env.google
        .edit(|s| s.set_cell(REQUEST_SHEET, "I2", date_serial("2026-12-31")));
    // An approval would be refused (flows::a_changed_or_deleted_row_is_refused); a rejection
    // needs no end date.
    // The request is closed, the hand-edited date stays.
    assert_eq!(env.decide(ADMIN1, false, ADMIN1).await.status, 200);
    assert_eq!(env.cell("I2"), Some(date_serial("2026-12-31")));
    assert_eq!(env.cell("O2"), None, "延長申請 cleared");
    let history = env.cell("P2").expect("a 却下 line");
    assert!(history.as_str().unwrap().contains("却下"), "{history}");
    assert!(
        env.slack
            .messages_to(TANAKA)
            .iter()
            .any(|t| t.contains("却下されました") && t.contains("2026-12-31")),
        "{:?}",
        env.slack.messages_to(TANAKA)
    );
}
