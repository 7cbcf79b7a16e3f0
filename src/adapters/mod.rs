//! The outside services, each behind a small trait so the run can be driven by the real
//! adapters (Google, Slack, AWS) or by the in-memory ones of `keywarden demo` ([`memory`]).
//! Adapters translate; they decide nothing (no dry runs, no business rules).

pub mod accounts;
pub mod aws;
pub mod bounded;
pub mod credential_report;
pub mod google;
pub mod iam;
pub mod memory;
pub mod secrets;
pub mod slack;
pub mod values_stream;

use std::future::Future;

use futures::future::BoxFuture;

use crate::core::domain::{AccessKeyId, Account, AwsAccountId, IamUserName, Secret, SlackUserId};
use crate::core::key_rules::KeyInfo;
pub use crate::core::sheet::CellWrite;
use crate::core::sheet::{Block, Grid, RowSink};
use crate::core::teardown::{Step, UserInventory};

/// A failure of an outside service, by what the caller can do about it. The text is the
/// service's message, worded for administrators (never holds secrets).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServiceError {
    /// The thing does not exist (IAM `NoSuchEntity`, a missing sheet or secret).
    #[error("{0}")]
    NotFound(String),
    /// Our credentials may not do this (least privilege, a wrong role).
    #[error("{0}")]
    AccessDenied(String),
    /// Rate limited even after retries.
    #[error("{0}")]
    Throttled(String),
    /// The service refused because of the state of things (`DeleteConflict`, `LimitExceeded`).
    #[error("{0}")]
    Conflict(String),
    /// The request or the answer was malformed.
    #[error("{0}")]
    Invalid(String),
    /// The service could not be reached or failed (5xx, time-outs, anything else).
    #[error("{0}")]
    Unavailable(String),
}

/// Last uses may come from a credential report; generating one is a write, so the caller says
/// whether that is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportUse {
    /// Generate a fresh report when it helps.
    MayGenerate,
    /// Use only an existing report (or ask key by key).
    ExistingOnly,
}

/// A cell value for [`SheetStore::write_values`]: text, or a real date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CellValue {
    Text(String),
    Date(chrono::NaiveDate),
}

/// One typed cell to write, as an A1 reference with the sheet name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypedCellWrite {
    pub range: String,
    pub value: CellValue,
}

/// The spreadsheet.
pub trait SheetStore: Sync {
    /// Reads whole sheets in one request, in the order asked.
    fn read(&self, sheets: &[&str])
    -> impl Future<Output = Result<Vec<Grid>, ServiceError>> + Send;
    /// Reads blocks in one request, each row by row into its sink, so no grid of a whole
    /// sheet need exist. By default cut from [`SheetStore::read`] (in-memory stores).
    fn read_into(
        &self,
        blocks: &[Block],
        sinks: &mut [&mut dyn RowSink],
    ) -> impl Future<Output = Result<(), ServiceError>> + Send {
        async move {
            let names: Vec<&str> = blocks.iter().map(|b| b.sheet.as_str()).collect();
            let grids = self.read(&names).await?;
            for ((block, grid), sink) in blocks.iter().zip(grids).zip(sinks.iter_mut()) {
                block.cut(grid).iter().for_each(|row| sink.row(row));
            }
            Ok(())
        }
    }
    /// Writes all cells in one request.
    fn write(&self, cells: &[CellWrite]) -> impl Future<Output = Result<(), ServiceError>> + Send;
    /// Writes all cells in one request, dates as real dates where the store can (Google:
    /// a date serial number). This default writes dates as ISO text through `write`.
    fn write_values(
        &self,
        cells: &[TypedCellWrite],
    ) -> impl Future<Output = Result<(), ServiceError>> + Send
    where
        Self: Sync,
    {
        let cells: Vec<CellWrite> = cells
            .iter()
            .map(|c| CellWrite {
                range: c.range.clone(),
                value: match &c.value {
                    CellValue::Text(t) => t.clone(),
                    CellValue::Date(d) => d.to_string(),
                },
            })
            .collect();
        async move { self.write(&cells).await }
    }
    /// Appends `rows` below the last row of `sheet` in one request (Google: `values:append`
    /// with `insertDataOption=INSERT_ROWS` and `valueInputOption=RAW`, so text stays text).
    /// [`ServiceError::NotFound`] when the spreadsheet has no sheet of that name.
    fn append(
        &self,
        sheet: &str,
        rows: &[Vec<serde_json::Value>],
    ) -> impl Future<Output = Result<(), ServiceError>> + Send;
    /// Adds an empty sheet named `sheet` (Google: `spreadsheets.batchUpdate` `addSheet`);
    /// [`ServiceError::Conflict`] when one of that name exists already.
    fn add_sheet(&self, sheet: &str) -> impl Future<Output = Result<(), ServiceError>> + Send;
}

/// Why a Slack message did not arrive.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The person cannot receive the bot's DMs (`channel_not_found`, `messages_tab_disabled`, …).
    #[error(
        "cannot be reached on Slack ({0}): check the Slack ID in users_json and that the user allows DMs from the app"
    )]
    Unreachable(String),
    #[error("Slack did not take the message: {0}")]
    Failed(String),
}

/// Slack direct messages from the bot.
pub trait Messenger {
    fn send(
        &self,
        to: &SlackUserId,
        text: &str,
    ) -> impl Future<Output = Result<(), SendError>> + Send;

    /// A DM with interactive `blocks` after the text (the notice's request button,
    /// docs/rules.md §9). Stand-ins that show only text may keep this default.
    fn send_with_blocks(
        &self,
        to: &SlackUserId,
        text: &str,
        blocks: &[slack_morphism::prelude::SlackBlock],
    ) -> impl Future<Output = Result<(), SendError>> + Send {
        let _ = blocks;
        self.send(to, text)
    }

    /// Posts `text` and `blocks` to `channel` (a person's ID or a channel ID) and says where
    /// the message is, for a later `chat.update` (key issuance's approval requests,
    /// docs/rules.md §12). Stand-ins that cannot tell where a message went refuse.
    fn post(
        &self,
        channel: &str,
        text: &str,
        blocks: &[slack_morphism::prelude::SlackBlock],
    ) -> impl Future<Output = Result<crate::core::issue::ApprovalCopy, SendError>> + Send {
        let _ = (channel, text, blocks);
        async { Err(SendError::Failed("posting is not available here".into())) }
    }
}

/// What an idempotent IAM step found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepResult {
    Done,
    /// The thing was already gone (an earlier, interrupted run removed it).
    AlreadyGone,
    /// Deliberately left in place, e.g. a policy another user still uses.
    Kept(String),
}

/// A user key issuance creates (docs/rules.md §12): its path, its permissions boundary, and the
/// tags set in the same `CreateUser` call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub name: IamUserName,
    pub path: String,
    pub boundary: Option<String>,
    pub tags: Vec<(String, String)>,
}

/// What `CreateUser` found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    New,
    /// `EntityAlreadyExists`: a user of that name is there already (whose, the caller asks).
    Exists,
}

/// The call of an adapter that does not offer key issuance (the demo's read-only stand-ins
/// and the test doubles that predate it): refused, never pretended.
fn not_offered(what: &str) -> ServiceError {
    ServiceError::Unavailable(format!("{what} is not available here"))
}

/// The IAM reads and writes a teardown needs.
pub trait Iam {
    /// Everything of the user a teardown must remove; `None` when the user does not exist.
    fn inventory(
        &self,
        user: &IamUserName,
    ) -> impl Future<Output = Result<Option<UserInventory>, ServiceError>> + Send;
    fn apply(
        &self,
        user: &IamUserName,
        step: &Step,
    ) -> impl Future<Output = Result<StepResult, ServiceError>> + Send;
    /// Every access key of the users under `path_prefix`, with its last use (docs/rules.md §8).
    fn account_keys(
        &self,
        path_prefix: &str,
        report: ReportUse,
    ) -> impl Future<Output = Result<Vec<KeyInfo>, ServiceError>> + Send;
    /// Who owns a key of the account (`GetAccessKeyLastUsed`); `None` when IAM knows no such key.
    fn key_owner(
        &self,
        key: &AccessKeyId,
    ) -> impl Future<Output = Result<Option<IamUserName>, ServiceError>> + Send;
    /// How many users, groups and roles a policy is attached to; `None` if it does not exist.
    fn policy_attachments(
        &self,
        arn: &str,
    ) -> impl Future<Output = Result<Option<i32>, ServiceError>> + Send;
    /// A key's last use, asked of IAM now.
    fn key_last_used(
        &self,
        key: &AccessKeyId,
    ) -> impl Future<Output = Result<Option<chrono::DateTime<chrono::Utc>>, ServiceError>> + Send;
    /// Sets a key Active or Inactive.
    fn set_key_active(
        &self,
        user: &IamUserName,
        key: &AccessKeyId,
        active: bool,
    ) -> impl Future<Output = Result<(), ServiceError>> + Send;
    /// Creates a key; the secret is returned once and must go nowhere but the vault.
    fn create_key(
        &self,
        user: &IamUserName,
    ) -> impl Future<Output = Result<(AccessKeyId, Secret), ServiceError>> + Send;

    /// The value of tag `key` of `user` (`GetUser`): `None` when the user does not exist,
    /// `Some(None)` when it exists without that tag.
    fn user_tag(
        &self,
        user: &IamUserName,
        key: &str,
    ) -> impl Future<Output = Result<Option<Option<String>>, ServiceError>> + Send {
        let _ = (user, key);
        async { Err(not_offered("GetUser")) }
    }
    /// The user's access key IDs (`ListAccessKeys`).
    fn user_keys(
        &self,
        user: &IamUserName,
    ) -> impl Future<Output = Result<Vec<AccessKeyId>, ServiceError>> + Send {
        let _ = user;
        async { Err(not_offered("ListAccessKeys")) }
    }
    /// `CreateUser` with path, boundary and tags in one call.
    fn create_user(
        &self,
        user: &NewUser,
    ) -> impl Future<Output = Result<Created, ServiceError>> + Send {
        let _ = user;
        async { Err(not_offered("CreateUser")) }
    }
    /// `AttachUserPolicy` (attaching an attached policy again changes nothing).
    fn attach_policy(
        &self,
        user: &IamUserName,
        policy_arn: &str,
    ) -> impl Future<Output = Result<(), ServiceError>> + Send {
        let _ = (user, policy_arn);
        async { Err(not_offered("AttachUserPolicy")) }
    }
}

/// Where rotated secrets are kept (AWS Secrets Manager).
pub trait Vault {
    /// Stores `value` as the new current version of secret `name`, creating it if absent.
    fn store(
        &self,
        name: &str,
        value: &Secret,
    ) -> impl Future<Output = Result<(), ServiceError>> + Send;
    /// The current value of secret `name`, `None` when no secret has that name. Errors name
    /// the secret, never its value.
    fn read(&self, name: &str)
    -> impl Future<Output = Result<Option<Secret>, ServiceError>> + Send;

    /// The value of tag `key` of secret `name` (`DescribeSecret`): `None` when no secret has
    /// that name, `Some(None)` when it exists without that tag.
    fn secret_tag(
        &self,
        name: &str,
        key: &str,
    ) -> impl Future<Output = Result<Option<Option<String>>, ServiceError>> + Send {
        let _ = (name, key);
        async { Err(not_offered("DescribeSecret")) }
    }
    /// Creates secret `name` holding `value`, with `tags` (`CreateSecret`).
    fn create_tagged(
        &self,
        name: &str,
        value: &Secret,
        tags: &[(String, String)],
    ) -> impl Future<Output = Result<(), ServiceError>> + Send {
        let _ = (name, value, tags);
        async { Err(not_offered("CreateSecret")) }
    }
    /// Replaces the resource policy of secret `name` (`PutResourcePolicy`).
    fn put_policy(
        &self,
        name: &str,
        policy: &str,
    ) -> impl Future<Output = Result<(), ServiceError>> + Send {
        let _ = (name, policy);
        async { Err(not_offered("PutResourcePolicy")) }
    }
    /// Deletes secret `name` at once, without a recovery window; a secret already gone is
    /// [`StepResult::AlreadyGone`].
    fn force_delete(
        &self,
        name: &str,
    ) -> impl Future<Output = Result<StepResult, ServiceError>> + Send {
        let _ = name;
        async { Err(not_offered("DeleteSecret")) }
    }
}

/// The AWS accounts beyond the home account (docs/rules.md §10): who we are, which accounts the
/// Organization has, which account a key belongs to, and IAM + vault acting in another account.
/// Boxed futures: the run holds it as `&dyn Fleet`, whatever the IAM and vault types.
pub trait Fleet<I, V>: Sync {
    /// The account of keywarden's own credentials.
    fn home(&self) -> BoxFuture<'_, Result<AwsAccountId, ServiceError>>;
    /// Every ACTIVE account of the Organization, named by its account name.
    fn organization(&self) -> BoxFuture<'_, Result<Vec<Account>, ServiceError>>;
    /// The account `key` belongs to, whichever account that is (`GetAccessKeyInfo`).
    fn key_account<'a>(
        &'a self,
        key: &'a AccessKeyId,
    ) -> BoxFuture<'a, Result<AwsAccountId, ServiceError>>;
    /// IAM and the vault of another account; `Err` when it cannot be entered.
    fn enter<'a>(
        &'a self,
        account: &'a AwsAccountId,
    ) -> BoxFuture<'a, Result<(I, V), ServiceError>>;
}

/// The home account alone (stand-ins, tests): no other account can be entered, and asking
/// who we are is answered by the ID given, or fails.
pub struct HomeOnly(pub Option<AwsAccountId>);

impl<I, V> Fleet<I, V> for HomeOnly {
    fn home(&self) -> BoxFuture<'_, Result<AwsAccountId, ServiceError>> {
        let home = self.0;
        Box::pin(async move {
            home.ok_or_else(|| ServiceError::Unavailable("the home account is not known".into()))
        })
    }

    fn organization(&self) -> BoxFuture<'_, Result<Vec<Account>, ServiceError>> {
        Box::pin(async { Err(ServiceError::AccessDenied("no Organization here".into())) })
    }

    fn key_account<'a>(
        &'a self,
        _key: &'a AccessKeyId,
    ) -> BoxFuture<'a, Result<AwsAccountId, ServiceError>> {
        // Never guessed: an unproven key changes nothing.
        Box::pin(async { Err(ServiceError::Unavailable("no STS here to ask".into())) })
    }

    fn enter<'a>(
        &'a self,
        account: &'a AwsAccountId,
    ) -> BoxFuture<'a, Result<(I, V), ServiceError>> {
        Box::pin(async move {
            Err(ServiceError::AccessDenied(format!(
                "account {account} cannot be entered: only the home account is reachable"
            )))
        })
    }
}
