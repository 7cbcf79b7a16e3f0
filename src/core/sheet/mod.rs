//! The spreadsheet as typed data. Knows the sheet layouts of docs/rules.md §2; knows nothing of HTTP.

mod columns;
mod headers;
mod holdings;
mod requests;
mod row_texts;
mod users;
pub mod writes;

pub use columns::{DEACTIVATED_HEADER, NOTIFIED_HEADER, OwnColumn, OwnColumns};
pub use headers::{HeaderError, column_letter};
pub use holdings::{Held, Holdings, KeyCell};
/// Column headers the key requests' problems name (the first accepted text of each).
pub use requests::{
    ACCOUNT as USER_COLUMN, AWS_ACCOUNT as AWS_ACCOUNT_COLUMN, END as END_COLUMN,
    ISSUE_REQUEST as ISSUE_REQUEST_COLUMN, OWNER as OWNER_COLUMN,
    PERMISSIONS as PERMISSIONS_COLUMN, START as START_COLUMN,
};
pub use requests::{
    CellProblem, IssueCells, Needed, ORIGINAL_LAYOUT, Problem, REQUESTED_STATUS, RequestLayout,
    RequestRow, RequestTable, RequestTableSink, ValidRow, is_request_shaped,
};
pub use row_texts::Text;
pub(crate) use users::ID as SLACK_ID_COLUMN;
pub use users::{Directory, DirectoryProblem, DirectoryProblemKind, DirectorySink, Owner};

use serde_json::Value;

/// One cell to write, as an A1 reference with the sheet name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellWrite {
    pub range: String,
    pub value: String,
}

/// Rows of cells as the Sheets API returns them: row 0 is the header; rows and cells may be
/// short (trailing empty cells and rows are omitted by the API).
pub type Grid = Vec<Vec<Value>>;

/// Receives one block of a sheet row by row, so no grid of the whole sheet is ever held: a
/// sheet decoded into `serde_json::Value` cells takes several times its JSON size.
pub trait RowSink: Send {
    /// Whether the cell in column `col` (0-based within the block) of the next row is needed.
    /// A reader may skip the others, passing `Null` for a blank one and [`SKIPPED`] otherwise.
    fn wants(&self, _col: usize) -> bool {
        true
    }
    /// The block's next row, in sheet order (an empty row as an empty slice).
    fn row(&mut self, cells: &[Value]);
}

/// Stands for a non-blank cell a [`RowSink`] did not want: the row is not empty.
pub const SKIPPED: Value = Value::Bool(true);

/// A rectangle of a sheet to read: rows `first_row..` (1-based; `last_row` `None` for all the
/// rest), columns `cols` (0-based, inclusive; `None` for all).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub sheet: String,
    pub first_row: usize,
    pub last_row: Option<usize>,
    pub cols: Option<(usize, usize)>,
}

impl Block {
    pub fn whole(sheet: &str) -> Block {
        Block {
            sheet: sheet.to_string(),
            first_row: 1,
            last_row: None,
            cols: None,
        }
    }

    /// The block in A1 notation (`'s'`, `'s'!1:1`, `'s'!J2:L`).
    pub fn a1(&self) -> String {
        let sheet = quoted_sheet(&self.sheet);
        let end = self.last_row.map(|r| r.to_string()).unwrap_or_default();
        match (self.cols, self.first_row, self.last_row) {
            (None, 1, None) => sheet,
            (None, first, None) => format!("{sheet}!{first}:{}", MAX_ROWS),
            (None, first, Some(_)) => format!("{sheet}!{first}:{end}"),
            (Some((c0, c1)), first, _) => format!(
                "{sheet}!{}{first}:{}{end}",
                column_letter(c0),
                column_letter(c1)
            ),
        }
    }

    /// The block cut out of a whole sheet's grid, as the API would answer it.
    pub fn cut(&self, grid: Grid) -> Grid {
        let (c0, c1) = self.cols.unwrap_or((0, usize::MAX - 1));
        grid.into_iter()
            .skip(self.first_row - 1)
            .take(
                self.last_row
                    .map_or(usize::MAX, |l| (l + 1).saturating_sub(self.first_row)),
            )
            .map(|row| row.into_iter().skip(c0).take(c1 - c0 + 1).collect())
            .collect()
    }
}

/// A Google sheet has at most 10 million cells, so never more rows than this.
const MAX_ROWS: usize = 10_000_000;

/// A cell's content as text: numbers without a trailing `.0`, `None` when blank.
pub fn cell_text(row: &[Value], col: usize) -> Option<String> {
    let text = match row.get(col)? {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
            _ => n.to_string(),
        },
        Value::Bool(b) => b.to_string(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    (!text.is_empty()).then_some(text)
}

/// [`cell_text`] as a [`CompactString`](compact_str::CompactString): a cell of up to 24 bytes
/// (a name, an IAM user, a key ID, a date) is stored inline, with no allocation of its own.
pub fn cell_compact(row: &[Value], col: usize) -> compact_str::CompactString {
    match row.get(col) {
        Some(Value::String(s)) => compact_str::CompactString::new(s.trim()),
        _ => cell_text(row, col).map(Into::into).unwrap_or_default(),
    }
}

/// A cell's text without copying it when it already is text (blank: empty).
pub fn cell_str(row: &[Value], col: usize) -> std::borrow::Cow<'_, str> {
    match row.get(col) {
        Some(Value::String(s)) => std::borrow::Cow::Borrowed(s.trim()),
        _ => std::borrow::Cow::Owned(cell_text(row, col).unwrap_or_default()),
    }
}

/// The raw cell, `None` when absent or blank.
pub fn cell_value(row: &[Value], col: usize) -> Option<&Value> {
    row.get(col).filter(|v| match v {
        Value::String(s) => !s.trim().is_empty(),
        Value::Null => false,
        _ => true,
    })
}

/// A1 range of a whole sheet; quotes are always added and inner ones doubled, so Japanese
/// names, spaces and apostrophes all work.
pub fn quoted_sheet(name: &str) -> String {
    format!("'{}'", name.replace('\'', "''"))
}

/// A1 reference of one cell, e.g. `'key_request_form'!K5` (row is 1-based).
pub fn a1_cell(sheet: &str, col: usize, row: usize) -> String {
    format!("{}!{}{}", quoted_sheet(sheet), column_letter(col), row)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cells_read_as_text() {
        let row = vec![
            json!(" a "),
            json!(12345),
            json!(1.5),
            json!(""),
            json!(true),
        ];
        assert_eq!(cell_text(&row, 0).as_deref(), Some("a"));
        assert_eq!(cell_text(&row, 1).as_deref(), Some("12345"));
        assert_eq!(cell_text(&row, 2).as_deref(), Some("1.5"));
        assert_eq!(cell_text(&row, 3), None);
        assert_eq!(cell_text(&row, 4).as_deref(), Some("true"));
        assert_eq!(cell_text(&row, 9), None);
    }

    #[test]
    fn blocks_in_a1_and_cut_from_a_grid() {
        let mut b = Block::whole("申請");
        assert_eq!(b.a1(), "'申請'");
        b.last_row = Some(1);
        assert_eq!(b.a1(), "'申請'!1:1");
        let grid = vec![
            vec![json!("h1"), json!("h2"), json!("h3")],
            vec![],
            vec![json!(1), json!(2)],
        ];
        assert_eq!(b.clone().cut(grid.clone()), vec![grid[0].clone()]);
        let cols = Block {
            sheet: "s".into(),
            first_row: 2,
            last_row: None,
            cols: Some((1, 2)),
        };
        assert_eq!(cols.a1(), "'s'!B2:C");
        assert_eq!(cols.cut(grid), vec![vec![], vec![json!(2)]]);
    }

    #[test]
    fn a1_references_quote_sheet_names() {
        assert_eq!(a1_cell("key_request_form", 10, 5), "'key_request_form'!K5");
        assert_eq!(a1_cell("申請", 0, 1), "'申請'!A1");
        assert_eq!(quoted_sheet("Bob's"), "'Bob''s'");
        assert_eq!(a1_cell("s", 27, 2), "'s'!AB2");
    }
}
