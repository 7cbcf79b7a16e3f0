//! What an extension request's approval request says (docs/rules.md §9, step 3).

use chrono::NaiveDate;

use crate::core::domain::SlackUserId;

/// What an approval request says about the row and the request; its words are in
/// `core/words/extension.rs`.
#[derive(Debug, Clone, PartialEq)]
pub struct ApprovalInfo {
    pub row: usize,
    pub account: String,
    pub key_id: String,
    pub owner_name: String,
    pub current_end: NaiveDate,
    pub requested_end: NaiveDate,
    pub reason: String,
    pub requester: SlackUserId,
}
