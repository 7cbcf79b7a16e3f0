//! The spreadsheet as typed data. Knows the sheet layouts of SPEC §2; knows nothing of HTTP.

mod headers;
mod requests;
mod users;
pub mod writes;

pub use headers::{HeaderError, column_letter};
pub use requests::{
    CellProblem, DEACTIVATED_HEADER, NOTIFIED_HEADER, ORIGINAL_LAYOUT, RequestLayout, RequestRow,
    RequestTable, ValidRow,
};
pub use users::{Directory, Owner};

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
    fn a1_references_quote_sheet_names() {
        assert_eq!(a1_cell("key_request_form", 10, 5), "'key_request_form'!K5");
        assert_eq!(a1_cell("申請", 0, 1), "'申請'!A1");
        assert_eq!(quoted_sheet("Bob's"), "'Bob''s'");
        assert_eq!(a1_cell("s", 27, 2), "'s'!AB2");
    }
}
