//! The request row behind a button, read fresh from the sheet, and the writes that change it.
//! Rows are found by account and key ID (never by position: rows move), columns by header
//! text; `延長申請` and `延長履歴` are created as the first empty header cells when first
//! needed, like `通知日` (SPEC §2).

use serde_json::Value;

use super::InteractionSettings;
use crate::adapters::{CellValue, ServiceError, SheetStore, TypedCellWrite};
use crate::core::domain::{IamUserName, RowStatus, parse_sheet_date};
use crate::core::extension::record::{HISTORY_HEADER, PENDING_HEADER, PendingCell};
use crate::core::extension::rules::{Lookup, RowView};
use crate::core::extension::value::RowRef;
use crate::core::sheet::{Directory, Grid, Owner, RequestTable, a1_cell, cell_text, cell_value};

/// Both sheets as read for one interaction.
pub struct Snapshot {
    sheet: String,
    grid: Grid,
    table: RequestTable,
    directory: Directory,
    pending_col: Option<usize>,
    history_col: Option<usize>,
}

/// Reads the request sheet and `users_json` in one request.
pub async fn read<S: SheetStore>(
    store: &S,
    settings: &InteractionSettings,
) -> Result<Snapshot, ServiceError> {
    let mut grids = store
        .read(&[&settings.request_sheet, &settings.users_sheet])
        .await?
        .into_iter();
    let grid = grids.next().unwrap_or_default();
    let users = grids.next().unwrap_or_default();
    Snapshot::from_grids(settings, grid, &users)
}

/// The column whose row-1 header is `name` (surrounding white space ignored, SPEC §2).
fn find_column(header: &[Value], name: &str) -> Option<usize> {
    (0..header.len()).find(|&c| cell_text(header, c).is_some_and(|t| t.trim() == name))
}

impl Snapshot {
    /// Both sheets, parsed; fails when required headers are missing.
    pub fn from_grids(
        settings: &InteractionSettings,
        grid: Grid,
        users: &Grid,
    ) -> Result<Snapshot, ServiceError> {
        let table = RequestTable::parse(&settings.request_sheet, &grid)
            .map_err(|e| ServiceError::Invalid(e.to_string()))?;
        let directory = Directory::parse(&settings.users_sheet, users)
            .map_err(|e| ServiceError::Invalid(e.to_string()))?;
        let header = grid.first().map(Vec::as_slice).unwrap_or_default();
        Ok(Snapshot {
            sheet: settings.request_sheet.clone(),
            pending_col: table.layout.pending_extension,
            history_col: find_column(header, HISTORY_HEADER),
            grid,
            table,
            directory,
        })
    }

    /// Where the row named by `target` is, and what it holds.
    pub fn lookup(&self, target: &RowRef) -> Lookup {
        let same_account =
            |account: &str| IamUserName::parse(account).is_ok_and(|a| a == target.account);
        let holders: Vec<_> = self
            .table
            .rows
            .iter()
            .filter(|r| same_account(&r.account) && r.key_id == target.key_id.as_str())
            .collect();
        let live: Vec<_> = holders
            .iter()
            .filter(|r| r.status != RowStatus::Deleted)
            .collect();
        let row = match (live.as_slice(), holders.first()) {
            ([one], _) => one,
            ([], Some(deleted)) => deleted,
            ([], None) => {
                return match self
                    .table
                    .rows
                    .iter()
                    .find(|r| same_account(&r.account) && r.status != RowStatus::Deleted)
                {
                    Some(r) => Lookup::KeyChanged { row: r.row },
                    None => Lookup::Gone,
                };
            }
            (many, _) => return Lookup::Ambiguous(many.iter().map(|r| r.row).collect()),
        };
        let cells = self.cells(row.row);
        let text = |col: Option<usize>| col.and_then(|c| cell_text(cells, c)).unwrap_or_default();
        Lookup::Found(RowView {
            row: row.row,
            deleted: row.status == RowStatus::Deleted,
            owner_name: row.owner.clone(),
            end: cell_value(cells, self.table.layout.end).and_then(|v| parse_sheet_date(v).ok()),
            pending: PendingCell::parse(&text(self.pending_col)),
            history: text(self.history_col),
        })
    }

    fn cells(&self, row: usize) -> &[Value] {
        self.grid
            .get(row - 1)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// The row's owner by `users_json`.
    pub fn owner(&self, row: &RowView) -> Owner {
        match crate::core::domain::NameKey::new(&row.owner_name) {
            Some(name) => self.directory.lookup(&name),
            None => Owner::NotFound,
        }
    }

    /// The account and key as written in the row (for messages).
    pub fn account_and_key(&self, row: usize) -> (String, String) {
        self.table
            .rows
            .iter()
            .find(|r| r.row == row)
            .map(|r| (r.account.clone(), r.key_id.clone()))
            .unwrap_or_default()
    }

    /// The writes that put `text` into the row's `延長申請` cell (creating the column).
    pub fn pending_writes(&self, row: usize, text: &str) -> Vec<TypedCellWrite> {
        let mut free = self.table.layout.free_columns();
        let mut writes = Vec::new();
        let col = self.column(self.pending_col, PENDING_HEADER, &mut free, &mut writes);
        writes.push(self.text(col, row, text));
        writes
    }

    /// The writes of a decision: the new end date (approval only), `延長申請` cleared and
    /// `延長履歴` replaced by `history` (creating the column).
    pub fn decision_writes(
        &self,
        row: usize,
        new_end: Option<chrono::NaiveDate>,
        history: &str,
    ) -> Vec<TypedCellWrite> {
        let mut free = self.table.layout.free_columns();
        let mut writes = Vec::new();
        if let Some(date) = new_end {
            writes.push(TypedCellWrite {
                range: a1_cell(&self.sheet, self.table.layout.end, row),
                value: CellValue::Date(date),
            });
        }
        if let Some(col) = self.pending_col {
            writes.push(self.text(col, row, ""));
        }
        let col = self.column(self.history_col, HISTORY_HEADER, &mut free, &mut writes);
        writes.push(self.text(col, row, history));
        writes
    }

    fn column(
        &self,
        existing: Option<usize>,
        header: &str,
        free: &mut impl Iterator<Item = usize>,
        writes: &mut Vec<TypedCellWrite>,
    ) -> usize {
        existing.unwrap_or_else(|| {
            let col = free.next().expect("an endless supply of columns");
            writes.push(self.text(col, 1, header));
            col
        })
    }

    fn text(&self, col: usize, row: usize, text: &str) -> TypedCellWrite {
        TypedCellWrite {
            range: a1_cell(&self.sheet, col, row),
            value: CellValue::Text(text.to_string()),
        }
    }
}

#[cfg(test)]
#[path = "row_tests.rs"]
mod tests;
