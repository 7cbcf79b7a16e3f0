//! Local fakes that integration tests talk to over real HTTP on 127.0.0.1.

pub mod app;
pub mod endpoint;
pub mod google;
pub mod moto;
pub mod moto_accounts;
pub mod slack;
pub mod slack_requests;

use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

/// A server task bound to 127.0.0.1 that stops when the fake owning it is dropped, so one
/// test's fakes never answer another test's requests.
pub struct ServerHandle {
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves `router` on an OS-chosen port (127.0.0.1:0) so parallel tests never clash.
pub async fn serve(router: Router) -> ServerHandle {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local addr");
    let task = tokio::spawn(async move {
        axum::serve(listener, router).await.expect("fake server");
    });
    ServerHandle { addr, task }
}

/// A free port on 127.0.0.1, for a server the test does not bind itself (moto, the binary).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind 127.0.0.1:0")
        .port()
}

/// A JSON answer with an explicit status and content type, as the real services send.
pub fn json_response(status: u16, value: &serde_json::Value, content_type: &str) -> Response {
    let mut response = (
        StatusCode::from_u16(status).expect("valid status"),
        value.to_string(),
    )
        .into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type).expect("content type"),
    );
    response
}

/// Parses `a=1&b=2&b=3` keeping repeated keys and their order (Google repeats `ranges=`).
pub fn parse_query(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The `Bearer` token of a request, if any.
pub fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

/// An HTTP answer as seen by a test.
#[derive(Debug, Clone)]
pub struct HttpReply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl HttpReply {
    /// The body as JSON; panics with the body when it is not JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
}

/// A plain-HTTP client; the fakes never speak TLS, so no crypto provider is involved.
pub fn http_client() -> Client<HttpConnector, Full<Bytes>> {
    Client::builder(TokioExecutor::new()).build_http()
}

/// Sends one request and reads the whole answer; for self-tests and set-up code.
pub async fn http(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
) -> HttpReply {
    let mut request = axum::http::Request::builder().method(method).uri(url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request.body(Full::new(body.into())).expect("valid request");
    let response = http_client()
        .request(request)
        .await
        .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("read body")
        .to_bytes();
    HttpReply {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

/// An RSA key generated once per test process with the `openssl` command: the Google client
/// signs real RS256 JWTs with it, and certificates and SSH keys for IAM are derived from it.
/// Generated at test time so no key file is ever committed.
pub struct TestKey {
    /// PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), what a service-account key file holds.
    pub private_pem: String,
    /// PKCS#1 `RSAPublicKey` DER, what `ring` verifies RS256 signatures with.
    pub public_pkcs1_der: Vec<u8>,
    /// Big-endian modulus, for the `ssh-rsa` public key.
    pub modulus: Vec<u8>,
}

/// The process-wide test key (generated on first use, ~0.5 s).
pub fn test_key() -> &'static TestKey {
    static KEY: OnceLock<TestKey> = OnceLock::new();
    KEY.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let key_path = dir.path().join("key.pem");
        openssl(&[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            path_str(&key_path),
        ]);
        let private_pem = std::fs::read_to_string(&key_path).expect("read key");
        assert!(
            private_pem.starts_with("-----BEGIN PRIVATE KEY-----"),
            "openssl genpkey did not write PKCS#8"
        );
        let der_path = dir.path().join("pub.der");
        openssl(&[
            "rsa",
            "-in",
            path_str(&key_path),
            "-RSAPublicKey_out",
            "-outform",
            "DER",
            "-out",
            path_str(&der_path),
        ]);
        let public_pkcs1_der = std::fs::read(&der_path).expect("read public key");
        let modulus_line = openssl(&["rsa", "-in", path_str(&key_path), "-noout", "-modulus"]);
        let hex = modulus_line
            .trim()
            .strip_prefix("Modulus=")
            .expect("openssl -modulus output");
        let modulus = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex modulus"))
            .collect();
        TestKey {
            private_pem,
            public_pkcs1_der,
            modulus,
        }
    })
}

/// A fresh self-signed X.509 certificate (PEM) for the test key. Fresh on every call (random
/// serial) because IAM refuses the same certificate body twice in one account.
pub fn self_signed_cert(common_name: &str) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let key_path = dir.path().join("key.pem");
    std::fs::write(&key_path, &test_key().private_pem).expect("write key");
    openssl(&[
        "req",
        "-x509",
        "-new",
        "-key",
        path_str(&key_path),
        "-subj",
        &format!("/CN={common_name}"),
        "-days",
        "2",
    ])
}

/// An OpenSSH `ssh-rsa` public key line for the test key (RFC 4253 wire format, exponent
/// 65537 which is what `openssl genpkey` uses), so no `ssh-keygen` is needed.
pub fn ssh_public_key(comment: &str) -> String {
    fn put(out: &mut Vec<u8>, bytes: &[u8]) {
        out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
        out.extend_from_slice(bytes);
    }
    fn mpint(bytes: &[u8]) -> Vec<u8> {
        let trimmed: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
        let mut out = Vec::with_capacity(trimmed.len() + 1);
        if trimmed.first().is_some_and(|b| b & 0x80 != 0) {
            out.push(0);
        }
        out.extend(trimmed);
        out
    }
    let mut blob = Vec::new();
    put(&mut blob, b"ssh-rsa");
    put(&mut blob, &mpint(&[0x01, 0x00, 0x01]));
    put(&mut blob, &mpint(&test_key().modulus));
    format!(
        "ssh-rsa {} {comment}",
        base64::engine::general_purpose::STANDARD.encode(blob)
    )
}

/// Runs `openssl` and returns its stdout; panics with stderr so a broken tool is obvious.
fn openssl(args: &[&str]) -> String {
    let output = Command::new("openssl")
        .args(args)
        .output()
        .expect("the `openssl` command is needed by the tests (apt-get install openssl)");
    assert!(
        output.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("openssl output is UTF-8")
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("UTF-8 temp path")
}

/// Escapes text for XML element content (IAM error messages echo user input).
pub fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// A request ID in the style of AWS/Google (only needs to be unique-ish and well-formed).
pub fn request_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("0000feed-0000-4000-8000-{n:012x}")
}
