//! AWS IAM through `aws-sdk-iam`: the standard credential chain, `AWS_ENDPOINT_URL_IAM` honoured.
//! Reads a user's inventory and applies one teardown step per call, each tolerating
//! `NoSuchEntity` so an interrupted teardown is simply resumed.
//!
//! Each dependent a user can have is read and removed by its own small unit in `dependents.rs`;
//! `inventory` and `apply` run them from the list and name none.

use aws_sdk_iam::Client;
use aws_sdk_iam::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use chrono::{DateTime, Utc};
use futures::future;
use futures::stream::{self, StreamExt, TryStreamExt};

use aws_sdk_iam::types::Tag;

use super::{Created, Iam, NewUser, ReportUse, ServiceError, StepResult, credential_report};
use crate::core::domain::{AccessKeyId, IamUserName, Secret};
use crate::core::key_rules::KeyInfo;
use crate::core::teardown::{REQUEST_TAG, Step, TEARDOWN_TAG, UserInventory};

/// Every item of a paginated IAM list (`$request` without `send`), or the error of `$op` for
/// people.
macro_rules! listed {
    ($op:literal, $request:expr) => {
        $request
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| $crate::adapters::iam::failed($op, e))
    };
}

mod dependents;

/// Cheap to clone: the SDK client is shared.
#[derive(Clone)]
pub struct AwsIam {
    client: Client,
}

impl AwsIam {
    pub fn new(config: &aws_config::SdkConfig) -> Self {
        AwsIam {
            client: Client::new(config),
        }
    }

    /// One cheap read (`ListUsers`, one user), to prove the credentials may read IAM.
    pub async fn probe(&self) -> Result<(), ServiceError> {
        self.client
            .list_users()
            .max_items(1)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| failed("ListUsers", e))
    }

    /// An adapter over a client configured elsewhere (tests, other tools).
    pub fn with_client(client: Client) -> Self {
        AwsIam { client }
    }
}

fn is_no_such_entity<E: ProvideErrorMetadata, R>(e: &SdkError<E, R>) -> bool
where
    SdkError<E, R>: ProvideErrorMetadata,
{
    e.code() == Some("NoSuchEntity")
}

/// An SDK error as a [`ServiceError`] the run can match, keeping IAM's message for people.
pub(super) fn failed<E, R>(op: &str, e: SdkError<E, R>) -> ServiceError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
    SdkError<E, R>: ProvideErrorMetadata,
{
    let message = format!("IAM {op} failed: {}", DisplayErrorContext(&e));
    match e.code() {
        Some("NoSuchEntity") => ServiceError::NotFound(message),
        Some(
            "AccessDenied"
            | "AccessDeniedException"
            | "UnauthorizedOperation"
            | "InvalidClientTokenId"
            | "SignatureDoesNotMatch",
        ) => ServiceError::AccessDenied(message),
        Some("Throttling" | "ThrottlingException" | "RequestLimitExceeded") => {
            ServiceError::Throttled(message)
        }
        Some(
            "DeleteConflict" | "LimitExceeded" | "EntityAlreadyExists" | "ConcurrentModification",
        ) => ServiceError::Conflict(message),
        Some("InvalidInput" | "ValidationError" | "MalformedPolicyDocument") => {
            ServiceError::Invalid(message)
        }
        _ => ServiceError::Unavailable(message),
    }
}

/// Runs one write; `NoSuchEntity` means an earlier run did it already.
async fn idempotent<T, E, R>(
    op: &str,
    call: impl Future<Output = Result<T, SdkError<E, R>>>,
) -> Result<StepResult, ServiceError>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
    SdkError<E, R>: ProvideErrorMetadata,
{
    match call.await {
        Ok(_) => Ok(StepResult::Done),
        Err(e) if is_no_such_entity(&e) => Ok(StepResult::AlreadyGone),
        Err(e) => Err(failed(op, e)),
    }
}

impl AwsIam {
    /// The user's key IDs, for the teardown (one `ListAccessKeys` wrapper: `listed_keys`).
    async fn access_keys(&self, user: &IamUserName) -> Result<Vec<AccessKeyId>, ServiceError> {
        Ok(self
            .listed_keys(user.clone())
            .await?
            .into_iter()
            .map(|k| k.key_id)
            .collect())
    }

    async fn attachments(&self, arn: &str) -> Result<Option<i32>, ServiceError> {
        match self.client.get_policy().policy_arn(arn).send().await {
            Ok(out) => Ok(Some(
                out.policy.and_then(|p| p.attachment_count).unwrap_or(0),
            )),
            Err(e) if is_no_such_entity(&e) => Ok(None),
            Err(e) => Err(failed("GetPolicy", e)),
        }
    }

    async fn delete_own_policy(&self, arn: &str) -> Result<StepResult, ServiceError> {
        // IAM is eventually consistent: right after this teardown's own detach, the count may
        // still include the user. A count above zero is asked again briefly (about 3 s).
        let backoff = backon::ExponentialBuilder::default()
            .with_min_delay(std::time::Duration::from_millis(250))
            .with_max_delay(std::time::Duration::from_secs(1))
            .with_max_times(4);
        // Both reads at once: the versions are only used once the count says the policy is
        // ours to delete, and reading them first changes nothing.
        let (attached, versions) = tokio::join!(
            settled_attachments(|| self.attachments(arn), backoff),
            async {
                let request = self.client.list_policy_versions();
                listed!("ListPolicyVersions", request.policy_arn(arn))
            },
        );
        match attached? {
            None => return Ok(StepResult::AlreadyGone),
            Some(n) if n > 0 => {
                return Ok(StepResult::Kept(format!(
                    "still attached to {n} other user(s), group(s) or role(s)"
                )));
            }
            Some(_) => {}
        }
        let versions = versions?;
        for v in versions.into_iter().filter(|v| !v.is_default_version) {
            let Some(id) = v.version_id else { continue };
            idempotent(
                "DeletePolicyVersion",
                self.client
                    .delete_policy_version()
                    .policy_arn(arn)
                    .version_id(id)
                    .send(),
            )
            .await?;
        }
        idempotent(
            "DeletePolicy",
            self.client.delete_policy().policy_arn(arn).send(),
        )
        .await
    }
}

impl AwsIam {
    /// Removes the teardown tag while it names `key`: read from `GetUser` (no permission to
    /// list tags needed), then `UntagUser`. A user or tag already gone is "already gone"; a tag
    /// naming another key is left for that key's deletion.
    async fn untag_teardown(&self, u: &str, key: &AccessKeyId) -> Result<StepResult, ServiceError> {
        let user = match self.client.get_user().user_name(u).send().await {
            Ok(out) => out.user,
            Err(e) if is_no_such_entity(&e) => return Ok(StepResult::AlreadyGone),
            Err(e) => return Err(failed("GetUser", e)),
        };
        let tag = user
            .and_then(|u| u.tags)
            .unwrap_or_default()
            .into_iter()
            .find(|t| t.key == TEARDOWN_TAG)
            .map(|t| t.value);
        match tag {
            None => Ok(StepResult::AlreadyGone),
            Some(v) if v != key.as_str() => Ok(StepResult::Kept(format!(
                "the tag names another key now ({v})"
            ))),
            Some(_) => {
                idempotent(
                    "UntagUser",
                    self.client
                        .untag_user()
                        .user_name(u)
                        .tag_keys(TEARDOWN_TAG)
                        .send(),
                )
                .await
            }
        }
    }
}

/// Asks `count` (a policy's attachment count) again while it is above zero, waiting as
/// `backoff` says; the last answer stands once the backoff is spent.
async fn settled_attachments<F, Fut>(
    mut count: F,
    backoff: impl backon::BackoffBuilder,
) -> Result<Option<i32>, ServiceError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Option<i32>, ServiceError>>,
{
    let mut waits = backoff.build();
    loop {
        let n = count().await?;
        match (n, waits.next()) {
            (Some(attached), Some(wait)) if attached > 0 => tokio::time::sleep(wait).await,
            _ => return Ok(n),
        }
    }
}

fn to_chrono(t: &aws_sdk_iam::primitives::DateTime) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(t.secs(), t.subsec_nanos())
}

/// A key as listed, before its last use is known.
struct ListedKey {
    user: IamUserName,
    key_id: AccessKeyId,
    active: bool,
    created: DateTime<Utc>,
}

impl AwsIam {
    async fn users_under(&self, path_prefix: &str) -> Result<Vec<IamUserName>, ServiceError> {
        let users = listed!(
            "ListUsers",
            self.client.list_users().path_prefix(path_prefix)
        )?;
        users
            .into_iter()
            .map(|u| IamUserName::parse(&u.user_name).map_err(ServiceError::Invalid))
            .collect()
    }

    async fn listed_keys(&self, user: IamUserName) -> Result<Vec<ListedKey>, ServiceError> {
        let request = self.client.list_access_keys().user_name(user.as_str());
        let keys = listed!("ListAccessKeys", request)?;
        keys.into_iter()
            .map(|k| {
                Ok(ListedKey {
                    user: user.clone(),
                    key_id: AccessKeyId::parse(k.access_key_id.as_deref().unwrap_or_default())
                        .map_err(ServiceError::Invalid)?,
                    active: k.status.as_ref().is_some_and(|s| s.as_str() == "Active"),
                    created: k
                        .create_date
                        .as_ref()
                        .and_then(to_chrono)
                        .unwrap_or_else(Utc::now),
                })
            })
            .collect()
    }

    async fn last_used(&self, key: &AccessKeyId) -> Result<Option<DateTime<Utc>>, ServiceError> {
        let out = self
            .client
            .get_access_key_last_used()
            .access_key_id(key.as_str())
            .send()
            .await
            .map_err(|e| failed("GetAccessKeyLastUsed", e))?;
        Ok(out
            .access_key_last_used
            .and_then(|u| u.last_used_date.as_ref().and_then(to_chrono)))
    }
}

impl Iam for AwsIam {
    async fn inventory(&self, user: &IamUserName) -> Result<Option<UserInventory>, ServiceError> {
        let u = user.as_str();
        let found = match self.client.get_user().user_name(u).send().await {
            Ok(out) => out.user,
            Err(e) if is_no_such_entity(&e) => return Ok(None),
            Err(e) => return Err(failed("GetUser", e)),
        };
        let Some(found) = found else { return Ok(None) };
        let tags = found.tags.clone().unwrap_or_default();
        let tag = |key: &str| tags.iter().find(|t| t.key == key).map(|t| t.value.clone());
        let mut inv = UserInventory {
            arn: found.arn,
            path: found.path,
            teardown_tag: tag(TEARDOWN_TAG),
            request_tag: tag(REQUEST_TAG),
            ..UserInventory::default()
        };
        // Every dependent's read at once: one round trip, not one per dependent.
        let reads = dependents::in_order().map(|d| async move { (d?.list)(self, user).await });
        for put in future::try_join_all(reads).await? {
            put(&mut inv);
        }
        Ok(Some(inv))
    }

    async fn account_keys(
        &self,
        path_prefix: &str,
        report: ReportUse,
    ) -> Result<Vec<KeyInfo>, ServiceError> {
        let users = self.users_under(path_prefix).await?;
        let listed: Vec<ListedKey> = stream::iter(users)
            .map(|u| self.listed_keys(u))
            .buffer_unordered(8)
            .try_concat()
            .await?;
        let report = if listed.len() > credential_report::FROM_KEYS {
            match credential_report::last_uses(&self.client, report).await {
                Ok(report) => report,
                Err(e) => {
                    tracing::warn!(error = %e, "no credential report: asking IAM key by key");
                    credential_report::LastUses::new()
                }
            }
        } else {
            credential_report::LastUses::new()
        };
        stream::iter(listed)
            .map(|k| {
                let known = report
                    .get(&(k.user.to_string(), k.created.timestamp()))
                    .copied();
                async move {
                    // A key the report does not cover (stale, or created since) is asked about
                    // directly: taking it for never used could deactivate a busy key.
                    let last_used = match known {
                        Some(last_used) => last_used,
                        None => self.last_used(&k.key_id).await?,
                    };
                    Ok(KeyInfo {
                        user: k.user,
                        key_id: k.key_id,
                        active: k.active,
                        created: k.created,
                        last_used,
                    })
                }
            })
            .buffer_unordered(8)
            .try_collect()
            .await
    }

    async fn key_last_used(
        &self,
        key: &AccessKeyId,
    ) -> Result<Option<DateTime<Utc>>, ServiceError> {
        self.last_used(key).await
    }

    async fn key_owner(&self, key: &AccessKeyId) -> Result<Option<IamUserName>, ServiceError> {
        match self
            .client
            .get_access_key_last_used()
            .access_key_id(key.as_str())
            .send()
            .await
        {
            Ok(out) => out
                .user_name
                .map(|u| IamUserName::parse(&u).map_err(ServiceError::Invalid))
                .transpose(),
            Err(e) => match failed("GetAccessKeyLastUsed", e) {
                ServiceError::NotFound(_) => Ok(None),
                other => Err(other),
            },
        }
    }

    async fn policy_attachments(&self, arn: &str) -> Result<Option<i32>, ServiceError> {
        self.attachments(arn).await
    }

    async fn set_key_active(
        &self,
        user: &IamUserName,
        key: &AccessKeyId,
        active: bool,
    ) -> Result<(), ServiceError> {
        let status = if active {
            aws_sdk_iam::types::StatusType::Active
        } else {
            aws_sdk_iam::types::StatusType::Inactive
        };
        self.client
            .update_access_key()
            .user_name(user.as_str())
            .access_key_id(key.as_str())
            .status(status)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| failed("UpdateAccessKey", e))
    }

    async fn create_key(&self, user: &IamUserName) -> Result<(AccessKeyId, Secret), ServiceError> {
        let out = self
            .client
            .create_access_key()
            .user_name(user.as_str())
            .send()
            .await
            .map_err(|e| failed("CreateAccessKey", e))?;
        let key = out
            .access_key
            .ok_or_else(|| ServiceError::Invalid("CreateAccessKey returned no key".into()))?;
        let id = AccessKeyId::parse(&key.access_key_id).map_err(ServiceError::Invalid)?;
        Ok((id, Secret::new(key.secret_access_key)))
    }

    async fn user_tag(
        &self,
        user: &IamUserName,
        key: &str,
    ) -> Result<Option<Option<String>>, ServiceError> {
        match self.client.get_user().user_name(user.as_str()).send().await {
            Ok(out) => Ok(out.user.map(|u| {
                u.tags
                    .unwrap_or_default()
                    .into_iter()
                    .find(|t| t.key == key)
                    .map(|t| t.value)
            })),
            Err(e) if is_no_such_entity(&e) => Ok(None),
            Err(e) => Err(failed("GetUser", e)),
        }
    }

    async fn user_keys(&self, user: &IamUserName) -> Result<Vec<AccessKeyId>, ServiceError> {
        self.access_keys(user).await
    }

    async fn create_user(&self, user: &NewUser) -> Result<Created, ServiceError> {
        let tags = user
            .tags
            .iter()
            .map(|(k, v)| Tag::builder().key(k).value(v).build())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| ServiceError::Invalid(e.to_string()))?;
        let call = self
            .client
            .create_user()
            .user_name(user.name.as_str())
            .path(&user.path)
            .set_permissions_boundary(user.boundary.clone())
            .set_tags(Some(tags))
            .send()
            .await;
        match call {
            Ok(_) => Ok(Created::New),
            Err(e) if e.code() == Some("EntityAlreadyExists") => Ok(Created::Exists),
            Err(e) => Err(failed("CreateUser", e)),
        }
    }

    async fn attach_policy(
        &self,
        user: &IamUserName,
        policy_arn: &str,
    ) -> Result<(), ServiceError> {
        self.client
            .attach_user_policy()
            .user_name(user.as_str())
            .policy_arn(policy_arn)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| failed("AttachUserPolicy", e))
    }

    async fn apply(&self, user: &IamUserName, step: &Step) -> Result<StepResult, ServiceError> {
        let c = &self.client;
        let u = user.as_str();
        if let Some(removal) = dependents::CALLS
            .iter()
            .find_map(|d| (d.remove)(c, u, step))
        {
            return removal.await;
        }
        match step {
            Step::TagForTeardown(k) => {
                let tag = Tag::builder()
                    .key(TEARDOWN_TAG)
                    .value(k.as_str())
                    .build()
                    .map_err(|e| ServiceError::Invalid(e.to_string()))?;
                c.tag_user()
                    .user_name(u)
                    .tags(tag)
                    .send()
                    .await
                    .map(|_| StepResult::Done)
                    .map_err(|e| failed("TagUser", e))
            }
            Step::DeleteUser => idempotent("DeleteUser", c.delete_user().user_name(u).send()).await,
            Step::DeleteOwnPolicy(arn) => self.delete_own_policy(arn).await,
            Step::UntagTeardown(k) => self.untag_teardown(u, k).await,
            // The run gives this step to the vault, never to IAM.
            Step::DeleteIssuedSecret { secret, .. } => Err(ServiceError::Invalid(format!(
                "deleting secret {secret} is a Secrets Manager step, not an IAM one"
            ))),
            // A dependent's step, removed above (`dependents.rs` tests that each is claimed).
            other => Err(ServiceError::Invalid(format!(
                "no IAM call is known for the step \"{other}\""
            ))),
        }
    }
}

#[cfg(test)]
mod attachment_tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn fast() -> backon::ExponentialBuilder {
        backon::ExponentialBuilder::default()
            .with_min_delay(std::time::Duration::from_millis(1))
            .with_max_times(4)
    }

    async fn answers(seq: &[Option<i32>]) -> (Result<Option<i32>, ServiceError>, usize) {
        let calls = AtomicUsize::new(0);
        let got = settled_attachments(
            || {
                let i = calls.fetch_add(1, Ordering::SeqCst);
                let n = seq[i.min(seq.len() - 1)];
                async move { Ok(n) }
            },
            fast(),
        )
        .await;
        (got, calls.load(Ordering::SeqCst))
    }

    #[tokio::test]
    async fn a_stale_count_after_a_detach_is_asked_again() {
        assert_eq!(
            answers(&[Some(1), Some(1), Some(0)]).await,
            (Ok(Some(0)), 3)
        );
        assert_eq!(answers(&[Some(0)]).await, (Ok(Some(0)), 1));
        assert_eq!(answers(&[None]).await, (Ok(None), 1), "gone: no re-check");
        assert_eq!(
            answers(&[Some(2)]).await,
            (Ok(Some(2)), 5),
            "still attached after the retries: kept"
        );
    }
}
