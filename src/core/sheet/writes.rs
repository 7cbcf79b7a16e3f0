//! Which cells a run writes, and where its rows are now (docs/rules.md §4 step 8): pure, given the sheet
//! as re-read just before writing. Administrators edit while the job runs, so each change is
//! written where its row (same IAM user and key) is now, and not at all when no single row
//! holds them any more. `状態` is written only while it still holds what the run read: an
//! administrator who typed `延長` meanwhile keeps it (the change is still reported as made).

use chrono::NaiveDate;

use super::Holdings;
use super::{CellWrite, OwnColumn, OwnColumns, RequestLayout, RequestTable, a1_cell};
use crate::core::domain::{AccessKeyId, DEACTIVATED_MARK, DELETED_MARK};
use crate::core::outcome::{CellChange, NotWrittenWhy, SheetChange, WriteResult};

/// The cells to send in one request, and the result of each change in the order given (a
/// `Written` result still depends on that request succeeding).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WritePlan {
    pub cells: Vec<CellWrite>,
    pub results: Vec<WriteResult>,
}

/// Plans `changes` against `table`. Columns keywarden creates (`通知日`, `無効化日`) are
/// placed by [`OwnColumns::place`], the rule the extension endpoint follows too.
pub fn plan(table: &RequestTable, changes: &[&SheetChange]) -> WritePlan {
    let status_now = |row: usize| {
        table
            .rows
            .binary_search_by_key(&row, |r| r.row)
            .map(|i| table.rows[i].status_text().to_string())
            .unwrap_or_default()
    };
    plan_at(
        &table.sheet,
        &table.layout,
        &table.holdings(),
        &status_now,
        changes,
    )
}

/// [`plan`] against only what a write needs: row 1 (`layout`), where each (IAM user, key)
/// is now (`holdings`) and the `状態` of a row now (`status_now`, empty when the cell is), as
/// re-checked just before writing.
pub fn plan_at(
    sheet: &str,
    layout: &RequestLayout,
    holdings: &Holdings,
    status_now: &dyn Fn(usize) -> String,
    changes: &[&SheetChange],
) -> WritePlan {
    let needs = |f: fn(&CellChange) -> bool| changes.iter().any(|c| f(&c.change));
    let needed: Vec<OwnColumn> = [
        (
            OwnColumn::Notified,
            needs(|c| matches!(c, CellChange::Notified(_))),
        ),
        (
            OwnColumn::Deactivated,
            needs(|c| {
                matches!(
                    c,
                    CellChange::Deactivated(_) | CellChange::Reactivated { .. }
                )
            }),
        ),
    ]
    .into_iter()
    .filter_map(|(column, needed)| needed.then_some(column))
    .collect();
    let own = OwnColumns::place(layout, &needed);
    let mut cells: Vec<CellWrite> = own
        .created
        .iter()
        .map(|(col, header)| CellWrite {
            range: a1_cell(sheet, *col, 1),
            value: header.to_string(),
        })
        .collect();
    let notified_col = own.col(OwnColumn::Notified);
    let deactivated_col = own.col(OwnColumn::Deactivated);
    let date = |d: &NaiveDate| d.format("%Y-%m-%d").to_string();
    let mut results = Vec::with_capacity(changes.len());
    for c in changes {
        let row = match &c.change {
            // A rotated key ID goes to the row holding the old key, whatever user it names: a
            // mistyped name must not lose the only record of the new key.
            CellChange::KeyReplaced(_) => locate_key(holdings, &c.key),
            _ => holdings
                .locate(c.row, &c.user, &c.key)
                .ok_or_else(|| NotWrittenWhy::RowGone {
                    account: c.user.clone(),
                    key: c.key.clone(),
                }),
        };
        let row = match row {
            Ok(row) => row,
            Err(why) => {
                results.push(WriteResult::NotWritten { why });
                continue;
            }
        };
        // An administrator changed `状態` since the run read it: theirs stays.
        let writes_status = matches!(
            c.change,
            CellChange::Deleted | CellChange::Deactivated(_) | CellChange::Reactivated { .. }
        );
        let edited = c
            .status_read
            .as_deref()
            .filter(|_| writes_status)
            .map(|read| (read, status_now(row)))
            .filter(|(read, now)| read != now)
            .map(|(_, now)| now);
        let status_col = edited.is_none().then_some(layout.status);
        let mut cell = |col: Option<usize>, value: String| {
            if let Some(col) = col {
                cells.push(CellWrite {
                    range: a1_cell(sheet, col, row),
                    value,
                });
            }
        };
        match &c.change {
            CellChange::Deleted => cell(status_col, DELETED_MARK.to_string()),
            CellChange::Notified(day) => cell(notified_col, date(day)),
            CellChange::Deactivated(day) => {
                cell(status_col, DEACTIVATED_MARK.to_string());
                cell(deactivated_col, date(day));
            }
            CellChange::Reactivated { status } => {
                cell(status_col, status.clone());
                cell(deactivated_col, String::new());
            }
            CellChange::KeyReplaced(new) => cell(Some(layout.key_id), new.to_string()),
        }
        results.push(match edited {
            None => WriteResult::Written { row },
            Some(status) => WriteResult::StatusKept { row, status },
        });
    }
    WritePlan { cells, results }
}

/// The one row holding `key` now, whatever user it names; none, or several (no guess), is
/// why nothing is written.
fn locate_key(holdings: &Holdings, key: &AccessKeyId) -> Result<usize, NotWrittenWhy> {
    let rows: Vec<usize> = holdings.holders(key).map(|h| h.row()).collect();
    match rows.as_slice() {
        [only] => Ok(*only),
        _ => Err(NotWrittenWhy::KeyNotHeldOnce {
            key: key.clone(),
            rows,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::domain::IamUserName;
    use crate::core::sheet::{NOTIFIED_HEADER, ORIGINAL_LAYOUT};
    use serde_json::{Value, json};

    const KEY: &str = "AKIAIOSFODNN7EXAMPLE";

    fn table(rows: &[(&str, &str)]) -> RequestTable {
        let rows: Vec<_> = rows.iter().map(|(a, k)| (*a, *k, "")).collect();
        table_with_status(&rows)
    }

    /// Rows of (IAM user, key, 状態).
    fn table_with_status(rows: &[(&str, &str, &str)]) -> RequestTable {
        let mut grid: Vec<Vec<Value>> = vec![ORIGINAL_LAYOUT.iter().map(|h| json!(h)).collect()];
        for (account, key, status) in rows {
            let mut r = vec![json!(""); 12];
            r[1] = json!("田中 太郎");
            r[8] = json!("2026/11/01");
            r[9] = json!(account);
            r[10] = json!(status);
            r[11] = json!(key);
            grid.push(r);
        }
        RequestTable::from_grid("key_request_form", grid).unwrap()
    }

    fn change(row: usize, account: &str, change: CellChange) -> SheetChange {
        SheetChange {
            row,
            user: IamUserName::parse(account).unwrap(),
            key: AccessKeyId::parse(KEY).unwrap(),
            change,
            status_read: Some(String::new()),
            result: None,
        }
    }

    #[test]
    fn writes_follow_a_row_that_moved_and_skip_a_row_that_is_gone() {
        // tanaka's row moved from 2 to 3 (a row was inserted above it); sato's is gone.
        let t = table(&[("suzuki", "AKIAOTHERKEY00000000"), ("tanaka", KEY)]);
        let moved = change(2, "tanaka", CellChange::Deleted);
        let gone = change(4, "sato", CellChange::Deleted);
        let p = plan(&t, &[&moved, &gone]);
        assert_eq!(p.results[0], WriteResult::Written { row: 3 });
        assert!(
            matches!(&p.results[1], WriteResult::NotWritten { why } if why.to_string().contains("no single row holds sato"))
        );
        assert_eq!(
            p.cells,
            vec![CellWrite {
                range: "'key_request_form'!K3".into(),
                value: DELETED_MARK.into()
            }]
        );
    }

    #[test]
    fn a_rotated_key_id_follows_the_old_key_whatever_user_the_row_names() {
        let new = AccessKeyId::parse("AKIANEW0000000000001").unwrap();
        let rotated = change(2, "ci-deploy", CellChange::KeyReplaced(new.clone()));
        // The row names the user with a typo, and moved down one row.
        let t = table(&[("suzuki", "AKIAOTHERKEY00000000"), ("ci-dpeloy", KEY)]);
        let p = plan(&t, &[&rotated]);
        assert_eq!(p.results, vec![WriteResult::Written { row: 3 }]);
        assert_eq!(
            p.cells,
            vec![CellWrite {
                range: "'key_request_form'!L3".into(),
                value: new.to_string()
            }]
        );
        // Two rows hold the old key: neither is guessed.
        let t = table(&[("ci-deploy", KEY), ("someone", KEY)]);
        let p = plan(&t, &[&rotated]);
        assert!(p.cells.is_empty(), "{:?}", p.cells);
        assert!(
            matches!(&p.results[0], WriteResult::NotWritten { why: NotWrittenWhy::KeyNotHeldOnce { rows, .. } } if rows == &vec![2, 3]),
            "{:?}",
            p.results
        );
        // No row holds it any more.
        let t = table(&[("ci-deploy", "AKIAOTHERKEY00000000")]);
        let p = plan(&t, &[&rotated]);
        assert!(p.cells.is_empty());
        assert!(
            p.results[0]
                == WriteResult::NotWritten {
                    why: NotWrittenWhy::KeyNotHeldOnce {
                        key: AccessKeyId::parse(KEY).unwrap(),
                        rows: vec![]
                    }
                }
        );
    }

    #[test]
    fn a_new_column_takes_the_first_free_header_cell_once() {
        let t = table(&[("tanaka", KEY)]);
        let day = "2026-11-22".parse().unwrap();
        let a = change(2, "tanaka", CellChange::Notified(day));
        let p = plan(&t, &[&a, &a]);
        let headers: Vec<_> = p
            .cells
            .iter()
            .filter(|c| c.value == NOTIFIED_HEADER)
            .collect();
        assert_eq!(headers.len(), 1, "{:?}", p.cells);
        assert_eq!(headers[0].range, "'key_request_form'!M1");
        assert!(
            p.cells
                .iter()
                .any(|c| c.range == "'key_request_form'!M2" && c.value == "2026-11-22")
        );
    }

    #[test]
    fn a_status_an_administrator_changed_during_the_run_is_kept() {
        // The run read row 2's 状態 empty; an administrator has typed 延長 since.
        let t = table_with_status(&[("tanaka", KEY, "延長")]);
        let day = "2026-11-22".parse().unwrap();
        let deactivated = change(2, "tanaka", CellChange::Deactivated(day));
        let p = plan(&t, &[&deactivated]);
        assert_eq!(
            p.results,
            vec![WriteResult::StatusKept {
                row: 2,
                status: "延長".into()
            }]
        );
        // 無効化日 is still written (the key was set Inactive); 状態 (K) is not.
        assert!(
            p.cells
                .iter()
                .any(|c| c.range == "'key_request_form'!M2" && c.value == "2026-11-22"),
            "{:?}",
            p.cells
        );
        assert!(
            !p.cells.iter().any(|c| c.range == "'key_request_form'!K2"),
            "{:?}",
            p.cells
        );

        let deleted = change(2, "tanaka", CellChange::Deleted);
        let p = plan(&t, &[&deleted]);
        assert_eq!(
            p.results,
            vec![WriteResult::StatusKept {
                row: 2,
                status: "延長".into()
            }]
        );
        assert!(p.cells.is_empty(), "{:?}", p.cells);
    }

    #[test]
    fn a_status_as_the_run_read_it_is_overwritten() {
        let t = table_with_status(&[("tanaka", KEY, "承認済み")]);
        let day = "2026-11-22".parse().unwrap();
        let mut deactivated = change(2, "tanaka", CellChange::Deactivated(day));
        deactivated.status_read = Some("承認済み".into());
        let p = plan(&t, &[&deactivated]);
        assert_eq!(p.results, vec![WriteResult::Written { row: 2 }]);
        assert!(
            p.cells
                .iter()
                .any(|c| c.range == "'key_request_form'!K2" && c.value == DEACTIVATED_MARK),
            "{:?}",
            p.cells
        );
    }
}
