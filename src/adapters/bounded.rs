//! Every AWS call of a run held to one instant: inside Lambda, the invocation's deadline less
//! the margin the run keeps for writing its results. [`Bounded`] wraps the AWS adapters
//! ([`Iam`], [`Vault`], [`Fleet`]) once, where the real services are wired, so no call site can
//! forget it: a call that would start at or after that instant is not started, and one still
//! running then is abandoned (its future dropped, which cancels the request, retries
//! included). Either way the caller gets [`ServiceError::Unavailable`] saying
//! [`OUT_OF_TIME`], which the run reports as a failure the next run finishes. The IAM and vault
//! of another account, entered through a bounded fleet, come back bounded too.

use std::future::Future;

use futures::future::BoxFuture;
use tokio::time::Instant;

use super::{Created, Fleet, Iam, NewUser, ReportUse, ServiceError, StepResult, Vault};
use crate::core::domain::{AccessKeyId, Account, AwsAccountId, IamUserName, Secret};
use crate::core::key_rules::KeyInfo;
use crate::core::outcome::OUT_OF_TIME;
use crate::core::teardown::{Step, UserInventory};

/// An AWS adapter whose every call ends by `cutoff` (no bound when `None`).
#[derive(Debug, Clone)]
pub struct Bounded<T> {
    inner: T,
    cutoff: Option<Instant>,
}

impl<T> Bounded<T> {
    pub fn new(inner: T, cutoff: Option<Instant>) -> Self {
        Bounded { inner, cutoff }
    }

    /// The adapter itself, unbounded.
    pub fn inner(&self) -> &T {
        &self.inner
    }
}

/// The error of a call the cutoff kept from starting or from finishing.
pub fn out_of_time() -> ServiceError {
    ServiceError::Unavailable(OUT_OF_TIME.into())
}

/// Runs `call` if there is time, and no longer than until `cutoff`. `call` must do nothing
/// before it is first polled (every adapter method is an `async fn`).
pub async fn within<R>(
    cutoff: Option<Instant>,
    call: impl Future<Output = Result<R, ServiceError>>,
) -> Result<R, ServiceError> {
    match cutoff {
        None => call.await,
        Some(cutoff) if Instant::now() >= cutoff => Err(out_of_time()),
        Some(cutoff) => tokio::time::timeout_at(cutoff, call)
            .await
            .unwrap_or_else(|_| Err(out_of_time())),
    }
}

impl<T: Iam + Sync> Iam for Bounded<T> {
    async fn inventory(&self, user: &IamUserName) -> Result<Option<UserInventory>, ServiceError> {
        within(self.cutoff, self.inner.inventory(user)).await
    }

    async fn apply(&self, user: &IamUserName, step: &Step) -> Result<StepResult, ServiceError> {
        within(self.cutoff, self.inner.apply(user, step)).await
    }

    async fn account_keys(
        &self,
        path_prefix: &str,
        report: ReportUse,
    ) -> Result<Vec<KeyInfo>, ServiceError> {
        within(self.cutoff, self.inner.account_keys(path_prefix, report)).await
    }

    async fn key_owner(&self, key: &AccessKeyId) -> Result<Option<IamUserName>, ServiceError> {
        within(self.cutoff, self.inner.key_owner(key)).await
    }

    async fn policy_attachments(&self, arn: &str) -> Result<Option<i32>, ServiceError> {
        within(self.cutoff, self.inner.policy_attachments(arn)).await
    }

    async fn key_last_used(
        &self,
        key: &AccessKeyId,
    ) -> Result<Option<chrono::DateTime<chrono::Utc>>, ServiceError> {
        within(self.cutoff, self.inner.key_last_used(key)).await
    }

    async fn set_key_active(
        &self,
        user: &IamUserName,
        key: &AccessKeyId,
        active: bool,
    ) -> Result<(), ServiceError> {
        within(self.cutoff, self.inner.set_key_active(user, key, active)).await
    }

    async fn create_key(&self, user: &IamUserName) -> Result<(AccessKeyId, Secret), ServiceError> {
        within(self.cutoff, self.inner.create_key(user)).await
    }

    async fn user_tag(
        &self,
        user: &IamUserName,
        key: &str,
    ) -> Result<Option<Option<String>>, ServiceError> {
        within(self.cutoff, self.inner.user_tag(user, key)).await
    }

    async fn user_keys(&self, user: &IamUserName) -> Result<Vec<AccessKeyId>, ServiceError> {
        within(self.cutoff, self.inner.user_keys(user)).await
    }

    async fn create_user(&self, user: &NewUser) -> Result<Created, ServiceError> {
        within(self.cutoff, self.inner.create_user(user)).await
    }

    async fn attach_policy(
        &self,
        user: &IamUserName,
        policy_arn: &str,
    ) -> Result<(), ServiceError> {
        within(self.cutoff, self.inner.attach_policy(user, policy_arn)).await
    }
}

impl<T: Vault + Sync> Vault for Bounded<T> {
    async fn store(&self, name: &str, value: &Secret) -> Result<(), ServiceError> {
        within(self.cutoff, self.inner.store(name, value)).await
    }

    async fn read(&self, name: &str) -> Result<Option<Secret>, ServiceError> {
        within(self.cutoff, self.inner.read(name)).await
    }

    async fn secret_tag(
        &self,
        name: &str,
        key: &str,
    ) -> Result<Option<Option<String>>, ServiceError> {
        within(self.cutoff, self.inner.secret_tag(name, key)).await
    }

    async fn create_tagged(
        &self,
        name: &str,
        value: &Secret,
        tags: &[(String, String)],
    ) -> Result<(), ServiceError> {
        within(self.cutoff, self.inner.create_tagged(name, value, tags)).await
    }

    async fn put_policy(&self, name: &str, policy: &str) -> Result<(), ServiceError> {
        within(self.cutoff, self.inner.put_policy(name, policy)).await
    }

    async fn force_delete(&self, name: &str) -> Result<StepResult, ServiceError> {
        within(self.cutoff, self.inner.force_delete(name)).await
    }
}

impl<I: Send, V: Send, F: Fleet<I, V>> Fleet<Bounded<I>, Bounded<V>> for Bounded<F> {
    fn home(&self) -> BoxFuture<'_, Result<AwsAccountId, ServiceError>> {
        Box::pin(within(self.cutoff, self.inner.home()))
    }

    fn organization(&self) -> BoxFuture<'_, Result<Vec<Account>, ServiceError>> {
        Box::pin(within(self.cutoff, self.inner.organization()))
    }

    fn key_account<'a>(
        &'a self,
        key: &'a AccessKeyId,
    ) -> BoxFuture<'a, Result<AwsAccountId, ServiceError>> {
        Box::pin(within(self.cutoff, self.inner.key_account(key)))
    }

    fn enter<'a>(
        &'a self,
        account: &'a AwsAccountId,
    ) -> BoxFuture<'a, Result<(Bounded<I>, Bounded<V>), ServiceError>> {
        Box::pin(async move {
            let (iam, vault) = within(self.cutoff, self.inner.enter(account)).await?;
            Ok((
                Bounded::new(iam, self.cutoff),
                Bounded::new(vault, self.cutoff),
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    /// A vault whose every store takes `latency`, counting the stores that started.
    struct Slow {
        latency: Duration,
        started: AtomicUsize,
    }

    impl Vault for Slow {
        async fn store(&self, _name: &str, _value: &Secret) -> Result<(), ServiceError> {
            self.started.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(self.latency).await;
            Ok(())
        }

        async fn read(&self, _name: &str) -> Result<Option<Secret>, ServiceError> {
            Ok(None)
        }
    }

    fn slow(latency: Duration, cutoff: Option<Instant>) -> Bounded<Slow> {
        Bounded::new(
            Slow {
                latency,
                started: AtomicUsize::new(0),
            },
            cutoff,
        )
    }

    fn secret() -> Secret {
        Secret::new("s".to_string())
    }

    #[tokio::test]
    async fn without_a_cutoff_a_call_runs_to_its_end() {
        let vault = slow(Duration::from_millis(20), None);
        assert_eq!(vault.store("n", &secret()).await, Ok(()));
        assert_eq!(vault.inner().started.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_call_that_would_outlive_the_cutoff_ends_at_it() {
        let begun = Instant::now();
        let vault = slow(
            Duration::from_secs(600),
            Some(begun + Duration::from_millis(200)),
        );
        assert_eq!(vault.store("n", &secret()).await, Err(out_of_time()));
        assert_eq!(vault.inner().started.load(Ordering::SeqCst), 1);
        assert!(
            begun.elapsed() < Duration::from_secs(60),
            "cut at the cutoff, not after the call's own time"
        );
    }

    #[tokio::test]
    async fn no_call_starts_once_the_cutoff_has_passed() {
        let vault = slow(Duration::ZERO, Some(Instant::now()));
        let err = vault.store("n", &secret()).await.unwrap_err();
        assert_eq!(err.to_string(), OUT_OF_TIME);
        assert_eq!(vault.inner().started.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn an_entered_account_is_bounded_by_the_same_cutoff() {
        struct One;
        impl Fleet<Slow, Slow> for One {
            fn home(&self) -> BoxFuture<'_, Result<AwsAccountId, ServiceError>> {
                Box::pin(async { Err(out_of_time()) })
            }
            fn organization(&self) -> BoxFuture<'_, Result<Vec<Account>, ServiceError>> {
                Box::pin(async { Ok(Vec::new()) })
            }
            fn key_account<'a>(
                &'a self,
                _key: &'a AccessKeyId,
            ) -> BoxFuture<'a, Result<AwsAccountId, ServiceError>> {
                Box::pin(async { Err(out_of_time()) })
            }
            fn enter<'a>(
                &'a self,
                _account: &'a AwsAccountId,
            ) -> BoxFuture<'a, Result<(Slow, Slow), ServiceError>> {
                let slow = || Slow {
                    latency: Duration::from_secs(600),
                    started: AtomicUsize::new(0),
                };
                Box::pin(async move { Ok((slow(), slow())) })
            }
        }
        let begun = Instant::now();
        let fleet = Bounded::new(One, Some(begun + Duration::from_millis(200)));
        let account = AwsAccountId::parse("111122223333").unwrap();
        let (_, vault) = fleet.enter(&account).await.unwrap();
        assert_eq!(vault.store("n", &secret()).await, Err(out_of_time()));
        assert!(begun.elapsed() < Duration::from_secs(60));
    }
}
