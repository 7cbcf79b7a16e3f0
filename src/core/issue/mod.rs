//! Key issuance, the pure part: keywarden creates the IAM user and key a row of the request
//! sheet asks for, once an administrator approved it in Slack, and fills the row itself.
//!
//! - [`settings`]: `KEYWARDEN_ISSUE_*` and `KEYWARDEN_MAX_ISSUE*`, parsed ([`IssueSettings`]).
//! - [`id`]: the request's ID `R`, a digest of the cells that say what is asked for.
//! - [`cell`]: the `発行申請` cell, where a request stands (`承認待ち R`, `承認済み R …`, …).
//! - [`request`]: which rows are requests, whether each is valid, and its next [`Step`].
//! - [`decision`]: an administrator's click on the approval request: who may decide, stale or
//!   decided already, and what to write.
//!
//! Nothing here talks to IAM, Secrets Manager or Slack.

pub mod cell;
pub mod decision;
pub mod id;
pub mod policy;
pub mod request;
pub mod settings;
pub mod writes;

pub use cell::{ApprovalCopy, ISSUE_HEADER, IssueCell, IssueRecord, IssueState};
pub use id::{RequestId, request_id};
pub use request::{
    Context, REJECTED_MARK, Request, RequestProblem, RequestProblemKind, Step, ValidRequest,
    is_request, requests, step_for,
};
pub use settings::{IssueSettings, PolicyArn, PolicyEntry, ReaderPattern, ReaderProblem};
