//! What a new administrator sees on a first run: messages that say what happened and what to
//! do, and no noise (the real binary against the fakes).

use crate::fixtures::{EXAMPLE_KEY, row, tanaka_env};
use crate::support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use support::app::{TestEnv, date_serial};

/// A stand-in for the instance metadata service that only counts who knocks.
async fn metadata_listener() -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            drop(socket);
        }
    });
    (url, hits)
}

#[tokio::test]
async fn without_a_region_the_job_asks_no_instance_metadata_and_prints_no_warning() {
    let mut env = tanaka_env().await;
    // Due for a teardown, so IAM is asked (its user does not exist: nothing changes on plan).
    env.set_requests(&[row("tanaka-gone", EXAMPLE_KEY, date_serial("2026-11-01"))]);
    let (imds, hits) = metadata_listener().await;
    env.remove_env("AWS_REGION")
        .remove_env("AWS_EC2_METADATA_DISABLED")
        .set_env("AWS_EC2_METADATA_SERVICE_ENDPOINT", &imds);
    let out = env
        .run(&["plan", "--today", "2026-11-22", "--output", "json"])
        .await;
    assert!(out.status < 2, "{}", out.stderr);
    assert!(
        env.iam.actions().iter().any(|a| a == "GetUser"),
        "IAM was asked: {:?}",
        env.iam.actions()
    );
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "instance metadata was asked"
    );
    assert!(!out.stderr.contains("imds"), "{}", out.stderr);
    assert!(
        !out.stderr.lines().any(|l| l.contains("WARN aws_config")),
        "{}",
        out.stderr
    );
}

/// A port nothing listens on: every connection is refused, as with the network down.
fn closed_port() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    url
}

#[tokio::test]
async fn check_with_the_network_down_says_so_instead_of_blaming_scopes_or_the_key_file() {
    let mut env = TestEnv::start().await;
    let down = closed_port();
    let key_path = env.dir.path().join("service-account.json");
    let mut key: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&key_path).unwrap()).unwrap();
    key["token_uri"] = format!("{down}/token").into();
    std::fs::write(&key_path, key.to_string()).unwrap();
    env.set_env("KEYWARDEN_SHEETS_API_URL", &format!("{down}/"))
        .set_env("KEYWARDEN_SLACK_API_URL", &format!("{down}/api/"))
        .set_env("AWS_ENDPOINT_URL_IAM", &down);
    let out = env.run(&["check"]).await;
    assert_eq!(out.status, 1, "{}", out.stdout);
    let sheet = out.line("spreadsheet readable");
    assert!(
        sheet.starts_with('✗') && sheet.contains("could not reach Google's token endpoint"),
        "{sheet}"
    );
    assert!(!sheet.contains("check the key file"), "{sheet}");
    let auth = out.line("auth.test");
    assert!(auth.contains("could not reach Slack"), "{auth}");
    let scope = out.line("can DM");
    assert!(
        scope.starts_with("– ") && scope.contains("skipped"),
        "{scope}"
    );
    assert!(!scope.contains("reinstall"), "{scope}");
    let iam = out.line("IAM reachable");
    assert!(iam.starts_with("– ") && iam.contains("skipped"), "{iam}");
}

#[tokio::test]
async fn run_output_json_reports_why_nothing_ran_and_each_action_has_its_end_date() {
    let mut env = tanaka_env().await;
    env.set_requests(&[row("tanaka-s3", EXAMPLE_KEY, date_serial("2026-11-29"))]);
    let out = env
        .run(&["plan", "--today", "2026-11-22", "--output", "json"])
        .await;
    assert_eq!(out.status, 0, "{}", out.stderr);
    let report = out.json();
    assert_eq!(report["dry_run"], true);
    let notice = support::app::action_for(&report, 2);
    assert_eq!(notice["end_date"], "2026-11-29");
    assert_eq!(notice["days_left"], 7);
    assert!(report.get("error").is_none(), "{report}");

    // The sheet is missing: exit 2, and the report says why.
    env.set_env("KEYWARDEN_REQUEST_SHEET", "no_such_sheet");
    let out = env.run_daily("2026-11-22").await;
    assert_eq!(out.status, 2, "{}", out.stderr);
    let report = out.json();
    assert_eq!(report["today"], "2026-11-22");
    assert_eq!(report["dry_run"], false);
    assert_eq!(report["actions"], serde_json::json!([]));
    assert!(
        report["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{report}"
    );

    // Bad configuration: the same, before anything is read.
    env.set_env("KEYWARDEN_NOTIFY_DAYS", "seven");
    let out = env.run(&["plan", "--output", "json"]).await;
    assert_eq!(out.status, 2);
    let report = out.json();
    assert!(
        report["error"]
            .as_str()
            .is_some_and(|e| e.contains("KEYWARDEN_NOTIFY_DAYS")),
        "{report}"
    );
    assert_eq!(report["dry_run"], true);
}

#[tokio::test]
async fn a_two_digit_year_is_refused_before_anything_runs() {
    let env = TestEnv::start().await;
    for (today, says) in [
        ("26-11-22", "not a date in the form YYYY-MM-DD"),
        ("2026-13-40", "is no such date"),
    ] {
        let out = env.run(&["run", "--today", today]).await;
        assert_eq!(out.status, 2, "{today}: {}", out.stderr);
        assert!(out.stderr.contains(says), "{today}: {}", out.stderr);
        assert_eq!(env.slack.post_attempts(), 0);
        assert!(env.iam.mutations().is_empty());
    }
}
