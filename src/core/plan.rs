//! The rules of docs/rules.md §3: one decision per row, no I/O, no clock (today is an argument).

use chrono::{Days, NaiveDate};

use crate::core::domain::RowStatus;
use crate::core::sheet::{Directory, Holdings, Owner, RequestRow, RequestTable};

/// Settings the decisions depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    pub notify_days: u32,
    pub max_deletions: usize,
    /// `KEYWARDEN_DEACTIVATE_GRACE_DAYS` (docs/rules.md §8): days after the end date during which the
    /// key is only set Inactive; 0 tears down the day after, as docs/rules.md §3.
    pub deactivate_grace: u32,
}

/// What a row needs today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// `削除` in the status: already torn down.
    SkipDeleted,
    /// `延長` in the status: extended by an administrator.
    SkipExtended,
    /// `却下` in the status: a key request an administrator rejected; nothing was issued.
    SkipRejected,
    /// A required cell is empty or unreadable: never acted on, administrators told (what is
    /// wrong is the row's own: [`RequestRow::valid`]).
    Unusable,
    /// The end date has passed: tear the user down.
    Delete,
    /// The end date is near and this end date was not yet notified.
    Notify { days_left: i64 },
    /// docs/rules.md §8 grace: the end date has passed, the key is only set Inactive for now.
    Deactivate,
    /// docs/rules.md §8: a row whose key keywarden had deactivated was extended (`延長`, or its end
    /// date moved past today).
    Reactivate,
    /// Nothing to do today.
    Nothing,
}

/// The decision of a row the run skips whatever the day (`削除`, `延長` without a key
/// keywarden deactivated, `却下`): the table's first lines, from the status cell alone.
/// `None` for every other row.
pub fn skip(row: &RequestRow) -> Option<Decision> {
    match row.status {
        RowStatus::Deleted => Some(Decision::SkipDeleted),
        // docs/rules.md §8: only keywarden writes 無効化日, so its key was set Inactive by us; it is set
        // Active again whether or not the grace is still configured.
        RowStatus::Extended if row.deactivated_on.is_some() => None,
        RowStatus::Extended => Some(Decision::SkipExtended),
        RowStatus::Open => row
            .status_text()
            .contains(crate::core::issue::REJECTED_MARK)
            .then_some(Decision::SkipRejected),
    }
}

/// The decision table, first matching line wins.
pub fn decide(row: &RequestRow, today: NaiveDate, rules: Rules) -> Decision {
    if let Some(skip) = skip(row) {
        return skip;
    }
    // An extended row not skipped is one whose key keywarden had deactivated.
    if row.status == RowStatus::Extended {
        return Decision::Reactivate;
    }
    let notify_days = rules.notify_days;
    let Ok(valid) = row.valid() else {
        return Decision::Unusable;
    };
    let end = valid.end;
    // docs/rules.md §8: the end date of a row whose key keywarden set Inactive was moved past today
    // (an approved extension, or by hand): the key is set Active again.
    if row.deactivated_on.is_some() && today <= end {
        return Decision::Reactivate;
    }
    if today > end {
        let grace_end = end
            .checked_add_days(Days::new(rules.deactivate_grace.into()))
            .unwrap_or(end);
        return match (today > grace_end, row.deactivated_on.is_some()) {
            (true, _) => Decision::Delete,
            (false, false) => Decision::Deactivate,
            (false, true) => Decision::Nothing,
        };
    }
    let window_start = end
        .checked_sub_days(Days::new(notify_days.into()))
        .unwrap_or(end);
    let notified = row.notified_on.is_some_and(|d| d >= window_start);
    if today >= window_start && !notified {
        Decision::Notify {
            days_left: (end - today).num_days(),
        }
    } else {
        Decision::Nothing
    }
}

/// A row that needs something, with its owner looked up.
#[derive(Debug, Clone)]
pub struct PlannedRow<'a> {
    pub row: &'a RequestRow,
    pub decision: Decision,
    pub owner: Owner,
}

/// Every row's decision for one run.
#[derive(Debug, Clone)]
pub struct Plan<'a> {
    pub today: NaiveDate,
    /// Rows whose decision is neither [`Decision::Nothing`] nor a [`skip`], in sheet order.
    /// A skip is only ever a line of the report, made again from the row when the report is:
    /// an entry for each of a long sheet's tens of thousands of `削除済み` rows, held while
    /// IAM works, was 2 MB of the run's peak at 100,000 rows (docs/benchmark.md).
    pub rows: Vec<PlannedRow<'a>>,
    pub max_deletions: usize,
}

impl<'a> Plan<'a> {
    /// Every row's decision.
    pub fn build(
        table: &'a RequestTable,
        directory: &Directory,
        today: NaiveDate,
        rules: Rules,
    ) -> Self {
        // One pass, no list of every row's decision on the way (docs/benchmark.md).
        let rows = table
            .rows
            .iter()
            .filter(|row| skip(row).is_none())
            .map(|row| (row, decide(row, today, rules)))
            .filter(|(_, decision)| *decision != Decision::Nothing)
            .map(|(row, decision)| {
                let owner = match (&decision, &row.valid()) {
                    (
                        Decision::Delete
                        | Decision::Notify { .. }
                        | Decision::Deactivate
                        | Decision::Reactivate,
                        Ok(v),
                    ) => directory.lookup(&v.owner),
                    _ => Owner::NotFound,
                };
                PlannedRow {
                    row,
                    decision,
                    owner,
                }
            })
            .collect();
        Plan {
            today,
            rows,
            max_deletions: rules.max_deletions,
        }
    }

    /// The one index of what the whole sheet holds, each row with whether it is due for
    /// deletion today: what the proof, the key rules and the duplicate-key alert ask.
    pub fn holdings(&self, table: &'a RequestTable) -> Holdings<'a> {
        let due: Vec<usize> = self
            .rows
            .iter()
            .filter(|p| p.decision == Decision::Delete)
            .map(|p| p.row.row)
            .collect();
        Holdings::of_rows(
            table
                .rows
                .iter()
                .map(|r| (r, due.binary_search(&r.row).is_ok())),
        )
    }

    pub fn deletions_due(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.decision == Decision::Delete)
            .count()
    }

    /// Rows whose key this run sets Inactive (docs/rules.md §8 grace rule).
    pub fn deactivations_due(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.decision == Decision::Deactivate)
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::fixtures::{date, request_row};
    use crate::core::sheet::Text;
    use proptest::prelude::*;

    fn rules(notify_days: u32) -> Rules {
        Rules {
            notify_days,
            max_deletions: 10,
            deactivate_grace: 0,
        }
    }

    fn row(status: &str, end: Option<&str>, notified: Option<&str>) -> RequestRow {
        let row = request_row()
            .with(Text::Status, status)
            .with(Text::End, end.unwrap_or("garbage"));
        let mut row = match end {
            Some(end) => row.valid_until(date(end)),
            None => row.invalid(vec![crate::core::sheet::CellProblem {
                cell: "I2".into(),
                header: "利用終了日",
                problem: crate::core::sheet::Problem::Empty(crate::core::sheet::Needed::End),
            }]),
        };
        row.notified_on = notified.map(date);
        row
    }

    #[test]
    fn each_line_of_the_decision_table() {
        let t = date("2026-11-22");
        assert_eq!(
            decide(&row("削除済み", Some("2026-01-01"), None), t, rules(7)),
            Decision::SkipDeleted
        );
        assert_eq!(
            decide(&row("延長", Some("2026-01-01"), None), t, rules(7)),
            Decision::SkipExtended
        );
        // A rejected request: whatever its cells, never acted on, never unusable.
        assert_eq!(
            decide(&row("却下", None, None), t, rules(7)),
            Decision::SkipRejected
        );
        assert_eq!(
            decide(&row("却下", Some("2026-01-01"), None), t, rules(7)),
            Decision::SkipRejected
        );
        assert_eq!(
            decide(&row("延長 却下", Some("2026-01-01"), None), t, rules(7)),
            Decision::SkipExtended,
            "延長 comes first"
        );
        assert_eq!(
            decide(&row("", None, None), t, rules(7)),
            Decision::Unusable
        );
        assert_eq!(
            decide(&row("", Some("2026-11-21"), None), t, rules(7)),
            Decision::Delete
        );
        assert_eq!(
            decide(&row("", Some("2026-11-22"), None), t, rules(7)),
            Decision::Notify { days_left: 0 }
        );
        assert_eq!(
            decide(&row("", Some("2026-11-29"), None), t, rules(7)),
            Decision::Notify { days_left: 7 }
        );
        assert_eq!(
            decide(&row("", Some("2026-11-30"), None), t, rules(7)),
            Decision::Nothing
        );
    }

    #[test]
    fn a_missed_day_still_notifies_once() {
        let t = date("2026-11-25");
        assert_eq!(
            decide(&row("", Some("2026-11-29"), None), t, rules(7)),
            Decision::Notify { days_left: 4 }
        );
        assert_eq!(
            decide(
                &row("", Some("2026-11-29"), Some("2026-11-22")),
                t,
                rules(7)
            ),
            Decision::Nothing
        );
        assert_eq!(
            decide(
                &row("", Some("2026-11-29"), Some("2026-11-25")),
                t,
                rules(7)
            ),
            Decision::Nothing
        );
    }

    #[test]
    fn a_moved_end_date_gets_a_fresh_notice() {
        let t = date("2027-01-25");
        let moved = row("", Some("2027-01-31"), Some("2026-11-22"));
        assert_eq!(
            decide(&moved, t, rules(7)),
            Decision::Notify { days_left: 6 }
        );
    }

    #[test]
    fn notify_days_is_configurable() {
        let t = date("2026-11-15");
        assert_eq!(
            decide(&row("", Some("2026-11-29"), None), t, rules(14)),
            Decision::Notify { days_left: 14 }
        );
        assert_eq!(
            decide(&row("", Some("2026-11-29"), None), t, rules(7)),
            Decision::Nothing
        );
    }

    #[test]
    fn an_extension_reactivates_whether_or_not_the_grace_is_still_on() {
        let t = date("2026-11-22");
        let mut r = row("延長", Some("2026-11-20"), None);
        r.deactivated_on = Some(date("2026-11-21"));
        for grace in [0, 3] {
            let rules = Rules {
                deactivate_grace: grace,
                ..rules(7)
            };
            assert_eq!(decide(&r, t, rules), Decision::Reactivate, "grace {grace}");
        }
        r.deactivated_on = None;
        assert_eq!(decide(&r, t, rules(7)), Decision::SkipExtended);
    }

    #[test]
    fn a_deactivated_row_whose_end_date_moved_past_today_is_reactivated() {
        let t = date("2026-11-22");
        let rules = Rules {
            deactivate_grace: 3,
            ..rules(7)
        };
        let mut r = row("無効化済み", Some("2026-12-31"), None);
        r.deactivated_on = Some(date("2026-11-21"));
        assert_eq!(decide(&r, t, rules), Decision::Reactivate);
        let mut still = row("無効化済み", Some("2026-11-20"), None);
        still.deactivated_on = Some(date("2026-11-21"));
        assert_eq!(
            decide(&still, t, rules),
            Decision::Nothing,
            "still in its grace"
        );
    }

    proptest! {
        /// The rule that guards deletions: only an open, readable row whose end date has passed.
        #[test]
        fn never_deletes_what_spec_keeps(
            status in prop::sample::select(vec!["", "削除済み", "延長", "延長済み", "要削除", "利用中", "無効", "却下", "申請中"]),
            readable in any::<bool>(),
            end_offset in -400i64..400,
            notified_offset in prop::option::of(-400i64..400),
            notify_days in 0u32..60,
            deactivated in any::<bool>(),
        ) {
            let today = date("2026-11-22");
            let end = today + chrono::Duration::days(end_offset);
            let notified = notified_offset.map(|o| (today + chrono::Duration::days(o)).to_string());
            let end_text = end.to_string();
            let r = row(status, readable.then_some(end_text.as_str()), notified.as_deref());
            let d = decide(&r, today, rules(notify_days));
            if d == Decision::Delete {
                prop_assert!(!status.contains("削除") && !status.contains("延長") && !status.contains("却下"));
                prop_assert!(readable);
                prop_assert!(end < today);
            }
            if matches!(d, Decision::Notify { .. }) {
                prop_assert!(readable && end >= today && (end - today).num_days() <= notify_days as i64);
            }
            // The skips the plan leaves out are exactly the table's: the report's lines of
            // them are made from `skip` alone.
            let mut r = r;
            r.deactivated_on = deactivated.then(|| date("2026-11-01"));
            let d = decide(&r, today, rules(notify_days));
            let skipped = matches!(d, Decision::SkipDeleted | Decision::SkipExtended | Decision::SkipRejected);
            prop_assert_eq!(skip(&r), skipped.then_some(d));
        }
    }
}
