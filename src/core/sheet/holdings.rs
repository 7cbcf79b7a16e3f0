//! The one index of what the request sheet holds: rows by access key and rows by (AWS account,
//! IAM user), each with its status, whether it is due for deletion today, and how its key cell
//! reads. Built once per run over the whole sheet (and once per interaction, and once per
//! re-read before a write); the proof before every destructive change, the key rules' "whose
//! key is this", the duplicate-key alert and every relocation before a write ask it, so "which
//! rows hold this key / name this user" has one answer in every account.
//!
//! Key IDs are global: a row holds its key whatever AWS account it names. A user name means
//! the user of the row's own account; a row whose account is not known (a mistyped account
//! cell) names its user in every account, because the account it meant could be any of them.
//!
//! It borrows the cell texts it was built from and keeps two sorted vectors of row indices:
//! two allocations however long the sheet.

use std::cmp::Ordering;

use super::RequestRow;
use crate::core::domain::{AccessKeyId, AwsAccountId, IamUserName, RowStatus};

/// How a row's key cell reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyCell<'a> {
    /// An access key ID (trimmed).
    Id(&'a str),
    Empty,
    /// Not an access key ID (`AKIA… （旧）`, a note): it may still mean a key.
    Unreadable,
}

impl<'a> KeyCell<'a> {
    pub fn read(text: &'a str) -> Self {
        let text = text.trim();
        if text.is_empty() {
            KeyCell::Empty
        } else if AccessKeyId::parse(text).is_ok() {
            KeyCell::Id(text)
        } else {
            KeyCell::Unreadable
        }
    }
}

/// One row as the index sees it: 48 bytes (a row number, two flags, how the key cell reads,
/// the two texts and the account), one for every row of the sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held<'a> {
    row: u32,
    live: bool,
    due: bool,
    /// `KeyCell`'s variant: the key text is kept only for an ID.
    key_kind: KeyKind,
    user: &'a str,
    key: &'a str,
    account: Option<&'a AwsAccountId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyKind {
    Id,
    Empty,
    Unreadable,
}

impl<'a> Held<'a> {
    /// Row `row` (1-based): `live` when its status does not contain `削除` (`延長` rows are
    /// live), `due` for deletion today (docs/rules.md §3's delete, after any grace period), its
    /// IAM user cell as written (trimmed; IAM compares it without regard to case), its key
    /// cell, and its AWS account: `None` when it is not known, and then the row names its user
    /// in every account (a run in one account whose ID is unknown, or a mistyped cell).
    pub fn new(
        row: usize,
        live: bool,
        due: bool,
        user: &'a str,
        key: KeyCell<'a>,
        account: Option<&'a AwsAccountId>,
    ) -> Self {
        let (key_kind, key) = match key {
            KeyCell::Id(k) => (KeyKind::Id, k),
            KeyCell::Empty => (KeyKind::Empty, ""),
            KeyCell::Unreadable => (KeyKind::Unreadable, ""),
        };
        Held {
            // A sheet has at most 10 million cells: far fewer rows than u32 counts.
            row: u32::try_from(row).expect("a sheet row number fits in u32"),
            live,
            due,
            key_kind,
            user,
            key,
            account,
        }
    }

    /// 1-based sheet row.
    pub fn row(&self) -> usize {
        self.row as usize
    }

    /// The status does not contain `削除` (`延長` rows are live).
    pub fn live(&self) -> bool {
        self.live
    }

    /// Due for deletion today (docs/rules.md §3's delete, after any grace period).
    pub fn due(&self) -> bool {
        self.due
    }

    /// The IAM user cell as written (trimmed); IAM compares it without regard to case.
    pub fn user(&self) -> &'a str {
        self.user
    }

    pub fn key(&self) -> KeyCell<'a> {
        match self.key_kind {
            KeyKind::Id => KeyCell::Id(self.key),
            KeyKind::Empty => KeyCell::Empty,
            KeyKind::Unreadable => KeyCell::Unreadable,
        }
    }

    /// The row's AWS account; `None` when it is not known, and then the row names its user
    /// in every account (a run in one account whose ID is unknown, or a mistyped cell).
    pub fn account(&self) -> Option<&'a AwsAccountId> {
        self.account
    }
}

impl Held<'_> {
    /// Whether the row names `user` (as IAM compares names).
    pub fn names(&self, user: &IamUserName) -> bool {
        self.user.eq_ignore_ascii_case(user.as_str())
    }

    /// Whether the row's user name can mean a user of `account` (`None`: the run's only one).
    pub fn in_account(&self, account: Option<&AwsAccountId>) -> bool {
        match (self.account, account) {
            (Some(mine), Some(theirs)) => mine == theirs,
            _ => true,
        }
    }

    /// Whether the row's key cell reads as `key`.
    pub fn holds(&self, key: &AccessKeyId) -> bool {
        self.key() == KeyCell::Id(key.as_str())
    }

    /// docs/rules.md §4's "another live row": live and not itself due for deletion today.
    pub fn keeps_alive(&self) -> bool {
        self.live && !self.due
    }
}

/// Rows by key and by IAM user.
#[derive(Debug, Clone, Default)]
pub struct Holdings<'a> {
    rows: Vec<Held<'a>>,
    /// Indices into `rows` of the rows whose key cell reads as a key ID, sorted by key.
    by_key: Vec<u32>,
    /// Indices into `rows` of every row with a user cell, sorted by user without case.
    by_user: Vec<u32>,
}

fn fold_cmp(a: &str, b: &str) -> Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

impl<'a> Holdings<'a> {
    pub fn new(rows: impl IntoIterator<Item = Held<'a>>) -> Self {
        let mut rows: Vec<Held<'a>> = rows.into_iter().collect();
        rows.sort_by_key(|h| h.row());
        let index = |keep: fn(&Held) -> bool| -> Vec<u32> {
            (0..rows.len() as u32)
                .filter(|&i| keep(&rows[i as usize]))
                .collect()
        };
        let mut by_key = index(|h| matches!(h.key(), KeyCell::Id(_)));
        by_key.sort_by(|&a, &b| key_of(&rows[a as usize]).cmp(key_of(&rows[b as usize])));
        let mut by_user = index(|h| !h.user.is_empty());
        by_user.sort_by(|&a, &b| fold_cmp(rows[a as usize].user, rows[b as usize].user));
        Holdings {
            rows,
            by_key,
            by_user,
        }
    }

    /// From parsed request rows, each with whether it is due for deletion today.
    pub fn of_rows(rows: impl IntoIterator<Item = (&'a RequestRow, bool)>) -> Self {
        Self::new(Self::held(rows))
    }

    /// What each parsed row holds, with whether it is due for deletion today.
    pub fn held(
        rows: impl IntoIterator<Item = (&'a RequestRow, bool)>,
    ) -> impl Iterator<Item = Held<'a>> {
        rows.into_iter().map(|(r, due)| {
            Held::new(
                r.row,
                r.status != RowStatus::Deleted,
                due,
                r.user().trim(),
                KeyCell::read(r.key_id()),
                r.aws_account.as_ref().map(|a| &a.id),
            )
        })
    }

    /// Only where rows are (a re-read of the user and key columns before a write): status
    /// and due-ness unknown, every row taken as live and not due.
    pub fn locations(rows: impl IntoIterator<Item = (usize, &'a str, &'a str)>) -> Self {
        Self::new(rows.into_iter().map(|(row, user, key)| {
            Held::new(row, true, false, user.trim(), KeyCell::read(key), None)
        }))
    }

    /// A due row that this run will not act on (its key proves another account): it still
    /// claims its key and user like any live row that is not due.
    pub fn not_acted_on(&mut self, row: usize) {
        if let Ok(i) = self.rows.binary_search_by_key(&row, |h| h.row()) {
            self.rows[i].due = false;
        }
    }

    /// Every row, in sheet order.
    pub fn rows(&self) -> &[Held<'a>] {
        &self.rows
    }

    /// The row numbered `row`, if the sheet has it.
    pub fn row(&self, row: usize) -> Option<&Held<'a>> {
        self.rows
            .binary_search_by_key(&row, |h| h.row())
            .ok()
            .map(|i| &self.rows[i])
    }

    /// The rows whose key cell reads as `key`, in sheet order, whatever user they name.
    pub fn holders(&self, key: &AccessKeyId) -> impl Iterator<Item = &Held<'a>> {
        let key = key.as_str();
        let start = self
            .by_key
            .partition_point(|&i| key_of(&self.rows[i as usize]) < key);
        self.by_key[start..]
            .iter()
            .map(|&i| &self.rows[i as usize])
            .take_while(move |h| key_of(h) == key)
    }

    /// The rows naming `user` of `account` (as IAM compares names), in sheet order, whatever
    /// key they hold: the rows of that account and the rows whose account is not known.
    /// `None` asks every row (a run in one account whose ID is unknown).
    pub fn naming(
        &self,
        account: Option<&AwsAccountId>,
        user: &IamUserName,
    ) -> impl Iterator<Item = &Held<'a>> {
        let name = user.as_str();
        let start = self
            .by_user
            .partition_point(|&i| fold_cmp(self.rows[i as usize].user, name) == Ordering::Less);
        self.by_user[start..]
            .iter()
            .map(|&i| &self.rows[i as usize])
            .take_while(move |h| fold_cmp(h.user, name) == Ordering::Equal)
            .filter(move |h| h.in_account(account))
    }

    /// The sheet row that owns `key` in `account` for the key rules: the first live row
    /// holding it there (or with its account unknown).
    pub fn key_row(&self, account: Option<&AwsAccountId>, key: &AccessKeyId) -> Option<&Held<'a>> {
        self.holders(key).find(|h| h.live && h.in_account(account))
    }

    /// Where the row holding `user` and `key` is now (docs/rules.md §4 step 8): `expected` if it still
    /// holds them, else the only row that does; `None` when none or several do.
    pub fn locate(&self, expected: usize, user: &IamUserName, key: &AccessKeyId) -> Option<usize> {
        let rows: Vec<usize> = self
            .holders(key)
            .filter(|h| h.names(user))
            .map(|h| h.row())
            .collect();
        match rows.as_slice() {
            _ if rows.contains(&expected) => Some(expected),
            [only] => Some(*only),
            _ => None,
        }
    }

    /// Keys that more than one live row holds, with those rows (sheet order, by first row).
    pub fn duplicate_keys(&self) -> Vec<(String, Vec<usize>)> {
        let live: Vec<&Held> = self
            .by_key
            .iter()
            .map(|&i| &self.rows[i as usize])
            .filter(|h| h.live)
            .collect();
        let mut out: Vec<(String, Vec<usize>)> = live
            .chunk_by(|a, b| key_of(a) == key_of(b))
            .filter(|same| same.len() > 1)
            .map(|same| {
                let mut rows: Vec<usize> = same.iter().map(|h| h.row()).collect();
                rows.sort_unstable();
                (key_of(same[0]).to_string(), rows)
            })
            .collect();
        out.sort_by_key(|(_, rows)| rows[0]);
        out
    }
}

fn key_of<'a>(h: &Held<'a>) -> &'a str {
    match h.key() {
        KeyCell::Id(k) => k,
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::fixtures::{key, user};

    const K1: &str = "AKIAIOSFODNN7EXAMPLE";
    const K2: &str = "AKIAI44QH8DHBEXAMPLE";

    fn held(row: usize, user: &'static str, key: &'static str) -> Held<'static> {
        Held::new(row, true, false, user, KeyCell::read(key), None)
    }

    #[test]
    fn key_cells_read_as_ids_empty_or_unreadable() {
        assert_eq!(KeyCell::read(&format!(" {K1} ")), KeyCell::Id(K1));
        assert_eq!(KeyCell::read("  "), KeyCell::Empty);
        assert_eq!(KeyCell::read(&format!("{K1} （旧）")), KeyCell::Unreadable);
    }

    #[test]
    fn rows_by_key_and_by_user_whatever_the_case() {
        let h = Holdings::new([
            held(2, "tanaka-dev", K1),
            held(3, "Tanaka-Dev", K2),
            held(4, "sato", K1),
            held(5, "tanaka-dev", ""),
        ]);
        let rows = |it: &mut dyn Iterator<Item = &Held>| it.map(|h| h.row()).collect::<Vec<_>>();
        assert_eq!(rows(&mut h.holders(&key(K1))), vec![2, 4]);
        assert_eq!(rows(&mut h.holders(&key(K2))), vec![3]);
        assert_eq!(
            rows(&mut h.naming(None, &user("TANAKA-dev"))),
            vec![2, 3, 5]
        );
        assert_eq!(
            rows(&mut h.naming(None, &user("nobody"))),
            Vec::<usize>::new()
        );
        assert_eq!(h.duplicate_keys(), vec![(K1.to_string(), vec![2, 4])]);
        assert_eq!(h.row(4).map(|r| r.user), Some("sato"));
        assert_eq!(h.row(9), None);
    }

    #[test]
    fn locate_follows_a_moved_row_and_refuses_to_guess() {
        let (u, k) = (user("tanaka-dev"), key(K1));
        let moved = Holdings::locations([(2, "suzuki", K2), (3, "tanaka-dev", K1)]);
        assert_eq!(moved.locate(2, &u, &k), Some(3));
        assert_eq!(moved.locate(3, &u, &k), Some(3));
        let twice = Holdings::locations([(2, "tanaka-dev", K1), (4, "TANAKA-DEV", K1)]);
        assert_eq!(twice.locate(4, &u, &k), Some(4), "still where it was");
        assert_eq!(twice.locate(3, &u, &k), None, "moved, and two rows hold it");
        let gone = Holdings::locations([(2, "tanaka-dve", K1)]);
        assert_eq!(gone.locate(2, &u, &k), None);
    }

    #[test]
    fn a_name_means_its_own_account_and_an_unknown_account_means_every_one() {
        let (a, b) = (
            AwsAccountId::parse("111111111111").unwrap(),
            AwsAccountId::parse("222222222222").unwrap(),
        );
        let mut in_a = held(2, "tanaka", K1);
        in_a.account = Some(&a);
        let mut in_b = held(3, "tanaka", "");
        in_b.account = Some(&b);
        let unknown = held(4, "TANAKA", "");
        let h = Holdings::new([in_a, in_b, unknown]);
        let rows = |acc: Option<&AwsAccountId>| {
            h.naming(acc, &user("tanaka"))
                .map(|r| r.row)
                .collect::<Vec<_>>()
        };
        assert_eq!(rows(Some(&a)), vec![2, 4]);
        assert_eq!(rows(Some(&b)), vec![3, 4]);
        assert_eq!(rows(None), vec![2, 3, 4]);
        // A key is held wherever it is written, but the key rules' row is of the key's account.
        assert_eq!(h.holders(&key(K1)).count(), 1);
        assert_eq!(h.key_row(Some(&a), &key(K1)).map(|r| r.row), Some(2));
        assert_eq!(h.key_row(Some(&b), &key(K1)), None);
    }

    #[test]
    fn deleted_rows_are_no_duplicates() {
        let mut deleted = held(3, "a", K1);
        deleted.live = false;
        let h = Holdings::new([held(2, "a", K1), deleted]);
        assert!(h.duplicate_keys().is_empty());
        assert_eq!(h.holders(&key(K1)).count(), 2, "but both hold the key");
    }
}
