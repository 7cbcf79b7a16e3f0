//! The paths of docs/rules.md §9 that change the sheet, and the refusals that must not.

use super::*;

#[tokio::test]
async fn health_check_answers() {
    let env = start(None).await;
    let reply = http("GET", &format!("{}/healthz", env.base), &[], "").await;
    assert_eq!((reply.status, reply.body.as_str()), (200, "ok"));
}

#[tokio::test]
async fn request_then_approval_moves_the_end_date_and_records_history() {
    let env = start(None).await;

    // The click opens the modal with the contracted IDs and end date + 30 days.
    let reply = env.request_click(TANAKA, "1.1.1").await;
    assert_eq!((reply.status, reply.body.as_str()), (200, ""));
    let views = env.slack.views();
    assert_eq!(views.len(), 1, "{views:?}");
    let view = &views[0];
    assert_eq!(view["trigger_id"], "1.1.1");
    assert_eq!(view["callback_id"], "keywarden_extend");
    assert_eq!(view["blocks"][1]["element"]["action_id"], "new_end_date");
    assert_eq!(view["blocks"][1]["element"]["initial_date"], "2026-12-29");
    assert_eq!(view["blocks"][2]["element"]["action_id"], "reason");
    assert_eq!(view["private_metadata"], ROW_VALUE);

    // Bad submissions are answered with errors per block; nothing is written or sent.
    let sheet_before = env.google.sheet(REQUEST_SHEET);
    let early = env
        .submit(TANAKA, Some("2026-11-01"), Some("理由"))
        .await
        .json();
    assert_eq!(early["response_action"], "errors");
    assert!(
        early["errors"]["new_end_date"]
            .as_str()
            .unwrap()
            .contains("2026-11-29")
    );
    let far = env
        .submit(TANAKA, Some("2027-03-01"), Some("理由"))
        .await
        .json();
    assert!(
        far["errors"]["new_end_date"]
            .as_str()
            .unwrap()
            .contains("90日"),
        "{far}"
    );
    let no_reason = env
        .submit(TANAKA, Some("2027-01-31"), Some("  "))
        .await
        .json();
    assert_eq!(no_reason["response_action"], "errors");
    assert!(no_reason["errors"]["reason"].is_string(), "{no_reason}");
    assert_eq!(env.google.sheet(REQUEST_SHEET), sheet_before);
    assert!(env.slack.messages().is_empty());

    // A good submission: one write of the pending request, an approval request per admin.
    let sent = env
        .submit(TANAKA, Some("2027-01-31"), Some("案件が延びたため"))
        .await
        .json();
    assert_eq!(sent["response_action"], "update");
    assert!(
        sent["view"]["blocks"][0]["text"]["text"]
            .as_str()
            .unwrap()
            .contains("送信しました")
    );
    assert_eq!(env.cell("O1"), Some(json!("延長申請")));
    let pending = env.cell("O2").unwrap();
    let pending = pending.as_str().unwrap();
    assert!(pending.starts_with("【延長申請中】"), "{pending}");
    assert!(
        pending.contains("申請者: U0TANAKA01") && pending.contains("希望終了日: 2027-01-31"),
        "{pending}"
    );
    assert!(
        pending.contains("DUADMIN0001/") && pending.contains("DUADMIN0002/"),
        "{pending}"
    );
    assert_eq!(
        env.cell("I2"),
        Some(date_serial("2026-11-29")),
        "the end date waits for approval"
    );
    for admin in [ADMIN1, ADMIN2] {
        let texts = env.slack.messages_to(admin);
        assert_eq!(texts.len(), 1, "{texts:?}");
        assert!(
            texts[0].contains("tanaka-s3")
                && texts[0].contains("2027-01-31")
                && texts[0].contains("案件が延びたため")
        );
    }

    // Another administrator approves: one write moves the date, clears the request, appends history.
    let writes_before = env.google.counts().writes;
    let reply = env.decide(ADMIN2, true, ADMIN2).await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        env.google.counts().writes,
        writes_before + 1,
        "one batchUpdate"
    );
    assert_eq!(
        env.cell("I2"),
        Some(date_serial("2027-01-31")),
        "a real date (serial number)"
    );
    assert_eq!(env.cell("O2"), None, "延長申請 cleared");
    assert_eq!(env.cell("P1"), Some(json!("延長履歴")));
    let history = env.cell("P2").unwrap();
    assert!(
        history.as_str().unwrap().contains(
            "承認 2026-11-29 → 2027-01-31 申請:U0TANAKA01 承認:UADMIN0002 理由:案件が延びたため"
        ),
        "{history}"
    );
    let updates = env.slack.updates();
    let mut channels: Vec<_> = updates.iter().map(|u| u.channel.clone()).collect();
    channels.sort();
    assert_eq!(
        channels,
        ["DUADMIN0001", "DUADMIN0002"],
        "every copy updated"
    );
    for u in &updates {
        assert!(u.text.contains("UADMIN0002 が承認しました"), "{}", u.text);
        assert!(
            !u.blocks
                .as_ref()
                .unwrap()
                .to_string()
                .contains("keywarden_extend_approve"),
            "no buttons left"
        );
    }
    let owner_dms = env.slack.messages_to(TANAKA);
    assert!(
        owner_dms
            .iter()
            .any(|t| t.contains("承認されました") && t.contains("2027-01-31")),
        "{owner_dms:?}"
    );

    // A second decision on the decided request changes nothing and says why.
    let sheet_after = env.google.sheet(REQUEST_SHEET);
    let reply = env.decide(ADMIN1, false, ADMIN1).await;
    assert_eq!(reply.status, 200);
    assert_eq!(env.google.sheet(REQUEST_SHEET), sheet_after);
    assert_eq!(env.slack.updates().len(), 2);
    assert!(
        env.responses_to(ADMIN1)
            .iter()
            .any(|t| t.contains("処理済み")),
        "{:?}",
        env.slack.responses()
    );
}

#[tokio::test]
async fn rejection_keeps_the_end_date_and_records_it() {
    let env = start(None).await;
    env.pending_request(TANAKA).await;
    assert_eq!(env.decide(ADMIN1, false, ADMIN1).await.status, 200);
    assert_eq!(env.cell("I2"), Some(date_serial("2026-11-29")));
    assert_eq!(env.cell("O2"), None);
    let history = env.cell("P2").unwrap();
    assert!(
        history
            .as_str()
            .unwrap()
            .contains("却下 2026-11-29 → 2027-01-31 申請:U0TANAKA01 却下:UADMIN0001"),
        "{history}"
    );
    assert!(
        env.slack
            .messages_to(TANAKA)
            .iter()
            .any(|t| t.contains("却下されました"))
    );
    assert!(
        env.slack
            .updates()
            .iter()
            .all(|u| u.text.contains("UADMIN0001 が却下しました"))
    );
}

#[tokio::test]
async fn the_approval_channel_replaces_admin_dms() {
    let env = start(Some("C0APPROVE1")).await;
    env.pending_request(TANAKA).await;
    assert_eq!(env.slack.messages_to("C0APPROVE1").len(), 1);
    assert!(env.slack.messages_to(ADMIN1).is_empty() && env.slack.messages_to(ADMIN2).is_empty());
    assert!(
        env.cell("O2")
            .unwrap()
            .as_str()
            .unwrap()
            .contains("C0APPROVE1/")
    );
}

#[tokio::test]
async fn self_approval_and_non_admins_are_refused() {
    let env = start(None).await;
    env.pending_request(ADMIN1).await;
    let before = env.google.sheet(REQUEST_SHEET);
    env.decide(ADMIN1, true, ADMIN2).await;
    assert!(
        env.responses_to(ADMIN1)
            .iter()
            .any(|t| t.contains("自分の延長申請")),
        "{:?}",
        env.slack.responses()
    );
    env.decide(TANAKA, true, ADMIN2).await;
    assert!(
        env.responses_to(TANAKA)
            .iter()
            .any(|t| t.contains("管理者だけ")),
        "{:?}",
        env.slack.responses()
    );
    assert_eq!(env.google.sheet(REQUEST_SHEET), before);
    assert!(env.slack.updates().is_empty());
    // The owner, not an admin, is told an admin asked for them.
    assert!(
        env.slack
            .messages_to(TANAKA)
            .iter()
            .any(|t| t.contains("管理者 UADMIN0001"))
    );
}

#[tokio::test]
async fn the_owner_cannot_decide_a_request_another_admin_filed_for_them() {
    // The row's owner by users_json (TANAKA) is an administrator too; ADMIN1 files for them.
    let env = start_with(None, &[ADMIN1, ADMIN2, TANAKA]).await;
    env.pending_request(ADMIN1).await;
    let before = env.google.sheet(REQUEST_SHEET);
    let writes = env.google.counts().writes;
    for approve in [true, false] {
        assert_eq!(env.decide(TANAKA, approve, TANAKA).await.status, 200);
    }
    let told: Vec<String> = env
        .responses_to(TANAKA)
        .into_iter()
        .filter(|t| t.contains("自分が利用者のアクセスキーの延長申請"))
        .collect();
    assert_eq!(told.len(), 2, "{:?}", env.slack.responses());
    assert_eq!(env.google.sheet(REQUEST_SHEET), before, "nothing written");
    assert_eq!(env.google.counts().writes, writes);
    assert!(env.slack.updates().is_empty(), "the buttons stay");
    assert!(
        !env.slack
            .messages_to(TANAKA)
            .iter()
            .any(|t| t.contains("承認されました") || t.contains("却下されました")),
        "{:?}",
        env.slack.messages_to(TANAKA)
    );

    // Another administrator, neither requester nor owner, decides.
    assert_eq!(env.decide(ADMIN2, true, ADMIN2).await.status, 200);
    assert_eq!(env.cell("I2"), Some(date_serial("2027-01-31")));
    assert_eq!(env.cell("O2"), None, "延長申請 cleared");
    let history = env.cell("P2").unwrap();
    assert!(
        history
            .as_str()
            .unwrap()
            .contains("承認 2026-11-29 → 2027-01-31 申請:UADMIN0001 承認:UADMIN0002"),
        "{history}"
    );
    assert!(
        env.slack
            .messages_to(TANAKA)
            .iter()
            .any(|t| t.contains("承認されました") && t.contains("2027-01-31")),
        "{:?}",
        env.slack.messages_to(TANAKA)
    );
}

#[tokio::test]
async fn strangers_cannot_request_and_a_second_request_names_the_pending_one() {
    let env = start(None).await;
    env.request_click("U0STRANGER", "2.2.2").await;
    assert!(
        env.responses_to("U0STRANGER")
            .iter()
            .any(|t| t.contains("利用者")),
        "{:?}",
        env.slack.responses()
    );
    assert!(env.slack.views().is_empty());
    env.pending_request(TANAKA).await;
    env.request_click(TANAKA, "3.3.3").await;
    let told = env.responses_to(TANAKA);
    assert!(
        told.iter()
            .any(|t| t.contains("処理待ち") && t.contains("2027-01-31")),
        "{told:?}"
    );
    let again = env
        .submit(TANAKA, Some("2027-02-01"), Some("もう一度"))
        .await
        .json();
    assert!(again["view"].to_string().contains("処理待ち"), "{again}");
    assert_eq!(
        env.slack.messages_to(ADMIN1).len(),
        1,
        "no second approval request"
    );
}

#[tokio::test]
async fn two_approvals_racing_only_one_wins() {
    let env = start(None).await;
    env.pending_request(TANAKA).await;
    let (a, b) = tokio::join!(
        env.decide(ADMIN1, true, ADMIN1),
        env.decide(ADMIN2, false, ADMIN2)
    );
    assert_eq!((a.status, b.status), (200, 200));
    let history = env.cell("P2").unwrap();
    assert_eq!(history.as_str().unwrap().lines().count(), 1, "{history}");
    assert_eq!(
        env.slack.updates().len(),
        2,
        "one decision updated both copies"
    );
    let refused: Vec<_> = env
        .slack
        .responses()
        .into_iter()
        .filter(|(_, b)| b["text"].as_str().unwrap_or("").contains("処理済み"))
        .collect();
    assert_eq!(refused.len(), 1, "{:?}", env.slack.responses());
}

#[tokio::test]
async fn a_changed_or_deleted_row_is_refused() {
    let env = start(None).await;
    env.pending_request(TANAKA).await;
    env.google
        .edit(|s| s.set_cell(REQUEST_SHEET, "K2", json!("削除済み")));
    let before = env.google.sheet(REQUEST_SHEET);
    env.decide(ADMIN1, true, ADMIN1).await;
    assert!(
        env.responses_to(ADMIN1)
            .iter()
            .any(|t| t.contains("削除済み")),
        "{:?}",
        env.slack.responses()
    );
    assert_eq!(env.google.sheet(REQUEST_SHEET), before);

    env.google.edit(|s| {
        s.set_cell(REQUEST_SHEET, "K2", json!(""));
        s.set_cell(REQUEST_SHEET, "I2", date_serial("2026-12-31"));
    });
    let before = env.google.sheet(REQUEST_SHEET);
    env.decide(ADMIN2, true, ADMIN2).await;
    assert!(
        env.responses_to(ADMIN2)
            .iter()
            .any(|t| t.contains("利用終了日が申請時")),
        "{:?}",
        env.slack.responses()
    );
    assert_eq!(env.google.sheet(REQUEST_SHEET), before);

    env.google
        .edit(|s| s.set_cell(REQUEST_SHEET, "L2", json!("AKIAOTHERKEY0000000")));
    env.request_click(TANAKA, "4.4.4").await;
    assert!(
        env.responses_to(TANAKA)
            .iter()
            .any(|t| t.contains("アクセスキーIDが")),
        "{:?}",
        env.slack.responses()
    );
}
