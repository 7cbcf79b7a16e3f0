//! Every way a run can go wrong ends in a correct state that the next run finishes: faults of
//! Slack, Google and IAM injected into the local fakes, and administrators editing mid-run.

use crate::fixtures::{
    EXAMPLE_KEY, TANAKA, TODAY, detail, key_status, row, run_json, tanaka, user_with_key,
};
use crate::support;

use std::time::{Duration, Instant};

use keywarden::adapters::iam::AwsIam;
use keywarden::adapters::{Iam, StepResult};
use keywarden::core::domain::{AccessKeyId, IamUserName};
use keywarden::core::teardown::Step;
use serde_json::json;
use support::app::{ADMIN_IDS, REQUEST_SHEET, RequestRow, TestEnv, UserRow, action_for};
use support::google::Endpoint;
use support::moto::{Loadout, iam_client, remaining};

/// A user due for teardown in row 2 and, optionally, a notice due in row 3.
async fn due_env(loadout: Loadout, with_notice: bool) -> (TestEnv, String) {
    let env = TestEnv::start().await;
    let key = user_with_key(&env.iam_client(), "tanaka-s3", loadout).await;
    env.set_users(&[tanaka()]);
    let mut rows = vec![row("tanaka-s3", &key, json!("2026/11/20"))];
    if with_notice {
        rows.push(row("tanaka-app", EXAMPLE_KEY, json!("2026/11/29")));
    }
    env.set_requests(&rows);
    (env, key)
}

// --- Slack -------------------------------------------------------------------------------

#[tokio::test]
async fn slack_server_errors_are_retried() {
    let (env, _) = due_env(Loadout::bare(), true).await;
    env.slack.fail_http_next(2, 503);
    let (status, report) = run_json(&env).await;
    assert_eq!(status, 0, "{report:#}");
    assert_eq!(action_for(&report, 3)["outcome"], "done");
    assert_eq!(
        env.slack.messages_to(TANAKA).len(),
        2,
        "deletion notice and notice both arrived"
    );
}

#[tokio::test]
async fn slack_timeouts_are_bounded_and_leave_the_notice_for_next_run() {
    let (mut env, _) = due_env(Loadout::bare(), true).await;
    env.set_env("KEYWARDEN_HTTP_TIMEOUT_SECS", "1");
    env.set_env("KEYWARDEN_ADMIN_SLACK_IDS", ADMIN_IDS[0]);
    env.slack.delay(Duration::from_secs(3));
    let started = Instant::now();
    let (status, report) = run_json(&env).await;
    assert!(
        started.elapsed() < Duration::from_secs(100),
        "bounded: {:?}",
        started.elapsed()
    );
    assert_eq!(status, 1);
    assert_eq!(action_for(&report, 3)["outcome"], "failed");
    assert!(
        detail(&report, 3).contains("no answer within 1 s"),
        "{report:#}"
    );
    // The teardown still happened and was written; the notice was not recorded.
    assert_eq!(action_for(&report, 2)["outcome"], "done");
    assert_eq!(
        env.google.cell(REQUEST_SHEET, "K2"),
        Some(json!("削除済み"))
    );
    assert_eq!(env.google.cell(REQUEST_SHEET, "M3"), None);
    // Each DM was tried several times (1 s each, plus backoff) before giving up.
    assert!(
        started.elapsed() >= Duration::from_secs(5),
        "retried: {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn an_unreachable_owner_is_not_retried_and_is_noticed_again_next_run() {
    let (env, _) = due_env(Loadout::bare(), true).await;
    env.slack.fail_channel(TANAKA, "channel_not_found");
    let (status, report) = run_json(&env).await;
    assert_eq!(status, 1);
    let notice = action_for(&report, 3);
    assert_eq!(notice["outcome"], "failed");
    assert!(detail(&report, 3).contains("channel_not_found"), "{notice}");
    assert_eq!(
        env.slack.post_attempts(),
        2 + ADMIN_IDS.len(),
        "one attempt per DM, no retry"
    );
    assert_eq!(
        env.google.cell(REQUEST_SHEET, "M3"),
        None,
        "通知日 not written"
    );
    assert_eq!(
        env.google.cell(REQUEST_SHEET, "K2"),
        Some(json!("削除済み")),
        "the run went on"
    );
    let alert = report["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["action"] == "alert" && a["row"] == json!(2))
        .cloned();
    assert!(
        alert.is_some_and(|a| a["outcome"] == "failed"),
        "the deletion notice failure is an alert: {report:#}"
    );
    assert!(env.slack.messages_to(ADMIN_IDS[0])[0].contains("channel_not_found"));

    // Fixed on Slack's side: the next run notifies, once.
    env.slack.heal_channel(TANAKA);
    let (status, report) = run_json(&env).await;
    assert_eq!(status, 0, "{report:#}");
    assert_eq!(action_for(&report, 3)["outcome"], "done");
    assert_eq!(env.slack.messages_to(TANAKA).len(), 1);
    assert_eq!(env.google.cell(REQUEST_SHEET, "M3"), Some(json!(TODAY)));
}

#[tokio::test]
async fn an_invalid_slack_token_fails_messages_but_not_the_teardown() {
    let (mut env, _) = due_env(Loadout::bare(), true).await;
    env.set_env("SLACK_BOT_TOKEN", "xoxb-wrong-token");
    let (status, report) = run_json(&env).await;
    assert_eq!(status, 1);
    assert!(detail(&report, 3).contains("invalid_auth"), "{report:#}");
    assert_eq!(action_for(&report, 2)["outcome"], "done");
    assert_eq!(
        env.google.cell(REQUEST_SHEET, "K2"),
        Some(json!("削除済み"))
    );
    assert_eq!(env.google.cell(REQUEST_SHEET, "M3"), None);
    assert!(env.slack.messages().is_empty());
    let summary_alerts = report["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["row"].is_null() && a["outcome"] == "failed")
        .count();
    assert_eq!(
        summary_alerts,
        ADMIN_IDS.len(),
        "each undelivered summary is reported"
    );
}

// --- Google ------------------------------------------------------------------------------

#[tokio::test]
async fn a_failing_token_endpoint_means_nothing_runs() {
    let (env, _) = due_env(Loadout::bare(), true).await;
    env.google.fail_next(Endpoint::Token, 500, 100);
    let out = env.run(&["run", "--today", TODAY]).await;
    assert_eq!(out.status, 2, "{}", out.stderr);
    assert!(out.stderr.contains("access token"), "{}", out.stderr);
    assert!(env.iam.calls().is_empty());
    assert!(env.slack.messages().is_empty());
}

#[tokio::test]
async fn reads_are_retried_then_give_up_with_exit_2() {
    let (env, _) = due_env(Loadout::bare(), false).await;
    env.google.fail_next(Endpoint::Read, 503, 2);
    let (status, _) = run_json(&env).await;
    assert_eq!(status, 0, "two 503s are retried");
    assert_eq!(
        env.google.cell(REQUEST_SHEET, "K2"),
        Some(json!("削除済み"))
    );

    let (env, _) = due_env(Loadout::bare(), false).await;
    env.google.fail_next(Endpoint::Read, 429, 100);
    let out = env.run(&["run", "--today", TODAY]).await;
    assert_eq!(out.status, 2);
    assert!(out.stderr.contains("429"), "{}", out.stderr);
    assert!(env.iam.mutations().is_empty(), "nothing changed");
    assert!(env.slack.messages().is_empty());
}

#[tokio::test]
async fn a_failed_write_back_is_finished_by_the_next_run() {
    let (env, _) = due_env(Loadout::original(), false).await;
    env.google.fail_next(Endpoint::Write, 503, 100);
    let (status, report) = run_json(&env).await;
    assert_eq!(status, 1);
    assert_eq!(action_for(&report, 2)["outcome"], "failed");
    assert!(
        detail(&report, 2).contains("削除済み was not written"),
        "{report:#}"
    );
    assert!(
        remaining(&env.iam_client(), "tanaka-s3").await.is_empty(),
        "the teardown itself happened"
    );
    assert_eq!(env.google.cell(REQUEST_SHEET, "K2"), None);

    // Google is back (a Lambda retry, or tomorrow): the user is gone, 削除済み is written.
    env.google.fail_next(Endpoint::Write, 503, 0);
    let (status, report) = run_json(&env).await;
    assert_eq!(status, 0, "{report:#}");
    assert!(detail(&report, 2).contains("already gone"));
    assert_eq!(
        env.google.cell(REQUEST_SHEET, "K2"),
        Some(json!("削除済み"))
    );
}

// --- IAM ---------------------------------------------------------------------------------

#[tokio::test]
async fn iam_throttling_and_server_errors_are_retried() {
    let (env, _) = due_env(Loadout::original(), false).await;
    env.iam
        .fail_next("ListAccessKeys", 500, "ServiceFailure", 1);
    env.iam.fail_next("DeleteUser", 400, "Throttling", 2);
    let (status, report) = run_json(&env).await;
    assert_eq!(status, 0, "{report:#}");
    assert!(remaining(&env.iam_client(), "tanaka-s3").await.is_empty());
    let delete_user_calls = env
        .iam
        .calls()
        .iter()
        .filter(|c| c.action == "DeleteUser")
        .count();
    assert_eq!(delete_user_calls, 3, "two throttled, then done");
}

#[tokio::test]
async fn a_teardown_interrupted_half_way_is_resumed_by_the_next_run() {
    let (env, _) = due_env(Loadout::default(), false).await;
    env.iam.fail_next("DeleteUser", 403, "AccessDenied", 1);
    let (status, report) = run_json(&env).await;
    assert_eq!(status, 1);
    assert!(
        detail(&report, 2).contains("stopped at \"delete user\""),
        "{report:#}"
    );
    assert_eq!(
        env.google.cell(REQUEST_SHEET, "K2"),
        None,
        "not marked while the user exists"
    );
    let left = remaining(&env.iam_client(), "tanaka-s3").await;
    assert!(left.contains(&"user tanaka-s3".to_string()), "{left:?}");
    assert!(
        !left.iter().any(|l| l.starts_with("access key")),
        "dependents already removed: {left:?}"
    );

    // The next run finds a user with no keys (an interrupted teardown) and finishes it,
    // including the user's own policy that the first run had already detached.
    let (status, report) = run_json(&env).await;
    assert_eq!(status, 0, "{report:#}");
    assert_eq!(
        remaining(&env.iam_client(), "tanaka-s3").await,
        Vec::<String>::new()
    );
    assert_eq!(
        env.google.cell(REQUEST_SHEET, "K2"),
        Some(json!("削除済み"))
    );
    assert!(
        env.iam.calls().iter().all(|c| c.status != 409),
        "the strict layer never saw a delete conflict"
    );
}

#[tokio::test]
async fn every_step_tolerates_no_such_entity() {
    let env = TestEnv::start().await;
    let iam = AwsIam::with_client(iam_client(&env.iam.endpoint()));
    let ghost = IamUserName::parse("ghost-user").unwrap();
    let key = AccessKeyId::parse("AKIAGHOSTKEY00000001").unwrap();
    let steps = [
        Step::DeleteLoginProfile,
        Step::DeleteAccessKey(key),
        Step::DeleteSigningCertificate("CERTGHOST0000000000000000000000".into()),
        Step::DeleteSshPublicKey("APKAGHOST000000000000".into()),
        Step::DeleteServiceSpecificCredential("ACCAGHOST000000000000".into()),
        Step::DeactivateMfaDevice("arn:aws:iam::123456789012:mfa/ghost-user".into()),
        Step::DeleteVirtualMfaDevice("arn:aws:iam::123456789012:mfa/ghost-user".into()),
        Step::DeleteInlinePolicy("ghost-inline".into()),
        Step::DetachPolicy("arn:aws:iam::123456789012:policy/ghost-user".into()),
        Step::RemoveFromGroup("ghost-group".into()),
        Step::DeleteUser,
        Step::DeleteOwnPolicy("arn:aws:iam::123456789012:policy/ghost-user".into()),
        Step::UntagTeardown(AccessKeyId::parse("AKIAGHOSTKEY00000001").unwrap()),
    ];
    for step in &steps {
        assert_eq!(
            iam.apply(&ghost, step).await,
            Ok(StepResult::AlreadyGone),
            "{step}"
        );
    }
    assert_eq!(iam.inventory(&ghost).await, Ok(None));
}

// --- Administrators editing during the run -----------------------------------------------

#[tokio::test]
async fn a_row_inserted_above_moves_the_write() {
    let (env, _) = due_env(Loadout::bare(), false).await;
    env.google.on_read(Box::new(|sheets, n| {
        if n == 2 {
            let row = RequestRow::new(
                "新人 一郎",
                "newcomer",
                "AKIANEWCOMER00000001",
                json!("2027/01/31"),
            )
            .to_values();
            sheets.insert_row(REQUEST_SHEET, 2, row);
        }
    }));
    let (status, report) = run_json(&env).await;
    assert_eq!(status, 0, "{report:#}");
    assert_eq!(
        env.google.cell(REQUEST_SHEET, "J2"),
        Some(json!("newcomer"))
    );
    assert_eq!(
        env.google.cell(REQUEST_SHEET, "K2"),
        None,
        "the inserted row is untouched"
    );
    assert_eq!(
        env.google.cell(REQUEST_SHEET, "K3"),
        Some(json!("削除済み"))
    );
    assert_eq!(
        action_for(&report, 3)["action"],
        "delete",
        "the report names the row it wrote"
    );
}

#[tokio::test]
async fn sorted_rows_each_get_their_own_write() {
    let env = TestEnv::start().await;
    let client = env.iam_client();
    let a = user_with_key(&client, "user-a", Loadout::bare()).await;
    let b = user_with_key(&client, "user-b", Loadout::bare()).await;
    env.set_requests(&[
        RequestRow::new("A A", "user-a", &a, json!("2026/11/20")),
        RequestRow::new("B B", "user-b", &b, json!("2026/11/29")),
        RequestRow::new("C C", "user-c", "AKIAUSERC00000000001", json!("2027/05/01")),
    ]);
    env.set_users(&[
        UserRow::new("U0AAAAA001", "A", "A"),
        UserRow::new("U0BBBBB001", "B", "B"),
    ]);
    env.google.on_read(Box::new(|sheets, n| {
        if n == 2 {
            let rows = sheets.rows_mut(REQUEST_SHEET);
            rows[1..].reverse();
        }
    }));
    let (status, report) = run_json(&env).await;
    assert_eq!(status, 0, "{report:#}");
    // After the sort: row 2 = C, row 3 = B, row 4 = A.
    assert_eq!(env.google.cell(REQUEST_SHEET, "J4"), Some(json!("user-a")));
    assert_eq!(
        env.google.cell(REQUEST_SHEET, "K4"),
        Some(json!("削除済み"))
    );
    assert_eq!(env.google.cell(REQUEST_SHEET, "M3"), Some(json!(TODAY)));
    assert_eq!(env.google.cell(REQUEST_SHEET, "K2"), None);
    assert_eq!(env.google.cell(REQUEST_SHEET, "M2"), None);
}

#[tokio::test]
async fn a_deleted_target_row_is_reported_not_overwritten() {
    let (env, _) = due_env(Loadout::bare(), true).await;
    env.google.on_read(Box::new(|sheets, n| {
        if n == 2 {
            sheets.delete_row(REQUEST_SHEET, 2);
        }
    }));
    let (status, report) = run_json(&env).await;
    assert_eq!(status, 1);
    assert!(
        detail(&report, 2).contains("no single row holds tanaka-s3"),
        "{report:#}"
    );
    // The notice row moved up to row 2 and got its 通知日 there; nothing else was written.
    assert_eq!(
        env.google.cell(REQUEST_SHEET, "J2"),
        Some(json!("tanaka-app"))
    );
    assert_eq!(env.google.cell(REQUEST_SHEET, "M2"), Some(json!(TODAY)));
    assert_eq!(env.google.cell(REQUEST_SHEET, "K2"), None);
    // The summary says it in Japanese (the report keeps "no single row holds").
    let summary = &env.slack.messages_to(ADMIN_IDS[0])[0];
    assert!(
        summary.contains("を持つ行が 1 行に定まりません"),
        "{summary}"
    );
}

/// An administrator who types 延長 while the run sets the row's key Inactive keeps it: the
/// deactivation is reported done and says the status was left as written, 無効化日 is written,
/// 状態 is not overwritten with 無効化済み, and so the next run sets the key Active again, as
/// for any extension of a deactivated row.
#[tokio::test]
async fn an_extension_typed_during_a_deactivation_is_not_overwritten() {
    let (mut env, key) = due_env(Loadout::bare(), false).await;
    env.set_env("KEYWARDEN_DEACTIVATE_GRACE_DAYS", "3");
    env.google.on_read(Box::new(|sheets, n| {
        // The run's first read is done; the next is the re-check before its write.
        if n == 2 {
            sheets.set_cell(REQUEST_SHEET, "K2", json!("延長"));
        }
    }));
    let (status, report) = run_json(&env).await;
    // 状態 is theirs, not 無効化済み.
    assert_eq!(env.google.cell(REQUEST_SHEET, "K2"), Some(json!("延長")));
    assert_eq!(status, 0, "{report:#}");
    let a = action_for(&report, 2);
    assert_eq!(a["action"], "deactivate", "{a}");
    assert_eq!(a["outcome"], "done", "{a}");
    let d = detail(&report, 2);
    assert!(
        d.contains("set Inactive")
            && d.contains("状態 left as an administrator wrote it during the run (\"延長\")"),
        "{d}"
    );
    assert_eq!(
        env.google.cell(REQUEST_SHEET, "M1"),
        Some(json!("無効化日"))
    );
    assert_eq!(env.google.cell(REQUEST_SHEET, "M2"), Some(json!(TODAY)));
    assert_eq!(
        key_status(&env, "tanaka-s3").await,
        vec![(key.clone(), "Inactive".to_string())]
    );
    let summary = env.slack.messages_to(ADMIN_IDS[0]).join("\n");
    assert!(
        summary.contains("状態 は実行中に管理者が書き換えたまま（「延長」）にしました"),
        "{summary}"
    );

    // The next run finds 延長 with 無効化日 set: the key keywarden set Inactive is Active again.
    let (status, report) = run_json(&env).await;
    assert_eq!(status, 0, "{report:#}");
    assert_eq!(action_for(&report, 2)["action"], "reactivate", "{report:#}");
    assert_eq!(
        key_status(&env, "tanaka-s3").await,
        vec![(key, "Active".to_string())]
    );
    assert_eq!(env.google.cell(REQUEST_SHEET, "K2"), Some(json!("延長")));
}

/// The same for a teardown: the user is deleted and the deletion reported done, and the
/// 延長 typed meanwhile stays in 状態 instead of 削除済み.
#[tokio::test]
async fn an_extension_typed_during_a_teardown_is_not_overwritten() {
    let (env, _) = due_env(Loadout::bare(), false).await;
    env.google.on_read(Box::new(|sheets, n| {
        if n == 2 {
            sheets.set_cell(REQUEST_SHEET, "K2", json!("延長"));
        }
    }));
    let (status, report) = run_json(&env).await;
    // 状態 is theirs, not 削除済み.
    assert_eq!(env.google.cell(REQUEST_SHEET, "K2"), Some(json!("延長")));
    assert_eq!(status, 0, "{report:#}");
    let a = action_for(&report, 2);
    assert_eq!(a["action"], "delete", "{a}");
    assert_eq!(a["outcome"], "done", "{a}");
    let d = detail(&report, 2);
    assert!(
        d.contains(
            "状態 left as an administrator wrote it during the run (\"延長\"): 削除済み not written"
        ),
        "{d}"
    );
    assert!(remaining(&env.iam_client(), "tanaka-s3").await.is_empty());
}

#[tokio::test]
async fn two_runs_on_one_day_notify_once_and_tear_down_once() {
    let (env, _) = due_env(Loadout::default(), true).await;
    let (first, _) = run_json(&env).await;
    assert_eq!(first, 0);
    let mutations = env.iam.mutations().len();
    let messages = env.slack.messages().len();
    let (second, report) = run_json(&env).await;
    assert_eq!(second, 0, "{report:#}");
    assert_eq!(env.iam.mutations().len(), mutations, "no second teardown");
    assert_eq!(
        env.slack.messages().len(),
        messages,
        "no second notice, nothing to report"
    );
    assert_eq!(action_for(&report, 2)["action"], "skip");
}

#[tokio::test]
async fn a_policy_left_after_the_user_is_named_and_the_row_still_marked() {
    let (env, _) = due_env(Loadout::original(), false).await;
    env.iam.fail_next("DeletePolicy", 403, "AccessDenied", 10);
    let (status, report) = run_json(&env).await;
    assert_eq!(status, 1);
    let d = detail(&report, 2);
    assert!(
        d.contains("deleted, but")
            && d.contains("delete it by hand")
            && d.contains("policy/tanaka-s3"),
        "{d}"
    );
    assert!(
        env.iam_client()
            .get_user()
            .user_name("tanaka-s3")
            .send()
            .await
            .is_err(),
        "the user is gone"
    );
    assert_eq!(
        env.google.cell(REQUEST_SHEET, "K2"),
        Some(json!("削除済み")),
        "the sheet says so"
    );
    assert!(
        env.slack.messages_to(TANAKA)[0].contains("削除しました"),
        "the owner is told"
    );
}

/// docs/rules.md §7: Slack's rate limit is the app's. A 429 with `Retry-After: 1` on one DM holds
/// every `chat.postMessage` of the client back until the second has passed, not only that one's
/// retry.
#[tokio::test]
async fn a_429_pauses_every_post_not_only_its_own_retry() {
    use keywarden::adapters::Messenger;
    use keywarden::core::domain::SlackUserId;
    let (slack, client) = slack_client().await;
    slack.rate_limit_next(1, 1);
    let (first, second) = (
        SlackUserId::parse("U0FIRST001").unwrap(),
        SlackUserId::parse("U0SECOND01").unwrap(),
    );
    let started = Instant::now();
    let (a, b) = tokio::join!(client.send(&first, "一通目"), async {
        // The second DM starts once the first one's 429 is in.
        while slack.post_attempts() == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        client.send(&second, "二通目").await
    });
    a.unwrap();
    b.unwrap();
    let posts: Vec<_> = slack
        .requests()
        .into_iter()
        .filter(|r| r.method == "chat.postMessage")
        .collect();
    assert_eq!(posts.len(), 3, "429, then both messages: {posts:?}");
    let limited_at = posts[0].at;
    for later in &posts[1..] {
        assert!(
            later.at.duration_since(limited_at) >= Duration::from_millis(950),
            "a post went out {:?} after the 429 with Retry-After: 1",
            later.at.duration_since(limited_at)
        );
    }
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "no needless wait"
    );
    assert_eq!(slack.messages().len(), 2);
}

/// docs/rules.md §7: a `Retry-After` over 60 s fails that message and every later one of the client
/// (one client per run) at once, without another request to Slack.
#[tokio::test]
async fn a_retry_after_over_a_minute_stops_every_later_post() {
    use keywarden::adapters::Messenger;
    use keywarden::core::domain::SlackUserId;
    let (slack, client) = slack_client().await;
    slack.rate_limit_next(1, 120);
    let to = SlackUserId::parse("U0FIRST001").unwrap();
    let started = Instant::now();
    let first = client.send(&to, "一通目").await.unwrap_err().to_string();
    assert!(first.contains("120 s"), "{first}");
    for text in ["二通目", "三通目"] {
        let later = client.send(&to, text).await.unwrap_err().to_string();
        assert!(later.contains("not sent"), "{later}");
    }
    assert_eq!(
        slack.post_attempts(),
        1,
        "only the rate-limited post reached Slack"
    );
    assert!(slack.messages().is_empty());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "nothing waited for"
    );
}

/// The fake Slack and the run's Slack client pointed at it.
async fn slack_client() -> (
    support::slack::FakeSlack,
    keywarden::adapters::slack::SlackDm,
) {
    use keywarden::core::domain::Secret;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let slack = support::slack::FakeSlack::start("xoxb-rate-limit-test").await;
    let client = keywarden::adapters::slack::SlackDm::new(
        &Secret::new("xoxb-rate-limit-test"),
        &slack.api_url(),
        Duration::from_secs(10),
    )
    .unwrap();
    (slack, client)
}
