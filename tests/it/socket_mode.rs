//! `keywarden serve` over Socket Mode (docs/rules.md §9 for hosts with no public URL): with
//! `SLACK_APP_TOKEN` the binary opens a WebSocket to the fake Slack instead of listening, runs
//! every interaction through the same handler as HTTP, and acknowledges each envelope with
//! what the HTTP body would have been. No signing secret, no AWS (moto is not started).

use crate::fixtures::{ROW_VALUE, TANAKA, notice_row, request_sheet, tanaka_only};
use crate::support;

use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use support::app::{REQUEST_SHEET, SLACK_TOKEN, SPREADSHEET_ID, USERS_SHEET};
use support::google::FakeGoogle;
use support::slack::FakeSlack;
use support::slack_requests::submission;

const APP_TOKEN: &str = "xapp-1-A0APP001-0000-socketsecret";
const WAIT: Duration = Duration::from_secs(20);

struct Env {
    google: FakeGoogle,
    slack: FakeSlack,
    dir: tempfile::TempDir,
}

async fn start() -> Env {
    let google = FakeGoogle::start(SPREADSHEET_ID).await;
    let slack = FakeSlack::start(SLACK_TOKEN).await;
    let dir = tempfile::tempdir().unwrap();
    google.write_service_account_file(dir.path());
    google.set_sheet(
        REQUEST_SHEET,
        request_sheet(&[], vec![(notice_row(), vec![])]),
    );
    google.set_sheet(USERS_SHEET, tanaka_only());
    Env { google, slack, dir }
}

impl Env {
    /// The binary pointing at the fakes, without IAM: `serve` never touches it.
    fn command(&self, app_token: &str) -> tokio::process::Command {
        let mut command =
            support::app::keywarden_command(self.dir.path(), &self.google, &self.slack);
        command
            .env("SLACK_APP_TOKEN", app_token)
            .env("RUST_LOG", "debug")
            .args(["serve"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        command
    }
}

fn click() -> Value {
    json!({
        "type": "block_actions",
        "user": {"id": TANAKA, "username": "t", "name": "t", "team_id": "T0"},
        "api_app_id": "A0APP001", "token": "legacy",
        "container": {"type": "message", "message_ts": "100.000", "channel_id": "D0", "is_ephemeral": false},
        "trigger_id": "trigger-socket-1",
        "team": {"id": "T0", "domain": "example"},
        "channel": {"id": "D0", "name": "directmessage"},
        "actions": [{"action_id": "keywarden_extend_request", "block_id": "kw", "type": "button",
                     "value": ROW_VALUE,
                     "text": {"type": "plain_text", "text": "button"}, "action_ts": "1.1"}]
    })
}

/// Everything the child wrote to stderr (it is killed first).
async fn stderr_of(mut child: tokio::process::Child) -> String {
    child.kill().await.ok();
    let out = child.wait_with_output().await.expect("child output");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[tokio::test]
async fn serve_over_socket_mode_shares_the_handler_and_acks_with_its_answer() {
    let env = start().await;
    let socket = env.slack.enable_socket_mode(APP_TOKEN).await;
    let child = env
        .command(APP_TOKEN)
        .spawn()
        .expect("keywarden serve starts");
    socket.wait_connected(WAIT).await;
    assert!(
        env.slack.socket_opens() >= 2,
        "checked at start, then connected"
    );

    socket.send_interactive("env-click-1", click());
    let ack = socket.ack("env-click-1", WAIT).await;
    assert_eq!(ack, json!({"envelope_id": "env-click-1"}), "a bare ack");
    let views = env.slack.views();
    assert_eq!(views.len(), 1, "the modal was opened before the ack");
    assert_eq!(views[0]["trigger_id"], "trigger-socket-1");
    let metadata = views[0]["private_metadata"].as_str().unwrap().to_string();

    socket.send_interactive(
        "env-submit-1",
        submission(TANAKA, &metadata, Some("2026-12-20"), Some("")),
    );
    let ack = socket.ack("env-submit-1", WAIT).await;
    assert_eq!(ack["envelope_id"], "env-submit-1");
    assert_eq!(ack["payload"]["response_action"], "errors", "{ack}");
    let errors = ack["payload"]["errors"].as_object().expect("errors");
    assert!(errors.contains_key("reason"), "the reason block: {ack}");
    assert_eq!(env.google.counts().writes, 0, "nothing written");

    let stderr = stderr_of(child).await;
    assert!(stderr.contains("Socket Mode"), "{stderr}");
    assert!(
        !stderr.contains("socketsecret"),
        "the app token never logged"
    );
    assert!(!stderr.contains(SLACK_TOKEN), "the bot token never logged");
}

#[tokio::test]
async fn a_refused_app_token_stops_serve_with_what_to_fix() {
    let env = start().await;
    let _socket = env.slack.enable_socket_mode(APP_TOKEN).await;
    let run = env.command("xapp-1-A0APP001-0000-wrongsecret").output();
    let out = tokio::time::timeout(WAIT, run)
        .await
        .expect("exits")
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("SLACK_APP_TOKEN") && stderr.contains("invalid_auth"),
        "{stderr}"
    );
    assert!(!stderr.contains("wrongsecret"), "{stderr}");

    let run = env.command(SLACK_TOKEN).output();
    let out = tokio::time::timeout(WAIT, run)
        .await
        .expect("exits")
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a bot token is not an app token"
    );
    assert!(stderr.contains("xapp-"), "{stderr}");
    assert!(!stderr.contains(SLACK_TOKEN), "{stderr}");
}
