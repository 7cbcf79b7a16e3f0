//! A request's cells written where its row is now: the request sheet is re-read right before
//! each write and the row found again by `R` ([`crate::core::issue::writes::plan`]).

use chrono::NaiveDate;

use super::super::{Job, Services};
use crate::adapters::{CellValue, SheetStore, TypedCellWrite};
use crate::core::domain::Accounts;
use crate::core::issue::RequestId;
use crate::core::issue::writes::{self, Change, Value};
use crate::core::outcome::{NotWrittenWhy, Unwritten};
use crate::core::sheet::{Block, Directory, RequestTableSink};

/// What a write needs besides the change: the run's accounts and people, and today.
pub struct Target<'a> {
    pub accounts: &'a Accounts,
    pub directory: &'a Directory,
    pub today: NaiveDate,
}

/// Writes `changes` (each to the row giving its ID now) in one request after one re-read.
/// Each change's result: the row written, or why not.
pub async fn write<X: Services>(
    job: &Job<'_, X>,
    target: &Target<'_>,
    changes: &[(RequestId, Change)],
) -> Vec<Result<usize, Unwritten>> {
    let Some(issue) = job.settings.issue.as_ref() else {
        return vec![Err(Unwritten::Off); changes.len()];
    };
    let s = job.settings;
    let mut sink = RequestTableSink::new(&s.request_sheet);
    if let Err(e) = job
        .sheets
        .read_into(&[Block::whole(&s.request_sheet)], &mut [&mut sink])
        .await
    {
        let why = Unwritten::Sheet(NotWrittenWhy::RereadFailed(e.to_string()));
        return vec![Err(why); changes.len()];
    }
    let mut table = match sink.finish() {
        Ok(table) => table,
        Err(e) => return vec![Err(Unwritten::Sheet(NotWrittenWhy::Header(e))); changes.len()],
    };
    table.resolve_accounts(target.accounts);
    let ctx = super::context(s, issue, target.accounts, target.directory, target.today);
    let mut cells: Vec<TypedCellWrite> = Vec::new();
    let mut results = Vec::with_capacity(changes.len());
    for (id, change) in changes {
        match writes::plan(&table, &ctx, id, change) {
            Ok((row, planned)) => {
                for c in planned {
                    // A header created by an earlier change of this write is there already.
                    if !cells.iter().any(|w| w.range == c.range) {
                        cells.push(TypedCellWrite {
                            range: c.range,
                            value: match c.value {
                                Value::Text(t) => CellValue::Text(t),
                                Value::Date(d) => CellValue::Date(d),
                            },
                        });
                    }
                }
                results.push(Ok(row));
            }
            Err(miss) => results.push(Err(Unwritten::Miss(miss))),
        }
    }
    if cells.is_empty() {
        return results;
    }
    match job.sheets.write_values(&cells).await {
        Ok(()) => results,
        Err(e) => results
            .into_iter()
            .map(|r| {
                r.and(Err(Unwritten::Sheet(NotWrittenWhy::WriteFailed(
                    e.to_string(),
                ))))
            })
            .collect(),
    }
}
