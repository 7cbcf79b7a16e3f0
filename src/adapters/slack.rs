//! Slack Web API through `slack-morphism`: bot DMs with `chat.postMessage` (docs/rules.md §7).

use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;

use super::google::https_or_http;
use super::{Messenger, SendError, ServiceError};
use crate::core::domain::{Secret, SlackUserId};
use crate::core::issue::ApprovalCopy;

type Connector = slack_morphism::hyper_tokio::SlackClientHyperConnector<
    google_sheets4::hyper_rustls::HttpsConnector<
        google_sheets4::hyper_util::client::legacy::connect::HttpConnector,
    >,
>;

/// Slack errors meaning this person cannot get the bot's DMs: retrying will not help.
const UNREACHABLE: &[&str] = &[
    "channel_not_found",
    "messages_tab_disabled",
    "user_not_found",
    "user_disabled",
    "not_in_channel",
    "is_archived",
    "cannot_dm_bot",
];

/// A `Retry-After` longer than this is not waited for: that message and every later one of the
/// run fail without being sent (a notice is tried again on the next run).
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

pub struct SlackDm {
    client: SlackClient<Connector>,
    token: SlackApiToken,
    attempt_timeout: Duration,
    /// `https://slack.com/api` (no trailing slash), for the calls made without slack-morphism.
    api_url: String,
    /// No `chat.postMessage` leaves before this instant: a 429's `Retry-After` holds for the
    /// whole app, not only for the message that got it (docs/rules.md §7).
    not_before: std::sync::Mutex<Option<tokio::time::Instant>>,
    /// Set once Slack asked for a wait over [`MAX_RETRY_AFTER`]: from then on every post of
    /// this client (one per run) fails at once, without a request, so the run does not keep
    /// posting into the limit. Holds the wait Slack asked for, in seconds.
    gave_up: std::sync::OnceLock<u64>,
}

/// What `auth.test` proves about the token, for `keywarden check`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlackAuth {
    /// `bot <user> in team <team>`.
    pub bot: String,
    /// The bot's scopes from the `x-oauth-scopes` header; `None` when Slack sent no header.
    pub scopes: Option<Vec<String>>,
}

impl SlackDm {
    /// No pacing of its own: every 429 says how long every post must wait (see `not_before`).
    pub fn new(
        token: &Secret,
        api_url: &str,
        attempt_timeout: Duration,
    ) -> Result<Self, ServiceError> {
        let connector = slack_morphism::hyper_tokio::SlackClientHyperConnector::with_connector(
            https_or_http()?,
        )
        .with_slack_api_url(api_url.trim_end_matches('/'));
        Ok(SlackDm {
            client: SlackClient::new(connector),
            token: SlackApiToken::new(SlackApiTokenValue(token.expose().to_string())),
            attempt_timeout,
            api_url: api_url.trim_end_matches('/').to_string(),
            not_before: std::sync::Mutex::new(None),
            gave_up: std::sync::OnceLock::new(),
        })
    }

    /// Waits until no 429 of any earlier post holds the app back.
    async fn wait_for_rate_limit(&self) {
        loop {
            let until = *self.not_before.lock().unwrap_or_else(|e| e.into_inner());
            match until {
                Some(until) if until > tokio::time::Instant::now() => {
                    tokio::time::sleep_until(until).await
                }
                _ => return,
            }
        }
    }

    /// Holds every later post back for `wait` (the latest deadline wins).
    fn pause_all(&self, wait: Duration) {
        let until = tokio::time::Instant::now() + wait;
        let mut not_before = self.not_before.lock().unwrap_or_else(|e| e.into_inner());
        if not_before.is_none_or(|t| t < until) {
            *not_before = Some(until);
        }
    }

    async fn post_once(
        &self,
        to: &str,
        text: &str,
        extra: &[SlackBlock],
    ) -> Result<ApprovalCopy, Attempt> {
        self.wait_for_rate_limit().await;
        if let Some(secs) = self.gave_up.get() {
            return Err(Attempt::Final(given_up(*secs)));
        }
        let mut message = content(text);
        if let Some(blocks) = message.blocks.as_mut() {
            blocks.extend_from_slice(extra);
        }
        let request = SlackApiChatPostMessageRequest::new(SlackChannelId(to.to_string()), message)
            .with_unfurl_links(false)
            .with_unfurl_media(false);
        let session = self.client.open_session(&self.token);
        match tokio::time::timeout(self.attempt_timeout, session.chat_post_message(&request)).await
        {
            Err(_) => Err(Attempt::Transient(
                None,
                format!("no answer within {} s", self.attempt_timeout.as_secs()),
            )),
            Ok(Ok(answer)) => Ok(ApprovalCopy {
                channel: answer.channel.0,
                ts: answer.ts.0,
            }),
            Ok(Err(e)) => match classify(e) {
                Attempt::Transient(Some(wait), m) => {
                    self.pause_all(wait);
                    Err(Attempt::Transient(Some(wait), m))
                }
                Attempt::TooLong(wait) => {
                    let secs = *self.gave_up.get_or_init(|| wait.as_secs());
                    tracing::warn!(
                        retry_after_secs = secs,
                        "Slack rate limit too long to wait for: no further message is sent this run"
                    );
                    Err(Attempt::Final(SendError::Failed(format!(
                        "rate limited for {} s (Retry-After over {} s): not sent, and no \
                         further message is sent this run",
                        wait.as_secs(),
                        MAX_RETRY_AFTER.as_secs()
                    ))))
                }
                attempt => Err(attempt),
            },
        }
    }

    /// `auth.test` with its `x-oauth-scopes` header, which slack-morphism does not expose: a
    /// plain HTTPS POST on the same connector. Reads only; posts nothing (docs/rules.md §6).
    pub async fn auth_check(&self) -> Result<SlackAuth, ServiceError> {
        use google_sheets4::common::{Body, to_body, to_bytes};
        use google_sheets4::hyper::{Method, Request, header};
        use google_sheets4::hyper_util;
        let failed =
            |why: String| ServiceError::Unavailable(format!("Slack auth.test failed: {why}"));
        let client =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build::<_, Body>(https_or_http()?);
        let request = Request::builder()
            .method(Method::POST)
            .uri(format!("{}/auth.test", self.api_url))
            .header(
                header::AUTHORIZATION,
                format!("Bearer {}", self.token.token_value.0),
            )
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(to_body::<Vec<u8>>(None))
            .map_err(|_| failed("KEYWARDEN_SLACK_API_URL is not a valid URL".into()))?;
        let response = tokio::time::timeout(self.attempt_timeout, client.request(request))
            .await
            .map_err(|_| {
                failed(format!(
                    "no answer within {} s",
                    self.attempt_timeout.as_secs()
                ))
            })?
            .map_err(|e| {
                failed(format!(
                    "could not reach Slack (connection failed: {e}): check the network, a \
                     proxy, and KEYWARDEN_SLACK_API_URL"
                ))
            })?;
        let status = response.status();
        let scopes = response
            .headers()
            .get("x-oauth-scopes")
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            });
        let body = to_bytes(response.into_body()).await.unwrap_or_default();
        let answer: serde_json::Value = serde_json::from_slice(&body)
            .map_err(|_| failed(format!("HTTP {status}, not a Slack API answer")))?;
        if answer["ok"] != true {
            let code = answer["error"].as_str().unwrap_or("unknown_error");
            return Err(failed(match code {
                "invalid_auth" | "not_authed" | "token_revoked" | "account_inactive" => {
                    format!("{code} (check SLACK_BOT_TOKEN)")
                }
                _ => code.to_string(),
            }));
        }
        let text = |k: &str| answer[k].as_str().unwrap_or("?").to_string();
        Ok(SlackAuth {
            bot: format!("bot {} in team {}", text("user"), text("team")),
            scopes,
        })
    }

    /// `auth.test`: whether the token is valid, and who the bot is.
    pub async fn auth_test(&self) -> Result<String, ServiceError> {
        let session = self.client.open_session(&self.token);
        match session.auth_test().await {
            Ok(r) => Ok(format!(
                "bot {} in team {}",
                r.user.unwrap_or_default(),
                r.team
            )),
            Err(e) => Err(ServiceError::Unavailable(format!(
                "Slack auth.test failed: {}",
                classify(e).message()
            ))),
        }
    }
}

/// Slack's limit for the text of one section block.
const BLOCK_MAX_CHARS: usize = 3000;
/// Slack's limit of blocks per message.
const MAX_BLOCKS: usize = 50;

/// The message as Slack gets it. The text comes partly from the sheet, where anyone may type
/// `<!channel>`, `*` or `<@U…>`: it is shown in `plain_text` blocks, which Slack never formats
/// and never turns into mentions, and the notification fallback `text` is entity-escaped.
fn content(text: &str) -> SlackMessageContent {
    let blocks: Vec<SlackBlock> = chunks(text, BLOCK_MAX_CHARS)
        .into_iter()
        .take(MAX_BLOCKS)
        .map(|chunk| {
            SlackBlock::Section(SlackSectionBlock::new().with_text(SlackBlockText::Plain(
                SlackBlockPlainText::new(chunk).with_emoji(false),
            )))
        })
        .collect();
    SlackMessageContent::new()
        .with_text(crate::core::messages::escape(text))
        .with_blocks(blocks)
}

/// Splits at line ends into pieces of at most `max` characters (a longer line is cut).
fn chunks(text: &str, max: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<(String, usize)> = None;
    for line in text.lines() {
        let chars: Vec<char> = line.chars().collect();
        let pieces: Vec<&[char]> = if chars.is_empty() {
            vec![&[]]
        } else {
            chars.chunks(max).collect()
        };
        for piece in pieces {
            match &mut current {
                Some((buf, len)) if *len + 1 + piece.len() <= max => {
                    buf.push('\n');
                    buf.extend(piece);
                    *len += 1 + piece.len();
                }
                _ => {
                    out.extend(current.take().map(|(buf, _)| buf));
                    current = Some((piece.iter().collect(), piece.len()));
                }
            }
        }
    }
    out.extend(current.map(|(buf, _)| buf));
    out
}

/// One attempt's failure; `Transient` may carry the server's `Retry-After`.
#[derive(Debug)]
enum Attempt {
    Transient(Option<Duration>, String),
    /// A 429 whose `Retry-After` is over [`MAX_RETRY_AFTER`].
    TooLong(Duration),
    Final(SendError),
}

/// Why a post fails after an earlier one met a `Retry-After` over [`MAX_RETRY_AFTER`].
fn given_up(secs: u64) -> SendError {
    SendError::Failed(format!(
        "not sent: Slack asked earlier in this run to wait {secs} s (Retry-After), so no \
         further message is sent this run"
    ))
}

impl Attempt {
    fn message(&self) -> String {
        match self {
            Attempt::Transient(_, m) => m.clone(),
            Attempt::TooLong(wait) => format!("rate limited for {} s", wait.as_secs()),
            Attempt::Final(e) => e.to_string(),
        }
    }
}

fn classify(e: SlackClientError) -> Attempt {
    match e {
        SlackClientError::ApiError(api) if UNREACHABLE.contains(&api.code.as_str()) => {
            Attempt::Final(SendError::Unreachable(api.code))
        }
        SlackClientError::ApiError(api) => {
            Attempt::Final(SendError::Failed(match api.code.as_str() {
                "invalid_auth" | "not_authed" | "token_revoked" | "account_inactive" => {
                    format!("{} (check SLACK_BOT_TOKEN)", api.code)
                }
                "missing_scope" => "missing_scope (give the app the chat:write scope)".into(),
                _ => api.code,
            }))
        }
        SlackClientError::RateLimitError(rl) => match rl.retry_after {
            Some(wait) if wait > MAX_RETRY_AFTER => Attempt::TooLong(wait),
            wait => Attempt::Transient(
                Some(wait.unwrap_or(Duration::from_secs(1))),
                "rate limited (429)".into(),
            ),
        },
        SlackClientError::HttpError(h) if h.status_code.is_server_error() => {
            Attempt::Transient(None, format!("HTTP {}", h.status_code))
        }
        SlackClientError::HttpError(h) => {
            Attempt::Final(SendError::Failed(format!("HTTP {}", h.status_code)))
        }
        SlackClientError::HttpProtocolError(p) => {
            Attempt::Transient(None, format!("connection failed: {p}"))
        }
        other => Attempt::Final(SendError::Failed(other.to_string())),
    }
}

impl Messenger for SlackDm {
    async fn send(&self, to: &SlackUserId, text: &str) -> Result<(), SendError> {
        self.send_with_blocks(to, text, &[]).await
    }

    async fn send_with_blocks(
        &self,
        to: &SlackUserId,
        text: &str,
        extra: &[SlackBlock],
    ) -> Result<(), SendError> {
        self.post(to.as_str(), text, extra).await.map(|_| ())
    }

    async fn post(
        &self,
        to: &str,
        text: &str,
        extra: &[SlackBlock],
    ) -> Result<ApprovalCopy, SendError> {
        let backoff = ExponentialBuilder::default()
            .with_min_delay(Duration::from_millis(500))
            .with_max_delay(Duration::from_secs(8))
            .with_max_times(4)
            .with_jitter();
        (|| self.post_once(to, text, extra))
            .retry(backoff)
            .when(|e| matches!(e, Attempt::Transient(..)))
            // Slack's Retry-After wins over our own backoff, within the same number of tries.
            .adjust(|e, planned| match e {
                Attempt::Transient(Some(wait), _) => planned.map(|_| *wait),
                _ => planned,
            })
            .notify(|e, wait| tracing::warn!(to = %to, error = %e.message(), ?wait, "Slack message failed, retrying"))
            .await
            .map_err(|e| match e {
                Attempt::Final(e) => e,
                Attempt::TooLong(wait) => given_up(wait.as_secs()),
                Attempt::Transient(_, m) => SendError::Failed(format!("{m}, gave up after retries")),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_messages_are_split_at_line_ends() {
        assert_eq!(chunks("a\nb", 10), vec!["a\nb"]);
        assert_eq!(chunks("aaaa\nbbbb", 6), vec!["aaaa", "bbbb"]);
        assert_eq!(chunks("abcdefgh", 3), vec!["abc", "def", "gh"]);
        let text = "行".repeat(7000);
        let parts = chunks(&text, BLOCK_MAX_CHARS);
        assert!(parts.iter().all(|p| p.chars().count() <= BLOCK_MAX_CHARS));
        assert_eq!(parts.concat(), text);
    }

    #[test]
    fn content_is_plain_text_with_an_escaped_fallback() {
        let c = content("hi <!channel> *bold*");
        assert_eq!(c.text.as_deref(), Some("hi &lt;!channel&gt; *bold*"));
        let json = serde_json::to_value(c.blocks.unwrap()).unwrap();
        assert_eq!(json[0]["text"]["type"], "plain_text");
        assert_eq!(json[0]["text"]["text"], "hi <!channel> *bold*");
    }
}
