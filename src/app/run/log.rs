//! Phase: append the lines of a finished stage to the log sheet (docs/rules.md §11), right after
//! that stage's status write: the status write comes first, and a failed append only adds an
//! alert (exit 1) — it never undoes or holds back a write. A dry run appends nothing.

use super::{Job, Mode, Services};
use crate::app::log_sheet;
use crate::core::log;
use crate::core::outcome::{ActionOutcome, ActionRecord, Alert};

/// Appends the lines of `records` (skips aside); an alert when they could not be appended.
pub async fn append<X: Services>(
    job: &Job<'_, X>,
    run_id: &str,
    records: &[ActionRecord],
    mode: Mode,
) -> Option<ActionOutcome> {
    if mode == Mode::DryRun {
        return None;
    }
    let s = job.settings;
    let lines = log::run_lines(records, log_sheet::now(s.timezone), run_id);
    if lines.is_empty() {
        return None;
    }
    match log_sheet::append(job.sheets, &s.log_sheet, &lines).await {
        Ok(()) => None,
        Err(e) => {
            tracing::warn!(error = %e, lines = lines.len(), "log sheet not appended to");
            Some(ActionOutcome::alert(Alert::LogNotWritten {
                sheet: s.log_sheet.clone(),
                lines: lines.len(),
                error: e.to_string(),
            }))
        }
    }
}
