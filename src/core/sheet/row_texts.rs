//! A request row's texts in one allocation: a long sheet holds one buffer a row instead of a
//! text apiece (docs/benchmark.md, issue 21: the rows were most of a run's memory).

use std::fmt;

/// Which of a row's texts (the cells as read, trimmed; dates as `YYYY-MM-DD` when readable).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    /// `状態` as written.
    Status,
    /// `氏名` as written.
    Owner,
    /// The IAM user cell.
    User,
    /// The access key ID cell.
    Key,
    Purpose,
    Service,
    Start,
    End,
    /// `延長申請` as written, empty when there is no pending request.
    PendingExtension,
    /// The `AWSアカウント` cell: its text, or its number as Rust writes an `f64` (read back
    /// exactly).
    AccountCell,
    /// The owner's name reduced for comparison (a `NameKey`), kept only for a row whose cells
    /// all read and only when it is not simply the owner's text without white space (a name
    /// that normalising changes, such as full-width letters): computing it again costs more.
    OwnerKey,
}

const COUNT: usize = 11;

const ALL: [Text; COUNT] = [
    Text::Status,
    Text::Owner,
    Text::User,
    Text::Key,
    Text::Purpose,
    Text::Service,
    Text::Start,
    Text::End,
    Text::PendingExtension,
    Text::AccountCell,
    Text::OwnerKey,
];

/// The texts one after another, and where each but the last ends: 56 bytes and one
/// allocation (none when every text is empty).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct RowTexts {
    buf: Box<str>,
    ends: [u32; COUNT - 1],
}

impl RowTexts {
    /// In the order of [`Text`].
    pub fn new(texts: [&str; COUNT]) -> Self {
        let mut buf = String::with_capacity(texts.iter().map(|t| t.len()).sum());
        let mut ends = [0; COUNT - 1];
        for (i, text) in texts.iter().enumerate() {
            buf.push_str(text);
            if let Some(end) = ends.get_mut(i) {
                // A sheet cell holds at most 50,000 characters: a row is far below 4 GiB.
                *end = u32::try_from(buf.len()).expect("a row's texts fit in 4 GiB");
            }
        }
        RowTexts {
            buf: buf.into_boxed_str(),
            ends,
        }
    }

    pub fn get(&self, text: Text) -> &str {
        let i = text as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        let end = self.ends.get(i).map_or(self.buf.len(), |&e| e as usize);
        &self.buf[start..end]
    }

    /// The same texts with one replaced (the unit tests' rows).
    #[cfg(test)]
    pub fn with(&self, text: Text, value: &str) -> Self {
        let mut all: [&str; COUNT] = std::array::from_fn(|i| self.get(ALL[i]));
        all[text as usize] = value;
        Self::new(all)
    }
}

impl fmt::Debug for RowTexts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(ALL.iter().map(|&t| (t, self.get(t))))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_text_comes_back_as_stored() {
        let texts = RowTexts::new([
            "有効",
            "田中 太郎",
            "tanaka",
            "",
            "S3 のバックアップ",
            "",
            "2026-09-01",
            "2026-11-29",
            "",
            "本番",
            "田中太郎",
        ]);
        let got: Vec<&str> = ALL.iter().map(|&t| texts.get(t)).collect();
        assert_eq!(
            got,
            [
                "有効",
                "田中 太郎",
                "tanaka",
                "",
                "S3 のバックアップ",
                "",
                "2026-09-01",
                "2026-11-29",
                "",
                "本番",
                "田中太郎"
            ]
        );
        let changed = texts.with(Text::Key, "AKIAIOSFODNN7EXAMPLE");
        assert_eq!(changed.get(Text::Key), "AKIAIOSFODNN7EXAMPLE");
        assert_eq!(changed.get(Text::Purpose), "S3 のバックアップ");
        assert_eq!(changed.get(Text::OwnerKey), "田中太郎");
        assert_eq!(RowTexts::default().get(Text::OwnerKey), "");
        assert_eq!(RowTexts::default().get(Text::Status), "");
    }
}

#[cfg(test)]
mod size {
    #[test]
    fn print_sizes() {
        use crate::core::sheet::{Held, RequestRow};
        eprintln!(
            "RequestRow {} Held {} AccountCell {} Option<Account> {} checked {}",
            size_of::<RequestRow>(),
            size_of::<Held>(),
            size_of::<crate::core::domain::AccountCell>(),
            size_of::<Option<crate::core::domain::Account>>(),
            size_of::<Result<chrono::NaiveDate, Vec<crate::core::sheet::CellProblem>>>()
        );
    }
}
