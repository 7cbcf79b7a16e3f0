//! Key hygiene beyond the sheet (docs/rules.md §8), against moto: each rule acting, not acting, and
//! on its boundary days; protected users and the path prefix honoured; key deletions counted by
//! the cap; dry runs changing nothing; the rotated secret kept in Secrets Manager only.

use crate::fixtures::{
    TANAKA, actions, created_on, key_status, of_kind, row, run_on, tanaka, user_with_key,
};
use crate::support;

use chrono::{Duration, NaiveDate};
use serde_json::{Value, json};
use support::app::{ADMIN_IDS, REQUEST_SHEET, TestEnv};
use support::google::Endpoint;
use support::moto::{Loadout, load_user, secrets_client};

/// A user with one key held by a sheet row that ends far in the future.
async fn env_with_key(user: &str) -> (TestEnv, String, NaiveDate) {
    let env = TestEnv::start().await;
    let key = user_with_key(&env.iam_client(), user, Loadout::bare()).await;
    env.set_users(&[tanaka()]);
    env.set_requests(&[row(user, &key, json!("2099/12/31"))]);
    let created = created_on(&env, user).await;
    (env, key, created)
}

#[tokio::test]
async fn the_age_limit_warns_then_deletes_the_key_not_the_user() {
    let (mut env, key, created) = env_with_key("aged-user").await;
    env.set_env("KEYWARDEN_MAX_KEY_AGE_DAYS", "180")
        .set_env("KEYWARDEN_KEY_AGE_GRACE_DAYS", "30");
    let day = |age: i64| created + Duration::days(age);

    let (_, report) = run_on(&env, day(179), &[]).await;
    assert!(of_kind(&report, "age_notify").is_empty(), "A-1: nothing");

    let (status, report) = run_on(&env, day(180), &[]).await;
    assert_eq!(status, 0, "{report:#}");
    let warn = &of_kind(&report, "age_notify")[0];
    assert_eq!(
        (warn["row"].clone(), warn["outcome"].clone()),
        (json!(2), json!("done"))
    );
    assert!(
        warn["detail"]
            .as_str()
            .unwrap()
            .contains("deleted in 30 days"),
        "{warn}"
    );
    assert!(
        env.slack
            .messages_to(TANAKA)
            .last()
            .unwrap()
            .contains("30 日後"),
        "owner warned"
    );

    let (_, report) = run_on(&env, day(181), &[]).await;
    assert!(
        of_kind(&report, "age_notify").is_empty(),
        "not a warning day"
    );
    let (_, report) = run_on(&env, day(187), &[]).await;
    assert_eq!(of_kind(&report, "age_notify").len(), 1, "weekly");
    let (_, report) = run_on(&env, day(209), &[]).await;
    assert!(
        of_kind(&report, "age_notify")[0]["detail"]
            .as_str()
            .unwrap()
            .contains("deleted in 1 days")
    );
    assert_eq!(
        key_status(&env, "aged-user").await.len(),
        1,
        "not deleted before A+G"
    );

    // A dry run on the deletion day changes nothing.
    let (_, report) = run_on(&env, day(210), &["--dry-run"]).await;
    assert_eq!(of_kind(&report, "age_delete")[0]["outcome"], "planned");
    assert_eq!(key_status(&env, "aged-user").await.len(), 1);

    let (status, report) = run_on(&env, day(210), &[]).await;
    assert_eq!(status, 0, "{report:#}");
    let deleted = &of_kind(&report, "age_delete")[0];
    assert_eq!(
        (
            deleted["outcome"].as_str(),
            deleted["access_key_id"].as_str()
        ),
        (Some("done"), Some(key.as_str()))
    );
    assert!(
        key_status(&env, "aged-user").await.is_empty(),
        "the key is gone"
    );
    assert!(
        env.iam_client()
            .get_user()
            .user_name("aged-user")
            .send()
            .await
            .is_ok(),
        "the user stays"
    );
    assert!(
        env.slack
            .messages_to(ADMIN_IDS[0])
            .last()
            .unwrap()
            .contains(&key),
        "administrators hear"
    );
}

#[tokio::test]
async fn unused_keys_are_deactivated_never_deleted() {
    let (mut env, key, created) = env_with_key("idle-user").await;
    env.set_env("KEYWARDEN_UNUSED_DAYS", "90");
    // Never used: idle since its creation.
    let (_, report) = run_on(&env, created + Duration::days(89), &[]).await;
    assert!(of_kind(&report, "deactivate").is_empty(), "U-1: nothing");
    assert_eq!(
        key_status(&env, "idle-user").await,
        vec![(key.clone(), "Active".into())]
    );

    let (status, report) = run_on(&env, created + Duration::days(90), &[]).await;
    assert_eq!(status, 0, "{report:#}");
    let off = &of_kind(&report, "deactivate")[0];
    assert_eq!(
        (off["outcome"].as_str(), off["row"].clone()),
        (Some("done"), json!(2))
    );
    assert_eq!(
        key_status(&env, "idle-user").await,
        vec![(key.clone(), "Inactive".into())]
    );
    assert!(
        env.slack
            .messages_to(TANAKA)
            .last()
            .unwrap()
            .contains("無効化")
    );

    // Much later: still there, still inactive, never deleted, not touched again.
    let (_, report) = run_on(&env, created + Duration::days(400), &[]).await;
    assert!(of_kind(&report, "deactivate").is_empty());
    assert_eq!(
        key_status(&env, "idle-user").await,
        vec![(key, "Inactive".into())]
    );
    assert!(env.iam.actions().iter().all(|a| a != "DeleteAccessKey"));
}

#[tokio::test]
async fn many_keys_read_last_use_from_the_credential_report() {
    let mut env = TestEnv::start().await;
    let client = env.iam_client();
    for i in 0..26 {
        load_user(
            &client,
            &format!("bulk-{i:02}"),
            Loadout {
                access_keys: 2,
                ..Loadout::bare()
            },
        )
        .await;
    }
    let created = created_on(&env, "bulk-00").await;
    let count =
        |env: &TestEnv, action: &str| env.iam.actions().iter().filter(|a| *a == action).count();

    // A dry run generates nothing (it is not a read): without a report it asks key by key.
    env.set_env("KEYWARDEN_UNUSED_DAYS", "31");
    let (_, report) = run_on(&env, created + Duration::days(30), &["--dry-run"]).await;
    assert!(of_kind(&report, "deactivate").is_empty());
    assert_eq!(
        count(&env, "GenerateCredentialReport"),
        0,
        "a dry run never generates a report"
    );
    assert_eq!(count(&env, "GetAccessKeyLastUsed"), 52);

    // A run past the switch-over: one report instead of 52 calls.
    let before = count(&env, "GetAccessKeyLastUsed");
    let (status, report) = run_on(&env, created + Duration::days(30), &[]).await;
    assert_eq!(status, 0, "{report:#}");
    assert!(
        of_kind(&report, "deactivate").is_empty(),
        "30 days idle < 31"
    );
    assert!(
        count(&env, "GenerateCredentialReport") >= 1 && count(&env, "GetCredentialReport") >= 1
    );
    assert_eq!(
        count(&env, "GetAccessKeyLastUsed"),
        before,
        "no per-key calls"
    );

    // Keys the report finds idle are confirmed with IAM before they are set Inactive (with
    // the deactivation cap raised for all 52 of them).
    env.set_env("KEYWARDEN_UNUSED_DAYS", "30")
        .set_env("KEYWARDEN_MAX_DEACTIVATIONS", "52");
    let (status, report) = run_on(&env, created + Duration::days(30), &[]).await;
    assert_eq!(status, 0, "{report:#}");
    assert_eq!(of_kind(&report, "deactivate").len(), 52, "every idle key");
    assert_eq!(
        count(&env, "GetAccessKeyLastUsed") - before,
        52,
        "one confirmation per deactivation"
    );
}

#[tokio::test]
async fn deactivate_before_delete_then_tear_down_after_the_grace() {
    let (mut env, key, _) = env_with_key("grace-user").await;
    env.set_requests(&[row("grace-user", &key, json!("2026/11/20"))]);
    env.set_env("KEYWARDEN_DEACTIVATE_GRACE_DAYS", "3");
    let day = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();

    let (status, report) = run_on(&env, day("2026-11-21"), &[]).await;
    assert_eq!(status, 0, "{report:#}");
    assert_eq!(of_kind(&report, "deactivate")[0]["outcome"], "done");
    assert_eq!(
        key_status(&env, "grace-user").await,
        vec![(key.clone(), "Inactive".into())]
    );
    assert_eq!(
        env.google.cell(REQUEST_SHEET, "K2"),
        Some(json!("無効化済み"))
    );
    assert_eq!(
        env.google.cell(REQUEST_SHEET, "M1"),
        Some(json!("無効化日"))
    );
    assert_eq!(
        env.google.cell(REQUEST_SHEET, "M2"),
        Some(json!("2026-11-21"))
    );
    assert!(env.iam.actions().iter().all(|a| a != "DeleteUser"));

    // Inside the grace (N): nothing more.
    for d in ["2026-11-22", "2026-11-23"] {
        let (_, report) = run_on(&env, day(d), &[]).await;
        assert!(actions(&report).is_empty(), "{d}: {report:#}");
    }
    // N+1 days after the end date: the teardown of docs/rules.md §4.
    let (status, report) = run_on(&env, day("2026-11-24"), &[]).await;
    assert_eq!(status, 0, "{report:#}");
    assert_eq!(of_kind(&report, "delete")[0]["outcome"], "done");
    assert!(
        env.iam_client()
            .get_user()
            .user_name("grace-user")
            .send()
            .await
            .is_err()
    );
    assert_eq!(
        env.google.cell(REQUEST_SHEET, "K2"),
        Some(json!("削除済み"))
    );
}

#[tokio::test]
async fn an_extension_reactivates_exactly_the_key_keywarden_deactivated() {
    let (mut env, key, _) = env_with_key("extend-user").await;
    let other = user_with_key(&env.iam_client(), "other-user", Loadout::bare()).await;
    env.iam_client()
        .update_access_key()
        .user_name("other-user")
        .access_key_id(&other)
        .status(aws_sdk_iam::types::StatusType::Inactive)
        .send()
        .await
        .unwrap();
    env.set_requests(&[
        row("extend-user", &key, json!("2026/11/20")),
        row("other-user", &other, json!("2027/11/20")).status("延長"),
    ]);
    env.set_env("KEYWARDEN_DEACTIVATE_GRACE_DAYS", "5");
    let day = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
    run_on(&env, day("2026-11-21"), &[]).await;
    assert_eq!(
        key_status(&env, "extend-user").await,
        vec![(key.clone(), "Inactive".into())]
    );

    assert_eq!(
        env.google.cell(REQUEST_SHEET, "M2"),
        Some(json!("2026-11-21"))
    );
    // The administrator extends the row.
    env.google
        .edit(|sheets| sheets.set_cell(REQUEST_SHEET, "K2", json!("延長")));
    let (status, report) = run_on(&env, day("2026-11-22"), &[]).await;
    assert_eq!(status, 0, "{report:#}");
    let back = of_kind(&report, "reactivate");
    assert_eq!(
        back.len(),
        1,
        "only the row keywarden deactivated: {report:#}"
    );
    assert_eq!(back[0]["access_key_id"], key.as_str());
    assert_eq!(
        key_status(&env, "extend-user").await,
        vec![(key.clone(), "Active".into())]
    );
    assert_eq!(
        key_status(&env, "other-user").await,
        vec![(other, "Inactive".into())],
        "no other key"
    );
    assert_eq!(
        env.google.cell(REQUEST_SHEET, "M2"),
        None,
        "無効化日 cleared"
    );

    // Extended now: skipped from then on, never torn down.
    let (_, report) = run_on(&env, day("2026-12-30"), &[]).await;
    assert!(
        of_kind(&report, "delete").is_empty() && of_kind(&report, "reactivate").is_empty(),
        "{report:#}"
    );
}

#[tokio::test]
async fn rotation_keeps_the_new_secret_in_secrets_manager_only() {
    let env = TestEnv::start().await;
    let loaded = load_user(
        &env.iam_client(),
        "ci-deploy",
        Loadout {
            access_keys: 2,
            ..Loadout::bare()
        },
    )
    .await;
    let (inactive, active) = (
        loaded.access_key_ids[0].clone(),
        loaded.access_key_ids[1].clone(),
    );
    env.iam_client()
        .update_access_key()
        .user_name("ci-deploy")
        .access_key_id(&inactive)
        .status(aws_sdk_iam::types::StatusType::Inactive)
        .send()
        .await
        .unwrap();
    env.set_users(&[tanaka()]);
    env.set_requests(&[row("ci-deploy", &active, json!("2099/12/31"))]);
    let created = created_on(&env, "ci-deploy").await;
    let moto = env.moto.endpoint();
    let mut env = env;
    env.set_env("KEYWARDEN_ROTATE_USERS", "ci-deploy")
        .set_env("KEYWARDEN_ROTATE_DAYS", "90")
        .set_env("AWS_ENDPOINT_URL_SECRETS_MANAGER", &moto);

    let (_, report) = run_on(&env, created + Duration::days(89), &[]).await;
    assert!(of_kind(&report, "rotate").is_empty(), "R-1: nothing");

    // A dry run on the day plans the rotation and changes nothing.
    let (_, planned) = run_on(&env, created + Duration::days(90), &["--dry-run"]).await;
    assert_eq!(of_kind(&planned, "rotate")[0]["outcome"], "planned");
    assert_eq!(key_status(&env, "ci-deploy").await.len(), 2);
    assert!(
        secrets_client(&moto)
            .get_secret_value()
            .secret_id("keywarden/ci-deploy")
            .send()
            .await
            .is_err()
    );

    let out = env
        .run_daily(&(created + Duration::days(90)).to_string())
        .await;
    assert_eq!(out.status, 0, "{}\n{}", out.stdout, out.stderr);
    let report = out.json();
    let rotated = &of_kind(&report, "rotate")[0];
    assert_eq!(rotated["outcome"], "done", "{rotated}");

    // IAM: the inactive key deleted, the old key inactive, one new active key.
    let keys = key_status(&env, "ci-deploy").await;
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert!(!keys.iter().any(|(k, _)| k == &inactive));
    assert!(keys.contains(&(active.clone(), "Inactive".into())));
    let (new_key, _) = keys
        .iter()
        .find(|(k, s)| k != &active && s == "Active")
        .cloned()
        .expect("a new active key");

    // Secrets Manager holds the new pair.
    let sm = secrets_client(&moto);
    let stored = sm
        .get_secret_value()
        .secret_id("keywarden/ci-deploy")
        .send()
        .await
        .unwrap();
    let pair: Value = serde_json::from_str(stored.secret_string().unwrap()).unwrap();
    assert_eq!(pair["AccessKeyId"], new_key.as_str());
    let secret = pair["SecretAccessKey"].as_str().unwrap().to_string();
    assert!(secret.len() >= 20);

    // The sheet follows the new key; the owner hears the secret's name.
    assert_eq!(env.google.cell(REQUEST_SHEET, "L2"), Some(json!(new_key)));
    let dm = env.slack.messages_to(TANAKA).last().cloned().unwrap();
    assert!(
        dm.contains("keywarden/ci-deploy") && dm.contains(&new_key),
        "{dm}"
    );

    // And the secret itself is nowhere else.
    let everywhere = [
        out.stdout.clone(),
        out.stderr.clone(),
        format!("{:?}", env.slack.messages()),
        format!("{:?}", env.google.requests()),
        format!("{:?}", env.google.sheet(REQUEST_SHEET)),
    ];
    for place in everywhere {
        assert!(!place.contains(&secret), "the secret leaked");
    }
}

#[tokio::test]
async fn shadow_keys_are_listed_protected_users_and_other_paths_are_left_alone() {
    let mut env = TestEnv::start().await;
    let client = env.iam_client();
    let held = user_with_key(&client, "held-user", Loadout::bare()).await;
    let shadow = user_with_key(&client, "shadow-user", Loadout::bare()).await;
    load_user(&client, "root-admin", Loadout::bare()).await;
    load_user(
        &client,
        "elsewhere",
        Loadout {
            path: "/other/".into(),
            ..Loadout::bare()
        },
    )
    .await;
    env.set_requests(&[row("held-user", &held, json!("2099/12/31"))]);
    env.set_env("KEYWARDEN_REPORT_SHADOW_KEYS", "true")
        .set_env("KEYWARDEN_PROTECTED_USERS", "root-admin")
        .set_env("KEYWARDEN_IAM_PATH_PREFIX", "/");
    let (status, report) = run_on(&env, NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(), &[]).await;
    assert_eq!(status, 0, "{report:#}");
    let shadows: Vec<String> = of_kind(&report, "shadow")
        .iter()
        .map(|a| a["account"].as_str().unwrap().to_string())
        .collect();
    assert!(shadows.contains(&"shadow-user".to_string()), "{shadows:?}");
    assert!(
        !shadows.contains(&"held-user".to_string()) && !shadows.contains(&"root-admin".to_string())
    );
    let s = of_kind(&report, "shadow")
        .into_iter()
        .find(|a| a["account"] == "shadow-user")
        .unwrap();
    assert!(s["row"].is_null(), "no row holds it");
    assert_eq!(s["access_key_id"], shadow.as_str());
    let summaries = env.slack.messages_to(ADMIN_IDS[0]);
    assert_eq!(summaries.len(), 1, "once per run");
    assert!(summaries[0].contains(&shadow));

    // A narrower path: users outside it are not even listed.
    env.set_env("KEYWARDEN_IAM_PATH_PREFIX", "/other/");
    let (_, report) = run_on(&env, NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(), &[]).await;
    let accounts: Vec<Value> = of_kind(&report, "shadow")
        .iter()
        .map(|a| a["account"].clone())
        .collect();
    assert_eq!(accounts, vec![json!("elsewhere")]);
}

#[tokio::test]
async fn key_deletions_count_toward_max_deletions() {
    let mut env = TestEnv::start().await;
    let client = env.iam_client();
    load_user(&client, "old-a", Loadout::bare()).await;
    load_user(&client, "old-b", Loadout::bare()).await;
    let created = created_on(&env, "old-a").await;
    env.set_env("KEYWARDEN_MAX_KEY_AGE_DAYS", "10")
        .set_env("KEYWARDEN_KEY_AGE_GRACE_DAYS", "5")
        .set_env("KEYWARDEN_MAX_DELETIONS", "1");
    let (status, report) = run_on(&env, created + Duration::days(15), &[]).await;
    assert_eq!(status, 1);
    let refused = of_kind(&report, "age_delete");
    assert_eq!(refused.len(), 2);
    assert!(refused.iter().all(|a| a["outcome"] == "refused"));
    assert!(
        env.iam.actions().iter().all(|a| a != "DeleteAccessKey"),
        "none deleted"
    );
    assert_eq!(key_status(&env, "old-a").await.len(), 1);
}

#[tokio::test]
async fn the_unused_rule_never_undoes_a_reactivation_in_the_same_run() {
    let (mut env, key, created) = env_with_key("busy-user").await;
    let end = created + Duration::days(10);
    env.set_requests(&[row("busy-user", &key, json!(end.to_string()))]);
    env.set_env("KEYWARDEN_DEACTIVATE_GRACE_DAYS", "5")
        .set_env("KEYWARDEN_UNUSED_DAYS", "5");

    // The day after the end date the row deactivates its key; the unused rule stays out of it.
    let (_, report) = run_on(&env, end + Duration::days(1), &[]).await;
    let offs = of_kind(&report, "deactivate");
    assert_eq!(offs.len(), 1, "one deactivation, by the row: {report:#}");
    assert_eq!(offs[0]["row"], 2);

    // Extended the next day: active again, although idle for more than U days.
    env.google
        .edit(|sheets| sheets.set_cell(REQUEST_SHEET, "K2", json!("延長")));
    let (status, report) = run_on(&env, end + Duration::days(2), &[]).await;
    assert_eq!(status, 0, "{report:#}");
    assert_eq!(of_kind(&report, "reactivate").len(), 1);
    assert!(of_kind(&report, "deactivate").is_empty(), "{report:#}");
    assert_eq!(
        key_status(&env, "busy-user").await,
        vec![(key, "Active".into())]
    );
}

#[tokio::test]
async fn a_due_rotation_owns_its_keys_so_the_age_rule_does_not_race_it() {
    let (mut env, key, created) = env_with_key("both-due").await;
    let moto = env.moto.endpoint();
    env.set_env("KEYWARDEN_ROTATE_USERS", "both-due")
        .set_env("KEYWARDEN_ROTATE_DAYS", "90")
        .set_env("KEYWARDEN_MAX_KEY_AGE_DAYS", "60")
        .set_env("KEYWARDEN_KEY_AGE_GRACE_DAYS", "30")
        .set_env("AWS_ENDPOINT_URL_SECRETS_MANAGER", &moto);
    let (status, report) = run_on(&env, created + Duration::days(90), &[]).await;
    assert_eq!(status, 0, "{report:#}");
    assert_eq!(of_kind(&report, "rotate")[0]["outcome"], "done");
    assert!(
        of_kind(&report, "age_delete").is_empty(),
        "the rotation handles the old key"
    );
    let keys = key_status(&env, "both-due").await;
    assert!(
        keys.contains(&(key, "Inactive".into())),
        "old key kept, inactive: {keys:?}"
    );
    assert_eq!(keys.iter().filter(|(_, s)| s == "Active").count(), 1);
}

#[tokio::test]
async fn over_max_deactivations_no_key_is_set_inactive() {
    let mut env = TestEnv::start().await;
    let client = env.iam_client();
    for user in ["idle-a", "idle-b", "idle-c"] {
        load_user(&client, user, Loadout::bare()).await;
    }
    let created = created_on(&env, "idle-a").await;
    env.set_env("KEYWARDEN_UNUSED_DAYS", "30")
        .set_env("KEYWARDEN_MAX_DEACTIVATIONS", "2");
    let (status, report) = run_on(&env, created + Duration::days(40), &[]).await;
    assert_eq!(status, 1, "{report:#}");
    let refused = of_kind(&report, "deactivate");
    assert_eq!(refused.len(), 3, "{report:#}");
    assert!(refused.iter().all(|a| a["outcome"] == "refused"));
    let alert = of_kind(&report, "alert")
        .into_iter()
        .find(|a| a["outcome"] == "refused")
        .expect("administrators are told");
    let detail = alert["detail"].as_str().unwrap();
    assert!(
        detail.contains("3 access keys") && detail.contains("KEYWARDEN_MAX_DEACTIVATIONS is 2"),
        "{detail}"
    );
    for user in ["idle-a", "idle-b", "idle-c"] {
        let keys = key_status(&env, user).await;
        assert!(keys.iter().all(|(_, s)| s == "Active"), "{user}: {keys:?}");
    }
    assert!(env.iam.actions().iter().all(|a| a != "UpdateAccessKey"));
    assert!(
        env.slack.messages_to(ADMIN_IDS[0])[0].contains("KEYWARDEN_MAX_DEACTIVATIONS"),
        "the summary says so"
    );

    // Within the cap, the rule runs as usual.
    env.set_env("KEYWARDEN_MAX_DEACTIVATIONS", "3");
    let (status, report) = run_on(&env, created + Duration::days(40), &[]).await;
    assert_eq!(status, 0, "{report:#}");
    for user in ["idle-a", "idle-b", "idle-c"] {
        let keys = key_status(&env, user).await;
        assert!(
            keys.iter().all(|(_, s)| s == "Inactive"),
            "{user}: {keys:?}"
        );
    }
}

#[tokio::test]
async fn a_shadow_key_whose_deactivation_the_cap_refused_is_still_listed() {
    let mut env = TestEnv::start().await;
    let client = env.iam_client();
    let mut keys = Vec::new();
    for user in ["idle-a", "idle-b"] {
        keys.push((user, user_with_key(&client, user, Loadout::bare()).await));
    }
    let created = created_on(&env, "idle-a").await;
    env.set_env("KEYWARDEN_UNUSED_DAYS", "30")
        .set_env("KEYWARDEN_MAX_DEACTIVATIONS", "1")
        .set_env("KEYWARDEN_REPORT_SHADOW_KEYS", "true");
    let (status, report) = run_on(&env, created + Duration::days(40), &[]).await;
    assert_eq!(status, 1, "{report:#}");
    // Both deactivations are refused by the cap: both keys stay active, held by no row.
    let refused = of_kind(&report, "deactivate");
    assert_eq!(refused.len(), 2, "{report:#}");
    assert!(refused.iter().all(|a| a["outcome"] == "refused"));
    for (user, _) in &keys {
        let status = key_status(&env, user).await;
        assert!(
            status.iter().all(|(_, s)| s == "Active"),
            "{user}: {status:?}"
        );
    }
    // So both are listed as shadow keys, in the report and in the administrators' summary.
    let mut shadows: Vec<(String, String)> = of_kind(&report, "shadow")
        .iter()
        .map(|a| {
            assert!(a["row"].is_null(), "{a}");
            (
                a["account"].as_str().unwrap().to_string(),
                a["access_key_id"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    shadows.sort();
    let expected: Vec<(String, String)> = keys
        .iter()
        .map(|(u, k)| (u.to_string(), k.clone()))
        .collect();
    assert_eq!(shadows, expected, "{report:#}");
    let summaries = env.slack.messages_to(ADMIN_IDS[0]);
    assert_eq!(summaries.len(), 1, "once per run");
    for (_, key) in &keys {
        assert!(
            summaries[0]
                .lines()
                .any(|l| l.contains(key.as_str()) && l.contains("シートにないキー")),
            "{key} not listed as a shadow key in the summary:\n{}",
            summaries[0]
        );
    }
}

#[tokio::test]
async fn an_unheld_key_of_a_user_whose_teardown_was_refused_is_still_listed() {
    let mut env = TestEnv::start().await;
    let keys = load_user(
        &env.iam_client(),
        "leaving",
        Loadout {
            access_keys: 2,
            ..Loadout::bare()
        },
    )
    .await
    .access_key_ids;
    env.set_users(&[tanaka()]);
    // The row is due, and holds one of the user's two keys; the other is held by no row.
    env.set_requests(&[row("leaving", &keys[0], json!("2026/11/20"))]);
    env.set_env("KEYWARDEN_REPORT_SHADOW_KEYS", "true")
        .set_env("KEYWARDEN_MAX_DELETIONS", "0");
    let (status, report) = run_on(&env, NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(), &[]).await;
    assert_eq!(status, 1, "{report:#}");
    assert_eq!(of_kind(&report, "delete")[0]["outcome"], "refused");
    assert_eq!(
        key_status(&env, "leaving").await.len(),
        2,
        "nothing deleted"
    );
    let shadows: Vec<Value> = of_kind(&report, "shadow")
        .iter()
        .map(|a| a["access_key_id"].clone())
        .collect();
    assert_eq!(shadows, vec![json!(keys[1])], "{report:#}");
}

#[tokio::test]
async fn an_extension_reactivates_even_after_the_grace_setting_is_removed() {
    let (mut env, key, _) = env_with_key("regrace-user").await;
    env.set_requests(&[row("regrace-user", &key, json!("2026/11/20"))]);
    env.set_env("KEYWARDEN_DEACTIVATE_GRACE_DAYS", "5");
    let day = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
    run_on(&env, day("2026-11-21"), &[]).await;
    assert_eq!(
        key_status(&env, "regrace-user").await,
        vec![(key.clone(), "Inactive".into())]
    );
    // The grace is switched off, then the administrator extends the row.
    env.remove_env("KEYWARDEN_DEACTIVATE_GRACE_DAYS");
    env.google
        .edit(|sheets| sheets.set_cell(REQUEST_SHEET, "K2", json!("延長")));
    let (status, report) = run_on(&env, day("2026-11-22"), &[]).await;
    assert_eq!(status, 0, "{report:#}");
    assert_eq!(of_kind(&report, "reactivate").len(), 1, "{report:#}");
    assert_eq!(
        key_status(&env, "regrace-user").await,
        vec![(key, "Active".into())]
    );
    assert_eq!(
        env.google.cell(REQUEST_SHEET, "M2"),
        None,
        "無効化日 cleared"
    );
}

#[tokio::test]
async fn a_dry_run_reports_the_shadow_listing_as_planned() {
    let mut env = TestEnv::start().await;
    load_user(&env.iam_client(), "shadow-user", Loadout::bare()).await;
    env.set_env("KEYWARDEN_REPORT_SHADOW_KEYS", "true");
    let (status, report) = run_on(
        &env,
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
        &["--dry-run"],
    )
    .await;
    assert_eq!(status, 0, "{report:#}");
    assert_eq!(of_kind(&report, "shadow").len(), 1, "{report:#}");
    assert!(
        actions(&report).iter().all(|a| a["outcome"] == "planned"),
        "every action of a dry run is planned: {report:#}"
    );
    assert!(env.slack.messages().is_empty());
}

/// A rotation user with its keys, the sheet naming it `sheet_name`, rotation due today.
async fn rotation_env(sheet_name: &str, both_active: bool) -> (TestEnv, Vec<String>, NaiveDate) {
    let env = TestEnv::start().await;
    let keys = load_user(
        &env.iam_client(),
        "ci-deploy",
        Loadout {
            access_keys: if both_active { 2 } else { 1 },
            ..Loadout::bare()
        },
    )
    .await
    .access_key_ids;
    env.set_users(&[tanaka()]);
    env.set_requests(&[row(sheet_name, keys.last().unwrap(), json!("2099/12/31"))]);
    let created = created_on(&env, "ci-deploy").await;
    let moto = env.moto.endpoint();
    let mut env = env;
    env.set_env("KEYWARDEN_ROTATE_USERS", "ci-deploy")
        .set_env("KEYWARDEN_ROTATE_DAYS", "90")
        .set_env("AWS_ENDPOINT_URL_SECRETS_MANAGER", &moto);
    (env, keys, created + Duration::days(90))
}

#[tokio::test]
async fn rotation_of_a_user_with_two_active_keys_says_what_to_do() {
    let (env, keys, due) = rotation_env("ci-deploy", true).await;
    let (status, report) = run_on(&env, due, &[]).await;
    assert_eq!(status, 1, "{report:#}");
    let rotate = &of_kind(&report, "rotate")[0];
    assert_eq!(rotate["outcome"], "refused", "{rotate}");
    let detail = rotate["detail"].as_str().unwrap();
    assert!(
        detail.contains("two active keys")
            && detail.contains(&keys[0])
            && detail.contains("by hand")
            && !detail.contains("LimitExceeded"),
        "{detail}"
    );
    assert!(
        env.iam
            .actions()
            .iter()
            .all(|a| a != "CreateAccessKey" && a != "UpdateAccessKey" && a != "DeleteAccessKey"),
        "nothing changed: {:?}",
        env.iam.actions()
    );
    let status = key_status(&env, "ci-deploy").await;
    assert!(status.iter().all(|(_, s)| s == "Active") && status.len() == 2);
}

#[tokio::test]
async fn the_rotated_key_reaches_the_row_whatever_the_case_of_the_user_name() {
    let (env, keys, due) = rotation_env("CI-Deploy", false).await;
    let (status, report) = run_on(&env, due, &[]).await;
    assert_eq!(status, 0, "{report:#}");
    assert_eq!(
        of_kind(&report, "rotate")[0]["outcome"],
        "done",
        "{report:#}"
    );
    let new_key = key_status(&env, "ci-deploy")
        .await
        .into_iter()
        .find(|(k, s)| k != &keys[0] && s == "Active")
        .expect("a new key")
        .0;
    assert_eq!(env.google.cell(REQUEST_SHEET, "L2"), Some(json!(new_key)));
}

#[tokio::test]
async fn a_rotated_key_id_whose_write_failed_is_written_by_the_next_run() {
    let (env, keys, due) = rotation_env("ci-deploy", false).await;
    let old = keys[0].clone();
    env.google.fail_next(Endpoint::Write, 503, 100);
    let first = env.run_daily(&due.to_string()).await;
    let report = first.json();
    assert_eq!(first.status, 1, "{report:#}");
    let rotated = &of_kind(&report, "rotate")[0];
    assert_eq!(rotated["outcome"], "failed", "{rotated}");
    // IAM and the secret have the new key; the sheet still holds the old one.
    let status = key_status(&env, "ci-deploy").await;
    assert!(
        status.contains(&(old.clone(), "Inactive".into())),
        "{status:?}"
    );
    let (new_key, _) = status
        .iter()
        .find(|(k, s)| k != &old && s == "Active")
        .cloned()
        .expect("a new key");
    let stored = secrets_client(&env.moto.endpoint())
        .get_secret_value()
        .secret_id("keywarden/ci-deploy")
        .send()
        .await
        .unwrap();
    let pair: Value = serde_json::from_str(stored.secret_string().unwrap()).unwrap();
    assert_eq!(pair["AccessKeyId"], new_key.as_str());
    let secret = pair["SecretAccessKey"].as_str().unwrap().to_string();
    assert_eq!(env.google.cell(REQUEST_SHEET, "L2"), Some(json!(old)));

    // Google is back the next day: the row's key is Inactive and the secret holds a newer key
    // of the same user, so that key ID is written. Nothing else changes in IAM.
    env.google.fail_next(Endpoint::Write, 503, 0);
    let before = env.iam.mutations().len();
    let next = env.run_daily(&(due + Duration::days(1)).to_string()).await;
    let report = next.json();
    assert_eq!(next.status, 0, "{report:#}\n{}", next.stderr);
    assert_eq!(env.google.cell(REQUEST_SHEET, "L2"), Some(json!(new_key)));
    let recovered = of_kind(&report, "rotate");
    assert_eq!(recovered.len(), 1, "{report:#}");
    assert_eq!(recovered[0]["outcome"], "done", "{report:#}");
    assert_eq!(recovered[0]["row"], 2);
    assert_eq!(recovered[0]["access_key_id"], old.as_str());
    let detail = recovered[0]["detail"].as_str().unwrap();
    assert!(
        detail.contains("recovered") && detail.contains(&new_key),
        "{detail}"
    );
    assert_eq!(
        env.iam.mutations().len(),
        before,
        "{:?}",
        env.iam.mutations()
    );
    let summary = env.slack.messages_to(ADMIN_IDS[0]).concat();
    assert!(
        summary.contains("復元") && summary.contains(&new_key),
        "{summary}"
    );
    // The secret was read, never shown.
    for place in [
        next.stdout.clone(),
        next.stderr.clone(),
        format!("{:?}", env.slack.messages()),
        format!("{:?}", env.google.requests()),
        format!("{:?}", env.google.sheet(REQUEST_SHEET)),
    ] {
        assert!(!place.contains(&secret), "the secret leaked");
    }

    // Done: the run after finds nothing to recover (the new key, as old as the first one in
    // these pinned days, is simply due for its own rotation).
    let (_, report) = run_on(&env, due + Duration::days(2), &["--dry-run"]).await;
    let rotations = of_kind(&report, "rotate");
    assert!(
        rotations
            .iter()
            .all(|a| a["access_key_id"] == new_key.as_str()
                && !a["detail"].as_str().unwrap().contains("recovered")),
        "{report:#}"
    );
}

#[tokio::test]
async fn a_rotated_key_id_reaches_a_row_that_names_the_user_with_a_typo() {
    let (env, keys, due) = rotation_env("ci-dpeloy", false).await;
    let (status, report) = run_on(&env, due, &[]).await;
    assert_eq!(status, 0, "{report:#}");
    let rotated = &of_kind(&report, "rotate")[0];
    assert_eq!(rotated["outcome"], "done", "{rotated}");
    assert_eq!(rotated["row"], 2, "{rotated}");
    let new_key = key_status(&env, "ci-deploy")
        .await
        .into_iter()
        .find(|(k, s)| k != &keys[0] && s == "Active")
        .expect("a new key")
        .0;
    assert_eq!(env.google.cell(REQUEST_SHEET, "L2"), Some(json!(new_key)));
    assert_eq!(
        env.google.cell(REQUEST_SHEET, "J2"),
        Some(json!("ci-dpeloy")),
        "the name is the administrators' to fix"
    );
}
