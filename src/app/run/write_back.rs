//! Phase: write the sheet changes the outcomes ask for, in one request. Called once after the
//! IAM work and once after the notices (SPEC §4 "When results reach the sheet"); each call
//! writes only the changes not yet attempted. Where to write is decided by the pure
//! [`crate::core::sheet::writes::plan`], against the sheet as re-read now.

use super::Job;
use crate::adapters::SheetStore;
use crate::core::outcome::{ActionOutcome, WriteResult};
use crate::core::sheet::{RequestTable, writes};

pub async fn run<S: SheetStore, M, I, V>(
    job: &Job<'_, S, M, I, V>,
    outcomes: &mut [ActionOutcome],
) {
    let mut pending: Vec<_> = outcomes
        .iter_mut()
        .filter_map(|o| o.sheet.as_mut())
        .filter(|c| c.result.is_none())
        .collect();
    if pending.is_empty() {
        return;
    }
    let sheet = &job.settings.request_sheet;
    let table = match job.sheets.read(&[sheet]).await {
        Ok(mut grids) => RequestTable::from_grid(sheet, grids.pop().unwrap_or_default())
            .map_err(|e| e.to_string()),
        Err(e) => Err(format!("re-reading the sheet failed: {e}")),
    };
    let results = match table {
        Err(why) => vec![WriteResult::NotWritten { why }; pending.len()],
        Ok(table) => {
            let plan = writes::plan(&table, &pending.iter().map(|c| &**c).collect::<Vec<_>>());
            let written = plan
                .results
                .iter()
                .any(|r| matches!(r, WriteResult::Written { .. }));
            match (written, job.sheets.write(&plan.cells).await) {
                (false, _) | (true, Ok(())) => plan.results,
                (true, Err(e)) => plan
                    .results
                    .into_iter()
                    .map(|r| match r {
                        WriteResult::Written { .. } => WriteResult::NotWritten {
                            why: format!("writing failed: {e}"),
                        },
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
