//! A key request's ID: a digest of the cells that say what is asked for, so that it changes
//! whenever one of them does, and an approval given for other cells is recognised as stale.

use std::fmt;

use chrono::NaiveDate;

use crate::core::domain::{AwsAccountId, SlackUserId};

/// `req-` and 16 lower-case hex digits.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(String);

const PREFIX: &str = "req-";
const HEX_DIGITS: usize = 16;

impl RequestId {
    /// An ID as written in a cell or a button's value; anything else is refused.
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        let hex = raw.strip_prefix(PREFIX)?;
        let shaped = hex.len() == HEX_DIGITS
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        shaped.then(|| RequestId(raw.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The ID of the request for these cells: `req-` and the first 16 lower-case hex digits of the
/// SHA-256 of six lines joined with `\n` (no trailing newline): the account ID, the IAM user
/// name (trimmed), the owner's Slack ID, the permissions entry's name as written in
/// `KEYWARDEN_ISSUE_POLICIES`, the start date `YYYY-MM-DD` (an empty line without one), the
/// end date `YYYY-MM-DD`.
pub fn request_id(
    account: &AwsAccountId,
    user: &str,
    owner: &SlackUserId,
    entry: &str,
    start: Option<NaiveDate>,
    end: NaiveDate,
) -> RequestId {
    let start = start.map(|d| d.format("%Y-%m-%d").to_string());
    let text = [
        account.as_str(),
        user.trim(),
        owner.as_str(),
        entry,
        start.as_deref().unwrap_or(""),
        &end.format("%Y-%m-%d").to_string(),
    ]
    .join("\n");
    let digest = ring::digest::digest(&ring::digest::SHA256, text.as_bytes());
    let hex: String = digest.as_ref()[..HEX_DIGITS / 2]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    RequestId(format!("{PREFIX}{hex}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// The expected values were computed outside Rust, with Python's hashlib:
    /// `"req-" + sha256("\n".join(lines).encode()).hexdigest()[:16]`.
    #[test]
    fn the_id_is_the_digest_of_the_six_lines() {
        let id = request_id(
            &AwsAccountId::parse("123456789012").unwrap(),
            " tanaka-s3 ",
            &SlackUserId::parse("U0TANAKA01").unwrap(),
            "読み取り",
            Some(date("2026-12-01")),
            date("2027-03-31"),
        );
        assert_eq!(id.as_str(), "req-368e9d298eea46e1");
        // No start date: an empty fifth line; the entry's name as written, space included.
        let id = request_id(
            &AwsAccountId::parse("012345678901").unwrap(),
            "tanaka-s3",
            &SlackUserId::parse("U0TANAKA01").unwrap(),
            "S3 バックアップ",
            None,
            date("2027-03-31"),
        );
        assert_eq!(id.as_str(), "req-bcd1f724d170d011");
        assert_eq!(RequestId::parse(id.as_str()), Some(id));
    }

    #[test]
    fn only_well_formed_ids_parse() {
        assert!(RequestId::parse("req-0123456789abcdef").is_some());
        assert!(RequestId::parse(" req-0123456789abcdef ").is_some());
        for bad in [
            "",
            "req-",
            "req-0123456789ABCDEF",
            "req-0123456789abcde",
            "req-0123456789abcdef0",
            "0123456789abcdef",
            "req-0123456789abcdeg",
        ] {
            assert_eq!(RequestId::parse(bad), None, "{bad}");
        }
    }

    proptest! {
        /// Every one of the six cells is part of the ID: changing any one changes it.
        #[test]
        fn any_changed_cell_changes_the_id(
            user in "[a-z0-9._-]{1,20}",
            other_user in "[a-z0-9._-]{1,20}",
            entry in "\\PC{1,10}",
            other_entry in "\\PC{1,10}",
            start in prop::option::of(0i64..3000),
            end in 0i64..3000,
            other_end in 0i64..3000,
        ) {
            let base = date("2026-01-01");
            let day = |n: i64| base + chrono::Duration::days(n);
            let account = AwsAccountId::parse("123456789012").unwrap();
            let owner = SlackUserId::parse("U0TANAKA01").unwrap();
            let id = request_id(&account, &user, &owner, &entry, start.map(day), day(end));
            prop_assert!(RequestId::parse(id.as_str()).is_some());
            let same = request_id(&account, &format!(" {user} "), &owner, &entry, start.map(day), day(end));
            prop_assert_eq!(&id, &same);
            if other_user != user {
                prop_assert_ne!(&id, &request_id(&account, &other_user, &owner, &entry, start.map(day), day(end)));
            }
            if other_entry != entry {
                prop_assert_ne!(&id, &request_id(&account, &user, &owner, &other_entry, start.map(day), day(end)));
            }
            if other_end != end {
                prop_assert_ne!(&id, &request_id(&account, &user, &owner, &entry, start.map(day), day(other_end)));
            }
            let other_start = match start { Some(_) => None, None => Some(day(end)) };
            prop_assert_ne!(&id, &request_id(&account, &user, &owner, &entry, other_start, day(end)));
            let other_account = AwsAccountId::parse("210987654321").unwrap();
            prop_assert_ne!(&id, &request_id(&other_account, &user, &owner, &entry, start.map(day), day(end)));
            let other_owner = SlackUserId::parse("U0SATO0001").unwrap();
            prop_assert_ne!(&id, &request_id(&account, &user, &other_owner, &entry, start.map(day), day(end)));
        }
    }
}
