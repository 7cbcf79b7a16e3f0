//! The AWS accounts of docs/rules.md §10 through STS and Organizations: the home account
//! (`GetCallerIdentity`), the Organization's active accounts (`ListAccounts`, every page), the
//! account a key belongs to (`GetAccessKeyInfo`), and IAM + Secrets Manager clients acting in
//! another account through aws-config's assume-role provider (credentials cached and renewed
//! before they expire by the SDK's identity cache). Every client is built from the one
//! [`aws::load`](super::aws::load) configuration, so `AWS_ENDPOINT_URL_<SERVICE>` holds for all.

use aws_config::identity::IdentityCache;
use aws_config::sts::AssumeRoleProvider;
use aws_sdk_sts::config::{ProvideCredentials, SharedCredentialsProvider};
use aws_sdk_sts::error::{DisplayErrorContext, ProvideErrorMetadata};
use futures::future::BoxFuture;

use super::iam::AwsIam;
use super::secrets::SecretsManager;
use super::{Fleet, ServiceError};
use crate::configuration::AccountSettings;
use crate::core::domain::{AccessKeyId, Account, AwsAccountId};

/// How long an assumed session lasts; the identity cache renews it before it ends.
const SESSION: std::time::Duration = std::time::Duration::from_secs(3600);

pub struct AwsAccounts {
    base: aws_config::SdkConfig,
    sts: aws_sdk_sts::Client,
    organizations: aws_sdk_organizations::Client,
    settings: AccountSettings,
    session_name: String,
}

impl AwsAccounts {
    /// `today` names the sessions (`keywarden-2026-11-30`), so CloudTrail shows which run acted.
    pub fn new(
        base: &aws_config::SdkConfig,
        settings: &AccountSettings,
        today: chrono::NaiveDate,
    ) -> Self {
        AwsAccounts {
            base: base.clone(),
            sts: aws_sdk_sts::Client::new(base),
            organizations: aws_sdk_organizations::Client::new(base),
            settings: settings.clone(),
            session_name: format!("keywarden-{}", today.format("%Y-%m-%d")),
        }
    }

    async fn home(&self) -> Result<AwsAccountId, ServiceError> {
        let out = self
            .sts
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| sts_failed("GetCallerIdentity", e))?;
        parse_id(out.account(), "GetCallerIdentity")
    }

    async fn organization(&self) -> Result<Vec<Account>, ServiceError> {
        let mut pages = self.organizations.list_accounts().into_paginator().send();
        let mut accounts = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| {
                classify(
                    e.code(),
                    format!(
                        "Organizations ListAccounts failed: {} (KEYWARDEN_ACCOUNTS=organization \
                         needs organizations:ListAccounts in the management account or a \
                         delegated administrator)",
                        DisplayErrorContext(&e)
                    ),
                )
            })?;
            for a in page.accounts() {
                if !is_active(a) {
                    continue;
                }
                accounts.push(Account {
                    id: parse_id(a.id(), "ListAccounts")?,
                    alias: a.name().filter(|n| !n.trim().is_empty()).map(Into::into),
                });
            }
        }
        Ok(accounts)
    }

    async fn key_account(&self, key: &AccessKeyId) -> Result<AwsAccountId, ServiceError> {
        let out = self
            .sts
            .get_access_key_info()
            .access_key_id(key.as_str())
            .send()
            .await
            .map_err(|e| sts_failed("GetAccessKeyInfo", e))?;
        parse_id(out.account(), "GetAccessKeyInfo")
    }

    /// Assumes the role and proves it with the first credentials, so that an account that
    /// cannot be entered fails here, once, with STS's reason.
    async fn enter(
        &self,
        account: &AwsAccountId,
    ) -> Result<(AwsIam, SecretsManager), ServiceError> {
        let arn = self.settings.role_arn(account);
        let mut builder = AssumeRoleProvider::builder(&arn)
            .session_name(&self.session_name)
            .session_length(SESSION)
            .configure(&self.base);
        if let Some(id) = &self.settings.external_id {
            builder = builder.external_id(id.expose());
        }
        let provider = builder.build().await;
        let first = match provider.provide_credentials().await {
            Ok(credentials) => credentials,
            Err(e) => {
                return Err(ServiceError::AccessDenied(format!(
                    "cannot assume {arn}: {} (deploy the member role in that account, trusting this \
                 function's role{}; a suspended or closed account cannot be entered)",
                    sts_reason(&e),
                    if self.settings.external_id.is_some() {
                        ", with the same external ID"
                    } else {
                        ""
                    }
                )));
            }
        };
        let provider = Primed {
            first: std::sync::Mutex::new(Some(first)),
            provider,
        };
        // Its own cache: credentials of one account are never handed to another's clients.
        let config = self
            .base
            .to_builder()
            .credentials_provider(SharedCredentialsProvider::new(provider))
            .identity_cache(IdentityCache::lazy().build())
            .build();
        Ok((AwsIam::new(&config), SecretsManager::new(&config)))
    }
}

impl Fleet<AwsIam, SecretsManager> for AwsAccounts {
    fn home(&self) -> BoxFuture<'_, Result<AwsAccountId, ServiceError>> {
        Box::pin(AwsAccounts::home(self))
    }

    fn organization(&self) -> BoxFuture<'_, Result<Vec<Account>, ServiceError>> {
        Box::pin(AwsAccounts::organization(self))
    }

    fn key_account<'a>(
        &'a self,
        key: &'a AccessKeyId,
    ) -> BoxFuture<'a, Result<AwsAccountId, ServiceError>> {
        Box::pin(AwsAccounts::key_account(self, key))
    }

    fn enter<'a>(
        &'a self,
        account: &'a AwsAccountId,
    ) -> BoxFuture<'a, Result<(AwsIam, SecretsManager), ServiceError>> {
        Box::pin(AwsAccounts::enter(self, account))
    }
}

/// The assumed role's provider, handing out the credentials that proved the role first (so
/// the role is assumed once per account and run, not twice); renewals go to STS.
#[derive(Debug)]
struct Primed {
    first: std::sync::Mutex<Option<aws_sdk_sts::config::Credentials>>,
    provider: AssumeRoleProvider,
}

impl ProvideCredentials for Primed {
    fn provide_credentials<'a>(
        &'a self,
    ) -> aws_credential_types::provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        match self.first.lock().map(|mut f| f.take()) {
            Ok(Some(credentials)) => {
                aws_credential_types::provider::future::ProvideCredentials::ready(Ok(credentials))
            }
            _ => self.provider.provide_credentials(),
        }
    }
}

/// `State` is the current field; `Status` the older one some answers still carry alone.
fn is_active(a: &aws_sdk_organizations::types::Account) -> bool {
    use aws_sdk_organizations::types::{AccountState, AccountStatus};
    match (a.state(), a.status()) {
        (Some(state), _) => *state == AccountState::Active,
        (None, Some(status)) => *status == AccountStatus::Active,
        (None, None) => false,
    }
}

/// STS's own code and message inside a credentials error, else the whole chain.
fn sts_reason(e: &aws_credential_types::provider::error::CredentialsError) -> String {
    use aws_sdk_sts::config::http::HttpResponse;
    use aws_sdk_sts::operation::assume_role::AssumeRoleError;
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if let Some(sdk) =
            err.downcast_ref::<aws_sdk_sts::error::SdkError<AssumeRoleError, HttpResponse>>()
            && let Some(code) = sdk.code()
        {
            return format!("{code}: {}", sdk.message().unwrap_or_default());
        }
        source = err.source();
    }
    DisplayErrorContext(e).to_string()
}

fn parse_id(id: Option<&str>, op: &str) -> Result<AwsAccountId, ServiceError> {
    AwsAccountId::parse(id.unwrap_or_default())
        .map_err(|e| ServiceError::Invalid(format!("STS/Organizations {op} answered {e}")))
}

fn sts_failed<E, R>(op: &str, e: aws_sdk_sts::error::SdkError<E, R>) -> ServiceError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
    aws_sdk_sts::error::SdkError<E, R>: ProvideErrorMetadata,
{
    classify(
        e.code(),
        format!("STS {op} failed: {}", DisplayErrorContext(&e)),
    )
}

fn classify(code: Option<&str>, message: String) -> ServiceError {
    match code {
        Some(
            "AccessDenied"
            | "AccessDeniedException"
            | "AWSOrganizationsNotInUseException"
            | "InvalidClientTokenId"
            | "ExpiredToken"
            | "SignatureDoesNotMatch",
        ) => ServiceError::AccessDenied(message),
        Some("Throttling" | "ThrottlingException" | "TooManyRequestsException") => {
            ServiceError::Throttled(message)
        }
        _ => ServiceError::Unavailable(message),
    }
}
