//! The three outside services, each behind a small trait so the runner can be driven by the
//! real adapters (Google, Slack, AWS) or by the in-memory ones of `keywarden demo`.

pub mod aws;
pub mod google;
pub mod iam;
pub mod secrets;
pub mod slack;

use std::future::Future;

use crate::domain::{AccessKeyId, IamUserName, Secret, SlackUserId};
use crate::hygiene::KeyInfo;
use crate::sheet::Grid;
use crate::teardown::{Step, UserInventory};

/// A failure of an outside service, already worded for administrators (never holds secrets).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ServiceError(pub String);

/// One cell to write, as an A1 reference with the sheet name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellWrite {
    pub range: String,
    pub value: String,
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
pub trait SheetStore {
    /// Reads whole sheets in one request, in the order asked.
    fn read(&self, sheets: &[&str])
    -> impl Future<Output = Result<Vec<Grid>, ServiceError>> + Send;
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
    /// Every access key of the users under `path_prefix`, with its last use (SPEC §8). A dry
    /// run passes `may_generate_report = false`: generating a credential report is not a read.
    fn account_keys(
        &self,
        path_prefix: &str,
        may_generate_report: bool,
    ) -> impl Future<Output = Result<Vec<KeyInfo>, ServiceError>> + Send;
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
}

/// Where rotated secrets are kept (AWS Secrets Manager).
pub trait Vault {
    /// Stores `value` as the new current version of secret `name`, creating it if absent.
    fn store(
        &self,
        name: &str,
        value: &Secret,
    ) -> impl Future<Output = Result<(), ServiceError>> + Send;
}
