//! Who may do what, and when a request or a decision may change the sheet (docs/rules.md §9). Pure:
//! the handler reads the sheet, asks these functions, and writes only what they allow.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::record::{Outcome, PendingCell, PendingRequest};
use super::value::DecisionRef;
use crate::core::domain::SlackUserId;
use crate::core::sheet::Owner;

/// The modal's block IDs (the keys of a `response_action: errors` answer).
pub const NEW_END_BLOCK: &str = "new_end_date";
pub const REASON_BLOCK: &str = "reason";

/// The request row as the handler found it, reduced to what the rules need.
#[derive(Debug, Clone, PartialEq)]
pub struct RowView {
    /// 1-based sheet row.
    pub row: usize,
    pub deleted: bool,
    pub owner_name: String,
    /// `None`: the end-date cell is empty or unreadable.
    pub end: Option<NaiveDate>,
    pub pending: PendingCell,
    pub history: String,
}

/// Where the row named by a button is now.
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup {
    Found(RowView),
    Gone,
    /// The account is still in the sheet, but with another key ID.
    KeyChanged {
        row: usize,
    },
    /// Several rows hold the account and key: which one is meant is unclear.
    Ambiguous(Vec<usize>),
}

/// Why nothing changed; its text, what the clicking user is told, is in `core/words/answers.rs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    RowGone,
    KeyChanged {
        row: usize,
    },
    Ambiguous(Vec<usize>),
    Deleted {
        row: usize,
    },
    UnreadableEnd {
        row: usize,
    },
    AlreadyPending {
        row: usize,
        requester: SlackUserId,
        requested_end: NaiveDate,
        requested_at: String,
    },
    PendingUnreadable {
        row: usize,
    },
    NotOwner,
    NotAdmin,
    SelfApproval,
    OwnerApproval,
    AlreadyDecided,
    EndDateChanged {
        row: usize,
        expected: NaiveDate,
    },
}

/// Who may ask for an extension: the row's owner (by `users_json`) or an administrator.
pub fn may_request(
    user: &SlackUserId,
    owner: &Owner,
    admins: &[SlackUserId],
) -> Result<(), Refusal> {
    match owner {
        _ if admins.contains(user) => Ok(()),
        Owner::Found(id) if id == user => Ok(()),
        _ => Err(Refusal::NotOwner),
    }
}

/// A row a new request may be made for: present, not deleted, a readable end date and no
/// pending request.
pub fn row_for_request(lookup: &Lookup) -> Result<&RowView, Refusal> {
    let row = found(lookup)?;
    if row.deleted {
        return Err(Refusal::Deleted { row: row.row });
    }
    if row.end.is_none() {
        return Err(Refusal::UnreadableEnd { row: row.row });
    }
    match &row.pending {
        PendingCell::Empty => Ok(row),
        PendingCell::Request(p) => Err(Refusal::AlreadyPending {
            row: row.row,
            requester: p.requester.clone(),
            requested_end: p.requested_end,
            requested_at: p.requested_at.format("%Y-%m-%d %H:%M").to_string(),
        }),
        PendingCell::Unreadable(_) => Err(Refusal::PendingUnreadable { row: row.row }),
    }
}

/// Whether `user` may request an extension for the looked-up row now, and its end date.
/// Permission is checked first on a found row, so someone who may not request learns nothing
/// of it (not even its pending request).
pub fn request_allowed<'a>(
    lookup: &'a Lookup,
    user: &SlackUserId,
    owner_of: impl Fn(&RowView) -> Owner,
    admins: &[SlackUserId],
) -> Result<(&'a RowView, NaiveDate), Refusal> {
    // A row that is not found has no owner to check against; saying it is gone or changed
    // tells nothing the button's own value does not.
    if let Lookup::Found(row) = lookup {
        may_request(user, &owner_of(row), admins)?;
    }
    let row = row_for_request(lookup)?;
    let end = row.end.ok_or(Refusal::UnreadableEnd { row: row.row })?;
    Ok((row, end))
}

fn found(lookup: &Lookup) -> Result<&RowView, Refusal> {
    match lookup {
        Lookup::Found(row) => Ok(row),
        Lookup::Gone => Err(Refusal::RowGone),
        Lookup::KeyChanged { row } => Err(Refusal::KeyChanged { row: *row }),
        Lookup::Ambiguous(rows) => Err(Refusal::Ambiguous(rows.clone())),
    }
}

/// What is wrong with a field of the extension form (its text: `core/words/answers.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormProblem {
    NoDate,
    Unreadable,
    /// Not after the row's current end date.
    NotAfter {
        current_end: NaiveDate,
    },
    /// After the latest end date an extension may reach.
    TooLate {
        max_extension_days: u32,
        latest: NaiveDate,
    },
    NoReason,
}

/// A submission's date and reason against the row's current end date. `Err` is the
/// `response_action: errors` map, keyed by block ID.
pub fn validate_submission(
    current_end: NaiveDate,
    new_end: Option<&str>,
    reason: Option<&str>,
    max_extension_days: u32,
) -> Result<(NaiveDate, String), BTreeMap<String, String>> {
    let mut errors = BTreeMap::new();
    let latest = current_end + chrono::Duration::days(i64::from(max_extension_days));
    let date = match new_end.map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            errors.insert(NEW_END_BLOCK.into(), FormProblem::NoDate.to_string());
            None
        }
        Some(raw) => match raw.parse::<NaiveDate>() {
            Err(_) => {
                errors.insert(NEW_END_BLOCK.into(), FormProblem::Unreadable.to_string());
                None
            }
            Ok(d) if d <= current_end => {
                let problem = FormProblem::NotAfter { current_end };
                errors.insert(NEW_END_BLOCK.into(), problem.to_string());
                None
            }
            Ok(d) if d > latest => {
                let problem = FormProblem::TooLate {
                    max_extension_days,
                    latest,
                };
                errors.insert(NEW_END_BLOCK.into(), problem.to_string());
                None
            }
            Ok(d) => Some(d),
        },
    };
    let reason = reason.map(str::trim).unwrap_or_default();
    if reason.is_empty() {
        errors.insert(REASON_BLOCK.into(), FormProblem::NoReason.to_string());
    }
    match date {
        Some(d) if errors.is_empty() => Ok((d, reason.to_string())),
        _ => Err(errors),
    }
}

/// Who may decide, as far as the button tells: an administrator who did not ask (no
/// self-approval). The row's owner is refused too, once the row is read
/// ([`request_for_decision`]).
pub fn may_decide(
    user: &SlackUserId,
    requester: &SlackUserId,
    admins: &[SlackUserId],
) -> Result<(), Refusal> {
    if !admins.contains(user) {
        Err(Refusal::NotAdmin)
    } else if user == requester {
        Err(Refusal::SelfApproval)
    } else {
        Ok(())
    }
}

/// Whether `user` is the row's owner by `users_json`; a name several people share counts as
/// each of theirs (any of them may be the owner).
fn is_owner(user: &SlackUserId, owner: &Owner) -> bool {
    match owner {
        Owner::Found(id) => id == user,
        Owner::Ambiguous(ids) => ids.contains(user),
        Owner::NotFound => false,
    }
}

/// The pending request a decision applies to, if the row still is as it was requested: same
/// account and key (found by them), not deleted, and that very request still pending; an
/// approval also needs the request's end date (a rejection leaves the end date as it is, so
/// one edited by hand since does not matter). The decider must be neither the requester nor
/// the row's owner (`owner_of`, by `users_json`), also when another administrator filed the
/// request for the owner. Otherwise nothing may change.
pub fn request_for_decision<'a>(
    lookup: &'a Lookup,
    target: &DecisionRef,
    user: &SlackUserId,
    owner_of: impl Fn(&RowView) -> Owner,
    admins: &[SlackUserId],
    outcome: Outcome,
) -> Result<(&'a RowView, &'a PendingRequest), Refusal> {
    may_decide(user, &target.requester, admins)?;
    let row = found(lookup)?;
    if is_owner(user, &owner_of(row)) {
        return Err(Refusal::OwnerApproval);
    }
    if row.deleted {
        return Err(Refusal::Deleted { row: row.row });
    }
    let PendingCell::Request(pending) = &row.pending else {
        return Err(Refusal::AlreadyDecided);
    };
    if pending.id != target.request_id {
        return Err(Refusal::AlreadyDecided);
    }
    // The sheet is the record: its requester counts, not only the button's.
    may_decide(user, &pending.requester, admins)?;
    if outcome == Outcome::Approved && row.end != Some(pending.current_end) {
        return Err(Refusal::EndDateChanged {
            row: row.row,
            expected: pending.current_end,
        });
    }
    Ok((row, pending))
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
