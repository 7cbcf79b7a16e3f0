//! What deployment relies on: the SAM template's IAM permissions are exactly the calls the code
//! makes, secrets come from Secrets Manager, the binary serves the Lambda Runtime API, and
//! `keywarden check` flags each broken piece.

use crate::fixtures::{
    EXAMPLE_KEY, STAGING, TANAKA, key_status, left_in, member_role, request_sheet, row, tanaka,
    tanaka_env, user_in, user_with_key,
};
use crate::support;

use std::collections::BTreeSet;

use keywarden::core::teardown::dependents;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use serde_json::{Value, json};
use support::app::action_for;
use support::app::{ADMIN_IDS, RequestRow, SLACK_TOKEN, TestEnv};
use support::google::Endpoint;
use support::moto::{Loadout, remaining, secrets_client};
use support::moto_accounts::HOME;

// --- template.yaml ------------------------------------------------------------------------

/// `iam:Xxx` actions listed in the template.
fn template_actions(service: &str) -> BTreeSet<String> {
    actions_in(include_str!("../../template.yaml"), service)
}

/// `service:Xxx` actions listed in a template, in lower case.
fn actions_in(template: &str, service: &str) -> BTreeSet<String> {
    template
        .lines()
        .filter_map(|l| l.trim().strip_prefix(&format!("- {service}:")))
        .map(|a| a.trim().to_lowercase())
        .collect()
}

/// Every SDK operation the code sends (`.list_access_keys()`, `c.delete_user()`, …), as IAM
/// action names in lower case (`listaccesskeys`, `deleteuser`).
fn operations_called(source: &str) -> BTreeSet<String> {
    const VERBS: &[&str] = &[
        "get_",
        "list_",
        "delete_",
        "detach_",
        "deactivate_",
        "remove_",
        "create_",
        "update_",
        "put_",
        "generate_",
        "attach_",
        "tag_",
        "untag_",
        "assume_",
        "describe_",
    ];
    let mut ops = BTreeSet::new();
    for (i, _) in source.match_indices('.') {
        let rest = &source[i + 1..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '_')
            .collect();
        if VERBS.iter().any(|v| name.starts_with(v)) && rest[name.len()..].starts_with("()") {
            ops.insert(name.replace('_', ""));
        }
    }
    ops
}

/// The IAM adapter's source: the dependents' reads and removals, and everything else.
const DEPENDENTS_ADAPTER: &str = include_str!("../../src/adapters/iam/dependents.rs");
const IAM_ADAPTER: &str = concat!(
    include_str!("../../src/adapters/iam/mod.rs"),
    include_str!("../../src/adapters/credential_report.rs")
);

/// The IAM actions the daily job needs, in lower case: the teardown's as its units declare
/// them (`core/teardown/dependents/`), and the adapter's other calls, scanned. The declared
/// ones are held to the calls the adapter makes, so neither side can drift.
fn daily_iam_actions() -> BTreeSet<String> {
    fn lower<'a>(actions: impl IntoIterator<Item = &'a &'a str>) -> BTreeSet<String> {
        actions.into_iter().map(|a| a.to_lowercase()).collect()
    }
    let declared = lower(&dependents::iam_actions());
    let of_dependents = lower(
        dependents::DEPENDENTS
            .iter()
            .flat_map(|d| d.lists.iter().chain(d.removes)),
    );
    let removals = operations_called(DEPENDENTS_ADAPTER);
    assert!(
        removals.is_subset(&of_dependents),
        "src/adapters/iam/dependents.rs calls {:?}, which no dependent declares",
        removals.difference(&of_dependents).collect::<Vec<_>>()
    );
    let others = operations_called(IAM_ADAPTER);
    let called: BTreeSet<String> = removals.union(&others).cloned().collect();
    assert!(
        declared.is_subset(&called),
        "declared by a teardown unit but never called: {:?}",
        declared.difference(&called).collect::<Vec<_>>()
    );
    declared.union(&others).cloned().collect()
}

#[test]
fn the_template_allows_exactly_the_iam_calls_the_code_makes() {
    let called = daily_iam_actions();
    assert!(
        called.contains("deleteuser")
            && called.contains("listsshpublickeys")
            && called.contains("listusers"),
        "{called:?}"
    );
    assert_eq!(
        template_actions("iam"),
        called,
        "template.yaml and the teardown's units + src/adapters/iam/ + credential_report.rs disagree"
    );
    let mut secrets = operations_called(include_str!("../../src/adapters/secrets.rs"));
    // CreateSecret with Tags also needs TagResource (an issued key's secret, docs/rules.md §12).
    assert!(secrets.contains("createsecret"), "{secrets:?}");
    secrets.insert("tagresource".into());
    assert_eq!(template_actions("secretsmanager"), secrets);
    // docs/rules.md §10: STS and Organizations as src/adapters/accounts.rs calls them; AssumeRole
    // is made by aws-config's provider that file builds.
    let accounts = include_str!("../../src/adapters/accounts.rs");
    assert!(accounts.contains("AssumeRoleProvider::builder"));
    let mut sts = operations_called(accounts);
    let organizations: BTreeSet<String> = ["listaccounts".to_string()].into();
    assert!(sts.remove("listaccounts"), "{sts:?}");
    sts.insert("assumerole".into());
    assert_eq!(template_actions("sts"), sts);
    assert_eq!(template_actions("organizations"), organizations);
}

#[test]
fn the_member_role_allows_exactly_the_daily_jobs_iam_calls_and_nothing_else() {
    let member = include_str!("../../deploy/member-role.yaml");
    assert_eq!(
        actions_in(member, "iam"),
        daily_iam_actions(),
        "deploy/member-role.yaml and the IAM adapter disagree"
    );
    // Rotated keys are stored in the key's own account, and read back only to recover a new
    // key ID that never reached the sheet; the member reads no other secret.
    // Issued keys' secrets (docs/rules.md §12) are made, tagged, guarded and deleted there too.
    let stored: BTreeSet<String> = [
        "putsecretvalue",
        "createsecret",
        "getsecretvalue",
        "describesecret",
        "tagresource",
        "putresourcepolicy",
        "deletesecret",
    ]
    .map(String::from)
    .into();
    assert_eq!(actions_in(member, "secretsmanager"), stored);
    // Nothing else: every action line is IAM's or Secrets Manager's.
    let others: Vec<&str> = member
        .lines()
        .map(str::trim)
        .filter_map(|l| l.strip_prefix("- "))
        .filter(|l| {
            l.split_once(':').is_some_and(|(svc, op)| {
                !svc.is_empty()
                    && svc.chars().all(|c| c.is_ascii_lowercase() || c == '-')
                    && !op.is_empty()
                    && op.chars().all(|c| c.is_ascii_alphanumeric() || c == '*')
            })
        })
        .filter(|l| !l.starts_with("iam:") && !l.starts_with("secretsmanager:"))
        .collect();
    assert!(others.is_empty(), "{others:?}");
    // It trusts only the daily function's role, given as a parameter.
    assert!(member.contains("AWS: !Ref DailyRoleArn"));
    assert_eq!(member.matches("Principal:").count(), 1);
    assert!(member.contains("${AWS::AccountId}:user${IamPathPrefix}*"));
    assert!(member.contains("secret:${RotateSecretPrefix}*"));
    // The daily role may assume only that role name, in any account; ListAccounts only for
    // KEYWARDEN_ACCOUNTS=organization.
    let daily = include_str!("../../template.yaml");
    assert!(daily.contains("arn:${AWS::Partition}:iam::*:role${MemberRolePath}${MemberRoleName}"));
    assert!(daily.contains("ListOrganizationAccounts: !Equals [!Ref Accounts, organization]"));
    // Twice: the daily function, and the endpoint (a key request's ID names its account).
    let lists: Vec<usize> = daily
        .match_indices("- organizations:ListAccounts")
        .map(|(at, _)| at)
        .collect();
    assert_eq!(lists.len(), 2);
    for list in lists {
        let guarded = daily[..list].rfind("- !If").unwrap();
        assert!(daily[guarded..list].contains("- ListOrganizationAccounts"));
    }
    assert_eq!(daily.matches("organizations:").count(), 2);
}

/// The statement of `template` whose `Sid` is `sid`, up to the next statement.
fn statement<'a>(template: &'a str, sid: &str) -> &'a str {
    let start = template
        .find(&format!("Sid: {sid}"))
        .unwrap_or_else(|| panic!("no statement {sid}"));
    let rest = &template[start..];
    let end = rest[1..].find("- Sid:").map_or(rest.len(), |e| e + 1);
    &rest[..end]
}

#[test]
fn key_issuance_is_granted_only_with_its_conditions_and_scheduled_every_15_minutes() {
    for (name, template) in [
        ("template.yaml", include_str!("../../template.yaml")),
        (
            "member-role.yaml",
            include_str!("../../deploy/member-role.yaml"),
        ),
    ] {
        let create = statement(template, "IssueKeysCreateUsersWithTheBoundary");
        assert!(
            create.contains("- iam:CreateUser")
                && create.contains("- IssueWithBoundary")
                && create.contains("iam:PermissionsBoundary: !Ref IssueBoundary"),
            "{name}: {create}"
        );
        let attach = statement(template, "IssueKeysAttachOnlyTheListedPolicies");
        assert!(
            attach.contains("- iam:AttachUserPolicy")
                && attach.contains("ArnLike:")
                && attach.contains("iam:PolicyARN: !Ref IssuePolicyArns"),
            "{name}: {attach}"
        );
        // CreateUser and AttachUserPolicy appear nowhere else, without their conditions.
        assert_eq!(template.matches("- iam:CreateUser").count(), 1, "{name}");
        assert_eq!(
            template.matches("- iam:AttachUserPolicy").count(),
            1,
            "{name}"
        );
        let secrets = statement(template, "IssueKeysStoreTheirSecrets");
        assert!(
            secrets.contains("secret:${IssueSecretPrefix}*"),
            "{name}: {secrets}"
        );
        for action in [
            "DeleteSecret",
            "PutResourcePolicy",
            "TagResource",
            "DescribeSecret",
        ] {
            assert_eq!(
                template
                    .matches(&format!("- secretsmanager:{action}"))
                    .count(),
                1,
                "{name}: {action} only under the issuance prefix"
            );
        }
    }
    let t = include_str!("../../template.yaml");
    let requests = t.find("        Requests:").expect("the requests schedule");
    let schedule = &t[requests..requests + 600];
    for needle in [
        "Type: ScheduleV2",
        "ScheduleExpression: cron(7/15 * * * ? *)",
        r#"Input: '{"job": "requests"}'"#,
        "State: !If [IssueKeys, ENABLED, DISABLED]",
    ] {
        assert!(schedule.contains(needle), "{needle} not in {schedule}");
    }
    assert!(t.contains("KEYWARDEN_ISSUE_POLICIES: !Ref IssuePolicies"));
}

#[test]
fn the_template_schedules_in_tokyo_time_with_one_run_at_a_time() {
    let t = include_str!("../../template.yaml");
    for needle in [
        "Runtime: provided.al2023",
        "Architectures: [arm64]",
        "BuildMethod: rust-cargolambda",
        "ScheduleExpression: cron(0 15 * * ? *)",
        "ScheduleExpressionTimezone: Asia/Tokyo",
        "ReservedConcurrentExecutions: 1",
        "KEYWARDEN_SLACK_TOKEN_SECRET",
        "KEYWARDEN_GOOGLE_KEY_SECRET",
        "AWS::CloudWatch::Alarm",
    ] {
        assert!(t.contains(needle), "{needle} missing from template.yaml");
    }
    for secret_var in [
        "SLACK_BOT_TOKEN:",
        "GOOGLE_APPLICATION_CREDENTIALS:",
        "SLACK_SIGNING_SECRET:",
    ] {
        assert!(
            !t.contains(secret_var),
            "secrets must not be plain environment variables"
        );
    }
    assert!(
        t.contains(":user${IamPathPrefix}*") && t.contains(":policy${IamPathPrefix}*"),
        "scoped to the path"
    );
}

/// The lines of one top-level resource of template.yaml (`  Name:` up to the next resource).
fn template_resource(name: &str) -> String {
    let template = include_str!("../../template.yaml");
    let header = format!("  {name}:");
    template
        .lines()
        .skip_while(|l| *l != header)
        .enumerate()
        .take_while(|(i, l)| *i == 0 || l.is_empty() || l.starts_with("   "))
        .map(|(_, l)| format!("{l}\n"))
        .collect()
}

#[test]
fn the_interactions_endpoint_shares_the_binary_behind_a_function_url_without_iam() {
    let endpoint = template_resource("InteractionsFunction");
    for needle in [
        "Type: AWS::Serverless::Function",
        "BuildMethod: rust-cargolambda",
        "CodeUri: .",
        "Handler: bootstrap",
        "Runtime: provided.al2023",
        "Architectures: [arm64]",
        // One instance: decisions are serialised by a mutex inside one process (docs/rules.md §9).
        "ReservedConcurrentExecutions: 1",
        "AuthType: NONE",
        "Timeout: 10",
        "KEYWARDEN_SLACK_TOKEN_SECRET: !Ref SlackTokenSecretName",
        "KEYWARDEN_GOOGLE_KEY_SECRET: !Ref GoogleKeySecretName",
        "KEYWARDEN_SLACK_SIGNING_SECRET_SECRET: !Ref SigningSecretName",
        "secret:${SigningSecretName}-??????",
    ] {
        assert!(
            endpoint.contains(needle),
            "{needle} missing from InteractionsFunction"
        );
    }
    assert!(
        !endpoint.contains("- iam:") && !endpoint.contains("PutSecretValue"),
        "the endpoint needs no IAM permission and writes no secret:\n{endpoint}"
    );
    let actions: Vec<&str> = endpoint
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- secretsmanager:"))
        .collect();
    assert_eq!(actions, ["GetSecretValue"]);

    // The daily job's notices carry the button: it reads the same signing secret.
    let daily = template_resource("KeywardenFunction");
    assert!(daily.contains("KEYWARDEN_SLACK_SIGNING_SECRET_SECRET: !Ref SigningSecretName"));
    assert!(daily.contains("secret:${SigningSecretName}-??????"));
    assert!(daily.contains("ReservedConcurrentExecutions: 1"));

    let outputs = include_str!("../../template.yaml")
        .split("\nOutputs:\n")
        .nth(1)
        .expect("an Outputs section");
    assert!(
        outputs.contains("${InteractionsFunctionUrl.FunctionUrl}slack/interactions"),
        "InteractionsUrl is the Request URL to paste into the Slack app"
    );
}

// --- Secrets Manager ----------------------------------------------------------------------

#[tokio::test]
async fn the_token_and_the_google_key_come_from_secrets_manager() {
    let mut env = TestEnv::start().await;
    let sm = secrets_client(&env.moto.endpoint());
    let key_json = std::fs::read_to_string(env.dir.path().join("service-account.json")).unwrap();
    sm.create_secret()
        .name("keywarden/slack-bot-token")
        .secret_string(SLACK_TOKEN)
        .send()
        .await
        .unwrap();
    sm.create_secret()
        .name("keywarden/google-service-account")
        .secret_string(key_json)
        .send()
        .await
        .unwrap();
    env.set_users(&[tanaka()]);
    env.set_requests(&[row("tanaka-s3", EXAMPLE_KEY, json!("2026/11/29"))]);
    let moto = env.moto.endpoint();
    env.remove_env("SLACK_BOT_TOKEN")
        .remove_env("GOOGLE_APPLICATION_CREDENTIALS")
        .set_env("KEYWARDEN_SLACK_TOKEN_SECRET", "keywarden/slack-bot-token")
        .set_env(
            "KEYWARDEN_GOOGLE_KEY_SECRET",
            "keywarden/google-service-account",
        )
        .set_env("AWS_ENDPOINT_URL_SECRETS_MANAGER", &moto);
    let out = env.run(&["run", "--today", "2026-11-22"]).await;
    assert_eq!(out.status, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(env.slack.messages_to(TANAKA).len(), 1);

    // A secret that does not exist: nothing runs, and the message names it.
    env.set_env("KEYWARDEN_SLACK_TOKEN_SECRET", "keywarden/missing");
    let out = env.run(&["run", "--today", "2026-11-23"]).await;
    assert_eq!(out.status, 2);
    assert!(out.stderr.contains("keywarden/missing"), "{}", out.stderr);
    assert!(!out.stderr.contains(SLACK_TOKEN));
}

// --- Lambda Runtime API -------------------------------------------------------------------

#[derive(Default)]
struct Runtime {
    events: Vec<Value>,
    /// Time each invocation gets (`Lambda-Runtime-Deadline-Ms`); 300 s when zero.
    deadline: Duration,
    served: usize,
    responses: Vec<(String, Value)>,
    errors: Vec<(String, Value)>,
}

type Shared = Arc<Mutex<Runtime>>;

async fn next(State(rt): State<Shared>) -> impl IntoResponse {
    let event = {
        let mut rt = rt.lock().unwrap();
        let event = rt.events.get(rt.served).cloned();
        rt.served += 1;
        event
    };
    let Some(event) = event else {
        // No more invocations: hold the long poll like the real API does.
        tokio::time::sleep(Duration::from_secs(3600)).await;
        return (HeaderMap::new(), String::new());
    };
    let mut headers = HeaderMap::new();
    let budget = match rt.lock().unwrap().deadline {
        d if d.is_zero() => Duration::from_secs(300),
        d => d,
    };
    let deadline = (std::time::SystemTime::now() + budget)
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    let id = format!("request-{}", rt.lock().unwrap().served);
    headers.insert("Lambda-Runtime-Aws-Request-Id", id.parse().unwrap());
    headers.insert(
        "Lambda-Runtime-Deadline-Ms",
        deadline.to_string().parse().unwrap(),
    );
    headers.insert(
        "Lambda-Runtime-Invoked-Function-Arn",
        "arn:aws:lambda:ap-northeast-1:123456789012:function:keywarden"
            .parse()
            .unwrap(),
    );
    headers.insert(
        "Lambda-Runtime-Trace-Id",
        "Root=1-00000000-000000000000000000000000".parse().unwrap(),
    );
    headers.insert("Content-Type", "application/json".parse().unwrap());
    (headers, event.to_string())
}

async fn response(State(rt): State<Shared>, Path(id): Path<String>, body: String) -> &'static str {
    rt.lock().unwrap().responses.push((
        id,
        serde_json::from_str(&body).unwrap_or(Value::String(body)),
    ));
    "{}"
}

async fn init_error(State(rt): State<Shared>, body: String) -> &'static str {
    rt.lock()
        .unwrap()
        .errors
        .push(("init".into(), Value::String(body)));
    "{}"
}

async fn error(State(rt): State<Shared>, Path(id): Path<String>, body: String) -> &'static str {
    rt.lock().unwrap().errors.push((
        id,
        serde_json::from_str(&body).unwrap_or(Value::String(body)),
    ));
    "{}"
}

/// Runs the binary as a Lambda for the given invocations; returns (responses, errors).
async fn invoke(env: &TestEnv, events: Vec<Value>) -> (Vec<Value>, Vec<Value>) {
    let (responses, errors, _) = invoke_logged(env, events, Duration::ZERO).await;
    (responses, errors)
}

/// The daily run of 2026-11-22 invoked with `budget` left, which it cannot finish: it must
/// answer before the deadline and fail the invocation. When it started, and what it logged.
async fn run_out_of_time(env: &TestEnv, budget: Duration, what: &str) -> (Instant, String) {
    let started = Instant::now();
    let (responses, errors, logged) =
        invoke_logged(env, vec![json!({"today": "2026-11-22"})], budget).await;
    assert!(
        started.elapsed() < budget,
        "{what}: answered before the deadline: {:?}",
        started.elapsed()
    );
    assert!(responses.is_empty(), "{what}: {responses:?}");
    assert_eq!(
        errors.len(),
        1,
        "{what}: the unfinished run fails the invocation"
    );
    (started, logged)
}

/// [`invoke`] with each invocation given `deadline` (zero: 300 s), and what the function
/// logged (JSON lines on stderr).
async fn invoke_logged(
    env: &TestEnv,
    events: Vec<Value>,
    deadline: Duration,
) -> (Vec<Value>, Vec<Value>, String) {
    let count = events.len();
    let rt: Shared = Arc::new(Mutex::new(Runtime {
        events,
        deadline,
        ..Default::default()
    }));
    let router = Router::new()
        .route("/2018-06-01/runtime/invocation/next", get(next))
        .route(
            "/2018-06-01/runtime/invocation/{id}/response",
            post(response),
        )
        .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
        .route("/2018-06-01/runtime/init/error", post(init_error))
        .with_state(rt.clone());
    let server = support::serve(router).await;
    let mut command = env.command();
    command
        .env("AWS_LAMBDA_RUNTIME_API", server.addr.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", "keywarden")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/keywarden")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "test")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    let mut child = command.spawn().expect("spawn keywarden as a Lambda");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let logged = tokio::spawn(async move {
        let mut text = String::new();
        tokio::io::AsyncReadExt::read_to_string(&mut stderr, &mut text)
            .await
            .ok();
        text
    });
    let done = async {
        loop {
            let finished = {
                let r = rt.lock().unwrap();
                r.responses.len() + r.errors.len()
            };
            if finished == count {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(120), done)
        .await
        .expect("the invocations finish");
    child.kill().await.ok();
    let logged = logged.await.unwrap_or_default();
    let r = rt.lock().unwrap();
    (
        r.responses.iter().map(|(_, v)| v.clone()).collect(),
        r.errors.iter().map(|(_, v)| v.clone()).collect(),
        logged,
    )
}

/// The report a failed invocation logged before failing (`fields.report` of its JSON line).
fn logged_report(logged: &str) -> Value {
    logged
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find_map(|l| {
            let report = l["fields"]["report"].as_str()?;
            serde_json::from_str(report).ok()
        })
        .unwrap_or_else(|| panic!("no report in the log:\n{logged}"))
}

#[tokio::test]
async fn the_binary_serves_one_job_per_lambda_invocation() {
    let env = tanaka_env().await;
    env.set_requests(&[row("tanaka-s3", EXAMPLE_KEY, json!("2026/11/29"))]);
    let (responses, errors) = invoke(
        &env,
        vec![
            json!({"dry_run": true, "today": "2026-11-22"}),
            json!({"today": "2026-11-22"}),
            json!({"version": "0", "detail-type": "Scheduled Event", "today": "2026-11-23"}),
        ],
    )
    .await;
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(responses.len(), 3);
    assert_eq!(responses[0]["today"], "2026-11-22");
    assert_eq!(
        responses[0]["actions"][0]["outcome"], "planned",
        "dry run first"
    );
    assert_eq!(responses[1]["actions"][0]["outcome"], "done");
    assert_eq!(
        responses[2]["actions"],
        json!([]),
        "the next day: already notified"
    );
    assert_eq!(env.slack.messages_to(TANAKA).len(), 1);
}

#[tokio::test]
async fn the_requests_event_runs_key_issuance_alone() {
    let mut env = TestEnv::start().await;
    env.set_users(&[tanaka()]);
    env.set_env(
        "KEYWARDEN_ISSUE_POLICIES",
        "読み取り=arn:aws:iam::aws:policy/ReadOnlyAccess",
    );
    // Row 2 is due for a notice (the daily job's), row 3 a new key request (the pass's).
    env.set_requests(&[
        row("tanaka-s3", "AKIAIOSFODNN7EXAMPLE", json!("2026/11/29")),
        row("tanaka-new", "", json!("2027/03/31")),
    ]);
    let (responses, errors) = invoke(
        &env,
        vec![
            json!({"job": "requests", "today": "2026-11-22"}),
            json!({"job": "weekly"}),
        ],
    )
    .await;
    assert_eq!(errors.len(), 1, "an unknown job fails: {errors:?}");
    assert_eq!(responses.len(), 1, "{responses:?}");
    let actions = responses[0]["actions"].as_array().unwrap();
    assert_eq!(actions.len(), 1, "{actions:?}");
    assert_eq!(
        (actions[0]["row"].as_u64(), actions[0]["action"].as_str()),
        (Some(3), Some("issue_request"))
    );
    let owner = env.slack.messages_to("U0TANAKA01");
    assert_eq!(
        owner.len(),
        1,
        "told the request was sent, no notice: {owner:?}"
    );
    assert!(!owner[0].contains("利用終了日まで"), "{owner:?}");
}

#[tokio::test]
async fn a_malformed_payload_fails_instead_of_running_for_real() {
    let env = tanaka_env().await;
    env.set_requests(&[row("tanaka-s3", EXAMPLE_KEY, json!("2026/11/29"))]);
    let (responses, errors) = invoke(
        &env,
        vec![json!({"dry_run": "true", "today": "2026-11-22"})],
    )
    .await;
    assert!(responses.is_empty());
    assert!(
        errors[0].to_string().contains("invalid payload"),
        "{}",
        errors[0]
    );
    assert!(env.slack.messages().is_empty(), "nothing ran");
}

#[tokio::test]
async fn a_lambda_run_with_failures_fails_the_invocation() {
    let env = TestEnv::start().await;
    env.set_requests(&[RequestRow::new(
        "名無し",
        "nobody",
        EXAMPLE_KEY,
        json!("2026/11/29"),
    )]);
    let (responses, errors) = invoke(&env, vec![json!({"today": "2026-11-22"})]).await;
    assert!(responses.is_empty());
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].to_string().contains("failed or were refused"),
        "{}",
        errors[0]
    );
    assert_eq!(
        env.slack.messages_to(ADMIN_IDS[0]).len(),
        1,
        "administrators still heard of it"
    );
}

/// docs/rules.md §4: with less than 10 s left the run stops waiting on Slack, keeps what IAM did in
/// the sheet, and reports what did not run as failed.
#[tokio::test]
async fn a_lambda_deadline_while_slack_stalls_keeps_every_deletion_in_the_sheet() {
    let env = TestEnv::start().await;
    let key = user_with_key(&env.iam_client(), "tanaka-s3", Loadout::bare()).await;
    env.set_users(&[tanaka()]);
    env.set_requests(&[
        row("tanaka-s3", &key, json!("2026/11/20")),
        row("tanaka-app", EXAMPLE_KEY, json!("2026/11/29")),
    ]);
    env.slack.delay(Duration::from_secs(60));
    run_out_of_time(&env, Duration::from_secs(14), "Slack stalls").await;
    assert_eq!(
        env.google.cell(support::app::REQUEST_SHEET, "K2"),
        Some(json!("削除済み"))
    );
    assert_eq!(
        env.google.cell(support::app::REQUEST_SHEET, "M3"),
        None,
        "the notice did not go out: no 通知日"
    );
}

/// docs/rules.md §4: the deadline gate holds for every phase that changes IAM, the grace period's
/// deactivations included: with IAM answering slowly, no key is set Inactive once less than
/// 10 s are left, the invocation answers in time, and no row says 無効化済み for a key that
/// was not.
#[tokio::test]
async fn a_lambda_deadline_during_slow_deactivations_starts_no_change_past_it() {
    let mut env = TestEnv::start().await;
    let mut rows = Vec::new();
    for i in 0..3 {
        let user = format!("grace-{i}");
        let key = user_with_key(&env.iam_client(), &user, Loadout::bare()).await;
        rows.push(row(&user, &key, json!("2026/11/20")));
    }
    env.set_users(&[tanaka()]);
    env.set_requests(&rows);
    env.set_env("KEYWARDEN_DEACTIVATE_GRACE_DAYS", "3");
    env.iam.delay(Duration::from_secs(5));
    let (started, _) = run_out_of_time(&env, Duration::from_secs(14), "slow deactivations").await;
    // The cutoff is the deadline less 10 s: 4 s after the invocation, which began after `started`.
    let cutoff = started + Duration::from_secs(4);
    let late: Vec<_> = env
        .iam
        .calls()
        .into_iter()
        .filter(|c| c.action == "UpdateAccessKey" && c.at >= cutoff)
        .collect();
    assert!(
        late.is_empty(),
        "IAM changes started past the cutoff: {late:?}"
    );
    for (i, row) in (2..=4).enumerate() {
        let status = key_status(&env, &format!("grace-{i}")).await;
        let marked = env
            .google
            .cell(support::app::REQUEST_SHEET, &format!("K{row}"));
        if marked == Some(json!("無効化済み")) {
            assert_eq!(status[0].1, "Inactive", "row {row}");
        }
    }
}

/// No AWS call outlives the margin kept before the Lambda deadline: one IAM call that hangs
/// (far longer than the SDK's own time-outs and retries) is cut at the cutoff, its row is
/// reported failed as out of time, the invocation answers before its deadline, and what was
/// done before (another row's deletion) is in the sheet.
#[tokio::test]
async fn a_lambda_deadline_cuts_an_iam_call_that_hangs_and_writes_what_was_done() {
    let env = TestEnv::start().await;
    let client = env.iam_client();
    let quick = user_with_key(&client, "quick-user", Loadout::bare()).await;
    let with_login = Loadout {
        login_profile: true,
        ..Loadout::bare()
    };
    let hanging = user_with_key(&client, "hanging-user", with_login).await;
    env.set_users(&[tanaka()]);
    env.set_requests(&[
        row("quick-user", &quick, json!("2026/11/20")),
        row("hanging-user", &hanging, json!("2026/11/20")),
    ]);
    // Only hanging-user has a login profile: its teardown's second step never answers.
    env.iam.slow("DeleteLoginProfile", Duration::from_secs(600));
    let (_, logged) = run_out_of_time(&env, Duration::from_secs(20), "IAM hangs").await;
    let report = logged_report(&logged);
    let done = action_for(&report, 2);
    assert_eq!(done["outcome"], "done", "{done}");
    let cut = action_for(&report, 3);
    assert_eq!(cut["action"], "delete", "{cut}");
    assert_eq!(cut["outcome"], "failed", "{cut}");
    let detail = cut["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("delete login profile")
            && detail.contains("the invocation ran out of time"),
        "{detail}"
    );
    // What was done is in the sheet; the cut teardown wrote nothing and left the user.
    assert_eq!(
        env.google.cell(support::app::REQUEST_SHEET, "K2"),
        Some(json!("削除済み"))
    );
    assert_eq!(env.google.cell(support::app::REQUEST_SHEET, "K3"), None);
    assert!(remaining(&client, "quick-user").await.is_empty());
    assert!(!remaining(&client, "hanging-user").await.is_empty());
}

/// The same for STS: proving a key's account (`GetAccessKeyInfo`) and entering a member
/// account (`AssumeRole`) are AWS calls like any other. Either one hanging is cut at the
/// cutoff, its row fails as out of time and changes nothing, and the owner's notice, which
/// needs no AWS, still gets its 通知日.
#[tokio::test]
async fn a_lambda_deadline_cuts_an_sts_call_that_hangs() {
    for action in ["GetAccessKeyInfo", "AssumeRole"] {
        let mut env = TestEnv::start().await;
        env.set_env("KEYWARDEN_ACCOUNTS", &format!("本番={HOME},検証={STAGING}"));
        member_role(&env, STAGING).await;
        let key = user_in(&env, STAGING, "app").await;
        env.set_users(&[tanaka()]);
        env.google.set_sheet(
            support::app::REQUEST_SHEET,
            request_sheet(
                &["AWSアカウント"],
                vec![
                    (row("app", &key, json!("2026/11/20")), vec![json!("検証")]),
                    (
                        row("tanaka-app", EXAMPLE_KEY, json!("2026/11/29")),
                        vec![json!("本番")],
                    ),
                ],
            ),
        );
        env.iam.slow(action, Duration::from_secs(600));
        let (_, logged) = run_out_of_time(&env, Duration::from_secs(20), action).await;
        let report = logged_report(&logged);
        let cut = action_for(&report, 2);
        assert_eq!(cut["action"], "delete", "{action}: {cut}");
        assert_eq!(cut["outcome"], "failed", "{action}: {cut}");
        assert!(
            cut["detail"]
                .as_str()
                .unwrap_or_default()
                .contains("the invocation ran out of time"),
            "{action}: {cut}"
        );
        assert_eq!(action_for(&report, 3)["outcome"], "done", "{action}");
        assert!(
            !left_in(&env, STAGING, "app").await.is_empty(),
            "{action}: nothing changed"
        );
        assert!(env.iam.mutations().is_empty(), "{action}");
        assert_eq!(
            env.google.cell(support::app::REQUEST_SHEET, "K2"),
            None,
            "{action}"
        );
        // 通知日 is created after the AWSアカウント column (M).
        assert_eq!(
            env.google.cell(support::app::REQUEST_SHEET, "N1"),
            Some(json!("通知日")),
            "{action}"
        );
        assert_eq!(
            env.google.cell(support::app::REQUEST_SHEET, "N3"),
            Some(json!("2026-11-22")),
            "{action}: the notice's 通知日 is written"
        );
    }
}

// --- Slack interactions through the Lambda Function URL (docs/rules.md §6, §9) -------------------

fn function_url_event(method: &str, path: &str, headers: Value, body: &str) -> Value {
    use base64::Engine;
    json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "192.0.2.1"},
            "requestId": "r-1",
            "timeEpoch": 0
        },
        "body": base64::engine::general_purpose::STANDARD.encode(body),
        "isBase64Encoded": true
    })
}

#[tokio::test]
async fn the_lambda_answers_function_url_events_as_serve_does() {
    let mut env = TestEnv::start().await;
    env.set_env(
        "SLACK_SIGNING_SECRET",
        support::slack_requests::SIGNING_SECRET,
    );
    env.set_users(&[tanaka()]);
    env.set_requests(&[row("tanaka-s3", EXAMPLE_KEY, json!("2026/11/29"))]);
    let click = support::slack_requests::button_click(
        TANAKA,
        "keywarden_extend_request",
        r#"{"v":1,"a":"tanaka-s3","k":"AKIAIOSFODNN7EXAMPLE","e":"2026-11-29"}"#,
        &env.slack.response_url("click"),
    );
    let body = support::slack_requests::form(&click);
    let ts = chrono::Utc::now().timestamp().to_string();
    let signed = json!({
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": ts,
        "x-slack-signature": support::slack_requests::sign(&ts, &body),
    });
    let forged = json!({
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": ts,
        "x-slack-signature": "v0=0000",
    });
    let (responses, errors) = invoke(
        &env,
        vec![
            function_url_event("GET", "/healthz", json!({}), ""),
            function_url_event("POST", "/slack/interactions", forged, &body),
            function_url_event("POST", "/slack/interactions", signed, &body),
        ],
    )
    .await;
    assert!(errors.is_empty(), "{errors:?}");
    let status: Vec<u64> = responses
        .iter()
        .map(|r| r["statusCode"].as_u64().unwrap())
        .collect();
    assert_eq!(status, vec![200, 401, 200], "{responses:#?}");
    let views = env.slack.views();
    assert_eq!(views.len(), 1, "the signed click opened the modal");
    assert!(
        views[0].to_string().contains("new_end_date"),
        "{}",
        views[0]
    );
    assert_eq!(env.google.counts().writes, 0, "a click writes nothing");
}

#[tokio::test]
async fn the_interactions_function_never_runs_the_daily_job() {
    let mut env = TestEnv::start().await;
    env.set_env("KEYWARDEN_LAMBDA_HTTP_ONLY", "true");
    env.set_users(&[tanaka()]);
    env.set_requests(&[row("tanaka-s3", EXAMPLE_KEY, json!("2026/11/29"))]);
    let (responses, errors) = invoke(&env, vec![json!({"today": "2026-11-22"})]).await;
    assert!(responses.is_empty());
    assert!(
        errors[0].to_string().contains("only answers HTTP"),
        "{errors:?}"
    );
    assert!(env.slack.messages().is_empty(), "no notice was sent");
    assert_eq!(env.google.counts().reads, 0, "the sheet was not even read");
}

// --- keywarden check ----------------------------------------------------------------------

fn good_sheet(env: &TestEnv) {
    env.set_users(&[tanaka()]);
    env.set_requests(&[row("tanaka-s3", EXAMPLE_KEY, json!("2026/11/29"))]);
}

#[tokio::test]
async fn check_passes_when_everything_is_in_place() {
    let env = TestEnv::start().await;
    good_sheet(&env);
    let out = env.run(&["check"]).await;
    assert_eq!(out.status, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(
        out.stdout.lines().filter(|l| l.starts_with('✓')).count(),
        10,
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains('✗'));
    assert!(
        out.line("chat:write").contains("scopes: chat:write"),
        "{}",
        out.stdout
    );
    // docs/rules.md §6: check changes nothing anywhere, not even with a test message.
    assert_eq!(env.slack.post_attempts(), 0, "check posts nothing");
    let methods: Vec<String> = env.slack.requests().into_iter().map(|r| r.method).collect();
    assert_eq!(methods, ["auth.test"], "check only reads from Slack");
    assert_eq!(
        env.google.counts().writes,
        0,
        "check writes nothing to the sheet"
    );
    assert!(
        env.iam.mutations().is_empty(),
        "check changes nothing in IAM"
    );
}

#[tokio::test]
async fn check_names_each_broken_piece() {
    // Configuration.
    let mut env = TestEnv::start().await;
    good_sheet(&env);
    env.remove_env("KEYWARDEN_SPREADSHEET_ID");
    let out = env.run(&["check"]).await;
    assert_eq!(out.status, 2);
    assert!(out.line("configuration").starts_with('✗'));
    assert!(out.stdout.contains("KEYWARDEN_SPREADSHEET_ID"));

    // Credentials: a key file that is not a key.
    let mut env = TestEnv::start().await;
    let bogus = env.dir.path().join("not-a-key.json");
    std::fs::write(&bogus, "{}").unwrap();
    env.set_env("GOOGLE_APPLICATION_CREDENTIALS", bogus.to_str().unwrap());
    let out = env.run(&["check"]).await;
    assert_eq!(out.status, 1);
    assert!(out.line("credentials").starts_with('✗'), "{}", out.stdout);
    // A bad key file stops only what needs it: Slack is still checked, the sheet is skipped.
    assert!(out.line("auth.test").starts_with('✓'), "{}", out.stdout);
    assert!(
        out.line("spreadsheet readable").starts_with("– ")
            && out.line("spreadsheet readable").contains("skipped"),
        "{}",
        out.stdout
    );

    // Google's token endpoint down, Slack token revoked: those lines fail, the others still run.
    let mut env = TestEnv::start().await;
    good_sheet(&env);
    env.google.fail_next(Endpoint::Token, 400, 100);
    env.set_env("SLACK_BOT_TOKEN", "xoxb-revoked");
    let out = env.run(&["check"]).await;
    assert_eq!(out.status, 1);
    assert!(
        out.line("spreadsheet readable").starts_with('✗'),
        "{}",
        out.stdout
    );
    // A refusal, not a connection failure: the key is named, not the network.
    assert!(
        out.line("spreadsheet readable")
            .contains("Google refused the service-account key"),
        "{}",
        out.stdout
    );
    assert!(out.line("auth.test").starts_with('✗'));
    assert!(out.line("auth.test").contains("invalid_auth"));
    // Not "add the chat:write scope": the scopes are unknown when auth.test failed.
    let scope = out.line("can DM");
    assert!(
        scope.starts_with("– ") && scope.contains("skipped"),
        "{scope}"
    );
    assert!(!scope.contains("reinstall"), "{scope}");
    let iam = out.line("IAM reachable");
    assert!(
        iam.starts_with("– ") && iam.contains("skipped"),
        "no row to try: {iam}"
    );

    // A missing header, users_json with a blank ID.
    let env = TestEnv::start().await;
    env.google
        .set_sheet(support::app::REQUEST_SHEET, vec![vec![json!("氏名")]]);
    env.google.set_sheet(
        support::app::USERS_SHEET,
        vec![
            support::app::users_sheet_header(),
            vec![json!(""), json!("山田"), json!("花子")],
        ],
    );
    let out = env.run(&["check"]).await;
    assert_eq!(out.status, 1);
    let headers = out.line("required header");
    assert!(
        headers.starts_with('✗') && headers.contains("アクセスキーID"),
        "{headers}"
    );
    assert!(out.line("users_json").starts_with('✗'));

    // IAM unreachable, and a token without chat:write.
    let mut env = TestEnv::start().await;
    good_sheet(&env);
    env.set_env("AWS_ENDPOINT_URL_IAM", "http://127.0.0.1:9");
    env.slack.set_scopes(Some("users:read,chat:write.public"));
    let out = env.run(&["check"]).await;
    assert_eq!(out.status, 1);
    assert!(out.line("auth.test").starts_with('✓'));
    let scope = out.line("can DM");
    assert!(scope.starts_with('✗'), "{scope}");
    assert!(
        scope.contains("lacks chat:write")
            && scope.contains("OAuth & Permissions")
            && scope.contains("reinstall"),
        "says how to fix it: {scope}"
    );
    assert!(out.line("IAM reachable").starts_with('✗'), "{}", out.stdout);
    assert_eq!(env.slack.post_attempts(), 0, "check posts nothing");
}

#[tokio::test]
async fn check_without_chat_write_fails_and_posts_nothing() {
    let env = TestEnv::start().await;
    good_sheet(&env);
    env.slack.set_scopes(Some("users:read"));
    let out = env.run(&["check"]).await;
    assert_eq!(out.status, 1, "{}", out.stdout);
    assert_eq!(out.stdout.lines().filter(|l| l.starts_with('✗')).count(), 1);
    assert!(
        out.line("chat:write")
            .contains("add the chat:write Bot Token Scope")
    );
    assert!(
        env.slack.requests().iter().all(|r| r.method == "auth.test"),
        "only auth.test: {:?}",
        env.slack.requests()
    );
    assert_eq!(env.google.counts().writes, 0);
    assert!(env.iam.mutations().is_empty());
}
