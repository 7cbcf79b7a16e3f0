//! What is wrong with a cell of the request sheet or of `users_json` (docs/rules.md §2), with
//! what to fix: an empty cell, a user name or key ID that cannot be one, a date that is none,
//! an AWS account keywarden may not act in, a `users_json` row without a usable Slack ID.

use super::*;
use crate::core::domain::{AccountWhy, CellAccountProblem, DateError, IdError};
use crate::core::sheet::{
    DirectoryProblem, DirectoryProblemKind, Needed, Problem, SLACK_ID_COLUMN, START_COLUMN,
};

/// Cell problems one after the other, for `lang`.
pub(super) fn cells(problems: &[CellProblem], lang: Lang) -> String {
    problems
        .iter()
        .map(|p| p.words(lang))
        .collect::<Vec<_>>()
        .join(say!(lang, "; ", "。"))
}

impl CellProblem {
    /// The cell and its header as they are, then what is wrong, for `lang`.
    pub fn words(&self, lang: Lang) -> String {
        let (cell, header, problem) = (&self.cell, self.header, self.problem.words(lang));
        say!(
            lang,
            format!("{cell} ({header}): {problem}"),
            format!("{cell}（{header}）: {problem}"),
        )
    }
}

/// An empty cell that must hold the end date.
pub(super) fn end_empty(lang: Lang) -> &'static str {
    say!(
        lang,
        "empty: write the end date, e.g. 2026/11/29",
        "空欄です: 利用終了日を記入してください（例: 2026/11/29）"
    )
}

/// An empty cell that must hold the key owner's name.
pub(super) fn owner_empty(lang: Lang) -> &'static str {
    say!(
        lang,
        "empty: write the key owner's full name",
        "空欄です: キー所有者の氏名を記入してください"
    )
}

impl Problem {
    /// What is wrong with the cell, for `lang`.
    pub fn words(&self, lang: Lang) -> String {
        match self {
            Problem::Empty(Needed::Owner) => owner_empty(lang).into(),
            Problem::Empty(Needed::User) => say!(
                lang,
                "empty: write the IAM user name",
                "空欄です: IAM ユーザー名を記入してください"
            )
            .into(),
            Problem::Empty(Needed::Key) => say!(
                lang,
                "empty: write the access key ID",
                "空欄です: アクセスキーID を記入してください"
            )
            .into(),
            Problem::Empty(Needed::End) => end_empty(lang).into(),
            Problem::Id(e) => e.words(lang),
            Problem::Date(e) => e.words(lang),
            Problem::EndBeforeStart {
                end,
                start,
                start_cell,
            } => {
                let header = START_COLUMN.aliases[0];
                say!(
                    lang,
                    format!(
                        "{end} is before the start date {start} in {start_cell} ({header}): \
                         correct the year of the end date (or of the start date)"
                    ),
                    format!(
                        "{end} は {start_cell}（{header}）の利用開始日 {start} より前です: \
                         利用終了日（または利用開始日）の年を直してください"
                    ),
                )
            }
            Problem::Account(e) => e.words(lang),
            Problem::OtherAccount => say!(
                lang,
                "not acted on in this account",
                "このアカウントでは処理しません"
            )
            .into(),
        }
    }
}

impl IdError {
    /// Why the text is no IAM user name or access key ID, for `lang`.
    pub fn words(&self, lang: Lang) -> String {
        match self {
            IdError::IamUserName(t) => say!(
                lang,
                format!(
                    "\"{t}\" is not an IAM user name: use 1-64 characters from A-Z a-z 0-9 + = , . @ _ -"
                ),
                format!(
                    "「{t}」は IAM ユーザー名になりません: A-Z a-z 0-9 + = , . @ _ - の 1〜64 文字で書いてください"
                ),
            ),
            IdError::AccessKeyId(t) => say!(
                lang,
                format!(
                    "\"{t}\" is not an AWS access key ID: it should look like AKIAIOSFODNN7EXAMPLE \
                     (16-128 upper-case letters and digits)"
                ),
                format!(
                    "「{t}」はアクセスキーID ではありません: AKIAIOSFODNN7EXAMPLE のような英大文字と数字 16〜128 文字です"
                ),
            ),
        }
    }
}

impl std::error::Error for IdError {}

impl DateError {
    /// Why the cell is not a date, for `lang`.
    pub fn words(&self, lang: Lang) -> String {
        match self {
            DateError::Serial(n) => say!(
                lang,
                format!("{n} is not a date from 2000 on: type the date as text, e.g. 2026/11/29"),
                format!(
                    "{n} は 2000 年以降の日付ではありません: 2026/11/29 のように文字で入力してください"
                ),
            ),
            DateError::NotText(v) => say!(
                lang,
                format!("{v} is not a date"),
                format!("{v} は日付ではありません"),
            ),
            DateError::Unreadable(t) => say!(
                lang,
                format!(
                    "\"{t}\" is not a date: write it as 2026/11/29, 2026-11-29 or 2026年11月29日"
                ),
                format!(
                    "「{t}」は日付として読めません: 2026/11/29、2026-11-29、2026年11月29日 のように書いてください"
                ),
            ),
            DateError::NoSuchDay { text, month, day } => say!(
                lang,
                format!(
                    "\"{text}\" is not a calendar date (month {month}, day {day}): check the month and the day"
                ),
                format!(
                    "「{text}」はありえない日付です（{month} 月 {day} 日）: 月と日を確認してください"
                ),
            ),
        }
    }
}

impl std::error::Error for DateError {}

/// Up to ten accounts, the home account (first) marked as such.
pub(crate) fn allowed_list(all: &[String], lang: Lang) -> String {
    let home = say!(lang, " (home; an empty cell)", "（ホーム。空欄のとき）");
    marked_list(all, home, lang)
}

/// Up to ten accounts, `home_note` after the first (the home account).
pub(crate) fn marked_list(all: &[String], home_note: &str, lang: Lang) -> String {
    const SHOWN: usize = 10;
    let mut names: Vec<String> = all.iter().take(SHOWN).cloned().collect();
    if let Some(home) = names.first_mut() {
        home.push_str(home_note);
    }
    if all.len() > SHOWN {
        let more = all.len() - SHOWN;
        names.push(say!(
            lang,
            format!("and {more} more"),
            format!("ほか {more} 件")
        ));
    }
    names.join(", ")
}

impl CellAccountProblem {
    /// Why the `AWSアカウント` cell names no allowed account, and which are, for `lang`.
    pub fn words(&self, lang: Lang) -> String {
        let why = match &self.why {
            AccountWhy::NumberNotAnId(n) => say!(
                lang,
                format!("{n} is not an AWS account ID: write its 12 digits, e.g. 123456789012"),
                format!(
                    "{n} は AWS アカウントID ではありません: 123456789012 のように 12 桁で書いてください"
                ),
            ),
            AccountWhy::NotAnId(t) => say!(
                lang,
                format!("\"{t}\" is not an AWS account ID: write its 12 digits, e.g. 123456789012"),
                format!(
                    "「{t}」は AWS アカウントID ではありません: 123456789012 のように 12 桁で書いてください"
                ),
            ),
            AccountWhy::Neither(t) => say!(
                lang,
                format!("\"{t}\" is neither an allowed account's alias nor a 12-digit account ID"),
                format!(
                    "「{t}」は許可されたアカウントの別名でも 12 桁のアカウントID でもありません"
                ),
            ),
            AccountWhy::NotAllowed(id) => say!(
                lang,
                format!("account {id} is not one keywarden may act in (KEYWARDEN_ACCOUNTS)"),
                format!(
                    "アカウント {id} は keywarden が操作してよいアカウント (KEYWARDEN_ACCOUNTS) にありません"
                ),
            ),
        };
        let allowed = allowed_list(&self.allowed, lang);
        say!(
            lang,
            format!(
                "{why}; allowed: {allowed} — correct the cell, or add the account to KEYWARDEN_ACCOUNTS"
            ),
            format!(
                "{why}。許可されたアカウント: {allowed}。欄を直すか、KEYWARDEN_ACCOUNTS にアカウントを追加してください"
            ),
        )
    }
}

impl DirectoryProblem {
    /// Why a `users_json` row cannot be used, with what to fix, for `lang`.
    pub fn words(&self, lang: Lang) -> String {
        let (sheet, row) = (&self.sheet, self.row);
        match &self.kind {
            DirectoryProblemKind::EmptyId { last, first } => {
                let column = SLACK_ID_COLUMN.aliases[0];
                say!(
                    lang,
                    format!(
                        "{sheet} row {row} ({last} {first}): the Slack ID is empty: fill in the {column} column"
                    ),
                    format!(
                        "{sheet} の {row} 行目（{last} {first}）: Slack ID が空欄です。{column} 列に記入してください"
                    ),
                )
            }
            DirectoryProblemKind::BadId(text) => say!(
                lang,
                format!(
                    "{sheet} row {row}: \"{text}\" is not a Slack user ID: it looks like U012AB3CD \
                     (Slack profile → ⋮ → Copy member ID)"
                ),
                format!(
                    "{sheet} の {row} 行目: 「{text}」は Slack のユーザーID ではありません。\
                     U012AB3CD のような形です（Slack のプロフィール → ⋮ → メンバーID をコピー）"
                ),
            ),
        }
    }
}

english_display!(
    CellProblem,
    Problem,
    IdError,
    DateError,
    CellAccountProblem,
    DirectoryProblem
);
