//! The one AWS configuration shared by IAM and Secrets Manager: the standard credential chain,
//! `AWS_ENDPOINT_URL_<SERVICE>` honoured, throttling and 5xx retried by the SDK.

use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::Region;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_smithy_http_client::tls;

/// The SDK's HTTP(S) client on rustls with ring, like the Slack and Google clients, so that
/// aws-lc-rs (the SDK's default) is not compiled in. Also for clients configured elsewhere.
pub fn http_client() -> aws_sdk_iam::config::SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https()
}

/// IAM is global: without a configured region the SDK still needs one to sign, so `us-east-1`
/// is the fallback. The loader resolves the region itself (environment, profile, IMDS) with
/// the client above; only when it finds none is the configuration loaded again with the fallback.
pub async fn load() -> aws_config::SdkConfig {
    let loader = || {
        aws_config::defaults(BehaviorVersion::latest())
            .http_client(http_client())
            .retry_config(RetryConfig::standard().with_max_attempts(5))
            .timeout_config(
                TimeoutConfig::builder()
                    .operation_attempt_timeout(Duration::from_secs(20))
                    .operation_timeout(Duration::from_secs(90))
                    .build(),
            )
    };
    let config = loader().load().await;
    if config.region().is_some() {
        return config;
    }
    loader().region(Region::new("us-east-1")).load().await
}
