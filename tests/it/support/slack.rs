//! Fake Slack Web API (`chat.postMessage`, `chat.update`, `views.open`, `auth.test` with
//! `x-oauth-scopes`, `conversations.open`) on 127.0.0.1, and a receiver for interaction
//! `response_url`s (`/response/<name>`, answered `ok` as Slack does). Socket Mode
//! (`apps.connections.open` and its WebSocket) is in `slack/socket.rs`.
//!
//! Answers the way Slack does, which is not always the HTTP way: API errors are HTTP 200 with
//! `{"ok":false,"error":...}`, only rate limits are HTTP 429 (with `Retry-After`).
//!
//! Strictness worth knowing: the base URL is `http://127.0.0.1:PORT/api/` but slack-morphism
//! joins its API URL and the method with `/`, so a client configured with the trailing slash
//! asks for `/api//chat.postMessage`. The fake answers such paths with 404 (we do not know
//! what slack.com does with them), so the program must trim the trailing `/` it is given.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, Uri, header};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::{ServerHandle, bearer, json_response, parse_query, serve};

mod interactive;
mod socket;

const SLACK_JSON: &str = "application/json; charset=utf-8";

/// A message the fake accepted.
#[derive(Debug, Clone, PartialEq)]
pub struct SentMessage {
    /// The `channel` as sent (a user ID for DMs, e.g. `U0123ABCD`).
    pub channel: String,
    pub text: String,
    pub blocks: Option<Value>,
}

/// A `chat.update` the fake accepted.
#[derive(Debug, Clone, PartialEq)]
pub struct UpdatedMessage {
    /// The channel as returned by `chat.postMessage` (`D…` for a DM).
    pub channel: String,
    pub ts: String,
    pub text: String,
    pub blocks: Option<Value>,
}

/// One request as received (every method), for assertions on how the client called Slack.
#[derive(Debug, Clone)]
pub struct SlackRequest {
    /// Slack method, e.g. `chat.postMessage`.
    pub method: String,
    pub content_type: Option<String>,
    /// When the request arrived (before the fake's own `delay`).
    pub at: std::time::Instant,
}

struct SlackState {
    token: String,
    messages: Vec<SentMessage>,
    requests: Vec<SlackRequest>,
    post_attempts: usize,
    auth_tests: usize,
    channel_failures: HashMap<String, String>,
    rate_limited: usize,
    retry_after_secs: u64,
    /// When each 429 was answered, and for how long it held the app back.
    limits: Vec<(std::time::Instant, Duration)>,
    http_failures: usize,
    http_failure_status: u16,
    delay: Duration,
    next_ts: u64,
    /// The `x-oauth-scopes` header of `auth.test`; `None` sends no header.
    scopes: Option<String>,
    /// (channel as returned, ts) of every posted message, for `chat.update`.
    posted: HashSet<(String, String)>,
    updates: Vec<UpdatedMessage>,
    views: Vec<Value>,
    refused_triggers: HashMap<String, String>,
    responses: Vec<(String, Value)>,
    /// Socket Mode, once a test turns it on.
    socket: Option<socket::Registered>,
}

/// The running fake. Dropping it stops the server.
pub struct FakeSlack {
    state: Arc<Mutex<SlackState>>,
    port: u16,
    _server: ServerHandle,
}

impl FakeSlack {
    /// Starts a workspace whose only valid bot token is `token`.
    pub async fn start(token: &str) -> FakeSlack {
        let state = Arc::new(Mutex::new(SlackState {
            token: token.to_string(),
            messages: Vec::new(),
            requests: Vec::new(),
            post_attempts: 0,
            auth_tests: 0,
            channel_failures: HashMap::new(),
            rate_limited: 0,
            retry_after_secs: 1,
            limits: Vec::new(),
            http_failures: 0,
            http_failure_status: 500,
            delay: Duration::ZERO,
            next_ts: 100,
            scopes: Some("chat:write,im:write,users:read".into()),
            posted: HashSet::new(),
            updates: Vec::new(),
            views: Vec::new(),
            refused_triggers: HashMap::new(),
            responses: Vec::new(),
            socket: None,
        }));
        let router = Router::new().fallback(handle).with_state(state.clone());
        let server = serve(router).await;
        FakeSlack {
            state,
            port: server.addr.port(),
            _server: server,
        }
    }

    /// `http://127.0.0.1:PORT/api/` (see the module comment about the trailing slash).
    pub fn api_url(&self) -> String {
        format!("http://127.0.0.1:{}/api/", self.port)
    }

    /// Messages to `channel` are refused with `{"ok":false,"error":error}`
    /// (e.g. `channel_not_found`, `messages_tab_disabled`, `is_archived`).
    pub fn fail_channel(&self, channel: &str, error: &str) {
        self.lock()
            .channel_failures
            .insert(channel.to_string(), error.to_string());
    }

    /// Messages to `channel` are accepted again (the user re-enabled DMs, say).
    pub fn heal_channel(&self, channel: &str) {
        self.lock().channel_failures.remove(channel);
    }

    /// The next `n` `chat.postMessage` calls get HTTP 429 with `Retry-After: secs`.
    pub fn rate_limit_next(&self, n: usize, retry_after_secs: u64) {
        let mut st = self.lock();
        st.rate_limited = n;
        st.retry_after_secs = retry_after_secs;
    }

    /// The next `n` `chat.postMessage` calls get HTTP `status` (e.g. 500, 503).
    pub fn fail_http_next(&self, n: usize, status: u16) {
        let mut st = self.lock();
        st.http_failures = n;
        st.http_failure_status = status;
    }

    /// The bot's scopes as `auth.test` reports them in `x-oauth-scopes` (comma-separated);
    /// `None` sends no header. Default: `chat:write,im:write,users:read`.
    pub fn set_scopes(&self, scopes: Option<&str>) {
        self.lock().scopes = scopes.map(str::to_string);
    }

    /// Latency added to every request.
    pub fn delay(&self, latency: Duration) {
        self.lock().delay = latency;
    }

    /// Messages accepted, in order.
    pub fn messages(&self) -> Vec<SentMessage> {
        self.lock().messages.clone()
    }

    /// Texts of the messages accepted for `channel`.
    pub fn messages_to(&self, channel: &str) -> Vec<String> {
        self.lock()
            .messages
            .iter()
            .filter(|m| m.channel == channel)
            .map(|m| m.text.clone())
            .collect()
    }

    /// `chat.postMessage` calls received, including refused and rate-limited ones.
    pub fn post_attempts(&self) -> usize {
        self.lock().post_attempts
    }

    /// The windows in which a 429 held every post back: (answered at, `Retry-After`).
    #[allow(dead_code, reason = "benches/job.rs uses it")]
    pub fn rate_limit_windows(&self) -> Vec<(std::time::Instant, Duration)> {
        self.lock().limits.clone()
    }

    /// `auth.test` calls received.
    pub fn auth_tests(&self) -> usize {
        self.lock().auth_tests
    }

    pub fn requests(&self) -> Vec<SlackRequest> {
        self.lock().requests.clone()
    }

    fn lock(&self) -> MutexGuard<'_, SlackState> {
        self.state.lock().unwrap()
    }
}

async fn handle(
    State(state): State<Arc<Mutex<SlackState>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let at = std::time::Instant::now();
    let delay = state.lock().unwrap().delay;
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    if let Some(name) = uri.path().strip_prefix("/response/") {
        return interactive::receive_response(&state, name, &body);
    }
    let Some(api_method) = uri.path().strip_prefix("/api/") else {
        return not_found(uri.path());
    };
    if api_method.is_empty() || api_method.contains('/') {
        return not_found(uri.path());
    }
    if method != Method::GET && method != Method::POST {
        return json_response(
            405,
            &json!({"ok": false, "error": "method_not_allowed"}),
            SLACK_JSON,
        );
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body_text = String::from_utf8_lossy(&body).into_owned();
    let mut st = state.lock().unwrap();
    st.requests.push(SlackRequest {
        method: api_method.to_string(),
        content_type: content_type.clone(),
        at,
    });

    // Parameters: query string, then a JSON or form body.
    let mut params: Map<String, Value> = parse_query(uri.query().unwrap_or(""))
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    let is_json = content_type
        .as_deref()
        .is_some_and(|ct| ct.trim_start().starts_with("application/json"));
    // Slack accepts a `token` argument only in query or form bodies, never in JSON.
    let mut token_arg = params
        .get("token")
        .and_then(Value::as_str)
        .map(String::from);
    if is_json && !body.is_empty() {
        match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Object(object)) => params.extend(object),
            _ => return slack_error("invalid_json"),
        }
    } else if !body.is_empty() {
        for (k, v) in parse_query(&body_text) {
            if k == "token" {
                token_arg = Some(v.clone());
            }
            params.insert(k, Value::String(v));
        }
    }

    if api_method == "chat.postMessage" {
        st.post_attempts += 1;
        if st.http_failures > 0 {
            st.http_failures -= 1;
            let status = st.http_failure_status;
            return json_response(
                status,
                &json!({"ok": false, "error": "fatal_error"}),
                SLACK_JSON,
            );
        }
        if st.rate_limited > 0 {
            st.rate_limited -= 1;
            let hold = Duration::from_secs(st.retry_after_secs);
            st.limits.push((std::time::Instant::now(), hold));
            let mut response = json_response(
                429,
                &json!({"ok": false, "error": "ratelimited"}),
                SLACK_JSON,
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(st.retry_after_secs));
            return response;
        }
    }

    if api_method == "apps.connections.open" {
        return socket::open_connection(&mut st, &headers);
    }
    match bearer(&headers).or(token_arg) {
        None => return slack_error("not_authed"),
        Some(token) if token != st.token => return slack_error("invalid_auth"),
        Some(_) => {}
    }

    match api_method {
        "chat.postMessage" => post_message(&mut st, &params),
        "chat.update" => interactive::update_message(&mut st, &params),
        "views.open" => interactive::open_view(&mut st, &params),
        "auth.test" => {
            st.auth_tests += 1;
            let mut response = ok(json!({
                "url": "https://example.slack.com/",
                "team": "Example",
                "user": "keywarden",
                "team_id": "T000TEST",
                "user_id": "U000BOT",
                "bot_id": "B000BOT",
                "is_enterprise_install": false
            }));
            if let Some(scopes) = &st.scopes {
                response.headers_mut().insert(
                    "x-oauth-scopes",
                    HeaderValue::from_str(scopes).expect("scopes are ASCII"),
                );
            }
            response
        }
        "conversations.open" => {
            let users = params.get("users").and_then(Value::as_str).unwrap_or("");
            match users.split(',').next().filter(|u| looks_like_id(u)) {
                Some(user) => ok(json!({"channel": {"id": dm_channel(user)}})),
                None => slack_error("user_not_found"),
            }
        }
        other => json_response(
            200,
            &json!({"ok": false, "error": "unknown_method", "req_method": other}),
            SLACK_JSON,
        ),
    }
}

fn post_message(st: &mut SlackState, params: &Map<String, Value>) -> Response {
    let channel = params.get("channel").and_then(Value::as_str).unwrap_or("");
    if !looks_like_id(channel) {
        return slack_error("channel_not_found");
    }
    let text = params
        .get("text")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    // Form posts carry `blocks` as a JSON string, JSON posts as an array.
    let blocks = match params.get("blocks") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(v @ Value::Array(_)) => Some(v),
            _ => return slack_error("invalid_blocks"),
        },
        Some(v @ Value::Array(_)) => Some(v.clone()),
        Some(_) => return slack_error("invalid_blocks"),
    };
    if text.is_empty() && blocks.is_none() {
        return slack_error("no_text");
    }
    if let Some(error) = st.channel_failures.get(channel) {
        return slack_error(&error.clone());
    }
    st.next_ts += 1;
    let ts = format!("1700000000.{:06}", st.next_ts);
    st.messages.push(SentMessage {
        channel: channel.to_string(),
        text: text.clone(),
        blocks: blocks.clone(),
    });
    let mut message = json!({
        "type": "message",
        "user": "U000BOT",
        "bot_id": "B000BOT",
        "text": text,
        "ts": ts,
    });
    if let Some(blocks) = blocks {
        message["blocks"] = blocks;
    }
    st.posted.insert((dm_channel(channel), ts.clone()));
    ok(json!({"channel": dm_channel(channel), "ts": ts, "message": message}))
}

/// Slack IDs: a type letter (C, D, G, U, W) and upper-case letters/digits.
fn looks_like_id(id: &str) -> bool {
    id.len() >= 3
        && id.starts_with(['C', 'D', 'G', 'U', 'W'])
        && id
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// The DM channel Slack opens for a user ID (other channel IDs are their own channel).
fn dm_channel(channel: &str) -> String {
    if channel.starts_with(['U', 'W']) {
        format!("D{channel}")
    } else {
        channel.to_string()
    }
}

fn ok(mut value: Value) -> Response {
    value["ok"] = Value::Bool(true);
    json_response(200, &value, SLACK_JSON)
}

fn slack_error(error: &str) -> Response {
    json_response(200, &json!({"ok": false, "error": error}), SLACK_JSON)
}

fn not_found(path: &str) -> Response {
    json_response(
        404,
        &json!({"ok": false, "error": "fake_slack_bad_path", "path": path,
            "hint": "Slack methods live at /api/<method>; trim a trailing '/' from the API URL"}),
        SLACK_JSON,
    )
}
