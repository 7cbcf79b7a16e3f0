//! Where key issuance writes, and what (docs/rules.md §12): pure, given the request sheet as
//! re-read right before the write. A request's row is found again by its ID `R`, never by the
//! row number read earlier: administrators insert, sort and delete rows while keywarden runs.
//! A row is written only while its cells still give `R` and its `発行申請` still says what the
//! change expects; otherwise nothing is written and the caller says why.

use chrono::NaiveDate;

use super::cell::{ApprovalCopy, IssueCell, IssueRecord, IssueState};
use super::id::RequestId;
use super::request::{Context, requests};
use crate::core::domain::AccessKeyId;
use crate::core::sheet::{OwnColumn, OwnColumns, REQUESTED_STATUS, RequestTable, a1_cell};

/// One cell to write: text, or a real date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub range: String,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Text(String),
    Date(NaiveDate),
}

/// What is written for a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Step 1: `承認待ち R`, before the approval request is posted.
    Asking,
    /// Step 1: where the approval request's copies went (added to those already there).
    Copies(Vec<ApprovalCopy>),
    /// Step 3: the key ID, the start date when empty, `発行済み R <date>`; a `申請中` status is
    /// cleared.
    Issued { key: AccessKeyId, today: NaiveDate },
}

/// Why a change was not written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Miss {
    /// No request of the sheet has that ID now: its row was edited, deleted or decided.
    Gone,
    /// The request's `発行申請` no longer says what the change expects (shown as it is).
    Moved(String),
}

/// The row that gives `id` now and the cells `change` writes there.
pub fn plan(
    table: &RequestTable,
    ctx: &Context,
    id: &RequestId,
    change: &Change,
) -> Result<(usize, Vec<Cell>), Miss> {
    let found = requests(table, ctx)
        .into_iter()
        .find(|r| r.verdict.as_ref().is_ok_and(|v| v.id == *id))
        .ok_or(Miss::Gone)?;
    let record = found.cell.record();
    let expected = match change {
        // Not asked yet for this ID, or asked without any copy recorded (asked again).
        Change::Asking => record
            .is_none_or(|r| r.id != *id || (r.state == IssueState::Pending && r.copies.is_empty())),
        Change::Copies(_) => record.is_some_and(|r| r.id == *id && r.state == IssueState::Pending),
        Change::Issued { .. } => {
            record.is_some_and(|r| r.id == *id && matches!(r.state, IssueState::Approved { .. }))
        }
    };
    if !expected {
        let now = match &found.cell {
            IssueCell::Empty => String::new(),
            IssueCell::Record(r) => r.to_cell(),
            IssueCell::Unreadable(t) => t.clone(),
        };
        return Err(Miss::Moved(now));
    }
    let row = found.row;
    let layout = &table.layout;
    let own = OwnColumns::place(layout, &[OwnColumn::IssueRequest]);
    let mut cells: Vec<Cell> = own
        .created
        .iter()
        .map(|(col, header)| Cell {
            range: a1_cell(&table.sheet, *col, 1),
            value: Value::Text(header.to_string()),
        })
        .collect();
    let issue_col = own
        .col(OwnColumn::IssueRequest)
        .expect("placed when missing");
    let text = |col: usize, value: String| Cell {
        range: a1_cell(&table.sheet, col, row.row),
        value: Value::Text(value),
    };
    match change {
        Change::Asking => {
            let record = IssueRecord::new(IssueState::Pending, id.clone());
            cells.push(text(issue_col, record.to_cell()));
        }
        Change::Copies(copies) => {
            let mut record = record.expect("checked above").clone();
            for copy in copies {
                if !record.copies.contains(copy) {
                    record.copies.push(copy.clone());
                }
            }
            cells.push(text(issue_col, record.to_cell()));
        }
        Change::Issued { key, today } => {
            cells.push(text(layout.key_id, key.to_string()));
            if let Some(start) = layout.start
                && row.start().trim().is_empty()
            {
                cells.push(Cell {
                    range: a1_cell(&table.sheet, start, row.row),
                    value: Value::Date(*today),
                });
            }
            let record = IssueRecord::new(IssueState::Issued { on: *today }, id.clone());
            cells.push(text(issue_col, record.to_cell()));
            if row.status_text().trim() == REQUESTED_STATUS {
                cells.push(text(layout.status, String::new()));
            }
        }
    }
    Ok((row.row, cells))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::domain::{Accounts, AwsAccountId, SlackUserId};
    use crate::core::issue::{IssueSettings, request_id, settings::parse_policies};
    use crate::core::sheet::{Directory, ORIGINAL_LAYOUT};
    use serde_json::{Value as Json, json};

    const TODAY: &str = "2026-11-22";

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn settings() -> IssueSettings {
        IssueSettings::with_policies(
            parse_policies("読み取り=arn:aws:iam::aws:policy/ReadOnlyAccess").unwrap(),
            "/",
        )
    }

    fn accounts() -> Accounts {
        Accounts::new(AwsAccountId::parse("123456789012").unwrap(), Vec::new())
    }

    fn directory() -> Directory {
        let grid = vec![
            vec![json!("id"), json!("last_name"), json!("first_name")],
            vec![json!("U0TANAKA01"), json!("田中"), json!("太郎")],
        ];
        Directory::parse("users_json", &grid).unwrap()
    }

    /// A request row (original layout plus `発行申請` when `issue` is some), end 2027-03-31.
    fn table(rows: &[(&str, &str, Option<&str>)]) -> RequestTable {
        let mut header: Vec<Json> = ORIGINAL_LAYOUT.iter().map(|h| json!(h)).collect();
        let with_issue = rows.iter().any(|r| r.2.is_some());
        if with_issue {
            header.push(json!("発行申請"));
        }
        let mut grid = vec![header];
        for (user, status, issue) in rows {
            let mut r = vec![json!(""); 12];
            r[1] = json!("田中 太郎");
            r[5] = json!("読み取り");
            r[8] = json!("2027/03/31");
            r[9] = json!(user);
            r[10] = json!(status);
            if with_issue {
                r.push(json!(issue.unwrap_or("")));
            }
            grid.push(r);
        }
        let mut t = RequestTable::parse("key_request_form", &grid).unwrap();
        t.resolve_accounts(&accounts());
        t
    }

    fn id(user: &str) -> RequestId {
        request_id(
            &AwsAccountId::parse("123456789012").unwrap(),
            user,
            &SlackUserId::parse("U0TANAKA01").unwrap(),
            "読み取り",
            None,
            day("2027-03-31"),
        )
    }

    fn with<T>(_t: &RequestTable, f: impl FnOnce(&Context) -> T) -> T {
        let (s, a, d) = (settings(), accounts(), directory());
        let ctx = Context {
            today: day(TODAY),
            settings: &s,
            accounts: &a,
            directory: &d,
            protected: &[],
        };
        f(&ctx)
    }

    fn texts(cells: &[Cell]) -> Vec<(String, String)> {
        cells
            .iter()
            .map(|c| {
                let v = match &c.value {
                    Value::Text(t) => t.clone(),
                    Value::Date(d) => format!("date {d}"),
                };
                (c.range.clone(), v)
            })
            .collect()
    }

    #[test]
    fn asking_creates_the_column_and_finds_the_row_by_its_id() {
        // Row 3 is the request; row 2 another one.
        let t = table(&[("sato-dev", "", None), ("tanaka-s3", "申請中", None)]);
        let (row, cells) = with(&t, |c| plan(&t, c, &id("tanaka-s3"), &Change::Asking)).unwrap();
        assert_eq!(row, 3);
        // After the free cells of the daily job's and the endpoint's four columns (M..P).
        assert_eq!(
            texts(&cells),
            vec![
                ("'key_request_form'!Q1".into(), "発行申請".into()),
                (
                    "'key_request_form'!Q3".into(),
                    format!("承認待ち {}", id("tanaka-s3"))
                ),
            ]
        );
    }

    #[test]
    fn a_decided_or_edited_request_is_not_written() {
        let r = id("tanaka-s3");
        let approved = format!("承認済み {r} U0ADMIN01 2026-11-21");
        let t = table(&[("tanaka-s3", "", Some(&approved))]);
        assert!(matches!(
            with(&t, |c| plan(&t, c, &r, &Change::Asking)),
            Err(Miss::Moved(_))
        ));
        // The user name was edited: the ID is another one now.
        let t = table(&[("tanaka-s4", "", Some(&approved))]);
        assert_eq!(
            with(&t, |c| plan(
                &t,
                c,
                &r,
                &Change::Issued {
                    key: AccessKeyId::parse("AKIAIOSFODNN7EXAMPLE").unwrap(),
                    today: day(TODAY)
                }
            )),
            Err(Miss::Gone)
        );
    }

    #[test]
    fn issued_writes_the_key_the_start_date_the_state_and_clears_requested() {
        let r = id("tanaka-s3");
        let approved = format!("承認済み {r} U0ADMIN01 2026-11-21\n承認依頼: D1/1.1");
        let t = table(&[("tanaka-s3", "申請中", Some(&approved))]);
        let key = AccessKeyId::parse("AKIAIOSFODNN7EXAMPLE").unwrap();
        let (row, cells) = with(&t, |c| {
            plan(
                &t,
                c,
                &r,
                &Change::Issued {
                    key,
                    today: day(TODAY),
                },
            )
        })
        .unwrap();
        assert_eq!(row, 2);
        assert_eq!(
            texts(&cells),
            vec![
                (
                    "'key_request_form'!L2".into(),
                    "AKIAIOSFODNN7EXAMPLE".into()
                ),
                ("'key_request_form'!H2".into(), "date 2026-11-22".into()),
                (
                    "'key_request_form'!M2".into(),
                    format!("発行済み {r} 2026-11-22")
                ),
                ("'key_request_form'!K2".into(), String::new()),
            ]
        );
    }

    #[test]
    fn copies_are_added_to_those_already_recorded() {
        let r = id("tanaka-s3");
        let pending = format!("承認待ち {r}\n承認依頼: D1/1.1");
        let t = table(&[("tanaka-s3", "", Some(&pending))]);
        let copies = vec![
            ApprovalCopy {
                channel: "D1".into(),
                ts: "1.1".into(),
            },
            ApprovalCopy {
                channel: "D2".into(),
                ts: "1.2".into(),
            },
        ];
        let (_, cells) = with(&t, |c| plan(&t, c, &r, &Change::Copies(copies))).unwrap();
        assert_eq!(
            texts(&cells),
            vec![(
                "'key_request_form'!M2".into(),
                format!("承認待ち {r}\n承認依頼: D1/1.1 D2/1.2")
            )]
        );
    }
}
