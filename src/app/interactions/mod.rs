//! Extension requests from Slack (docs/rules.md §9): an owner answers the "a week left" notice with
//! a button, fills a modal, an administrator approves or rejects, and the sheet records it all.
//!
//! Why a module tree of its own: the daily job is a batch that plans then acts; this is a
//! request/answer endpoint with its own trust boundary (every request is verified first,
//! [`verify`]). Pieces, from the wire inwards:
//! - [`server`]: the HTTP edge (axum, and a plain function for the Lambda Function URL);
//! - [`socket`]: Socket Mode (`SLACK_APP_TOKEN`), the same handler without a public URL;
//! - [`verify`]: Slack's request signature and timestamp window;
//! - [`payload`] and [`value`]: Slack's JSON turned into [`payload::Interaction`], once;
//! - [`rules`] and [`record`]: pure decisions and the text kept in the sheet's cells;
//! - [`row`]: the request row and its two extension cells in the sheet;
//! - [`handler`] and [`decide`]: the steps of docs/rules.md §9 against a
//!   [`crate::adapters::SheetStore`] and a [`slack_api::InteractiveSlack`];
//! - [`blocks`]: the Block Kit Slack shows.
//! - key requests (docs/rules.md §12 step 2): `issue` (the decision's steps, on the pure rules
//!   of [`crate::core::issue::decision`]), [`issue_blocks`] (its Block Kit), [`issue_accounts`]
//!   (issuance's settings and the AWS accounts a request ID is computed with).
//!
//! Nothing here is kept in process memory between requests (a Lambda is stateless): the
//! pending request, and where each copy of its approval message was posted, live in the
//! row's `延長申請` cell.
//!
//! # Wiring (for `serve`, the Lambda HTTP path, the notice and the run summary)
//!
//! ```ignore
//! let verifier = RequestVerifier::new(&signing_secret);            // SLACK_SIGNING_SECRET
//! let slack = SlackInteractive::new(&bot_token, &slack_api_url, Duration::from_secs(2))?;
//! let app = Arc::new(Interactions::new(settings, google_sheets, slack));
//! serve(listen, app.clone(), verifier.clone()).await?;             // keywarden serve
//! // Lambda Function URL / HTTP API (payload 2.0, body base64-decoded by the caller):
//! let answer = handle_http(&app, &verifier, method, path, &headers, &body, Utc::now()).await;
//! // the owner's notice: blocks::request_button(&value::RowRef::of(&valid_row))
//! // the run summary: RequestRow::pending_extension, read by the daily job's sheet model
//! ```
//!
//! The endpoint must run with reserved concurrency 1 on Lambda: decisions are serialised by a
//! mutex inside one process (see [`handler`]), not across processes. The Sheets client given
//! to [`Interactions`] should have a short attempt timeout: Slack waits 3 seconds.

pub mod blocks;
pub mod decide;
pub mod handler;
mod issue;
pub mod issue_accounts;
pub mod issue_blocks;
mod log;
pub mod payload;
pub mod row;
pub mod server;
pub mod slack_api;
pub mod socket;
pub mod verify;
pub mod wire;

use chrono::{DateTime, NaiveDate, Utc};

use crate::core::domain::SlackUserId;

pub use handler::{HttpAnswer, Interactions};
pub use issue_accounts::{AccountSource, FleetAccounts, Issuance};
pub use server::{handle_http, router, serve, serve_on};
pub use slack_api::{InteractiveSlack, SlackInteractive};
pub use socket::serve_socket_mode;
pub use verify::RequestVerifier;

/// The settings the extension flow needs, filled by the wiring from the configuration.
#[derive(Debug, Clone)]
pub struct InteractionSettings {
    /// `KEYWARDEN_ADMIN_SLACK_IDS` (aliases `ADMIN_ID_1`, `ADMIN_ID_2`): who may approve, and
    /// who may request for any row.
    pub admins: Vec<SlackUserId>,
    /// `KEYWARDEN_APPROVAL_CHANNEL`: post approval requests there instead of DMing each
    /// administrator.
    pub approval_channel: Option<String>,
    /// `KEYWARDEN_EXTENSION_DAYS` (default 30): the new end date first offered.
    pub extension_days: u32,
    /// `KEYWARDEN_MAX_EXTENSION_DAYS` (default 90): how far past the current end date a
    /// request may go.
    pub max_extension_days: u32,
    /// `KEYWARDEN_REQUEST_SHEET` (default `key_request_form`).
    pub request_sheet: String,
    /// `KEYWARDEN_USERS_SHEET` (default `users_json`).
    pub users_sheet: String,
    /// `KEYWARDEN_LOG_SHEET` (default `keywarden_log`): every decision is appended there.
    pub log_sheet: String,
    /// `KEYWARDEN_TIMEZONE` (default `Asia/Tokyo`): defines "today" and the time written in
    /// the cells.
    pub timezone: chrono_tz::Tz,
}

impl InteractionSettings {
    /// The defaults of docs/rules.md §5, with the given administrators.
    pub fn with_admins(admins: Vec<SlackUserId>) -> Self {
        InteractionSettings {
            admins,
            approval_channel: None,
            extension_days: 30,
            max_extension_days: 90,
            request_sheet: "key_request_form".into(),
            users_sheet: "users_json".into(),
            log_sheet: "keywarden_log".into(),
            timezone: chrono_tz::Asia::Tokyo,
        }
    }

    pub fn is_admin(&self, user: &SlackUserId) -> bool {
        self.admins.contains(user)
    }

    /// The calendar date at `now` in the configured zone.
    pub fn today(&self, now: DateTime<Utc>) -> NaiveDate {
        now.with_timezone(&self.timezone).date_naive()
    }
}
