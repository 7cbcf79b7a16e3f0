//! Several AWS accounts on one moto_server, and what the strict proxy adds for STS and
//! Organizations.
//!
//! What moto 5.2.1 does (checked against the installed server):
//! - `sts:AssumeRole` into `arn:aws:iam::<X>:role/...` answers credentials (`ASIA…`) that act
//!   in account X for every later call; the role need not exist and its trust policy is never
//!   read (lax: the proxy refuses, as STS does, with `AccessDenied`).
//! - `sts:GetAccessKeyInfo` answers the account of the IAM user owning the key, searched over
//!   every account, and the caller's account for a key it does not know.
//! - Lax: `iam:GetAccessKeyLastUsed` finds a key of *any* account; the proxy answers
//!   `NoSuchEntity` for a key of another account than the caller's (the stricter assumption:
//!   keywarden must prove the account with `GetAccessKeyInfo`, not with this).
//! - `organizations:ListAccounts` pages with `MaxResults`/`NextToken`; the proxy can impose a
//!   page size so a few accounts make several pages.

use std::collections::HashMap;

use aws_sdk_iam::Client;

use super::moto::iam_client;

/// moto's default account: the credentials `testing` act in it.
pub const HOME: &str = "123456789012";

/// The principal keywarden runs as in the tests (the daily function's role in production).
pub const CALLER_ARN: &str = "arn:aws:iam::123456789012:role/keywarden-daily";

/// A trust policy that lets `principal` assume the role, optionally with an external ID.
pub fn trust_policy(principal: &str, external_id: Option<&str>) -> String {
    let condition = external_id
        .map(|id| format!(r#","Condition":{{"StringEquals":{{"sts:ExternalId":"{id}"}}}}"#))
        .unwrap_or_default();
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"{principal}"}},"Action":"sts:AssumeRole"{condition}}}]}}"#
    )
}

/// STS credentials from moto acting in `account` (set-up only: moto asks no role of them).
pub async fn account_credentials(moto: &str, account: &str) -> (String, String) {
    let sts = sts_client(moto, "testing", "testing");
    let out = sts
        .assume_role()
        .role_arn(format!("arn:aws:iam::{account}:role/test-setup"))
        .role_session_name("test-setup")
        .send()
        .await
        .expect("moto AssumeRole for set-up");
    let c = out.credentials.expect("credentials");
    (c.access_key_id, c.secret_access_key)
}

/// An IAM client acting in `account` on moto directly (set-up and inspection).
pub async fn account_iam(moto: &str, account: &str) -> Client {
    if account == HOME {
        return iam_client(moto);
    }
    let (key, secret) = account_credentials(moto, account).await;
    client_with(moto, &key, &secret)
}

/// An IAM client on `endpoint` signing with these credentials.
pub fn client_with(endpoint: &str, key: &str, secret: &str) -> Client {
    let config = aws_sdk_iam::Config::builder()
        .behavior_version(aws_sdk_iam::config::BehaviorVersion::latest())
        .region(aws_sdk_iam::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_iam::config::Credentials::new(
            key, secret, None, None, "tests",
        ))
        .endpoint_url(endpoint)
        .http_client(keywarden::adapters::aws::http_client())
        .build();
    Client::from_conf(config)
}

pub fn sts_client(endpoint: &str, key: &str, secret: &str) -> aws_sdk_sts::Client {
    let config = aws_sdk_sts::Config::builder()
        .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
        .region(aws_sdk_sts::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_sts::config::Credentials::new(
            key, secret, None, None, "tests",
        ))
        .endpoint_url(endpoint)
        .http_client(keywarden::adapters::aws::http_client())
        .build();
    aws_sdk_sts::Client::from_conf(config)
}

/// Creates the member role `<path><name>` in `account`, trusting `principal`.
pub async fn create_member_role(
    moto: &str,
    account: &str,
    path: &str,
    name: &str,
    principal: &str,
    external_id: Option<&str>,
) {
    account_iam(moto, account)
        .await
        .create_role()
        .role_name(name)
        .path(path)
        .assume_role_policy_document(trust_policy(principal, external_id))
        .send()
        .await
        .expect("create member role");
}

/// The service a SigV4 request is for (`iam`, `sts`, `organizations`, …) and its access key.
pub fn signing(headers: &axum::http::HeaderMap) -> (String, String) {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let credential = auth
        .split("Credential=")
        .nth(1)
        .and_then(|c| c.split([',', ' ']).next())
        .unwrap_or_default();
    let mut parts = credential.split('/');
    let key = parts.next().unwrap_or_default().to_string();
    let service = parts.nth(2).unwrap_or("iam").to_string();
    (service, key)
}

/// What STS would say of an `AssumeRole`, given the role as moto holds it: `Err` is the
/// message of an `AccessDenied`.
pub async fn assume_role_refusal(
    moto: &str,
    caller_account: &str,
    role_arn: &str,
    external_id: Option<&str>,
) -> Result<(), String> {
    let denied = || {
        format!(
            "User: {CALLER_ARN} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
        )
    };
    let Some(rest) = role_arn.strip_prefix("arn:aws:iam::") else {
        return Err(denied());
    };
    let (account, role) = rest.split_once(":role").ok_or_else(denied)?;
    let name = role.rsplit('/').next().unwrap_or_default();
    let path = &role[..role.len() - name.len()];
    let iam = account_iam(moto, account).await;
    let Ok(found) = iam.get_role().role_name(name).send().await else {
        return Err(denied());
    };
    let Some(found) = found.role else {
        return Err(denied());
    };
    if found.path != path {
        return Err(denied());
    }
    let doc = found.assume_role_policy_document.unwrap_or_default();
    let doc = percent_encoding::percent_decode_str(&doc)
        .decode_utf8_lossy()
        .into_owned();
    let doc: serde_json::Value = serde_json::from_str(&doc).map_err(|_| denied())?;
    let accepted = [
        CALLER_ARN.to_string(),
        format!("arn:aws:iam::{caller_account}:root"),
        caller_account.to_string(),
    ];
    let statements = match &doc["Statement"] {
        serde_json::Value::Array(list) => list.clone(),
        one => vec![one.clone()],
    };
    let trusted = statements.iter().any(|s| {
        let principals: Vec<String> = match &s["Principal"]["AWS"] {
            serde_json::Value::String(p) => vec![p.clone()],
            serde_json::Value::Array(list) => list
                .iter()
                .filter_map(|p| p.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        };
        let wanted = s["Condition"]["StringEquals"]["sts:ExternalId"].as_str();
        s["Effect"] == "Allow"
            && principals.iter().any(|p| accepted.contains(p))
            && wanted.is_none_or(|w| Some(w) == external_id)
    });
    if trusted { Ok(()) } else { Err(denied()) }
}

/// The account that owns `key` as moto's STS says (for the proxy's `GetAccessKeyLastUsed`).
pub async fn key_account(moto: &str, key: &str) -> Option<String> {
    sts_client(moto, "testing", "testing")
        .get_access_key_info()
        .access_key_id(key)
        .send()
        .await
        .ok()?
        .account
}

/// The access key ID inside an `AssumeRole` answer.
pub fn assumed_key(body: &str) -> Option<String> {
    let start = body.find("<AccessKeyId>")? + "<AccessKeyId>".len();
    let end = body[start..].find("</AccessKeyId>")? + start;
    Some(body[start..end].to_string())
}

/// Accounts of the test's Organization, created in moto (their IDs are moto's).
pub async fn create_organization(moto: &str, names: &[&str]) -> HashMap<String, String> {
    let config = aws_sdk_organizations::Config::builder()
        .behavior_version(aws_sdk_organizations::config::BehaviorVersion::latest())
        .region(aws_sdk_organizations::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_organizations::config::Credentials::new(
            "testing", "testing", None, None, "tests",
        ))
        .endpoint_url(moto)
        .http_client(keywarden::adapters::aws::http_client())
        .build();
    let org = aws_sdk_organizations::Client::from_conf(config);
    org.create_organization()
        .send()
        .await
        .expect("create organization");
    let mut ids = HashMap::new();
    for name in names {
        let out = org
            .create_account()
            .account_name(*name)
            .email(format!("{name}@example.com"))
            .send()
            .await
            .expect("create account");
        let id = out
            .create_account_status
            .and_then(|s| s.account_id)
            .expect("account id");
        ids.insert(name.to_string(), id);
    }
    ids
}

/// Closes an Organization account (moto marks it SUSPENDED at once).
pub async fn close_account(moto: &str, id: &str) {
    let config = aws_sdk_organizations::Config::builder()
        .behavior_version(aws_sdk_organizations::config::BehaviorVersion::latest())
        .region(aws_sdk_organizations::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_organizations::config::Credentials::new(
            "testing", "testing", None, None, "tests",
        ))
        .endpoint_url(moto)
        .http_client(keywarden::adapters::aws::http_client())
        .build();
    aws_sdk_organizations::Client::from_conf(config)
        .close_account()
        .account_id(id)
        .send()
        .await
        .expect("close account");
}
