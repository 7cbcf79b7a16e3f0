//! Appending to the log sheet (docs/rules.md §11), shared by the daily run and the extension
//! endpoint. The sheet is only ever appended to and never read back: it grows for years and
//! a run's cost must not grow with it. It is created, with its header row, the first time an
//! append finds it missing.

use std::hash::{BuildHasher, Hasher};

use chrono::{DateTime, FixedOffset, Utc};
use serde_json::Value;

use crate::adapters::{ServiceError, SheetStore};
use crate::core::log::{LogLine, header_cells};

/// Appends `lines` in one request; when the sheet does not exist, adds it and appends the
/// header row with the lines (first run only: three requests instead of one).
pub async fn append<S: SheetStore>(
    sheets: &S,
    sheet: &str,
    lines: &[LogLine],
) -> Result<(), ServiceError> {
    if lines.is_empty() {
        return Ok(());
    }
    let rows: Vec<Vec<Value>> = lines.iter().map(LogLine::cells).collect();
    match sheets.append(sheet, &rows).await {
        Err(ServiceError::NotFound(_)) => {}
        done => return done,
    }
    let mut with_header = Vec::with_capacity(rows.len() + 1);
    match sheets.add_sheet(sheet).await {
        Ok(()) => with_header.push(header_cells()),
        // Created meanwhile by another process (the endpoint, or the daily run), which
        // writes the header itself.
        Err(ServiceError::Conflict(_)) => {}
        Err(e) => return Err(e),
    }
    with_header.extend(rows);
    sheets.append(sheet, &with_header).await
}

/// Now, in the configured zone, as the log's `日時` shows it.
pub fn now(zone: chrono_tz::Tz) -> DateTime<FixedOffset> {
    Utc::now().with_timezone(&zone).fixed_offset()
}

/// A new run or interaction ID: the time it started (in the configured zone) and 32 random
/// bits, e.g. `20261122T150003-9f86d081`. Unique enough for a run a day and a few clicks, and
/// sortable by time in the sheet.
pub fn new_id(now: DateTime<FixedOffset>) -> String {
    // RandomState is seeded from the OS once per process; the time and the PID keep two IDs
    // of one process, or of two processes started together, apart.
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_i64(now.timestamp_nanos_opt().unwrap_or_default());
    h.write_u32(std::process::id());
    format!("{}-{:08x}", now.format("%Y%m%dT%H%M%S"), h.finish() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_timed_and_distinct() {
        let at = DateTime::parse_from_rfc3339("2026-11-22T15:00:03+09:00").unwrap();
        let (a, b) = (new_id(at), new_id(at));
        assert!(a.starts_with("20261122T150003-"), "{a}");
        assert_eq!(a.len(), "20261122T150003-".len() + 8);
        assert_ne!(a, b);
    }
}
