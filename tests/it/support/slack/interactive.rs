//! The interactive part of the fake Slack (docs/rules.md §9): `views.open` (a trigger can be
//! refused, e.g. `expired_trigger_id`), `chat.update` of a posted message, and a receiver for
//! interaction `response_url`s. Kept apart so `slack.rs` stays readable.

use std::sync::{Arc, Mutex};

use axum::http::{HeaderValue, header};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::{FakeSlack, SLACK_JSON, SlackState, UpdatedMessage, looks_like_id, ok, slack_error};
use crate::support::json_response;

impl FakeSlack {
    /// `views.open` with `trigger_id` is refused with `error` (e.g. `expired_trigger_id`).
    pub fn refuse_trigger(&self, trigger_id: &str, error: &str) {
        self.lock()
            .refused_triggers
            .insert(trigger_id.to_string(), error.to_string());
    }

    /// The `view` of every accepted `views.open`, with its `trigger_id` added.
    pub fn views(&self) -> Vec<Value> {
        self.lock().views.clone()
    }

    /// Accepted `chat.update` calls, in order.
    pub fn updates(&self) -> Vec<UpdatedMessage> {
        self.lock().updates.clone()
    }

    /// A `response_url` served by this fake; what it receives is in [`FakeSlack::responses`].
    pub fn response_url(&self, name: &str) -> String {
        format!("http://127.0.0.1:{}/response/{name}", self.port)
    }

    /// (name, JSON body) of every POST to a [`FakeSlack::response_url`].
    pub fn responses(&self) -> Vec<(String, Value)> {
        self.lock().responses.clone()
    }
}

/// Records a POST to `/response/<name>` and answers `ok`, as Slack does.
pub(super) fn receive_response(
    state: &Arc<Mutex<SlackState>>,
    name: &str,
    body: &[u8],
) -> Response {
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return json_response(400, &json!({"error": "invalid_payload"}), SLACK_JSON);
    };
    state
        .lock()
        .unwrap()
        .responses
        .push((name.to_string(), value));
    let mut response = Response::new(axum::body::Body::from("ok"));
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
    response
}

/// `blocks` or `view` as Slack takes them: a JSON string in form posts, JSON in JSON posts.
fn json_param(params: &Map<String, Value>, name: &str) -> Option<Value> {
    match params.get(name)? {
        Value::Null => None,
        Value::String(s) => serde_json::from_str(s).ok(),
        other => Some(other.clone()),
    }
}

pub(super) fn update_message(st: &mut SlackState, params: &Map<String, Value>) -> Response {
    let channel = params.get("channel").and_then(Value::as_str).unwrap_or("");
    let ts = params.get("ts").and_then(Value::as_str).unwrap_or("");
    if !looks_like_id(channel) {
        return slack_error("channel_not_found");
    }
    if !st.posted.contains(&(channel.to_string(), ts.to_string())) {
        return slack_error("message_not_found");
    }
    let text = params
        .get("text")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let blocks = json_param(params, "blocks");
    if text.is_empty() && blocks.is_none() {
        return slack_error("no_text");
    }
    st.updates.push(UpdatedMessage {
        channel: channel.to_string(),
        ts: ts.to_string(),
        text: text.clone(),
        blocks: blocks.clone(),
    });
    let mut message =
        json!({"type": "message", "user": "U000BOT", "bot_id": "B000BOT", "text": text});
    if let Some(blocks) = blocks {
        message["blocks"] = blocks;
    }
    ok(json!({"channel": channel, "ts": ts, "text": text, "message": message}))
}

pub(super) fn open_view(st: &mut SlackState, params: &Map<String, Value>) -> Response {
    let trigger = params
        .get("trigger_id")
        .and_then(Value::as_str)
        .unwrap_or("");
    if trigger.is_empty() {
        return slack_error("invalid_trigger_id");
    }
    if let Some(error) = st.refused_triggers.get(trigger) {
        return slack_error(&error.clone());
    }
    let Some(Value::Object(view)) = json_param(params, "view") else {
        return slack_error("invalid_arguments");
    };
    if view.get("type").and_then(Value::as_str) != Some("modal") || !view.contains_key("title") {
        return slack_error("invalid_arguments");
    }
    let mut recorded = Value::Object(view.clone());
    recorded["trigger_id"] = json!(trigger);
    st.views.push(recorded);
    st.next_ts += 1;
    let mut opened = Value::Object(view);
    opened["id"] = json!(format!("V{:08}", st.next_ts));
    opened["team_id"] = json!("T000TEST");
    opened["hash"] = json!(format!("{}.abcdef", st.next_ts));
    opened["state"] = json!({"values": {}});
    ok(json!({"view": opened}))
}
