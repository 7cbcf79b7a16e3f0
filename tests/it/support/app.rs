//! Runs the real `keywarden` binary against the fakes, with a clean environment so nothing
//! from the developer's machine (AWS profiles, tokens) leaks into a test.

use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tempfile::TempDir;

use super::google::FakeGoogle;
use super::moto::{Moto, StrictIam, iam_client};
use super::slack::FakeSlack;

pub const SPREADSHEET_ID: &str = "test-sheet-id";
pub const SLACK_TOKEN: &str = "xoxb-test-token-123456";
pub const ADMIN_IDS: [&str; 2] = ["UADMIN0001", "UADMIN0002"];
pub const REQUEST_SHEET: &str = "key_request_form";
pub const USERS_SHEET: &str = "users_json";

/// A hung binary fails the test instead of hanging CI.
const RUN_TIMEOUT: Duration = Duration::from_secs(120);

/// All fakes plus a scratch HOME holding the service-account key file.
pub struct TestEnv {
    pub google: FakeGoogle,
    pub slack: FakeSlack,
    pub iam: StrictIam,
    /// Declared after `iam` so the proxy stops before moto does.
    pub moto: Moto,
    pub dir: TempDir,
    env: Vec<(String, Option<String>)>,
}

/// What one run of the binary did.
#[derive(Debug, Clone)]
pub struct RunOutput {
    /// Exit code; -1 when killed by a signal.
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl RunOutput {
    /// stdout parsed as the JSON report; panics with both streams when it is not JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e})\n--- stdout\n{}\n--- stderr\n{}",
                self.stdout, self.stderr
            )
        })
    }

    /// The first line of stdout that mentions `what` (a line of `check`); panics with stdout
    /// when there is none.
    pub fn line(&self, what: &str) -> &str {
        self.stdout
            .lines()
            .find(|l| l.contains(what))
            .unwrap_or_else(|| panic!("no line about {what}:\n{}", self.stdout))
    }
}

impl TestEnv {
    /// Starts FakeGoogle, FakeSlack, moto and the strict IAM proxy, with empty sheets
    /// `key_request_form` (header only) and `users_json` (header only).
    pub async fn start() -> TestEnv {
        let google = FakeGoogle::start(SPREADSHEET_ID).await;
        let slack = FakeSlack::start(SLACK_TOKEN).await;
        let moto = Moto::start().await;
        let iam = StrictIam::start(&moto.endpoint()).await;
        let dir = tempfile::tempdir().expect("tempdir");
        google.write_service_account_file(dir.path());
        google.set_sheet(REQUEST_SHEET, vec![request_sheet_header()]);
        google.set_sheet(USERS_SHEET, vec![users_sheet_header()]);
        TestEnv {
            google,
            slack,
            iam,
            moto,
            dir,
            env: Vec::new(),
        }
    }

    /// An IAM client talking to moto directly (set-up and inspection are not recorded by
    /// the strict proxy).
    pub fn iam_client(&self) -> aws_sdk_iam::Client {
        iam_client(&self.moto.endpoint())
    }

    /// Sets an environment variable for every later `command()`/`run()`.
    pub fn set_env(&mut self, key: &str, value: &str) -> &mut Self {
        self.env.push((key.to_string(), Some(value.to_string())));
        self
    }

    /// Removes an environment variable (one of the defaults) for every later run.
    pub fn remove_env(&mut self, key: &str) -> &mut Self {
        self.env.push((key.to_string(), None));
        self
    }

    /// The binary with a cleared environment pointing at the fakes. The caller may still
    /// `.env()`/`.env_remove()` on it.
    pub fn command(&self) -> tokio::process::Command {
        let mut command = keywarden_command(self.dir.path(), &self.google, &self.slack);
        command.env("AWS_ENDPOINT_URL_IAM", self.iam.endpoint());
        command.env("AWS_ENDPOINT_URL_STS", self.iam.endpoint());
        command.env("AWS_ENDPOINT_URL_ORGANIZATIONS", self.iam.endpoint());
        for (key, value) in &self.env {
            match value {
                Some(value) => command.env(key, value),
                None => command.env_remove(key),
            };
        }
        command
    }

    /// Runs `keywarden <args>` to completion (at most 120 s).
    pub async fn run(&self, args: &[&str]) -> RunOutput {
        run_command(self.command().args(args)).await
    }

    /// Runs the daily job on `today` (`YYYY-MM-DD`) with the JSON report on stdout.
    pub async fn run_daily(&self, today: &str) -> RunOutput {
        self.run(&["run", "--today", today, "--output", "json"])
            .await
    }

    /// Starts `keywarden serve` on a free port and waits until it accepts connections: the
    /// child (killed when dropped) and the base URL. `stderr` is piped, for a test that reads
    /// what it logged.
    pub async fn serve(&self) -> (tokio::process::Child, String) {
        let port = super::free_port();
        let child = self
            .command()
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .kill_on_drop(true)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("keywarden serve starts");
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        (child, format!("http://127.0.0.1:{port}"))
    }

    /// Replaces the request sheet with the original header and `rows`.
    pub fn set_requests(&self, rows: &[RequestRow]) {
        let mut sheet = vec![request_sheet_header()];
        sheet.extend(rows.iter().map(RequestRow::to_values));
        self.google.set_sheet(REQUEST_SHEET, sheet);
    }

    /// Replaces `users_json` with its header and `users`.
    pub fn set_users(&self, users: &[UserRow]) {
        let mut sheet = vec![users_sheet_header()];
        sheet.extend(users.iter().map(UserRow::to_values));
        self.google.set_sheet(USERS_SHEET, sheet);
    }
}

/// Runs a prepared command with the bounded timeout and captures its output.
pub async fn run_command(command: &mut tokio::process::Command) -> RunOutput {
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = command.spawn().expect("spawn keywarden");
    match tokio::time::timeout(RUN_TIMEOUT, child.wait_with_output()).await {
        Ok(output) => {
            let output = output.expect("wait for keywarden");
            RunOutput {
                status: output.status.code().unwrap_or(-1),
                stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            }
        }
        // The child is killed when its future is dropped (kill_on_drop).
        Err(_) => panic!("keywarden did not finish within {RUN_TIMEOUT:?}"),
    }
}

/// Row 1 of the request sheet in the original system's layout (docs/rules.md §2), columns A..L.
pub fn request_sheet_header() -> Vec<Value> {
    keywarden::core::sheet::ORIGINAL_LAYOUT
        .into_iter()
        .map(Value::from)
        .collect()
}

/// Row 1 of `users_json`.
pub fn users_sheet_header() -> Vec<Value> {
    ["id", "last_name", "first_name", "real_name", "email"]
        .into_iter()
        .map(Value::from)
        .collect()
}

/// The Google Sheets serial number of a `YYYY-MM-DD` date (days since 1899-12-30), i.e. what
/// a real date cell reads as with `UNFORMATTED_VALUE` + `SERIAL_NUMBER`.
pub fn date_serial(date: &str) -> Value {
    let day = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").expect("YYYY-MM-DD");
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap();
    json!((day - epoch).num_days())
}

/// One request row in the original layout. Dates are `Value`s so a test can use a serial
/// number (`date_serial`) or any text the administrators might type.
#[derive(Debug, Clone)]
pub struct RequestRow {
    pub timestamp: Value,
    pub name: Value,
    pub purpose: Value,
    pub email: Value,
    pub service: Value,
    pub permissions: Value,
    pub applied: Value,
    pub start: Value,
    pub end: Value,
    pub account: Value,
    pub status: Value,
    pub key_id: Value,
}

impl Default for RequestRow {
    fn default() -> Self {
        RequestRow {
            timestamp: json!("2026/04/01 10:00:00"),
            name: json!(""),
            purpose: json!("検証用"),
            email: json!(""),
            service: json!("S3"),
            permissions: json!("読み取り"),
            applied: json!("2026/04/01"),
            start: json!("2026/04/01"),
            end: json!(""),
            account: json!(""),
            status: json!(""),
            key_id: json!(""),
        }
    }
}

impl RequestRow {
    /// A typical row: owner `name`, IAM user `account`, key `key_id`, end date `end`.
    pub fn new(name: &str, account: &str, key_id: &str, end: impl Into<Value>) -> RequestRow {
        RequestRow {
            name: json!(name),
            account: json!(account),
            key_id: json!(key_id),
            end: end.into(),
            ..RequestRow::default()
        }
    }

    pub fn status(mut self, status: &str) -> RequestRow {
        self.status = json!(status);
        self
    }

    /// The 12 cells A..L (empty cells as `""`; the fake trims them like the API).
    pub fn to_values(&self) -> Vec<Value> {
        vec![
            self.timestamp.clone(),
            self.name.clone(),
            self.purpose.clone(),
            self.email.clone(),
            self.service.clone(),
            self.permissions.clone(),
            self.applied.clone(),
            self.start.clone(),
            self.end.clone(),
            self.account.clone(),
            self.status.clone(),
            self.key_id.clone(),
        ]
    }
}

/// One `users_json` row.
#[derive(Debug, Clone, Default)]
pub struct UserRow {
    pub id: String,
    pub last_name: String,
    pub first_name: String,
    pub real_name: String,
    pub email: String,
}

impl UserRow {
    /// A user whose `real_name` is `last_name + " " + first_name`.
    pub fn new(id: &str, last_name: &str, first_name: &str) -> UserRow {
        UserRow {
            id: id.into(),
            last_name: last_name.into(),
            first_name: first_name.into(),
            real_name: format!("{last_name} {first_name}"),
            email: format!("{}@example.com", id.to_lowercase()),
        }
    }

    pub fn to_values(&self) -> Vec<Value> {
        [
            &self.id,
            &self.last_name,
            &self.first_name,
            &self.real_name,
            &self.email,
        ]
        .into_iter()
        .map(|s| Value::from(s.as_str()))
        .collect()
    }
}

/// The report's record for a sheet row; panics, showing the report, when there is none.
pub fn action_for(report: &Value, row: u64) -> Value {
    report["actions"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["row"] == json!(row))
        .cloned()
        .unwrap_or_else(|| panic!("no action for row {row} in {report:#}"))
}

/// The binary with a cleared environment pointing at the fake Google and Slack, with `home` as
/// its home and working directory (the service-account key is `home/service-account.json`).
/// AWS gets static test credentials and no endpoint: callers that need IAM add one.
pub fn keywarden_command(
    home: &std::path::Path,
    google: &FakeGoogle,
    slack: &FakeSlack,
) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_keywarden"));
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("KEYWARDEN_SPREADSHEET_ID", SPREADSHEET_ID)
        .env(
            "GOOGLE_APPLICATION_CREDENTIALS",
            home.join("service-account.json"),
        )
        .env("KEYWARDEN_SHEETS_API_URL", google.base_url())
        .env("SLACK_BOT_TOKEN", SLACK_TOKEN)
        .env("KEYWARDEN_SLACK_API_URL", slack.api_url())
        .env("KEYWARDEN_ADMIN_SLACK_IDS", ADMIN_IDS.join(","))
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        // STS never reaches the internet from a test: nothing answers here.
        .env("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9")
        .env("AWS_CONFIG_FILE", home.join("no-aws-config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            home.join("no-aws-credentials"),
        )
        .env("RUST_LOG", "info")
        .current_dir(home)
        .stdin(Stdio::null())
        .kill_on_drop(true);
    command
}
