//! Is this request from Slack? (docs/rules.md §9) Nothing of a request is read before this says
//! yes.
//!
//! The HMAC and its constant-time comparison are slack-morphism's
//! [`SlackEventSignatureVerifier`]. Its own 5-minute window uses the real clock and is not
//! injectable, so the window is checked here against the `now` the caller passes (tests are
//! deterministic, and the Lambda path uses the same clock as `serve`).

use slack_morphism::SlackSigningSecret;
use slack_morphism::signature_verifier::{
    SlackEventSignatureVerifier, SlackEventSignatureVerifierError,
};

use crate::core::domain::Secret;

/// Slack's replay window: a request older or newer than this is refused.
pub const MAX_AGE_SECONDS: i64 = 5 * 60;

/// Why a request was refused (each is answered 401). Never holds the secret or the body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("missing X-Slack-Signature or X-Slack-Request-Timestamp header")]
    MissingHeaders,
    #[error("the signature does not match (wrong signing secret, or the body was changed)")]
    BadSignature,
    #[error("the timestamp is not within 5 minutes of now (replayed or clock skew)")]
    Stale,
}

/// Verifies Slack's `v0` signatures with the app's signing secret.
#[derive(Clone)]
pub struct RequestVerifier {
    inner: SlackEventSignatureVerifier,
}

impl std::fmt::Debug for RequestVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RequestVerifier([redacted])")
    }
}

impl RequestVerifier {
    pub fn new(signing_secret: &Secret) -> Self {
        RequestVerifier {
            inner: SlackEventSignatureVerifier::new(&SlackSigningSecret(
                signing_secret.expose().to_string(),
            )),
        }
    }

    /// `signature` and `timestamp` are the `X-Slack-Signature` and
    /// `X-Slack-Request-Timestamp` headers, `body` the raw body, `now` Unix seconds.
    pub fn verify(
        &self,
        signature: Option<&str>,
        timestamp: Option<&str>,
        body: &[u8],
        now: i64,
    ) -> Result<(), VerifyError> {
        let (Some(signature), Some(timestamp)) = (signature, timestamp) else {
            return Err(VerifyError::MissingHeaders);
        };
        // Slack signs form bodies (ASCII); anything else cannot be a Slack request.
        let body = std::str::from_utf8(body).map_err(|_| VerifyError::BadSignature)?;
        let ts: i64 = timestamp
            .trim()
            .parse()
            .map_err(|_| VerifyError::MissingHeaders)?;
        match self.inner.verify(signature.trim(), body, timestamp) {
            Ok(()) => {}
            // The library checks the signature first and the window second: this error means
            // the signature matched and only its real-clock window said no; ours decides.
            Err(SlackEventSignatureVerifierError::IncorrectOrExpiredTimestampError(_)) => {}
            Err(_) => return Err(VerifyError::BadSignature),
        }
        if (now - ts).abs() > MAX_AGE_SECONDS {
            return Err(VerifyError::Stale);
        }
        Ok(())
    }
}

/// Signs like Slack does (`v0=` + hex HMAC-SHA256 of `v0:{ts}:{body}`), with `ring` (a
/// dev-dependency), so the tests do not check the verifier against itself.
#[cfg(test)]
pub(crate) fn sign_for_tests(secret: &str, timestamp: &str, body: &str) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
    let tag = ring::hmac::sign(&key, format!("v0:{timestamp}:{body}").as_bytes());
    let hex: String = tag.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!("v0={hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
    const TS: &str = "1531420618";
    const BODY: &str = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    const SIGNATURE: &str = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
    const NOW: i64 = 1531420618 + 30;

    fn verifier(secret: &str) -> RequestVerifier {
        RequestVerifier::new(&Secret::new(secret))
    }

    #[test]
    fn slacks_documented_example_verifies() {
        assert_eq!(
            verifier(SECRET).verify(Some(SIGNATURE), Some(TS), BODY.as_bytes(), NOW),
            Ok(())
        );
        assert_eq!(sign_for_tests(SECRET, TS, BODY), SIGNATURE);
    }

    #[test]
    fn wrong_secret_or_tampered_body_is_refused() {
        let wrong =
            verifier("another-secret").verify(Some(SIGNATURE), Some(TS), BODY.as_bytes(), NOW);
        assert_eq!(wrong, Err(VerifyError::BadSignature));
        let tampered = BODY.replace("roadrunner", "wileecoyote");
        let v = verifier(SECRET);
        assert_eq!(
            v.verify(Some(SIGNATURE), Some(TS), tampered.as_bytes(), NOW),
            Err(VerifyError::BadSignature)
        );
        let other_ts = "1531420619";
        assert_eq!(
            v.verify(Some(SIGNATURE), Some(other_ts), BODY.as_bytes(), NOW),
            Err(VerifyError::BadSignature),
            "the timestamp is part of what is signed"
        );
        assert_eq!(
            v.verify(Some("v0=00"), Some(TS), BODY.as_bytes(), NOW),
            Err(VerifyError::BadSignature)
        );
        assert_eq!(
            verifier("").verify(Some(SIGNATURE), Some(TS), BODY.as_bytes(), NOW),
            Err(VerifyError::BadSignature),
            "an empty secret verifies nothing"
        );
    }

    #[test]
    fn stale_and_future_timestamps_are_refused() {
        let v = verifier(SECRET);
        let at = |now| v.verify(Some(SIGNATURE), Some(TS), BODY.as_bytes(), now);
        let ts: i64 = 1531420618;
        assert_eq!(at(ts + MAX_AGE_SECONDS), Ok(()));
        assert_eq!(at(ts + MAX_AGE_SECONDS + 1), Err(VerifyError::Stale));
        assert_eq!(at(ts - MAX_AGE_SECONDS), Ok(()));
        assert_eq!(at(ts - MAX_AGE_SECONDS - 1), Err(VerifyError::Stale));
        assert_eq!(at(ts + 86_400 * 365), Err(VerifyError::Stale));
    }

    #[test]
    fn missing_or_malformed_headers_are_refused() {
        let v = verifier(SECRET);
        assert_eq!(
            v.verify(None, Some(TS), BODY.as_bytes(), NOW),
            Err(VerifyError::MissingHeaders)
        );
        assert_eq!(
            v.verify(Some(SIGNATURE), None, BODY.as_bytes(), NOW),
            Err(VerifyError::MissingHeaders)
        );
        assert_eq!(
            v.verify(Some(SIGNATURE), Some("yesterday"), BODY.as_bytes(), NOW),
            Err(VerifyError::MissingHeaders)
        );
        assert_eq!(
            v.verify(Some(SIGNATURE), Some(TS), &[0xff, 0xfe], NOW),
            Err(VerifyError::BadSignature)
        );
    }

    #[test]
    fn debug_never_shows_the_secret() {
        assert!(!format!("{:?}", verifier(SECRET)).contains("8f74"));
    }
}
