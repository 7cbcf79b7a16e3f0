//! Secrets by name from AWS Secrets Manager, so that on Lambda the Slack token and the Google
//! key never sit in plain environment variables.

use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::error::{DisplayErrorContext, ProvideErrorMetadata};

use aws_sdk_secretsmanager::types::Tag;

use super::{ServiceError, StepResult, Vault};
use crate::core::domain::Secret;

/// Cheap to clone: the SDK client is shared.
#[derive(Clone)]
pub struct SecretsManager {
    client: Client,
}

impl SecretsManager {
    pub fn new(config: &aws_config::SdkConfig) -> Self {
        SecretsManager {
            client: Client::new(config),
        }
    }

    /// The secret's current `SecretString`. Errors name the secret, never its value.
    pub async fn fetch(&self, name: &str) -> Result<Secret, ServiceError> {
        let out = self.client.get_secret_value().secret_id(name).send().await.map_err(|e| {
            ServiceError::NotFound(format!(
                "cannot read secret \"{name}\" from AWS Secrets Manager: {} (check its name and \
                 secretsmanager:GetSecretValue on it)",
                DisplayErrorContext(&e)
            ))
        })?;
        out.secret_string.map(Secret::new).ok_or_else(|| {
            ServiceError::Invalid(format!(
                "secret \"{name}\" has no SecretString: store the value as text"
            ))
        })
    }
}

impl Vault for SecretsManager {
    async fn store(&self, name: &str, value: &Secret) -> Result<(), ServiceError> {
        let put = self
            .client
            .put_secret_value()
            .secret_id(name)
            .secret_string(value.expose())
            .send()
            .await;
        match put {
            Ok(_) => Ok(()),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_resource_not_found_exception()) =>
            {
                self.client
                    .create_secret()
                    .name(name)
                    .secret_string(value.expose())
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| {
                        ServiceError::Unavailable(format!(
                            "cannot create secret \"{name}\": {}",
                            DisplayErrorContext(&e)
                        ))
                    })
            }
            Err(e) => Err(ServiceError::Unavailable(format!(
                "cannot store secret \"{name}\": {}",
                DisplayErrorContext(&e)
            ))),
        }
    }

    async fn secret_tag(
        &self,
        name: &str,
        key: &str,
    ) -> Result<Option<Option<String>>, ServiceError> {
        match self.client.describe_secret().secret_id(name).send().await {
            Ok(out) => Ok(Some(
                out.tags
                    .unwrap_or_default()
                    .into_iter()
                    .find(|t| t.key.as_deref() == Some(key))
                    .and_then(|t| t.value),
            )),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_resource_not_found_exception()) =>
            {
                Ok(None)
            }
            Err(e) => Err(classified("describe", name, e)),
        }
    }

    async fn create_tagged(
        &self,
        name: &str,
        value: &Secret,
        tags: &[(String, String)],
    ) -> Result<(), ServiceError> {
        let tags = tags
            .iter()
            .map(|(k, v)| Tag::builder().key(k).value(v).build())
            .collect();
        self.client
            .create_secret()
            .name(name)
            .secret_string(value.expose())
            .set_tags(Some(tags))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| classified("create", name, e))
    }

    async fn put_policy(&self, name: &str, policy: &str) -> Result<(), ServiceError> {
        self.client
            .put_resource_policy()
            .secret_id(name)
            .resource_policy(policy)
            .block_public_policy(true)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| classified("set the resource policy of", name, e))
    }

    async fn force_delete(&self, name: &str) -> Result<StepResult, ServiceError> {
        match self
            .client
            .delete_secret()
            .secret_id(name)
            .force_delete_without_recovery(true)
            .send()
            .await
        {
            Ok(_) => Ok(StepResult::Done),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_resource_not_found_exception()) =>
            {
                Ok(StepResult::AlreadyGone)
            }
            Err(e) => Err(classified("delete", name, e)),
        }
    }

    async fn read(&self, name: &str) -> Result<Option<Secret>, ServiceError> {
        match self.client.get_secret_value().secret_id(name).send().await {
            Ok(out) => out.secret_string.map(Secret::new).map(Some).ok_or_else(|| {
                ServiceError::Invalid(format!("secret \"{name}\" has no SecretString"))
            }),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_resource_not_found_exception()) =>
            {
                Ok(None)
            }
            Err(e) => {
                let message = format!("cannot read secret \"{name}\": {}", DisplayErrorContext(&e));
                Err(match e.code() {
                    Some("AccessDeniedException") => ServiceError::AccessDenied(message),
                    _ => ServiceError::Unavailable(message),
                })
            }
        }
    }
}

/// A Secrets Manager error as a [`ServiceError`]: the operation and the secret's name, never
/// its value (no call here carries the value in its error).
fn classified<E, R>(
    what: &str,
    name: &str,
    e: aws_sdk_secretsmanager::error::SdkError<E, R>,
) -> ServiceError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    let code = e.code().map(str::to_string);
    let message = format!(
        "cannot {what} secret \"{name}\": {}",
        DisplayErrorContext(&e)
    );
    match code.as_deref() {
        Some("AccessDeniedException") => ServiceError::AccessDenied(message),
        Some("ResourceNotFoundException") => ServiceError::NotFound(message),
        Some("ResourceExistsException") => ServiceError::Conflict(message),
        Some("ThrottlingException") => ServiceError::Throttled(message),
        _ => ServiceError::Unavailable(message),
    }
}
