//! Slack interaction requests as Slack sends them: a `block_actions` payload for a button, a
//! `view_submission` of the extension modal, form-encoded, signed with the app's signing secret (v0 HMAC-SHA256).

use serde_json::{Value, json};

use super::{HttpReply, http};

/// The signing secret the tests configure.
pub const SIGNING_SECRET: &str = "test-signing-secret-5f0a";

/// `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{body}` with [`SIGNING_SECRET`].
pub fn sign(timestamp: &str, body: &str) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, SIGNING_SECRET.as_bytes());
    let tag = ring::hmac::sign(&key, format!("v0:{timestamp}:{body}").as_bytes());
    let hex: String = tag.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!("v0={hex}")
}

/// Posts `payload` to `{base}/slack/interactions` as Slack does: form-encoded, signed now.
pub async fn post_signed(base: &str, payload: &Value) -> HttpReply {
    let body = form(payload);
    let ts = chrono::Utc::now().timestamp().to_string();
    let sig = sign(&ts, &body);
    http(
        "POST",
        &format!("{base}/slack/interactions"),
        &[
            ("content-type", "application/x-www-form-urlencoded"),
            ("x-slack-request-timestamp", &ts),
            ("x-slack-signature", &sig),
        ],
        body,
    )
    .await
}

/// The form body Slack posts: one `payload` field of JSON.
pub fn form(payload: &Value) -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("payload", &payload.to_string())
        .finish()
}

/// A click by `user` on the button `action_id` carrying `value`, in a DM.
pub fn button_click(user: &str, action_id: &str, value: &str, response_url: &str) -> Value {
    button_click_on(("D0", "100.000"), user, action_id, value, response_url)
}

/// A click on the button of the message `(channel, ts)`: an approval request's own copy.
pub fn button_click_on(
    (channel, ts): (&str, &str),
    user: &str,
    action_id: &str,
    value: &str,
    response_url: &str,
) -> Value {
    json!({
        "type": "block_actions",
        "user": {"id": user, "username": "u", "name": "u", "team_id": "T0"},
        "api_app_id": "A0", "token": "legacy",
        "container": {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": false},
        "trigger_id": "trigger-1",
        "team": {"id": "T0", "domain": "example"},
        "channel": {"id": channel, "name": "directmessage"},
        "response_url": response_url,
        "actions": [{"action_id": action_id, "block_id": "kw", "type": "button", "value": value,
                     "text": {"type": "plain_text", "text": "button"}, "action_ts": "1.1"}]
    })
}

/// `user` submits the extension modal opened for `private_metadata` (the row), with the date and
/// reason typed (`None`: left empty).
pub fn submission(
    user: &str,
    private_metadata: &str,
    date: Option<&str>,
    reason: Option<&str>,
) -> Value {
    json!({
        "type": "view_submission",
        "team": {"id": "T0", "domain": "example"},
        "user": {"id": user, "username": "u", "name": "u", "team_id": "T0"},
        "api_app_id": "A0APP001", "token": "legacy", "trigger_id": "9.9.9",
        "view": {
            "id": "V00000001", "team_id": "T0", "type": "modal", "blocks": [],
            "private_metadata": private_metadata, "callback_id": "keywarden_extend",
            "state": {"values": {
                "new_end_date": {"new_end_date": {"type": "datepicker", "selected_date": date}},
                "reason": {"reason": {"type": "plain_text_input", "value": reason}}
            }},
            "hash": "1.abc", "title": {"type": "plain_text", "text": "延長申請"},
            "root_view_id": "V00000001", "app_id": "A0APP001", "bot_id": "B000BOT"
        }
    })
}
