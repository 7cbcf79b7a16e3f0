//! The result of a run: one record per action (docs/rules.md §6), as JSON or as a table for people.

use chrono::NaiveDate;
use serde::Serialize;

use crate::core::ahead::Upcoming;
use crate::core::domain::SlackUserId;
use crate::core::outcome::{Action, ActionOutcome, Lang, Teardown, records};
pub use crate::core::outcome::{ActionKind, ActionRecord, Outcome};

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
    /// Whether this run changed nothing (`plan`, `run --dry-run`, `demo`).
    pub dry_run: bool,
    pub actions: Vec<ActionRecord>,
    /// One ID per run, also in every line the run appends to the log sheet.
    pub run_id: String,
    /// `plan --days N`: what each of the next N days brings, from the sheet alone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ahead: Option<Vec<Upcoming>>,
    /// How many days `ahead` covers.
    #[serde(skip)]
    pub days_ahead: u32,
    /// Why nothing could run (exit 2); absent when the run ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
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
            dry_run: false,
            actions: Vec::new(),
            run_id: String::new(),
            ahead: None,
            days_ahead: 0,
            error: None,
            messages: Vec::new(),
            iam_steps: Vec::new(),
        }
    }

    /// The report of a run that could not start or read its sheets (exit 2).
    pub fn failed(today: NaiveDate, run_id: &str, dry_run: bool, error: &str) -> Self {
        Report {
            dry_run,
            run_id: run_id.to_string(),
            error: Some(error.to_string()),
            ..Report::new(today)
        }
    }

    /// The report of a run, derived from its outcomes and the summaries sent to administrators.
    pub fn build(
        today: NaiveDate,
        run_id: &str,
        outcomes: &[ActionOutcome],
        summaries: Vec<Message>,
    ) -> Self {
        let mut messages: Vec<Message> = outcomes
            .iter()
            .flat_map(|o| {
                let button =
                    matches!(&o.action, Action::Notice { notice, .. } if notice.with_button);
                o.messages().map(move |(to, text)| Message {
                    to: to.clone(),
                    text: if button {
                        format!("{text}\n[ボタン: 延長を申請する]")
                    } else {
                        text.to_string()
                    },
                })
            })
            .collect();
        messages.extend(summaries);
        let iam_steps = outcomes
            .iter()
            .filter_map(|o| match &o.action {
                Action::Teardown(Teardown::Planned { steps })
                | Action::Teardown(Teardown::TornDown { steps, .. }) => Some((
                    o.subject.user.to_string(),
                    steps.iter().map(|s| s.to_string()).collect(),
                )),
                _ => None,
            })
            .collect();
        let mut actions = records(outcomes, Lang::En);
        for a in &mut actions {
            a.days_left = a.end_date.map(|end| (end - today).num_days());
        }
        Report {
            today,
            dry_run: false,
            actions,
            run_id: run_id.to_string(),
            ahead: None,
            days_ahead: 0,
            error: None,
            messages,
            iam_steps,
        }
    }

    /// Merges the skipped rows' lines (in sheet order) into the first `in_row_order.len()`
    /// lines, which are those outcomes' lines, in sheet order too: the report reads as if
    /// every skip had been an outcome of its own, sorted with the others by row.
    pub fn with_skipped(
        mut self,
        in_row_order: &[ActionOutcome],
        skipped: impl IntoIterator<Item = ActionRecord>,
    ) -> Self {
        let skipped = skipped.into_iter();
        let count = skipped.size_hint().1.unwrap_or_default();
        let rest = self.actions.split_off(in_row_order.len());
        let sorted = std::mem::take(&mut self.actions);
        let mut actions = Vec::with_capacity(sorted.len() + count + rest.len());
        let today = self.today;
        let mut skipped = skipped.map(|mut s| {
            s.days_left = s.end_date.map(|end| (end - today).num_days());
            s
        });
        let mut skipped = skipped.by_ref().peekable();
        for (line, o) in sorted.into_iter().zip(in_row_order) {
            // A skip goes before the outcome of a later row (and, as the stable sort of all
            // of them did, before one of its own row; an outcome of no row comes first).
            while let Some(skip) = skipped.next_if(|s| s.row <= o.subject.row) {
                actions.push(skip);
            }
            actions.push(line);
        }
        actions.extend(skipped);
        actions.extend(rest);
        self.actions = actions;
        self
    }

    /// docs/rules.md §6: 0 when every action succeeded, 1 when any failed or was refused.
    pub fn exit_code(&self) -> i32 {
        if self.error.is_some() {
            return 2;
        }
        let bad = self.actions.iter().any(|a| a.outcome.is_problem());
        i32::from(bad)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("report serialises")
    }

    /// [`Self::to_json`] and a newline, written as it is made: a large report is never held
    /// twice, as a struct and as text.
    pub fn write_json(&self, out: impl std::io::Write) -> std::io::Result<()> {
        use std::io::Write;
        let mut out = std::io::BufWriter::new(out);
        serde_json::to_writer_pretty(&mut out, self)?;
        writeln!(out)?;
        out.flush()
    }

    /// [`Self::to_table_width`] at 160 columns, for output that is not a terminal (a file or a
    /// pipe keeps long details on fewer lines).
    pub fn to_table(&self) -> String {
        self.to_table_width(160)
    }

    /// The rows that need attention as a table at most `width` columns wide (the detail
    /// column wraps), then a one-line summary.
    pub fn to_table_width(&self, width: u16) -> String {
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
            // The AWS account column appears once the run knows an action's account
            // (docs/rules.md §10).
            let with_aws = shown.iter().any(|a| a.aws_account.is_some());
            let mut header = vec!["row", "action", "outcome"];
            if with_aws {
                header.push("AWS account");
            }
            header.extend(["account", "access key", "owner", "detail"]);
            let mut table = Table::new();
            table
                .load_style(UTF8_FULL_CONDENSED)
                .set_content_arrangement(ContentArrangement::Dynamic)
                .set_width(width.max(60))
                .set_header(header);
            for a in &shown {
                let mut cells: Vec<String> = vec![
                    a.row.map(|r| r.to_string()).unwrap_or_else(|| "-".into()),
                    a.action.label().into(),
                    a.outcome.label(Lang::En).into(),
                ];
                if with_aws {
                    cells.push(match (&a.aws_account, &a.aws_account_alias) {
                        (Some(id), Some(alias)) => format!("{alias} ({id})"),
                        (Some(id), None) => id.to_string(),
                        (None, _) => "-".into(),
                    });
                }
                cells.extend([
                    a.user.to_string(),
                    a.access_key_id.to_string(),
                    a.owner.to_string(),
                    a.detail.to_string(),
                ]);
                table.add_row(cells);
            }
            out.push_str(&table.to_string());
            out.push('\n');
        }
        let count = |k: ActionKind| self.actions.iter().filter(|a| a.action == k).count();
        let failed = self
            .actions
            .iter()
            .filter(|a| a.outcome.is_problem())
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
        if let Some(ahead) = &self.ahead {
            out.push_str(&ahead_table(self.today, self.days_ahead, ahead));
        }
        out
    }
}

/// `plan --days N`: the days ahead by date, saying what they are made of.
fn ahead_table(today: NaiveDate, days: u32, ahead: &[Upcoming]) -> String {
    use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
    let first = today.succ_opt().unwrap_or(today);
    let last = today
        .checked_add_days(chrono::Days::new(days.into()))
        .unwrap_or(today);
    let mut out = format!(
        "\nThe next {days} day(s), {first} to {last}, from the sheet alone (IAM is not read for \
         these days: a teardown may still be refused on its day, and the key rules are not \
         included; each day assumes the runs before it did what was due):\n"
    );
    if ahead.is_empty() {
        out.push_str("Nothing is due on these days.\n");
        return out;
    }
    let mut table = Table::new();
    table
        .load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(160)
        .set_header(["date", "row", "action", "account", "access key", "owner"]);
    for u in ahead {
        table.add_row([
            u.date.format("%Y-%m-%d").to_string(),
            u.row.to_string(),
            u.action.label().into(),
            u.user.to_string(),
            u.access_key_id.to_string(),
            u.owner.to_string(),
        ]);
    }
    out.push_str(&table.to_string());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(action: ActionKind, outcome: Outcome) -> ActionRecord {
        ActionRecord {
            row: Some(5),
            user: "tanaka".into(),
            access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
            owner: "田中 太郎".into(),
            action,
            outcome,
            detail: "d".into(),
            end_date: "2026-11-29".parse().ok(),
            days_left: Some(7),
            aws_account: None,
            aws_account_alias: None,
        }
    }

    #[test]
    fn json_has_the_contract_fields() {
        let mut r = Report::new("2026-11-22".parse().unwrap());
        r.actions.push(record(ActionKind::Delete, Outcome::Done));
        r.actions.push(ActionRecord {
            row: None,
            action: ActionKind::Alert,
            ..record(ActionKind::Alert, Outcome::Failed)
        });
        let v: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
        assert_eq!(v["today"], "2026-11-22");
        assert_eq!(v["actions"][0]["row"], 5);
        assert_eq!(v["actions"][0]["action"], "delete");
        assert_eq!(v["actions"][0]["outcome"], "done");
        assert_eq!(v["actions"][0]["access_key_id"], "AKIAIOSFODNN7EXAMPLE");
        assert!(v["actions"][1]["row"].is_null());
        assert_eq!(v["actions"][0]["end_date"], "2026-11-29");
        assert_eq!(v["actions"][0]["days_left"], 7);
        assert_eq!(v["dry_run"], false);
        assert_eq!(
            v.as_object().unwrap().len(),
            4,
            "today, dry_run, actions and run_id; an error only when nothing ran"
        );
        r.ahead = Some(Vec::new());
        let v: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
        assert_eq!(v["ahead"], serde_json::json!([]), "plan --days adds ahead");
    }

    #[test]
    fn a_run_that_could_not_start_reports_its_error_and_exits_2() {
        let r = Report::failed(
            "2026-11-22".parse().unwrap(),
            "20261122T150003-9f86d081",
            true,
            "sheet not found",
        );
        assert_eq!(r.exit_code(), 2);
        let v: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
        assert_eq!(v["error"], "sheet not found");
        assert_eq!(v["run_id"], "20261122T150003-9f86d081");
        assert_eq!(v["dry_run"], true);
        assert_eq!(v["actions"], serde_json::json!([]));
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
    fn table_shows_the_days_ahead() {
        let mut r = Report::new("2026-11-22".parse().unwrap());
        r.days_ahead = 3;
        r.ahead = Some(vec![Upcoming {
            date: "2026-11-24".parse().unwrap(),
            row: 4,
            user: "tanaka".into(),
            access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
            owner: "田中 太郎".into(),
            action: ActionKind::Delete,
        }]);
        let t = r.to_table();
        assert!(
            t.contains("2026-11-23 to 2026-11-25")
                && t.contains("IAM is not read")
                && t.contains("2026-11-24")
                && t.contains("delete"),
            "{t}"
        );
        r.ahead = Some(Vec::new());
        assert!(r.to_table().contains("Nothing is due on these days"));
    }

    #[test]
    fn the_table_fits_the_width_it_is_given() {
        let mut r = Report::new("2026-11-22".parse().unwrap());
        r.actions.push(ActionRecord {
            detail: "the user has keys but not the row's key; correct アクセスキーID or the \
                     user name, then run again: nothing was changed in IAM or the sheet"
                .into(),
            ..record(ActionKind::Delete, Outcome::Refused)
        });
        for width in [80u16, 100, 120] {
            let table = r.to_table_width(width);
            // Display width: the full-width characters count two columns.
            let widest = table
                .lines()
                .map(|l| {
                    l.chars()
                        .map(|c| if (c as u32) >= 0x3000 { 2 } else { 1 })
                        .sum::<usize>()
                })
                .max()
                .unwrap();
            assert!(widest <= width as usize, "{widest} > {width}:\n{table}");
            assert!(table.contains("nothing"), "{table}");
        }
    }

    #[test]
    fn skipped_lines_are_merged_in_sheet_order() {
        use crate::core::outcome::{Alert, Subject};
        let today = "2026-11-22".parse().unwrap();
        let at = |row: Option<usize>| {
            let mut o = ActionOutcome::alert(Alert::OutOfTime);
            o.subject = Subject {
                row,
                ..Subject::default()
            };
            o
        };
        // Outcomes in row order (one of no row first), then a run-wide line after them.
        let outcomes = [at(None), at(Some(3)), at(Some(7)), at(None)];
        let skip = |row: usize| ActionRecord {
            row: Some(row),
            end_date: "2026-11-29".parse().ok(),
            days_left: None,
            ..record(ActionKind::Skip, Outcome::Done)
        };
        let report = Report::build(today, "r", &outcomes, Vec::new())
            .with_skipped(&outcomes[..3], vec![skip(2), skip(3), skip(5), skip(9)]);
        let rows: Vec<(Option<usize>, ActionKind)> =
            report.actions.iter().map(|a| (a.row, a.action)).collect();
        use ActionKind::{Alert as A, Skip as S};
        assert_eq!(
            rows,
            [
                (None, A),
                (Some(2), S),
                (Some(3), S),
                (Some(3), A),
                (Some(5), S),
                (Some(7), A),
                (Some(9), S),
                (None, A),
            ]
        );
        assert!(
            report.actions[1..]
                .iter()
                .filter(|a| a.action == S)
                .all(|a| a.days_left == Some(7)),
            "a skipped line's days left are counted like any other's"
        );
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

    #[test]
    fn the_aws_account_is_in_the_json_and_the_table() {
        let mut r = Report::new("2026-11-22".parse().unwrap());
        r.actions.push(ActionRecord {
            aws_account: Some("123456789012".into()),
            aws_account_alias: Some("本番".into()),
            ..record(ActionKind::Delete, Outcome::Planned)
        });
        r.actions.push(record(ActionKind::Alert, Outcome::Failed));
        let v: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
        assert_eq!(v["actions"][0]["aws_account"], "123456789012");
        assert_eq!(v["actions"][0]["aws_account_alias"], "本番");
        assert!(
            v["actions"][1].get("aws_account").is_none(),
            "absent when unknown"
        );
        let t = r.to_table();
        assert!(
            t.contains("AWS account") && t.contains("本番 (123456789012)"),
            "{t}"
        );
    }
}
