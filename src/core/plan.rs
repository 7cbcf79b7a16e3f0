//! The rules of SPEC §3: one decision per row, no I/O, no clock (today is an argument).

use std::collections::HashMap;

use chrono::{Days, NaiveDate};

use crate::core::domain::{IamUserName, RowStatus};
use crate::core::sheet::{CellProblem, Directory, Owner, RequestRow, RequestTable};

/// Settings the decisions depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    pub notify_days: u32,
    pub max_deletions: usize,
    /// `KEYWARDEN_DEACTIVATE_GRACE_DAYS` (SPEC §8): days after the end date during which the
    /// key is only set Inactive; 0 tears down the day after, as SPEC §3.
    pub deactivate_grace: u32,
}

/// What a row needs today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// `削除` in the status: already torn down.
    SkipDeleted,
    /// `延長` in the status: extended by an administrator.
    SkipExtended,
    /// A required cell is empty or unreadable: never acted on, administrators told.
    Unusable(Vec<CellProblem>),
    /// The end date has passed: tear the user down.
    Delete,
    /// The end date is near and this end date was not yet notified.
    Notify { days_left: i64 },
    /// SPEC §8 grace: the end date has passed, the key is only set Inactive for now.
    Deactivate,
    /// SPEC §8: an administrator extended a row whose key keywarden had deactivated.
    Reactivate,
    /// Nothing to do today.
    Nothing,
}

/// The decision table, first matching line wins.
pub fn decide(row: &RequestRow, today: NaiveDate, rules: Rules) -> Decision {
    match row.status {
        RowStatus::Deleted => return Decision::SkipDeleted,
        // SPEC §8: only keywarden writes 無効化日, so its key was set Inactive by us; it is set
        // Active again whether or not the grace is still configured.
        RowStatus::Extended if row.deactivated_on.is_some() => {
            return Decision::Reactivate;
        }
        RowStatus::Extended => return Decision::SkipExtended,
        RowStatus::Open => {}
    }
    let notify_days = rules.notify_days;
    let valid = match &row.valid {
        Ok(valid) => valid,
        Err(problems) => return Decision::Unusable(problems.clone()),
    };
    let end = valid.end;
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
    /// For a delete: other live rows (extended, not yet due, or unreadable) that name the same
    /// IAM user with the same key or a key that cannot be read. Deleting would cut them off, so
    /// the delete is refused.
    pub user_still_needed_by: Vec<usize>,
    /// For a delete: other live rows that name the same IAM user with a different key. Only
    /// this row's key is deleted; the user stays for them (SPEC §4 step 5).
    pub user_kept_for: Vec<usize>,
}

/// Every row's decision for one run.
#[derive(Debug, Clone)]
pub struct Plan<'a> {
    pub today: NaiveDate,
    /// Rows whose decision is not [`Decision::Nothing`], in sheet order.
    pub rows: Vec<PlannedRow<'a>>,
    pub max_deletions: usize,
    /// Live rows that hold the same access key: administrators should keep one.
    pub duplicate_keys: Vec<(String, Vec<usize>)>,
}

impl<'a> Plan<'a> {
    pub fn build(
        table: &'a RequestTable,
        directory: &Directory,
        today: NaiveDate,
        rules: Rules,
    ) -> Self {
        let decided: Vec<(&RequestRow, Decision)> = table
            .rows
            .iter()
            .map(|row| (row, decide(row, today, rules)))
            .collect();
        // Rows that keep their IAM user alive, by user name as IAM compares it (no case); only
        // the users due for a teardown are asked about, so only they are indexed.
        let mut alive: HashMap<IamUserName, Vec<&RequestRow>> = decided
            .iter()
            .filter(|(_, decision)| *decision == Decision::Delete)
            .filter_map(|(row, _)| Some((row.valid.as_ref().ok()?.account.clone(), Vec::new())))
            .collect();
        if !alive.is_empty() {
            for (row, decision) in &decided {
                if matches!(decision, Decision::Delete | Decision::SkipDeleted) {
                    continue;
                }
                if let Ok(user) = IamUserName::parse(&row.account)
                    && let Some(rows) = alive.get_mut(&user)
                {
                    rows.push(row);
                }
            }
        }
        let rows = decided
            .into_iter()
            .filter(|(_, decision)| *decision != Decision::Nothing)
            .map(|(row, decision)| {
                let owner = match (&decision, &row.valid) {
                    (
                        Decision::Delete
                        | Decision::Notify { .. }
                        | Decision::Deactivate
                        | Decision::Reactivate,
                        Ok(v),
                    ) => directory.lookup(&v.owner),
                    _ => Owner::NotFound,
                };
                let (mut user_still_needed_by, mut user_kept_for) = (Vec::new(), Vec::new());
                if let (Decision::Delete, Ok(v)) = (&decision, &row.valid) {
                    let mine = row.key_id.trim();
                    for other in alive.get(&v.account).into_iter().flatten() {
                        let theirs = other.key_id.trim();
                        if theirs.is_empty() || theirs == mine || mine.is_empty() {
                            user_still_needed_by.push(other.row);
                        } else {
                            user_kept_for.push(other.row);
                        }
                    }
                }
                PlannedRow {
                    row,
                    decision,
                    owner,
                    user_still_needed_by,
                    user_kept_for,
                }
            })
            .collect();
        // Sorted pairs instead of a map of vectors: one allocation however long the sheet.
        let mut by_key: Vec<(&str, usize)> = table
            .rows
            .iter()
            .filter(|r| r.status != RowStatus::Deleted)
            .filter_map(|r| Some((r.valid.as_ref().ok()?.key_id.as_str(), r.row)))
            .collect();
        by_key.sort_unstable();
        let mut duplicate_keys: Vec<(String, Vec<usize>)> = by_key
            .chunk_by(|a, b| a.0 == b.0)
            .filter(|same| same.len() > 1)
            .map(|same| (same[0].0.to_string(), same.iter().map(|p| p.1).collect()))
            .collect();
        duplicate_keys.sort_by_key(|(_, rows)| rows[0]);
        Plan {
            today,
            rows,
            max_deletions: rules.max_deletions,
            duplicate_keys,
        }
    }

    pub fn deletions_due(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.decision == Decision::Delete)
            .count()
    }

    /// Rows whose key this run sets Inactive (SPEC §8 grace rule).
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
    use crate::core::domain::{AccessKeyId, IamUserName, NameKey};
    use crate::core::sheet::ValidRow;
    use proptest::prelude::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn rules(notify_days: u32) -> Rules {
        Rules {
            notify_days,
            max_deletions: 10,
            deactivate_grace: 0,
        }
    }

    fn row(status: &str, end: Option<&str>, notified: Option<&str>) -> RequestRow {
        RequestRow {
            row: 2,
            status: RowStatus::classify(status),
            owner: "田中 太郎".into(),
            account: "tanaka".into(),
            key_id: "AKIAIOSFODNN7EXAMPLE".into(),
            purpose: String::new(),
            service: String::new(),
            start: String::new(),
            end: end.unwrap_or("garbage").into(),
            notified_on: notified.map(date),
            deactivated_on: None,
            pending_extension: String::new(),
            aws_account_cell: Default::default(),
            aws_account: None,
            valid: match end {
                Some(end) => Ok(ValidRow {
                    owner: NameKey::new("田中太郎").unwrap(),
                    account: IamUserName::parse("tanaka").unwrap(),
                    key_id: AccessKeyId::parse("AKIAIOSFODNN7EXAMPLE").unwrap(),
                    end: date(end),
                }),
                None => Err(vec![CellProblem {
                    cell: "I2".into(),
                    header: "利用終了日",
                    problem: "bad".into(),
                }]),
            },
        }
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
        assert!(matches!(
            decide(&row("", None, None), t, rules(7)),
            Decision::Unusable(_)
        ));
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

    proptest! {
        /// The rule that guards deletions: only an open, readable row whose end date has passed.
        #[test]
        fn never_deletes_what_spec_keeps(
            status in prop::sample::select(vec!["", "削除済み", "延長", "延長済み", "要削除", "利用中", "無効"]),
            readable in any::<bool>(),
            end_offset in -400i64..400,
            notified_offset in prop::option::of(-400i64..400),
            notify_days in 0u32..60,
        ) {
            let today = date("2026-11-22");
            let end = today + chrono::Duration::days(end_offset);
            let notified = notified_offset.map(|o| (today + chrono::Duration::days(o)).to_string());
            let end_text = end.to_string();
            let r = row(status, readable.then_some(end_text.as_str()), notified.as_deref());
            let d = decide(&r, today, rules(notify_days));
            if d == Decision::Delete {
                prop_assert!(!status.contains("削除") && !status.contains("延長"));
                prop_assert!(readable);
                prop_assert!(end < today);
            }
            if matches!(d, Decision::Notify { .. }) {
                prop_assert!(readable && end >= today && (end - today).num_days() <= notify_days as i64);
            }
        }
    }
}
