//! The one AWS configuration shared by IAM and Secrets Manager: the standard credential chain,
//! `AWS_ENDPOINT_URL_<SERVICE>` honoured, throttling and 5xx retried by the SDK.

use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::Region;
use aws_config::environment::EnvironmentVariableRegionProvider;
use aws_config::meta::region::RegionProviderChain;
use aws_config::profile::ProfileFileRegionProvider;
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

/// IAM is global: the region only signs its requests (and places Secrets Manager, whose
/// region Lambda always sets). It comes from `AWS_REGION` / `AWS_DEFAULT_REGION` or the profile,
/// else `us-east-1`; instance metadata is never asked for it: off EC2 that probe waits on a
/// timeout and logs a long warning on every run (credentials may still come from it).
///
/// No single attempt can hang (3.1 s to connect, the SDK's default, and 20 s an attempt), and no
/// operation, retries included, takes more than 90 s. Inside Lambda every call of the run is
/// also held to the invocation's deadline less its margin ([`super::bounded::Bounded`]).
pub async fn load() -> aws_config::SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .http_client(http_client())
        .region(region())
        .retry_config(RetryConfig::standard().with_max_attempts(5))
        .timeout_config(
            TimeoutConfig::builder()
                .operation_attempt_timeout(Duration::from_secs(20))
                .operation_timeout(Duration::from_secs(90))
                .build(),
        )
        .load()
        .await
}

/// The region chain without IMDS: environment, profile, then `us-east-1`.
fn region() -> RegionProviderChain {
    RegionProviderChain::first_try(EnvironmentVariableRegionProvider::new())
        .or_else(ProfileFileRegionProvider::new())
        .or_else(Region::new("us-east-1"))
}
