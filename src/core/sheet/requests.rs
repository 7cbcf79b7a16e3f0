//! The request sheet: one row per issued access key (docs/rules.md §2).

use std::borrow::Cow;

use chrono::NaiveDate;
use compact_str::CompactString;
use serde_json::Value;

use super::columns::{DEACTIVATED_HEADER, NOTIFIED_HEADER};
use super::headers::{self, ColumnSpec, HeaderError};
use super::row_texts::{RowTexts, Text};
use super::{Grid, RowSink, cell_str, cell_text, cell_value};
use crate::core::domain::{
    AccessKeyId, Account, AccountCell, Accounts, CellAccountProblem, DateError, IamUserName,
    IdError, NameKey, RowStatus, parse_sheet_date,
};
use crate::core::issue::ISSUE_HEADER;

pub const OWNER: ColumnSpec = ColumnSpec {
    aliases: &["氏名"],
    required: true,
};
pub const ACCOUNT: ColumnSpec = ColumnSpec {
    aliases: &["アカウント名"],
    required: true,
};
pub const KEY_ID: ColumnSpec = ColumnSpec {
    aliases: &["アクセスキーID"],
    required: true,
};
pub const END: ColumnSpec = ColumnSpec {
    aliases: &["アクセスキー利用終了日", "利用終了日"],
    required: true,
};
pub const STATUS: ColumnSpec = ColumnSpec {
    aliases: &["状態"],
    required: true,
};
pub const PURPOSE: ColumnSpec = ColumnSpec {
    aliases: &["申請目的・理由", "利用目的"],
    required: false,
};
pub const SERVICE: ColumnSpec = ColumnSpec {
    aliases: &["AWSサービス名", "AWSリソース名"],
    required: false,
};
pub const START: ColumnSpec = ColumnSpec {
    aliases: &["アクセスキー利用開始日", "利用開始日"],
    required: false,
};
pub const DEACTIVATED: ColumnSpec = ColumnSpec {
    aliases: &[DEACTIVATED_HEADER],
    required: false,
};
/// `延長申請` (docs/rules.md §9): a pending extension request, read for the run summary.
pub const PENDING_EXTENSION: ColumnSpec = ColumnSpec {
    aliases: &[crate::core::extension::record::PENDING_HEADER],
    required: false,
};
/// The row's AWS account (docs/rules.md §10); without the column every row is in the home account.
pub const AWS_ACCOUNT: ColumnSpec = ColumnSpec {
    aliases: &["AWSアカウント", "AWSアカウントID", "アカウントID"],
    required: false,
};
pub const NOTIFIED: ColumnSpec = ColumnSpec {
    aliases: &[NOTIFIED_HEADER],
    required: false,
};
/// `延長履歴` (docs/rules.md §9): decided requests. Only the endpoint reads it.
pub const EXTENSION_HISTORY: ColumnSpec = ColumnSpec {
    aliases: &[crate::core::extension::record::HISTORY_HEADER],
    required: false,
};

/// The permissions a key request asks for: an entry of `KEYWARDEN_ISSUE_POLICIES`.
pub const PERMISSIONS: ColumnSpec = ColumnSpec {
    aliases: &["必要な権限", "権限"],
    required: false,
};
/// Who filed the row (a form's collected address): they may not approve their own request.
pub const EMAIL: ColumnSpec = ColumnSpec {
    aliases: &["メールアドレス"],
    required: false,
};
/// `発行申請`: where a key request stands (written by keywarden).
pub const ISSUE_REQUEST: ColumnSpec = ColumnSpec {
    aliases: &[ISSUE_HEADER],
    required: false,
};
/// The status of a request not yet decided, as a form may pre-fill it.
pub const REQUESTED_STATUS: &str = "申請中";

/// Row 1 of the original system's request sheet, columns A..L (docs/rules.md §2): the layout of the
/// bundled example and of the tests. keywarden itself finds columns by header, in any order.
pub const ORIGINAL_LAYOUT: [&str; 12] = [
    "タイムスタンプ",
    "氏名",
    "申請目的・理由",
    "メールアドレス",
    "AWSサービス名",
    "必要な権限",
    "申請日",
    "アクセスキー利用開始日",
    "アクセスキー利用終了日",
    "アカウント名",
    "状態",
    "アクセスキーID",
];

/// Where each known column is in this sheet, today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestLayout {
    pub owner: usize,
    pub user: usize,
    pub key_id: usize,
    pub end: usize,
    pub status: usize,
    pub purpose: Option<usize>,
    pub service: Option<usize>,
    pub start: Option<usize>,
    pub notified: Option<usize>,
    pub deactivated: Option<usize>,
    /// `延長申請` (docs/rules.md §9).
    pub pending_extension: Option<usize>,
    /// `AWSアカウント` (docs/rules.md §10).
    pub aws_account: Option<usize>,
    /// `延長履歴` (docs/rules.md §9); rows are not parsed from it.
    pub extension_history: Option<usize>,
    /// `必要な権限` or `権限`: what a key request asks for.
    pub permissions: Option<usize>,
    /// `メールアドレス`: who filed the row.
    pub email: Option<usize>,
    /// `発行申請`: where a key request stands.
    pub issue_request: Option<usize>,
    empty_headers: Vec<usize>,
    width: usize,
    /// Columns with a known header: the only cells a row is parsed from.
    used: Vec<bool>,
}

impl RequestLayout {
    pub fn parse(sheet: &str, header: &[Value]) -> Result<Self, HeaderError> {
        let texts: Vec<String> = (0..header.len())
            .map(|c| cell_text(header, c).unwrap_or_default())
            .collect();
        let specs = [
            &OWNER,
            &ACCOUNT,
            &KEY_ID,
            &END,
            &STATUS,
            &PURPOSE,
            &SERVICE,
            &START,
            &NOTIFIED,
            &DEACTIVATED,
            &PENDING_EXTENSION,
            &AWS_ACCOUNT,
            &EXTENSION_HISTORY,
            &PERMISSIONS,
            &EMAIL,
            &ISSUE_REQUEST,
        ];
        let cols = headers::resolve(sheet, &texts, &specs)?;
        let req = |i: usize| cols[i].expect("required columns resolved");
        let mut used = vec![false; texts.len()];
        for col in cols.iter().flatten() {
            used[*col] = true;
        }
        // The history is the endpoint's alone: rows are not parsed from it.
        if let Some(history) = cols[12] {
            used[history] = false;
        }
        Ok(RequestLayout {
            owner: req(0),
            user: req(1),
            key_id: req(2),
            end: req(3),
            status: req(4),
            purpose: cols[5],
            service: cols[6],
            start: cols[7],
            notified: cols[8],
            deactivated: cols[9],
            pending_extension: cols[10],
            aws_account: cols[11],
            extension_history: cols[12],
            permissions: cols[13],
            email: cols[14],
            issue_request: cols[15],
            empty_headers: texts
                .iter()
                .enumerate()
                .filter(|(_, t)| t.is_empty())
                .map(|(i, _)| i)
                .collect(),
            width: texts.len(),
            used,
        })
    }

    /// Whether rows are parsed from column `col` (other cells need not be read).
    pub fn uses(&self, col: usize) -> bool {
        self.used.get(col).copied().unwrap_or(false)
    }

    /// Where new columns go, in order: the empty header cells, then past the last header.
    pub fn free_columns(&self) -> impl Iterator<Item = usize> + '_ {
        self.empty_headers.iter().copied().chain(self.width..)
    }
}

/// A cell that keeps a row from being acted on, with what to fix; its words (English for the
/// report, Japanese for the administrators' summary) are in `core/words/cells.rs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellProblem {
    /// A1 reference without the sheet, e.g. `I7`.
    pub cell: String,
    pub header: &'static str,
    pub problem: Problem,
}

/// What is wrong with a cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A required cell is empty.
    Empty(Needed),
    Id(IdError),
    Date(DateError),
    /// An end date before the row's own start date: a year typo (`start_cell` is `H7`).
    EndBeforeStart {
        end: NaiveDate,
        start: NaiveDate,
        start_cell: String,
    },
    Account(CellAccountProblem),
    /// The row is of another AWS account: it only claims its user and key here.
    OtherAccount,
}

/// What an empty required cell should hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needed {
    Owner,
    User,
    Key,
    End,
}

/// The cells the decisions need, all parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidRow {
    pub owner: NameKey,
    pub user: IamUserName,
    pub key_id: AccessKeyId,
    pub end: NaiveDate,
}

/// One request row as read, with display texts for messages and reports (read through its
/// methods: they share one allocation a row, see [`RowTexts`]). What the decisions need is
/// checked once when the row is read; [`RequestRow::valid`] hands it out typed.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestRow {
    /// 1-based sheet row number (row 1 is the header).
    pub row: usize,
    pub status: RowStatus,
    texts: RowTexts,
    /// The start and end cells when they read as dates (their texts are then not kept).
    start_date: Option<NaiveDate>,
    end_date: Option<NaiveDate>,
    /// Last notice recorded in `通知日`; an unreadable cell counts as none (it gets rewritten).
    pub notified_on: Option<NaiveDate>,
    /// `無効化日`: when keywarden set the row's key Inactive (docs/rules.md §8).
    pub deactivated_on: Option<NaiveDate>,
    /// How the `AWSアカウント` cell reads (its text is in `texts`).
    account_cell: CellKind,
    /// The cells of key issuance; `None` for a row that is not shaped like a request and
    /// whose `発行申請` is empty (almost every row: nothing is kept for them).
    pub issue: Option<Box<IssueCells>>,
    /// The row's AWS account once resolved ([`RequestTable::resolve_accounts`]); `None`: the
    /// home account (not resolved: a run in the home account only), or a cell naming no
    /// allowed account (then the row is unusable).
    pub aws_account: Option<std::sync::Arc<Account>>,
    /// The end date when the owner, user, key and end cells all read (the texts hold them,
    /// checked); `None` when the row is unusable, or deleted (never checked).
    valid_end: Option<NaiveDate>,
    /// What makes the row unusable (`None` when nothing does, as for a deleted row): boxed,
    /// since almost every row has none (8 bytes a row instead of a `Vec`'s 24).
    #[allow(clippy::box_collection)]
    problems: Option<Box<Vec<CellProblem>>>,
}

/// How an `AWSアカウント` cell reads, its text kept with the row's other texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CellKind {
    Home,
    Number,
    Text,
}

/// The row's texts, each read from its one buffer.
macro_rules! text_accessors {
    ($($(#[$doc:meta])* $name:ident => $text:ident;)*) => {
        impl RequestRow {
            $($(#[$doc])* pub fn $name(&self) -> &str {
                self.texts.get(Text::$text)
            })*
        }
    };
}

text_accessors! {
    /// The `状態` cell as written.
    status_text => Status;
    /// The `氏名` cell as written.
    owner => Owner;
    /// The IAM user cell as written (trimmed).
    user => User;
    /// The access key ID cell as written (trimmed).
    key_id => Key;
    purpose => Purpose;
    service => Service;
    /// The `延長申請` cell as written (docs/rules.md §9), empty when there is no pending request.
    pending_extension => PendingExtension;
}

impl RequestRow {
    /// The start date, ISO when readable, else as typed.
    pub fn start(&self) -> Cow<'_, str> {
        date_display(self.start_date, self.texts.get(Text::Start))
    }

    /// The end date, ISO when readable, else as typed.
    pub fn end(&self) -> Cow<'_, str> {
        date_display(self.end_date, self.texts.get(Text::End))
    }

    /// The `AWSアカウント` cell as read.
    pub fn aws_account_cell(&self) -> AccountCell {
        let text = self.texts.get(Text::AccountCell);
        match self.account_cell {
            CellKind::Home => AccountCell::Home,
            CellKind::Number => text.parse().map_or(AccountCell::Home, AccountCell::Number),
            CellKind::Text => AccountCell::Text(text.into()),
        }
    }

    /// The cells the decisions need, typed, or what keeps the row from being acted on.
    pub fn valid(&self) -> Result<ValidRow, &[CellProblem]> {
        match self.valid_end {
            Some(end) => Ok(ValidRow {
                owner: match self.texts.get(Text::OwnerKey) {
                    "" => NameKey::nfkc_already(self.owner()),
                    key => NameKey::reduced(key),
                },
                user: IamUserName::checked_already(self.user()),
                key_id: AccessKeyId::checked_already(self.key_id()),
                end,
            }),
            None => Err(self.problems.as_deref().map_or(&[], Vec::as_slice)),
        }
    }

    pub fn is_valid(&self) -> bool {
        self.valid_end.is_some()
    }

    /// The end date when the row is valid (without making the rest of [`RequestRow::valid`]).
    pub fn valid_end(&self) -> Option<NaiveDate> {
        self.valid_end
    }

    /// Row `row` with nothing read but its status: unusable, without a problem to tell.
    fn bare(row: usize, status: RowStatus) -> Self {
        RequestRow {
            row,
            status,
            texts: RowTexts::default(),
            start_date: None,
            end_date: None,
            notified_on: None,
            deactivated_on: None,
            account_cell: CellKind::Home,
            issue: None,
            aws_account: None,
            valid_end: None,
            problems: None,
        }
    }

    /// Makes the row unusable with one more problem.
    fn refuse(&mut self, problem: CellProblem) {
        self.valid_end = None;
        self.problems.get_or_insert_default().push(problem);
    }

    fn parse(row_number: usize, cells: &[Value], layout: &RequestLayout) -> Self {
        let text = |col: usize| cell_str(cells, col);
        let optional = |col: Option<usize>| col.map(text).unwrap_or_default();
        let status_text = text(layout.status);
        let status = RowStatus::classify(&status_text);
        let (owner_text, user_text, key_text) =
            (text(layout.owner), text(layout.user), text(layout.key_id));
        let end_cell = cell_value(cells, layout.end);
        let end_parsed = end_cell.map(parse_sheet_date);
        let issue = IssueCells::read(cells, layout, &key_text, &status_text, &end_parsed);
        // A readable date is kept as a date, its text made when asked for.
        let (end_date, end_text) = match &end_parsed {
            Some(Ok(d)) => (Some(*d), Cow::Borrowed("")),
            _ => (None, text(layout.end)),
        };
        let pending = optional(layout.pending_extension);
        // A deleted row is only ever skipped: spare the work and the memory of the rest.
        if status == RowStatus::Deleted {
            return RequestRow {
                row: row_number,
                status,
                texts: RowTexts::new([
                    &status_text,
                    &owner_text,
                    &user_text,
                    &key_text,
                    "",
                    "",
                    "",
                    &end_text,
                    &pending,
                    "",
                    "",
                ]),
                end_date,
                ..RequestRow::bare(row_number, status)
            };
        }

        let mut problems = Vec::new();
        let mut problem = |col: usize, header: &'static str, message: Problem| {
            problems.push(CellProblem {
                cell: format!("{}{}", headers::column_letter(col), row_number),
                header,
                problem: message,
            });
        };
        let owner = NameKey::new(&owner_text);
        if owner.is_none() {
            problem(
                layout.owner,
                OWNER.aliases[0],
                Problem::Empty(Needed::Owner),
            );
        }
        let user = if user_text.is_empty() {
            Err(Problem::Empty(Needed::User))
        } else {
            IamUserName::check(&user_text).map_err(Problem::Id)
        }
        .map_err(|e| problem(layout.user, ACCOUNT.aliases[0], e))
        .ok();
        let key_id = if key_text.is_empty() {
            Err(Problem::Empty(Needed::Key))
        } else {
            AccessKeyId::check(&key_text).map_err(Problem::Id)
        }
        .map_err(|e| problem(layout.key_id, KEY_ID.aliases[0], e))
        .ok();
        let end = match end_parsed {
            None => Err(Problem::Empty(Needed::End)),
            Some(parsed) => parsed.map_err(Problem::Date),
        }
        .map_err(|e| problem(layout.end, END.aliases[0], e))
        .ok();
        // Any year is a date (docs/rules.md §2), so a year typo is caught here instead: an end date
        // before the row's own (readable) start date.
        let start_date = layout
            .start
            .and_then(|c| Some((c, parse_sheet_date(cell_value(cells, c)?).ok()?)));
        let end = match (end, start_date) {
            (Some(end), Some((col, start))) if end < start => {
                problem(
                    layout.end,
                    END.aliases[0],
                    Problem::EndBeforeStart {
                        end,
                        start,
                        start_cell: format!("{}{row_number}", headers::column_letter(col)),
                    },
                );
                None
            }
            (end, _) => end,
        };

        // The texts keep the user and key cells as read (trimmed, as the checks saw them), so
        // the checked parts need not be kept twice; only the owner's reduced name is extra.
        let (start_date, start_text) = match layout.start.and_then(|c| cell_value(cells, c)) {
            Some(v) => match parse_sheet_date(v) {
                Ok(d) => (Some(d), Cow::Borrowed("")),
                Err(_) => (None, optional(layout.start)),
            },
            None => (None, Cow::Borrowed("")),
        };
        let (valid_end, owner_key) = match (owner, user, key_id, end) {
            (Some(owner), Some(_), Some(_), Some(end)) => (Some(end), Some(owner)),
            _ => (None, None),
        };
        let (account_cell, account_text) = match layout
            .aws_account
            .and_then(|c| cell_value(cells, c))
            .map(account_cell)
            .unwrap_or_default()
        {
            AccountCell::Home => (CellKind::Home, CompactString::default()),
            AccountCell::Number(n) => (CellKind::Number, compact_str::format_compact!("{n}")),
            AccountCell::Text(t) => (CellKind::Text, t),
        };
        RequestRow {
            row: row_number,
            status,
            texts: RowTexts::new([
                &status_text,
                &owner_text,
                &user_text,
                &key_text,
                &optional(layout.purpose),
                &optional(layout.service),
                &start_text,
                &end_text,
                &pending,
                &account_text,
                owner_key
                    .as_ref()
                    .filter(|k| !k.is_spaces_removed(&owner_text))
                    .map_or("", NameKey::as_str),
            ]),
            start_date,
            end_date,
            notified_on: layout
                .notified
                .and_then(|c| cell_value(cells, c))
                .and_then(|v| parse_sheet_date(v).ok()),
            deactivated_on: layout
                .deactivated
                .and_then(|c| cell_value(cells, c))
                .and_then(|v| parse_sheet_date(v).ok()),
            account_cell,
            issue,
            aws_account: None,
            valid_end,
            problems: (!problems.is_empty()).then(|| Box::new(problems)),
        }
    }
}

/// Rows as the unit tests want them: the parser's row, some cells changed.
#[cfg(test)]
impl RequestRow {
    /// Row `row` of `texts` (status, owner, user, key, purpose, service, start, end, pending
    /// extension), valid until `end` when it is given (the owner, user and key must then read).
    pub fn of_texts(row: usize, texts: [&str; 9], end: Option<NaiveDate>) -> Self {
        let [
            status,
            owner,
            user,
            key,
            purpose,
            service,
            start,
            end_text,
            pending,
        ] = texts;
        RequestRow {
            texts: RowTexts::new([
                status, owner, user, key, purpose, service, start, end_text, pending, "", "",
            ]),
            ..RequestRow::bare(row, RowStatus::classify(status))
        }
        .checked(end.ok_or_else(Vec::new))
    }

    /// The same row with one text changed (the status text classified again); a valid row
    /// stays valid, so its owner, user and key must still read.
    pub fn with(mut self, text: Text, value: &str) -> Self {
        self.texts = self.texts.with(text, value);
        match text {
            Text::Start => self.start_date = None,
            Text::End => self.end_date = None,
            _ => {}
        }
        if text == Text::Status {
            self.status = RowStatus::classify(value);
        }
        let checked = match self.valid_end {
            Some(end) => Ok(end),
            None => Err(self.problems.take().map(|p| *p).unwrap_or_default()),
        };
        self.checked(checked)
    }

    /// The same row, valid until `end` (its owner, user and key must read).
    pub fn valid_until(self, end: NaiveDate) -> Self {
        self.checked(Ok(end))
    }

    /// The same row, unusable for `problems` (none: a deleted row's way).
    pub fn invalid(self, problems: Vec<CellProblem>) -> Self {
        self.checked(Err(problems))
    }

    fn checked(mut self, checked: Result<NaiveDate, Vec<CellProblem>>) -> Self {
        let owner_key = match &checked {
            Ok(_) => {
                IamUserName::check(self.user()).expect("a valid row's user reads");
                AccessKeyId::check(self.key_id()).expect("a valid row's key reads");
                NameKey::new(self.owner()).expect("a valid row's owner reads")
            }
            Err(_) => NameKey::reduced(""),
        };
        self.texts = self.texts.with(Text::OwnerKey, owner_key.as_str());
        (self.valid_end, self.problems) = match checked {
            Ok(end) => (Some(end), None),
            Err(problems) => (None, (!problems.is_empty()).then(|| Box::new(problems))),
        };
        self
    }
}

/// What a row holds for key issuance, read only for the rows that need it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IssueCells {
    /// `発行申請` as written (trimmed); empty without the column.
    pub request: String,
    /// Whether the row is shaped like a key request ([`is_request_shaped`]); the cells below
    /// are read only then (empty or `None` otherwise).
    pub request_shaped: bool,
    /// `必要な権限` (or `権限`) as written (trimmed).
    pub permissions: String,
    /// `メールアドレス` as written (trimmed).
    pub email: String,
    /// The start date cell, read; `None` when empty or the sheet has no start column.
    pub start: Option<Result<NaiveDate, DateError>>,
    /// The end date cell, read; `None` when empty.
    pub end: Option<Result<NaiveDate, DateError>>,
}

impl IssueCells {
    fn read(
        cells: &[Value],
        layout: &RequestLayout,
        key_text: &str,
        status_text: &str,
        end: &Option<Result<NaiveDate, DateError>>,
    ) -> Option<Box<IssueCells>> {
        let text = |col: Option<usize>| col.and_then(|c| cell_text(cells, c)).unwrap_or_default();
        let request = text(layout.issue_request);
        let request_shaped = is_request_shaped(key_text, status_text);
        if !request_shaped {
            return (!request.is_empty()).then(|| {
                Box::new(IssueCells {
                    request,
                    ..IssueCells::default()
                })
            });
        }
        Some(Box::new(IssueCells {
            request,
            request_shaped,
            permissions: text(layout.permissions),
            email: text(layout.email),
            start: layout
                .start
                .and_then(|c| cell_value(cells, c))
                .map(parse_sheet_date),
            end: end.clone(),
        }))
    }
}

/// A row that asks for a key rather than records one: its key cell is empty and its status is
/// empty or `申請中` (typically a form's submission).
pub fn is_request_shaped(key_text: &str, status_text: &str) -> bool {
    let status = status_text.trim();
    key_text.trim().is_empty() && (status.is_empty() || status == REQUESTED_STATUS)
}

/// The `AWSアカウント` cell: a number cell is kept as a number (its zeros are restored later).
fn account_cell(value: &Value) -> AccountCell {
    match value {
        Value::Number(n) => n.as_f64().map_or(AccountCell::Home, AccountCell::Number),
        Value::String(s) if s.trim().is_empty() => AccountCell::Home,
        Value::String(s) => AccountCell::Text(s.trim().into()),
        Value::Null => AccountCell::Home,
        other => AccountCell::Text(other.to_string().into()),
    }
}

impl RequestRow {
    /// The status once keywarden's `無効化済み` is taken out of it (docs/rules.md §8 reactivation).
    pub fn status_without_deactivated_mark(&self) -> String {
        self.status_text()
            .replace(crate::core::domain::DEACTIVATED_MARK, "")
            .trim()
            .to_string()
    }
}

/// A date cell for people: ISO when readable, else the text as typed.
fn date_display(date: Option<NaiveDate>, typed: &str) -> Cow<'_, str> {
    match date {
        Some(d) => Cow::Owned(d.to_string()),
        None => Cow::Borrowed(typed),
    }
}

/// The whole request sheet, parsed.
#[derive(Debug, Clone)]
pub struct RequestTable {
    pub sheet: String,
    pub layout: RequestLayout,
    pub rows: Vec<RequestRow>,
}

impl RequestTable {
    /// Fails only when required headers are missing; bad cells are recorded per row.
    pub fn parse(sheet: &str, grid: &Grid) -> Result<Self, HeaderError> {
        Self::from_rows(sheet, grid.iter().map(|r| r.as_slice()))
    }

    /// Like `parse`, but frees each row's cells as soon as it is read: a 100,000-row sheet
    /// never exists twice in memory.
    pub fn from_grid(sheet: &str, grid: Grid) -> Result<Self, HeaderError> {
        let mut sink = RequestTableSink::new(sheet);
        grid.into_iter().for_each(|cells| sink.row(&cells));
        sink.finish()
    }

    fn from_rows<'a>(
        sheet: &str,
        rows: impl Iterator<Item = &'a [Value]>,
    ) -> Result<Self, HeaderError> {
        let mut sink = RequestTableSink::new(sheet);
        rows.for_each(|cells| sink.row(cells));
        sink.finish()
    }

    /// Gives every row not yet deleted its AWS account. A cell naming no allowed account
    /// makes the row unusable (docs/rules.md §10): a mistyped ID can be somebody else's account.
    pub fn resolve_accounts(&mut self, accounts: &Accounts) {
        let col = self.layout.aws_account;
        for row in self
            .rows
            .iter_mut()
            .filter(|r| r.status != RowStatus::Deleted)
        {
            match accounts.resolve(&row.aws_account_cell()) {
                Ok(account) => row.aws_account = Some(account.clone()),
                Err(problem) => {
                    let problem = CellProblem {
                        cell: format!(
                            "{}{}",
                            headers::column_letter(col.unwrap_or_default()),
                            row.row
                        ),
                        header: AWS_ACCOUNT.aliases[0],
                        problem: Problem::Account(problem),
                    };
                    row.refuse(problem);
                }
            }
        }
    }

    /// Where in `rows` the sheet row numbered `row` is (rows are in sheet order).
    pub fn row_index(&self, row: usize) -> Option<usize> {
        self.rows.binary_search_by_key(&row, |r| r.row).ok()
    }

    /// The index of what the rows hold, none of them taken as due (relocation only).
    pub fn holdings(&self) -> super::Holdings<'_> {
        super::Holdings::of_rows(self.rows.iter().map(|r| (r, false)))
    }
}

/// Builds the table row by row as a reader streams the sheet (row 1 first).
pub struct RequestTableSink {
    sheet: String,
    layout: Option<Result<RequestLayout, HeaderError>>,
    rows: Vec<RequestRow>,
    next_row: usize,
}

impl RequestTableSink {
    pub fn new(sheet: &str) -> Self {
        RequestTableSink {
            sheet: sheet.to_string(),
            layout: None,
            rows: Vec::new(),
            next_row: 1,
        }
    }

    /// Fails only when required headers are missing (or the sheet is empty).
    pub fn finish(self) -> Result<RequestTable, HeaderError> {
        let layout = match self.layout {
            Some(layout) => layout?,
            None => RequestLayout::parse(&self.sheet, &[])?,
        };
        let mut rows = self.rows;
        // Grown by doubling while the sheet streamed in: up to half of it unused.
        rows.shrink_to_fit();
        Ok(RequestTable {
            sheet: self.sheet,
            layout,
            rows,
        })
    }
}

impl RowSink for RequestTableSink {
    fn wants(&self, col: usize) -> bool {
        match &self.layout {
            None => true,
            Some(Ok(layout)) => layout.uses(col),
            Some(Err(_)) => false,
        }
    }

    fn row(&mut self, cells: &[Value]) {
        let number = self.next_row;
        self.next_row += 1;
        match &self.layout {
            None => self.layout = Some(RequestLayout::parse(&self.sheet, cells)),
            Some(Ok(layout)) => {
                if (0..cells.len()).any(|c| cell_value(cells, c).is_some()) {
                    self.rows.push(RequestRow::parse(number, cells, layout));
                }
            }
            Some(Err(_)) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn header() -> Vec<Value> {
        ORIGINAL_LAYOUT.iter().map(|s| json!(s)).collect()
    }

    fn original_row(end: Value, status: &str) -> Vec<Value> {
        vec![
            json!(46000),
            json!("田中 太郎"),
            json!("S3 backup"),
            json!("t@example.com"),
            json!("S3"),
            json!("read"),
            json!(46000),
            json!("2026/9/1"),
            end,
            json!("tanaka-s3"),
            json!(status),
            json!("AKIAIOSFODNN7EXAMPLE"),
        ]
    }

    #[test]
    fn original_layout_parses() {
        let grid = vec![header(), original_row(json!("2026/11/29"), "")];
        let t = RequestTable::parse("key_request_form", &grid).unwrap();
        assert_eq!(t.layout.user, 9);
        assert_eq!(
            (t.layout.notified, t.layout.free_columns().next()),
            (None, Some(12))
        );
        let r = &t.rows[0];
        assert_eq!(r.row, 2);
        assert_eq!(r.start(), "2026-09-01");
        let v = r.valid().unwrap();
        assert_eq!(v.user.as_str(), "tanaka-s3");
        assert_eq!(v.end, NaiveDate::from_ymd_opt(2026, 11, 29).unwrap());
    }

    #[test]
    fn a_row_hands_out_the_cells_it_read_and_checked() {
        for name in ["田中 太郎", "ＴＡＮＡＫＡ　Taro", "ﾀﾅｶ ﾀﾛｳ"] {
            let mut cells = original_row(json!("2026/11/29"), "");
            cells[1] = json!(name);
            cells.extend([json!(""), json!(""), json!(123456789012.0)]);
            let mut header = header();
            header.extend([json!(""), json!(""), json!("AWSアカウント")]);
            let t = RequestTable::parse("s", &vec![header, cells]).unwrap();
            let (r, v) = (&t.rows[0], t.rows[0].valid().unwrap());
            assert_eq!(v.owner, NameKey::new(name).unwrap(), "{name}");
            assert_eq!(r.owner(), name);
            assert_eq!((r.user(), v.user.as_str()), ("tanaka-s3", "tanaka-s3"));
            assert_eq!(v.key_id.as_str(), "AKIAIOSFODNN7EXAMPLE");
            assert_eq!((r.purpose(), r.service()), ("S3 backup", "S3"));
            assert_eq!((&*r.start(), &*r.end()), ("2026-09-01", "2026-11-29"));
            assert_eq!(r.aws_account_cell(), AccountCell::Number(123456789012.0));
        }
    }

    #[test]
    fn reordered_columns_and_short_rows() {
        let grid = vec![
            vec![
                json!("状態"),
                json!("アクセスキーID"),
                json!(" 氏名 "),
                json!("利用終了日"),
                json!("アカウント名"),
                json!(""),
                json!("利用目的"),
            ],
            vec![
                json!(""),
                json!("AKIAIOSFODNN7EXAMPLE"),
                json!("A B"),
                json!(46355),
                json!("u1"),
            ],
            vec![],
            vec![json!(""), json!(""), json!("")],
            vec![json!("延長")],
        ];
        let t = RequestTable::parse("s", &grid).unwrap();
        assert_eq!(t.rows.len(), 2, "blank rows are ignored");
        assert_eq!(t.rows[0].row, 2);
        assert!(t.rows[0].valid().is_ok());
        assert_eq!(t.rows[0].purpose(), "");
        assert_eq!(
            t.layout.free_columns().next(),
            Some(5),
            "first empty header cell"
        );
        assert_eq!(t.rows[1].row, 5);
        assert_eq!(t.rows[1].status, RowStatus::Extended);
    }

    #[test]
    fn bad_cells_name_cell_header_and_fix() {
        let mut row = original_row(json!("2026/13/45"), "");
        row[9] = json!("has space");
        row[11] = json!("");
        let t = RequestTable::parse("s", &vec![header(), row]).unwrap();
        let problems = t.rows[0].valid().unwrap_err().to_vec();
        let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(problems.len(), 3, "{text:?}");
        assert!(text[0].starts_with("J2 (アカウント名)"), "{text:?}");
        assert!(
            text[1].starts_with("L2 (アクセスキーID): empty"),
            "{text:?}"
        );
        assert!(
            text[2].starts_with("I2 (アクセスキー利用終了日)"),
            "{text:?}"
        );
    }

    #[test]
    fn an_end_before_the_start_is_a_typo() {
        let t = RequestTable::parse(
            "s",
            &vec![
                header(),
                original_row(json!("2025/11/29"), ""),
                original_row(json!("9999/12/31"), ""),
                original_row(json!("2026/9/1"), ""),
            ],
        )
        .unwrap();
        let problems = t.rows[0].valid().unwrap_err().to_vec();
        assert_eq!(problems.len(), 1);
        assert_eq!(
            problems[0].to_string(),
            "I2 (アクセスキー利用終了日): 2025-11-29 is before the start date 2026-09-01 in \
             H2 (アクセスキー利用開始日): correct the year of the end date (or of the start date)"
        );
        assert!(t.rows[1].valid().is_ok(), "9999/12/31 means no end");
        assert!(t.rows[2].valid().is_ok(), "an end on the start day is fine");
        // Without a readable start date the end date stands on its own.
        let mut no_start = original_row(json!("1926/11/29"), "");
        no_start[7] = json!("");
        let t = RequestTable::parse("s", &vec![header(), no_start]).unwrap();
        assert!(t.rows[0].valid().is_ok());
    }

    #[test]
    fn missing_headers_are_all_named() {
        let err = RequestTable::parse("key_request_form", &vec![vec![json!("氏名")]]).unwrap_err();
        assert_eq!(err.missing.len(), 4);
        assert!(RequestTable::parse("x", &vec![]).is_err());
    }

    #[test]
    fn locate_follows_a_moved_row() {
        let a = original_row(json!("2026/11/29"), "");
        let mut b = a.clone();
        b[9] = json!("other");
        let t = RequestTable::parse("s", &vec![header(), b.clone(), a.clone()]).unwrap();
        let user = IamUserName::parse("tanaka-s3").unwrap();
        let key = AccessKeyId::parse("AKIAIOSFODNN7EXAMPLE").unwrap();
        assert_eq!(t.holdings().locate(3, &user, &key), Some(3));
        assert_eq!(t.holdings().locate(2, &user, &key), Some(3));
        let dup = RequestTable::parse("s", &vec![header(), a.clone(), a.clone()]).unwrap();
        assert_eq!(dup.holdings().locate(4, &user, &key), None, "ambiguous");
        assert_eq!(dup.holdings().locate(2, &user, &key), Some(2));
        let gone = RequestTable::parse("s", &vec![header(), b]).unwrap();
        assert_eq!(gone.holdings().locate(2, &user, &key), None);
        // IAM user names compare without regard to case.
        let mut upper = a.clone();
        upper[9] = json!("Tanaka-S3");
        let t = RequestTable::parse("s", &vec![header(), upper]).unwrap();
        assert_eq!(t.holdings().locate(2, &user, &key), Some(2));
        assert_eq!(
            t.holdings().locate(5, &user, &key),
            Some(2),
            "found again when moved"
        );
    }

    #[test]
    fn the_aws_account_column_resolves_or_makes_the_row_unusable() {
        use crate::core::domain::AwsAccountId;
        let mut h = header();
        h.push(json!(" AWSアカウントID "));
        let with = |cell: Value| {
            let mut r = original_row(json!("2026/11/29"), "");
            r.push(cell);
            r
        };
        let grid = vec![
            h,
            with(json!("")),
            with(json!(12345678901u64)),
            with(json!("本番")),
            with(json!("999999999999")),
            with(json!("1234-5678")),
            original_row(json!("2026/11/29"), "削除済み"),
        ];
        let mut t = RequestTable::parse("s", &grid).unwrap();
        assert_eq!(t.layout.aws_account, Some(12));
        assert_eq!(
            t.rows[1].aws_account_cell(),
            AccountCell::Number(12345678901.0)
        );
        let id = |s: &str| AwsAccountId::parse(s).unwrap();
        let accounts = Accounts::new(
            id("111111111111"),
            vec![
                Account {
                    id: id("012345678901"),
                    alias: None,
                },
                Account {
                    id: id("123456789012"),
                    alias: Some("本番".into()),
                },
            ],
        );
        t.resolve_accounts(&accounts);
        let got: Vec<Option<String>> = t
            .rows
            .iter()
            .map(|r| r.aws_account.as_ref().map(|a| a.id.to_string()))
            .collect();
        assert_eq!(
            got,
            [
                Some("111111111111".into()),
                Some("012345678901".into()),
                Some("123456789012".into()),
                None,
                None,
                None,
            ]
        );
        assert!(t.rows[..3].iter().all(|r| r.valid().is_ok()));
        for r in &t.rows[3..5] {
            let problems = r.valid().unwrap_err().to_vec();
            assert_eq!(problems.len(), 1);
            assert!(problems[0].cell.starts_with('M'), "{:?}", problems[0]);
            assert!(
                problems[0].to_string().contains("allowed: 111111111111"),
                "{:?}",
                problems[0]
            );
        }
        assert_eq!(
            t.rows[5].valid(),
            Err(&[][..]),
            "deleted rows are left alone"
        );
    }
}
