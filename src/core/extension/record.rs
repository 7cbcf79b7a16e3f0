//! The text keywarden keeps in the sheet for extension requests. People read these cells, and
//! keywarden parses `延長申請` back, so both formats are fixed here and tested both ways.
//!
//! `延長申請` (one pending request; empty when none), one `key: value` per line, the reason last
//! so it may span lines:
//!
//! ```text
//! 【延長申請中】
//! 申請ID: 1764550000123
//! 申請者: U0OWNER01
//! 現在の終了日: 2026-11-29
//! 希望終了日: 2027-01-31
//! 申請日時: 2026-11-25 10:00:00 +09:00
//! 承認依頼: DUADMIN01/1700000000.000101 C0APPROVE/1700000000.000102
//! 理由: 案件の延長のため
//! ```
//!
//! `承認依頼` lists where each copy of the approval message was posted (channel/ts), so the
//! decision can update every copy without any memory outside the sheet.
//!
//! `延長履歴` gets one line per decision, appended to what is there:
//!
//! ```text
//! 2026-11-26 承認 2026-11-29 → 2027-01-31 申請:U0OWNER01 承認:UADMIN02 理由:案件の延長のため
//! 2026-11-26 却下 2026-11-29 → 2027-01-31 申請:U0OWNER01 却下:UADMIN02 理由:…
//! ```

use chrono::{DateTime, FixedOffset, NaiveDate};

use crate::core::domain::SlackUserId;

pub const PENDING_HEADER: &str = "延長申請";
pub const HISTORY_HEADER: &str = "延長履歴";
const MARK: &str = "【延長申請中】";

/// Where one copy of an approval request was posted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalCopy {
    pub channel: String,
    pub ts: String,
}

/// The pending request of a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRequest {
    /// Milliseconds since the epoch at submission: unique per row (one pending at a time).
    pub id: String,
    pub requester: SlackUserId,
    pub current_end: NaiveDate,
    pub requested_end: NaiveDate,
    pub requested_at: DateTime<FixedOffset>,
    pub copies: Vec<ApprovalCopy>,
    pub reason: String,
}

/// What the `延長申請` cell holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PendingCell {
    Empty,
    Request(PendingRequest),
    /// Text keywarden cannot read (edited by hand): treated as pending, never overwritten.
    Unreadable(String),
}

impl PendingRequest {
    pub fn to_cell(&self) -> String {
        let copies: Vec<String> = self
            .copies
            .iter()
            .map(|c| format!("{}/{}", c.channel, c.ts))
            .collect();
        format!(
            "{MARK}\n申請ID: {}\n申請者: {}\n現在の終了日: {}\n希望終了日: {}\n申請日時: {}\n承認依頼: {}\n理由: {}",
            self.id,
            self.requester,
            self.current_end,
            self.requested_end,
            self.requested_at.format("%Y-%m-%d %H:%M:%S %:z"),
            copies.join(" "),
            self.reason
        )
    }
}

impl PendingRequest {
    /// One line for the administrators' run summary, e.g.
    /// `U0OWNER01 が 2026-11-29 → 2027-01-31 の延長を申請中（2026-11-25 10:00）`.
    pub fn summary(&self) -> String {
        format!(
            "{} が {} → {} の延長を申請中（{}）",
            self.requester,
            self.current_end,
            self.requested_end,
            self.requested_at.format("%Y-%m-%d %H:%M")
        )
    }
}

impl PendingCell {
    pub fn parse(cell: &str) -> PendingCell {
        if cell.trim().is_empty() {
            return PendingCell::Empty;
        }
        match parse_request(cell.trim()) {
            Some(r) => PendingCell::Request(r),
            None => PendingCell::Unreadable(cell.to_string()),
        }
    }
}

fn parse_request(cell: &str) -> Option<PendingRequest> {
    let (head, reason) = cell.split_once("\n理由:")?;
    let mut lines = head.lines().map(str::trim);
    if lines.next()? != MARK {
        return None;
    }
    let mut field = |name: &str| -> Option<String> {
        let line = lines.next()?;
        Some(
            line.strip_prefix(name)?
                .strip_prefix(':')?
                .trim()
                .to_string(),
        )
    };
    let id = field("申請ID")?;
    let requester = SlackUserId::parse(&field("申請者")?).ok()?;
    let current_end = field("現在の終了日")?.parse().ok()?;
    let requested_end = field("希望終了日")?.parse().ok()?;
    let requested_at =
        DateTime::parse_from_str(&field("申請日時")?, "%Y-%m-%d %H:%M:%S %:z").ok()?;
    let copies = field("承認依頼")?
        .split_whitespace()
        .map(|c| {
            let (channel, ts) = c.split_once('/')?;
            Some(ApprovalCopy {
                channel: channel.to_string(),
                ts: ts.to_string(),
            })
        })
        .collect::<Option<Vec<_>>>()?;
    if id.is_empty() {
        return None;
    }
    Some(PendingRequest {
        id,
        requester,
        current_end,
        requested_end,
        requested_at,
        copies,
        reason: reason.trim().to_string(),
    })
}

/// The outcome of a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Approved,
    Rejected,
}

impl Outcome {
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Approved => "承認",
            Outcome::Rejected => "却下",
        }
    }
}

/// One `延長履歴` line for a decided request (the reason on one line).
pub fn history_line(
    decided_on: NaiveDate,
    outcome: Outcome,
    request: &PendingRequest,
    decider: &SlackUserId,
) -> String {
    let reason: String = request
        .reason
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    format!(
        "{decided_on} {word} {} → {} 申請:{} {word}:{decider} 理由:{reason}",
        request.current_end,
        request.requested_end,
        request.requester,
        word = outcome.word(),
    )
}

/// The `延長履歴` cell with `line` appended.
pub fn append_history(existing: &str, line: &str) -> String {
    let existing = existing.trim_end();
    if existing.is_empty() {
        line.to_string()
    } else {
        format!("{existing}\n{line}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn request() -> PendingRequest {
        PendingRequest {
            id: "1764550000123".into(),
            requester: SlackUserId::parse("U0OWNER01").unwrap(),
            current_end: NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(),
            requested_end: NaiveDate::from_ymd_opt(2027, 1, 31).unwrap(),
            requested_at: DateTime::parse_from_rfc3339("2026-11-25T10:00:00+09:00").unwrap(),
            copies: vec![
                ApprovalCopy {
                    channel: "DUADMIN01".into(),
                    ts: "1700000000.000101".into(),
                },
                ApprovalCopy {
                    channel: "C0APPROVE".into(),
                    ts: "1700000000.000102".into(),
                },
            ],
            reason: "案件の延長のため\n2行目: 続き".into(),
        }
    }

    #[test]
    fn the_pending_cell_is_readable_and_round_trips() {
        let cell = request().to_cell();
        assert!(cell.starts_with("【延長申請中】\n申請ID: 1764550000123\n申請者: U0OWNER01\n"));
        assert!(cell.contains("希望終了日: 2027-01-31"), "{cell}");
        assert!(
            cell.contains("申請日時: 2026-11-25 10:00:00 +09:00"),
            "{cell}"
        );
        assert_eq!(PendingCell::parse(&cell), PendingCell::Request(request()));
        assert_eq!(
            request().summary(),
            "U0OWNER01 が 2026-11-29 → 2027-01-31 の延長を申請中（2026-11-25 10:00）"
        );
        let mut no_copies = request();
        no_copies.copies.clear();
        no_copies.reason = "理由: に見える理由".into();
        assert_eq!(
            PendingCell::parse(&no_copies.to_cell()),
            PendingCell::Request(no_copies)
        );
    }

    #[test]
    fn empty_and_hand_edited_cells() {
        assert_eq!(PendingCell::parse(""), PendingCell::Empty);
        assert_eq!(PendingCell::parse(" \n"), PendingCell::Empty);
        assert!(matches!(
            PendingCell::parse("延長したい"),
            PendingCell::Unreadable(_)
        ));
        let broken = request().to_cell().replace("2027-01-31", "来年");
        assert!(matches!(
            PendingCell::parse(&broken),
            PendingCell::Unreadable(_)
        ));
    }

    #[test]
    fn history_lines_append() {
        let admin = SlackUserId::parse("UADMIN02").unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let line = history_line(day, Outcome::Approved, &request(), &admin);
        assert_eq!(
            line,
            "2026-11-26 承認 2026-11-29 → 2027-01-31 申請:U0OWNER01 承認:UADMIN02 理由:案件の延長のため 2行目: 続き"
        );
        let rejected = history_line(day, Outcome::Rejected, &request(), &admin);
        assert!(rejected.starts_with("2026-11-26 却下 "), "{rejected}");
        assert!(rejected.contains("却下:UADMIN02"), "{rejected}");
        assert_eq!(append_history("", &line), line);
        assert_eq!(append_history("old\n", "new"), "old\nnew");
    }
}
