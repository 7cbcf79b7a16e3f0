//! AWS accounts (docs/rules.md §10): the 12-digit ID, the accounts keywarden may act in, a row's
//! `AWSアカウント` cell, and `protected_users` entries qualified by account.
//!
//! A mistyped account ID can be somebody else's real account: nothing here guesses. A cell
//! resolves to an allowed account exactly, or the row is unusable.

use std::fmt;
use std::sync::Arc;

use unicode_normalization::UnicodeNormalization;

use super::IamUserName;
use super::ids::shorten;
use crate::core::words::Lang;
use crate::core::words::cells::{allowed_list, marked_list};

/// A 12-digit AWS account ID, leading zeros kept. Held inline (no allocation): every row of
/// a large sheet carries its account.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AwsAccountId([u8; 12]);

impl fmt::Debug for AwsAccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AwsAccountId({})", self.as_str())
    }
}

impl AwsAccountId {
    /// An ID as people write it: spaces and hyphens ignored (`1234-5678-9012`), full-width
    /// digits accepted. Anything but exactly 12 digits is refused.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let digits: String = raw
            .nfkc()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if digits.len() == 12 && digits.bytes().all(|b| b.is_ascii_digit()) {
            let mut id = [0u8; 12];
            id.copy_from_slice(digits.as_bytes());
            Ok(AwsAccountId(id))
        } else {
            Err(format!(
                "\"{}\" is not an AWS account ID: write its 12 digits, e.g. 123456789012",
                shorten(raw.trim())
            ))
        }
    }

    /// A number cell: the sheet dropped the ID's leading zeros (12345678901 is `012345678901`).
    pub fn from_number(n: f64) -> Result<Self, String> {
        if n.fract() == 0.0 && (0.0..1e12).contains(&n) {
            AwsAccountId::parse(&format!("{:012}", n as u64))
        } else {
            Err(format!(
                "{n} is not an AWS account ID: write its 12 digits, e.g. 123456789012"
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl fmt::Display for AwsAccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An account keywarden may act in, with its alias when it has one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub id: AwsAccountId,
    /// Shared, not copied: every row of the account carries it.
    pub alias: Option<std::sync::Arc<str>>,
}

impl fmt::Display for Account {
    /// `本番 (123456789012)`, or the bare ID without an alias.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.alias {
            Some(alias) => write!(f, "{alias} ({})", self.id),
            None => f.write_str(self.id.as_str()),
        }
    }
}

/// `KEYWARDEN_ACCOUNTS`: which accounts besides the home account keywarden may act in.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum AccountsSetting {
    /// Not set: the home account only.
    #[default]
    HomeOnly,
    /// `ID` or `alias=ID` entries.
    Listed(Vec<Account>),
    /// Every ACTIVE account of the AWS Organization, named by its account name.
    Organization,
}

impl AccountsSetting {
    /// Parses the comma-separated entries; every bad entry is named.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let entries: Vec<&str> = raw
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .collect();
        match entries.as_slice() {
            [] => return Ok(AccountsSetting::HomeOnly),
            [one] if one.eq_ignore_ascii_case("organization") => {
                return Ok(AccountsSetting::Organization);
            }
            _ => {}
        }
        let mut accounts: Vec<Account> = Vec::new();
        let mut problems = Vec::new();
        for entry in entries {
            if entry.eq_ignore_ascii_case("organization") {
                problems.push(
                    "\"organization\" must stand alone (it already means every account of the \
                     Organization)"
                        .to_string(),
                );
                continue;
            }
            let (alias, id) = match entry.rsplit_once('=') {
                Some((alias, id)) => (Some(alias.trim()), id),
                None => (None, entry),
            };
            let id = match AwsAccountId::parse(id) {
                Ok(id) => id,
                Err(e) => {
                    problems.push(e);
                    continue;
                }
            };
            let alias = match alias {
                Some("") => {
                    problems.push(format!("\"{entry}\" has an empty alias before '='"));
                    continue;
                }
                Some(a) => Some(a.to_string()),
                None => None,
            };
            let key = alias.as_deref().map(alias_key);
            if let Some(clash) = accounts
                .iter()
                .find(|a| a.id == id || (key.is_some() && a.alias.as_deref().map(alias_key) == key))
            {
                problems.push(format!("\"{entry}\" repeats {clash}"));
                continue;
            }
            accounts.push(Account {
                id,
                alias: alias.map(Into::into),
            });
        }
        if problems.is_empty() {
            Ok(AccountsSetting::Listed(accounts))
        } else {
            Err(format!(
                "{}; write entries as ID or alias=ID (本番=123456789012,検証=210987654321), or \
                 the single word organization",
                problems.join("; ")
            ))
        }
    }

    pub fn is_home_only(&self) -> bool {
        *self == AccountsSetting::HomeOnly
    }
}

/// The form aliases are compared in: NFKC, case and white space ignored. Names that people
/// match the same way (the entries of `KEYWARDEN_ISSUE_POLICIES`) use it too.
pub fn alias_key(alias: &str) -> String {
    alias
        .nfkc()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A row's `AWSアカウント` cell as read, before it is resolved against the allowed accounts.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum AccountCell {
    /// Empty, or no such column: the home account.
    #[default]
    Home,
    /// A number cell (the sheet may have dropped leading zeros).
    Number(f64),
    Text(compact_str::CompactString),
}

impl AccountCell {
    /// The cell as people see it, for messages.
    pub fn display(&self) -> String {
        match self {
            AccountCell::Home => String::new(),
            AccountCell::Number(n) => format!("{n}"),
            AccountCell::Text(t) => t.to_string(),
        }
    }
}

/// The accounts of one run: the home account (first) and every other allowed account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accounts {
    /// Shared with the rows: each row of a long sheet holds its account as one pointer.
    all: Vec<Arc<Account>>,
}

impl Accounts {
    /// The home account, plus `others` (an entry for the home account gives it its alias).
    pub fn new(home: AwsAccountId, others: Vec<Account>) -> Self {
        let home_alias = others
            .iter()
            .find(|a| a.id == home)
            .and_then(|a| a.alias.clone());
        let mut all = vec![Arc::new(Account {
            id: home,
            alias: home_alias,
        })];
        all.extend(others.into_iter().filter(|a| a.id != home).map(Arc::new));
        Accounts { all }
    }

    pub fn home(&self) -> &Account {
        &self.all[0]
    }

    /// Every allowed account, the home account first.
    pub fn all(&self) -> impl ExactSizeIterator<Item = &Account> {
        self.all.iter().map(|a| &**a)
    }

    pub fn get(&self, id: &AwsAccountId) -> Option<&Account> {
        self.shared(id).map(|a| &**a)
    }

    fn shared(&self, id: &AwsAccountId) -> Option<&Arc<Account>> {
        self.all.iter().find(|a| &a.id == id)
    }

    /// The account as people should read it: by alias and ID when it is one of ours.
    pub fn describe(&self, id: &AwsAccountId) -> String {
        self.get(id)
            .map(|a| a.to_string())
            .unwrap_or_else(|| id.to_string())
    }

    /// A row's account, or what is wrong with its cell (naming the allowed accounts).
    pub fn resolve(&self, cell: &AccountCell) -> Result<&Arc<Account>, CellAccountProblem> {
        let text = match cell {
            AccountCell::Home => return Ok(&self.all[0]),
            AccountCell::Number(n) => {
                let id = AwsAccountId::from_number(*n)
                    .map_err(|_| self.not_allowed(AccountWhy::NumberNotAnId(n.to_string())))?;
                return self.by_id(&id);
            }
            AccountCell::Text(t) => t,
        };
        if text.trim().is_empty() {
            return Ok(&self.all[0]);
        }
        // Twelve digits are that account, even when an alias reads the same: an alias may be
        // 12 digits itself (`333333333333=555555555555`), and the cell still means 333333333333.
        if let Ok(id) = AwsAccountId::parse(text) {
            return self.by_id(&id);
        }
        let key = alias_key(text);
        if let Some(a) = self
            .all
            .iter()
            .find(|a| a.alias.as_deref().map(alias_key).as_deref() == Some(key.as_str()))
        {
            return Ok(a);
        }
        // Digits (with spaces or hyphens) are an ID, or a mistyped one: never an alias.
        if key.chars().all(|c| c.is_ascii_digit() || c == '-') {
            let Ok(id) = AwsAccountId::parse(text) else {
                return Err(self.not_allowed(AccountWhy::NotAnId(shorten(text.trim()))));
            };
            return self.by_id(&id);
        }
        Err(self.not_allowed(AccountWhy::Neither(shorten(text.trim()))))
    }

    fn by_id(&self, id: &AwsAccountId) -> Result<&Arc<Account>, CellAccountProblem> {
        self.shared(id)
            .ok_or_else(|| self.not_allowed(AccountWhy::NotAllowed(*id)))
    }

    fn not_allowed(&self, why: AccountWhy) -> CellAccountProblem {
        CellAccountProblem {
            why,
            allowed: self.all.iter().map(|a| a.to_string()).collect(),
        }
    }

    /// Every `KEYWARDEN_PROTECTED_USERS` entry that names an account must name one of these:
    /// one naming any other account would protect nothing anywhere, and nobody would notice.
    /// `Err` names each such entry and the allowed accounts.
    pub fn check_protected_users(&self, entries: &[ProtectedUser]) -> Result<(), String> {
        let stray: Vec<String> = entries
            .iter()
            .filter(|p| p.is_qualified() && !self.all.iter().any(|a| p.applies_in(a)))
            .map(|p| format!("\"{p}\""))
            .collect();
        if stray.is_empty() {
            return Ok(());
        }
        let names: Vec<String> = self.all.iter().map(|a| a.to_string()).collect();
        Err(format!(
            "KEYWARDEN_PROTECTED_USERS: {} {} no account keywarden may act in, so it would \
             protect nothing; allowed accounts: {} — write one of them before ':' (or allow the \
             account in KEYWARDEN_ACCOUNTS), or write the bare user name to protect it in every \
             account",
            stray.join(", "),
            if stray.len() == 1 { "names" } else { "name" },
            marked_list(&names, " (home)", Lang::En)
        ))
    }

    /// The allowed accounts, for messages (the home account marked as such).
    pub fn allowed(&self) -> String {
        allowed_list(
            &self.all.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
            Lang::En,
        )
    }
}

/// Why an `AWSアカウント` cell names no allowed account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccountWhy {
    /// A number cell that is no account ID (the number as read).
    NumberNotAnId(String),
    /// Digits that are no account ID (as typed, shortened).
    NotAnId(String),
    /// Neither an alias nor digits (as typed, shortened).
    Neither(String),
    /// A well-formed ID that is not one of the allowed accounts.
    NotAllowed(AwsAccountId),
}

/// An `AWSアカウント` cell that names no allowed account, with the accounts that are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CellAccountProblem {
    pub why: AccountWhy,
    /// The allowed accounts as people read them, the home account first.
    pub allowed: Vec<String>,
}

/// Which accounts a `protected_users` entry protects its user in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccountScope {
    /// A bare name: every account.
    Every,
    Id(AwsAccountId),
    /// An alias of `KEYWARDEN_ACCOUNTS` (or an Organization account name).
    Alias(String),
}

/// One `KEYWARDEN_PROTECTED_USERS` entry: `name`, `ID:name` or `alias:name`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtectedUser {
    pub scope: AccountScope,
    pub user: IamUserName,
}

impl ProtectedUser {
    /// IAM user names hold no `:`, so the last one separates the account.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        let (scope, name) = match raw.rsplit_once(':') {
            None => (AccountScope::Every, raw),
            Some((account, name)) => {
                let account = account.trim();
                let digits = account
                    .nfkc()
                    .all(|c| c.is_ascii_digit() || c == '-' || c.is_whitespace());
                let scope = if account.is_empty() {
                    return Err(format!("\"{raw}\": write the account before ':'"));
                } else if digits {
                    AccountScope::Id(AwsAccountId::parse(account)?)
                } else {
                    AccountScope::Alias(account.to_string())
                };
                (scope, name)
            }
        };
        Ok(ProtectedUser {
            scope,
            user: IamUserName::parse(name)?,
        })
    }

    /// Whether the entry names an account (`ID:name`, `alias:name`).
    pub fn is_qualified(&self) -> bool {
        self.scope != AccountScope::Every
    }

    /// Whether this entry protects its user in `account`.
    pub fn applies_in(&self, account: &Account) -> bool {
        match &self.scope {
            AccountScope::Every => true,
            AccountScope::Id(id) => *id == account.id,
            AccountScope::Alias(alias) => {
                account.alias.as_deref().map(alias_key) == Some(alias_key(alias))
            }
        }
    }
}

impl fmt::Display for ProtectedUser {
    /// The entry as it could be written back: `ci-deploy`, `123456789012:ci-deploy`, `本番:ci`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.scope {
            AccountScope::Every => write!(f, "{}", self.user),
            AccountScope::Id(id) => write!(f, "{id}:{}", self.user),
            AccountScope::Alias(alias) => write!(f, "{alias}:{}", self.user),
        }
    }
}

/// The users protected in `account`.
pub fn protected_in(entries: &[ProtectedUser], account: &Account) -> Vec<IamUserName> {
    entries
        .iter()
        .filter(|p| p.applies_in(account))
        .map(|p| p.user.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn id(s: &str) -> AwsAccountId {
        AwsAccountId::parse(s).unwrap()
    }

    fn accounts() -> Accounts {
        Accounts::new(
            id("111111111111"),
            vec![
                Account {
                    id: id("123456789012"),
                    alias: Some("本番".into()),
                },
                Account {
                    id: id("012345678901"),
                    alias: Some("Staging".into()),
                },
                Account {
                    id: id("210987654321"),
                    alias: None,
                },
            ],
        )
    }

    #[test]
    fn ids_ignore_spaces_and_hyphens_and_need_twelve_digits() {
        assert_eq!(id("1234-5678-9012").as_str(), "123456789012");
        assert_eq!(id(" 1234 5678 9012 ").as_str(), "123456789012");
        assert_eq!(id("１２３４５６７８９０１２").as_str(), "123456789012");
        assert!(AwsAccountId::parse("12345678901").is_err());
        assert!(AwsAccountId::parse("1234567890123").is_err());
        assert!(AwsAccountId::parse("12345678901x").is_err());
        assert!(AwsAccountId::parse("").is_err());
    }

    #[test]
    fn number_cells_get_their_leading_zeros_back() {
        assert_eq!(
            AwsAccountId::from_number(12345678901.0).unwrap().as_str(),
            "012345678901"
        );
        assert_eq!(
            AwsAccountId::from_number(123456789012.0).unwrap().as_str(),
            "123456789012"
        );
        assert!(AwsAccountId::from_number(1234567890123.0).is_err());
        assert!(AwsAccountId::from_number(1.5).is_err());
        assert!(AwsAccountId::from_number(-1.0).is_err());
    }

    #[test]
    fn the_setting_takes_ids_aliases_or_organization() {
        assert_eq!(
            AccountsSetting::parse(" ").unwrap(),
            AccountsSetting::HomeOnly
        );
        assert_eq!(
            AccountsSetting::parse("Organization").unwrap(),
            AccountsSetting::Organization
        );
        assert_eq!(
            AccountsSetting::parse("本番=1234-5678-9012, 210987654321").unwrap(),
            AccountsSetting::Listed(vec![
                Account {
                    id: id("123456789012"),
                    alias: Some("本番".into())
                },
                Account {
                    id: id("210987654321"),
                    alias: None
                },
            ])
        );
        let err = AccountsSetting::parse("a=12345,organization,b=123456789012,B=210987654321")
            .unwrap_err();
        assert!(err.contains("\"12345\" is not an AWS account ID"), "{err}");
        assert!(err.contains("must stand alone"), "{err}");
        assert!(err.contains("repeats b (123456789012)"), "{err}");
        assert!(AccountsSetting::parse("=123456789012").is_err());
    }

    #[test]
    fn cells_resolve_to_allowed_accounts_only() {
        let a = accounts();
        let resolve = |cell: AccountCell| {
            a.resolve(&cell)
                .map(|acc| acc.id.to_string())
                .map_err(|e| e.to_string())
        };
        assert_eq!(resolve(AccountCell::Home).unwrap(), "111111111111");
        assert_eq!(
            resolve(AccountCell::Text("  ".into())).unwrap(),
            "111111111111"
        );
        assert_eq!(
            resolve(AccountCell::Text("1234-5678-9012".into())).unwrap(),
            "123456789012"
        );
        assert_eq!(
            resolve(AccountCell::Number(12345678901.0)).unwrap(),
            "012345678901"
        );
        // Aliases: NFKC, case and white space do not matter.
        assert_eq!(
            resolve(AccountCell::Text(" 本番 ".into())).unwrap(),
            "123456789012"
        );
        assert_eq!(
            resolve(AccountCell::Text("ＳＴＡＧＩＮＧ".into())).unwrap(),
            "012345678901"
        );
        assert_eq!(
            resolve(AccountCell::Text("stag ing".into())).unwrap(),
            "012345678901"
        );
        // Unlisted, malformed and unknown cells are refused, naming what is allowed.
        let err = resolve(AccountCell::Text("999999999999".into())).unwrap_err();
        assert!(
            err.contains("999999999999 is not one keywarden may act in"),
            "{err}"
        );
        assert!(err.contains("本番 (123456789012)"), "{err}");
        assert!(err.contains("111111111111 (home; an empty cell)"), "{err}");
        let err = resolve(AccountCell::Text("12345678901".into())).unwrap_err();
        assert!(err.contains("is not an AWS account ID"), "{err}");
        assert!(resolve(AccountCell::Text("prod".into())).is_err());
        assert!(resolve(AccountCell::Number(1234567890123.0)).is_err());
        assert!(
            resolve(AccountCell::Number(99.0)).is_err(),
            "000000000099 is not listed"
        );
    }

    #[test]
    fn twelve_digits_are_an_id_even_when_an_alias_reads_the_same() {
        let AccountsSetting::Listed(others) = AccountsSetting::parse(
            "333333333333=555555555555,444444444444=666666666666,444444444444",
        )
        .unwrap() else {
            panic!("listed");
        };
        let a = Accounts::new(id("111111111111"), others);
        let resolve = |cell: AccountCell| {
            a.resolve(&cell)
                .map(|acc| acc.id.to_string())
                .map_err(|e| e.why)
        };
        // 333333333333 is only an alias: the account it reads as is not allowed.
        for cell in [
            AccountCell::Text("333333333333".into()),
            AccountCell::Text("3333-3333-3333".into()),
            AccountCell::Text("３３３３ ３３３３ ３３３３".into()),
            AccountCell::Number(333333333333.0),
        ] {
            assert_eq!(
                resolve(cell.clone()),
                Err(AccountWhy::NotAllowed(id("333333333333"))),
                "{cell:?}"
            );
        }
        // 444444444444 is the alias of 666666666666 and an allowed account itself: the
        // account of that ID, never the alias's.
        assert_eq!(
            resolve(AccountCell::Text("4444-4444-4444".into())).unwrap(),
            "444444444444"
        );
    }

    #[test]
    fn the_home_account_takes_its_alias_from_the_list() {
        let a = Accounts::new(
            id("123456789012"),
            vec![Account {
                id: id("123456789012"),
                alias: Some("本番".into()),
            }],
        );
        assert_eq!(a.all().len(), 1);
        assert_eq!(a.home().to_string(), "本番 (123456789012)");
        assert_eq!(a.describe(&id("999999999999")), "999999999999");
    }

    #[test]
    fn protected_users_may_name_their_account() {
        let a = accounts();
        let prod = a.get(&id("123456789012")).unwrap();
        let staging = a.get(&id("012345678901")).unwrap();
        let bare = ProtectedUser::parse("ci-deploy").unwrap();
        let by_id = ProtectedUser::parse("1234-5678-9012:admin").unwrap();
        let by_alias = ProtectedUser::parse("ｓｔａｇｉｎｇ:ops").unwrap();
        assert!(bare.applies_in(prod) && bare.applies_in(staging));
        assert!(by_id.applies_in(prod) && !by_id.applies_in(staging));
        assert!(by_alias.applies_in(staging) && !by_alias.applies_in(prod));
        assert_eq!(
            protected_in(&[bare, by_id, by_alias], prod)
                .iter()
                .map(|u| u.as_str())
                .collect::<Vec<_>>(),
            ["ci-deploy", "admin"]
        );
        assert!(ProtectedUser::parse("12345:admin").is_err());
        assert!(ProtectedUser::parse(":admin").is_err());
        assert!(ProtectedUser::parse("本番:has space").is_err());
    }

    #[test]
    fn a_protected_user_of_an_account_that_is_not_allowed_is_refused() {
        let entries = |raw: &str| -> Vec<ProtectedUser> {
            raw.split(',')
                .map(|e| ProtectedUser::parse(e).unwrap())
                .collect()
        };
        // Bare names, and entries naming allowed accounts by ID or alias, are fine.
        let a = accounts();
        assert_eq!(
            a.check_protected_users(&entries(
                "ci-deploy,111111111111:admin,1234-5678-9012:ops,ｓｔａｇｉｎｇ:ops,210987654321:x"
            )),
            Ok(())
        );
        assert_eq!(a.check_protected_users(&[]), Ok(()));
        // Another account, by ID or alias: every such entry named, with the allowed accounts.
        let err = a
            .check_protected_users(&entries("ci-deploy,999999999999:admin,開発:ops,本番:ok"))
            .unwrap_err();
        assert!(err.starts_with("KEYWARDEN_PROTECTED_USERS: "), "{err}");
        assert!(
            err.contains("\"999999999999:admin\", \"開発:ops\" name no account"),
            "{err}"
        );
        assert!(
            !err.contains("ci-deploy") && !err.contains("本番:ok"),
            "{err}"
        );
        assert!(
            err.contains(
                "allowed accounts: 111111111111 (home), 本番 (123456789012), Staging \
                 (012345678901), 210987654321"
            ),
            "{err}"
        );
        // The home account alone (no KEYWARDEN_ACCOUNTS): only its ID is allowed.
        let home = Accounts::new(id("111111111111"), Vec::new());
        assert_eq!(
            home.check_protected_users(&entries("ci-deploy,1111-1111-1111:admin")),
            Ok(())
        );
        let err = home
            .check_protected_users(&entries("本番:ci-deploy"))
            .unwrap_err();
        assert!(
            err.contains("\"本番:ci-deploy\" names no account keywarden may act in"),
            "{err}"
        );
        assert!(
            err.contains("allowed accounts: 111111111111 (home) — "),
            "{err}"
        );
    }

    proptest! {
        /// Any 12 digits, however grouped, are that ID; a number cell of it too.
        #[test]
        fn twelve_digits_round_trip(n in 0u64..1_000_000_000_000, sep in prop::sample::select(vec!["", "-", " "])) {
            let digits = format!("{n:012}");
            let grouped = format!("{}{sep}{}{sep}{}", &digits[..4], &digits[4..8], &digits[8..]);
            prop_assert_eq!(AwsAccountId::parse(&grouped).unwrap().to_string(), digits.clone());
            prop_assert_eq!(AwsAccountId::from_number(n as f64).unwrap().to_string(), digits);
        }

        /// Nothing but an allowed account ever comes out of a cell.
        #[test]
        fn resolution_never_invents_an_account(text in "\\PC{0,20}") {
            let a = accounts();
            if let Ok(acc) = a.resolve(&AccountCell::Text(text.into())) {
                prop_assert!(a.get(&acc.id).is_some());
            }
        }
    }
}
