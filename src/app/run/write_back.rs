//! Phase: write the sheet changes the outcomes ask for, in one request. Called once after the
//! IAM work and once after the notices (docs/rules.md §4 "When results reach the sheet"); each call
//! writes only the changes not yet attempted. Where to write is decided by the pure
//! [`crate::core::sheet::writes::plan_at`], against row 1 and the IAM user and key cells as
//! re-read now: nothing else decides where a row is. `状態` is re-read with them, so a status
//! an administrator changed during the run is not overwritten.

use std::collections::{BTreeMap, HashSet};

use serde_json::Value;

use super::{Job, Services};
use crate::adapters::SheetStore;
use crate::core::outcome::{ActionOutcome, CellChange, NotWrittenWhy, WriteResult};
use crate::core::sheet::{Block, Holdings, RequestLayout, RowSink, cell_text, writes};

pub async fn run<X: Services>(
    job: &Job<'_, X>,
    layout: &RequestLayout,
    outcomes: impl IntoIterator<Item = &mut ActionOutcome>,
) {
    let mut pending: Vec<_> = outcomes
        .into_iter()
        .filter_map(|o| o.sheet.as_mut())
        .filter(|c| c.result.is_none())
        .collect();
    if pending.is_empty() {
        return;
    }
    let sheet = &job.settings.request_sheet;
    let keys: HashSet<String> = pending.iter().map(|c| c.key.to_string()).collect();
    let results = match recheck(job.sheets, sheet, layout, &keys).await {
        Err(why) => vec![WriteResult::NotWritten { why }; pending.len()],
        Ok((layout, rows)) => {
            let holdings =
                Holdings::locations(rows.iter().map(|(r, a, k, _)| (*r, a.as_str(), k.as_str())));
            let statuses: BTreeMap<usize, &str> =
                rows.iter().map(|(r, _, _, s)| (*r, s.as_str())).collect();
            let status_now = |row: usize| statuses.get(&row).copied().unwrap_or("").to_string();
            let changes: Vec<_> = pending.iter().map(|c| &**c).collect();
            let plan = writes::plan_at(sheet, &layout, &holdings, &status_now, &changes);
            // A kept status of a deletion leaves nothing to write for it.
            let written = !plan.cells.is_empty()
                && plan.results.iter().any(|r| {
                    matches!(
                        r,
                        WriteResult::Written { .. } | WriteResult::StatusKept { .. }
                    )
                });
            match (written, job.sheets.write(&plan.cells).await) {
                (false, _) | (true, Ok(())) => plan.results,
                (true, Err(e)) => plan
                    .results
                    .into_iter()
                    .zip(&changes)
                    .map(|(r, c)| match r {
                        WriteResult::StatusKept { .. } if c.change == CellChange::Deleted => r,
                        WriteResult::Written { .. } | WriteResult::StatusKept { .. } => {
                            WriteResult::NotWritten {
                                why: NotWrittenWhy::WriteFailed(e.to_string()),
                            }
                        }
                        not_written => not_written,
                    })
                    .collect(),
            }
        }
    };
    for (change, result) in pending.iter_mut().zip(results) {
        change.result = Some(result);
    }
}

/// Row 1 and the IAM user, key and `状態` of every row holding one of `keys`, in one read of
/// those cells only: other rows cannot be where a change goes, so they are not kept. Should the
/// columns have moved since the first read, they are read again where they are now.
async fn recheck<S: SheetStore>(
    sheets: &S,
    sheet: &str,
    layout: &RequestLayout,
    keys: &HashSet<String>,
) -> Result<(RequestLayout, Vec<(usize, String, String, String)>), NotWrittenWhy> {
    let (mut account, mut key, mut status) = (layout.user, layout.key_id, layout.status);
    for _ in 0..2 {
        let c0 = account.min(key).min(status);
        let c1 = account.max(key).max(status);
        let mut header = Header::default();
        let mut pairs = Pairs {
            account: account - c0,
            key: key - c0,
            status: status - c0,
            keys,
            next_row: 2,
            rows: Vec::new(),
        };
        let blocks = [
            Block {
                sheet: sheet.to_string(),
                first_row: 1,
                last_row: Some(1),
                cols: None,
            },
            Block {
                sheet: sheet.to_string(),
                first_row: 2,
                last_row: None,
                cols: Some((c0, c1)),
            },
        ];
        sheets
            .read_into(&blocks, &mut [&mut header, &mut pairs])
            .await
            .map_err(|e| NotWrittenWhy::RereadFailed(e.to_string()))?;
        let now = RequestLayout::parse(sheet, &header.0).map_err(NotWrittenWhy::Header)?;
        if (now.user, now.key_id, now.status) == (account, key, status) {
            return Ok((now, pairs.rows));
        }
        (account, key, status) = (now.user, now.key_id, now.status);
    }
    Err(NotWrittenWhy::ColumnsMoving)
}

/// Row 1 as read.
#[derive(Default)]
struct Header(Vec<Value>);

impl RowSink for Header {
    fn row(&mut self, cells: &[Value]) {
        self.0 = cells.to_vec();
    }
}

/// `(row, IAM user, key, 状態)` of the rows holding one of `keys`, columns relative to the
/// block.
struct Pairs<'k> {
    account: usize,
    key: usize,
    status: usize,
    keys: &'k HashSet<String>,
    next_row: usize,
    rows: Vec<(usize, String, String, String)>,
}

impl RowSink for Pairs<'_> {
    fn wants(&self, col: usize) -> bool {
        col == self.account || col == self.key || col == self.status
    }

    fn row(&mut self, cells: &[Value]) {
        let row = self.next_row;
        self.next_row += 1;
        if let Some(key) = cell_text(cells, self.key)
            && self.keys.contains(&key)
        {
            let account = cell_text(cells, self.account).unwrap_or_default();
            let status = cell_text(cells, self.status).unwrap_or_default();
            self.rows.push((row, account, key, status));
        }
    }
}
