//! The result of a run: one record per action (SPEC §6), as JSON or as a table for people.

use chrono::NaiveDate;
use serde::Serialize;

use crate::domain::SlackUserId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Notify,
    Delete,
    Skip,
    Unusable,
    Alert,
    // SPEC §8
    AgeNotify,
    AgeDelete,
    Deactivate,
    Reactivate,
    Rotate,
    Shadow,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Done,
    Planned,
    Failed,
    Refused,
}

/// One line of the report; `row` is the 1-based sheet row, `None` for run-wide alerts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionRecord {
    pub row: Option<usize>,
    pub account: String,
    pub access_key_id: String,
    pub owner: String,
    pub action: ActionKind,
    pub outcome: Outcome,
    pub detail: String,
}

impl ActionRecord {
    pub fn alert(outcome: Outcome, detail: impl Into<String>) -> Self {
        ActionRecord {
            row: None,
            account: String::new(),
            access_key_id: String::new(),
            owner: String::new(),
            action: ActionKind::Alert,
            outcome,
            detail: detail.into(),
        }
    }

    /// Whether administrators should read about it (skips are routine).
    pub fn needs_attention(&self) -> bool {
        self.action != ActionKind::Skip
    }
}

/// A Slack message the run sent, or would send in a dry run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub to: SlackUserId,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    #[serde(serialize_with = "iso_date")]
    pub today: NaiveDate,
    pub actions: Vec<ActionRecord>,
    /// Messages sent (or, dry run, composed): shown by `demo`, never in the JSON contract.
    #[serde(skip)]
    pub messages: Vec<Message>,
    /// IAM steps taken or planned, per user, for `demo` and `plan`.
    #[serde(skip)]
    pub iam_steps: Vec<(String, Vec<String>)>,
}

fn iso_date<S: serde::Serializer>(date: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&date.format("%Y-%m-%d").to_string())
}

impl Report {
    pub fn new(today: NaiveDate) -> Self {
        Report {
            today,
            actions: Vec::new(),
            messages: Vec::new(),
            iam_steps: Vec::new(),
        }
    }

    /// SPEC §6: 0 when every action succeeded, 1 when any failed or was refused.
    pub fn exit_code(&self) -> i32 {
        let bad = self
            .actions
            .iter()
            .any(|a| matches!(a.outcome, Outcome::Failed | Outcome::Refused));
        i32::from(bad)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("report serialises")
    }

    /// The rows that need attention as a table, then a one-line summary.
    pub fn to_table(&self) -> String {
        use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
        let shown: Vec<&ActionRecord> = self
            .actions
            .iter()
            .filter(|a| a.needs_attention())
            .collect();
        let mut out = format!("keywarden — today is {}\n", self.today.format("%Y-%m-%d"));
        if shown.is_empty() {
            out.push_str("Nothing needs attention today.\n");
        } else {
            let mut table = Table::new();
            table
                .load_style(UTF8_FULL_CONDENSED)
                .set_content_arrangement(ContentArrangement::Dynamic)
                .set_width(160)
                .set_header([
                    "row",
                    "action",
                    "outcome",
                    "account",
                    "access key",
                    "owner",
                    "detail",
                ]);
            for a in &shown {
                table.add_row([
                    a.row.map(|r| r.to_string()).unwrap_or_else(|| "-".into()),
                    label(a.action).into(),
                    outcome_label(a.outcome).into(),
                    a.account.clone(),
                    a.access_key_id.clone(),
                    a.owner.clone(),
                    a.detail.clone(),
                ]);
            }
            out.push_str(&table.to_string());
            out.push('\n');
        }
        let count = |k: ActionKind| self.actions.iter().filter(|a| a.action == k).count();
        let failed = self
            .actions
            .iter()
            .filter(|a| matches!(a.outcome, Outcome::Failed | Outcome::Refused))
            .count();
        out.push_str(&format!(
            "{} notify, {} delete, {} unusable, {} alert, {} skipped; {} failed or refused\n",
            count(ActionKind::Notify),
            count(ActionKind::Delete),
            count(ActionKind::Unusable),
            count(ActionKind::Alert),
            count(ActionKind::Skip),
            failed
        ));
        out
    }
}

fn label(kind: ActionKind) -> &'static str {
    match kind {
        ActionKind::Notify => "notify",
        ActionKind::Delete => "delete",
        ActionKind::Skip => "skip",
        ActionKind::Unusable => "unusable",
        ActionKind::Alert => "alert",
        ActionKind::AgeNotify => "age_notify",
        ActionKind::AgeDelete => "age_delete",
        ActionKind::Deactivate => "deactivate",
        ActionKind::Reactivate => "reactivate",
        ActionKind::Rotate => "rotate",
        ActionKind::Shadow => "shadow",
    }
}

fn outcome_label(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Done => "done",
        Outcome::Planned => "planned",
        Outcome::Failed => "FAILED",
        Outcome::Refused => "REFUSED",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(action: ActionKind, outcome: Outcome) -> ActionRecord {
        ActionRecord {
            row: Some(5),
            account: "tanaka".into(),
            access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
            owner: "田中 太郎".into(),
            action,
            outcome,
            detail: "d".into(),
        }
    }

    #[test]
    fn json_has_the_contract_fields() {
        let mut r = Report::new("2026-11-22".parse().unwrap());
        r.actions.push(record(ActionKind::Delete, Outcome::Done));
        r.actions.push(ActionRecord::alert(Outcome::Failed, "x"));
        let v: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
        assert_eq!(v["today"], "2026-11-22");
        assert_eq!(v["actions"][0]["row"], 5);
        assert_eq!(v["actions"][0]["action"], "delete");
        assert_eq!(v["actions"][0]["outcome"], "done");
        assert_eq!(v["actions"][0]["access_key_id"], "AKIAIOSFODNN7EXAMPLE");
        assert!(v["actions"][1]["row"].is_null());
        assert_eq!(v.as_object().unwrap().len(), 2, "only today and actions");
    }

    #[test]
    fn exit_code_follows_outcomes() {
        let mut r = Report::new("2026-11-22".parse().unwrap());
        r.actions.push(record(ActionKind::Skip, Outcome::Done));
        r.actions.push(record(ActionKind::Notify, Outcome::Planned));
        assert_eq!(r.exit_code(), 0);
        r.actions.push(record(ActionKind::Delete, Outcome::Refused));
        assert_eq!(r.exit_code(), 1);
    }

    #[test]
    fn table_hides_skips() {
        let mut r = Report::new("2026-11-22".parse().unwrap());
        r.actions.push(record(ActionKind::Skip, Outcome::Done));
        assert!(r.to_table().contains("Nothing needs attention"));
        r.actions.push(record(ActionKind::Delete, Outcome::Planned));
        let t = r.to_table();
        assert!(t.contains("tanaka") && t.contains("planned"), "{t}");
    }
}
