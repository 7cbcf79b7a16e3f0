//! Key issuance (docs/rules.md §12) against moto through the real binary: requests asked once,
//! refused with the cell to fix, approved ones issued in the row's account (user, tags,
//! boundary, policy, one key, the secret with its tag and policy, the row filled, the owner's
//! DM), a run killed after CreateAccessKey, a failed secret store, a taken name, the cap, a
//! future start date — and the secret in no output.

use crate::fixtures::{STAGING, TANAKA, TODAY, row, tanaka};
use crate::support;

use chrono::NaiveDate;
use serde_json::{Value, json};

use keywarden::core::domain::{AwsAccountId, SlackUserId};
use keywarden::core::issue::request_id;
use support::app::{RequestRow, TestEnv, action_for, request_sheet_header};
use support::moto::{Loadout, load_user};
use support::moto_accounts::{
    CALLER_ARN, HOME, account_credentials, account_iam, create_member_role,
};

const SHEET: &str = "key_request_form";
/// The entry's policy in the home account (moto's AWS-managed policies are not attachable).
const POLICY: &str = "arn:aws:iam::123456789012:policy/keywarden-read";
const POLICY_TEMPLATE: &str = "arn:aws:iam::{account}:policy/keywarden-read";

/// Issuance on (one entry, 読み取り), Secrets Manager through the recording proxy.
async fn env() -> TestEnv {
    let mut env = TestEnv::start().await;
    env.set_users(&[tanaka()]);
    let proxy = env.iam.endpoint();
    env.set_env(
        "KEYWARDEN_ISSUE_POLICIES",
        &format!("読み取り={POLICY_TEMPLATE}"),
    )
    .set_env("AWS_ENDPOINT_URL_SECRETS_MANAGER", &proxy);
    create_policy(&env.iam_client()).await;
    env
}

/// The policy the entry names, in the account of `iam`.
async fn create_policy(iam: &aws_sdk_iam::Client) {
    let document = json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]
    });
    iam.create_policy()
        .policy_name("keywarden-read")
        .policy_document(document.to_string())
        .send()
        .await
        .expect("policy created");
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// A request of 田中 太郎 for `user`: no key, 読み取り, start 2026/04/01, end 2027/03/31.
fn request(user: &str) -> RequestRow {
    RequestRow {
        name: json!("田中 太郎"),
        account: json!(user),
        end: json!("2027/03/31"),
        ..RequestRow::default()
    }
}

/// The ID keywarden gives `request(user)` in `account`.
fn id_of(account: &str, user: &str) -> String {
    id_dated(account, user, Some("2026-04-01"), "2027-03-31")
}

/// The ID of 田中's 読み取り request for `user` with these dates.
fn id_dated(account: &str, user: &str, start: Option<&str>, end: &str) -> String {
    request_id(
        &AwsAccountId::parse(account).unwrap(),
        user,
        &SlackUserId::parse(TANAKA).unwrap(),
        "読み取り",
        start.map(day),
        day(end),
    )
    .to_string()
}

/// The request sheet: the original layout plus `発行申請` (M), each row with its cell.
fn set_rows(env: &TestEnv, rows: &[(RequestRow, &str)]) {
    let mut header = request_sheet_header();
    header.push(json!("発行申請"));
    let mut sheet = vec![header];
    for (row, cell) in rows {
        let mut values = row.to_values();
        values.push(json!(cell));
        sheet.push(values);
    }
    env.google.set_sheet(SHEET, sheet);
}

fn approved(r: &str) -> String {
    format!("承認済み {r} UADMIN0001 2026-11-21")
}

async fn requests(env: &TestEnv) -> (i32, Value, String) {
    let out = env
        .run(&["requests", "--today", TODAY, "--output", "json"])
        .await;
    let everything = format!("{}\n{}", out.stdout, out.stderr);
    (out.status, out.json(), everything)
}

fn cell(env: &TestEnv, a1: &str) -> String {
    match env.google.cell(SHEET, a1) {
        Some(Value::String(s)) => s,
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

fn sm_client(moto: &str, key: &str, secret: &str) -> aws_sdk_secretsmanager::Client {
    use aws_sdk_secretsmanager::config::{BehaviorVersion, Credentials, Region};
    let config = aws_sdk_secretsmanager::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(key, secret, None, None, "test"))
        .endpoint_url(moto)
        .http_client(keywarden::adapters::aws::http_client())
        .build();
    aws_sdk_secretsmanager::Client::from_conf(config)
}

async fn secrets_in(moto: &str, account: &str) -> aws_sdk_secretsmanager::Client {
    if account == HOME {
        return sm_client(moto, "testing", "testing");
    }
    let (key, secret) = account_credentials(moto, account).await;
    sm_client(moto, &key, &secret)
}

/// Every text a person could read: the run's streams, the sheets, Slack.
fn all_output(env: &TestEnv, streams: &str) -> String {
    let mut text = streams.to_string();
    for sheet in [SHEET, "keywarden_log"] {
        text.push_str(&serde_json::to_string(&env.google.sheet(sheet)).unwrap());
    }
    for m in env.slack.messages() {
        text.push_str(&m.text);
        text.push_str(&m.blocks.map(|b| b.to_string()).unwrap_or_default());
    }
    text
}

fn keys_of(users: &[aws_sdk_iam::types::AccessKeyMetadata]) -> Vec<String> {
    users
        .iter()
        .filter_map(|k| k.access_key_id().map(str::to_string))
        .collect()
}

async fn keys(iam: &aws_sdk_iam::Client, user: &str) -> Vec<String> {
    let out = iam.list_access_keys().user_name(user).send().await.unwrap();
    keys_of(out.access_key_metadata())
}

#[tokio::test]
async fn a_valid_request_is_asked_once() {
    let env = env().await;
    env.set_requests(&[request("tanaka-s3")]);
    let r = id_of(HOME, "tanaka-s3");

    let (status, report, _) = requests(&env).await;
    assert_eq!(status, 0, "{report:#}");
    let line = action_for(&report, 2);
    assert_eq!(
        (line["action"].as_str(), line["outcome"].as_str()),
        (Some("issue_request"), Some("done")),
        "{line}"
    );
    // `発行申請` created after the free cells of the other writers' columns (M..P): Q.
    assert_eq!(cell(&env, "Q1"), "発行申請");
    let recorded = cell(&env, "Q2");
    assert!(
        recorded.starts_with(&format!("承認待ち {r}\n承認依頼: ")),
        "{recorded}"
    );
    // One copy to each administrator, each with the two buttons carrying R, each recorded.
    for admin in ["UADMIN0001", "UADMIN0002"] {
        let sent: Vec<_> = env
            .slack
            .messages()
            .into_iter()
            .filter(|m| m.channel == admin && m.text.contains("発行申請が届きました"))
            .collect();
        assert_eq!(sent.len(), 1, "{sent:?}");
        let blocks = sent[0].blocks.clone().unwrap().to_string();
        for part in [
            "keywarden_issue_approve",
            "keywarden_issue_reject",
            r.as_str(),
            POLICY,
            "tanaka-s3",
            "2027-03-31",
        ] {
            assert!(blocks.contains(part), "{part} not in {blocks}");
        }
    }
    assert_eq!(recorded.matches('/').count(), 2, "two copies: {recorded}");
    let owner = env.slack.messages_to(TANAKA);
    assert_eq!(owner.len(), 1, "{owner:?}");
    assert!(owner[0].contains("管理者に送りました"), "{owner:?}");
    assert!(
        env.iam.mutations().is_empty(),
        "asking changes nothing in IAM"
    );
    let log = env.google.sheet("keywarden_log");
    assert!(
        log.iter().any(|l| l.iter().any(|c| c == "issue_request")),
        "{log:?}"
    );

    // The second pass (and a daily run) does not ask again.
    let before = env.slack.messages().len();
    let (status, report, _) = requests(&env).await;
    assert_eq!(status, 0, "{report:#}");
    assert_eq!(action_for(&report, 2)["action"], "skip");
    let out = env.run_daily(TODAY).await;
    assert_eq!(out.status, 0, "{}\n{}", out.stdout, out.stderr);
    let after: Vec<_> = env.slack.messages()[before..]
        .iter()
        .filter(|m| m.text.contains("発行申請が届きました"))
        .cloned()
        .collect();
    assert!(after.is_empty(), "asked again: {after:?}");
    assert_eq!(cell(&env, "Q2"), recorded);
}

#[tokio::test]
async fn each_invalid_request_is_refused_with_the_cell_to_fix() {
    let mut env = env().await;
    env.set_env("KEYWARDEN_PROTECTED_USERS", "admin");
    load_user(&env.iam_client(), "taken", Loadout::bare()).await;
    let rows = [
        // 2: nobody of that name in users_json
        RequestRow {
            name: json!("山田 花子"),
            ..request("yamada")
        },
        // 3: not an IAM user name
        request("tanaka s3"),
        // 4: a policy typed in, not an entry
        RequestRow {
            permissions: json!(POLICY),
            ..request("tanaka-a")
        },
        // 5: longer than KEYWARDEN_MAX_ISSUE_DAYS after the start date
        RequestRow {
            end: json!("2027/12/31"),
            ..request("tanaka-b")
        },
        // 6: a user of that name exists, not created for this request
        request("taken"),
        // 7: a protected user
        request("admin"),
        // 8: two entries named
        RequestRow {
            permissions: json!("読み取り, 読み取り専用"),
            ..request("tanaka-c")
        },
        // 9: an end date already past
        RequestRow {
            end: json!("2026/11/01"),
            ..request("tanaka-d")
        },
        // 10 and 11: two rows naming the same user
        request("tanaka-e"),
        request("tanaka-e"),
    ];
    env.set_requests(&rows);
    let (status, report, _) = requests(&env).await;
    assert_eq!(status, 1, "{report:#}");
    let expect = [
        (2, "B2 (氏名)"),
        (3, "J3 (アカウント名)"),
        (4, "F4 (必要な権限)"),
        (5, "I5 (アクセスキー利用終了日)"),
        (6, "already exists"),
        (7, "protected"),
        (8, "F8 (必要な権限)"),
        (9, "I9 (アクセスキー利用終了日)"),
        (10, "row 11"),
        (11, "row 10"),
    ];
    for (row, says) in expect {
        let line = action_for(&report, row);
        assert_eq!(
            (line["action"].as_str(), line["outcome"].as_str()),
            (Some("issue_request"), Some("refused")),
            "{line}"
        );
        let detail = line["detail"].as_str().unwrap();
        assert!(detail.contains(says), "row {row}: {says} not in {detail}");
    }
    // Nothing was asked, nothing written, nothing created; the 15-minute pass tells nobody.
    assert!(
        env.slack.messages().is_empty(),
        "{:?}",
        env.slack.messages()
    );
    assert_eq!(cell(&env, "M1"), "");
    assert!(env.iam.mutations().is_empty());
    let logged = |env: &TestEnv| {
        let mut exists = false;
        env.google.edit(|s| exists = s.contains("keywarden_log"));
        if !exists {
            return 0;
        }
        env.google
            .sheet("keywarden_log")
            .iter()
            .filter(|l| l.iter().any(|c| c == "issue_request"))
            .count()
    };
    assert_eq!(
        logged(&env),
        0,
        "the 15-minute pass logs no refusal: {:?}",
        env.google.sheet("keywarden_log")
    );
    // The daily run tells the administrators which cell to fix.
    let out = env.run_daily(TODAY).await;
    assert_eq!(out.status, 1);
    let summary = env.slack.messages_to("UADMIN0001");
    assert!(
        summary.iter().any(|m| m.contains("J3")),
        "the summary names the cell: {summary:?}"
    );
    assert_eq!(
        logged(&env),
        expect.len(),
        "the daily run logs each refusal"
    );
}

#[tokio::test]
async fn an_approved_request_is_issued_and_its_secret_is_in_no_output() {
    let mut env = env().await;
    env.set_env(
        "KEYWARDEN_ISSUE_BOUNDARY",
        "arn:aws:iam::{account}:policy/keywarden-boundary",
    )
    .set_env(
        "KEYWARDEN_ISSUE_READER",
        "arn:aws:sts::{account}:assumed-role/AWSReservedSSO_*/{email}",
    )
    .set_env("KEYWARDEN_ISSUE_PATH", "/keywarden/");
    let r = id_of(HOME, "tanaka-s3");
    set_rows(
        &env,
        &[(request("tanaka-s3").status("申請中"), &approved(&r))],
    );

    let (status, report, streams) = requests(&env).await;
    assert_eq!(status, 0, "{report:#}\n{streams}");
    let line = action_for(&report, 2);
    assert_eq!(
        (line["action"].as_str(), line["outcome"].as_str()),
        (Some("issue"), Some("done")),
        "{line}"
    );
    let iam = env.iam_client();
    // CreateUser with the path, the boundary and the three tags in the one call.
    let create = env
        .iam
        .calls()
        .into_iter()
        .find(|c| c.action == "CreateUser")
        .expect("CreateUser");
    assert_eq!(create.param("Path"), Some("/keywarden/"));
    assert_eq!(
        create.param("PermissionsBoundary"),
        Some("arn:aws:iam::123456789012:policy/keywarden-boundary")
    );
    let user = iam.get_user().user_name("tanaka-s3").send().await.unwrap();
    let tags: Vec<(String, String)> = user
        .user()
        .unwrap()
        .tags()
        .iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect();
    for tag in [
        ("keywarden:request".to_string(), r.clone()),
        ("keywarden:owner".to_string(), TANAKA.to_string()),
        ("keywarden:end-date".to_string(), "2027-03-31".to_string()),
    ] {
        assert!(tags.contains(&tag), "{tag:?} not in {tags:?}");
    }
    let attached = iam
        .list_attached_user_policies()
        .user_name("tanaka-s3")
        .send()
        .await
        .unwrap();
    let arns: Vec<_> = attached
        .attached_policies()
        .iter()
        .filter_map(|p| p.policy_arn())
        .collect();
    assert_eq!(arns, vec![POLICY]);
    let keys = keys(&iam, "tanaka-s3").await;
    assert_eq!(keys.len(), 1, "{keys:?}");
    // The secret: the pair, tagged with R, readable by the owner alone.
    let sm = secrets_in(&env.moto.endpoint(), HOME).await;
    let stored = sm
        .get_secret_value()
        .secret_id("keywarden/tanaka-s3")
        .send()
        .await
        .unwrap();
    let pair: Value = serde_json::from_str(stored.secret_string().unwrap()).unwrap();
    assert_eq!(pair["AccessKeyId"], keys[0]);
    let secret_text = pair["SecretAccessKey"].as_str().unwrap().to_string();
    assert!(secret_text.len() >= 20);
    let described = sm
        .describe_secret()
        .secret_id("keywarden/tanaka-s3")
        .send()
        .await
        .unwrap();
    assert!(
        described
            .tags()
            .iter()
            .any(|t| t.key() == Some("keywarden:request") && t.value() == Some(r.as_str())),
        "{:?}",
        described.tags()
    );
    let policy = sm
        .get_resource_policy()
        .secret_id("keywarden/tanaka-s3")
        .send()
        .await
        .unwrap();
    let policy = policy.resource_policy().unwrap_or_default().to_string();
    assert!(
        policy.contains(
            "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_*/u0tanaka01@example.com"
        ),
        "{policy}"
    );
    // The row: key ID, 発行済み R, 申請中 cleared; the start date was there already.
    assert_eq!(cell(&env, "L2"), keys[0]);
    assert_eq!(cell(&env, "M2"), format!("発行済み {r} {TODAY}"));
    assert_eq!(cell(&env, "K2"), "");
    assert_eq!(cell(&env, "H2"), "2026/04/01");
    // The owner's DM names the key, the secret and how to read it.
    let dm = env.slack.messages_to(TANAKA);
    assert_eq!(dm.len(), 1, "{dm:?}");
    for part in [
        keys[0].as_str(),
        "keywarden/tanaka-s3",
        "aws secretsmanager get-secret-value --secret-id keywarden/tanaka-s3 --query SecretString",
        "2027-03-31",
    ] {
        assert!(dm[0].contains(part), "{part} not in {}", dm[0]);
    }
    // The secret is nowhere but in Secrets Manager.
    assert!(
        !all_output(&env, &streams).contains(&secret_text),
        "the secret leaked"
    );

    // The next pass finds an ordinary row: nothing issued twice.
    let before = env.iam.mutations().len();
    let (status, _, _) = requests(&env).await;
    assert_eq!(status, 0);
    assert_eq!(env.iam.mutations().len(), before);
}

#[tokio::test]
async fn a_run_killed_after_create_access_key_is_finished_with_one_new_key() {
    let env = env().await;
    let r = id_of(HOME, "tanaka-s3");
    // What a dead run left: the user with this request's tag and a key whose secret is lost.
    let iam = env.iam_client();
    iam.create_user()
        .user_name("tanaka-s3")
        .tags(
            aws_sdk_iam::types::Tag::builder()
                .key("keywarden:request")
                .value(&r)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let orphan = iam
        .create_access_key()
        .user_name("tanaka-s3")
        .send()
        .await
        .unwrap()
        .access_key()
        .unwrap()
        .access_key_id()
        .to_string();
    set_rows(&env, &[(request("tanaka-s3"), &approved(&r))]);

    let (status, report, _) = requests(&env).await;
    assert_eq!(status, 0, "{report:#}");
    let line = action_for(&report, 2);
    assert_eq!(line["outcome"], "done", "{line}");
    assert!(line["detail"].as_str().unwrap().contains(&orphan), "{line}");
    let now = keys(&iam, "tanaka-s3").await;
    assert_eq!(now.len(), 1, "{now:?}");
    assert_ne!(now[0], orphan);
    assert_eq!(cell(&env, "L2"), now[0]);
}

#[tokio::test]
async fn a_failed_secret_store_deletes_the_new_key_and_writes_nothing() {
    let env = env().await;
    let r = id_of(HOME, "tanaka-s3");
    set_rows(&env, &[(request("tanaka-s3"), &approved(&r))]);
    env.iam
        .fail_next("CreateSecret", 400, "AccessDeniedException", 1);

    let (status, report, streams) = requests(&env).await;
    assert_eq!(status, 1, "{report:#}");
    let line = action_for(&report, 2);
    assert_eq!(
        (line["action"].as_str(), line["outcome"].as_str()),
        (Some("issue"), Some("failed")),
        "{line}"
    );
    assert!(
        line["detail"].as_str().unwrap().contains("deleted again"),
        "{line}"
    );
    let iam = env.iam_client();
    assert!(
        keys(&iam, "tanaka-s3").await.is_empty(),
        "no key without its secret"
    );
    let created = env
        .iam
        .calls()
        .into_iter()
        .filter(|c| c.action == "CreateAccessKey")
        .count();
    assert_eq!(created, 1);
    assert_eq!(cell(&env, "L2"), "");
    assert_eq!(cell(&env, "M2"), approved(&r));
    assert!(env.slack.messages_to(TANAKA).is_empty());
    assert!(!streams.contains("SecretAccessKey"), "{streams}");

    // The next pass issues it.
    let (status, report, _) = requests(&env).await;
    assert_eq!(status, 0, "{report:#}");
    assert_eq!(keys(&iam, "tanaka-s3").await.len(), 1);
}

#[tokio::test]
async fn a_name_taken_by_a_user_without_the_tag_is_refused_and_nothing_changes() {
    let env = env().await;
    load_user(&env.iam_client(), "tanaka-s3", Loadout::bare()).await;
    let r = id_of(HOME, "tanaka-s3");
    set_rows(&env, &[(request("tanaka-s3"), &approved(&r))]);

    let (status, report, _) = requests(&env).await;
    assert_eq!(status, 1, "{report:#}");
    let line = action_for(&report, 2);
    assert_eq!(
        (line["action"].as_str(), line["outcome"].as_str()),
        (Some("issue"), Some("refused")),
        "{line}"
    );
    let mutations: Vec<String> = env.iam.mutations().into_iter().map(|c| c.action).collect();
    assert_eq!(
        mutations,
        vec!["CreateUser"],
        "refused by IAM, nothing else"
    );
    assert_eq!(keys(&env.iam_client(), "tanaka-s3").await.len(), 1);
    assert_eq!(cell(&env, "M2"), approved(&r));
}

#[tokio::test]
async fn a_request_of_a_member_account_is_issued_there() {
    let mut env = env().await;
    let moto = env.moto.endpoint();
    create_member_role(&moto, STAGING, "/", "keywarden", CALLER_ARN, None).await;
    create_policy(&account_iam(&moto, STAGING).await).await;
    env.set_env("KEYWARDEN_ACCOUNTS", &format!("本番={HOME},検証={STAGING}"));
    let r = id_of(STAGING, "tanaka-s3");
    let mut header = request_sheet_header();
    header.push(json!("発行申請"));
    header.push(json!("AWSアカウント"));
    let mut values = request("tanaka-s3").to_values();
    values.push(json!(approved(&r)));
    values.push(json!("検証"));
    env.google.set_sheet(SHEET, vec![header, values]);

    let (status, report, _) = requests(&env).await;
    assert_eq!(status, 0, "{report:#}");
    let line = action_for(&report, 2);
    assert_eq!(line["outcome"], "done", "{line}");
    assert_eq!(line["aws_account"], STAGING);
    let staging = account_iam(&moto, STAGING).await;
    let made = keys(&staging, "tanaka-s3").await;
    assert_eq!(made.len(), 1);
    assert!(
        env.iam_client()
            .get_user()
            .user_name("tanaka-s3")
            .send()
            .await
            .is_err(),
        "nothing in the home account"
    );
    let stored = secrets_in(&moto, STAGING)
        .await
        .get_secret_value()
        .secret_id("keywarden/tanaka-s3")
        .send()
        .await
        .unwrap();
    assert!(stored.secret_string().unwrap().contains(&made[0]));
    assert_eq!(cell(&env, "L2"), made[0]);

    // A name is free or taken in the row's own account: taken in 検証, free at home.
    load_user(&staging, "sato-there", Loadout::bare()).await;
    let mut header = request_sheet_header();
    header.push(json!("発行申請"));
    header.push(json!("AWSアカウント"));
    let row = |user: &str, account: &str| {
        let mut values = request(user).to_values();
        values.push(json!(""));
        values.push(json!(account));
        values
    };
    env.google.set_sheet(
        SHEET,
        vec![header, row("sato-there", "検証"), row("sato-home", "検証")],
    );
    load_user(&env.iam_client(), "sato-home", Loadout::bare()).await;
    let (status, report, _) = requests(&env).await;
    assert_eq!(status, 1, "{report:#}");
    let taken = action_for(&report, 2);
    assert_eq!(taken["outcome"], "refused", "{taken}");
    assert!(
        taken["detail"].as_str().unwrap().contains("111122223333"),
        "{taken}"
    );
    assert_eq!(
        action_for(&report, 3)["outcome"],
        "done",
        "home's user is another one"
    );
}

#[tokio::test]
async fn more_approved_requests_than_the_cap_issue_none() {
    let mut env = env().await;
    env.set_env("KEYWARDEN_MAX_ISSUES", "1");
    let (a, b) = (id_of(HOME, "tanaka-a"), id_of(HOME, "tanaka-b"));
    set_rows(
        &env,
        &[
            (request("tanaka-a"), &approved(&a)),
            (request("tanaka-b"), &approved(&b)),
        ],
    );
    let (status, report, _) = requests(&env).await;
    assert_eq!(status, 1, "{report:#}");
    for row in [2, 3] {
        let line = action_for(&report, row);
        assert_eq!(line["outcome"], "refused", "{line}");
        assert!(
            line["detail"]
                .as_str()
                .unwrap()
                .contains("KEYWARDEN_MAX_ISSUES"),
            "{line}"
        );
    }
    assert!(env.iam.mutations().is_empty());
    let admins = env.slack.messages_to("UADMIN0001");
    assert!(
        admins.iter().any(|m| m.contains("KEYWARDEN_MAX_ISSUES")),
        "administrators are told: {admins:?}"
    );
}

#[tokio::test]
async fn nothing_is_issued_before_the_start_date() {
    let env = env().await;
    let r = id_dated(HOME, "tanaka-s3", Some("2026-12-01"), "2027-03-31");
    let row = RequestRow {
        start: json!("2026/12/01"),
        ..request("tanaka-s3")
    };
    set_rows(&env, &[(row, &approved(&r))]);
    let (status, report, _) = requests(&env).await;
    assert_eq!(status, 0, "{report:#}");
    let line = action_for(&report, 2);
    assert_eq!(line["action"], "skip", "{line}");
    assert!(line["detail"].as_str().unwrap().contains("2026-12-01"));
    assert!(env.iam.mutations().is_empty());

    // On its start date it is issued.
    let out = env
        .run(&["requests", "--today", "2026-12-01", "--output", "json"])
        .await;
    assert_eq!(out.status, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(keys(&env.iam_client(), "tanaka-s3").await.len(), 1);
}

#[tokio::test]
async fn plan_shows_what_would_be_asked_and_issued() {
    let env = env().await;
    let r = id_of(HOME, "tanaka-b");
    set_rows(
        &env,
        &[
            (request("tanaka-a"), ""),
            (request("tanaka-b"), &approved(&r)),
        ],
    );
    let out = env
        .run(&["plan", "--today", TODAY, "--output", "json"])
        .await;
    assert_eq!(out.status, 0, "{}\n{}", out.stdout, out.stderr);
    let report = out.json();
    let (ask, issue) = (action_for(&report, 2), action_for(&report, 3));
    assert_eq!(
        (ask["action"].as_str(), ask["outcome"].as_str()),
        (Some("issue_request"), Some("planned"))
    );
    assert_eq!(
        (issue["action"].as_str(), issue["outcome"].as_str()),
        (Some("issue"), Some("planned"))
    );
    assert!(env.iam.mutations().is_empty());
    assert!(env.slack.messages().is_empty());
    assert_eq!(cell(&env, "M2"), "");
}

/// A user as an issuance made it: tagged with `r`, one key, and a secret `keywarden/<user>`
/// tagged `secret_tag` (or untagged). Returns the key ID.
async fn issued_user(env: &TestEnv, user: &str, r: &str, secret_tag: Option<&str>) -> String {
    let iam = env.iam_client();
    iam.create_user()
        .user_name(user)
        .tags(
            aws_sdk_iam::types::Tag::builder()
                .key("keywarden:request")
                .value(r)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let key = iam
        .create_access_key()
        .user_name(user)
        .send()
        .await
        .unwrap()
        .access_key()
        .unwrap()
        .access_key_id()
        .to_string();
    let sm = secrets_in(&env.moto.endpoint(), HOME).await;
    let mut create = sm
        .create_secret()
        .name(format!("keywarden/{user}"))
        .secret_string("{}");
    if let Some(tag) = secret_tag {
        create = create.tags(
            aws_sdk_secretsmanager::types::Tag::builder()
                .key("keywarden:request")
                .value(tag)
                .build(),
        );
    }
    create.send().await.unwrap();
    key
}

#[tokio::test]
async fn the_teardown_of_an_issued_user_deletes_its_tagged_secret_only() {
    let env = env().await;
    let (ra, rb) = (id_of(HOME, "tanaka-a"), id_of(HOME, "tanaka-b"));
    let ka = issued_user(&env, "tanaka-a", &ra, Some(&ra)).await;
    // The same name's secret without the request's tag is somebody else's.
    let kb = issued_user(&env, "tanaka-b", &rb, None).await;
    let due = |user: &str, key: &str, r: &str| {
        (
            row(user, key, json!("2026/11/20")),
            format!("発行済み {r} 2026-04-01"),
        )
    };
    let rows = [due("tanaka-a", &ka, &ra), due("tanaka-b", &kb, &rb)];
    set_rows(
        &env,
        &rows
            .iter()
            .map(|(r, c)| (r.clone(), c.as_str()))
            .collect::<Vec<_>>(),
    );
    let out = env.run_daily(TODAY).await;
    assert_eq!(out.status, 0, "{}\n{}", out.stdout, out.stderr);
    let report = out.json();
    for row in [2, 3] {
        assert_eq!(action_for(&report, row)["outcome"], "done");
    }
    let sm = secrets_in(&env.moto.endpoint(), HOME).await;
    let gone = sm
        .describe_secret()
        .secret_id("keywarden/tanaka-a")
        .send()
        .await;
    assert!(
        gone.is_err(),
        "the tagged secret went with its user: {gone:?}"
    );
    assert!(
        sm.describe_secret()
            .secret_id("keywarden/tanaka-b")
            .send()
            .await
            .is_ok(),
        "a secret without the tag is never touched"
    );
    assert!(
        action_for(&report, 3)["detail"]
            .as_str()
            .unwrap()
            .contains("not keywarden's to delete"),
        "{report:#}"
    );
    let deletes: Vec<_> = env
        .iam
        .other_calls()
        .into_iter()
        .filter(|c| c.action == "secretsmanager:DeleteSecret")
        .collect();
    assert_eq!(deletes.len(), 1, "{deletes:?}");
    assert_eq!(
        deletes[0]
            .params
            .iter()
            .find(|(k, _)| k == "ForceDeleteWithoutRecovery")
            .map(|(_, v)| v.as_str()),
        Some("true")
    );
}

#[tokio::test]
async fn check_reads_each_listed_policy_and_the_boundary() {
    let mut env = env().await;
    env.set_env(
        "KEYWARDEN_ISSUE_BOUNDARY",
        "arn:aws:iam::{account}:policy/no-such-boundary",
    );
    env.set_requests(&[request("tanaka-s3")]);
    let out = env.run(&["check"]).await;
    assert_eq!(out.status, 1, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.line("policy of 読み取り").starts_with('✓'),
        "{}",
        out.stdout
    );
    let boundary = out.line("permissions boundary");
    assert!(boundary.starts_with('✗'), "{boundary}");
    assert!(
        boundary.contains("arn:aws:iam::123456789012:policy/no-such-boundary does not exist"),
        "{boundary}"
    );
    assert!(env.iam.mutations().is_empty());
}

#[tokio::test]
async fn a_request_edited_while_pending_is_asked_again_in_the_approval_channel() {
    let mut env = env().await;
    env.set_env("KEYWARDEN_APPROVAL_CHANNEL", "C0APPROVALS");
    let r = id_of(HOME, "tanaka-s3");
    // Row 2 was asked for another end date (its old buttons carry the old ID); row 3 was
    // asked, but no copy of the question was ever recorded (every post failed).
    let old = id_dated(HOME, "tanaka-s3", Some("2026-04-01"), "2027-02-28");
    let r3 = id_of(HOME, "tanaka-b");
    set_rows(
        &env,
        &[
            (
                request("tanaka-s3"),
                &format!("承認待ち {old}\n承認依頼: DUADMIN0001/1700000000.000001"),
            ),
            (request("tanaka-b"), &format!("承認待ち {r3}")),
        ],
    );
    let (status, report, _) = requests(&env).await;
    assert_eq!(status, 0, "{report:#}");
    let line = action_for(&report, 2);
    assert_eq!(line["outcome"], "done", "{line}");
    assert!(line["detail"].as_str().unwrap().contains("again"), "{line}");
    assert_eq!(action_for(&report, 3)["outcome"], "done");
    // One post per request, in the approval channel only, with the current IDs.
    let posted: Vec<_> = env
        .slack
        .messages()
        .into_iter()
        .filter(|m| m.text.contains("発行申請が届きました"))
        .collect();
    assert_eq!(posted.len(), 2, "{posted:?}");
    assert!(
        posted.iter().all(|m| m.channel == "C0APPROVALS"),
        "{posted:?}"
    );
    assert!(posted[0].text.contains(&r), "{}", posted[0].text);
    assert!(cell(&env, "M2").starts_with(&format!("承認待ち {r}\n承認依頼: ")));
    assert!(cell(&env, "M3").starts_with(&format!("承認待ち {r3}\n承認依頼: ")));
}

// --- Property: over generated request sheets with hostile cells -----------------------------

mod properties {
    use std::collections::HashMap;
    use std::sync::Mutex;

    use chrono::NaiveDate;
    use keywarden::adapters::memory::{Issuing, IssuingWorld, MADE_UP_SECRET, ScratchSheets};
    use keywarden::adapters::{HomeOnly, Messenger, SendError};
    use keywarden::app::run::{Deadline, Job, Mode};
    use keywarden::configuration::JobSettings;
    use keywarden::core::domain::{AccessKeyId, AwsAccountId, IamUserName, SlackUserId};
    use keywarden::core::issue::settings::parse_policies;
    use keywarden::core::issue::{ApprovalCopy, IssueSettings, request_id};
    use keywarden::core::plan::Rules;
    use keywarden::core::sheet::{Grid, ORIGINAL_LAYOUT};
    use proptest::prelude::*;

    use crate::fixtures::TODAY;
    use serde_json::{Value, json};

    const HOME: &str = "123456789012";
    const USERS: [&str; 7] = [
        "alpha", "beta", "gamma", "delta", "epsilon", "bad name", "admin",
    ];
    const OWNERS: [&str; 4] = ["田中 太郎", "佐藤 花子", "山田 一郎", ""];
    const PERMISSIONS: [&str; 5] = [
        "読み取り",
        "書き込み",
        "読み取り, 書き込み",
        "arn:aws:iam::aws:policy/AdministratorAccess",
        "",
    ];
    const STARTS: [&str; 3] = ["", "2026/11/01", "2026/12/01"];
    const ENDS: [&str; 4] = ["2027/03/31", "2026/11/01", "9999/12/31", "next year"];
    const STATUSES: [&str; 4] = ["", "申請中", "却下", "延長"];

    fn slack_of(owner: &str) -> Option<&'static str> {
        match owner {
            "田中 太郎" => Some("U0TANAKA01"),
            "佐藤 花子" => Some("U0SATO0001"),
            _ => None,
        }
    }

    fn date(cell: &str) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(cell, "%Y/%m/%d").ok()
    }

    /// One generated row and what its 発行申請 cell says.
    #[derive(Debug, Clone)]
    struct Row {
        user: usize,
        owner: usize,
        permissions: usize,
        start: usize,
        end: usize,
        status: usize,
        /// 0 empty, 1 承認待ち (own ID), 2 承認済み (own ID), 3 承認済み (another ID),
        /// 4 発行済み (own ID), 5 hand-typed 承認, 6 a formula
        cell: usize,
        key: bool,
    }

    impl Row {
        /// The ID of the row's cells, as an administrator's approval would carry it (when the
        /// cells can give one).
        fn own_id(&self) -> Option<String> {
            let owner = slack_of(OWNERS[self.owner])?;
            let entry = match PERMISSIONS[self.permissions] {
                "読み取り" => "読み取り",
                "書き込み" => "書き込み",
                _ => return None,
            };
            Some(
                request_id(
                    &AwsAccountId::parse(HOME).unwrap(),
                    USERS[self.user],
                    &SlackUserId::parse(owner).unwrap(),
                    entry,
                    date(STARTS[self.start]),
                    date(ENDS[self.end])?,
                )
                .to_string(),
            )
        }

        fn issue_cell(&self) -> String {
            let own = self
                .own_id()
                .unwrap_or_else(|| "req-0123456789abcdef".into());
            match self.cell {
                1 => format!("承認待ち {own}"),
                2 => format!("承認済み {own} U0ADMIN001 2026-11-21"),
                3 => "承認済み req-fedcba9876543210 U0ADMIN001 2026-11-21".into(),
                4 => format!("発行済み {own} 2026-11-01"),
                5 => "承認".into(),
                6 => "=HYPERLINK(\"http://x\",\"承認済み\")".into(),
                _ => String::new(),
            }
        }

        fn values(&self) -> Vec<Value> {
            let mut r = vec![json!(""); 13];
            r[1] = json!(OWNERS[self.owner]);
            r[2] = json!("<!channel> *検証*");
            r[5] = json!(PERMISSIONS[self.permissions]);
            r[7] = json!(STARTS[self.start]);
            r[8] = json!(ENDS[self.end]);
            r[9] = json!(USERS[self.user]);
            r[10] = json!(STATUSES[self.status]);
            r[11] = json!(if self.key { "AKIAIOSFODNN7EXAMPLE" } else { "" });
            r[12] = json!(self.issue_cell());
            r
        }

        /// Approved for its cells as they are, and due: the only rows that may be issued.
        fn approved_and_due(&self) -> Option<String> {
            let today = NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").unwrap();
            let due = date(STARTS[self.start]).is_none_or(|s| s <= today);
            (self.cell == 2 && due && !self.key && self.status <= 1)
                .then(|| self.own_id())
                .flatten()
        }
    }

    /// Half the rows hostile anywhere, half well-formed requests in any state (so that some
    /// are issued in most cases).
    fn gen_row() -> impl Strategy<Value = Row> {
        prop_oneof![any_row(), good_row()]
    }

    fn good_row() -> impl Strategy<Value = Row> {
        (
            0usize..5,
            0usize..2,
            0usize..2,
            0usize..3,
            0usize..2,
            0usize..7,
        )
            .prop_map(|(user, owner, permissions, start, status, cell)| Row {
                user,
                owner,
                permissions,
                start,
                end: 0,
                status,
                // Mostly approved.
                cell: if cell >= 3 { 2 } else { cell },
                key: false,
            })
    }

    fn any_row() -> impl Strategy<Value = Row> {
        (
            0..USERS.len(),
            0..OWNERS.len(),
            0..PERMISSIONS.len(),
            0..STARTS.len(),
            0..ENDS.len(),
            0..STATUSES.len(),
            0usize..7,
            prop::bool::weighted(0.1),
        )
            .prop_map(
                |(user, owner, permissions, start, end, status, cell, key)| Row {
                    user,
                    owner,
                    permissions,
                    start,
                    end,
                    status,
                    cell,
                    key,
                },
            )
    }

    #[derive(Default)]
    struct Slack(Mutex<Vec<String>>);

    impl Messenger for Slack {
        async fn send(&self, _: &SlackUserId, text: &str) -> Result<(), SendError> {
            self.0.lock().unwrap().push(text.to_string());
            Ok(())
        }
        async fn post(
            &self,
            channel: &str,
            text: &str,
            blocks: &[slack_morphism::prelude::SlackBlock],
        ) -> Result<ApprovalCopy, SendError> {
            let mut sent = self.0.lock().unwrap();
            sent.push(format!("{text}{}", serde_json::to_string(blocks).unwrap()));
            Ok(ApprovalCopy {
                channel: format!("D{channel}"),
                ts: format!("1700000000.{:06}", sent.len()),
            })
        }
    }

    fn settings() -> JobSettings {
        JobSettings {
            request_sheet: "key_request_form".into(),
            users_sheet: "users_json".into(),
            admins: vec![SlackUserId::parse("U0ADMIN001").unwrap()],
            rules: Rules {
                notify_days: 7,
                max_deletions: 10,
                deactivate_grace: 0,
            },
            protected_users: vec![IamUserName::parse("admin").unwrap()],
            iam_path_prefix: "/".into(),
            concurrency: 3,
            hygiene: Default::default(),
            timezone: chrono_tz::Tz::Asia__Tokyo,
            extension_requests: false,
            accounts: Default::default(),
            log_sheet: "keywarden_log".into(),
            days_ahead: None,
            issue: Some(IssueSettings::with_policies(
                parse_policies(
                    "読み取り=arn:aws:iam::aws:policy/ReadOnlyAccess,書き込み=arn:aws:iam::{account}:policy/write",
                )
                .unwrap(),
                "/",
            )),
        }
    }

    fn sheets(rows: &[Row]) -> ScratchSheets {
        let mut header: Vec<Value> = ORIGINAL_LAYOUT.iter().map(|h| json!(h)).collect();
        header.push(json!("発行申請"));
        let mut grid: Grid = vec![header];
        grid.extend(rows.iter().map(Row::values));
        ScratchSheets::new(HashMap::from([
            ("key_request_form".to_string(), grid),
            (
                "users_json".to_string(),
                vec![
                    vec![json!("id"), json!("姓"), json!("名"), json!("email")],
                    vec![
                        json!("U0TANAKA01"),
                        json!("田中"),
                        json!("太郎"),
                        json!("tanaka@example.com"),
                    ],
                    vec![
                        json!("U0SATO0001"),
                        json!("佐藤"),
                        json!("花子"),
                        json!("sato@example.com"),
                    ],
                ],
            ),
            ("keywarden_log".to_string(), vec![vec![json!("日時")]]),
        ]))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn no_user_without_a_current_approval_no_key_without_its_secret_no_secret_shown(
            rows in prop::collection::vec(gen_row(), 1..8),
            // Users that exist before the run: (user, tagged with that row's own ID?, keys).
            existing in prop::collection::vec((0..USERS.len(), prop::bool::ANY, 0usize..2), 0..3),
            failing in prop::collection::vec(0..USERS.len(), 0..2),
        ) {
            let mut world = IssuingWorld::default();
            for (u, tagged, keys) in existing {
                let tag = rows
                    .iter()
                    .find(|r| r.user == u)
                    .and_then(Row::own_id)
                    .filter(|_| tagged);
                let tags = tag
                    .map(|t| vec![("keywarden:request".to_string(), t)])
                    .unwrap_or_default();
                let keys = (0..keys)
                    .map(|i| AccessKeyId::parse(&format!("AKIAOLD{u}{i:012}")).unwrap())
                    .collect();
                world.users.insert(USERS[u].to_string(), (tags, keys));
            }
            world.failing = failing.iter().map(|u| format!("keywarden/{}", USERS[*u])).collect();
            let before: HashMap<String, Vec<AccessKeyId>> = world
                .users
                .iter()
                .map(|(u, (_, k))| (u.clone(), k.clone()))
                .collect();
            let truth = Issuing(Mutex::new(world));
            let (settings, sheets, slack) = (settings(), sheets(&rows), Slack::default());
            let fleet = HomeOnly(Some(AwsAccountId::parse(HOME).unwrap()));
            let today = NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").unwrap();
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            let job = Job::new(&settings, &sheets, &slack, &truth, &truth, &fleet, Deadline::none());
            let daily = runtime.block_on(job.run(today, Mode::Run)).unwrap();
            let pass = runtime.block_on(job.requests(today, Mode::Run)).unwrap();

            let w = truth.0.lock().unwrap();
            // 1. No user is created without an approved request for the row's cells as they
            //    are, whose start date has come.
            let approved: Vec<String> = rows.iter().filter_map(Row::approved_and_due).collect();
            for (user, request) in &w.created_users {
                prop_assert!(
                    approved.contains(request),
                    "{user} created for {request}, approved: {approved:?}"
                );
            }
            // 2. Every key this run made is gone again or held by its stored secret; a key
            //    that was there before is only ever removed.
            for (user, key, _) in &w.created_keys {
                let exists = w.users.get(user).is_some_and(|(_, k)| k.contains(key));
                let stored = w
                    .secrets
                    .get(&format!("keywarden/{user}"))
                    .is_some_and(|(_, v)| v.contains(key.as_str()));
                prop_assert!(!exists || stored, "{key} of {user} exists without its secret");
            }
            for (user, (_, keys)) in &w.users {
                for k in keys {
                    let made = w.created_keys.iter().any(|(_, c, _)| c == k);
                    let old = before.get(user).is_some_and(|b| b.contains(k));
                    prop_assert!(made || old, "{k} of {user} came from nowhere");
                }
            }
            // 3. No secret text in any output: reports, sheets (the log included), Slack.
            let mut seen = serde_json::to_string(&daily).unwrap();
            seen.push_str(&serde_json::to_string(&pass).unwrap());
            for sheet in ["key_request_form", "keywarden_log", "users_json"] {
                seen.push_str(&serde_json::to_string(&sheets.sheet(sheet)).unwrap());
            }
            seen.push_str(&slack.0.lock().unwrap().join("\n"));
            for (_, _, secret) in &w.created_keys {
                prop_assert!(!seen.contains(secret.as_str()), "a secret was shown");
            }
            prop_assert!(!seen.contains(MADE_UP_SECRET));
        }
    }
}
