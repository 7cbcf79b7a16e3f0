//! What a new administrator sees on a first run: messages that say what happened and what to
//! do, and no noise (the real binary against the fakes).

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use support::app::{RequestRow, TestEnv, UserRow, date_serial};

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
    let mut env = TestEnv::start().await;
    env.set_users(&[UserRow::new("U0TANAKA01", "田中", "太郎")]);
    // Due for a teardown, so IAM is asked (its user does not exist: nothing changes on plan).
    env.set_requests(&[RequestRow::new(
        "田中 太郎",
        "tanaka-gone",
        "AKIAIOSFODNN7EXAMPLE",
        date_serial("2026-11-01"),
    )]);
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
    assert_eq!(hits.load(Ordering::SeqCst), 0, "instance metadata was asked");
    assert!(!out.stderr.contains("imds"), "{}", out.stderr);
    assert!(
        !out.stderr.lines().any(|l| l.contains("WARN aws_config")),
        "{}",
        out.stderr
    );
}
