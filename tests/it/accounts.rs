//! docs/rules.md §10 against moto with several accounts: rows torn down each in its own account,
//! the account cell resolved or refused, accounts that cannot be entered, keys of another account,
//! caps across accounts, the Organization's accounts, `check` per account.

use crate::fixtures::{
    ACCOUNTS, DEV, STAGING, assert_only_key_deleted, left_in, member_role, request_sheet, row,
    sato, suzuki, tanaka, tanaka_env, user_in,
};
use crate::support;

use serde_json::{Value, json};

use support::app::{REQUEST_SHEET, RequestRow, TestEnv, action_for, date_serial};
use support::moto::{Loadout, load_user};
use support::moto_accounts::{CALLER_ARN, HOME, account_iam, create_member_role};

/// Rows in the original layout plus an `AWSアカウント` column (M).
fn set_rows(env: &TestEnv, rows: &[(RequestRow, Value)]) {
    let rows = rows
        .iter()
        .map(|(r, a)| (r.clone(), vec![a.clone()]))
        .collect();
    env.google
        .set_sheet(REQUEST_SHEET, request_sheet(&["AWSアカウント"], rows));
}

fn due(name: &str, user: &str, key: &str) -> RequestRow {
    RequestRow::new(name, user, key, date_serial("2026-11-20"))
}

/// Creates each `(account, user, account cell)`'s user in its account with one key, and one
/// due row of 田中 per entry naming it under that cell: the keys, in row order.
async fn due_rows(env: &TestEnv, rows: &[(&str, &str, &str)]) -> Vec<String> {
    let mut keys = Vec::new();
    for (account, user, _) in rows {
        keys.push(user_in(env, account, user).await);
    }
    let sheet: Vec<(RequestRow, Value)> = rows
        .iter()
        .zip(&keys)
        .map(|((_, user, cell), key)| (due("田中 太郎", user, key), json!(cell)))
        .collect();
    set_rows(env, &sheet);
    keys
}

/// A test environment with the three accounts listed and the member role in the two others.
async fn three_accounts() -> TestEnv {
    let mut env = TestEnv::start().await;
    env.set_env("KEYWARDEN_ACCOUNTS", ACCOUNTS);
    env.set_users(&[tanaka(), sato(), suzuki()]);
    for account in [STAGING, DEV] {
        member_role(&env, account).await;
    }
    env
}

#[tokio::test]
async fn rows_in_three_accounts_are_torn_down_each_in_its_own() {
    let env = three_accounts().await;
    // The same names in every account: only the row's account's user is the row's.
    let app_home = user_in(&env, HOME, "app").await;
    let app_staging = user_in(&env, STAGING, "app").await;
    let _app_dev = user_in(&env, DEV, "app").await;
    let _ci_home = user_in(&env, HOME, "ci").await;
    let _ci_staging = user_in(&env, STAGING, "ci").await;
    let ci_dev = user_in(&env, DEV, "ci").await;
    set_rows(
        &env,
        &[
            (due("田中 太郎", "app", &app_home), json!("")),
            (due("佐藤 花子", "app", &app_staging), json!("検証")),
            (due("鈴木 一郎", "ci", &ci_dev), json!(DEV)),
        ],
    );

    let out = env.run_daily("2026-11-22").await;
    assert_eq!(out.status, 0, "{}\n{}", out.stdout, out.stderr);
    let report = out.json();
    for (row, account, alias) in [(2, HOME, "本番"), (3, STAGING, "検証"), (4, DEV, "開発")] {
        let a = action_for(&report, row);
        assert_eq!(a["action"], "delete", "{a}");
        assert_eq!(a["outcome"], "done", "{a}");
        assert_eq!(a["aws_account"], account, "{a}");
        assert_eq!(a["aws_account_alias"], alias, "{a}");
    }
    assert!(left_in(&env, HOME, "app").await.is_empty());
    assert!(left_in(&env, STAGING, "app").await.is_empty());
    assert!(left_in(&env, DEV, "ci").await.is_empty());
    // Same names elsewhere: untouched.
    assert!(!left_in(&env, DEV, "app").await.is_empty());
    assert!(!left_in(&env, HOME, "ci").await.is_empty());
    assert!(!left_in(&env, STAGING, "ci").await.is_empty());
    // One sheet write for the whole run's deletions, whatever the number of accounts.
    assert_eq!(env.google.counts().writes, 1, "{:?}", env.google.counts());
    // The log sheet's AWSアカウント column holds each line's account.
    let log = env.google.sheet("keywarden_log");
    let col = log[0]
        .iter()
        .position(|h| h == "AWSアカウント")
        .expect("log header");
    let row_col = log[0].iter().position(|h| h == "行").expect("log header");
    for (row, account) in [(2, HOME), (3, STAGING), (4, DEV)] {
        let line = log
            .iter()
            .find(|l| {
                l.get(row_col) == Some(&json!(row))
                    || l.get(row_col) == Some(&json!(row.to_string()))
            })
            .unwrap_or_else(|| panic!("no log line for row {row}: {log:?}"));
        assert_eq!(line[col], json!(account), "{line:?}");
    }
    // Each deletion acted in its row's account.
    for call in env.iam.mutations() {
        let user = call.param("UserName").unwrap_or_default().to_string();
        let account = env.iam.account_of(&call);
        let expected = matches!(
            (user.as_str(), account.as_str()),
            ("app", HOME) | ("app", STAGING) | ("ci", DEV)
        );
        assert!(expected, "{} on {user} in {account}", call.action);
    }
    // The member roles were assumed with the run's session name; every key proven first.
    let sts = env.iam.other_calls();
    let assumed: Vec<&str> = sts
        .iter()
        .filter(|c| c.action == "sts:AssumeRole")
        .map(|c| c.param("RoleArn").unwrap_or_default())
        .collect();
    assert_eq!(assumed.len(), 2, "{assumed:?}");
    for arn in [
        "arn:aws:iam::111122223333:role/keywarden",
        "arn:aws:iam::444455556666:role/keywarden",
    ] {
        assert!(assumed.contains(&arn), "{assumed:?}");
    }
    assert!(
        sts.iter()
            .filter(|c| c.action == "sts:AssumeRole")
            .all(|c| c.param("RoleSessionName") == Some("keywarden-2026-11-22"))
    );
    let proofs = sts
        .iter()
        .filter(|c| c.action == "sts:GetAccessKeyInfo")
        .count();
    assert_eq!(proofs, 3);
    // The summary groups by account and names each as alias (ID).
    let summary = env.slack.messages_to(support::app::ADMIN_IDS[0]).join("\n");
    for heading in [
        "■ AWS アカウント 本番 (123456789012)",
        "■ AWS アカウント 検証 (111122223333)",
        "■ AWS アカウント 開発 (444455556666)",
    ] {
        assert!(summary.contains(heading), "{heading} in {summary}");
    }
}

#[tokio::test]
async fn unlisted_and_malformed_account_cells_make_rows_unusable_and_assume_nothing() {
    let mut env = three_accounts().await;
    env.set_env(
        "KEYWARDEN_ACCOUNTS",
        "本番=123456789012,kensho=111122223333,old=012345678901",
    );
    create_member_role(
        &env.moto.endpoint(),
        "012345678901",
        "/",
        "keywarden",
        CALLER_ARN,
        None,
    )
    .await;
    let k1 = user_in(&env, STAGING, "u1").await;
    let k2 = user_in(&env, STAGING, "u2").await;
    let k3 = user_in(&env, STAGING, "u3").await;
    let k4 = user_in(&env, "012345678901", "u4").await;
    set_rows(
        &env,
        &[
            // A real-looking account nobody listed: maybe somebody else's.
            (due("田中 太郎", "u1", &k1), json!("999999999999")),
            // Not 12 digits.
            (due("田中 太郎", "u2", &k2), json!("1111-2222-333")),
            // A full-width alias is the alias.
            (due("田中 太郎", "u3", &k3), json!("ＫＥＮＳＨＯ")),
            // A number cell lost its leading zero.
            (due("田中 太郎", "u4", &k4), json!(12345678901u64)),
        ],
    );
    let out = env.run_daily("2026-11-22").await;
    assert_eq!(out.status, 1, "{}", out.stderr);
    let report = out.json();
    for row in [2, 3] {
        let a = action_for(&report, row);
        assert_eq!(a["action"], "unusable", "{a}");
        assert!(a.get("aws_account").is_none(), "{a}");
        let detail = a["detail"].as_str().unwrap();
        assert!(
            detail.contains("M") && detail.contains("AWSアカウント"),
            "{detail}"
        );
        assert!(detail.contains("allowed: 本番 (123456789012)"), "{detail}");
    }
    assert!(
        action_for(&report, 2)["detail"]
            .as_str()
            .unwrap()
            .contains("999999999999 is not one keywarden may act in")
    );
    assert!(
        action_for(&report, 3)["detail"]
            .as_str()
            .unwrap()
            .contains("is not an AWS account ID")
    );
    assert_eq!(action_for(&report, 4)["outcome"], "done");
    assert_eq!(action_for(&report, 4)["aws_account"], STAGING);
    assert_eq!(action_for(&report, 5)["outcome"], "done");
    assert_eq!(action_for(&report, 5)["aws_account"], "012345678901");
    // Nothing was asked of any account for the unusable rows.
    let sts = env.iam.other_calls();
    assert!(
        sts.iter().all(|c| !c
            .param("RoleArn")
            .unwrap_or_default()
            .contains("999999999999")),
        "{:?}",
        env.iam.other_actions()
    );
    assert!(!left_in(&env, STAGING, "u1").await.is_empty());
    assert!(!left_in(&env, STAGING, "u2").await.is_empty());
    assert!(left_in(&env, STAGING, "u3").await.is_empty());
    assert!(left_in(&env, "012345678901", "u4").await.is_empty());
}

#[tokio::test]
async fn an_account_that_cannot_be_entered_fails_alone() {
    let mut env = three_accounts().await;
    // 開発 has no role; 検証's role trusts somebody else.
    env.set_env(
        "KEYWARDEN_ACCOUNTS",
        "本番=123456789012,検証=210987654321,開発=444455556666,other=111122223333",
    );
    create_member_role(
        &env.moto.endpoint(),
        "210987654321",
        "/",
        "keywarden",
        "arn:aws:iam::999999999999:role/someone-else",
        None,
    )
    .await;
    let home = user_in(&env, HOME, "app").await;
    let untrusted = user_in(&env, "210987654321", "app").await;
    let missing = user_in(&env, "555566667777", "x").await;
    let _ = missing;
    let dev1 = user_in(&env, DEV, "app").await;
    set_rows(
        &env,
        &[
            (due("田中 太郎", "app", &home), json!("本番")),
            (due("佐藤 花子", "app", &untrusted), json!("検証")),
            (
                RequestRow::new("鈴木 一郎", "app", &dev1, date_serial("2026-11-25")),
                json!("開発"),
            ),
        ],
    );
    // 開発's role is removed: its only row is a notice, which needs no AWS and still goes out.
    account_iam(&env.moto.endpoint(), DEV)
        .await
        .delete_role()
        .role_name("keywarden")
        .send()
        .await
        .unwrap();
    let out = env.run_daily("2026-11-22").await;
    assert_eq!(out.status, 1, "{}", out.stderr);
    let report = out.json();
    assert_eq!(action_for(&report, 2)["outcome"], "done");
    let failed = action_for(&report, 3);
    assert_eq!(failed["action"], "delete", "{failed}");
    assert_eq!(failed["outcome"], "failed", "{failed}");
    assert_eq!(failed["aws_account"], "210987654321");
    let detail = failed["detail"].as_str().unwrap();
    assert!(
        detail.contains("could not be entered") && detail.contains("AccessDenied"),
        "{detail}"
    );
    assert_eq!(action_for(&report, 4)["action"], "notify");
    assert_eq!(action_for(&report, 4)["outcome"], "done");
    // One line for the account, in the report and in the summary.
    let alerts: Vec<&Value> = report["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| {
            a["detail"]
                .as_str()
                .unwrap_or_default()
                .contains("could not be entered, nothing was done there")
        })
        .collect();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    let summary = env.slack.messages_to(support::app::ADMIN_IDS[0]).join("\n");
    let lines: Vec<&str> = summary
        .lines()
        .filter(|l| l.starts_with('•') && l.contains("210987654321"))
        .collect();
    assert_eq!(lines.len(), 1, "one line for the account: {summary}");
    assert!(
        summary.contains("AWS アカウント 検証 (210987654321) に入れず"),
        "{summary}"
    );
    // Nothing changed in the account that could not be entered; the home row went on.
    assert!(!left_in(&env, "210987654321", "app").await.is_empty());
    assert!(left_in(&env, HOME, "app").await.is_empty());
    // 開発 had no IAM work: not entered at all.
    assert!(
        !env.iam
            .other_calls()
            .iter()
            .any(|c| c.param("RoleArn").unwrap_or_default().contains(DEV))
    );
}

#[tokio::test]
async fn a_key_of_another_account_than_the_row_says_changes_nothing_anywhere() {
    let env = three_accounts().await;
    // The row says 検証, but the key is 本番's; 検証 has a user of the same name.
    let home_key = user_in(&env, HOME, "app").await;
    let _staging_key = user_in(&env, STAGING, "app").await;
    set_rows(&env, &[(due("田中 太郎", "app", &home_key), json!("検証"))]);
    let out = env.run_daily("2026-11-22").await;
    assert_eq!(out.status, 1, "{}", out.stderr);
    let a = action_for(&out.json(), 2);
    assert_eq!(a["outcome"], "refused", "{a}");
    let detail = a["detail"].as_str().unwrap();
    assert!(
        detail.contains("belongs to AWS account 本番 (123456789012)"),
        "{detail}"
    );
    assert!(env.iam.mutations().is_empty(), "{:?}", env.iam.mutations());
    assert!(
        env.iam.calls().is_empty(),
        "no IAM call at all: {:?}",
        env.iam.actions()
    );
    assert!(
        !env.iam
            .other_actions()
            .contains(&"sts:AssumeRole".to_string()),
        "the refused row's account is not entered"
    );
    assert!(!left_in(&env, HOME, "app").await.is_empty());
    assert!(!left_in(&env, STAGING, "app").await.is_empty());
}

#[tokio::test]
async fn the_deletion_cap_counts_over_all_accounts() {
    let mut env = three_accounts().await;
    env.set_env("KEYWARDEN_MAX_DELETIONS", "2");
    due_rows(
        &env,
        &[(HOME, "a", ""), (STAGING, "b", "検証"), (DEV, "c", "開発")],
    )
    .await;
    let out = env.run_daily("2026-11-22").await;
    assert_eq!(out.status, 1, "{}", out.stderr);
    let report = out.json();
    for row in 2..=4 {
        assert_eq!(action_for(&report, row)["outcome"], "refused");
    }
    assert!(env.iam.mutations().is_empty());
}

#[tokio::test]
async fn shadow_keys_are_listed_per_account() {
    let mut env = three_accounts().await;
    env.set_env("KEYWARDEN_REPORT_SHADOW_KEYS", "true");
    let home = user_in(&env, HOME, "h").await;
    let staging = user_in(&env, STAGING, "s").await;
    let dev = user_in(&env, DEV, "d").await;
    // Only 開発's key is in the sheet.
    set_rows(
        &env,
        &[(row("d", &dev, date_serial("2027-11-20")), json!("開発"))],
    );
    let out = env.run_daily("2026-11-22").await;
    let report = out.json();
    let shadows: Vec<(String, String)> = report["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["action"] == "shadow")
        .map(|a| {
            (
                a["access_key_id"].as_str().unwrap().to_string(),
                a["aws_account"].as_str().unwrap_or("-").to_string(),
            )
        })
        .collect();
    assert!(shadows.contains(&(home, HOME.to_string())), "{shadows:?}");
    assert!(
        shadows.contains(&(staging, STAGING.to_string())),
        "{shadows:?}"
    );
    assert!(!shadows.iter().any(|(k, _)| *k == dev), "{shadows:?}");
}

#[tokio::test]
async fn check_enters_every_account_and_changes_nothing() {
    let mut env = three_accounts().await;
    // 検証 and 開発 have their role; "broken" has none.
    env.set_env(
        "KEYWARDEN_ACCOUNTS",
        "本番=123456789012,検証=111122223333,開発=444455556666,broken=777788889999",
    );
    let key = user_in(&env, HOME, "app").await;
    set_rows(&env, &[(due("田中 太郎", "app", &key), json!(""))]);
    let out = env.run(&["check"]).await;
    assert_eq!(out.status, 1, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.line("AWS account 本番 (123456789012)").starts_with('✓'),
        "{}",
        out.stdout
    );
    assert!(
        out.line("AWS account 検証 (111122223333)").starts_with('✓'),
        "{}",
        out.stdout
    );
    assert!(
        out.line("AWS account 開発 (444455556666)").starts_with('✓'),
        "{}",
        out.stdout
    );
    let broken = out.line("AWS account broken (777788889999)");
    assert!(
        broken.starts_with('✗') && broken.contains("AccessDenied"),
        "{broken}"
    );
    assert!(
        env.iam.mutations().is_empty(),
        "check changes nothing in IAM"
    );
    assert_eq!(env.google.counts().writes, 0);
    let assumed = env
        .iam
        .other_actions()
        .iter()
        .filter(|a| *a == "sts:AssumeRole")
        .count();
    assert_eq!(assumed, 3);
}

#[tokio::test]
async fn organization_accounts_come_from_every_page_of_list_accounts() {
    let mut env = tanaka_env().await;
    let moto = env.moto.endpoint();
    let ids = support::moto_accounts::create_organization(&moto, &["prod", "stage", "gone"]).await;
    for name in ["prod", "stage"] {
        create_member_role(&moto, &ids[name], "/ops/", "kw", CALLER_ARN, Some("ext-1")).await;
    }
    env.set_env("KEYWARDEN_ACCOUNTS", "organization")
        .set_env("KEYWARDEN_ROLE_PATH", "/ops/")
        .set_env("KEYWARDEN_ROLE_NAME", "kw")
        .set_env("KEYWARDEN_ROLE_EXTERNAL_ID", "ext-1");
    // One account a page: the four accounts (the management account too) take four pages.
    env.iam.org_page_size(1);
    let prod_key = user_in(&env, &ids["prod"], "app").await;
    let stage_key = user_in(&env, &ids["stage"], "app").await;
    set_rows(
        &env,
        &[
            (due("田中 太郎", "app", &prod_key), json!("PROD")),
            (
                due("田中 太郎", "app", &stage_key),
                json!(ids["stage"].clone()),
            ),
        ],
    );
    let out = env.run_daily("2026-11-22").await;
    assert_eq!(out.status, 0, "{}\n{}", out.stdout, out.stderr);
    let report = out.json();
    assert_eq!(action_for(&report, 2)["aws_account"], ids["prod"].as_str());
    assert_eq!(action_for(&report, 2)["aws_account_alias"], "prod");
    assert_eq!(action_for(&report, 2)["outcome"], "done");
    assert_eq!(action_for(&report, 3)["outcome"], "done");
    assert!(left_in(&env, &ids["prod"], "app").await.is_empty());
    assert!(left_in(&env, &ids["stage"], "app").await.is_empty());
    let pages = env
        .iam
        .other_actions()
        .iter()
        .filter(|a| *a == "organizations:ListAccounts")
        .count();
    assert!(pages >= 4, "{:?}", env.iam.other_actions());
    let assume: Vec<_> = env
        .iam
        .other_calls()
        .into_iter()
        .filter(|c| c.action == "sts:AssumeRole")
        .collect();
    assert!(
        assume
            .iter()
            .all(|c| c.param("ExternalId") == Some("ext-1"))
    );
    assert!(assume.iter().all(|c| {
        c.param("RoleArn")
            .unwrap_or_default()
            .ends_with(":role/ops/kw")
    }));
}

#[tokio::test]
async fn a_suspended_organization_account_is_not_allowed() {
    let mut env = tanaka_env().await;
    let moto = env.moto.endpoint();
    let ids = support::moto_accounts::create_organization(&moto, &["gone"]).await;
    support::moto_accounts::close_account(&moto, &ids["gone"]).await;
    env.set_env("KEYWARDEN_ACCOUNTS", "organization");
    let key = user_in(&env, &ids["gone"], "app").await;
    set_rows(&env, &[(due("田中 太郎", "app", &key), json!("gone"))]);
    let out = env.run_daily("2026-11-22").await;
    assert_eq!(out.status, 1, "{}", out.stderr);
    let a = action_for(&out.json(), 2);
    assert_eq!(a["action"], "unusable", "{a}");
    assert!(env.iam.mutations().is_empty());
    assert!(!left_in(&env, &ids["gone"], "app").await.is_empty());
}

/// Secrets Manager acting in `account` on moto.
async fn secrets_in(moto: &str, account: &str) -> aws_sdk_secretsmanager::Client {
    use aws_sdk_secretsmanager::config::{BehaviorVersion, Credentials, Region};
    let (key, secret) = if account == HOME {
        ("testing".to_string(), "testing".to_string())
    } else {
        support::moto_accounts::account_credentials(moto, account).await
    };
    let config = aws_sdk_secretsmanager::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(key, secret, None, None, "test"))
        .endpoint_url(moto)
        .http_client(keywarden::adapters::aws::http_client())
        .build();
    aws_sdk_secretsmanager::Client::from_conf(config)
}

#[tokio::test]
async fn a_rotated_key_is_stored_in_its_own_account() {
    let mut env = three_accounts().await;
    let moto = env.moto.endpoint();
    let old = user_in(&env, STAGING, "rot").await;
    // The same user name in the home account is another user: rotated there on its own.
    let _home = user_in(&env, HOME, "rot").await;
    set_rows(
        &env,
        &[(row("rot", &old, json!("2099/12/31")), json!("検証"))],
    );
    env.set_env("KEYWARDEN_ROTATE_USERS", "rot")
        .set_env("KEYWARDEN_ROTATE_DAYS", "90")
        .set_env("AWS_ENDPOINT_URL_SECRETS_MANAGER", &moto);
    let today = (chrono::Utc::now().date_naive() + chrono::Duration::days(100)).to_string();
    let out = env.run_daily(&today).await;
    assert_eq!(out.status, 0, "{}\n{}", out.stdout, out.stderr);
    let report = out.json();
    let rotations: Vec<&Value> = report["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["action"] == "rotate")
        .collect();
    assert_eq!(rotations.len(), 2, "{rotations:?}");
    assert!(
        rotations.iter().all(|r| r["outcome"] == "done"),
        "{rotations:?}"
    );
    let staging_rotation = rotations
        .iter()
        .find(|r| r["aws_account"] == STAGING)
        .expect("rotated in 検証");
    assert_eq!(staging_rotation["row"], 2);
    // Each secret in the key's own account, holding that account's new key.
    for account in [STAGING, HOME] {
        let stored = secrets_in(&moto, account)
            .await
            .get_secret_value()
            .secret_id("keywarden/rot")
            .send()
            .await
            .unwrap_or_else(|e| panic!("secret in {account}: {e:?}"));
        let pair: Value = serde_json::from_str(stored.secret_string().unwrap()).unwrap();
        let new_key = pair["AccessKeyId"].as_str().unwrap().to_string();
        let owner = support::moto_accounts::key_account(&moto, &new_key).await;
        assert_eq!(owner.as_deref(), Some(account));
    }
    // The sheet row (検証's key) now holds 検証's new key.
    let cell = env.google.cell("key_request_form", "L2").unwrap();
    let owner = support::moto_accounts::key_account(&moto, cell.as_str().unwrap()).await;
    assert_eq!(owner.as_deref(), Some(STAGING));
}

#[tokio::test]
async fn a_rotated_key_id_that_missed_the_sheet_is_recovered_from_its_own_accounts_secret() {
    let mut env = three_accounts().await;
    let moto = env.moto.endpoint();
    let old = user_in(&env, STAGING, "rot").await;
    set_rows(
        &env,
        &[(row("rot", &old, json!("2099/12/31")), json!("検証"))],
    );
    env.set_env("KEYWARDEN_ROTATE_USERS", "rot")
        .set_env("KEYWARDEN_ROTATE_DAYS", "90")
        .set_env("AWS_ENDPOINT_URL_SECRETS_MANAGER", &moto);
    let day = |d: i64| (chrono::Utc::now().date_naive() + chrono::Duration::days(d)).to_string();
    env.google
        .fail_next(support::google::Endpoint::Write, 503, 100);
    let out = env.run_daily(&day(100)).await;
    assert_eq!(out.status, 1, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(env.google.cell("key_request_form", "L2"), Some(json!(old)));

    env.google
        .fail_next(support::google::Endpoint::Write, 503, 0);
    let out = env.run_daily(&day(101)).await;
    assert_eq!(out.status, 0, "{}\n{}", out.stdout, out.stderr);
    let report = out.json();
    let recovered = action_for(&report, 2);
    assert_eq!(
        (recovered["action"].as_str(), recovered["outcome"].as_str()),
        (Some("rotate"), Some("done")),
        "{report:#}"
    );
    assert_eq!(recovered["aws_account"], STAGING);
    let stored = secrets_in(&moto, STAGING)
        .await
        .get_secret_value()
        .secret_id("keywarden/rot")
        .send()
        .await
        .unwrap();
    let pair: Value = serde_json::from_str(stored.secret_string().unwrap()).unwrap();
    assert_eq!(
        env.google.cell("key_request_form", "L2"),
        Some(pair["AccessKeyId"].clone()),
        "the row holds 検証's new key"
    );
}

#[tokio::test]
async fn a_key_only_deletion_in_another_account_is_untagged_there() {
    let env = three_accounts().await;
    let iam = account_iam(&env.moto.endpoint(), STAGING).await;
    let keys = load_user(
        &iam,
        "app",
        Loadout {
            access_keys: 2,
            ..Loadout::bare()
        },
    )
    .await
    .access_key_ids;
    set_rows(
        &env,
        &[
            (due("佐藤 花子", "app", &keys[0]), json!("検証")),
            (
                RequestRow::new("佐藤 花子", "app", &keys[1], json!("2099/12/31")),
                json!("検証"),
            ),
        ],
    );
    let out = env.run_daily("2026-11-22").await;
    assert_eq!(out.status, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(
        env.google.cell("key_request_form", "K2"),
        Some(json!("削除済み"))
    );
    let tags = iam.list_user_tags().user_name("app").send().await.unwrap();
    assert!(
        tags.tags().iter().all(|t| t.key() != "keywarden:teardown"),
        "{tags:?}"
    );
    let untags: Vec<_> = env
        .iam
        .calls()
        .into_iter()
        .filter(|c| c.action == "UntagUser")
        .collect();
    assert_eq!(untags.len(), 1, "{:?}", env.iam.actions());
    assert_eq!(env.iam.account_of(&untags[0]), STAGING);
    // The account is entered once: the untagging uses the IAM stage's clients.
    let assumed = env.iam.other_actions();
    let assumed = assumed.iter().filter(|a| *a == "sts:AssumeRole").count();
    assert_eq!(assumed, 1, "{:?}", env.iam.other_actions());
}

#[tokio::test]
async fn sts_throttling_is_retried_and_the_run_goes_on() {
    let env = three_accounts().await;
    let key = user_in(&env, STAGING, "app").await;
    set_rows(&env, &[(due("佐藤 花子", "app", &key), json!("検証"))]);
    env.iam.fail_next("AssumeRole", 400, "Throttling", 2);
    env.iam.fail_next("GetAccessKeyInfo", 400, "Throttling", 2);
    let out = env.run_daily("2026-11-22").await;
    assert_eq!(out.status, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(action_for(&out.json(), 2)["outcome"], "done");
    assert!(left_in(&env, STAGING, "app").await.is_empty());
    let throttled = env
        .iam
        .other_calls()
        .iter()
        .filter(|c| c.status == 400)
        .count();
    assert_eq!(throttled, 4, "{:?}", env.iam.other_actions());
}

#[tokio::test]
async fn protected_users_may_be_qualified_by_account() {
    let mut env = three_accounts().await;
    env.set_env("KEYWARDEN_PROTECTED_USERS", "検証:app,444455556666:ci");
    due_rows(
        &env,
        &[
            (HOME, "app", ""),
            (STAGING, "app", "検証"),
            (DEV, "ci", "開発"),
            (HOME, "ci", "本番"),
        ],
    )
    .await;
    let out = env.run_daily("2026-11-22").await;
    assert_eq!(out.status, 1, "{}", out.stderr);
    let report = out.json();
    assert_eq!(action_for(&report, 2)["outcome"], "done");
    assert_eq!(action_for(&report, 3)["outcome"], "refused");
    assert_eq!(action_for(&report, 4)["outcome"], "refused");
    assert_eq!(action_for(&report, 5)["outcome"], "done");
    assert!(left_in(&env, HOME, "app").await.is_empty());
    assert!(!left_in(&env, STAGING, "app").await.is_empty());
    assert!(!left_in(&env, DEV, "ci").await.is_empty());
    assert!(left_in(&env, HOME, "ci").await.is_empty());
}

#[tokio::test]
async fn without_the_home_account_or_the_organization_nothing_runs() {
    let mut env = three_accounts().await;
    let key = user_in(&env, HOME, "app").await;
    set_rows(&env, &[(due("田中 太郎", "app", &key), json!(""))]);
    // ListAccounts refused (not the management account): no row's account can be told.
    env.set_env("KEYWARDEN_ACCOUNTS", "organization");
    env.iam
        .fail_next("ListAccounts", 400, "AccessDeniedException", 5);
    let out = env.run(&["run", "--today", "2026-11-22"]).await;
    assert_eq!(out.status, 2, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stderr
            .contains("cannot list the Organization's accounts"),
        "{}",
        out.stderr
    );
    // STS unreachable: the home account cannot be named.
    env.set_env("KEYWARDEN_ACCOUNTS", ACCOUNTS)
        .set_env("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9");
    let out = env.run(&["run", "--today", "2026-11-22"]).await;
    assert_eq!(out.status, 2, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("sts:GetCallerIdentity"),
        "{}",
        out.stderr
    );
    assert!(env.iam.mutations().is_empty());
    assert_eq!(env.google.counts().writes, 0);
    assert!(!left_in(&env, HOME, "app").await.is_empty());
}

#[tokio::test]
async fn accounts_are_entered_side_by_side_up_to_the_concurrency() {
    let overlapping = |env: &TestEnv| {
        let calls: Vec<_> = env
            .iam
            .other_calls()
            .into_iter()
            .filter(|c| c.action == "sts:AssumeRole")
            .collect();
        assert_eq!(calls.len(), 2);
        calls[0].at < calls[1].done && calls[1].at < calls[0].done
    };
    for (concurrency, side_by_side) in [("1", false), ("8", true)] {
        let mut env = three_accounts().await;
        env.set_env("KEYWARDEN_ACCOUNT_CONCURRENCY", concurrency);
        let b = user_in(&env, STAGING, "b").await;
        let c = user_in(&env, DEV, "c").await;
        set_rows(
            &env,
            &[
                (due("田中 太郎", "b", &b), json!("検証")),
                (due("田中 太郎", "c", &c), json!("開発")),
            ],
        );
        env.iam.delay(std::time::Duration::from_millis(300));
        let out = env.run_daily("2026-11-22").await;
        assert_eq!(out.status, 0, "{}", out.stderr);
        assert_eq!(overlapping(&env), side_by_side, "concurrency {concurrency}");
    }
}

/// Key IDs are global: a live row that names another account but holds a key of this
/// account's user still holds it, so the user stays and only the due key goes.
#[tokio::test]
async fn a_row_under_a_mistyped_account_still_holds_its_key() {
    let env = three_accounts().await;
    let iam = account_iam(&env.moto.endpoint(), STAGING).await;
    let loadout = Loadout {
        access_keys: 2,
        ..Loadout::bare()
    };
    let keys = load_user(&iam, "app", loadout).await.access_key_ids;
    set_rows(
        &env,
        &[
            (due("佐藤 花子", "app", &keys[0]), json!("検証")),
            // The renewal's account cell says 開発 although its key is 検証's app's.
            (
                RequestRow::new("佐藤 花子", "app", &keys[1], json!("2027/03/31")),
                json!("開発"),
            ),
        ],
    );
    let out = env.run_daily("2026-11-22").await;
    assert!(out.status < 2, "{}\n{}", out.stdout, out.stderr);
    let report = out.json();
    assert_eq!(action_for(&report, 2)["outcome"], "done", "{report:#}");
    let left = left_in(&env, STAGING, "app").await;
    assert_only_key_deleted(&left, "app", &keys[1], &keys[0]);
}

/// A cell of 12 digits is that account, even when an alias of `KEYWARDEN_ACCOUNTS` reads the
/// same: here `444455556666` is 検証's alias and 開発's ID, `999999999999` only 開発's alias.
#[tokio::test]
async fn a_twelve_digit_cell_is_an_id_never_an_alias() {
    let mut env = three_accounts().await;
    env.set_env(
        "KEYWARDEN_ACCOUNTS",
        "本番=123456789012,444455556666=111122223333,999999999999=444455556666",
    );
    let dev = user_in(&env, DEV, "u1").await;
    let aliased = user_in(&env, DEV, "u2").await;
    let staging = user_in(&env, STAGING, "u3").await;
    set_rows(
        &env,
        &[
            // 開発's ID (and 検証's alias): acts in 開発.
            (due("田中 太郎", "u1", &dev), json!("4444-5555-6666")),
            // 開発's alias, but an ID nobody allowed: unusable, nothing assumed.
            (due("田中 太郎", "u2", &aliased), json!("999999999999")),
            // 検証 by its ID.
            (due("田中 太郎", "u3", &staging), json!(STAGING)),
        ],
    );
    let out = env.run_daily("2026-11-22").await;
    assert_eq!(out.status, 1, "{}\n{}", out.stdout, out.stderr);
    let report = out.json();
    let row2 = action_for(&report, 2);
    assert_eq!(row2["outcome"], "done", "{row2}");
    assert_eq!(row2["aws_account"], DEV, "{row2}");
    let row3 = action_for(&report, 3);
    assert_eq!(row3["action"], "unusable", "{row3}");
    assert!(row3.get("aws_account").is_none(), "{row3}");
    assert!(
        row3["detail"]
            .as_str()
            .unwrap()
            .contains("999999999999 is not one keywarden may act in"),
        "{row3}"
    );
    let row4 = action_for(&report, 4);
    assert_eq!(row4["outcome"], "done", "{row4}");
    assert_eq!(row4["aws_account"], STAGING, "{row4}");
    assert!(left_in(&env, DEV, "u1").await.is_empty());
    assert!(!left_in(&env, DEV, "u2").await.is_empty());
    assert!(left_in(&env, STAGING, "u3").await.is_empty());
    // Nothing was asked of the account the unusable cell reads as.
    assert!(
        env.iam.other_calls().iter().all(|c| !c
            .param("RoleArn")
            .unwrap_or_default()
            .contains("999999999999")),
        "{:?}",
        env.iam.other_actions()
    );
}

/// Asserts a run stopped before doing anything: exit 2, the message naming `entry` and the
/// allowed accounts, no IAM change, no sheet write, no Slack message.
fn refused_before_anything(
    env: &TestEnv,
    out: &support::app::RunOutput,
    entry: &str,
    allowed: &str,
) {
    assert_eq!(out.status, 2, "{}\n{}", out.stdout, out.stderr);
    let said = format!("{}{}", out.stdout, out.stderr);
    assert!(
        said.contains(&format!(
            "\"{entry}\" names no account keywarden may act in"
        )),
        "{said}"
    );
    assert!(
        said.contains(&format!("allowed accounts: {allowed}")),
        "{said}"
    );
    assert!(env.iam.mutations().is_empty(), "{:?}", env.iam.mutations());
    let counts = env.google.counts();
    assert_eq!(
        (counts.writes, counts.appends, counts.sheet_updates),
        (0, 0, 0),
        "{counts:?}"
    );
    assert!(
        env.slack.messages().is_empty(),
        "{:?}",
        env.slack.messages()
    );
}

/// Without `KEYWARDEN_ACCOUNTS` the home account is the only one: a protected user qualified
/// by any other account protects nothing, so nothing runs; by the home account's ID it is fine.
#[tokio::test]
async fn a_protected_user_of_no_allowed_account_stops_a_home_only_run() {
    let mut env = tanaka_env().await;
    let key = user_in(&env, HOME, "app").await;
    env.set_requests(&[due("田中 太郎", "app", &key)]);
    env.set_env("KEYWARDEN_PROTECTED_USERS", "ci-deploy,本番:ci-deploy");
    for args in [
        &["run", "--today", "2026-11-22"][..],
        &["run", "--today", "2026-11-22", "--output", "json"][..],
    ] {
        let out = env.run(args).await;
        refused_before_anything(&env, &out, "本番:ci-deploy", "123456789012 (home) — ");
    }
    assert!(!left_in(&env, HOME, "app").await.is_empty());

    // check says so on a ✗ line, and changes nothing either.
    let out = env.run(&["check"]).await;
    assert_ne!(out.status, 0, "{}\n{}", out.stdout, out.stderr);
    let line = out
        .stdout
        .lines()
        .find(|l| l.contains("protected users' accounts"))
        .unwrap_or_else(|| panic!("no line about protected users:\n{}", out.stdout));
    assert!(
        line.starts_with('✗') && line.contains("\"本番:ci-deploy\""),
        "{line}"
    );
    assert!(env.iam.mutations().is_empty());
    assert_eq!(env.google.counts().writes, 0);

    // The home account by its ID: allowed, and the run goes on.
    env.set_env(
        "KEYWARDEN_PROTECTED_USERS",
        "ci-deploy,1234-5678-9012:ci-deploy",
    );
    let out = env.run(&["check"]).await;
    let line = out
        .stdout
        .lines()
        .find(|l| l.contains("protected users' accounts"))
        .unwrap_or_else(|| panic!("no line about protected users:\n{}", out.stdout));
    assert!(line.starts_with('✓'), "{line}");
    let out = env.run_daily("2026-11-22").await;
    assert_eq!(out.status, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(action_for(&out.json(), 2)["outcome"], "done");
    assert!(left_in(&env, HOME, "app").await.is_empty());
}

/// The home account's ID must be known to check a qualified protected user: without it,
/// nothing runs, even without `KEYWARDEN_ACCOUNTS`.
#[tokio::test]
async fn a_qualified_protected_user_needs_the_home_account() {
    let mut env = tanaka_env().await;
    let key = user_in(&env, HOME, "app").await;
    env.set_requests(&[due("田中 太郎", "app", &key)]);
    env.set_env("KEYWARDEN_PROTECTED_USERS", "123456789012:ci-deploy")
        .set_env("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9");
    let out = env.run(&["run", "--today", "2026-11-22"]).await;
    assert_eq!(out.status, 2, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("sts:GetCallerIdentity"),
        "{}",
        out.stderr
    );
    assert!(env.iam.mutations().is_empty());
    assert_eq!(env.google.counts().writes, 0);
    assert!(!left_in(&env, HOME, "app").await.is_empty());
}

/// With `KEYWARDEN_ACCOUNTS`, the listed accounts (or the Organization's) decide.
#[tokio::test]
async fn a_protected_user_of_no_allowed_account_stops_a_run_across_accounts() {
    let mut env = three_accounts().await;
    let key = user_in(&env, STAGING, "app").await;
    set_rows(&env, &[(due("田中 太郎", "app", &key), json!("検証"))]);
    env.set_env(
        "KEYWARDEN_PROTECTED_USERS",
        "検証:ci,444455556666:ci,999999999999:app,本番:ok",
    );
    let out = env.run_daily("2026-11-22").await;
    refused_before_anything(
        &env,
        &out,
        "999999999999:app",
        "本番 (123456789012) (home), 検証 (111122223333), 開発 (444455556666) — ",
    );
    assert!(!out.stderr.contains("検証:ci"), "{}", out.stderr);
    assert!(
        !env.iam
            .other_actions()
            .iter()
            .any(|a| a == "sts:AssumeRole"),
        "{:?}",
        env.iam.other_actions()
    );
    assert!(!left_in(&env, STAGING, "app").await.is_empty());
}

#[tokio::test]
async fn a_protected_user_of_a_suspended_organization_account_stops_the_run() {
    let mut env = tanaka_env().await;
    let moto = env.moto.endpoint();
    let ids = support::moto_accounts::create_organization(&moto, &["prod", "gone"]).await;
    support::moto_accounts::close_account(&moto, &ids["gone"]).await;
    env.set_env("KEYWARDEN_ACCOUNTS", "organization")
        .set_env("KEYWARDEN_PROTECTED_USERS", "prod:ci,gone:ci");
    let key = user_in(&env, HOME, "app").await;
    set_rows(&env, &[(due("田中 太郎", "app", &key), json!(""))]);
    let out = env.run(&["run", "--today", "2026-11-22"]).await;
    // Only ACTIVE accounts are allowed: the closed one is not listed.
    let allowed = format!("master (123456789012) (home), prod ({}) — ", ids["prod"]);
    refused_before_anything(&env, &out, "gone:ci", &allowed);
    assert!(!out.stderr.contains("\"prod:ci\""), "{}", out.stderr);
    assert!(!left_in(&env, HOME, "app").await.is_empty());
}

/// A live row whose account cell names no allowed account (a typo) is never acted on, but it
/// still claims its user name in every account: a due row of that user is refused whole, as
/// it is without the account column.
#[tokio::test]
async fn a_row_with_a_mistyped_account_claims_its_user_in_every_account() {
    // The later row's key cell is empty, or the key annotated (unreadable, maybe the key).
    for annotated in [false, true] {
        let env = three_accounts().await;
        let key = user_in(&env, HOME, "tanaka-dev").await;
        let key_cell = if annotated {
            format!("{key} （旧）")
        } else {
            String::new()
        };
        let later = row("tanaka-dev", &key_cell, date_serial("2027-03-31"));
        set_rows(
            &env,
            &[
                (due("田中 太郎", "tanaka-dev", &key), json!("本番")),
                (later, json!("本番x")),
            ],
        );
        let out = env.run_daily("2026-11-22").await;
        assert_eq!(out.status, 1, "{}", out.stderr);
        let report = out.json();
        let refused = action_for(&report, 2);
        assert_eq!(refused["action"], "delete", "{refused}");
        assert_eq!(refused["outcome"], "refused", "{refused}");
        let detail = refused["detail"].as_str().unwrap();
        assert!(detail.contains("rows 2 and 3 both claim"), "{detail}");
        assert_eq!(action_for(&report, 3)["action"], "unusable");
        let left = left_in(&env, HOME, "tanaka-dev").await;
        assert!(left.contains(&format!("access key {key}")), "{left:?}");
        assert!(env.iam.mutations().is_empty(), "{:?}", env.iam.mutations());
    }
}

/// A user name means the user of the row's own account: a live row naming the same user in
/// another account with an empty key cell claims nothing here.
#[tokio::test]
async fn a_same_named_user_in_another_account_is_somebody_else() {
    let env = three_accounts().await;
    let key = user_in(&env, HOME, "tanaka-dev").await;
    let _other = user_in(&env, STAGING, "tanaka-dev").await;
    let later = row("tanaka-dev", "", date_serial("2027-03-31"));
    set_rows(
        &env,
        &[
            (due("田中 太郎", "tanaka-dev", &key), json!("本番")),
            (later, json!("検証")),
        ],
    );
    let out = env.run_daily("2026-11-22").await;
    let report = out.json();
    let done = action_for(&report, 2);
    assert_eq!(done["outcome"], "done", "{done}");
    assert!(left_in(&env, HOME, "tanaka-dev").await.is_empty());
    assert!(!left_in(&env, STAGING, "tanaka-dev").await.is_empty());
}

/// The decision table runs once for the whole sheet: an extended row whose key keywarden had
/// set Inactive, whose key proves another account, is refused in one report line.
#[tokio::test]
async fn a_refused_reactivation_is_one_line_of_the_report() {
    let env = three_accounts().await;
    let key = user_in(&env, HOME, "tanaka-dev").await;
    // Another row of 検証 is due, so that account is entered and its phases run.
    let staging = user_in(&env, STAGING, "app").await;
    let sheet = request_sheet(
        &["AWSアカウント", "無効化日"],
        vec![
            (
                due("田中 太郎", "tanaka-dev", &key).status("延長"),
                vec![json!("検証"), json!("2026-11-21")],
            ),
            (due("佐藤 花子", "app", &staging), vec![json!("検証")]),
        ],
    );
    env.google.set_sheet(REQUEST_SHEET, sheet);
    let out = env.run_daily("2026-11-22").await;
    assert_eq!(out.status, 1, "{}", out.stderr);
    let report = out.json();
    let lines: Vec<&Value> = report["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["row"] == json!(2))
        .collect();
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert_eq!(lines[0]["action"], "reactivate", "{}", lines[0]);
    assert_eq!(lines[0]["outcome"], "refused", "{}", lines[0]);
    assert!(
        lines[0]["detail"].as_str().unwrap().contains("本番"),
        "names the key's account: {}",
        lines[0]
    );
    assert!(
        env.iam
            .mutations()
            .iter()
            .all(|c| c.param("UserName") == Some("app")),
        "{:?}",
        env.iam.mutations()
    );
    assert_eq!(action_for(&report, 3)["outcome"], "done");
}
