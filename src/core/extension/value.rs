//! What a button carries (`value`, and the modal's `private_metadata`): which row, parsed
//! once. Slack hands the string back verbatim inside a signed request, but the string was
//! built by an older or newer keywarden, so it is versioned and checked like any input.
//!
//! Encoding: compact JSON with a version field, e.g.
//! `{"v":1,"a":"tanaka-s3","k":"AKIA…","e":"2026-11-29"}` (at most ~200 bytes; Slack allows
//! 2000 in a button value and 3000 in `private_metadata`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::core::domain::{AccessKeyId, IamUserName, SlackUserId};

const VERSION: u32 = 1;

/// A `value` that is not one keywarden wrote (or wrote in an unknown version).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the button's value is not one keywarden understands: {0}")]
pub struct ValueError(String);

/// The row a notice was about: account, key ID and the end date when it was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowRef {
    pub account: IamUserName,
    pub key_id: AccessKeyId,
    pub end: NaiveDate,
}

/// An approval request: the row, the request's ID (see [`super::record`]) and
/// who asked, so a self-approval is refused before the sheet is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionRef {
    pub row: RowRef,
    pub request_id: String,
    pub requester: SlackUserId,
}

#[derive(Serialize, Deserialize)]
struct Wire {
    v: u32,
    a: String,
    k: String,
    e: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    by: Option<String>,
}

impl RowRef {
    /// The row of a notice, from the daily job's parsed row.
    pub fn of(row: &crate::core::sheet::ValidRow) -> Self {
        RowRef {
            account: row.user.clone(),
            key_id: row.key_id.clone(),
            end: row.end,
        }
    }

    pub fn encode(&self) -> String {
        wire(self, None, None)
    }

    pub fn decode(raw: &str) -> Result<Self, ValueError> {
        parse(raw).map(|(row, _)| row)
    }
}

impl DecisionRef {
    pub fn encode(&self) -> String {
        wire(
            &self.row,
            Some(self.request_id.clone()),
            Some(self.requester.as_str().to_string()),
        )
    }

    pub fn decode(raw: &str) -> Result<Self, ValueError> {
        let (row, w) = parse(raw)?;
        let (Some(request_id), Some(by)) = (w.id, w.by) else {
            return Err(ValueError("no request ID".into()));
        };
        let requester = SlackUserId::parse(&by).map_err(ValueError)?;
        Ok(DecisionRef {
            row,
            request_id,
            requester,
        })
    }
}

fn wire(row: &RowRef, id: Option<String>, by: Option<String>) -> String {
    let w = Wire {
        v: VERSION,
        a: row.account.as_str().to_string(),
        k: row.key_id.as_str().to_string(),
        e: row.end,
        id,
        by,
    };
    // Serialising plain strings and a date cannot fail.
    serde_json::to_string(&w).unwrap_or_default()
}

fn parse(raw: &str) -> Result<(RowRef, Wire), ValueError> {
    let w: Wire = serde_json::from_str(raw).map_err(|e| ValueError(e.to_string()))?;
    if w.v != VERSION {
        return Err(ValueError(format!(
            "version {} (this keywarden reads {VERSION})",
            w.v
        )));
    }
    let row = RowRef {
        account: IamUserName::parse(&w.a).map_err(ValueError)?,
        key_id: AccessKeyId::parse(&w.k).map_err(ValueError)?,
        end: w.e,
    };
    Ok((row, w))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn row() -> RowRef {
        RowRef {
            account: IamUserName::parse("tanaka-s3").unwrap(),
            key_id: AccessKeyId::parse("AKIAIOSFODNN7EXAMPLE").unwrap(),
            end: NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(),
        }
    }

    #[test]
    fn row_refs_round_trip_compactly() {
        let encoded = row().encode();
        assert_eq!(
            encoded,
            r#"{"v":1,"a":"tanaka-s3","k":"AKIAIOSFODNN7EXAMPLE","e":"2026-11-29"}"#
        );
        assert_eq!(RowRef::decode(&encoded), Ok(row()));
    }

    #[test]
    fn decision_refs_round_trip() {
        let d = DecisionRef {
            row: row(),
            request_id: "20261125T100000.123".into(),
            requester: SlackUserId::parse("U0OWNER01").unwrap(),
        };
        assert_eq!(DecisionRef::decode(&d.encode()), Ok(d));
        assert!(
            DecisionRef::decode(&row().encode()).is_err(),
            "no request in it"
        );
    }

    #[test]
    fn malformed_values_are_errors() {
        for bad in [
            "",
            "tanaka-s3",
            "{}",
            r#"{"v":2,"a":"tanaka-s3","k":"AKIAIOSFODNN7EXAMPLE","e":"2026-11-29"}"#,
            r#"{"v":1,"a":"has space","k":"AKIAIOSFODNN7EXAMPLE","e":"2026-11-29"}"#,
            r#"{"v":1,"a":"tanaka-s3","k":"nope","e":"2026-11-29"}"#,
            r#"{"v":1,"a":"tanaka-s3","k":"AKIAIOSFODNN7EXAMPLE","e":"2026-13-29"}"#,
        ] {
            assert!(RowRef::decode(bad).is_err(), "{bad}");
        }
        let err = RowRef::decode(r#"{"v":9,"a":"x","k":"AKIAIOSFODNN7EXAMPLE","e":"2026-11-29"}"#)
            .unwrap_err();
        assert!(err.to_string().contains("version 9"), "{err}");
    }

    proptest! {
        #[test]
        fn decoding_never_panics(raw in ".{0,200}") {
            let _ = RowRef::decode(&raw);
            let _ = DecisionRef::decode(&raw);
        }
    }
}
