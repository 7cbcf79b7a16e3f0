//! The days ahead (`plan --days N`, and the week at the end of the administrators' summary):
//! what the request sheet as it stands makes happen on each of the next days. From the sheet
//! alone: IAM is not read for those days, so a teardown listed here may still be refused on
//! its day, and the key rules (age, unused keys, rotation) are not foreseen.

use chrono::{Days, NaiveDate};
use compact_str::CompactString;
use serde::Serialize;

use crate::core::domain::RowStatus;
use crate::core::outcome::ActionKind;
use crate::core::plan::{Decision, Rules, decide};
use crate::core::sheet::RequestRow;

/// The administrators' summary ends with the teardowns and deactivations of this many days.
pub const SUMMARY_DAYS: u32 = 7;

/// One thing due on one day ahead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Upcoming {
    #[serde(serialize_with = "iso_date")]
    pub date: NaiveDate,
    pub row: usize,
    /// The IAM user name (`アカウント名`); the report's field keeps its contracted name.
    #[serde(rename = "account")]
    pub user: CompactString,
    #[serde(skip)]
    pub access_key_id: CompactString,
    #[serde(skip)]
    pub owner: CompactString,
    pub action: ActionKind,
}

fn iso_date<S: serde::Serializer>(date: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&date.format("%Y-%m-%d").to_string())
}

/// Everything due on `today + 1` … `today + days`, by date then row. Each day sees the sheet
/// as the runs before it leave it: today's run and each later one are assumed to do what they
/// are due to do (a notice is sent once, a deactivated key waits out its grace, a torn-down
/// row is done), so a row appears on the day things happen to it, not on every day after.
pub fn upcoming(rows: &[RequestRow], today: NaiveDate, rules: Rules, days: u32) -> Vec<Upcoming> {
    let Some(horizon) = today.checked_add_days(Days::new(days.into())) else {
        return Vec::new();
    };
    // A row whose notice window opens after the horizon has nothing ahead: not copied.
    let latest_end = horizon
        .checked_add_days(Days::new(rules.notify_days.into()))
        .unwrap_or(NaiveDate::MAX);
    let mut due = Vec::new();
    for row in rows {
        let relevant =
            row.status != RowStatus::Deleted && row.valid().is_ok_and(|v| v.end <= latest_end);
        if days == 0 || !relevant {
            continue;
        }
        let mut state = row.clone();
        let mut day = today;
        while day <= horizon {
            let action = match decide(&state, day, rules) {
                Decision::Notify { .. } => {
                    state.notified_on = Some(day);
                    Some(ActionKind::Notify)
                }
                Decision::Deactivate => {
                    state.deactivated_on = Some(day);
                    Some(ActionKind::Deactivate)
                }
                Decision::Reactivate => {
                    state.deactivated_on = None;
                    Some(ActionKind::Reactivate)
                }
                Decision::Delete => {
                    state.status = RowStatus::Deleted;
                    Some(ActionKind::Delete)
                }
                _ => None,
            };
            if let Some(action) = action
                && day > today
            {
                due.push(Upcoming {
                    date: day,
                    row: row.row,
                    user: row.user().into(),
                    access_key_id: row.key_id().into(),
                    owner: row.owner().into(),
                    action,
                });
            }
            if state.status == RowStatus::Deleted {
                break;
            }
            day = match day.succ_opt() {
                Some(next) => next,
                None => break,
            };
        }
    }
    due.sort_by_key(|u| (u.date, u.row));
    due
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::fixtures::{date, request_row};
    use crate::core::sheet::Text;

    fn rules(grace: u32) -> Rules {
        Rules {
            notify_days: 7,
            max_deletions: 10,
            deactivate_grace: grace,
        }
    }

    fn row(n: usize, status: &str, end: &str, notified: Option<&str>) -> RequestRow {
        let mut row = request_row()
            .with(Text::Status, status)
            .with(Text::User, &format!("user{n}"))
            .with(Text::End, end)
            .valid_until(date(end));
        row.row = n;
        row.notified_on = notified.map(date);
        row
    }

    fn seen(items: &[Upcoming]) -> Vec<(String, usize, &'static str)> {
        items
            .iter()
            .map(|u| (u.date.to_string(), u.row, u.action.label()))
            .collect()
    }

    #[test]
    fn rows_due_on_different_days() {
        let today = date("2026-11-22");
        let rows = [
            // notified today, ends on the 24th: torn down on the 25th
            row(2, "", "2026-11-24", Some("2026-11-22")),
            // its notice window opens on the 26th (end 12-03)
            row(3, "", "2026-12-03", None),
            // due today: today's run does it, nothing ahead
            row(4, "", "2026-11-21", None),
            // extended, deleted: nothing
            row(5, "延長", "2026-11-23", None),
            row(6, "削除済み", "2026-11-23", None),
            // far away
            row(7, "", "2999-12-31", None),
        ];
        let items = upcoming(&rows, today, rules(0), 7);
        assert_eq!(
            seen(&items),
            [
                ("2026-11-25".into(), 2, "delete"),
                ("2026-11-26".into(), 3, "notify"),
            ]
        );
        assert!(upcoming(&rows, today, rules(0), 0).is_empty());
        assert_eq!(seen(&upcoming(&rows, today, rules(0), 2)), []);
    }

    #[test]
    fn a_notice_due_today_is_not_repeated_ahead() {
        let today = date("2026-11-22");
        let rows = [row(2, "", "2026-11-27", None)];
        assert_eq!(
            seen(&upcoming(&rows, today, rules(0), 7)),
            [("2026-11-28".into(), 2, "delete")]
        );
    }

    #[test]
    fn the_grace_period_deactivates_then_deletes() {
        let today = date("2026-11-22");
        let rows = [row(2, "", "2026-11-23", Some("2026-11-22"))];
        assert_eq!(
            seen(&upcoming(&rows, today, rules(3), 7)),
            [
                ("2026-11-24".into(), 2, "deactivate"),
                ("2026-11-27".into(), 2, "delete"),
            ]
        );
    }

    #[test]
    fn json_has_the_contract_fields() {
        let today = date("2026-11-22");
        let items = upcoming(
            &[row(2, "", "2026-11-23", Some("2026-11-22"))],
            today,
            rules(0),
            7,
        );
        let v = serde_json::to_value(&items[0]).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"date": "2026-11-24", "row": 2, "account": "user2", "action": "delete"})
        );
    }
}
