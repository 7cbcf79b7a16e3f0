//! The request row behind a button, read fresh from the sheet, and the writes that change it.
//! Rows are found by account and key ID through the sheet's one index of what it holds
//! ([`Holdings`]; never by position: rows move), columns by header text; `延長申請` and
//! `延長履歴` are created when first needed where [`OwnColumns::place`] puts them, the rule
//! the daily job follows for its own columns.

use serde_json::Value;

use super::InteractionSettings;
use crate::adapters::{CellValue, ServiceError, SheetStore, TypedCellWrite};
use crate::core::domain::parse_sheet_date;
use crate::core::extension::record::PendingCell;
use crate::core::extension::rules::{Lookup, RowView};
use crate::core::extension::value::RowRef;
use crate::core::sheet::{
    Directory, Grid, Held, OwnColumn, OwnColumns, Owner, RequestRow, RequestTable, a1_cell,
    cell_text, cell_value,
};

/// Both sheets as read for one interaction.
pub struct Snapshot {
    sheet: String,
    grid: Grid,
    table: RequestTable,
    directory: Directory,
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
        Ok(Snapshot {
            sheet: settings.request_sheet.clone(),
            grid,
            table,
            directory,
        })
    }

    /// Where the row named by `target` is, and what it holds: the one live row holding its
    /// account and key (a deleted one when no live row does).
    pub fn lookup(&self, target: &RowRef) -> Lookup {
        let holdings = self.table.holdings();
        let holders: Vec<&Held> = holdings
            .holders(&target.key_id)
            .filter(|h| h.names(&target.account))
            .collect();
        let live: Vec<&&Held> = holders.iter().filter(|h| h.live()).collect();
        let row = match (live.as_slice(), holders.first()) {
            ([one], _) => one.row(),
            ([], Some(deleted)) => deleted.row(),
            ([], None) => {
                return match holdings.naming(None, &target.account).find(|h| h.live()) {
                    Some(h) => Lookup::KeyChanged { row: h.row() },
                    None => Lookup::Gone,
                };
            }
            (many, _) => return Lookup::Ambiguous(many.iter().map(|h| h.row()).collect()),
        };
        let Some(parsed) = self.request_row(row) else {
            return Lookup::Gone;
        };
        let layout = &self.table.layout;
        let cells = self.cells(row);
        let text = |col: Option<usize>| col.and_then(|c| cell_text(cells, c)).unwrap_or_default();
        Lookup::Found(RowView {
            row,
            deleted: !holdings.row(row).is_some_and(|h| h.live()),
            owner_name: parsed.owner().to_string(),
            end: cell_value(cells, layout.end).and_then(|v| parse_sheet_date(v).ok()),
            pending: PendingCell::parse(&text(layout.pending_extension)),
            history: text(layout.extension_history),
        })
    }

    /// The parsed row numbered `row` (rows are in sheet order).
    fn request_row(&self, row: usize) -> Option<&RequestRow> {
        let rows = &self.table.rows;
        rows.binary_search_by_key(&row, |r| r.row)
            .ok()
            .map(|i| &rows[i])
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

    /// The request sheet as parsed.
    pub fn table(&self) -> &RequestTable {
        &self.table
    }

    /// `users_json` as parsed.
    pub fn directory(&self) -> &Directory {
        &self.directory
    }

    /// The writes of a key request's decision (docs/rules.md §12 step 2): `発行申請` (which
    /// holds the pending request, so the column exists) and, on a rejection, the status.
    pub fn issue_writes(
        &self,
        row: usize,
        cell: &str,
        status: Option<&str>,
    ) -> Vec<TypedCellWrite> {
        let layout = &self.table.layout;
        let mut writes: Vec<TypedCellWrite> = layout
            .issue_request
            .map(|col| self.text(col, row, cell))
            .into_iter()
            .collect();
        if let Some(status) = status {
            writes.push(self.text(layout.status, row, status));
        }
        writes
    }

    /// The account and key as written in the row (for messages).
    pub fn account_and_key(&self, row: usize) -> (String, String) {
        self.request_row(row)
            .map(|r| (r.user().to_string(), r.key_id().to_string()))
            .unwrap_or_default()
    }

    /// The writes that put `text` into the row's `延長申請` cell (creating the column).
    pub fn pending_writes(&self, row: usize, text: &str) -> Vec<TypedCellWrite> {
        let own = OwnColumns::place(&self.table.layout, &[OwnColumn::PendingExtension]);
        let mut writes = self.headers(&own);
        if let Some(col) = own.col(OwnColumn::PendingExtension) {
            writes.push(self.text(col, row, text));
        }
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
        let layout = &self.table.layout;
        let own = OwnColumns::place(layout, &[OwnColumn::ExtensionHistory]);
        let mut writes = self.headers(&own);
        if let Some(date) = new_end {
            writes.push(TypedCellWrite {
                range: a1_cell(&self.sheet, layout.end, row),
                value: CellValue::Date(date),
            });
        }
        if let Some(col) = layout.pending_extension {
            writes.push(self.text(col, row, ""));
        }
        if let Some(col) = own.col(OwnColumn::ExtensionHistory) {
            writes.push(self.text(col, row, history));
        }
        writes
    }

    /// The headers of the columns this write creates, into row 1.
    fn headers(&self, own: &OwnColumns) -> Vec<TypedCellWrite> {
        own.created
            .iter()
            .map(|(col, header)| self.text(*col, 1, header))
            .collect()
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
