//! A `moto_server` child process, and `StrictIam`, a recording reverse proxy in front of it
//! that refuses what real IAM refuses but moto 5.2.1 lets through.
//!
//! What moto 5.2.1 does, checked against the installed server ("lax" marks where it is more
//! permissive than IAM, which the proxy corrects):
//! - `DeleteUser` is refused (409 `DeleteConflict`) only while the user has attached managed
//!   policies ("must detach all policies first") or inline policies ("must delete policies
//!   first"). Lax: it succeeds while the user still has access keys, a login profile, MFA
//!   devices, group memberships, SSH public keys or signing certificates, and leaves them
//!   dangling (the group still lists the deleted user, the virtual MFA device still names it).
//! - Lax: `DeletePolicy` succeeds while the policy is attached or has non-default versions;
//!   the user then keeps a reference to the deleted policy, so `DetachUserPolicy` answers 404
//!   and `DeleteUser` 409 forever after.
//! - Lax: `ListEntitiesForPolicy` on an unknown policy answers an empty list (IAM: 404).
//! - Lax: `DeleteVirtualMFADevice` deletes a device that is still enabled for a user.
//! - Missing: `ListServiceSpecificCredentials` and `DeleteServiceSpecificCredential` are not
//!   implemented (HTTP 500, HTML body, `NotImplementedError` in the server log).
//! - "Already gone" is HTTP 404 `NoSuchEntity` everywhere keywarden cares about: `GetUser`,
//!   `ListAccessKeys` of an unknown user, `GetLoginProfile`/`DeleteLoginProfile` without a
//!   profile ("Login profile for U not found"), `DeleteAccessKey`, `DeactivateMFADevice`,
//!   `DeleteVirtualMFADevice`, `DeleteUserPolicy`, `DetachUserPolicy` (policy not attached),
//!   `RemoveUserFromGroup`, `DeleteSSHPublicKey`, `DeleteSigningCertificate`, `GetPolicy`,
//!   `DeletePolicy`, `ListPolicyVersions`.
//! - Virtual MFA serials are `arn:aws:iam::123456789012:mfa/<path><name>` (the path is part of
//!   the serial, e.g. `mfa/keywarden/alice-phone`); the account is always 123456789012.
//! - At most 2 access keys per user (`LimitExceeded`), as in IAM. `EnableMFADevice` accepts
//!   any two codes. `UploadSSHPublicKey` does not validate the key body (IAM does);
//!   `UploadSigningCertificate` does (`MalformedCertificate`).
//! - The SigV4 signature is not checked, so forwarding a signed request unchanged works.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_iam::Client;
use aws_sdk_iam::error::ProvideErrorMetadata;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use keywarden::adapters::Iam;
use keywarden::adapters::iam::AwsIam;
use keywarden::core::teardown::dependents;

use super::{
    ServerHandle, free_port, http, http_client, parse_query, request_id, self_signed_cert, serve,
    ssh_public_key, xml_escape,
};

const IAM_NS: &str = "https://iam.amazonaws.com/doc/2010-05-08/";

/// The proxy's plain HTTP client to moto.
type HyperClient = hyper_util::client::legacy::Client<HttpConnector, Full<Bytes>>;
const INSTALL_HINT: &str = "python3 -m venv .venv && .venv/bin/pip install 'moto[server]==5.2.1' \
     (or put moto_server on PATH, or set MOTO_SERVER=/path/to/moto_server)";

/// A running `moto_server`, killed when dropped (also when the test panics).
pub struct Moto {
    child: Child,
    port: u16,
    log: tempfile::NamedTempFile,
}

impl Moto {
    /// Starts `moto_server -H 127.0.0.1 -p <free port>` and waits (at most ~20 s) until it
    /// answers HTTP.
    pub async fn start() -> Moto {
        let program = moto_server_program();
        let mut last_log = String::new();
        for _attempt in 0..5 {
            let port = free_port();
            let log = tempfile::NamedTempFile::new().expect("moto log file");
            let child = Command::new(&program)
                .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                .stdin(Stdio::null())
                .stdout(log.reopen().expect("log handle"))
                .stderr(log.reopen().expect("log handle"))
                .spawn()
                .unwrap_or_else(|e| {
                    panic!(
                        "cannot run {}: {e}. Install it: {INSTALL_HINT}",
                        program.display()
                    )
                });
            let mut moto = Moto { child, port, log };
            match moto.wait_ready().await {
                Ok(()) => return moto,
                // Another process took the port between our probe and moto's bind: retry.
                Err(log) if log.contains("Address already in use") => last_log = log,
                Err(log) => panic!(
                    "moto_server ({}) did not start on port {port}:\n{log}\nInstall: {INSTALL_HINT}",
                    program.display()
                ),
            }
        }
        panic!("moto_server could not find a free port:\n{last_log}");
    }

    /// `http://127.0.0.1:PORT`
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// What moto printed so far (for diagnosing a failing test).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log.path()).unwrap_or_default()
    }

    async fn wait_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(20);
        let url = format!("{}/moto-api/data.json", self.endpoint());
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("exited with {status}:\n{}", self.log()));
            }
            let probe = tokio::time::timeout(Duration::from_secs(2), async {
                let request = axum::http::Request::get(&url)
                    .body(Full::new(Bytes::new()))
                    .unwrap();
                http_client().request(request).await
            });
            if let Ok(Ok(response)) = probe.await
                && response.status().is_success()
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!("no answer within 20 s:\n{}", self.log()))
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn moto_server_program() -> PathBuf {
    if let Some(path) = std::env::var_os("MOTO_SERVER") {
        return PathBuf::from(path);
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/moto_server");
    if venv.exists() {
        return venv;
    }
    PathBuf::from("moto_server")
}

/// An IAM client for test set-up and inspection: static `testing` credentials, us-east-1,
/// no profile files, no IMDS.
pub fn iam_client(endpoint: &str) -> Client {
    let config = aws_sdk_iam::Config::builder()
        .behavior_version(aws_sdk_iam::config::BehaviorVersion::latest())
        .region(aws_sdk_iam::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_iam::config::Credentials::new(
            "testing",
            "testing",
            None,
            None,
            "keywarden-tests",
        ))
        .endpoint_url(endpoint)
        .http_client(keywarden::adapters::aws::http_client())
        .build();
    Client::from_conf(config)
}

/// One IAM call that went through the proxy.
#[derive(Debug, Clone)]
pub struct IamCall {
    pub action: String,
    /// Form parameters other than `Action` and `Version`, in order.
    pub params: Vec<(String, String)>,
    /// HTTP status the client got.
    pub status: u16,
    /// When the call arrived, before the proxy's own `delay`.
    pub at: Instant,
    /// When its answer left.
    pub done: Instant,
}

impl IamCall {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

struct Fault {
    status: u16,
    code: String,
    times: usize,
}

struct ProxyState {
    moto: String,
    inner: Client,
    /// [`moto_plus`]'s endpoint: what the proxy's `DeleteUser` rule reads through keywarden's
    /// own IAM adapter.
    plus: String,
    forward: HyperClient,
    calls: Mutex<Vec<IamCall>>,
    faults: Mutex<HashMap<String, Fault>>,
    /// Added to every forwarded call, like the round trip to AWS (benchmarks).
    delay: Mutex<std::time::Duration>,
    /// Latency of the calls of one action (IAM, STS or Organizations), instead of `delay`.
    slow: Mutex<HashMap<String, std::time::Duration>>,
    /// STS, Organizations and Secrets Manager calls, apart from IAM's (docs/rules.md §10).
    other_calls: Mutex<Vec<IamCall>>,
    /// Access keys of assumed-role sessions, by the account they act in.
    assumed: Mutex<HashMap<String, String>>,
    /// Imposed `MaxResults` for Organizations `ListAccounts`.
    org_page_size: Mutex<Option<u32>>,
}

/// The recording, strict proxy. Point keywarden's `AWS_ENDPOINT_URL_IAM` at `endpoint()`.
pub struct StrictIam {
    state: Arc<ProxyState>,
    port: u16,
    _server: ServerHandle,
    _plus: ServerHandle,
}

impl StrictIam {
    pub async fn start(moto_endpoint: &str) -> StrictIam {
        let moto = moto_endpoint.trim_end_matches('/').to_string();
        let plus = Router::new()
            .fallback(moto_plus)
            .with_state(Arc::new(MotoPlus {
                moto: moto.clone(),
                forward: http_client(),
            }));
        let plus = serve(plus).await;
        let state = Arc::new(ProxyState {
            moto,
            inner: iam_client(moto_endpoint),
            plus: format!("http://{}", plus.addr),
            forward: http_client(),
            calls: Mutex::new(Vec::new()),
            faults: Mutex::new(HashMap::new()),
            delay: Mutex::new(std::time::Duration::ZERO),
            slow: Mutex::new(HashMap::new()),
            other_calls: Mutex::new(Vec::new()),
            assumed: Mutex::new(HashMap::new()),
            org_page_size: Mutex::new(None),
        });
        let router = Router::new().fallback(proxy).with_state(state.clone());
        let server = serve(router).await;
        StrictIam {
            state,
            port: server.addr.port(),
            _server: server,
            _plus: plus,
        }
    }

    /// `http://127.0.0.1:PORT`
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn calls(&self) -> Vec<IamCall> {
        self.state.calls.lock().unwrap().clone()
    }

    /// Action names in call order, e.g. `["GetUser", "ListAccessKeys", ...]`.
    pub fn actions(&self) -> Vec<String> {
        self.calls().into_iter().map(|c| c.action).collect()
    }

    /// STS and Organizations calls through the proxy, as `sts:AssumeRole`,
    /// `organizations:ListAccounts`, … (never in [`Self::calls`]).
    pub fn other_calls(&self) -> Vec<IamCall> {
        self.state.other_calls.lock().unwrap().clone()
    }

    pub fn other_actions(&self) -> Vec<String> {
        self.other_calls().into_iter().map(|c| c.action).collect()
    }

    /// The account an IAM call acted in (by its signing key).
    pub fn account_of(&self, call: &IamCall) -> String {
        call.param("__account")
            .unwrap_or(super::moto_accounts::HOME)
            .to_string()
    }

    /// Organizations answers `ListAccounts` at most `n` accounts a page.
    pub fn org_page_size(&self, n: u32) {
        *self.state.org_page_size.lock().unwrap() = Some(n);
    }

    /// Calls that changed something (everything but `Get*`/`List*`).
    pub fn mutations(&self) -> Vec<IamCall> {
        self.calls()
            .into_iter()
            .filter(|c| !c.action.starts_with("Get") && !c.action.starts_with("List"))
            .collect()
    }

    /// The next `times` calls of `action` get HTTP `status` with IAM error `code`
    /// (e.g. `(400, "Throttling")`, `(500, "ServiceFailure")`) without reaching moto.
    pub fn delay(&self, latency: std::time::Duration) {
        *self.state.delay.lock().unwrap() = latency;
    }

    /// Every later call of `action` (`DeleteLoginProfile`, `GetAccessKeyInfo`, `AssumeRole`,
    /// …) is answered only after `latency`, whatever [`Self::delay`] says: a call that hangs.
    pub fn slow(&self, action: &str, latency: std::time::Duration) {
        self.state
            .slow
            .lock()
            .unwrap()
            .insert(action.to_string(), latency);
    }

    pub fn fail_next(&self, action: &str, status: u16, code: &str, times: usize) {
        self.state.faults.lock().unwrap().insert(
            action.to_string(),
            Fault {
                status,
                code: code.to_string(),
                times,
            },
        );
    }
}

async fn proxy(
    State(st): State<Arc<ProxyState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let at = Instant::now();
    let delay = st
        .slow
        .lock()
        .unwrap()
        .get(&action_of(&uri, &headers, &body))
        .copied()
        .unwrap_or(*st.delay.lock().unwrap());
    tokio::time::sleep(delay).await;
    let (service, key) = super::moto_accounts::signing(&headers);
    // Secrets Manager through the proxy too (when a test points it here): recorded apart,
    // and open to injected faults (key issuance's failed secret store, docs/rules.md §12).
    if service == "sts" || service == "organizations" || service == "secretsmanager" {
        return other_service(&st, &service, method, &uri, headers, body, at).await;
    }
    let caller_account = st
        .assumed
        .lock()
        .unwrap()
        .get(&key)
        .cloned()
        .unwrap_or_else(|| super::moto_accounts::HOME.to_string());
    // The proxy's own reads act in the caller's account, as the call does.
    let inner = if caller_account == super::moto_accounts::HOME {
        st.inner.clone()
    } else {
        super::moto_accounts::client_with(&st.moto, &key, "x")
    };
    // AWS query protocol: `Action=...&Version=...&...` in a form body (or the query string).
    let mut pairs = parse_query(uri.query().unwrap_or(""));
    pairs.extend(parse_query(&String::from_utf8_lossy(&body)));
    let first = |pairs: &[(String, String)], name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let action = first(&pairs, "Action");
    // IAM does not tell user names apart by case (moto does): `Tanaka-S3` is `tanaka-s3`.
    let (pairs, body) = match canonical_user(&inner, &action, &first(&pairs, "UserName")).await {
        Some(name) => rename_user(pairs, &name),
        None => (pairs, body),
    };
    let params: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, _)| k != "Action" && k != "Version")
        .cloned()
        .collect();
    let param = |name: &str| first(&params, name);

    let response = if let Some((status, code)) = take_fault(&st, &action) {
        iam_error(status, &code, "Injected fault.")
    } else {
        let refusal = match action.as_str() {
            "DeleteUser" => {
                let (_, key) = super::moto_accounts::signing(&headers);
                let reader = super::moto_accounts::client_with(&st.plus, &key, "x");
                user_conflict(reader, &param("UserName")).await
            }
            "DeletePolicy" => policy_conflict(&inner, &param("PolicyArn")).await,
            "DeleteVirtualMFADevice" => mfa_conflict(&inner, &param("SerialNumber")).await,
            "ListEntitiesForPolicy" => missing_policy(&inner, &param("PolicyArn")).await,
            "ListServiceSpecificCredentials" | "DeleteServiceSpecificCredential" => {
                Some(service_specific_credentials(&inner, &action, &param("UserName")).await)
            }
            // moto finds a key of any account; IAM only its own account's (stricter: unknown).
            "GetAccessKeyLastUsed" => {
                let owner =
                    super::moto_accounts::key_account(&st.moto, &param("AccessKeyId")).await;
                (owner.as_deref().is_some_and(|o| o != caller_account)).then(|| {
                    iam_error(
                        404,
                        "NoSuchEntity",
                        &format!(
                            "The Access Key with id {} cannot be found",
                            param("AccessKeyId")
                        ),
                    )
                })
            }
            _ => None,
        };
        match refusal {
            Some(response) => response,
            None => forward(&st.moto, &st.forward, method, &uri, headers, body).await,
        }
    };
    let mut params = params;
    if caller_account != super::moto_accounts::HOME {
        params.push(("__account".into(), caller_account));
    }
    st.calls.lock().unwrap().push(IamCall {
        action,
        params,
        status: response.status().as_u16(),
        at,
        done: Instant::now(),
    });
    response
}

/// The action a request asks for: `X-Amz-Target`'s last part (Organizations), else the
/// `Action` of the query string or form body (IAM, STS).
fn action_of(uri: &Uri, headers: &HeaderMap, body: &Bytes) -> String {
    if let Some(target) = headers.get("x-amz-target").and_then(|v| v.to_str().ok()) {
        return target.rsplit('.').next().unwrap_or_default().to_string();
    }
    parse_query(uri.query().unwrap_or(""))
        .into_iter()
        .chain(parse_query(&String::from_utf8_lossy(body)))
        .find(|(k, _)| k == "Action")
        .map(|(_, v)| v)
        .unwrap_or_default()
}

/// STS (`AssumeRole` refused as STS refuses it) and Organizations (`ListAccounts` paged),
/// recorded apart from IAM's calls.
async fn other_service(
    st: &ProxyState,
    service: &str,
    method: Method,
    uri: &Uri,
    headers: HeaderMap,
    body: Bytes,
    at: Instant,
) -> Response {
    let (action, params, body) = if service == "sts" {
        let pairs = parse_query(&String::from_utf8_lossy(&body));
        let action = pairs
            .iter()
            .find(|(k, _)| k == "Action")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let params: Vec<(String, String)> = pairs
            .into_iter()
            .filter(|(k, _)| k != "Action" && k != "Version")
            .collect();
        (action, params, body)
    } else {
        let target = headers
            .get("x-amz-target")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let action = target.rsplit('.').next().unwrap_or_default().to_string();
        let mut json: serde_json::Value =
            serde_json::from_slice(&body).unwrap_or(serde_json::json!({}));
        if let (Some(n), "ListAccounts") = (*st.org_page_size.lock().unwrap(), action.as_str())
            && json.get("MaxResults").is_none()
        {
            json["MaxResults"] = serde_json::json!(n);
        }
        let params = json
            .as_object()
            .map(|o| o.iter().map(|(k, v)| (k.clone(), v.to_string())).collect())
            .unwrap_or_default();
        (action, params, Bytes::from(json.to_string()))
    };
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let mut headers = headers;
    headers.remove(header::CONTENT_LENGTH);
    let response = if let Some((status, code)) = take_fault(st, &action) {
        iam_error(status, &code, "Injected fault.")
    } else if action == "AssumeRole" {
        let arn = param("RoleArn").unwrap_or_default();
        match super::moto_accounts::assume_role_refusal(
            &st.moto,
            super::moto_accounts::HOME,
            &arn,
            param("ExternalId").as_deref(),
        )
        .await
        {
            Err(message) => iam_error(403, "AccessDenied", &message),
            Ok(()) => {
                let answer = forward(&st.moto, &st.forward, method, uri, headers, body).await;
                let (parts, b) = answer.into_parts();
                let bytes = b.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
                let text = String::from_utf8_lossy(&bytes);
                let account = arn
                    .strip_prefix("arn:aws:iam::")
                    .and_then(|r| r.split(':').next())
                    .unwrap_or_default()
                    .to_string();
                if let Some(key) = super::moto_accounts::assumed_key(&text) {
                    st.assumed.lock().unwrap().insert(key, account);
                }
                Response::from_parts(parts, Body::from(bytes))
            }
        }
    } else {
        forward(&st.moto, &st.forward, method, uri, headers, body).await
    };
    st.other_calls.lock().unwrap().push(IamCall {
        action: format!("{service}:{action}"),
        params,
        status: response.status().as_u16(),
        at,
        done: Instant::now(),
    });
    response
}

/// IAM's own spelling of `user` when the request spells it in another case; `None` when the
/// spelling is IAM's already, or no such user exists, or the call creates it.
async fn canonical_user(c: &Client, action: &str, user: &str) -> Option<String> {
    if user.is_empty() || action == "CreateUser" {
        return None;
    }
    if c.get_user().user_name(user).send().await.is_ok() {
        return None;
    }
    let mut pages = c.list_users().into_paginator().items().send();
    while let Some(Ok(u)) = pages.next().await {
        if u.user_name().eq_ignore_ascii_case(user) {
            return Some(u.user_name().to_string());
        }
    }
    None
}

/// The request's parameters with `UserName` replaced, and the form body rebuilt from them.
fn rename_user(pairs: Vec<(String, String)>, name: &str) -> (Vec<(String, String)>, Bytes) {
    let pairs: Vec<(String, String)> = pairs
        .into_iter()
        .map(|(k, v)| {
            if k == "UserName" {
                (k, name.to_string())
            } else {
                (k, v)
            }
        })
        .collect();
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&pairs)
        .finish();
    (pairs, Bytes::from(body))
}

fn take_fault(st: &ProxyState, action: &str) -> Option<(u16, String)> {
    let mut faults = st.faults.lock().unwrap();
    let fault = faults.get_mut(action)?;
    if fault.times == 0 {
        return None;
    }
    fault.times -= 1;
    Some((fault.status, fault.code.clone()))
}

async fn forward(
    moto: &str,
    http: &HyperClient,
    method: Method,
    uri: &Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let mut request = axum::http::Request::builder()
        .method(method)
        .uri(format!("{moto}{path}"));
    for (name, value) in &headers {
        // hyper sets Host from the URI (moto routes by the SigV4 credential scope anyway) and
        // the length from the body, which a renamed user may have changed.
        if name != header::HOST && name != header::CONTENT_LENGTH {
            request = request.header(name, value);
        }
    }
    let request = request.body(Full::new(body)).expect("forwarded request");
    let upstream = match http.request(request).await {
        Ok(response) => response,
        Err(e) => return iam_error(503, "ServiceUnavailable", &format!("moto unreachable: {e}")),
    };
    let (parts, body) = upstream.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = parts.status;
    for (name, value) in &parts.headers {
        if name != header::TRANSFER_ENCODING
            && name != header::CONNECTION
            && name != header::CONTENT_LENGTH
        {
            response.headers_mut().append(name, value.clone());
        }
    }
    response
}

fn is_missing<E: ProvideErrorMetadata>(error: &E) -> bool {
    error.code() == Some("NoSuchEntity")
}

/// Why IAM would refuse `DeleteUser` now (moto does not): a dependent the user still holds,
/// as keywarden's own list of dependents names them, read by keywarden's own IAM adapter from
/// [`moto_plus`]. So a dependent added to the list is enforced here with no change.
async fn user_conflict(reader: Client, user: &str) -> Option<Response> {
    // A name keywarden cannot read, a missing user, a failed read: let moto answer.
    let user = keywarden::core::domain::IamUserName::parse(user).ok()?;
    let inventory = AwsIam::with_client(reader).inventory(&user).await.ok()??;
    let held = dependents::held(&inventory).next()?;
    Some(iam_error(
        409,
        "DeleteConflict",
        &format!("Cannot delete entity, must remove its {} first.", held.name),
    ))
}

/// moto, and what the proxy emulates of IAM that moto lacks (service-specific credentials):
/// the proxy's own reads, never recorded, faulted or refused.
struct MotoPlus {
    moto: String,
    forward: HyperClient,
}

async fn moto_plus(
    State(st): State<Arc<MotoPlus>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let action = action_of(&uri, &headers, &body);
    if action == "ListServiceSpecificCredentials" {
        let (_, key) = super::moto_accounts::signing(&headers);
        let asked = parse_query(&String::from_utf8_lossy(&body));
        let user = asked.iter().find(|(k, _)| k == "UserName");
        let user = user.map(|(_, v)| v.as_str()).unwrap_or_default();
        let moto = super::moto_accounts::client_with(&st.moto, &key, "x");
        return service_specific_credentials(&moto, &action, user).await;
    }
    forward(&st.moto, &st.forward, method, &uri, headers, body).await
}

/// Why IAM would refuse `DeletePolicy` now.
async fn policy_conflict(c: &Client, arn: &str) -> Option<Response> {
    if c.get_policy().policy_arn(arn).send().await.is_err() {
        return None;
    }
    if let Ok(r) = c.list_entities_for_policy().policy_arn(arn).send().await
        && !(r.policy_users().is_empty()
            && r.policy_groups().is_empty()
            && r.policy_roles().is_empty())
    {
        return Some(iam_error(
            409,
            "DeleteConflict",
            "Cannot delete a policy attached to entities.",
        ));
    }
    if let Ok(r) = c.list_policy_versions().policy_arn(arn).send().await
        && r.versions().iter().any(|v| !v.is_default_version())
    {
        return Some(iam_error(
            409,
            "DeleteConflict",
            "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
        ));
    }
    None
}

/// IAM refuses to delete a virtual MFA device that is still enabled for a user.
async fn mfa_conflict(c: &Client, serial: &str) -> Option<Response> {
    let assigned = c
        .list_virtual_mfa_devices()
        .assignment_status(aws_sdk_iam::types::AssignmentStatusType::Assigned)
        .send()
        .await
        .ok()?;
    assigned
        .virtual_mfa_devices()
        .iter()
        .any(|d| d.serial_number() == serial)
        .then(|| {
            iam_error(
                409,
                "DeleteConflict",
                "Cannot delete entity, must deactivate MFA device first.",
            )
        })
}

/// IAM answers NoSuchEntity for an unknown policy; moto answers an empty list.
async fn missing_policy(c: &Client, arn: &str) -> Option<Response> {
    match c.get_policy().policy_arn(arn).send().await {
        Err(e) if is_missing(&e) => Some(iam_error(
            404,
            "NoSuchEntity",
            &format!("Policy {arn} does not exist or is not attachable."),
        )),
        _ => None,
    }
}

/// moto 5.2.1 does not implement service-specific credentials: nobody has any.
async fn service_specific_credentials(c: &Client, action: &str, user: &str) -> Response {
    if !user.is_empty()
        && let Err(e) = c.get_user().user_name(user).send().await
        && is_missing(&e)
    {
        return iam_error(
            404,
            "NoSuchEntity",
            &format!("The user with name {user} cannot be found."),
        );
    }
    if action == "DeleteServiceSpecificCredential" {
        return iam_error(
            404,
            "NoSuchEntity",
            "The service-specific credential cannot be found.",
        );
    }
    xml_response(
        200,
        format!(
            "<ListServiceSpecificCredentialsResponse xmlns=\"{IAM_NS}\"><ListServiceSpecificCredentialsResult><ServiceSpecificCredentials/></ListServiceSpecificCredentialsResult><ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata></ListServiceSpecificCredentialsResponse>",
            request_id()
        ),
    )
}

/// IAM's XML error shape. 5xx errors are the service's fault (`Receiver`).
fn iam_error(status: u16, code: &str, message: &str) -> Response {
    let kind = if status >= 500 { "Receiver" } else { "Sender" };
    xml_response(
        status,
        format!(
            "<ErrorResponse xmlns=\"{IAM_NS}\"><Error><Type>{kind}</Type><Code>{}</Code><Message>{}</Message></Error><RequestId>{}</RequestId></ErrorResponse>",
            xml_escape(code),
            xml_escape(message),
            request_id()
        ),
    )
}

fn xml_response(status: u16, body: String) -> Response {
    let id = request_id();
    let mut response = (StatusCode::from_u16(status).unwrap(), body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/xml"));
    headers.insert("x-amzn-requestid", HeaderValue::from_str(&id).unwrap());
    response
}

/// What `load_user` gives a user. `Default` is "fully loaded"; `Loadout::bare()` is a user
/// with one access key, like the original system created.
#[derive(Debug, Clone)]
pub struct Loadout {
    /// IAM path of the user (`/` or e.g. `/keywarden/`).
    pub path: String,
    /// Number of access keys (IAM and moto allow at most 2).
    pub access_keys: usize,
    pub login_profile: bool,
    /// A virtual MFA device named like the user, enabled for it.
    pub virtual_mfa: bool,
    /// A group the user is added to (created if missing).
    pub group: Option<String>,
    /// An inline policy `<user>-inline`.
    pub inline_policy: bool,
    /// A customer-managed policy named exactly like the user (the original system's rule),
    /// attached, with an extra non-default version.
    pub own_policy: bool,
    /// A customer-managed policy shared between users (created if missing), attached.
    pub shared_policy: Option<String>,
    pub ssh_key: bool,
    pub signing_certificate: bool,
}

impl Default for Loadout {
    fn default() -> Self {
        Loadout {
            path: "/".into(),
            access_keys: 1,
            login_profile: true,
            virtual_mfa: true,
            group: Some("keywarden-test-group".into()),
            inline_policy: true,
            own_policy: true,
            shared_policy: Some("keywarden-test-shared".into()),
            ssh_key: true,
            signing_certificate: true,
        }
    }
}

impl Loadout {
    /// Only the user and one access key.
    pub fn bare() -> Loadout {
        Loadout {
            path: "/".into(),
            access_keys: 1,
            login_profile: false,
            virtual_mfa: false,
            group: None,
            inline_policy: false,
            own_policy: false,
            shared_policy: None,
            ssh_key: false,
            signing_certificate: false,
        }
    }

    /// The original system's user: one key and its own policy named after it.
    pub fn original() -> Loadout {
        Loadout {
            own_policy: true,
            ..Loadout::bare()
        }
    }
}

/// What `load_user` created, so tests can assert on each piece.
#[derive(Debug, Clone, Default)]
pub struct LoadedUser {
    pub arn: String,
    pub account_id: String,
    pub access_key_ids: Vec<String>,
    pub mfa_serial: Option<String>,
    pub group: Option<String>,
    pub inline_policy: Option<String>,
    pub own_policy_arn: Option<String>,
    pub shared_policy_arn: Option<String>,
    pub ssh_key_id: Option<String>,
    pub certificate_id: Option<String>,
}

const POLICY_DOCUMENT: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}"#;
const POLICY_DOCUMENT_V2: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:ListAllMyBuckets","s3:GetObject"],"Resource":"*"}]}"#;

/// Creates user `name` with everything `loadout` asks for. Panics on any failure (set-up).
pub async fn load_user(client: &Client, name: &str, loadout: Loadout) -> LoadedUser {
    let user = client
        .create_user()
        .user_name(name)
        .path(&loadout.path)
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateUser {name}: {e:?}"))
        .user
        .expect("user");
    let arn = user.arn().to_string();
    let account_id = arn.split(':').nth(4).unwrap_or_default().to_string();
    let mut loaded = LoadedUser {
        arn,
        account_id: account_id.clone(),
        ..LoadedUser::default()
    };

    for _ in 0..loadout.access_keys {
        let key = client
            .create_access_key()
            .user_name(name)
            .send()
            .await
            .expect("CreateAccessKey")
            .access_key
            .expect("access key");
        loaded.access_key_ids.push(key.access_key_id().to_string());
    }
    if loadout.login_profile {
        client
            .create_login_profile()
            .user_name(name)
            .password("Keywarden-Test-Passw0rd!")
            .send()
            .await
            .expect("CreateLoginProfile");
    }
    if loadout.virtual_mfa {
        let device = client
            .create_virtual_mfa_device()
            .virtual_mfa_device_name(name)
            .send()
            .await
            .expect("CreateVirtualMFADevice")
            .virtual_mfa_device
            .expect("device");
        let serial = device.serial_number().to_string();
        client
            .enable_mfa_device()
            .user_name(name)
            .serial_number(&serial)
            .authentication_code1("123456")
            .authentication_code2("654321")
            .send()
            .await
            .expect("EnableMFADevice");
        loaded.mfa_serial = Some(serial);
    }
    if let Some(group) = &loadout.group {
        if let Err(e) = client.create_group().group_name(group).send().await
            && e.code() != Some("EntityAlreadyExists")
        {
            panic!("CreateGroup {group}: {e:?}");
        }
        client
            .add_user_to_group()
            .group_name(group)
            .user_name(name)
            .send()
            .await
            .expect("AddUserToGroup");
        loaded.group = Some(group.clone());
    }
    if loadout.inline_policy {
        let policy = format!("{name}-inline");
        client
            .put_user_policy()
            .user_name(name)
            .policy_name(&policy)
            .policy_document(POLICY_DOCUMENT)
            .send()
            .await
            .expect("PutUserPolicy");
        loaded.inline_policy = Some(policy);
    }
    if loadout.own_policy {
        let policy_arn = client
            .create_policy()
            .policy_name(name)
            .policy_document(POLICY_DOCUMENT)
            .send()
            .await
            .unwrap_or_else(|e| panic!("CreatePolicy {name}: {e:?}"))
            .policy
            .and_then(|p| p.arn)
            .expect("policy arn");
        client
            .create_policy_version()
            .policy_arn(&policy_arn)
            .policy_document(POLICY_DOCUMENT_V2)
            .set_as_default(false)
            .send()
            .await
            .expect("CreatePolicyVersion");
        attach(client, name, &policy_arn).await;
        loaded.own_policy_arn = Some(policy_arn);
    }
    if let Some(shared) = &loadout.shared_policy {
        let policy_arn = format!("arn:aws:iam::{account_id}:policy/{shared}");
        if let Err(e) = client
            .create_policy()
            .policy_name(shared)
            .policy_document(POLICY_DOCUMENT)
            .send()
            .await
            && e.code() != Some("EntityAlreadyExists")
        {
            panic!("CreatePolicy {shared}: {e:?}");
        }
        attach(client, name, &policy_arn).await;
        loaded.shared_policy_arn = Some(policy_arn);
    }
    if loadout.ssh_key {
        let key = client
            .upload_ssh_public_key()
            .user_name(name)
            .ssh_public_key_body(ssh_public_key(&format!("{name}@keywarden-test")))
            .send()
            .await
            .expect("UploadSSHPublicKey")
            .ssh_public_key
            .expect("ssh key");
        loaded.ssh_key_id = Some(key.ssh_public_key_id().to_string());
    }
    if loadout.signing_certificate {
        let certificate = client
            .upload_signing_certificate()
            .user_name(name)
            .certificate_body(self_signed_cert(name))
            .send()
            .await
            .expect("UploadSigningCertificate")
            .certificate
            .expect("certificate");
        loaded.certificate_id = Some(certificate.certificate_id().to_string());
    }
    loaded
}

async fn attach(client: &Client, user: &str, policy_arn: &str) {
    client
        .attach_user_policy()
        .user_name(user)
        .policy_arn(policy_arn)
        .send()
        .await
        .unwrap_or_else(|e| panic!("AttachUserPolicy {policy_arn}: {e:?}"));
}

/// Everything of `user` still present anywhere; empty after a complete teardown. Looks past
/// the user itself because moto does not cascade deletes (groups still listing the user,
/// virtual MFA devices named after it, the policy named after it).
pub async fn remaining(client: &Client, user: &str) -> Vec<String> {
    let mut left = Vec::new();
    if client.get_user().user_name(user).send().await.is_ok() {
        left.push(format!("user {user}"));
        let keys = client.list_access_keys().user_name(user).send().await;
        for key in keys.iter().flat_map(|r| r.access_key_metadata()) {
            left.push(format!(
                "access key {}",
                key.access_key_id().unwrap_or_default()
            ));
        }
        if client
            .get_login_profile()
            .user_name(user)
            .send()
            .await
            .is_ok()
        {
            left.push("login profile".into());
        }
        let mfa = client.list_mfa_devices().user_name(user).send().await;
        for device in mfa.iter().flat_map(|r| r.mfa_devices()) {
            left.push(format!("MFA device {}", device.serial_number()));
        }
        let certs = client
            .list_signing_certificates()
            .user_name(user)
            .send()
            .await;
        for cert in certs.iter().flat_map(|r| r.certificates()) {
            left.push(format!("signing certificate {}", cert.certificate_id()));
        }
        let ssh = client.list_ssh_public_keys().user_name(user).send().await;
        for key in ssh.iter().flat_map(|r| r.ssh_public_keys()) {
            left.push(format!("SSH public key {}", key.ssh_public_key_id()));
        }
        let inline = client.list_user_policies().user_name(user).send().await;
        for policy in inline.iter().flat_map(|r| r.policy_names()) {
            left.push(format!("inline policy {policy}"));
        }
        let attached = client
            .list_attached_user_policies()
            .user_name(user)
            .send()
            .await;
        for policy in attached.iter().flat_map(|r| r.attached_policies()) {
            left.push(format!(
                "attached policy {}",
                policy.policy_arn().unwrap_or_default()
            ));
        }
    }
    let groups = client.list_groups().max_items(1000).send().await;
    for group in groups.iter().flat_map(|r| r.groups()) {
        let members = client
            .get_group()
            .group_name(group.group_name())
            .max_items(1000)
            .send()
            .await;
        if members
            .iter()
            .flat_map(|r| r.users())
            .any(|u| u.user_name() == user)
        {
            left.push(format!("member of group {}", group.group_name()));
        }
    }
    let devices = client
        .list_virtual_mfa_devices()
        .max_items(1000)
        .send()
        .await;
    for device in devices.iter().flat_map(|r| r.virtual_mfa_devices()) {
        let serial = device.serial_number();
        let named = serial.rsplit('/').next() == Some(user);
        let owned = device.user().is_some_and(|u| u.user_name() == user);
        let entry = format!("MFA device {serial}");
        if (named || owned) && !left.contains(&entry) {
            left.push(format!("virtual MFA device {serial}"));
        }
    }
    let policies = client
        .list_policies()
        .scope(aws_sdk_iam::types::PolicyScopeType::Local)
        .max_items(1000)
        .send()
        .await;
    for policy in policies.iter().flat_map(|r| r.policies()) {
        if policy.policy_name() == Some(user) {
            left.push(format!("policy {}", policy.arn().unwrap_or_default()));
        }
    }
    left
}

/// Sends a raw IAM query-protocol call through `endpoint` (for self-tests of the proxy's own
/// answers, which the SDK would hide behind typed errors).
pub async fn raw_iam_call(
    endpoint: &str,
    action: &str,
    params: &[(&str, &str)],
) -> super::HttpReply {
    let mut body = form_urlencoded::Serializer::new(String::new());
    body.append_pair("Action", action);
    body.append_pair("Version", "2010-05-08");
    for (k, v) in params {
        body.append_pair(k, v);
    }
    http(
        "POST",
        &format!("{}/", endpoint.trim_end_matches('/')),
        &[
            ("content-type", "application/x-www-form-urlencoded; charset=utf-8"),
            (
                "authorization",
                "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=00",
            ),
        ],
        body.finish(),
    )
    .await
}

/// A Secrets Manager client on moto (same endpoint as IAM), for set-up and inspection.
pub fn secrets_client(endpoint: &str) -> aws_sdk_secretsmanager::Client {
    use aws_sdk_secretsmanager::config::{BehaviorVersion, Credentials, Region};
    let config = aws_sdk_secretsmanager::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
        .endpoint_url(endpoint)
        .http_client(keywarden::adapters::aws::http_client())
        .build();
    aws_sdk_secretsmanager::Client::from_conf(config)
}
