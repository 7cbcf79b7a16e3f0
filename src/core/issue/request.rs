//! Key requests: which rows of the request sheet ask for a key, whether each is valid, and the
//! step each needs next. Pure: what only IAM can tell (whether the user name is free) is added
//! by the caller through [`Request::user_exists`]; the owner's `users_json` e-mail, which
//! `KEYWARDEN_ISSUE_READER` may need, is checked here, once, for every caller.
//!
//! A request is a row whose key cell is empty and whose status is empty or `申請中`. It is
//! valid when its owner resolves in `users_json`, its user name is an IAM user name that is not
//! protected and that no other live row of the same account names (a `却下` row is not live;
//! a row naming no allowed account claims its user in every account), its permissions cell names
//! exactly one entry of `KEYWARDEN_ISSUE_POLICIES`, its end date is after today and at most
//! `KEYWARDEN_MAX_ISSUE_DAYS` after its start date (or today, without one), and its account is
//! one keywarden may act in.

use std::collections::HashMap;

use chrono::{Days, NaiveDate};

use super::cell::{IssueCell, IssueState};
use super::id::{RequestId, request_id};
use super::settings::{IssueSettings, PolicyEntry, ReaderProblem};
use crate::core::domain::{
    Account, Accounts, AwsAccountId, CellAccountProblem, DateError, IamUserName, IdError, NameKey,
    ProtectedUser, RowStatus, SlackUserId,
};
use crate::core::sheet::{
    AWS_ACCOUNT_COLUMN, Directory, END_COLUMN, ISSUE_REQUEST_COLUMN, IssueCells, OWNER_COLUMN,
    Owner, PERMISSIONS_COLUMN, RequestLayout, RequestRow, RequestTable, START_COLUMN, USER_COLUMN,
    column_letter, is_request_shaped,
};

/// What a status holds when an administrator rejected the request.
pub const REJECTED_MARK: &str = "却下";

/// Whether `row` is a key request (to be asked when issuance is on): its key cell is empty
/// and its status empty or `申請中`.
pub fn is_request(row: &RequestRow) -> bool {
    row.status != RowStatus::Deleted && is_request_shaped(row.key_id(), row.status_text())
}

/// Whether a row counts as live for a new user's name: not deleted, not a rejected request.
fn live_for_names(row: &RequestRow) -> bool {
    row.status != RowStatus::Deleted && !row.status_text().contains(REJECTED_MARK)
}

/// What the checks need besides the sheet.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub today: NaiveDate,
    pub settings: &'a IssueSettings,
    /// The accounts of the run: a request's account must be one of them.
    pub accounts: &'a Accounts,
    pub directory: &'a Directory,
    /// Every `KEYWARDEN_PROTECTED_USERS` entry with its account scope.
    pub protected: &'a [ProtectedUser],
}

/// What a valid request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidRequest {
    /// The request's ID `R`, from its cells as they are now.
    pub id: RequestId,
    /// The account to create the user in.
    pub account: Account,
    pub user: IamUserName,
    pub owner: SlackUserId,
    /// The permissions entry (its name as written in the setting).
    pub entry: PolicyEntry,
    /// The entry's policy in `account`.
    pub policy_arn: String,
    pub start: Option<NaiveDate>,
    pub end: NaiveDate,
}

/// What a request needs next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Not valid: administrators are told what to fix; nothing is asked or issued.
    Refused,
    /// `発行申請` is empty: write `承認待ち R` and ask the administrators.
    AskApproval,
    /// `発行申請` is about another ID: the cells changed since it was asked (or decided). Ask
    /// again, as for [`Step::AskApproval`]; the copies of the old question are stale.
    Stale,
    /// Asked, not decided yet.
    Pending,
    /// Approved, to be issued on its start date.
    NotYet,
    /// Approved for the cells as they are, and its start date has come: issue now.
    Issue,
    /// Rejected: nothing more (the status says `却下` once the endpoint wrote it).
    Rejected,
    /// Issued already: from now on an ordinary row.
    Done,
}

impl Step {
    /// Whether the step acts on the request's cells (and so needs a valid request).
    fn needs_valid(self) -> bool {
        matches!(
            self,
            Step::AskApproval | Step::Stale | Step::Pending | Step::NotYet | Step::Issue
        )
    }
}

/// A request row with its verdict and its next step.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub row: &'a RequestRow,
    /// `発行申請` as read.
    pub cell: IssueCell,
    /// What the request asks for, or every cell to fix.
    pub verdict: Result<ValidRequest, Vec<RequestProblem>>,
    pub step: Step,
    /// The row's `アカウント名` and `氏名` cells (`J7`, `B7`), for the problems the caller adds.
    user_cell: String,
    owner_cell: String,
}

/// The step of a request from its `発行申請` cell and, when it is valid, its current ID and
/// start date. Only a cell approved for exactly `current`'s ID gives [`Step::Issue`].
pub fn step_for(
    cell: &IssueCell,
    current: Option<(&RequestId, Option<NaiveDate>)>,
    today: NaiveDate,
) -> Step {
    let record = match cell {
        IssueCell::Record(record) => Some(record),
        IssueCell::Empty => None,
        // Never taken for a state; an unreadable cell is also a problem of the request.
        IssueCell::Unreadable(_) => return Step::Refused,
    };
    // Issued once: never again from the same row, whatever its cells say now.
    if let Some(IssueState::Issued { .. }) = record.map(|r| &r.state) {
        return Step::Done;
    }
    let Some((id, start)) = current else {
        return match record.map(|r| &r.state) {
            Some(IssueState::Rejected { .. }) => Step::Rejected,
            _ => Step::Refused,
        };
    };
    let Some(record) = record else {
        return Step::AskApproval;
    };
    if record.id != *id {
        return Step::Stale;
    }
    match record.state {
        IssueState::Pending => Step::Pending,
        IssueState::Rejected { .. } => Step::Rejected,
        IssueState::Approved { .. } if start.is_some_and(|s| s > today) => Step::NotYet,
        IssueState::Approved { .. } => Step::Issue,
        IssueState::Issued { .. } => Step::Done,
    }
}

impl Request<'_> {
    /// Refuses the request for a reason only the world can tell (see [`Request::user_exists`]). A request already issued or rejected keeps its step.
    pub fn refuse(&mut self, problem: RequestProblem) {
        match &mut self.verdict {
            Ok(_) => self.verdict = Err(vec![problem]),
            Err(problems) => problems.push(problem),
        }
        if self.step.needs_valid() {
            self.step = Step::Refused;
        }
    }

    /// IAM has a user of the request's name in the row's account, tagged `keywarden:request`
    /// = `request_tag` (`None`: no such tag). Only a user created for this very request (an
    /// interrupted issuance) leaves the request valid; any other means the name is taken.
    pub fn user_exists(&mut self, request_tag: Option<&str>) {
        let Ok(valid) = &self.verdict else {
            return;
        };
        if request_tag.map(str::trim) == Some(valid.id.as_str()) {
            return;
        }
        let problem = RequestProblem {
            cell: self.user_cell.clone(),
            header: USER_COLUMN.aliases[0],
            kind: RequestProblemKind::UserExists {
                user: valid.user.to_string(),
                account: valid.account.to_string(),
            },
        };
        self.refuse(problem);
    }

    /// With `KEYWARDEN_ISSUE_READER` naming the owner by `{email}`, the owner's `users_json`
    /// e-mail must be there and usable, or the secret could not be stored for them alone.
    fn check_reader(&mut self, settings: &IssueSettings, owner_email: Option<&str>) {
        let (Ok(valid), Some(reader)) = (&self.verdict, &settings.reader) else {
            return;
        };
        if let Err(why) = reader.for_owner(&valid.account.id, owner_email) {
            let problem = RequestProblem {
                cell: self.owner_cell.clone(),
                header: OWNER_COLUMN.aliases[0],
                kind: RequestProblemKind::OwnerEmail(why),
            };
            self.refuse(problem);
        }
    }
}

/// Every key request of `table`, in sheet order, each with its verdict and step.
pub fn requests<'a>(table: &'a RequestTable, ctx: &Context) -> Vec<Request<'a>> {
    let candidates: Vec<&RequestRow> = table.rows.iter().filter(|r| is_request(r)).collect();
    let claims = Claims::of(table, &candidates, ctx.accounts);
    candidates
        .into_iter()
        .map(|row| {
            let mut request = check(row, &table.layout, &claims, ctx);
            let email = (request.verdict.as_ref().ok()).and_then(|v| ctx.directory.email(&v.owner));
            request.check_reader(ctx.settings, email);
            request
        })
        .collect()
}

/// The live rows naming one of the requests' user names, with the account each names it in
/// (`None`: an account cell naming no allowed account, so every account). One pass over the
/// sheet, keeping only the few rows whose user a request names.
struct Claims {
    by_user: HashMap<String, Vec<(usize, Option<AwsAccountId>)>>,
}

impl Claims {
    fn of(table: &RequestTable, candidates: &[&RequestRow], accounts: &Accounts) -> Claims {
        let mut by_user: HashMap<String, Vec<(usize, Option<AwsAccountId>)>> = candidates
            .iter()
            .map(|r| (r.user().trim().to_ascii_lowercase(), Vec::new()))
            .filter(|(name, _)| !name.is_empty())
            .collect();
        for row in table.rows.iter().filter(|r| live_for_names(r)) {
            let name = row.user().trim();
            if name.is_empty() {
                continue;
            }
            if let Some(claims) = by_user.get_mut(&name.to_ascii_lowercase()) {
                let account = accounts.resolve(&row.aws_account_cell()).ok().map(|a| a.id);
                claims.push((row.row, account));
            }
        }
        Claims { by_user }
    }

    /// The other live rows naming `user` in `account`.
    fn others(&self, user: &IamUserName, account: &AwsAccountId, row: usize) -> Vec<usize> {
        self.by_user
            .get(&user.folded())
            .into_iter()
            .flatten()
            .filter(|(r, a)| *r != row && a.is_none_or(|a| a == *account))
            .map(|(r, _)| *r)
            .collect()
    }
}

/// One request's verdict and step.
fn check<'a>(
    row: &'a RequestRow,
    layout: &RequestLayout,
    claims: &Claims,
    ctx: &Context,
) -> Request<'a> {
    let at = |col: Option<usize>| {
        col.map(|c| format!("{}{}", column_letter(c), row.row))
            .unwrap_or_default()
    };
    let empty = IssueCells::default();
    let cells = row.issue.as_deref().unwrap_or(&empty);
    let mut problems = Vec::new();
    let mut problem = |col: Option<usize>, header: &'static str, kind: RequestProblemKind| {
        problems.push(RequestProblem {
            cell: at(col),
            header,
            kind,
        })
    };
    let (owner_col, user_col) = (Some(layout.owner), Some(layout.user));

    let cell = IssueCell::parse(&cells.request);
    if let IssueCell::Unreadable(text) = &cell {
        problem(
            layout.issue_request,
            ISSUE_REQUEST_COLUMN.aliases[0],
            RequestProblemKind::IssueCellUnreadable {
                text: crate::core::domain::shorten(text.trim()),
            },
        );
    }

    let owner = match NameKey::new(row.owner()) {
        None => Err(RequestProblemKind::OwnerEmpty),
        Some(key) => match ctx.directory.lookup(&key) {
            Owner::Found(id) => Ok(id),
            Owner::NotFound => Err(RequestProblemKind::OwnerNotFound {
                name: crate::core::domain::shorten(row.owner()),
            }),
            Owner::Ambiguous(ids) => Err(RequestProblemKind::OwnerAmbiguous {
                name: crate::core::domain::shorten(row.owner()),
                ids,
            }),
        },
    }
    .map_err(|k| problem(owner_col, OWNER_COLUMN.aliases[0], k))
    .ok();

    let user = if row.user().trim().is_empty() {
        Err(RequestProblemKind::UserEmpty)
    } else {
        IamUserName::check(row.user()).map_err(RequestProblemKind::UserName)
    }
    .map_err(|k| problem(user_col, USER_COLUMN.aliases[0], k))
    .ok();

    let entry = permissions(layout, cells, ctx.settings)
        .map_err(|k| problem(layout.permissions, PERMISSIONS_COLUMN.aliases[0], k))
        .ok();

    let start = match &cells.start {
        None => Ok(None),
        Some(Ok(d)) => Ok(Some(*d)),
        Some(Err(e)) => {
            problem(
                layout.start,
                START_COLUMN.aliases[0],
                RequestProblemKind::StartDate(e.clone()),
            );
            Err(())
        }
    };
    let end = match &cells.end {
        None => Err(RequestProblemKind::EndEmpty),
        Some(Err(e)) => Err(RequestProblemKind::EndDate(e.clone())),
        Some(Ok(end)) => dates_problem(*end, start.ok().flatten(), ctx).map(|()| *end),
    }
    .map_err(|k| problem(Some(layout.end), END_COLUMN.aliases[0], k))
    .ok();
    let start = start.ok();

    let account = ctx
        .accounts
        .resolve(&row.aws_account_cell())
        .map_err(|p| {
            problem(
                layout.aws_account,
                AWS_ACCOUNT_COLUMN.aliases[0],
                RequestProblemKind::Account(p),
            )
        })
        .ok();

    if let (Some(user), Some(account)) = (&user, account) {
        if ctx
            .protected
            .iter()
            .any(|p| p.user == *user && p.applies_in(account))
        {
            problem(
                user_col,
                USER_COLUMN.aliases[0],
                RequestProblemKind::Protected {
                    user: user.to_string(),
                },
            );
        }
        let rows = claims.others(user, &account.id, row.row);
        if !rows.is_empty() {
            problem(
                user_col,
                USER_COLUMN.aliases[0],
                RequestProblemKind::NamedByOtherRows { rows },
            );
        }
    }

    let verdict = match (owner, user, entry, start, end, account) {
        (Some(owner), Some(user), Some(entry), Some(start), Some(end), Some(account))
            if problems.is_empty() =>
        {
            Ok(ValidRequest {
                id: request_id(&account.id, user.as_str(), &owner, &entry.name, start, end),
                policy_arn: entry.arn_for(&account.id),
                account: Account::clone(account),
                user,
                owner,
                entry: entry.clone(),
                start,
                end,
            })
        }
        _ => Err(problems),
    };
    let step = step_for(
        &cell,
        verdict.as_ref().ok().map(|v| (&v.id, v.start)),
        ctx.today,
    );
    Request {
        row,
        cell,
        verdict,
        step,
        user_cell: at(user_col),
        owner_cell: at(owner_col),
    }
}

/// The one entry the permissions cell names.
fn permissions<'s>(
    layout: &RequestLayout,
    cells: &IssueCells,
    settings: &'s IssueSettings,
) -> Result<&'s PolicyEntry, RequestProblemKind> {
    let entries = || settings.entry_names();
    if layout.permissions.is_none() {
        return Err(RequestProblemKind::NoPermissionsColumn { entries: entries() });
    }
    let text = cells.permissions.trim();
    if text.is_empty() {
        return Err(RequestProblemKind::PermissionsEmpty { entries: entries() });
    }
    if let Some(entry) = settings.entry(text) {
        return Ok(entry);
    }
    // A form's check boxes give `読み取り, S3バックアップ`: several entries, one request each.
    let mut named: Vec<String> = Vec::new();
    for part in text.split([',', '、', '，', ';', '；', '\n']) {
        if let Some(entry) = settings.entry(part)
            && !named.contains(&entry.name)
        {
            named.push(entry.name.clone());
        }
    }
    if named.len() > 1 {
        return Err(RequestProblemKind::PermissionsSeveral { names: named });
    }
    Err(RequestProblemKind::PermissionsUnknown {
        text: crate::core::domain::shorten(text),
        entries: entries(),
    })
}

/// The end date's rules: after today, not before the start, at most the longest life after
/// the start date (or today, without one).
fn dates_problem(
    end: NaiveDate,
    start: Option<NaiveDate>,
    ctx: &Context,
) -> Result<(), RequestProblemKind> {
    if let Some(start) = start
        && end < start
    {
        return Err(RequestProblemKind::EndBeforeStart { end, start });
    }
    if end <= ctx.today {
        return Err(RequestProblemKind::EndNotAfterToday {
            end,
            today: ctx.today,
        });
    }
    let from = start.unwrap_or(ctx.today);
    let max_days = ctx.settings.max_issue_days;
    let latest = from
        .checked_add_days(Days::new(max_days.into()))
        .unwrap_or(NaiveDate::MAX);
    if end > latest {
        return Err(RequestProblemKind::TooLong {
            end,
            from,
            from_start: start.is_some(),
            max_days,
            latest,
        });
    }
    Ok(())
}

/// A cell that keeps a request from being asked for or issued, with what to fix; its words
/// (English for the report, Japanese for the administrators' summary) are in
/// `core/words/requests.rs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestProblem {
    /// A1 reference without the sheet (`F7`); empty when the sheet has no such column.
    pub cell: String,
    pub header: &'static str,
    pub kind: RequestProblemKind,
}

/// What is wrong with a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestProblemKind {
    /// `氏名` is empty.
    OwnerEmpty,
    /// `氏名` matches nobody in `users_json` (the name as typed, shortened).
    OwnerNotFound {
        name: String,
    },
    /// `氏名` matches several people.
    OwnerAmbiguous {
        name: String,
        ids: Vec<SlackUserId>,
    },
    /// `アカウント名` is empty.
    UserEmpty,
    /// `アカウント名` is no IAM user name.
    UserName(IdError),
    /// The sheet has no `必要な権限` column (the entries it could name).
    NoPermissionsColumn {
        entries: Vec<String>,
    },
    PermissionsEmpty {
        entries: Vec<String>,
    },
    /// The cell names no entry (as typed, shortened).
    PermissionsUnknown {
        text: String,
        entries: Vec<String>,
    },
    /// The cell names several entries (their names as configured).
    PermissionsSeveral {
        names: Vec<String>,
    },
    EndEmpty,
    EndDate(DateError),
    StartDate(DateError),
    EndBeforeStart {
        end: NaiveDate,
        start: NaiveDate,
    },
    EndNotAfterToday {
        end: NaiveDate,
        today: NaiveDate,
    },
    /// The end date is more than `max_days` after `from` (the start date, or today).
    TooLong {
        end: NaiveDate,
        from: NaiveDate,
        from_start: bool,
        max_days: u32,
        latest: NaiveDate,
    },
    /// The account cell names no account keywarden may act in.
    Account(CellAccountProblem),
    /// The user is in `KEYWARDEN_PROTECTED_USERS` (for the row's account).
    Protected {
        user: String,
    },
    /// Other live rows of the same account name the user (their row numbers).
    NamedByOtherRows {
        rows: Vec<usize>,
    },
    /// IAM has a user of that name in the account, not created for this request.
    UserExists {
        user: String,
        account: String,
    },
    /// The owner's e-mail cannot fill `KEYWARDEN_ISSUE_READER`.
    OwnerEmail(ReaderProblem),
    /// `発行申請` holds text keywarden did not write (as it is, shortened).
    IssueCellUnreadable {
        text: String,
    },
}

#[cfg(test)]
#[path = "request_tests.rs"]
mod tests;
