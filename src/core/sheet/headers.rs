//! Finding columns by their header text, never by position (docs/rules.md §2).

/// A column the job knows, with every header text accepted for it.
pub struct ColumnSpec {
    pub aliases: &'static [&'static str],
    pub required: bool,
}

/// Required headers missing from a sheet: the job cannot run (exit 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("sheet \"{sheet}\" has no column {}: add it to row 1 (headers are matched by their text)",
    .missing.iter().map(|m| format!("\"{m}\"")).collect::<Vec<_>>().join(", "))]
pub struct HeaderError {
    pub sheet: String,
    /// Each missing column, as its accepted header texts joined by ` or `.
    pub missing: Vec<String>,
}

/// Header text without surrounding white space, ASCII or full-width (`char::is_whitespace`
/// includes U+3000). ASCII case is ignored when comparing, so `ID` matches `id`.
pub fn normalize(header: &str) -> &str {
    header.trim()
}

/// The first column whose header is one of the aliases.
pub fn find(header_row: &[String], spec: &ColumnSpec) -> Option<usize> {
    header_row.iter().position(|h| {
        spec.aliases
            .iter()
            .any(|a| a.eq_ignore_ascii_case(normalize(h)))
    })
}

/// Resolves every spec against the header row; fails naming all required columns missing.
pub fn resolve(
    sheet: &str,
    header_row: &[String],
    specs: &[&ColumnSpec],
) -> Result<Vec<Option<usize>>, HeaderError> {
    let found: Vec<Option<usize>> = specs.iter().map(|s| find(header_row, s)).collect();
    let missing: Vec<String> = specs
        .iter()
        .zip(&found)
        .filter(|(spec, col)| spec.required && col.is_none())
        .map(|(spec, _)| spec.aliases.join("\" or \""))
        .collect();
    if missing.is_empty() {
        Ok(found)
    } else {
        Err(HeaderError {
            sheet: sheet.to_string(),
            missing,
        })
    }
}

/// Spreadsheet column letters: 0 → A, 25 → Z, 26 → AA.
pub fn column_letter(col: usize) -> String {
    let mut n = col + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).expect("ASCII letters")
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAME: ColumnSpec = ColumnSpec {
        aliases: &["氏名"],
        required: true,
    };
    const END: ColumnSpec = ColumnSpec {
        aliases: &["アクセスキー利用終了日", "利用終了日"],
        required: true,
    };
    const OPT: ColumnSpec = ColumnSpec {
        aliases: &["利用目的"],
        required: false,
    };

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn headers_match_by_text_ignoring_surrounding_space() {
        let h = row(&["x", "\u{3000}氏名 ", "利用終了日"]);
        assert_eq!(
            resolve("s", &h, &[&NAME, &END, &OPT]).unwrap(),
            vec![Some(1), Some(2), None]
        );
    }

    #[test]
    fn every_missing_required_header_is_named() {
        let err = resolve("key_request_form", &row(&["x"]), &[&NAME, &END, &OPT]).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("\"氏名\""), "{msg}");
        assert!(
            msg.contains("\"アクセスキー利用終了日\" or \"利用終了日\""),
            "{msg}"
        );
        assert!(msg.contains("key_request_form"), "{msg}");
        assert!(!msg.contains("利用目的"), "{msg}");
    }

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(11), "L");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }
}
