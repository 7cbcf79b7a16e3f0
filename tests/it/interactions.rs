//! Extension requests from Slack end to end (docs/rules.md §9): the interactions server on
//! 127.0.0.1 against the fake Google and Slack servers, with requests signed as Slack signs them.

use crate::fixtures::{EXAMPLE_KEY, ROW_VALUE, TANAKA, notice_row, request_sheet, tanaka_only};
use crate::support;

use std::time::Duration;

use serde_json::{Value, json};
use support::app::{REQUEST_SHEET, RequestRow, USERS_SHEET, date_serial};
use support::google::Endpoint;
use support::slack_requests::{SIGNING_SECRET, form, post_signed, sign, submission};
use support::{HttpReply, http};

use keywarden::app::interactions::{InteractionSettings, RequestVerifier};
use keywarden::core::domain::Secret;

const ADMIN1: &str = "UADMIN0001";
const ADMIN2: &str = "UADMIN0002";

use support::endpoint::Endpoint as Env;

async fn start(approval_channel: Option<&str>) -> Env {
    start_with(approval_channel, &[ADMIN1, ADMIN2]).await
}

/// [`start`] with these administrators.
async fn start_with(approval_channel: Option<&str>, admins: &[&str]) -> Env {
    // An empty header cell (M): the first free cell. The daily job keeps the first two free
    // cells for its 通知日 and 無効化日, so 延長申請 and 延長履歴 go to O and P.
    let sheets = vec![
        (
            REQUEST_SHEET,
            request_sheet(&[""], vec![(notice_row(), vec![])]),
        ),
        (USERS_SHEET, tanaka_only()),
    ];
    let mut settings = InteractionSettings::with_admins(
        admins
            .iter()
            .map(|a| keywarden::core::domain::SlackUserId::parse(a).unwrap())
            .collect(),
    );
    settings.approval_channel = approval_channel.map(str::to_string);
    Env::start(sheets, settings, |app| app).await
}

impl Env {
    async fn post_raw(&self, body: &str, headers: &[(&str, &str)]) -> HttpReply {
        let mut all = vec![("content-type", "application/x-www-form-urlencoded")];
        all.extend_from_slice(headers);
        http(
            "POST",
            &format!("{}/slack/interactions", self.base),
            &all,
            body.to_string(),
        )
        .await
    }

    /// Posts `payload` signed now with the test secret.
    async fn send(&self, payload: &Value) -> HttpReply {
        post_signed(&self.base, payload).await
    }

    fn click(
        &self,
        user: &str,
        action: &str,
        value: &str,
        trigger: &str,
        message: (&str, &str),
    ) -> Value {
        json!({
            "type": "block_actions",
            "user": {"id": user, "username": "u", "name": "u", "team_id": "T000TEST"},
            "api_app_id": "A0APP001", "token": "legacy",
            "container": {"type": "message", "message_ts": message.1, "channel_id": message.0, "is_ephemeral": false},
            "trigger_id": trigger,
            "team": {"id": "T000TEST", "domain": "example"},
            "channel": {"id": message.0, "name": "directmessage"},
            "response_url": self.slack.response_url(&format!("{user}-{trigger}")),
            "actions": [{"action_id": action, "block_id": "kw", "type": "button", "value": value,
                         "text": {"type": "plain_text", "text": "button"}, "action_ts": "1700000001.000001"}]
        })
    }

    async fn request_click(&self, user: &str, trigger: &str) -> HttpReply {
        self.send(&self.click(
            user,
            "keywarden_extend_request",
            ROW_VALUE,
            trigger,
            ("D0DM00001", "1700000000.000001"),
        ))
        .await
    }

    async fn submit(&self, user: &str, date: Option<&str>, reason: Option<&str>) -> HttpReply {
        self.send(&submission(user, ROW_VALUE, date, reason)).await
    }

    /// Clicks approve or reject on the approval request posted to `admin`'s DM.
    async fn decide(&self, user: &str, approve: bool, copy_of: &str) -> HttpReply {
        let message = self
            .slack
            .messages()
            .into_iter()
            .rev()
            .find(|m| {
                m.channel == copy_of
                    && m.blocks
                        .as_ref()
                        .is_some_and(|b| b.to_string().contains("keywarden_extend_approve"))
            })
            .unwrap_or_else(|| panic!("no approval request to {copy_of}"));
        let value = message.blocks.unwrap()[1]["elements"][0]["value"]
            .as_str()
            .unwrap()
            .to_string();
        let action = if approve {
            "keywarden_extend_approve"
        } else {
            "keywarden_extend_reject"
        };
        let channel = format!("D{copy_of}");
        self.send(&self.click(
            user,
            action,
            &value,
            "7.7.7",
            (&channel, "1700000000.999999"),
        ))
        .await
    }

    fn cell(&self, a1: &str) -> Option<Value> {
        self.google.cell(REQUEST_SHEET, a1)
    }

    fn responses_to(&self, user: &str) -> Vec<String> {
        self.slack
            .responses()
            .into_iter()
            .filter(|(name, _)| name.starts_with(user))
            .map(|(_, body)| body["text"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// Click, then a good submission by `requester`.
    async fn pending_request(&self, requester: &str) {
        assert_eq!(self.request_click(requester, "1.1.1").await.status, 200);
        let answer = self
            .submit(requester, Some("2027-01-31"), Some("案件が延びたため"))
            .await;
        assert_eq!(
            answer.json()["response_action"],
            "update",
            "{}",
            answer.body
        );
        assert!(self.cell("O2").is_some(), "pending request written");
    }
}

mod faults;
mod flows;
mod log;
mod moved_rows;
