//! The unit tests' data, built once: the newtypes from text, and a request row as the sheet
//! parser makes it. A test changes only what differs:
//! `request_row().with(Text::End, "2026-11-20")` (public fields set directly).

use chrono::NaiveDate;

use crate::core::domain::{AccessKeyId, IamUserName};
use crate::core::sheet::RequestRow;

/// The access key ID of AWS's documentation.
pub const KEY: &str = "AKIAIOSFODNN7EXAMPLE";

pub fn key(s: &str) -> AccessKeyId {
    AccessKeyId::parse(s).unwrap()
}

pub fn user(s: &str) -> IamUserName {
    IamUserName::parse(s).unwrap()
}

/// A `YYYY-MM-DD` date.
pub fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// 田中 太郎's open row 2: IAM user `tanaka`, key [`KEY`], ending 2026-11-29, never notified,
/// in the home account, every cell readable.
pub fn request_row() -> RequestRow {
    RequestRow::of_texts(
        2,
        ["", "田中 太郎", "tanaka", KEY, "", "", "", "2026-11-29", ""],
        Some(date("2026-11-29")),
    )
}
