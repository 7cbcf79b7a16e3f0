//! An administrator's click on a key request's 承認/却下 buttons (docs/rules.md §12 step 2),
//! pure: who may decide, whether the click is stale or already decided, and what to write.
//!
//! The row is found by the request ID `R` the button carries, never by position: the sheet
//! as read right before the write is searched for the one row whose `発行申請` is about `R`.
//! Its ID is then computed again from its cells by [`requests`], the very computation the
//! run uses, so an approval can only ever be given for the cells as they are now.

use chrono::NaiveDate;

use super::cell::{ApprovalCopy, IssueCell, IssueRecord, IssueState};
use super::id::RequestId;
use super::request::{Context, REJECTED_MARK, ValidRequest, requests};
use crate::core::domain::SlackUserId;
use crate::core::outcome::ActionKind;
use crate::core::sheet::{RequestRow, RequestTable};

/// One click, as the endpoint read it.
#[derive(Debug, Clone, Copy)]
pub struct Click<'a> {
    /// The request ID the button carries.
    pub id: &'a RequestId,
    pub by: &'a SlackUserId,
    pub approve: bool,
}

/// What a click that counts changes: one row's `発行申請`, and its status on a rejection.
#[derive(Debug, Clone)]
pub struct Ruling<'a> {
    /// The row as read right before the write (it may have moved since the request was sent).
    pub row: &'a RequestRow,
    /// What the request asks for, from the row's cells now (its ID is the click's).
    pub request: ValidRequest,
    /// The new `発行申請`: `承認済み`/`却下` with the approver and today, the copies kept.
    pub record: IssueRecord,
    /// The new status: `却下` on a rejection (the daily run then skips the row).
    pub status: Option<&'static str>,
    /// The decision, as the logs and the log sheet tell it.
    pub event: DecisionEvent,
}

impl Ruling<'_> {
    /// Every copy of the approval request, to be updated with the outcome.
    pub fn copies(&self) -> &[ApprovalCopy] {
        &self.record.copies
    }
}

/// Why a click changed nothing; its text, what the clicking user is told, is in
/// `core/words/answers.rs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecisionRefusal {
    IssuanceOff,
    NotAdmin,
    Owner { row: usize },
    Filer { row: usize, email: String },
    Stale(Stale),
    Decided { row: usize, state: IssueState },
    SeveralRows { id: RequestId, rows: Vec<usize> },
    Invalid { row: usize, problems: String },
}

/// Why the buttons no longer stand for the row (its text: `core/words/answers.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stale {
    NoRow,
    Edited { row: usize },
    NotARequest { row: usize },
}

/// Refused before anything is read: only administrators decide.
pub fn may_decide(by: &SlackUserId, admins: &[SlackUserId]) -> Result<(), DecisionRefusal> {
    if admins.contains(by) {
        Ok(())
    } else {
        Err(DecisionRefusal::NotAdmin)
    }
}

/// The ruling on `click` against the sheet as read now, or why nothing changes. `today` (in
/// `ctx`) is the decision's date; `admins` are `KEYWARDEN_ADMIN_SLACK_IDS`.
pub fn rule<'a>(
    table: &'a RequestTable,
    ctx: &Context,
    admins: &[SlackUserId],
    click: Click,
) -> Result<Ruling<'a>, DecisionRefusal> {
    may_decide(click.by, admins)?;
    let (row, record) = pending_row(table, click.id)?;
    let request = requests(table, ctx)
        .into_iter()
        .find(|r| r.row.row == row.row)
        .ok_or(DecisionRefusal::Stale(Stale::NotARequest { row: row.row }))?;
    // (Whether the IAM user name is free only IAM can tell: the run checks it.)
    let valid = match request.verdict {
        Ok(valid) => valid,
        Err(problems) => {
            return Err(DecisionRefusal::Invalid {
                row: row.row,
                problems: crate::core::words::decision_problems(&problems),
            });
        }
    };
    if valid.id != *click.id {
        return Err(DecisionRefusal::Stale(Stale::Edited { row: row.row }));
    }
    if valid.owner == *click.by {
        return Err(DecisionRefusal::Owner { row: row.row });
    }
    let filer = row.issue.as_ref().map_or("", |c| c.email.trim());
    if is_filer(click.by, filer, ctx) {
        return Err(DecisionRefusal::Filer {
            row: row.row,
            email: filer.to_string(),
        });
    }
    Ok(decided(row, valid, record, click, ctx.today))
}

/// The one row whose `発行申請` holds `承認待ち R`; a row that holds R decided already says
/// so (a double click, a second administrator).
fn pending_row<'a>(
    table: &'a RequestTable,
    id: &RequestId,
) -> Result<(&'a RequestRow, IssueRecord), DecisionRefusal> {
    let mut pending = Vec::new();
    let mut decided = None;
    for row in &table.rows {
        let Some(cells) = row.issue.as_deref() else {
            continue;
        };
        let IssueCell::Record(record) = IssueCell::parse(&cells.request) else {
            continue;
        };
        if record.id != *id {
            continue;
        }
        match record.state {
            IssueState::Pending => pending.push((row, record)),
            state => {
                decided.get_or_insert((row.row, state));
            }
        }
    }
    match (pending.len(), decided) {
        (1, _) => Ok(pending.remove(0)),
        (0, Some((row, state))) => Err(DecisionRefusal::Decided { row, state }),
        (0, None) => Err(DecisionRefusal::Stale(Stale::NoRow)),
        _ => Err(DecisionRefusal::SeveralRows {
            id: id.clone(),
            rows: pending.iter().map(|(r, _)| r.row).collect(),
        }),
    }
}

/// Whether `by` filed the row: its `メールアドレス` is the e-mail `users_json` gives `by`
/// (case ignored).
fn is_filer(by: &SlackUserId, filer: &str, ctx: &Context) -> bool {
    !filer.is_empty()
        && ctx
            .directory
            .email(by)
            .is_some_and(|e| e.eq_ignore_ascii_case(filer))
}

fn decided<'a>(
    row: &'a RequestRow,
    request: ValidRequest,
    pending: IssueRecord,
    click: Click,
    today: NaiveDate,
) -> Ruling<'a> {
    let by = click.by.clone();
    let event = DecisionEvent {
        id: click.id.clone(),
        approve: click.approve,
        by: by.clone(),
        on: today,
    };
    let (state, status) = if click.approve {
        (IssueState::Approved { by, on: today }, None)
    } else {
        (IssueState::Rejected { by, on: today }, Some(REJECTED_MARK))
    };
    Ruling {
        row,
        request,
        record: IssueRecord { state, ..pending },
        status,
        event,
    }
}

/// A decision as the report, the logs and the log sheet tell it: the report's action
/// `issue_decision`, the log sheet's `処理` `issue_approve` or `issue_reject`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionEvent {
    pub id: RequestId,
    pub approve: bool,
    pub by: SlackUserId,
    pub on: NaiveDate,
}

impl DecisionEvent {
    /// The log sheet's `処理`.
    pub fn log_action(&self) -> &'static str {
        if self.approve {
            crate::core::log::ISSUE_APPROVE
        } else {
            crate::core::log::ISSUE_REJECT
        }
    }

    /// The report's action.
    pub fn kind(&self) -> ActionKind {
        ActionKind::IssueDecision
    }
}

#[cfg(test)]
#[path = "decision_tests.rs"]
mod tests;
