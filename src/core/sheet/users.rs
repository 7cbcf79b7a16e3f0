//! The `users_json` sheet: who is who on Slack (docs/rules.md §2).

use std::collections::HashMap;

use super::headers::{self, ColumnSpec, HeaderError};
use super::{Grid, RowSink, cell_str, cell_text};
use crate::core::domain::{NameKey, SlackUserId};
use serde_json::Value;

pub(crate) const ID: ColumnSpec = ColumnSpec {
    aliases: &["id", "user_id", "slack_id"],
    required: true,
};
const LAST: ColumnSpec = ColumnSpec {
    aliases: &["last_name", "姓"],
    required: true,
};
const FIRST: ColumnSpec = ColumnSpec {
    aliases: &["first_name", "名"],
    required: true,
};
const REAL: ColumnSpec = ColumnSpec {
    aliases: &["real_name"],
    required: false,
};
const EMAIL: ColumnSpec = ColumnSpec {
    aliases: &["email"],
    required: false,
};

/// The byte after each name key's text in [`Directory`]'s buffer: never a byte of UTF-8.
const END: u8 = 0xFF;

/// Who owns a request, as far as `users_json` can tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    Found(SlackUserId),
    NotFound,
    Ambiguous(Vec<SlackUserId>),
}

/// Full names → Slack IDs, indexed once so each lookup is a binary search however long the
/// sheet.
#[derive(Debug, Default, Clone)]
pub struct Directory {
    ids: Vec<SlackUserId>,
    /// Each person's e-mail (trimmed), when the sheet has the column and the cell is filled:
    /// who filed a key request, and the reader of an issued key's secret (key issuance).
    emails: HashMap<SlackUserId, Box<str>>,
    /// Every name key's text, one after another, each ended by a `0xFF` byte (never in
    /// UTF-8): one allocation for all of them, no length or pointer kept a name.
    texts: Vec<u8>,
    /// Every name key (the offset of its text in `texts`) with the person it names (an index
    /// into `ids`), sorted by key once the sheet is read, a key's entries in sheet order. Two
    /// keys a person: a large `users_json` is a few MB of the run's peak; 8 bytes an entry
    /// and the text with its end byte (was a 24-byte key and an index, 32 bytes, apart).
    names: Vec<(u32, u32)>,
    /// Rows that could not be used, with what to fix (told to administrators).
    pub problems: Vec<DirectoryProblem>,
}

/// A `users_json` row that cannot be used; its words are in `core/words/cells.rs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryProblem {
    pub sheet: String,
    pub row: usize,
    pub kind: DirectoryProblemKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirectoryProblemKind {
    /// No Slack ID for the person named `last first`.
    EmptyId { last: String, first: String },
    /// Not a Slack user ID (the text as typed, shortened).
    BadId(String),
}

impl Directory {
    pub fn parse(sheet: &str, grid: &Grid) -> Result<Self, HeaderError> {
        let mut sink = DirectorySink::new(sheet);
        grid.iter().for_each(|cells| sink.row(cells));
        sink.finish()
    }

    /// One row of `users_json` (1-based `row`), columns as resolved from the header.
    fn add_row(&mut self, sheet: &str, row: usize, cells: &[Value], cols: &[Option<usize>]) {
        let (id_col, last_col, first_col) = (
            cols[0].expect("required"),
            cols[1].expect("required"),
            cols[2].expect("required"),
        );
        let text = |c: usize| cell_str(cells, c);
        let (last, first) = (text(last_col), text(first_col));
        let real = cols[3].map(text).unwrap_or_default();
        let raw_id = text(id_col);
        if raw_id.is_empty() && last.is_empty() && first.is_empty() && real.is_empty() {
            return;
        }
        let id = match SlackUserId::parse(&raw_id) {
            Ok(id) => id,
            Err(_) => {
                let kind = if raw_id.is_empty() {
                    DirectoryProblemKind::EmptyId {
                        last: last.to_string(),
                        first: first.to_string(),
                    }
                } else {
                    DirectoryProblemKind::BadId(crate::core::domain::shorten(raw_id.trim()))
                };
                self.problems.push(DirectoryProblem {
                    sheet: sheet.to_string(),
                    row,
                    kind,
                });
                return;
            }
        };
        let email = cols[4].map(text).unwrap_or_default();
        let email = email.trim();
        if !email.is_empty() {
            self.emails
                .entry(id.clone())
                .or_insert_with(|| email.into());
        }
        let index = self.ids.len();
        self.ids.push(id);
        let keys = [
            NameKey::from_parts(&last, &first),
            NameKey::from_parts(&first, &last),
            NameKey::new(&real),
        ];
        for key in keys.into_iter().flatten() {
            self.add(key, index);
        }
    }

    /// Files `ids[index]` under `key` (sorted by [`Directory::seal`]).
    fn add(&mut self, key: NameKey, index: usize) {
        let start = u32::try_from(self.texts.len()).expect("users_json's names under 4 GiB");
        self.texts.extend_from_slice(key.as_str().as_bytes());
        self.texts.push(END);
        self.names.push((start, index as u32));
    }

    /// The text of the name key at `start` in `texts` (as bytes: compared as a `str` is).
    fn key_at(texts: &[u8], start: u32) -> &[u8] {
        let rest = &texts[start as usize..];
        let len = rest.iter().position(|&b| b == END).unwrap_or(rest.len());
        &rest[..len]
    }

    /// The person's e-mail from `users_json` (the first filled one when the ID has several
    /// rows); `None` when the sheet has no `email` column or the cell is empty.
    pub fn email(&self, id: &SlackUserId) -> Option<&str> {
        self.emails.get(id).map(|e| &**e)
    }

    /// Once every row is added: the keys sorted (stable: a key's people stay in sheet order).
    fn seal(mut self) -> Self {
        let texts = &self.texts;
        self.names
            .sort_by(|a, b| Self::key_at(texts, a.0).cmp(Self::key_at(texts, b.0)));
        // Grown by doubling while the sheet streamed in: up to half of each unused.
        self.names.shrink_to_fit();
        self.texts.shrink_to_fit();
        self.ids.shrink_to_fit();
        self
    }

    /// The person a name means; the same Slack ID under one name twice is still one person.
    pub fn lookup(&self, name: &NameKey) -> Owner {
        let name = name.as_str().as_bytes();
        let key = |start: u32| Self::key_at(&self.texts, start);
        let start = self.names.partition_point(|&(at, _)| key(at) < name);
        let mut found: Vec<&SlackUserId> = Vec::new();
        for (_, i) in self.names[start..]
            .iter()
            .take_while(|&&(at, _)| key(at) == name)
        {
            let id = &self.ids[*i as usize];
            if !found.contains(&id) {
                found.push(id);
            }
        }
        match found[..] {
            [] => Owner::NotFound,
            [one] => Owner::Found(one.clone()),
            _ => Owner::Ambiguous(found.into_iter().cloned().collect()),
        }
    }
}

/// Builds the directory row by row as a reader streams `users_json` (row 1 first).
pub struct DirectorySink {
    sheet: String,
    cols: Option<Result<Vec<Option<usize>>, HeaderError>>,
    dir: Directory,
    next_row: usize,
}

impl DirectorySink {
    pub fn new(sheet: &str) -> Self {
        DirectorySink {
            sheet: sheet.to_string(),
            cols: None,
            dir: Directory::default(),
            next_row: 1,
        }
    }

    /// Fails only when required headers are missing (or the sheet is empty).
    pub fn finish(self) -> Result<Directory, HeaderError> {
        match self.cols {
            Some(cols) => cols.map(|_| self.dir.seal()),
            None => resolve(&self.sheet, &[]).map(|_| self.dir.seal()),
        }
    }
}

fn resolve(sheet: &str, header: &[Value]) -> Result<Vec<Option<usize>>, HeaderError> {
    let texts: Vec<String> = (0..header.len())
        .map(|c| cell_text(header, c).unwrap_or_default())
        .collect();
    headers::resolve(sheet, &texts, &[&ID, &LAST, &FIRST, &REAL, &EMAIL])
}

impl RowSink for DirectorySink {
    fn wants(&self, col: usize) -> bool {
        match &self.cols {
            None => true,
            Some(Ok(cols)) => cols.contains(&Some(col)),
            Some(Err(_)) => false,
        }
    }

    fn row(&mut self, cells: &[Value]) {
        let number = self.next_row;
        self.next_row += 1;
        match &self.cols {
            None => self.cols = Some(resolve(&self.sheet, cells)),
            Some(Ok(cols)) => self.dir.add_row(&self.sheet, number, cells, cols),
            Some(Err(_)) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn grid(rows: &[[&str; 4]]) -> Grid {
        let mut g = vec![vec![
            json!("id"),
            json!("last_name"),
            json!("first_name"),
            json!("real_name"),
        ]];
        g.extend(rows.iter().map(|r| r.iter().map(|c| json!(c)).collect()));
        g
    }

    fn key(s: &str) -> NameKey {
        NameKey::new(s).unwrap()
    }

    fn id(s: &str) -> SlackUserId {
        SlackUserId::parse(s).unwrap()
    }

    #[test]
    fn matches_family_given_either_order_and_real_name() {
        let d = Directory::parse(
            "users_json",
            &grid(&[["U001", "田中", "太郎", "Taro Tanaka"]]),
        )
        .unwrap();
        for name in [
            "田中太郎",
            "田中　太郎",
            "太郎 田中",
            "Taro Tanaka",
            "ＴａｒｏＴａｎａｋａ",
        ] {
            assert_eq!(d.lookup(&key(name)), Owner::Found(id("U001")), "{name}");
        }
        assert_eq!(d.lookup(&key("田中花子")), Owner::NotFound);
    }

    #[test]
    fn lookups_find_every_name_of_a_long_sheet_in_any_order() {
        let rows: Vec<[String; 4]> = (0..500)
            .rev()
            .map(|n| {
                [
                    format!("U{n:05}"),
                    format!("姓{n}"),
                    format!("名{n}"),
                    String::new(),
                ]
            })
            .collect();
        let rows: Vec<[&str; 4]> = rows
            .iter()
            .map(|r| [r[0].as_str(), r[1].as_str(), r[2].as_str(), ""])
            .collect();
        let d = Directory::parse("users_json", &grid(&rows)).unwrap();
        for n in [0, 7, 250, 499] {
            let found = Owner::Found(id(&format!("U{n:05}")));
            assert_eq!(d.lookup(&key(&format!("姓{n}名{n}"))), found);
            assert_eq!(d.lookup(&key(&format!("名{n}姓{n}"))), found);
        }
        assert_eq!(d.lookup(&key("姓500名500")), Owner::NotFound);
    }

    #[test]
    fn a_name_is_not_found_by_a_longer_or_shorter_one() {
        let d = Directory::parse(
            "users_json",
            &grid(&[["U001", "田中", "太郎", ""], ["U002", "田中", "太", ""]]),
        )
        .unwrap();
        assert_eq!(d.lookup(&key("田中太郎")), Owner::Found(id("U001")));
        assert_eq!(d.lookup(&key("田中太")), Owner::Found(id("U002")));
        assert_eq!(d.lookup(&key("田中")), Owner::NotFound);
        assert_eq!(d.lookup(&key("田中太郎郎")), Owner::NotFound);
        assert_eq!(Directory::default().lookup(&key("田中")), Owner::NotFound);
    }

    #[test]
    fn two_people_with_one_name_are_ambiguous() {
        let d = Directory::parse(
            "users_json",
            &grid(&[
                ["U001", "佐藤", "一郎", ""],
                ["U002", "佐藤", "一郎", ""],
                ["U001", "佐藤", "一郎", ""],
            ]),
        )
        .unwrap();
        assert_eq!(
            d.lookup(&key("佐藤一郎")),
            Owner::Ambiguous(vec![id("U001"), id("U002")])
        );
    }

    #[test]
    fn blank_and_bad_ids_are_reported_not_used() {
        let d = Directory::parse(
            "users_json",
            &grid(&[
                ["", "山田", "花子", ""],
                ["not-an-id", "鈴木", "次郎", ""],
                ["", "", "", ""],
            ]),
        )
        .unwrap();
        assert_eq!(d.problems.len(), 2, "{:?}", d.problems);
        assert!(d.problems[0].to_string().contains("row 2"));
        assert_eq!(d.lookup(&key("山田花子")), Owner::NotFound);
    }

    #[test]
    fn an_email_column_is_read_when_present() {
        let g = vec![
            vec![
                json!("id"),
                json!("last_name"),
                json!("first_name"),
                json!("email"),
            ],
            vec![
                json!("U001"),
                json!("佐藤"),
                json!("一郎"),
                json!(" Ichiro@Example.com "),
            ],
            vec![json!("U002"), json!("鈴木"), json!("次郎"), json!("")],
        ];
        let d = Directory::parse("users_json", &g).unwrap();
        assert_eq!(d.email(&id("U001")), Some("Ichiro@Example.com"));
        assert_eq!(d.email(&id("U002")), None);
        let without =
            Directory::parse("users_json", &grid(&[["U001", "佐藤", "一郎", ""]])).unwrap();
        assert_eq!(without.email(&id("U001")), None);
    }

    #[test]
    fn japanese_headers_are_accepted() {
        let g = vec![
            vec![json!("slack_id"), json!("姓"), json!("名")],
            vec![json!("W123"), json!("高橋"), json!("三郎")],
        ];
        let d = Directory::parse("users_json", &g).unwrap();
        assert_eq!(d.lookup(&key("高橋三郎")), Owner::Found(id("W123")));
        assert!(Directory::parse("users_json", &vec![vec![json!("email")]]).is_err());
    }
}
