//! The Slack interactions endpoint as the binary wires it (Google Sheets and Slack clients,
//! the signature check), in-process against fresh fakes, on a free port of 127.0.0.1.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use keywarden::adapters::google::{GoogleSheets, read_key_file};
use keywarden::app::interactions::{
    InteractionSettings, Interactions, RequestVerifier, SlackInteractive, serve_on,
};
use keywarden::core::domain::Secret;

use super::app::{SLACK_TOKEN, SPREADSHEET_ID};
use super::google::FakeGoogle;
use super::slack::FakeSlack;
use super::slack_requests::SIGNING_SECRET;

pub type App = Interactions<GoogleSheets, SlackInteractive>;

/// The endpoint and its fakes; the server stops when it is dropped.
pub struct Endpoint {
    /// The same handler the server uses, for the Lambda path (no axum).
    pub app: Arc<App>,
    pub google: FakeGoogle,
    pub slack: FakeSlack,
    /// `http://127.0.0.1:PORT`, where signed requests go.
    pub base: String,
    _dir: tempfile::TempDir,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl Endpoint {
    /// Fresh fakes holding `sheets` (name, rows), and the endpoint serving with `settings`;
    /// `wire` may add to the app before it serves (key issuance).
    pub async fn start(
        sheets: Vec<(&str, Vec<Vec<Value>>)>,
        settings: InteractionSettings,
        wire: impl FnOnce(App) -> App,
    ) -> Endpoint {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let google = FakeGoogle::start(SPREADSHEET_ID).await;
        let slack = FakeSlack::start(SLACK_TOKEN).await;
        let dir = tempfile::tempdir().unwrap();
        let key_file = google.write_service_account_file(dir.path());
        for (name, rows) in sheets {
            google.set_sheet(name, rows);
        }
        let key = read_key_file(&key_file).await.unwrap();
        let sheets = GoogleSheets::connect(
            key,
            &google.base_url(),
            SPREADSHEET_ID,
            Duration::from_secs(5),
        )
        .await
        .unwrap();
        let slack_api = SlackInteractive::new(
            &Secret::new(SLACK_TOKEN),
            &slack.api_url(),
            Duration::from_secs(2),
        )
        .unwrap();
        let app = Arc::new(wire(Interactions::new(settings, sheets, slack_api)));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let base = format!("http://{}", listener.local_addr().expect("local addr"));
        let verifier = RequestVerifier::new(&Secret::new(SIGNING_SECRET));
        let served = app.clone();
        let server = tokio::spawn(async move {
            let _ = serve_on(listener, served, verifier).await;
        });
        Endpoint {
            app,
            google,
            slack,
            base,
            _dir: dir,
            server,
        }
    }
}
