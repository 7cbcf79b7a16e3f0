//! What the endpoint needs to rule on a key request (docs/rules.md §12 step 2) beyond the
//! sheet: issuance's settings and the AWS accounts a request may name. A request's ID holds
//! its account's 12 digits, so the endpoint must know the accounts as the run does: the home
//! account (STS, asked once and kept: it never changes) and `KEYWARDEN_ACCOUNTS` (listed, or
//! the Organization's accounts, asked at each click: an account added since must count).

use std::marker::PhantomData;

use futures::future::BoxFuture;

use crate::adapters::{Fleet, ServiceError};
use crate::core::domain::{Accounts, AccountsSetting, AwsAccountId, ProtectedUser};
use crate::core::issue::IssueSettings;

/// Key issuance as the endpoint sees it; without it the buttons are answered "not enabled".
pub struct Issuance {
    /// `KEYWARDEN_ISSUE_*`.
    pub settings: IssueSettings,
    /// `KEYWARDEN_PROTECTED_USERS`: a request for one of them is not valid.
    pub protected: Vec<ProtectedUser>,
    /// The accounts a request may name.
    pub accounts: Box<dyn AccountSource>,
}

/// The run's accounts, the home account first.
pub trait AccountSource: Send + Sync {
    fn accounts(&self) -> BoxFuture<'_, Result<Accounts, ServiceError>>;
}

/// Fixed accounts (tests, the demo).
impl AccountSource for Accounts {
    fn accounts(&self) -> BoxFuture<'_, Result<Accounts, ServiceError>> {
        Box::pin(async move { Ok(self.clone()) })
    }
}

/// The accounts asked of AWS, as the run asks them.
pub struct FleetAccounts<F, I, V> {
    fleet: F,
    setting: AccountsSetting,
    home: tokio::sync::OnceCell<AwsAccountId>,
    _clients: PhantomData<fn() -> (I, V)>,
}

impl<F, I, V> FleetAccounts<F, I, V> {
    pub fn new(fleet: F, setting: AccountsSetting) -> Self {
        FleetAccounts {
            fleet,
            setting,
            home: tokio::sync::OnceCell::new(),
            _clients: PhantomData,
        }
    }
}

impl<F: Fleet<I, V> + Send, I, V> AccountSource for FleetAccounts<F, I, V> {
    fn accounts(&self) -> BoxFuture<'_, Result<Accounts, ServiceError>> {
        Box::pin(async move {
            let home = *self
                .home
                .get_or_try_init(|| self.fleet.home())
                .await
                .map_err(|e| {
                    ServiceError::Unavailable(format!(
                        "cannot tell which AWS account keywarden's own credentials are in \
                         (sts:GetCallerIdentity): {e}"
                    ))
                })?;
            let others = match &self.setting {
                AccountsSetting::HomeOnly => Vec::new(),
                AccountsSetting::Listed(list) => list.clone(),
                AccountsSetting::Organization => self.fleet.organization().await?,
            };
            Ok(Accounts::new(home, others))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::HomeOnly;
    use crate::core::domain::Account;

    fn id(s: &str) -> AwsAccountId {
        AwsAccountId::parse(s).unwrap()
    }

    #[tokio::test]
    async fn the_home_account_and_the_listed_ones() {
        let listed = vec![Account {
            id: id("123456789012"),
            alias: Some("本番".into()),
        }];
        let source: FleetAccounts<_, (), ()> = FleetAccounts::new(
            HomeOnly(Some(id("111111111111"))),
            AccountsSetting::Listed(listed),
        );
        let accounts = source.accounts().await.unwrap();
        assert_eq!(accounts.home().id, id("111111111111"));
        assert!(accounts.get(&id("123456789012")).is_some());
    }

    #[tokio::test]
    async fn an_unknown_home_account_is_an_error_that_says_what_was_asked() {
        let source: FleetAccounts<_, (), ()> =
            FleetAccounts::new(HomeOnly(None), AccountsSetting::HomeOnly);
        let e = source.accounts().await.unwrap_err();
        assert!(e.to_string().contains("sts:GetCallerIdentity"), "{e}");
    }
}
