//! The log sheet: one line per action of a run (skips aside) and per extension decision, so
//! that the spreadsheet itself answers "when was this key deleted, in which run, and who
//! approved the extension?". Pure: the lines and their cells; appending them is the app's.

use chrono::{DateTime, FixedOffset};
use serde_json::Value;

use crate::core::outcome::{ActionKind, ActionRecord, Outcome};

/// Row 1 of the log sheet, written when keywarden creates it.
pub const HEADER: [&str; 10] = [
    "日時",
    "実行ID",
    "AWSアカウント",
    "行",
    "氏名",
    "アカウント名",
    "アクセスキーID",
    "処理",
    "結果",
    "詳細",
];

/// A decision of the extension flow, as the log's `処理` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtensionEvent {
    Request,
    Approve,
    Reject,
}

impl ExtensionEvent {
    pub fn label(self) -> &'static str {
        match self {
            ExtensionEvent::Request => "extension_request",
            ExtensionEvent::Approve => "extension_approve",
            ExtensionEvent::Reject => "extension_reject",
        }
    }
}

/// The log's `処理` of a decision on a key request (docs/rules.md §12 step 2); the report
/// calls both `issue_decision`.
pub const ISSUE_APPROVE: &str = "issue_approve";
pub const ISSUE_REJECT: &str = "issue_reject";

/// One line of the log sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// When the line was appended, in the configured zone.
    pub at: DateTime<FixedOffset>,
    /// One ID per run or per interaction.
    pub run_id: String,
    /// The 12-digit AWS account, when the action has one.
    pub aws_account: String,
    /// The 1-based sheet row; empty for a run-wide alert or a key no row holds.
    pub row: Option<usize>,
    pub owner: String,
    pub account: String,
    pub access_key_id: String,
    /// The report's `action`, or an [`ExtensionEvent`]'s label.
    pub action: &'static str,
    pub outcome: Outcome,
    /// In the administrators' (Japanese) wording.
    pub detail: String,
}

impl LogLine {
    /// The cells in [`HEADER`]'s order. Every cell is a string or a number: with
    /// `valueInputOption=RAW` a name or reason starting with `=` stays text.
    pub fn cells(&self) -> Vec<Value> {
        vec![
            Value::from(self.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)),
            Value::from(self.run_id.clone()),
            Value::from(self.aws_account.clone()),
            self.row.map_or_else(|| Value::from(""), Value::from),
            Value::from(self.owner.clone()),
            Value::from(self.account.clone()),
            Value::from(self.access_key_id.clone()),
            Value::from(self.action),
            Value::from(self.outcome.name()),
            Value::from(self.detail.clone()),
        ]
    }
}

/// The header as cells.
pub fn header_cells() -> Vec<Value> {
    HEADER.iter().map(|h| Value::from(*h)).collect()
}

/// The log lines of a run's records (in the administrators' wording): every one but skips,
/// in sheet order, run-wide lines last.
pub fn run_lines(
    records: &[ActionRecord],
    at: DateTime<FixedOffset>,
    run_id: &str,
) -> Vec<LogLine> {
    let mut lines: Vec<LogLine> = records
        .iter()
        .filter(|r| r.action != ActionKind::Skip)
        .map(|r| LogLine {
            at,
            run_id: run_id.to_string(),
            // docs/rules.md §10: the 12-digit account, when the run knows it.
            aws_account: r.aws_account.as_deref().unwrap_or_default().to_string(),
            row: r.row,
            owner: r.owner.to_string(),
            account: r.user.to_string(),
            access_key_id: r.access_key_id.to_string(),
            action: r.action.label(),
            outcome: r.outcome,
            detail: r.detail.to_string(),
        })
        .collect();
    lines.sort_by_key(|l| (l.row.is_none(), l.row));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(action: ActionKind, outcome: Outcome, row: Option<usize>) -> ActionRecord {
        ActionRecord {
            row,
            user: "tanaka".into(),
            access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
            owner: "=HYPERLINK(\"x\")".into(),
            action,
            outcome,
            detail: "IAM ユーザーを削除しました".into(),
            end_date: None,
            days_left: None,
            aws_account: None,
            aws_account_alias: None,
        }
    }

    #[test]
    fn the_aws_account_column_holds_the_actions_account() {
        let mut r = record(ActionKind::Delete, Outcome::Done, Some(2));
        r.aws_account = Some("210987654321".into());
        let lines = run_lines(
            &[r, record(ActionKind::Alert, Outcome::Failed, None)],
            at(),
            "id",
        );
        assert_eq!(lines[0].aws_account, "210987654321");
        assert_eq!(lines[1].aws_account, "");
    }

    fn at() -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2026-11-22T15:00:03+09:00").unwrap()
    }

    #[test]
    fn every_action_but_skips_in_sheet_order() {
        let records = [
            record(ActionKind::Skip, Outcome::Done, Some(2)),
            record(ActionKind::Delete, Outcome::Done, Some(3)),
            record(ActionKind::Alert, Outcome::Failed, None),
            record(ActionKind::Notify, Outcome::Done, Some(5)),
        ];
        let lines = run_lines(&records, at(), "r1");
        let actions: Vec<_> = lines.iter().map(|l| (l.row, l.action)).collect();
        assert_eq!(
            actions,
            [(Some(3), "delete"), (Some(5), "notify"), (None, "alert")]
        );
        assert!(lines.iter().all(|l| l.run_id == "r1"));
    }

    #[test]
    fn cells_follow_the_header() {
        let line = &run_lines(
            &[record(ActionKind::Delete, Outcome::Refused, Some(3))],
            at(),
            "r1",
        )[0];
        let cells = line.cells();
        assert_eq!(cells.len(), HEADER.len());
        assert_eq!(cells[0], "2026-11-22T15:00:03+09:00");
        assert_eq!(cells[1], "r1");
        assert_eq!(cells[3], 3);
        assert_eq!(cells[4], "=HYPERLINK(\"x\")", "a person's text, as typed");
        assert_eq!(cells[7], "delete");
        assert_eq!(cells[8], "refused");
        assert_eq!(cells[9], "IAM ユーザーを削除しました");
        let alert = &run_lines(
            &[record(ActionKind::Alert, Outcome::Failed, None)],
            at(),
            "r1",
        )[0];
        assert_eq!(alert.cells()[3], "", "no row: an empty cell");
    }

    #[test]
    fn extension_events_have_the_contract_names() {
        assert_eq!(ExtensionEvent::Request.label(), "extension_request");
        assert_eq!(ExtensionEvent::Approve.label(), "extension_approve");
        assert_eq!(ExtensionEvent::Reject.label(), "extension_reject");
    }
}
