//! The `発行申請` cell: where a key request stands. People read it and keywarden parses it
//! back, so the format is fixed here and tested both ways. The first line is the state and the
//! request's ID `R`; a second line, when there is one, lists where each copy of the approval
//! request was posted (channel/ts), so a decision or a new request can update every copy
//! without any memory outside the sheet:
//!
//! ```text
//! 承認待ち req-368e9d298eea46e1
//! 承認依頼: DUADMIN01/1700000000.000101 C0APPROVE/1700000000.000102
//! ```
//!
//! The states: `承認待ち R` (sent for approval), `承認済み R <approver's Slack ID> <YYYY-MM-DD>`,
//! `却下 R <approver> <YYYY-MM-DD>`, `発行済み R <YYYY-MM-DD>` (the key was issued that day).

use std::fmt;

use chrono::NaiveDate;

use super::RequestId;
use crate::core::domain::SlackUserId;
pub use crate::core::extension::record::ApprovalCopy;

/// The header of the column (created when first needed).
pub const ISSUE_HEADER: &str = "発行申請";

const PENDING: &str = "承認待ち";
const APPROVED: &str = "承認済み";
const REJECTED: &str = "却下";
const ISSUED: &str = "発行済み";
const COPIES: &str = "承認依頼:";

/// Where a request stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssueState {
    /// Sent for approval; no decision yet.
    Pending,
    Approved {
        by: SlackUserId,
        on: NaiveDate,
    },
    Rejected {
        by: SlackUserId,
        on: NaiveDate,
    },
    /// The key was issued on that day.
    Issued {
        on: NaiveDate,
    },
}

impl IssueState {
    /// The word the cell begins with.
    pub fn word(&self) -> &'static str {
        match self {
            IssueState::Pending => PENDING,
            IssueState::Approved { .. } => APPROVED,
            IssueState::Rejected { .. } => REJECTED,
            IssueState::Issued { .. } => ISSUED,
        }
    }
}

/// What keywarden wrote into `発行申請`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueRecord {
    pub state: IssueState,
    /// The ID of the request the state is about (the row's cells when it was written).
    pub id: RequestId,
    /// Where the approval request was posted, every copy.
    pub copies: Vec<ApprovalCopy>,
}

/// The `発行申請` cell as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssueCell {
    Empty,
    Record(IssueRecord),
    /// Text keywarden did not write (edited by hand), as it is: never taken for a state.
    Unreadable(String),
}

impl IssueRecord {
    pub fn new(state: IssueState, id: RequestId) -> Self {
        IssueRecord {
            state,
            id,
            copies: Vec::new(),
        }
    }

    /// The cell's text.
    pub fn to_cell(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for IssueRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.state.word(), self.id)?;
        match &self.state {
            IssueState::Pending => {}
            IssueState::Approved { by, on } | IssueState::Rejected { by, on } => {
                write!(f, " {by} {}", on.format("%Y-%m-%d"))?
            }
            IssueState::Issued { on } => write!(f, " {}", on.format("%Y-%m-%d"))?,
        }
        if !self.copies.is_empty() {
            let copies: Vec<String> = self
                .copies
                .iter()
                .map(|c| format!("{}/{}", c.channel, c.ts))
                .collect();
            write!(f, "\n{COPIES} {}", copies.join(" "))?;
        }
        Ok(())
    }
}

impl IssueCell {
    pub fn parse(cell: &str) -> IssueCell {
        let text = cell.trim();
        if text.is_empty() {
            return IssueCell::Empty;
        }
        match parse_record(text) {
            Some(record) => IssueCell::Record(record),
            None => IssueCell::Unreadable(cell.to_string()),
        }
    }

    /// The record, when keywarden wrote the cell.
    pub fn record(&self) -> Option<&IssueRecord> {
        match self {
            IssueCell::Record(r) => Some(r),
            _ => None,
        }
    }
}

fn parse_record(text: &str) -> Option<IssueRecord> {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let first: Vec<&str> = lines.next()?.split_whitespace().collect();
    let copies = match lines.next() {
        None => Vec::new(),
        Some(line) => parse_copies(line.strip_prefix(COPIES)?)?,
    };
    if lines.next().is_some() {
        return None;
    }
    let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    let person = |s: &str| SlackUserId::parse(s).ok();
    let (word, id, rest) = match first.as_slice() {
        [word, id, rest @ ..] => (*word, RequestId::parse(id)?, rest),
        _ => return None,
    };
    let state = match (word, rest) {
        (PENDING, []) => IssueState::Pending,
        (APPROVED, [by, on]) => IssueState::Approved {
            by: person(by)?,
            on: date(on)?,
        },
        (REJECTED, [by, on]) => IssueState::Rejected {
            by: person(by)?,
            on: date(on)?,
        },
        (ISSUED, [on]) => IssueState::Issued { on: date(on)? },
        _ => return None,
    };
    Some(IssueRecord { state, id, copies })
}

fn parse_copies(text: &str) -> Option<Vec<ApprovalCopy>> {
    text.split_whitespace()
        .map(|c| {
            let (channel, ts) = c.split_once('/')?;
            (!channel.is_empty() && !ts.is_empty()).then(|| ApprovalCopy {
                channel: channel.to_string(),
                ts: ts.to_string(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn id() -> RequestId {
        RequestId::parse("req-368e9d298eea46e1").unwrap()
    }

    fn admin() -> SlackUserId {
        SlackUserId::parse("U0ADMIN02").unwrap()
    }

    fn day() -> NaiveDate {
        "2026-11-26".parse().unwrap()
    }

    fn copies() -> Vec<ApprovalCopy> {
        vec![
            ApprovalCopy {
                channel: "DUADMIN01".into(),
                ts: "1700000000.000101".into(),
            },
            ApprovalCopy {
                channel: "C0APPROVE".into(),
                ts: "1700000000.000102".into(),
            },
        ]
    }

    #[test]
    fn each_state_reads_as_documented_and_round_trips() {
        let cases = [
            (IssueState::Pending, "承認待ち req-368e9d298eea46e1"),
            (
                IssueState::Approved {
                    by: admin(),
                    on: day(),
                },
                "承認済み req-368e9d298eea46e1 U0ADMIN02 2026-11-26",
            ),
            (
                IssueState::Rejected {
                    by: admin(),
                    on: day(),
                },
                "却下 req-368e9d298eea46e1 U0ADMIN02 2026-11-26",
            ),
            (
                IssueState::Issued { on: day() },
                "発行済み req-368e9d298eea46e1 2026-11-26",
            ),
        ];
        for (state, text) in cases {
            let bare = IssueRecord::new(state.clone(), id());
            assert_eq!(bare.to_cell(), text);
            assert_eq!(IssueCell::parse(text), IssueCell::Record(bare.clone()));
            let with_copies = IssueRecord {
                copies: copies(),
                ..bare
            };
            let cell = with_copies.to_cell();
            assert_eq!(
                cell,
                format!(
                    "{text}\n承認依頼: DUADMIN01/1700000000.000101 C0APPROVE/1700000000.000102"
                )
            );
            assert_eq!(IssueCell::parse(&cell), IssueCell::Record(with_copies));
        }
    }

    #[test]
    fn empty_and_hand_written_cells() {
        assert_eq!(IssueCell::parse(""), IssueCell::Empty);
        assert_eq!(IssueCell::parse(" \n "), IssueCell::Empty);
        for text in [
            "承認",
            "承認済み",
            "承認済み req-368e9d298eea46e1",
            "承認済み req-368e9d298eea46e1 田中 2026-11-26",
            "承認済み req-368e9d298eea46e1 U0ADMIN02 2026/11/26",
            "承認待ち req-368e9d298eea46e1 U0ADMIN02",
            "発行済み req-368e9d298eea46e1",
            "承認待ち R",
            "承認待ち req-368e9d298eea46e1\n承認依頼: nowhere",
            "承認待ち req-368e9d298eea46e1\nメモ",
            "承認待ち req-368e9d298eea46e1\n承認依頼: C1/1\n承認依頼: C2/2",
        ] {
            assert_eq!(
                IssueCell::parse(text),
                IssueCell::Unreadable(text.into()),
                "{text}"
            );
        }
        // White space around what keywarden wrote does not matter.
        assert_eq!(
            IssueCell::parse("  承認待ち  req-368e9d298eea46e1 \n"),
            IssueCell::Record(IssueRecord::new(IssueState::Pending, id()))
        );
    }

    proptest! {
        #[test]
        fn every_record_round_trips(
            hex in "[0-9a-f]{16}",
            which in 0usize..4,
            by in "U[0-9A-Z]{2,12}",
            days in 0i64..40_000,
            copies in prop::collection::vec(("[CDG][0-9A-Z]{2,10}", "[0-9]{10}\\.[0-9]{6}"), 0..4),
        ) {
            let on = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + chrono::Duration::days(days);
            let by = SlackUserId::parse(&by).unwrap();
            let state = match which {
                0 => IssueState::Pending,
                1 => IssueState::Approved { by, on },
                2 => IssueState::Rejected { by, on },
                _ => IssueState::Issued { on },
            };
            let record = IssueRecord {
                state,
                id: RequestId::parse(&format!("req-{hex}")).unwrap(),
                copies: copies
                    .into_iter()
                    .map(|(channel, ts)| ApprovalCopy { channel, ts })
                    .collect(),
            };
            prop_assert_eq!(IssueCell::parse(&record.to_cell()), IssueCell::Record(record));
        }
    }
}
