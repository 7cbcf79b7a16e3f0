//! Slack's Socket Mode, faked: `apps.connections.open` on the fake Web API (authorised by the
//! app-level token only, as Slack does) returns `ws://127.0.0.1:PORT/link/?ticket=…`, and a
//! WebSocket server there sends `hello`, then whatever envelopes a test pushes, and records
//! every acknowledgement the client sends back.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::HeaderMap;
use axum::response::Response;
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::{Notify, mpsc};
use tokio_tungstenite::tungstenite::Message;

use super::{FakeSlack, SlackState, ok, slack_error};
use crate::support::bearer;

/// Where `apps.connections.open` points, and who may ask.
pub(super) struct Registered {
    app_token: String,
    url: String,
    opens: usize,
}

#[derive(Default)]
struct Inner {
    /// Live connections, oldest first; envelopes go to the oldest (Slack picks one).
    connections: Vec<mpsc::UnboundedSender<String>>,
    /// Every frame the client sent, parsed.
    acks: Vec<Value>,
}

#[derive(Default)]
struct Shared {
    inner: Mutex<Inner>,
    changed: Notify,
}

/// The running WebSocket side; dropping it stops the server.
pub struct FakeSocket {
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeSocket {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeSlack {
    /// Turns Socket Mode on for the app whose app-level token is `app_token`.
    pub async fn enable_socket_mode(&self, app_token: &str) -> FakeSocket {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local addr").port();
        let shared = Arc::new(Shared::default());
        let task = tokio::spawn(accept_loop(listener, shared.clone()));
        self.lock().socket = Some(Registered {
            app_token: app_token.to_string(),
            url: format!("ws://127.0.0.1:{port}/link/?ticket=fake-ticket"),
            opens: 0,
        });
        FakeSocket { shared, task }
    }

    /// Successful `apps.connections.open` calls.
    pub fn socket_opens(&self) -> usize {
        self.lock().socket.as_ref().map_or(0, |s| s.opens)
    }
}

/// `apps.connections.open`: the app token gets the URL; a bot token is the wrong kind.
pub(super) fn open_connection(st: &mut SlackState, headers: &HeaderMap) -> Response {
    let bot_token = st.token.clone();
    let Some(socket) = st.socket.as_mut() else {
        return slack_error("socket_mode_not_enabled");
    };
    match bearer(headers) {
        None => slack_error("not_authed"),
        Some(token) if token == socket.app_token => {
            socket.opens += 1;
            ok(json!({"url": socket.url}))
        }
        Some(token) if token == bot_token => slack_error("not_allowed_token_type"),
        Some(_) => slack_error("invalid_auth"),
    }
}

impl FakeSocket {
    /// Waits until a client has connected and been sent `hello`.
    pub async fn wait_connected(&self, within: Duration) {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let changed = self.shared.changed.notified();
            if !self.shared.inner.lock().unwrap().connections.is_empty() {
                return;
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                panic!("no Socket Mode connection within {within:?}");
            }
        }
    }

    /// Sends an `interactive` envelope carrying `payload` to the oldest connection.
    pub fn send_interactive(&self, envelope_id: &str, payload: Value) {
        let frame = json!({
            "envelope_id": envelope_id,
            "type": "interactive",
            "payload": payload,
            "accepts_response_payload": true,
        });
        let inner = self.shared.inner.lock().unwrap();
        let connection = inner.connections.first().expect("a live connection");
        connection.send(frame.to_string()).expect("connection open");
    }

    /// The acknowledgement of `envelope_id`, waiting for it at most `within`.
    pub async fn ack(&self, envelope_id: &str, within: Duration) -> Value {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let changed = self.shared.changed.notified();
            let found = self
                .shared
                .inner
                .lock()
                .unwrap()
                .acks
                .iter()
                .find(|a| a["envelope_id"] == envelope_id)
                .cloned();
            if let Some(ack) = found {
                return ack;
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                panic!("no acknowledgement of {envelope_id} within {within:?}");
            }
        }
    }
}

async fn accept_loop(listener: tokio::net::TcpListener, shared: Arc<Shared>) {
    while let Ok((stream, _)) = listener.accept().await {
        tokio::spawn(connection(stream, shared.clone()));
    }
}

async fn connection(stream: tokio::net::TcpStream, shared: Arc<Shared>) {
    let Ok(ws) = tokio_tungstenite::accept_async(stream).await else {
        return;
    };
    let (mut sink, mut source) = ws.split();
    let hello = json!({
        "type": "hello",
        "num_connections": 1,
        "debug_info": {"host": "fake-socket", "build_number": 1, "approximate_connection_time": 18060},
        "connection_info": {"app_id": "A0APP001"}
    });
    if sink.send(Message::text(hello.to_string())).await.is_err() {
        return;
    }
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    shared.inner.lock().unwrap().connections.push(tx.clone());
    shared.changed.notify_waiters();
    loop {
        tokio::select! {
            Some(frame) = rx.recv() => {
                if sink.send(Message::text(frame)).await.is_err() {
                    break;
                }
            }
            incoming = source.next() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    let value = serde_json::from_str(text.as_str())
                        .unwrap_or_else(|_| Value::String(text.to_string()));
                    shared.inner.lock().unwrap().acks.push(value);
                    shared.changed.notify_waiters();
                }
                Some(Ok(Message::Ping(data))) => {
                    let _ = sink.send(Message::Pong(data)).await;
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => break,
            }
        }
    }
    shared
        .inner
        .lock()
        .unwrap()
        .connections
        .retain(|c| !c.same_channel(&tx));
    shared.changed.notify_waiters();
}
