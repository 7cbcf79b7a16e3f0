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
    /// The start date as typed, kept only when it does not read as a date.
    Start,
    /// The end date as typed, kept only when it does not read as a date.
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

/// The texts one after another, and where each but the last ends: one allocation (none when
/// every text is empty), the ends in two bytes each for the up to 64 KiB of text of almost
/// every row.
#[derive(Clone, PartialEq, Eq)]
pub struct RowTexts(Repr);

#[derive(Clone, PartialEq, Eq)]
enum Repr {
    Narrow {
        buf: Box<str>,
        ends: [u16; COUNT - 1],
    },
    /// A row with more text (a cell holds up to 50,000 characters).
    Wide(Box<(Box<str>, [u32; COUNT - 1])>),
}

impl Default for RowTexts {
    fn default() -> Self {
        RowTexts(Repr::Narrow {
            buf: Box::default(),
            ends: [0; COUNT - 1],
        })
    }
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
        let buf = buf.into_boxed_str();
        RowTexts(match u16::try_from(buf.len()) {
            Ok(_) => Repr::Narrow {
                buf,
                ends: ends.map(|e| e as u16),
            },
            Err(_) => Repr::Wide(Box::new((buf, ends))),
        })
    }

    pub fn get(&self, text: Text) -> &str {
        let i = text as usize;
        let (buf, start, end) = match &self.0 {
            Repr::Narrow { buf, ends } => (
                buf,
                i.checked_sub(1).map_or(0, |p| ends[p] as usize),
                ends.get(i).map_or(buf.len(), |&e| e as usize),
            ),
            Repr::Wide(wide) => {
                let (buf, ends) = &**wide;
                (
                    buf,
                    i.checked_sub(1).map_or(0, |p| ends[p] as usize),
                    ends.get(i).map_or(buf.len(), |&e| e as usize),
                )
            }
        };
        &buf[start..end]
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
        let stored = [
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
        ];
        let texts = RowTexts::new(stored);
        let got: Vec<&str> = ALL.iter().map(|&t| texts.get(t)).collect();
        assert_eq!(got, stored);
        let changed = texts.with(Text::Key, "AKIAIOSFODNN7EXAMPLE");
        assert_eq!(changed.get(Text::Key), "AKIAIOSFODNN7EXAMPLE");
        assert_eq!(changed.get(Text::Purpose), "S3 のバックアップ");
        assert_eq!(changed.get(Text::OwnerKey), "田中太郎");
        assert_eq!(RowTexts::default().get(Text::OwnerKey), "");
        assert_eq!(RowTexts::default().get(Text::Status), "");
    }

    #[test]
    fn a_row_of_more_than_64_kib_of_text_keeps_every_text() {
        let huge = "長".repeat(50_000);
        let mut texts = [""; COUNT];
        texts[Text::Purpose as usize] = &huge;
        texts[Text::Service as usize] = "S3";
        texts[Text::OwnerKey as usize] = "田中太郎";
        let t = RowTexts::new(texts);
        assert!(matches!(t.0, Repr::Wide(_)));
        assert_eq!(t.get(Text::Purpose), huge);
        assert_eq!(t.get(Text::Service), "S3");
        assert_eq!(t.get(Text::OwnerKey), "田中太郎");
        assert_eq!(t.get(Text::Status), "");
        assert_eq!(t, RowTexts::new(texts), "the same texts compare equal");
    }
}

#[cfg(test)]
mod size {
    /// Every row of the sheet is held for the whole run: a field that grows a row shows here
    /// (docs/benchmark.md counts on these sizes).
    #[test]
    fn a_request_row_and_its_index_entry_stay_small() {
        use crate::core::sheet::{Held, RequestRow};
        assert_eq!(size_of::<super::RowTexts>(), 40);
        assert!(size_of::<RequestRow>() <= 96, "{}", size_of::<RequestRow>());
        assert!(size_of::<Held>() <= 48, "{}", size_of::<Held>());
    }
}
