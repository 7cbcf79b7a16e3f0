//! Secrets by name from AWS Secrets Manager, so that on Lambda the Slack token and the Google
//! key never sit in plain environment variables.

use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::error::{DisplayErrorContext, ProvideErrorMetadata};

use super::{ServiceError, Vault};
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
