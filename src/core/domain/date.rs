//! Dates as they arrive from the Sheets API: a serial number for a real date cell, or the text
//! an administrator typed (docs/rules.md §2).

use chrono::{Duration, NaiveDate};
use unicode_normalization::UnicodeNormalization;

use super::ids::shorten;

/// The serial numbers read as dates: 2000-01-01 through 9999-12-31. Any calendar year is a date
/// (docs/rules.md §2: `9999/12/31` means "no end"), but a date *cell* holding a smaller number is
/// not a plausible key date: it is a count or an ID typed into the column and then formatted as a
/// date (`30` would read as 1900-01-29 and delete the user), so the row is reported instead.
const SERIALS: std::ops::RangeInclusive<f64> = 36_526.0..=2_958_465.0;

/// Why a cell is not a date; its words are in `core/words/cells.rs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateError {
    /// The serial number as the sheet sent it.
    Serial(String),
    NotText(String),
    Unreadable(String),
    NoSuchDay {
        text: String,
        month: u32,
        day: u32,
    },
}

/// Google Sheets' day zero (serial 0), as in Lotus 1-2-3 and Excel.
fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1899, 12, 30).expect("valid constant date")
}

/// A Sheets date serial (days since 1899-12-30; a fraction is the time of day).
pub fn serial_to_date(serial: f64) -> Result<NaiveDate, DateError> {
    if !serial.is_finite() || !SERIALS.contains(&serial) {
        return Err(DateError::Serial(serial.to_string()));
    }
    Ok(epoch() + Duration::days(serial.floor() as i64))
}

/// Parses a date cell: a JSON number (serial) or text such as `2026/11/29`, `2026/1/5`,
/// `2026-11-29`, `2026.11.29` or `2026年11月29日`, each optionally followed by a time.
pub fn parse_sheet_date(cell: &serde_json::Value) -> Result<NaiveDate, DateError> {
    match cell {
        serde_json::Value::Number(n) => serial_to_date(n.as_f64().unwrap_or(f64::NAN)),
        serde_json::Value::String(s) => parse_date_text(s),
        other => Err(DateError::NotText(other.to_string())),
    }
}

fn parse_date_text(raw: &str) -> Result<NaiveDate, DateError> {
    // Full-width digits need NFKC; most dates are ASCII and skip it.
    let normalized: String;
    let text = if raw.is_ascii() {
        raw.trim()
    } else {
        normalized = raw.nfkc().collect();
        normalized.trim()
    };
    let unreadable = || DateError::Unreadable(shorten(raw));
    let (date_part, rest) = split_date_and_time(text);
    if !rest.is_empty() && !looks_like_time(rest) {
        return Err(unreadable());
    }
    let unified = date_part
        .replace(['年', '月', '/', '.'], "-")
        .trim_end_matches('日')
        .to_string();
    let parts: Vec<&str> = unified.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return Err(unreadable());
    };
    let number = |s: &str, max_len: usize| -> Option<u32> {
        (!s.is_empty() && s.len() <= max_len && s.chars().all(|c| c.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (Some(y), Some(m), Some(d)) = (number(y, 4), number(m, 2), number(d, 2)) else {
        return Err(unreadable());
    };
    // A year is written with four digits: `0026` is a typo, `2026` and `9999` are dates.
    if y < 1000 {
        return Err(unreadable());
    }
    NaiveDate::from_ymd_opt(y as i32, m, d).ok_or_else(|| DateError::NoSuchDay {
        text: shorten(raw),
        month: m,
        day: d,
    })
}

/// Splits `2026-11-29T10:00`, `2026/11/29 10:00:00` or `2026/11/29(日)` into date and rest.
fn split_date_and_time(text: &str) -> (&str, &str) {
    let cut = text
        .char_indices()
        .find(|&(i, c)| c.is_whitespace() || c == '(' || (c == 'T' && i > 0))
        .map(|(i, _)| i);
    match cut {
        Some(i) => {
            let rest = text[i..].trim_start_matches(|c: char| c.is_whitespace() || c == 'T');
            // A weekday in brackets, `(日)`, may precede the time.
            let rest = match rest.strip_prefix('(').and_then(|r| r.split_once(')')) {
                Some((_, after)) => after.trim(),
                None => rest,
            };
            (&text[..i], rest)
        }
        None => (text, ""),
    }
}

/// `10:00`, `10:00:00`, `10:00:00.000Z`, `10:00+09:00`, `午前10:00`.
fn looks_like_time(rest: &str) -> bool {
    let rest = rest
        .trim_start_matches("午前")
        .trim_start_matches("午後")
        .trim();
    rest.contains(':')
        && rest.starts_with(|c: char| c.is_ascii_digit())
        && rest
            .chars()
            .all(|c| c.is_ascii_digit() || ":.+-Z ".contains(c) || c == 'A' || c == 'P' || c == 'M')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn every_text_format_of_the_spec() {
        for (text, want) in [
            ("2026/11/29", d(2026, 11, 29)),
            ("2026/1/5", d(2026, 1, 5)),
            ("2026-11-29", d(2026, 11, 29)),
            ("2026.11.29", d(2026, 11, 29)),
            ("2026年11月29日", d(2026, 11, 29)),
            ("2026年1月5日", d(2026, 1, 5)),
            ("2026/11/29 10:00:00", d(2026, 11, 29)),
            ("2026/11/29 9:05", d(2026, 11, 29)),
            ("2026-11-29T23:59:59", d(2026, 11, 29)),
            ("2026-11-29T23:59:59.000Z", d(2026, 11, 29)),
            ("2026-11-29 10:00+09:00", d(2026, 11, 29)),
            ("2026年11月29日 10:00", d(2026, 11, 29)),
            ("2026/11/29(日)", d(2026, 11, 29)),
            ("  2026/11/29  ", d(2026, 11, 29)),
            ("２０２６／１１／２９", d(2026, 11, 29)),
        ] {
            assert_eq!(parse_sheet_date(&json!(text)), Ok(want), "{text}");
        }
    }

    #[test]
    fn serial_numbers_count_from_1899_12_30() {
        assert_eq!(parse_sheet_date(&json!(46355)), Ok(d(2026, 11, 29)));
        assert_eq!(parse_sheet_date(&json!(46355.75)), Ok(d(2026, 11, 29)));
        assert_eq!(parse_sheet_date(&json!(45658)), Ok(d(2025, 1, 1)));
    }

    #[test]
    fn unreadable_dates_say_what_to_fix() {
        for bad in [
            "",
            "soon",
            "2026/13/01",
            "2026/2/30",
            "11/29",
            "2026/11",
            "2026-11-29x",
            "2026/11/29 or 30",
            "20261129",
            "29/11/2026",
        ] {
            let err = parse_sheet_date(&json!(bad)).unwrap_err();
            assert!(
                !err.to_string().is_empty() && !err.words(crate::core::words::Lang::Ja).is_empty(),
                "{bad}"
            );
        }
        assert!(parse_sheet_date(&json!(true)).is_err());
        assert!(parse_sheet_date(&json!(null)).is_err());
        assert!(parse_sheet_date(&json!(-3)).is_err());
    }

    #[test]
    fn any_calendar_year_is_a_date() {
        assert_eq!(parse_sheet_date(&json!("9999/12/31")), Ok(d(9999, 12, 31)));
        assert_eq!(parse_sheet_date(&json!("2999/12/31")), Ok(d(2999, 12, 31)));
        assert_eq!(parse_sheet_date(&json!("1926/11/29")), Ok(d(1926, 11, 29)));
        assert_eq!(parse_sheet_date(&json!("2206年1月5日")), Ok(d(2206, 1, 5)));
        assert_eq!(parse_sheet_date(&json!(2_958_465)), Ok(d(9999, 12, 31)));
        assert!(
            parse_sheet_date(&json!("0026/11/29")).is_err(),
            "3-digit year"
        );
    }

    #[test]
    fn implausible_serials_are_not_dates() {
        for bad in [
            json!(1),
            json!(30),
            json!(36_525),
            json!(2_958_466),
            json!(1e300),
        ] {
            let err = parse_sheet_date(&bad).unwrap_err();
            assert!(
                err.to_string().contains("not a date from 2000 on"),
                "{bad}: {err}"
            );
        }
        assert_eq!(parse_sheet_date(&json!(36_526)), Ok(d(2000, 1, 1)));
    }

    proptest! {
        #[test]
        fn any_real_date_reads_back_in_every_format(days in 0i64..=2_921_939) {
            let date = d(2000, 1, 1) + Duration::days(days);
            use chrono::Datelike;
            let (y, m, dd) = (date.year(), date.month(), date.day());
            for text in [
                format!("{y}/{m}/{dd}"),
                format!("{y}-{m:02}-{dd:02}"),
                format!("{y}.{m:02}.{dd:02}"),
                format!("{y}年{m}月{dd}日"),
                format!("{y}/{m:02}/{dd:02} 12:34:56"),
            ] {
                prop_assert_eq!(parse_sheet_date(&json!(text)), Ok(date));
            }
            let serial = (date - epoch()).num_days();
            prop_assert_eq!(parse_sheet_date(&json!(serial)), Ok(date));
        }

        #[test]
        fn any_four_digit_year_reads_as_text(days in 0i64..=3_287_181) {
            let date = d(1000, 1, 1) + Duration::days(days);
            use chrono::Datelike;
            let text = format!("{}/{}/{}", date.year(), date.month(), date.day());
            prop_assert_eq!(parse_sheet_date(&json!(text)), Ok(date));
        }

        #[test]
        fn parsing_never_panics(s in "\\PC{0,30}") {
            let _ = parse_sheet_date(&json!(s));
        }
    }
}
