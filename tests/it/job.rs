//! The daily job end to end: the real binary against fake Google and Slack servers and moto,
//! all on 127.0.0.1 (docs/rules.md §1–§7).

use crate::fixtures::{EXAMPLE_KEY, TANAKA, row, sato, tanaka, tanaka_env, user_with_key};
use crate::support;

use serde_json::{Value, json};
use support::app::{
    ADMIN_IDS, REQUEST_SHEET, RequestRow, TestEnv, UserRow, action_for, date_serial,
};
use support::moto::{Loadout, load_user, remaining};

async fn env_with_tanaka(loadout: Loadout) -> (TestEnv, String) {
    let env = TestEnv::start().await;
    let loaded = load_user(&env.iam_client(), "tanaka-s3", loadout).await;
    env.set_users(&[tanaka(), sato()]);
    (env, loaded.access_key_ids[0].clone())
}

#[tokio::test]
async fn notice_a_week_before_then_teardown_the_day_after() {
    let (env, key) = env_with_tanaka(Loadout::original()).await;
    env.set_requests(&[row("tanaka-s3", &key, date_serial("2026-11-29"))]);

    // A week before: the owner is asked, administrators hear, 通知日 is recorded.
    let out = env.run_daily("2026-11-22").await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    let report = out.json();
    assert_eq!(report["today"], "2026-11-22");
    let notice = action_for(&report, 2);
    assert_eq!(
        (notice["action"].as_str(), notice["outcome"].as_str()),
        (Some("notify"), Some("done"))
    );
    assert_eq!(notice["account"], "tanaka-s3");
    assert_eq!(notice["access_key_id"], key.as_str());
    assert_eq!(notice["owner"], "田中 太郎");
    let owner_dm = env.slack.messages_to(TANAKA);
    assert_eq!(owner_dm.len(), 1);
    for part in [
        "tanaka-s3",
        "検証用",
        "S3",
        "2026-04-01",
        "2026-11-29",
        "延長",
    ] {
        assert!(
            owner_dm[0].contains(part),
            "{part} missing from {}",
            owner_dm[0]
        );
    }
    for admin in ADMIN_IDS {
        let texts = env.slack.messages_to(admin);
        assert_eq!(texts.len(), 1, "one summary per admin");
        assert!(
            texts[0].contains("tanaka-s3") && texts[0].contains("2行目"),
            "{}",
            texts[0]
        );
    }
    assert_eq!(env.google.cell(REQUEST_SHEET, "M1"), Some(json!("通知日")));
    assert_eq!(
        env.google.cell(REQUEST_SHEET, "M2"),
        Some(json!("2026-11-22"))
    );
    let reads = env
        .google
        .requests()
        .into_iter()
        .find(|r| r.path.ends_with("values:batchGet"))
        .unwrap();
    assert_eq!(reads.param("valueRenderOption"), Some("UNFORMATTED_VALUE"));
    assert_eq!(reads.param("dateTimeRenderOption"), Some("SERIAL_NUMBER"));
    assert_eq!(
        reads.params("ranges").len(),
        2,
        "both sheets in one batchGet"
    );
    let counts = env.google.counts();
    assert_eq!(
        (counts.reads, counts.writes),
        (2, 1),
        "read, re-check, one write"
    );
    assert!(
        env.iam.mutations().is_empty(),
        "a notice changes nothing in IAM"
    );

    // The same day again (a Lambda retry): no second notice.
    let again = env.run_daily("2026-11-22").await;
    assert_eq!(again.status, 0, "{}", again.stderr);
    assert_eq!(env.slack.messages_to(TANAKA).len(), 1, "no second notice");
    assert!(
        again.json()["actions"].as_array().unwrap().is_empty(),
        "{}",
        again.stdout
    );

    // A missed day later in the window still does not notify twice.
    env.run(&["run", "--today", "2026-11-26"]).await;
    assert_eq!(env.slack.messages_to(TANAKA).len(), 1);

    // The end date itself: nothing yet.
    let on_end = env.run_daily("2026-11-29").await;
    assert!(on_end.json()["actions"].as_array().unwrap().is_empty());
    assert!(env.iam.mutations().is_empty());

    // The day after: torn down, 削除済み written, owner and admins told.
    let after = env.run_daily("2026-11-30").await;
    assert_eq!(after.status, 0, "{}\n{}", after.stdout, after.stderr);
    let deletion = action_for(&after.json(), 2);
    assert_eq!(
        (deletion["action"].as_str(), deletion["outcome"].as_str()),
        (Some("delete"), Some("done"))
    );
    assert_eq!(
        env.google.cell(REQUEST_SHEET, "K2"),
        Some(json!("削除済み"))
    );
    assert!(remaining(&env.iam_client(), "tanaka-s3").await.is_empty());
    let owner_texts = env.slack.messages_to(TANAKA);
    assert_eq!(owner_texts.len(), 2);
    assert!(
        owner_texts[1].contains("削除しました"),
        "{}",
        owner_texts[1]
    );
    assert!(
        env.slack
            .messages_to(ADMIN_IDS[0])
            .last()
            .unwrap()
            .contains("削除")
    );

    // And the next day the row is done.
    let done = env.run_daily("2026-12-01").await;
    assert_eq!(done.status, 0);
    assert_eq!(action_for(&done.json(), 2)["action"], "skip");
}

#[tokio::test]
async fn a_fully_loaded_user_is_torn_down_in_order_and_a_shared_policy_survives() {
    let env = TestEnv::start().await;
    let client = env.iam_client();
    let loaded = load_user(&client, "tanaka-s3", Loadout::default()).await;
    let other = load_user(
        &client,
        "sato-app",
        Loadout {
            own_policy: false,
            ..Loadout::bare()
        },
    )
    .await;
    let shared = loaded.shared_policy_arn.clone().unwrap();
    client
        .attach_user_policy()
        .user_name("sato-app")
        .policy_arn(&shared)
        .send()
        .await
        .unwrap();
    env.set_users(&[tanaka()]);
    env.set_requests(&[
        row("tanaka-s3", &loaded.access_key_ids[0], json!("2026/11/20")),
        RequestRow::new(
            "佐藤 花子",
            "sato-app",
            &other.access_key_ids[0],
            json!("2027/03/31"),
        ),
    ]);

    let out = env.run_daily("2026-11-22").await;
    assert_eq!(out.status, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(action_for(&out.json(), 2)["outcome"], "done");

    // Nothing of the user is left anywhere, and the strict layer accepted every call.
    assert_eq!(remaining(&client, "tanaka-s3").await, Vec::<String>::new());
    let calls = env.iam.calls();
    assert!(
        calls.iter().all(|c| c.status < 300),
        "refused calls: {calls:#?}"
    );
    let actions: Vec<String> = env.iam.mutations().into_iter().map(|c| c.action).collect();
    let at = |name: &str| {
        actions
            .iter()
            .position(|a| a == name)
            .unwrap_or_else(|| panic!("{name} not called: {actions:?}"))
    };
    for dependent in [
        "DeleteLoginProfile",
        "DeleteAccessKey",
        "DeleteSigningCertificate",
        "DeleteSSHPublicKey",
        "DeactivateMFADevice",
        "DeleteVirtualMFADevice",
        "DeleteUserPolicy",
        "DetachUserPolicy",
        "RemoveUserFromGroup",
    ] {
        assert!(
            at(dependent) < at("DeleteUser"),
            "{dependent} after DeleteUser: {actions:?}"
        );
    }
    assert!(
        at("DeleteUser") < at("DeletePolicyVersion")
            && at("DeletePolicyVersion") < at("DeletePolicy")
    );

    // The own policy is gone (account ID from the user's ARN), the shared one still serves sato.
    let own = loaded.own_policy_arn.unwrap();
    assert!(own.contains(&loaded.account_id));
    assert!(
        client.get_policy().policy_arn(&own).send().await.is_err(),
        "own policy deleted"
    );
    assert!(
        client.get_policy().policy_arn(&shared).send().await.is_ok(),
        "shared policy kept"
    );
    let deleted: Vec<_> = env
        .iam
        .mutations()
        .into_iter()
        .filter(|c| c.action == "DeletePolicy")
        .collect();
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0].param("PolicyArn"), Some(own.as_str()));
    let sato_left = remaining(&client, "sato-app").await;
    assert_eq!(
        sato_left,
        vec![
            "user sato-app".to_string(),
            format!("access key {}", other.access_key_ids[0]),
            format!("attached policy {shared}"),
        ],
        "sato is untouched"
    );
}

#[tokio::test]
async fn reordered_columns_short_rows_and_blank_rows() {
    let env = TestEnv::start().await;
    let key = user_with_key(&env.iam_client(), "tanaka-s3", Loadout::bare()).await;
    env.set_users(&[tanaka()]);
    // Columns moved and renamed to the alternative headers, an extra column, padded header text.
    env.google.set_sheet(
        REQUEST_SHEET,
        vec![
            vec![
                json!("アクセスキーID"),
                json!(" 状態 "),
                json!("利用終了日"),
                json!("メモ"),
                json!("氏名"),
                json!("アカウント名"),
                json!("利用目的"),
            ],
            vec![
                json!(key),
                json!(""),
                json!("2026-11-29"),
                json!(""),
                json!("田中　太郎"),
                json!("tanaka-s3"),
            ],
            vec![],
            vec![json!("AKIAUNRELATED0000001"), json!("削除済み")],
        ],
    );
    let out = env.run_daily("2026-11-22").await;
    assert_eq!(out.status, 0, "{}\n{}", out.stdout, out.stderr);
    let report = out.json();
    assert_eq!(action_for(&report, 2)["outcome"], "done");
    assert_eq!(action_for(&report, 4)["action"], "skip");
    assert_eq!(env.slack.messages_to(TANAKA).len(), 1);
    // 通知日 goes into the first empty header cell (D, "メモ" is taken; the first empty one is H).
    assert_eq!(env.google.cell(REQUEST_SHEET, "H1"), Some(json!("通知日")));
    assert_eq!(
        env.google.cell(REQUEST_SHEET, "H2"),
        Some(json!("2026-11-22"))
    );
}

#[tokio::test]
async fn an_unknown_owner_is_reported_to_administrators_and_retried() {
    let env = TestEnv::start().await;
    env.set_users(&[sato()]);
    env.set_requests(&[row("tanaka-s3", EXAMPLE_KEY, json!("2026/11/29"))]);
    let out = env.run_daily("2026-11-22").await;
    assert_eq!(
        out.status, 1,
        "a notice that could not be delivered is a failure"
    );
    let notice = action_for(&out.json(), 2);
    assert_eq!(notice["outcome"], "failed");
    assert!(
        notice["detail"]
            .as_str()
            .unwrap()
            .contains("not found in users_json"),
        "{notice}"
    );
    assert_eq!(
        env.slack
            .messages()
            .iter()
            .filter(|m| !ADMIN_IDS.contains(&m.channel.as_str()))
            .count(),
        0
    );
    let admin = &env.slack.messages_to(ADMIN_IDS[0])[0];
    assert!(
        admin.contains("not found in users_json") && admin.contains("2行目"),
        "{admin}"
    );
    assert_eq!(
        env.google.counts().writes,
        0,
        "通知日 stays empty so the next run tries again"
    );
    env.run(&["run", "--today", "2026-11-23"]).await;
    assert_eq!(
        env.slack.messages_to(ADMIN_IDS[0]).len(),
        2,
        "administrators hear of it on every run"
    );
}

#[tokio::test]
async fn an_ambiguous_owner_names_both_ids() {
    let env = TestEnv::start().await;
    env.set_users(&[tanaka(), UserRow::new("U0TANAKA02", "田中", "太郎")]);
    env.set_requests(&[row("tanaka-s3", EXAMPLE_KEY, json!("2026/11/29"))]);
    let out = env.run_daily("2026-11-22").await;
    let detail = action_for(&out.json(), 2)["detail"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        detail.contains("ambiguous") && detail.contains(TANAKA) && detail.contains("U0TANAKA02"),
        "{detail}"
    );
    assert!(env.slack.messages_to(TANAKA).is_empty());
}

#[tokio::test]
async fn dry_run_reads_everything_and_changes_nothing() {
    let (env, key) = env_with_tanaka(Loadout::default()).await;
    env.set_requests(&[
        row("tanaka-s3", &key, json!("2026/11/20")),
        RequestRow::new("佐藤 花子", "sato-app", EXAMPLE_KEY, json!("2026/11/25")),
    ]);
    let before = env.google.sheet(REQUEST_SHEET);
    for args in [
        &["plan", "--today", "2026-11-22", "--output", "json"][..],
        &[
            "run",
            "--dry-run",
            "--today",
            "2026-11-22",
            "--output",
            "json",
        ],
    ] {
        let out = env.run(args).await;
        assert_eq!(out.status, 0, "{}\n{}", out.stdout, out.stderr);
        let report = out.json();
        assert_eq!(action_for(&report, 2)["outcome"], "planned");
        assert!(
            action_for(&report, 2)["detail"]
                .as_str()
                .unwrap()
                .contains("delete user")
        );
        assert_eq!(action_for(&report, 3)["outcome"], "planned");
    }
    assert!(env.slack.messages().is_empty(), "no Slack message");
    assert_eq!(env.slack.post_attempts(), 0);
    assert!(
        env.iam.mutations().is_empty(),
        "no IAM write: {:?}",
        env.iam.mutations()
    );
    assert!(
        env.iam.actions().contains(&"ListAccessKeys".to_string()),
        "pre-checks were read"
    );
    assert_eq!(env.google.counts().writes, 0, "no sheet write");
    assert_eq!(env.google.sheet(REQUEST_SHEET), before);
    assert!(!remaining(&env.iam_client(), "tanaka-s3").await.is_empty());

    // The text plan is a table of what would happen and why.
    let text = env.run(&["plan", "--today", "2026-11-22"]).await;
    assert_eq!(text.status, 0);
    assert!(
        text.stdout.contains("would tear down tanaka-s3") && text.stdout.contains("would DM"),
        "{}",
        text.stdout
    );
}

#[tokio::test]
async fn guards_refuse_protected_users_other_paths_and_foreign_keys() {
    let mut env = TestEnv::start().await;
    let client = env.iam_client();
    let prot = load_user(&client, "protected-admin", Loadout::bare()).await;
    let outside = load_user(
        &client,
        "team-user",
        Loadout {
            path: "/team/".into(),
            ..Loadout::bare()
        },
    )
    .await;
    load_user(&client, "mismatch-user", Loadout::bare()).await;
    env.set_env("KEYWARDEN_PROTECTED_USERS", "protected-admin");
    env.set_env("KEYWARDEN_IAM_PATH_PREFIX", "/");
    env.set_requests(&[
        RequestRow::new(
            "A B",
            "protected-admin",
            &prot.access_key_ids[0],
            json!("2026/11/01"),
        ),
        RequestRow::new(
            "C D",
            "team-user",
            &outside.access_key_ids[0],
            json!("2026/11/01"),
        ),
        RequestRow::new(
            "E F",
            "mismatch-user",
            "AKIANOTTHEUSERSKEY01",
            json!("2026/11/01"),
        ),
        RequestRow::new(
            "G H",
            "already-gone",
            "AKIAALREADYGONE00001",
            json!("2026/11/01"),
        ),
    ]);
    env.set_users(&[UserRow::new("U0GONE0001", "G", "H")]);
    let out = env.run_daily("2026-11-22").await;
    assert_eq!(out.status, 1, "refusals make the run exit 1");
    let report = out.json();
    assert_eq!(action_for(&report, 2)["outcome"], "refused");
    assert!(
        action_for(&report, 2)["detail"]
            .as_str()
            .unwrap()
            .contains("protected")
    );
    assert_eq!(
        action_for(&report, 3)["outcome"],
        "done",
        "path / contains /team/"
    );
    let mismatch = action_for(&report, 4);
    assert_eq!(mismatch["outcome"], "refused");
    assert!(
        mismatch["detail"]
            .as_str()
            .unwrap()
            .contains("AKIANOTTHEUSERSKEY01")
    );
    let gone = action_for(&report, 5);
    assert_eq!(gone["outcome"], "done");
    assert!(gone["detail"].as_str().unwrap().contains("already gone"));
    assert_eq!(
        env.google.cell(REQUEST_SHEET, "K5"),
        Some(json!("削除済み"))
    );
    // Nothing was deleted: the owner hears the row was recorded, not that keywarden deleted it.
    let told = env.slack.messages_to("U0GONE0001");
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(
        told[0].contains("「削除済み」として記録しました") && !told[0].contains("削除しました"),
        "{}",
        told[0]
    );
    assert_eq!(env.google.cell(REQUEST_SHEET, "K2"), None);
    assert_eq!(env.google.cell(REQUEST_SHEET, "K4"), None);
    assert!(!remaining(&client, "protected-admin").await.is_empty());
    assert!(!remaining(&client, "mismatch-user").await.is_empty());
    assert!(
        !env.iam
            .calls()
            .iter()
            .any(|c| c.param("UserName") == Some("protected-admin")),
        "never touched"
    );

    // A narrower prefix refuses users outside it.
    env.set_env("KEYWARDEN_IAM_PATH_PREFIX", "/keywarden/");
    let outside2 = load_user(&client, "root-path-user", Loadout::bare()).await;
    env.set_requests(&[RequestRow::new(
        "C D",
        "root-path-user",
        &outside2.access_key_ids[0],
        json!("2026/11/01"),
    )]);
    let out = env.run_daily("2026-11-22").await;
    let refused = action_for(&out.json(), 2);
    assert_eq!(refused["outcome"], "refused");
    assert!(refused["detail"].as_str().unwrap().contains("/keywarden/"));
}

#[tokio::test]
async fn more_deletions_than_the_cap_deletes_none() {
    let mut env = TestEnv::start().await;
    let client = env.iam_client();
    let mut rows = Vec::new();
    for i in 0..3 {
        let name = format!("capped-{i}");
        let key = user_with_key(&client, &name, Loadout::bare()).await;
        rows.push(RequestRow::new("A B", &name, &key, json!("2026/11/01")));
    }
    env.set_requests(&rows);
    env.set_env("KEYWARDEN_MAX_DELETIONS", "2");
    let out = env.run_daily("2026-11-22").await;
    assert_eq!(out.status, 1);
    let report = out.json();
    for row in 2..=4 {
        assert_eq!(action_for(&report, row)["outcome"], "refused");
    }
    assert!(env.iam.mutations().is_empty());
    assert_eq!(env.google.counts().writes, 0);
    assert!(env.slack.messages_to(ADMIN_IDS[0])[0].contains("KEYWARDEN_MAX_DELETIONS"));
}

#[tokio::test]
async fn missing_headers_and_bad_configuration_exit_2_before_any_side_effect() {
    let mut env = TestEnv::start().await;
    env.google.set_sheet(
        REQUEST_SHEET,
        vec![vec![json!("氏名"), json!("アカウント名")]],
    );
    let out = env.run(&["run", "--today", "2026-11-22"]).await;
    assert_eq!(out.status, 2);
    for part in ["key_request_form", "アクセスキーID", "状態", "利用終了日"] {
        assert!(
            out.stderr.contains(part),
            "{part} missing from {}",
            out.stderr
        );
    }
    assert!(env.slack.messages().is_empty());

    env.remove_env("KEYWARDEN_SPREADSHEET_ID")
        .set_env("KEYWARDEN_NOTIFY_DAYS", "soon")
        .set_env("KEYWARDEN_TIMEZONE", "Mars/Olympus");
    let out = env.run(&["run"]).await;
    assert_eq!(out.status, 2);
    for part in [
        "KEYWARDEN_SPREADSHEET_ID",
        "KEYWARDEN_NOTIFY_DAYS",
        "Mars/Olympus",
    ] {
        assert!(
            out.stderr.contains(part),
            "{part} missing from {}",
            out.stderr
        );
    }
    assert_eq!(
        env.google.counts().reads,
        1,
        "the bad configuration read nothing"
    );
}

#[tokio::test]
async fn the_original_variable_names_still_work() {
    let mut env = tanaka_env().await;
    env.set_requests(&[row("tanaka-s3", EXAMPLE_KEY, json!("2026/11/29"))]);
    env.remove_env("KEYWARDEN_SPREADSHEET_ID")
        .remove_env("SLACK_BOT_TOKEN")
        .remove_env("KEYWARDEN_ADMIN_SLACK_IDS")
        .set_env("SP_SHEET_KEY", support::app::SPREADSHEET_ID)
        .set_env("SP_SHEET", REQUEST_SHEET)
        .set_env("SP_SHEET_TBL", "users_json")
        .set_env("BOT_ACCESS_TOKEN", support::app::SLACK_TOKEN)
        .set_env("ADMIN_ID_1", "U0OLDADMIN1")
        .set_env("ADMIN_ID_2", "U0OLDADMIN2");
    let out = env.run(&["run", "--today", "2026-11-22"]).await;
    assert_eq!(out.status, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(env.slack.messages_to(TANAKA).len(), 1);
    assert_eq!(env.slack.messages_to("U0OLDADMIN1").len(), 1);
    assert_eq!(env.slack.messages_to("U0OLDADMIN2").len(), 1);
}

#[tokio::test]
async fn unusable_rows_are_never_acted_on_and_named_precisely() {
    let env = TestEnv::start().await;
    let key = user_with_key(&env.iam_client(), "tanaka-s3", Loadout::bare()).await;
    env.set_users(&[tanaka()]);
    env.set_requests(&[
        row("tanaka-s3", &key, json!("2026/13/01")),
        row("tanaka-s3", &key, json!("")).status(""),
        row("bad name!", &key, json!("2026/11/01")),
    ]);
    let out = env.run_daily("2026-11-22").await;
    assert_eq!(out.status, 1);
    let report = out.json();
    let first = action_for(&report, 2);
    assert_eq!(
        (first["action"].as_str(), first["outcome"].as_str()),
        (Some("unusable"), Some("refused"))
    );
    assert!(
        first["detail"]
            .as_str()
            .unwrap()
            .contains("I2 (アクセスキー利用終了日)"),
        "{first}"
    );
    assert!(
        action_for(&report, 3)["detail"]
            .as_str()
            .unwrap()
            .contains("I3")
    );
    assert!(
        action_for(&report, 4)["detail"]
            .as_str()
            .unwrap()
            .contains("J4 (アカウント名)")
    );
    assert!(env.iam.mutations().is_empty());
    assert!(env.slack.messages_to(TANAKA).is_empty());
    let admin = &env.slack.messages_to(ADMIN_IDS[0])[0];
    assert!(admin.contains("I2") && admin.contains("J4"), "{admin}");
}

#[tokio::test]
async fn slack_rate_limits_are_waited_out() {
    let env = tanaka_env().await;
    env.set_requests(&[row("tanaka-s3", EXAMPLE_KEY, json!("2026/11/29"))]);
    env.slack.rate_limit_next(1, 1);
    let started = std::time::Instant::now();
    let out = env.run(&["run", "--today", "2026-11-22"]).await;
    assert_eq!(out.status, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(1),
        "Retry-After honoured"
    );
    assert_eq!(env.slack.messages_to(TANAKA).len(), 1);
    assert_eq!(
        env.google.cell(REQUEST_SHEET, "M2"),
        Some(json!("2026-11-22"))
    );
}

#[tokio::test]
async fn protection_ignores_case_as_iam_does() {
    let mut env = TestEnv::start().await;
    let key = user_with_key(&env.iam_client(), "Admin", Loadout::bare()).await;
    env.set_env("KEYWARDEN_PROTECTED_USERS", "ADMIN");
    env.set_requests(&[RequestRow::new("A B", "admin", &key, json!("2026/11/01"))]);
    let out = env.run_daily("2026-11-22").await;
    assert_eq!(out.status, 1);
    let refused = action_for(&out.json(), 2);
    assert_eq!(refused["outcome"], "refused");
    assert!(refused["detail"].as_str().unwrap().contains("protected"));
    assert!(env.iam.calls().is_empty(), "never even looked up");
    assert!(!remaining(&env.iam_client(), "Admin").await.is_empty());
}

/// docs/rules.md §7: a `Retry-After` over 60 s is not waited for. That message fails and so does
/// every message of the run not yet sent, without reaching Slack; the sheet is still written.
#[tokio::test]
async fn a_retry_after_over_a_minute_fails_every_message_not_yet_sent() {
    let (env, key) = env_with_tanaka(Loadout::original()).await;
    env.set_requests(&[
        row("tanaka-s3", &key, date_serial("2026-11-20")),
        RequestRow::new(
            "佐藤 花子",
            "sato-dev",
            "AKIAI44QH8DHBEXAMPLE",
            date_serial("2026-11-29"),
        ),
    ]);
    env.slack.rate_limit_next(1, 120);
    let started = std::time::Instant::now();
    let out = env.run_daily("2026-11-22").await;
    assert_eq!(out.status, 1, "{}", out.stderr);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(60),
        "the 120 s were not waited for"
    );
    assert_eq!(
        env.slack.post_attempts(),
        1,
        "no chat.postMessage after the 429"
    );
    assert!(env.slack.messages().is_empty());
    assert_eq!(
        env.google.cell(REQUEST_SHEET, "K2"),
        Some(json!("削除済み")),
        "the teardown reached the sheet"
    );
    assert_eq!(
        env.google.cell(REQUEST_SHEET, "M3"),
        None,
        "no 通知日: not notified"
    );
    // Every message is reported failed: the notice, the deletion's DM, each summary.
    let report = out.json();
    let actions = report["actions"].as_array().unwrap();
    let failed = |pred: &dyn Fn(&Value) -> bool| {
        let matching: Vec<_> = actions.iter().filter(|a| pred(a)).collect();
        assert!(!matching.is_empty(), "{report:#}");
        for a in matching {
            assert_eq!(a["outcome"], "failed", "{a:#}");
            assert!(a["detail"].as_str().unwrap().contains("120 s"), "{a:#}");
        }
    };
    failed(&|a| a["row"] == 3 && a["action"] == "notify");
    failed(&|a| a["row"] == 2 && a["action"] == "alert");
    let summaries = |a: &Value| a["detail"].as_str().unwrap().contains("run summary");
    failed(&summaries);
    assert_eq!(
        actions.iter().filter(|a| summaries(a)).count(),
        ADMIN_IDS.len()
    );
    assert_eq!(
        action_for(&report, 2)["outcome"],
        "done",
        "the teardown itself"
    );
}
