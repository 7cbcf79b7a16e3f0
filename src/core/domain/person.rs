//! Full names as people type them: full-width or half-width, with or without spaces.

use unicode_normalization::UnicodeNormalization;

/// A name reduced for comparison: NFKC-normalised with all white space removed, so that
/// `田中　太郎`, `田中 太郎` and `田中太郎` are the same person (docs/rules.md §2).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NameKey(compact_str::CompactString);

impl NameKey {
    /// `None` for a name that is empty once white space is gone.
    pub fn new(raw: &str) -> Option<Self> {
        Self::from_chars(raw.chars())
    }

    /// The key as text (what [`NameKey::reduced`] takes back).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A key kept as text by [`NameKey::as_str`]: a request row keeps its owner's key in its
    /// texts, and a `NameKey` is made again from them without normalising twice.
    pub(crate) fn reduced(key: &str) -> Self {
        NameKey(key.into())
    }

    /// The key of a name that is NFKC already: its text without white space (what
    /// [`NameKey::new`] makes of it, without checking the form again).
    pub(crate) fn nfkc_already(raw: &str) -> Self {
        NameKey(raw.chars().filter(|c| !c.is_whitespace()).collect())
    }

    /// Whether this key is `raw` without its white space (then a row need not keep it apart).
    pub(crate) fn is_spaces_removed(&self, raw: &str) -> bool {
        self.0
            .chars()
            .eq(raw.chars().filter(|c| !c.is_whitespace()))
    }

    /// Family and given name in either order.
    pub fn from_parts(first: &str, second: &str) -> Option<Self> {
        Self::from_chars(first.chars().chain(second.chars()))
    }

    fn from_chars(chars: impl Iterator<Item = char> + Clone) -> Option<Self> {
        use unicode_normalization::{IsNormalized, is_nfkc_quick};
        // Most names are already NFKC (kanji, kana, ASCII): the quick check spares the work.
        let key: compact_str::CompactString = match is_nfkc_quick(chars.clone()) {
            IsNormalized::Yes => chars.filter(|c| !c.is_whitespace()).collect(),
            _ => chars.nfkc().filter(|c| !c.is_whitespace()).collect(),
        };
        (!key.is_empty()).then_some(NameKey(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn white_space_and_width_do_not_matter() {
        let a = NameKey::new("田中　太郎").unwrap();
        assert_eq!(NameKey::new("田中 太郎"), Some(a.clone()));
        assert_eq!(NameKey::new(" 田中太郎 "), Some(a.clone()));
        assert_eq!(NameKey::from_parts("田中", "太郎"), Some(a));
        assert_eq!(
            NameKey::new("ＴＡＮＡＫＡ Taro"),
            NameKey::new("TANAKATaro")
        );
        assert_eq!(NameKey::new("ﾀﾅｶ"), NameKey::new("タナカ"));
    }

    #[test]
    fn blank_names_have_no_key() {
        assert_eq!(NameKey::new(""), None);
        assert_eq!(NameKey::new(" \u{3000}\t"), None);
    }
}
