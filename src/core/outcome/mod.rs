//! What each action of a run came to, as typed values: one enum per kind of action, with named
//! fields. Every phase of a run returns these; the JSON report and the table (English), the
//! administrators' Slack summary (Japanese) and the sheet writes are all derived from them —
//! see [`records`], [`crate::core::messages::admin_summary`] and [`crate::core::sheet::writes`].
//!
//! Long because it is the one list of everything a run can come to: one enum per kind of action
//! with named fields, and the two functions that turn them into report lines. Splitting the
//! enums apart would scatter what a reader needs in one place.

mod classify;

use chrono::NaiveDate;
use compact_str::CompactString;
use serde::Serialize;

use crate::core::domain::{AccessKeyId, Account, IamUserName, SlackUserId};
use crate::core::extension::record::PendingCell;
use crate::core::issue::writes::Miss;
use crate::core::issue::{RequestId, RequestProblem};
use crate::core::key_rules::KeyAction;
use crate::core::proof::Keeper;
use crate::core::sheet::{CellProblem, DirectoryProblem, HeaderError};
use crate::core::teardown::{Refusal, Step};

// The words of every outcome are the text catalogue's (`core/words/`).
use crate::core::words;
pub use crate::core::words::{Lang, QUOTE_CLOSE, QUOTE_OPEN, step_ja};

/// The error of a step the invocation's deadline kept from running (the report's wording).
pub const OUT_OF_TIME: &str = "the invocation ran out of time";

/// Why the key's account was not asked: the row names no AWS account.
pub const NO_ROW_ACCOUNT: &str = "the row has no AWS account";

/// The report's `action` field (docs/rules.md §6, §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Notify,
    Delete,
    Skip,
    Unusable,
    Alert,
    AgeNotify,
    AgeDelete,
    Deactivate,
    Reactivate,
    Rotate,
    Shadow,
    /// A key request asked for approval, or refused (docs/rules.md §12 step 1).
    IssueRequest,
    /// A key issued for an approved request (docs/rules.md §12 step 3).
    Issue,
    /// An administrator approved or rejected a key request in Slack (docs/rules.md §12 step 2).
    IssueDecision,
}

/// The report's `outcome` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Done,
    Planned,
    Failed,
    Refused,
}

impl ActionKind {
    /// The name in the JSON report and the table.
    pub fn label(self) -> &'static str {
        match self {
            ActionKind::Notify => "notify",
            ActionKind::Delete => "delete",
            ActionKind::Skip => "skip",
            ActionKind::Unusable => "unusable",
            ActionKind::Alert => "alert",
            ActionKind::AgeNotify => "age_notify",
            ActionKind::AgeDelete => "age_delete",
            ActionKind::Deactivate => "deactivate",
            ActionKind::Reactivate => "reactivate",
            ActionKind::Rotate => "rotate",
            ActionKind::Shadow => "shadow",
            ActionKind::IssueRequest => "issue_request",
            ActionKind::Issue => "issue",
            ActionKind::IssueDecision => "issue_decision",
        }
    }
}

impl Outcome {
    /// The name in the JSON report and the log sheet (`done`, `planned`, `failed`, `refused`).
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Done => "done",
            Outcome::Planned => "planned",
            Outcome::Failed => "failed",
            Outcome::Refused => "refused",
        }
    }

    /// Failed or refused: the run exits 1 and administrators must act.
    pub fn is_problem(self) -> bool {
        matches!(self, Outcome::Failed | Outcome::Refused)
    }
}

/// Which row, user and key an action is about, as the sheet writes them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Subject {
    /// 1-based sheet row; `None` for a key no row holds or a run-wide alert.
    pub row: Option<usize>,
    /// The IAM user (`アカウント名`).
    pub user: CompactString,
    pub access_key_id: CompactString,
    pub owner: CompactString,
    /// The AWS account it happens in, when known (docs/rules.md §10).
    pub aws_account: Option<Account>,
}

/// Why an owner cannot be told anything (docs/rules.md §2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OwnerProblem {
    NotFound { name: String },
    Ambiguous { name: String, ids: Vec<SlackUserId> },
}

/// A direct message and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dm {
    Sent {
        to: SlackUserId,
        text: String,
    },
    /// Dry run: composed, not sent.
    Composed {
        to: SlackUserId,
        text: String,
    },
    NotSent {
        to: SlackUserId,
        error: DmFailure,
    },
    NoOwner(OwnerProblem),
    /// Not attempted: the run ran out of time (Lambda deadline).
    OutOfTime {
        to: SlackUserId,
    },
}

/// Why Slack did not deliver a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DmFailure {
    /// The person cannot receive the bot's DMs; Slack's error code.
    Unreachable(String),
    /// Slack's answer (an error code, or an HTTP status) as the adapter worded it.
    Failed(String),
    /// Not attempted: the invocation's deadline came first.
    OutOfTime,
}

/// A sheet cell change an action asks for (docs/rules.md §3, §4, §8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CellChange {
    /// Status `削除済み`.
    Deleted,
    /// `通知日` = the day.
    Notified(NaiveDate),
    /// Status `無効化済み` and `無効化日` = the day.
    Deactivated(NaiveDate),
    /// `無効化日` cleared after an extension, and the status without `無効化済み`.
    Reactivated { status: String },
    /// The row now holds the rotated key.
    KeyReplaced(AccessKeyId),
}

/// What became of a sheet change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteResult {
    /// Written into `row` (where the row was found at write time).
    Written {
        row: usize,
    },
    /// Written into `row`, except `状態`: an administrator changed it during the run (to
    /// `status`, e.g. `延長`), so it was left as they wrote it. The change itself was made.
    StatusKept {
        row: usize,
        status: String,
    },
    NotWritten {
        why: NotWrittenWhy,
    },
}

/// Why a key request's change was not written (docs/rules.md §12): its row was not where the
/// change expects it, or the sheet failed as for any write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unwritten {
    Miss(Miss),
    Sheet(NotWrittenWhy),
    /// Key issuance is off (no `KEYWARDEN_ISSUE_POLICIES`).
    Off,
}

/// Why a sheet change was not written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotWrittenWhy {
    /// No single row holds the user and key any more.
    RowGone {
        account: IamUserName,
        key: AccessKeyId,
    },
    /// A change found by the key alone (a rotated key ID, whatever user its row names): no row
    /// holds the key any more (`rows` empty), or several do and none is guessed.
    KeyNotHeldOnce { key: AccessKeyId, rows: Vec<usize> },
    /// Reading the sheet again failed (Google's message).
    RereadFailed(String),
    /// Row 1 lost a required header since the run read it.
    Header(HeaderError),
    /// The user, key and status columns moved again while the sheet was re-read.
    ColumnsMoving,
    /// The write itself failed (Google's message).
    WriteFailed(String),
}

/// A cell change for the row that held `account` / `key` when the run read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetChange {
    pub row: usize,
    pub user: IamUserName,
    pub key: AccessKeyId,
    pub change: CellChange,
    /// `状態` as the run read it, for a change that writes `状態`: it is written only while
    /// the cell still holds this (an administrator may type `延長` while the job runs).
    /// `None` for changes that leave `状態` alone.
    pub status_read: Option<String>,
    /// Filled in by the write-back phase.
    pub result: Option<WriteResult>,
}

/// Why a row is skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    Deleted,
    Extended,
    /// `却下` in the status: a request an administrator rejected.
    Rejected,
    /// A key request asked for approval, not decided yet (docs/rules.md §12).
    AwaitingApproval,
    /// An approved key request whose start date is still ahead.
    StartsLater(NaiveDate),
    Nothing,
}

/// Why a teardown did not start (docs/rules.md §4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TeardownRefusal {
    /// A guard of [`crate::core::teardown`] refused, given what IAM says.
    Guard(Refusal),
    /// More deletions are due than the cap allows.
    Cap { due: usize, max: usize },
}

/// A due row's teardown (docs/rules.md §4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Teardown {
    Refused(TeardownRefusal),
    ReadFailed {
        error: String,
    },
    /// The user and the key are gone already.
    AlreadyGone {
        planned: bool,
    },
    Planned {
        steps: Vec<Step>,
    },
    TornDown {
        steps: Vec<Step>,
        kept: Vec<(Step, String)>,
    },
    /// Step 5: only the row's key was deleted; the keeper row keeps the user.
    KeyOnly {
        planned: bool,
        keeper: Keeper,
    },
    Stopped {
        at: Step,
        error: String,
        user_deleted: bool,
    },
    /// The run ran out of time before this teardown started.
    OutOfTime,
}

/// A notice a week before the end date (docs/rules.md §3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub end: NaiveDate,
    pub days_left: i64,
    /// The DM carries the "延長を申請する" button (docs/rules.md §9).
    pub with_button: bool,
}

/// docs/rules.md §8 deactivation in the grace period, or reactivation after `延長`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Switch {
    Refused(Refusal),
    /// More keys are due to be set Inactive than `KEYWARDEN_MAX_DEACTIVATIONS`.
    Cap {
        due: usize,
        max: usize,
    },
    RowUnusable(Vec<CellProblem>),
    ReadFailed {
        error: String,
    },
    Planned,
    KeyGone {
        planned: bool,
    },
    /// Reactivation of a key that no longer exists.
    CannotReactivate,
    /// The invocation's deadline came first: not started.
    OutOfTime,
    Switched {
        grace_end: NaiveDate,
    },
    Failed {
        error: String,
    },
}

/// One key rule (docs/rules.md §8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyRule {
    Rule(KeyAction),
    Rotate {
        age: i64,
        inactive_keys: usize,
        secret: String,
        old_key: AccessKeyId,
    },
    /// An earlier rotation's new key ID, which never reached the sheet, read back from its
    /// secret: the row holding the old (Inactive) key gets `new_key`. Reported as `rotate`.
    RecoverRotated {
        secret: String,
        new_key: AccessKeyId,
    },
}

/// What became of a key rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyResult {
    Planned,
    Done,
    /// Refused by the deletion cap.
    Cap {
        due: usize,
        max: usize,
    },
    /// Refused by the deactivation cap.
    DeactivationCap {
        due: usize,
        max: usize,
    },
    Failed {
        error: String,
    },
    Rotated {
        new_key: AccessKeyId,
    },
    RotationStopped {
        at: RotationStep,
        error: String,
    },
    /// A rotation with no free key slot: the user has two active keys.
    TwoActiveKeys {
        other: Vec<AccessKeyId>,
    },
    /// The invocation's deadline came first: not started.
    OutOfTime,
}

/// Where a rotation stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RotationStep {
    DeleteInactive(AccessKeyId),
    CreateKey,
    /// The secret was not stored; `undone`: the new key was deleted again.
    StoreSecret {
        undone: bool,
    },
    DeactivateOld {
        new_key: AccessKeyId,
    },
}

/// A run-wide problem administrators must hear of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Alert {
    /// A `users_json` row that cannot be used.
    Directory(DirectoryProblem),
    DuplicateKey {
        key: String,
        rows: Vec<usize>,
    },
    DeletionCap {
        due: usize,
        max: usize,
    },
    DeactivationCap {
        due: usize,
        max: usize,
    },
    KeyListingFailed {
        error: String,
    },
    LastUseUnconfirmed {
        user: IamUserName,
        key: AccessKeyId,
        error: String,
    },
    SummaryNotDelivered {
        admin: SlackUserId,
        error: DmFailure,
    },
    OutOfTime,
    /// Lines of the run could not be appended to the log sheet (the status writes stand).
    LogNotWritten {
        sheet: String,
        lines: usize,
        error: String,
    },
    /// An extension request waiting for an administrator's decision (docs/rules.md §9 step 5).
    PendingExtension(PendingCell),
    /// A row holds a rotated user's Inactive key, and whether the rotation's secret holds a
    /// newer key (whose ID never reached the sheet) could not be read.
    RotatedKeyUnchecked {
        user: IamUserName,
        key: AccessKeyId,
        secret: String,
        error: String,
    },
    /// A key-only deletion is done and `削除済み` written, but the user it kept still carries
    /// the teardown tag for that key: a later row naming the key would pass as an
    /// interrupted deletion, so administrators remove it by hand.
    TeardownTagKept {
        user: IamUserName,
        key: AccessKeyId,
        error: String,
    },
    /// More approved key requests are due than `KEYWARDEN_MAX_ISSUES` (docs/rules.md §12).
    IssueCap {
        due: usize,
        max: usize,
    },
    /// An AWS account that could not be entered (docs/rules.md §10): one line for the account, with
    /// the rows whose IAM work failed because of it.
    AccountUnavailable {
        account: Account,
        error: String,
        rows: Vec<usize>,
    },
}

/// Each kind of action's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Skip(Skip),
    Unusable(Vec<CellProblem>),
    Teardown(Teardown),
    Notice {
        notice: Notice,
        dm: Dm,
    },
    Switch {
        activate: bool,
        result: Switch,
    },
    Key {
        rule: KeyRule,
        result: KeyResult,
    },
    Alert(Alert),
    /// The row's IAM work (`kind`) did not run: its AWS account could not be entered.
    AccountUnavailable {
        kind: ActionKind,
        error: String,
    },
    /// The row's key belongs to another AWS account than the row says (docs/rules.md §10): nothing
    /// changed anywhere. `key_account` as people should read it (`検証 (210987654321)`).
    WrongAccount {
        kind: ActionKind,
        key_account: String,
    },
    /// Whose account the key is could not be asked (STS failed): nothing changed.
    KeyAccountUnknown {
        kind: ActionKind,
        error: String,
    },
    /// A key request's step 1 (docs/rules.md §12): asked for approval, or why not.
    IssueRequest(Ask),
    /// A key request's step 3: the user, its policy, its key and the key's secret.
    Issue {
        request: RequestId,
        result: Issuance,
    },
}

/// Step 1 of a key request (docs/rules.md §12): asking administrators for approval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ask {
    /// Not valid: every cell to fix. Nothing was asked.
    Refused(Vec<RequestProblem>),
    /// IAM could not say whether the user name is free: not asked this time.
    CheckFailed { error: String },
    /// Dry run: would be asked (`again`: its cells changed since it was last asked or decided).
    Planned { request: RequestId, again: bool },
    /// `承認待ち R` is in the sheet and the approval request went to `posted` places;
    /// `failures` are the places it did not reach. `recorded`: the copies are in the cell.
    Asked {
        request: RequestId,
        again: bool,
        posted: usize,
        /// Whom (an administrator, or the channel) it did not reach, and why.
        failures: Vec<(String, DmFailure)>,
        recorded: bool,
    },
    /// `承認待ち R` could not be written, so nothing was posted.
    NotWritten { request: RequestId, why: Unwritten },
    /// The invocation's deadline came first: not asked.
    OutOfTime,
}

/// Where an issuance stopped (docs/rules.md §12 step 3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssueStep {
    CreateUser,
    AttachPolicy,
    /// Removing a key an interrupted issuance left (nobody can hold its secret).
    DeleteOrphanKey(AccessKeyId),
    CreateKey,
    StoreSecret,
    SecretPolicy,
}

/// What became of an approved key request (docs/rules.md §12 step 3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Issuance {
    /// Dry run: would be issued (`policy`: the ARN the entry grants in the row's account).
    Planned { policy: String },
    /// More approved requests are due than `KEYWARDEN_MAX_ISSUES`: none issued.
    Cap { due: usize, max: usize },
    /// A user of that name exists and was not created for this request: nothing changed.
    NameTaken,
    /// The secret's name is taken by a secret not made for this request; the new key was
    /// deleted again (`undone`), nothing else changed.
    SecretTaken { secret: String, undone: bool },
    /// A step failed; `undone`: whether the key made by this run was deleted again (`None`
    /// when no key was made).
    Stopped {
        at: IssueStep,
        error: String,
        undone: Option<bool>,
    },
    /// The key exists and its secret is stored; `written`: the row it was written to, or why
    /// the row could not be written (the next run issues it again).
    Issued {
        key: AccessKeyId,
        secret: String,
        orphans: Vec<AccessKeyId>,
        written: Result<usize, Unwritten>,
    },
    /// The invocation's deadline came first: not started.
    OutOfTime,
}

/// One action of a run: what it was about, what came of it, and what it told and wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionOutcome {
    pub subject: Subject,
    pub action: Action,
    /// The owner's DM that goes with a teardown, switch or key rule (notices carry their own).
    pub owner_dm: Option<Dm>,
    pub sheet: Option<SheetChange>,
    /// The row's end date as read, for the report (filled in once the run is done).
    pub end_date: Option<chrono::NaiveDate>,
}

impl ActionOutcome {
    pub fn new(subject: Subject, action: Action) -> Self {
        ActionOutcome {
            subject,
            action,
            owner_dm: None,
            sheet: None,
            end_date: None,
        }
    }

    pub fn alert(alert: Alert) -> Self {
        Self::new(Subject::default(), Action::Alert(alert))
    }

    pub fn kind(&self) -> ActionKind {
        match &self.action {
            Action::Skip(_) => ActionKind::Skip,
            Action::Unusable(_) => ActionKind::Unusable,
            Action::Teardown(_) => ActionKind::Delete,
            Action::Notice { .. } => ActionKind::Notify,
            Action::Switch { activate: true, .. } => ActionKind::Reactivate,
            Action::Switch { .. } => ActionKind::Deactivate,
            Action::Key { rule, .. } => match rule {
                KeyRule::Rule(KeyAction::AgeNotify { .. }) => ActionKind::AgeNotify,
                KeyRule::Rule(KeyAction::AgeDelete { .. }) => ActionKind::AgeDelete,
                KeyRule::Rule(KeyAction::Deactivate { .. }) => ActionKind::Deactivate,
                KeyRule::Rule(KeyAction::Shadow) => ActionKind::Shadow,
                KeyRule::Rotate { .. } | KeyRule::RecoverRotated { .. } => ActionKind::Rotate,
            },
            Action::Alert(_) => ActionKind::Alert,
            Action::AccountUnavailable { kind, .. }
            | Action::WrongAccount { kind, .. }
            | Action::KeyAccountUnknown { kind, .. } => *kind,
            Action::IssueRequest(_) => ActionKind::IssueRequest,
            Action::Issue { .. } => ActionKind::Issue,
        }
    }

    /// The outcome of the action itself, then of its sheet write: a result that did not reach
    /// the sheet is a failure (the next run must finish it).
    pub fn outcome(&self) -> Outcome {
        let own = classify::outcome(&self.action);
        match &self.sheet {
            Some(SheetChange {
                result: Some(WriteResult::NotWritten { .. }),
                ..
            }) => Outcome::Failed,
            _ => own,
        }
    }

    /// The row the action is about now (a write may have found it moved).
    pub fn row(&self) -> Option<usize> {
        if let Action::Issue {
            result: Issuance::Issued {
                written: Ok(row), ..
            },
            ..
        } = &self.action
        {
            return Some(*row);
        }
        match &self.sheet {
            Some(SheetChange {
                result: Some(WriteResult::Written { row } | WriteResult::StatusKept { row, .. }),
                ..
            }) => Some(*row),
            _ => self.subject.row,
        }
    }

    /// The DMs this action sent or composed, for `demo`.
    pub fn messages(&self) -> impl Iterator<Item = (&SlackUserId, &str)> {
        let notice = match &self.action {
            Action::Notice { dm, .. } => Some(dm),
            _ => None,
        };
        notice
            .into_iter()
            .chain(self.owner_dm.as_ref())
            .filter_map(|dm| match dm {
                Dm::Sent { to, text } | Dm::Composed { to, text } => Some((to, text.as_str())),
                _ => None,
            })
    }
}

/// One line of the report or of the summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionRecord {
    pub row: Option<usize>,
    /// The IAM user; the report's field keeps its contracted name.
    #[serde(rename = "account")]
    pub user: CompactString,
    pub access_key_id: CompactString,
    pub owner: CompactString,
    pub action: ActionKind,
    pub outcome: Outcome,
    pub detail: CompactString,
    /// The row's end date (`YYYY-MM-DD`); `null` without a row or a readable end date.
    #[serde(serialize_with = "optional_date")]
    pub end_date: Option<chrono::NaiveDate>,
    /// Days from today to the end date: 0 on the last day, negative once it has passed.
    pub days_left: Option<i64>,
    /// docs/rules.md §10: the 12-digit AWS account, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_account: Option<CompactString>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_account_alias: Option<CompactString>,
}

fn optional_date<S: serde::Serializer>(
    date: &Option<chrono::NaiveDate>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match date {
        Some(d) => s.serialize_str(&d.format("%Y-%m-%d").to_string()),
        None => s.serialize_none(),
    }
}

impl ActionRecord {
    /// Whether administrators should read about it (skips are routine).
    pub fn needs_attention(&self) -> bool {
        self.action != ActionKind::Skip
    }
}

/// The lines of a run in one language: each action in order, then an alert for each owner who
/// could not be told of a teardown, switch or key rule.
pub fn records(outcomes: &[ActionOutcome], lang: Lang) -> Vec<ActionRecord> {
    let mut lines = action_records(outcomes, lang);
    lines.extend(untold_records(outcomes, lang));
    lines
}

/// The action's detail; a skip's is fixed text, kept without a copy.
fn detail_text(o: &ActionOutcome, lang: Lang) -> CompactString {
    match (&o.action, &o.sheet) {
        (Action::Skip(skip), None) => match words::skip_detail(skip, lang) {
            std::borrow::Cow::Borrowed(text) => CompactString::const_new(text),
            std::borrow::Cow::Owned(text) => text.into(),
        },
        _ => words::describe(o, lang).into(),
    }
}

/// [`records`] of the outcomes `keep` keeps, without a line made for the others.
pub fn records_where(
    outcomes: &[ActionOutcome],
    lang: Lang,
    keep: impl Fn(&ActionOutcome) -> bool,
) -> Vec<ActionRecord> {
    let kept = || outcomes.iter().filter(|o| keep(o));
    let mut lines: Vec<ActionRecord> = kept()
        .map(|o| line(o, o.kind(), o.outcome(), detail_text(o, lang)))
        .collect();
    lines.extend(kept().filter_map(|o| untold(o, lang)));
    lines
}

fn line(
    o: &ActionOutcome,
    action: ActionKind,
    outcome: Outcome,
    detail: CompactString,
) -> ActionRecord {
    ActionRecord {
        row: o.row(),
        user: o.subject.user.clone(),
        access_key_id: o.subject.access_key_id.clone(),
        owner: o.subject.owner.clone(),
        action,
        outcome,
        detail,
        end_date: o.end_date,
        days_left: None,
        aws_account: o
            .subject
            .aws_account
            .as_ref()
            .map(|a| compact_str::format_compact!("{}", a.id)),
        aws_account_alias: o
            .subject
            .aws_account
            .as_ref()
            .and_then(|a| a.alias.as_deref().map(CompactString::new)),
    }
}

/// The report line of one action (without its untold-owner alert).
pub fn record(o: &ActionOutcome, lang: Lang) -> ActionRecord {
    line(o, o.kind(), o.outcome(), detail_text(o, lang))
}

/// One line per action, in order (what [`records`] starts with).
pub fn action_records(outcomes: &[ActionOutcome], lang: Lang) -> Vec<ActionRecord> {
    outcomes
        .iter()
        .map(|o| line(o, o.kind(), o.outcome(), detail_text(o, lang)))
        .collect()
}

/// An alert for each owner who could not be told of a teardown, switch or key rule (known
/// only once the owners' DMs were tried; what [`records`] ends with).
pub fn untold_records(outcomes: &[ActionOutcome], lang: Lang) -> Vec<ActionRecord> {
    outcomes.iter().filter_map(|o| untold(o, lang)).collect()
}

/// The alert of an owner who could not be told of this action, if any.
fn untold(o: &ActionOutcome, lang: Lang) -> Option<ActionRecord> {
    let dm = o.owner_dm.as_ref()?;
    let why = words::dm_problem(dm, lang)?;
    Some(line(
        o,
        ActionKind::Alert,
        Outcome::Failed,
        words::owner_not_told(&o.action, &why, lang).into(),
    ))
}

#[cfg(test)]
pub(crate) mod ja_tests;
#[cfg(test)]
mod words_tests;
