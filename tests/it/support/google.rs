//! Fake Google OAuth token endpoint and Sheets API v4 `values:batchGet` / `values:batchUpdate` /
//! `values:append`, and `spreadsheets:batchUpdate` with `addSheet`, one axum server on 127.0.0.1. It is faithful where keywarden could go wrong against the real
//! service: RS256 JWTs are verified against the test key, tokens carry scopes, answers omit
//! trailing empty cells and rows, and A1 ranges with quoted (Japanese) sheet names are parsed.
//!
//! Known simplifications (documented so nobody relies on them):
//! - Cells are plain `serde_json::Value`s; there are no formulas or number formats. With
//!   `valueRenderOption` other than `UNFORMATTED_VALUE` numbers and booleans come back as their
//!   text (a real date cell would come back formatted, e.g. `2026/11/29`).
//!   `dateTimeRenderOption` is only recorded, since the fake cannot tell a date from a number.
//! - `USER_ENTERED` writes store the value as given; the real API would parse `"2026/11/29"`
//!   into a date serial and `"12"` into a number.
//! - A range without `!` is always a sheet name (the real API would also try it as a cell range
//!   of the first sheet).
//! - `values:append` takes the sheet's last non-empty row as the end of the table, whatever the
//!   range's columns; `OVERWRITE` and `INSERT_ROWS` both insert there. `USER_ENTERED` stores a
//!   text starting with `=` as `{"formula": …}`, so a test sees what would have become a formula.
//! - `spreadsheets:batchUpdate` knows `addSheet` only.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;
use base64::Engine as _;
use serde_json::{Value, json};

use super::{ServerHandle, bearer, json_response, parse_query, serve, test_key};

/// The `client_email` of the service-account key file the fake writes.
pub const CLIENT_EMAIL: &str = "keywarden-test@example-project.iam.gserviceaccount.com";

const GOOGLE_JSON: &str = "application/json; charset=UTF-8";
const READ_SCOPES: &[&str] = &[
    "https://www.googleapis.com/auth/spreadsheets",
    "https://www.googleapis.com/auth/spreadsheets.readonly",
    "https://www.googleapis.com/auth/drive",
    "https://www.googleapis.com/auth/drive.readonly",
    "https://www.googleapis.com/auth/drive.file",
];
const WRITE_SCOPES: &[&str] = &[
    "https://www.googleapis.com/auth/spreadsheets",
    "https://www.googleapis.com/auth/drive",
    "https://www.googleapis.com/auth/drive.file",
];

/// Which endpoint a fault is injected into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    Token,
    Read,
    Write,
    /// `values:append`.
    Append,
    /// `spreadsheets:batchUpdate` (`addSheet`).
    AddSheet,
}

/// Requests that reached each endpoint, including refused and fault-injected ones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GoogleCounts {
    pub token: usize,
    pub reads: usize,
    pub writes: usize,
    /// `values:append` requests.
    pub appends: usize,
    /// `spreadsheets:batchUpdate` requests (`addSheet`).
    pub sheet_updates: usize,
}

impl GoogleCounts {
    /// Every Sheets API request (the token endpoint aside).
    pub fn sheets_requests(&self) -> usize {
        self.reads + self.writes + self.appends + self.sheet_updates
    }
}

/// One request as received, for assertions on what the client asked.
#[derive(Debug, Clone)]
pub struct GoogleRequest {
    /// Percent-decoded path, e.g. `/v4/spreadsheets/test-sheet-id/values:batchGet`.
    pub path: String,
    /// Decoded query pairs in order, repeated keys kept.
    pub query: Vec<(String, String)>,
    pub body: String,
    /// When the request arrived, before the fake's own `delay`.
    pub at: std::time::Instant,
}

impl GoogleRequest {
    /// The first value of a query parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params(name).into_iter().next()
    }

    /// Every value of a repeated query parameter (e.g. `ranges`).
    pub fn params(&self, name: &str) -> Vec<&str> {
        self.query
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// The spreadsheet's sheets, as stored (rows of cells; `Null` and `""` are empty cells).
/// Handed to `on_read` hooks so a test can edit the sheet like an administrator would.
#[derive(Debug, Clone, Default)]
pub struct Sheets {
    sheets: BTreeMap<String, Vec<Vec<Value>>>,
}

impl Sheets {
    /// Creates or replaces a sheet.
    pub fn set(&mut self, name: &str, rows: Vec<Vec<Value>>) {
        self.sheets.insert(name.to_string(), rows);
    }

    pub fn contains(&self, name: &str) -> bool {
        self.sheets.contains_key(name)
    }

    /// The stored rows, untrimmed. Panics on an unknown sheet (a test bug).
    pub fn rows_mut(&mut self, name: &str) -> &mut Vec<Vec<Value>> {
        self.sheets
            .get_mut(name)
            .unwrap_or_else(|| panic!("no sheet {name:?}"))
    }

    /// Inserts a row so that it becomes sheet row `row_number` (1-based), pushing the rows
    /// below down, like "insert row above" in the Sheets UI.
    pub fn insert_row(&mut self, name: &str, row_number: usize, row: Vec<Value>) {
        let rows = self.rows_mut(name);
        let index = row_number.saturating_sub(1);
        while rows.len() < index {
            rows.push(Vec::new());
        }
        rows.insert(index, row);
    }

    /// Deletes sheet row `row_number` (1-based), moving the rows below up.
    pub fn delete_row(&mut self, name: &str, row_number: usize) {
        let rows = self.rows_mut(name);
        if row_number >= 1 && row_number <= rows.len() {
            rows.remove(row_number - 1);
        }
    }

    /// Writes one cell given in A1 notation (`K5`), growing the sheet as needed.
    pub fn set_cell(&mut self, name: &str, a1: &str, value: Value) {
        let (col, row) = parse_cell(a1)
            .and_then(|(c, r)| Some((c?, r?)))
            .unwrap_or_else(|| panic!("not a cell: {a1:?}"));
        write_cell(self.rows_mut(name), row, col, value);
    }

    /// One cell in A1 notation; `None` when the sheet is missing or the cell is empty.
    pub fn cell(&self, name: &str, a1: &str) -> Option<Value> {
        let (col, row) = parse_cell(a1).and_then(|(c, r)| Some((c?, r?)))?;
        let value = self.sheets.get(name)?.get(row - 1)?.get(col - 1)?;
        (!is_empty(value)).then(|| value.clone())
    }

    /// The sheet as the API returns it for the whole sheet (trailing empties trimmed).
    pub fn trimmed(&self, name: &str) -> Option<Vec<Vec<Value>>> {
        let rows = self.sheets.get(name)?;
        Some(trim(
            rows.iter()
                .map(|row| row.iter().map(normalise_empty).collect())
                .collect(),
        ))
    }
}

type ReadHook = Box<dyn Fn(&mut Sheets, usize) + Send + Sync>;

struct GoogleState {
    spreadsheet_id: String,
    token_uri: String,
    sheets: Sheets,
    /// access token -> the scopes it was issued for.
    tokens: HashMap<String, String>,
    counts: GoogleCounts,
    requests: Vec<GoogleRequest>,
    faults: HashMap<Endpoint, (u16, usize)>,
    on_read: Option<ReadHook>,
    /// Added to every request, like the round trip to Google (benchmarks).
    delay: std::time::Duration,
    /// When the first request of any kind arrived (start-up measurements).
    first_request: Option<std::time::Instant>,
}

/// The running fake. Dropping it stops the server.
pub struct FakeGoogle {
    state: Arc<Mutex<GoogleState>>,
    port: u16,
    _server: ServerHandle,
}

impl FakeGoogle {
    /// Starts the fake serving one spreadsheet with no sheets yet.
    pub async fn start(spreadsheet_id: &str) -> FakeGoogle {
        let state = Arc::new(Mutex::new(GoogleState {
            spreadsheet_id: spreadsheet_id.to_string(),
            token_uri: String::new(),
            sheets: Sheets::default(),
            tokens: HashMap::new(),
            counts: GoogleCounts::default(),
            requests: Vec::new(),
            faults: HashMap::new(),
            on_read: None,
            delay: std::time::Duration::ZERO,
            first_request: None,
        }));
        let router = Router::new().fallback(handle).with_state(state.clone());
        let server = serve(router).await;
        let port = server.addr.port();
        state.lock().unwrap().token_uri = format!("http://127.0.0.1:{port}/token");
        FakeGoogle {
            state,
            port,
            _server: server,
        }
    }

    /// Sheets API base URL; the client appends `v4/spreadsheets/...`.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    /// OAuth token endpoint, written as `token_uri` into the key file.
    pub fn token_uri(&self) -> String {
        format!("http://127.0.0.1:{}/token", self.port)
    }

    /// Writes `service-account.json` into `dir` pointing at this fake and returns its path.
    pub fn write_service_account_file(&self, dir: &Path) -> PathBuf {
        let key = json!({
            "type": "service_account",
            "project_id": "example-project",
            "private_key_id": "0123456789abcdef0123456789abcdef01234567",
            "private_key": test_key().private_pem,
            "client_email": CLIENT_EMAIL,
            "client_id": "100000000000000000001",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": self.token_uri(),
            "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
            "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/keywarden-test%40example-project.iam.gserviceaccount.com",
            "universe_domain": "googleapis.com"
        });
        let path = dir.join("service-account.json");
        std::fs::write(&path, serde_json::to_string_pretty(&key).unwrap())
            .expect("write service-account file");
        path
    }

    /// Creates or replaces a sheet.
    pub fn set_sheet(&self, name: &str, rows: Vec<Vec<Value>>) {
        self.lock().sheets.set(name, rows);
    }

    /// A sheet as the API would return it (trailing empty cells and rows trimmed).
    pub fn sheet(&self, name: &str) -> Vec<Vec<Value>> {
        self.lock()
            .sheets
            .trimmed(name)
            .unwrap_or_else(|| panic!("no sheet {name:?}"))
    }

    /// One cell in A1 notation (`"K5"`); `None` when empty.
    pub fn cell(&self, sheet: &str, a1: &str) -> Option<Value> {
        self.lock().sheets.cell(sheet, a1)
    }

    /// Edits the sheets directly (set-up or mid-test changes).
    pub fn edit(&self, f: impl FnOnce(&mut Sheets)) {
        f(&mut self.lock().sheets);
    }

    pub fn counts(&self) -> GoogleCounts {
        self.lock().counts
    }

    pub fn requests(&self) -> Vec<GoogleRequest> {
        self.lock().requests.clone()
    }

    /// Access tokens issued so far.
    pub fn issued_tokens(&self) -> Vec<String> {
        self.lock().tokens.keys().cloned().collect()
    }

    /// Mints a token for `scope` without the JWT exchange (raw-HTTP tests of the Sheets API).
    /// Not counted in `counts().token`.
    pub fn issue_token(&self, scope: &str) -> String {
        let mut st = self.lock();
        let token = format!("ya29.fake-token-{}", st.tokens.len() + 1);
        st.tokens.insert(token.clone(), scope.to_string());
        token
    }

    /// The scope strings of the JWTs exchanged for tokens.
    pub fn scopes(&self) -> Vec<String> {
        self.lock().tokens.values().cloned().collect()
    }

    /// The next `times` requests to `endpoint` get `status` with a Google error body.
    pub fn fail_next(&self, endpoint: Endpoint, status: u16, times: usize) {
        self.lock().faults.insert(endpoint, (status, times));
    }

    /// When the first request arrived.
    #[allow(dead_code, reason = "benches/job.rs uses it")]
    pub fn first_request_at(&self) -> Option<std::time::Instant> {
        self.lock().first_request
    }

    /// Every later answer waits `latency` first.
    #[allow(dead_code, reason = "benches/job.rs uses it")]
    pub fn delay(&self, latency: std::time::Duration) {
        self.lock().delay = latency;
    }

    /// Runs `hook(sheets, n)` before serving the n-th read (1-based, counting every batchGet
    /// that reached the fake), e.g. to insert a row between the job's first read and its
    /// re-check read.
    pub fn on_read(&self, hook: ReadHook) {
        self.lock().on_read = Some(hook);
    }

    fn lock(&self) -> MutexGuard<'_, GoogleState> {
        self.state.lock().unwrap()
    }
}

type Shared = State<Arc<Mutex<GoogleState>>>;

async fn handle(
    State(state): Shared,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = percent_encoding::percent_decode_str(uri.path())
        .decode_utf8_lossy()
        .into_owned();
    let query = parse_query(uri.query().unwrap_or(""));
    let body = String::from_utf8_lossy(&body).into_owned();
    let at = std::time::Instant::now();
    let delay = {
        let mut st = state.lock().unwrap();
        st.first_request.get_or_insert(at);
        st.delay
    };
    tokio::time::sleep(delay).await;
    let mut st = state.lock().unwrap();
    st.requests.push(GoogleRequest {
        path: path.clone(),
        query: query.clone(),
        body: body.clone(),
        at,
    });

    if path == "/token" && method == Method::POST {
        st.counts.token += 1;
        if let Some(status) = take_fault(&mut st, Endpoint::Token) {
            let error = if status >= 500 {
                "internal_failure"
            } else {
                "invalid_request"
            };
            return oauth_error(status, error, "injected fault");
        }
        return token(&mut st, &body);
    }

    let Some(rest) = path.strip_prefix("/v4/spreadsheets/") else {
        return google_error(404, "Requested entity was not found.");
    };
    // `{id}/values:batchGet|batchUpdate`, `{id}/values/{range}:append`, `{id}:batchUpdate`.
    let (id, endpoint, append_range) = if let Some((id, call)) = rest.split_once("/values:") {
        match (call, &method) {
            ("batchGet", &Method::GET) => (id, Endpoint::Read, None),
            ("batchUpdate", &Method::POST) => (id, Endpoint::Write, None),
            _ => return google_error(404, "Requested entity was not found."),
        }
    } else if let Some((id, range)) = rest
        .split_once("/values/")
        .and_then(|(id, call)| Some((id, call.strip_suffix(":append")?)))
        && method == Method::POST
    {
        (id, Endpoint::Append, Some(range.to_string()))
    } else if let Some(id) = rest.strip_suffix(":batchUpdate")
        && method == Method::POST
    {
        (id, Endpoint::AddSheet, None)
    } else {
        return google_error(404, "Requested entity was not found.");
    };
    let count = match endpoint {
        Endpoint::Read => {
            st.counts.reads += 1;
            st.counts.reads
        }
        Endpoint::Append => {
            st.counts.appends += 1;
            st.counts.appends
        }
        Endpoint::AddSheet => {
            st.counts.sheet_updates += 1;
            st.counts.sheet_updates
        }
        _ => {
            st.counts.writes += 1;
            st.counts.writes
        }
    };
    if let Some(status) = take_fault(&mut st, endpoint) {
        return google_error(status, "Injected fault.");
    }
    let scopes = match bearer(&headers) {
        None => {
            return google_error(
                401,
                "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
            );
        }
        Some(token) => match st.tokens.get(&token) {
            Some(scopes) => scopes.clone(),
            None => {
                return google_error(
                    401,
                    "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
                );
            }
        },
    };
    let allowed = if endpoint == Endpoint::Read {
        READ_SCOPES
    } else {
        WRITE_SCOPES
    };
    if !scopes.split(' ').any(|s| allowed.contains(&s)) {
        return google_error(403, "Request had insufficient authentication scopes.");
    }
    if id != st.spreadsheet_id {
        return google_error(404, "Requested entity was not found.");
    }
    if endpoint == Endpoint::Read {
        let GoogleState {
            on_read, sheets, ..
        } = &mut *st;
        if let Some(hook) = on_read {
            hook(sheets, count);
        }
        batch_get(&st, &query)
    } else if let Some(range) = append_range {
        append(&mut st, &range, &query, &body)
    } else if endpoint == Endpoint::AddSheet {
        add_sheet(&mut st, &body)
    } else {
        batch_update(&mut st, &body)
    }
}

/// `values:append`: the rows go below the table's last row, inserted (`INSERT_ROWS`), and the
/// range written is answered back.
fn append(st: &mut GoogleState, range: &str, query: &[(String, String)], body: &str) -> Response {
    let param = |k: &str| {
        query
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    let user_entered = match param("valueInputOption") {
        Some("RAW") => false,
        Some("USER_ENTERED") => true,
        _ => {
            return google_error(
                400,
                "Invalid valueInputOption: INPUT_VALUE_OPTION_UNSPECIFIED",
            );
        }
    };
    match param("insertDataOption") {
        None | Some("OVERWRITE") | Some("INSERT_ROWS") => {}
        Some(other) => {
            return google_error(
                400,
                &format!("Invalid value at 'insert_data_option' ({other})"),
            );
        }
    }
    let Ok(request) = serde_json::from_str::<Value>(body) else {
        return google_error(400, "Invalid JSON payload received.");
    };
    let Some(a1) = resolve(&st.sheets, range) else {
        return unparsable(range);
    };
    let values: Vec<Vec<Value>> = request["values"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|row| row.as_array().cloned().unwrap_or_default())
                .collect()
        })
        .unwrap_or_default();
    let rows = st.sheets.rows_mut(&a1.sheet);
    let table_end = rows
        .iter()
        .rposition(|row| row.iter().any(|c| !is_empty(c)))
        .map_or(0, |i| i + 1);
    let c0 = a1.col0.unwrap_or(1);
    let width = values.iter().map(Vec::len).max().unwrap_or(0).max(1);
    let stored: Vec<Vec<Value>> = values
        .iter()
        .map(|row| {
            let mut cells = vec![Value::Null; c0 - 1];
            cells.extend(row.iter().map(|v| match v.as_str() {
                Some(text) if user_entered && text.starts_with('=') => json!({"formula": text}),
                _ => v.clone(),
            }));
            cells
        })
        .collect();
    let (first, height) = (table_end + 1, stored.len());
    for (i, row) in stored.into_iter().enumerate() {
        rows.insert(table_end + i, row);
    }
    let mut answer = json!({
        "spreadsheetId": st.spreadsheet_id,
        "updates": {
            "spreadsheetId": st.spreadsheet_id,
            "updatedRange": a1.display(first, c0, first + height.max(1) - 1, c0 + width - 1),
            "updatedRows": height,
            "updatedColumns": width,
            "updatedCells": values.iter().map(Vec::len).sum::<usize>(),
        },
    });
    if table_end > 0 {
        answer["tableRange"] = json!(a1.display(1, c0, table_end, c0 + width - 1));
    }
    json_response(200, &answer, GOOGLE_JSON)
}

/// `spreadsheets:batchUpdate` with `addSheet` requests only; all or nothing, like the API.
fn add_sheet(st: &mut GoogleState, body: &str) -> Response {
    let Ok(request) = serde_json::from_str::<Value>(body) else {
        return google_error(400, "Invalid JSON payload received.");
    };
    let requests = request["requests"].as_array().cloned().unwrap_or_default();
    if requests.is_empty() {
        return google_error(400, "Must specify at least one request.");
    }
    let mut titles = Vec::new();
    for (i, r) in requests.iter().enumerate() {
        let Some(title) = r["addSheet"]["properties"]["title"].as_str() else {
            return google_error(
                400,
                &format!("Invalid requests[{i}]: the fake knows addSheet with a title only"),
            );
        };
        if st.sheets.contains(title) || titles.contains(&title.to_string()) {
            return google_error(
                400,
                &format!(
                    "Invalid requests[{i}].addSheet: A sheet with the name \"{title}\" already exists. Please enter another name."
                ),
            );
        }
        titles.push(title.to_string());
    }
    let mut replies = Vec::new();
    for title in titles {
        let index = st.sheets.sheets.len();
        st.sheets.set(&title, Vec::new());
        replies.push(json!({"addSheet": {"properties": {
            "sheetId": 1000 + index, "title": title, "index": index, "sheetType": "GRID",
            "gridProperties": {"rowCount": 1000, "columnCount": 26}
        }}}));
    }
    json_response(
        200,
        &json!({"spreadsheetId": st.spreadsheet_id, "replies": replies}),
        GOOGLE_JSON,
    )
}

fn take_fault(st: &mut GoogleState, endpoint: Endpoint) -> Option<u16> {
    let (status, times) = st.faults.get_mut(&endpoint)?;
    if *times == 0 {
        return None;
    }
    *times -= 1;
    Some(*status)
}

/// Exchanges a signed service-account JWT for an access token, checking what Google checks.
fn token(st: &mut GoogleState, body: &str) -> Response {
    let form = parse_query(body);
    let get = |k: &str| {
        form.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    if get("grant_type") != Some("urn:ietf:params:oauth:grant-type:jwt-bearer") {
        return oauth_error(400, "unsupported_grant_type", "Invalid grant_type.");
    }
    let Some(assertion) = get("assertion") else {
        return oauth_error(
            400,
            "invalid_request",
            "Missing required parameter: assertion",
        );
    };
    match check_jwt(assertion, &st.token_uri) {
        Err(why) => oauth_error(400, "invalid_grant", &why),
        Ok(scope) => {
            let token = format!("ya29.fake-token-{}", st.tokens.len() + 1);
            st.tokens.insert(token.clone(), scope);
            json_response(
                200,
                &json!({"access_token": token, "expires_in": 3600, "token_type": "Bearer"}),
                GOOGLE_JSON,
            )
        }
    }
}

/// Returns the JWT's `scope` claim if the assertion is one Google would accept.
fn check_jwt(assertion: &str, token_uri: &str) -> Result<String, String> {
    let parts: Vec<&str> = assertion.split('.').collect();
    let [head, claims, signature] = parts[..] else {
        return Err("Invalid JWT: expected three base64url parts.".into());
    };
    // yup-oauth2 pads its base64url, other clients do not: accept both like Google does.
    let b64 = base64::engine::GeneralPurpose::new(
        &base64::alphabet::URL_SAFE,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    let decode_json = |part: &str| -> Result<Value, String> {
        let bytes = b64.decode(part).map_err(|e| format!("Invalid JWT: {e}"))?;
        serde_json::from_slice(&bytes).map_err(|e| format!("Invalid JWT: {e}"))
    };
    let head = decode_json(head)?;
    if head["alg"] != "RS256" {
        return Err("Invalid JWT: alg must be RS256.".into());
    }
    let signature = b64
        .decode(signature)
        .map_err(|e| format!("Invalid JWT Signature: {e}"))?;
    let public_key = ring::signature::UnparsedPublicKey::new(
        &ring::signature::RSA_PKCS1_2048_8192_SHA256,
        &test_key().public_pkcs1_der,
    );
    let signed = &assertion[..assertion.rfind('.').unwrap()];
    public_key
        .verify(signed.as_bytes(), &signature)
        .map_err(|_| "Invalid JWT Signature.".to_string())?;
    let claims = decode_json(claims)?;
    if claims["iss"] != CLIENT_EMAIL {
        return Err("Invalid issuer: no such service account.".into());
    }
    if claims["aud"] != token_uri {
        return Err(format!(
            "Invalid JWT: aud must be {token_uri}, got {}",
            claims["aud"]
        ));
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let (Some(iat), Some(exp)) = (claims["iat"].as_i64(), claims["exp"].as_i64()) else {
        return Err("Invalid JWT: iat and exp are required.".into());
    };
    if exp <= now || iat > now + 300 || exp - iat > 3600 {
        return Err("Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.".into());
    }
    match claims["scope"].as_str() {
        Some(scope) if !scope.trim().is_empty() => Ok(scope.to_string()),
        _ => Err("Invalid OAuth scope or ID token audience provided.".into()),
    }
}

fn batch_get(st: &GoogleState, query: &[(String, String)]) -> Response {
    let param = |k: &str| {
        query
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    let unformatted = param("valueRenderOption") == Some("UNFORMATTED_VALUE");
    let columns = match param("majorDimension") {
        None | Some("ROWS") | Some("DIMENSION_UNSPECIFIED") => false,
        Some("COLUMNS") => true,
        Some(other) => {
            return google_error(
                400,
                &format!("Invalid value at 'major_dimension' ({other})"),
            );
        }
    };
    let mut value_ranges = Vec::new();
    for range in query.iter().filter(|(k, _)| k == "ranges").map(|(_, v)| v) {
        let Some(a1) = resolve(&st.sheets, range) else {
            return unparsable(range);
        };
        let rows = &st.sheets.sheets[&a1.sheet];
        let (r0, c0, r1, c1) = a1.bounds(rows);
        let mut grid: Vec<Vec<Value>> = (r0..=r1)
            .map(|r| {
                (c0..=c1)
                    .map(|c| {
                        let v = rows
                            .get(r - 1)
                            .and_then(|row| row.get(c - 1))
                            .map(normalise_empty)
                            .unwrap_or_else(|| Value::String(String::new()));
                        if unformatted { v } else { formatted(v) }
                    })
                    .collect()
            })
            .collect();
        if columns {
            grid = transpose(grid);
        }
        let values = trim(grid);
        let mut entry = json!({
            "range": a1.display(r0, c0, r1, c1),
            "majorDimension": if columns { "COLUMNS" } else { "ROWS" },
        });
        if !values.is_empty() {
            entry["values"] = json!(values);
        }
        value_ranges.push(entry);
    }
    let mut answer = json!({"spreadsheetId": st.spreadsheet_id});
    if !value_ranges.is_empty() {
        answer["valueRanges"] = json!(value_ranges);
    }
    json_response(200, &answer, GOOGLE_JSON)
}

fn batch_update(st: &mut GoogleState, body: &str) -> Response {
    let Ok(request) = serde_json::from_str::<Value>(body) else {
        return google_error(400, "Invalid JSON payload received.");
    };
    match request["valueInputOption"].as_str() {
        // USER_ENTERED is stored as given: see the module comment.
        Some("RAW") | Some("USER_ENTERED") => {}
        _ => {
            return google_error(
                400,
                "Invalid valueInputOption: INPUT_VALUE_OPTION_UNSPECIFIED",
            );
        }
    }
    let data = request["data"].as_array().cloned().unwrap_or_default();
    // Validate everything first: the real API rejects the whole request on one bad range.
    let mut writes = Vec::new();
    for entry in &data {
        let Some(range) = entry["range"].as_str() else {
            return google_error(400, "Invalid data[].range: missing");
        };
        let Some(a1) = resolve(&st.sheets, range) else {
            return unparsable(range);
        };
        let mut values: Vec<Vec<Value>> = entry["values"]
            .as_array()
            .map(|rows| {
                rows.iter()
                    .map(|row| row.as_array().cloned().unwrap_or_default())
                    .collect()
            })
            .unwrap_or_default();
        if entry["majorDimension"] == "COLUMNS" {
            values = transpose(values);
        }
        let (r0, c0) = (a1.row0.unwrap_or(1), a1.col0.unwrap_or(1));
        let height = values.len();
        let width = values.iter().map(Vec::len).max().unwrap_or(0);
        if let Some(r1) = a1.row1
            && height > 0
            && r0 + height - 1 > r1
        {
            return google_error(
                400,
                &format!(
                    "Requested writing within range [{range}], but tried writing to row [{}]",
                    r0 + height - 1
                ),
            );
        }
        if let Some(c1) = a1.col1
            && width > 0
            && c0 + width - 1 > c1
        {
            return google_error(
                400,
                &format!(
                    "Requested writing within range [{range}], but tried writing to column [{}]",
                    column_name(c0 + width - 1)
                ),
            );
        }
        writes.push((a1, r0, c0, values));
    }

    let mut responses = Vec::new();
    let (mut total_rows, mut total_cols, mut total_cells) = (0, 0, 0);
    let mut sheets_touched = BTreeSet::new();
    for (a1, r0, c0, values) in writes {
        let rows = st.sheets.rows_mut(&a1.sheet);
        let (mut cells, mut rows_written, mut cols_written) = (0, 0, BTreeSet::new());
        for (i, row) in values.iter().enumerate() {
            let mut wrote_in_row = false;
            for (j, value) in row.iter().enumerate() {
                // `null` leaves the cell unchanged, as in the real API.
                if value.is_null() {
                    continue;
                }
                write_cell(rows, r0 + i, c0 + j, value.clone());
                cells += 1;
                wrote_in_row = true;
                cols_written.insert(c0 + j);
            }
            rows_written += usize::from(wrote_in_row);
        }
        let height = values.len().max(1);
        let width = values.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let mut response = json!({
            "spreadsheetId": st.spreadsheet_id,
            "updatedRange": a1.display(r0, c0, r0 + height - 1, c0 + width - 1),
        });
        if cells > 0 {
            response["updatedRows"] = json!(rows_written);
            response["updatedColumns"] = json!(cols_written.len());
            response["updatedCells"] = json!(cells);
            sheets_touched.insert(a1.sheet.clone());
        }
        total_rows += rows_written;
        total_cols += cols_written.len();
        total_cells += cells;
        responses.push(response);
    }
    let mut answer = json!({"spreadsheetId": st.spreadsheet_id});
    if total_cells > 0 {
        answer["totalUpdatedRows"] = json!(total_rows);
        answer["totalUpdatedColumns"] = json!(total_cols);
        answer["totalUpdatedCells"] = json!(total_cells);
        answer["totalUpdatedSheets"] = json!(sheets_touched.len());
    }
    if !responses.is_empty() {
        answer["responses"] = json!(responses);
    }
    json_response(200, &answer, GOOGLE_JSON)
}

/// A parsed A1 range: a sheet and optional 1-based bounds (`None` = open-ended).
#[derive(Debug, Clone, PartialEq)]
struct A1 {
    sheet: String,
    row0: Option<usize>,
    col0: Option<usize>,
    row1: Option<usize>,
    col1: Option<usize>,
}

impl A1 {
    /// Inclusive bounds, open ends closed by the sheet's grid (at least 1000 x 26 like a new
    /// Google sheet).
    fn bounds(&self, rows: &[Vec<Value>]) -> (usize, usize, usize, usize) {
        let grid_rows = rows.len().max(1000);
        let grid_cols = rows.iter().map(Vec::len).max().unwrap_or(0).max(26);
        (
            self.row0.unwrap_or(1),
            self.col0.unwrap_or(1),
            self.row1.unwrap_or(grid_rows),
            self.col1.unwrap_or(grid_cols),
        )
    }

    fn display(&self, r0: usize, c0: usize, r1: usize, c1: usize) -> String {
        let simple = self
            .sheet
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
        let sheet = if simple {
            self.sheet.clone()
        } else {
            format!("'{}'", self.sheet.replace('\'', "''"))
        };
        if (r0, c0) == (r1, c1) {
            format!("{sheet}!{}{r0}", column_name(c0))
        } else {
            format!("{sheet}!{}{r0}:{}{r1}", column_name(c0), column_name(c1))
        }
    }
}

/// Parses a range whose sheet exists (`None` is answered with `unparsable`, as the API does).
fn resolve(sheets: &Sheets, range: &str) -> Option<A1> {
    parse_a1(range).filter(|a1| sheets.contains(&a1.sheet))
}

fn unparsable(range: &str) -> Response {
    google_error(400, &format!("Unable to parse range: {range}"))
}

fn parse_a1(range: &str) -> Option<A1> {
    let (sheet, cells) = if let Some(rest) = range.strip_prefix('\'') {
        let mut name = String::new();
        let mut chars = rest.char_indices().peekable();
        let mut end = None;
        while let Some((i, c)) = chars.next() {
            if c == '\'' {
                if chars.peek().map(|(_, c)| *c) == Some('\'') {
                    name.push('\'');
                    chars.next();
                    continue;
                }
                end = Some(i + 1);
                break;
            }
            name.push(c);
        }
        let after = &rest[end?..];
        match after {
            "" => (name, None),
            _ => (name, Some(after.strip_prefix('!')?)),
        }
    } else {
        match range.split_once('!') {
            Some((name, cells)) => (name.to_string(), Some(cells)),
            None => (range.to_string(), None),
        }
    };
    if sheet.is_empty() {
        return None;
    }
    let mut a1 = A1 {
        sheet,
        row0: None,
        col0: None,
        row1: None,
        col1: None,
    };
    let Some(cells) = cells else {
        return Some(a1);
    };
    match cells.split_once(':') {
        None => {
            let (col, row) = parse_cell(cells)?;
            // A lone reference must be a full cell (`K5`).
            let (col, row) = (col?, row?);
            (a1.col0, a1.row0, a1.col1, a1.row1) = (Some(col), Some(row), Some(col), Some(row));
        }
        Some((start, end)) => {
            let (c0, r0) = parse_cell(start)?;
            let (c1, r1) = parse_cell(end)?;
            // `A1:Z9`, `A1:Z` (open end row), `A:L` (columns) and `2:3` (rows) are valid;
            // `A1:5` or `A:B5` are not.
            if c0.is_some() != c1.is_some() || (r1.is_some() && r0.is_none()) {
                return None;
            }
            (a1.col0, a1.row0, a1.col1, a1.row1) = (c0, r0, c1, r1);
            if a1.col0.zip(a1.col1).is_some_and(|(a, b)| a > b)
                || a1.row0.zip(a1.row1).is_some_and(|(a, b)| a > b)
            {
                return None;
            }
        }
    }
    Some(a1)
}

/// `K5` -> (Some(11), Some(5)); `K` -> (Some(11), None); `5` -> (None, Some(5)).
fn parse_cell(text: &str) -> Option<(Option<usize>, Option<usize>)> {
    let split = text
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(text.len());
    let (letters, digits) = text.split_at(split);
    if letters.is_empty() && digits.is_empty() {
        return None;
    }
    let col = if letters.is_empty() {
        None
    } else {
        Some(letters.chars().try_fold(0usize, |acc, c| {
            acc.checked_mul(26)?
                .checked_add(c.to_ascii_uppercase() as usize - 'A' as usize + 1)
        })?)
    };
    let row = if digits.is_empty() {
        None
    } else {
        Some(digits.parse::<usize>().ok().filter(|r| *r >= 1)?)
    };
    Some((col, row))
}

/// 1 -> `A`, 27 -> `AA`.
fn column_name(mut col: usize) -> String {
    let mut name = Vec::new();
    while col > 0 {
        let rem = (col - 1) % 26;
        name.push(b'A' + rem as u8);
        col = (col - 1) / 26;
    }
    name.reverse();
    String::from_utf8(name).unwrap()
}

fn is_empty(value: &Value) -> bool {
    value.is_null() || value.as_str() == Some("")
}

fn normalise_empty(value: &Value) -> Value {
    if is_empty(value) {
        Value::String(String::new())
    } else {
        value.clone()
    }
}

/// `FORMATTED_VALUE` rendering: everything is text (`TRUE`/`FALSE` for booleans).
fn formatted(value: Value) -> Value {
    match value {
        Value::Number(n) => Value::String(n.to_string()),
        Value::Bool(b) => Value::String(if b { "TRUE" } else { "FALSE" }.into()),
        other => other,
    }
}

/// Drops trailing empty cells of each row, then trailing empty rows, as the API does.
fn trim(mut rows: Vec<Vec<Value>>) -> Vec<Vec<Value>> {
    for row in &mut rows {
        while row.last().is_some_and(is_empty) {
            row.pop();
        }
    }
    while rows.last().is_some_and(Vec::is_empty) {
        rows.pop();
    }
    rows
}

fn transpose(rows: Vec<Vec<Value>>) -> Vec<Vec<Value>> {
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    (0..width)
        .map(|c| {
            rows.iter()
                .map(|row| row.get(c).cloned().unwrap_or(Value::Null))
                .collect()
        })
        .collect()
}

fn write_cell(rows: &mut Vec<Vec<Value>>, row: usize, col: usize, value: Value) {
    if rows.len() < row {
        rows.resize(row, Vec::new());
    }
    let cells = &mut rows[row - 1];
    if cells.len() < col {
        cells.resize(col, Value::Null);
    }
    cells[col - 1] = value;
}

/// Google's JSON error shape for the Sheets API.
fn google_error(code: u16, message: &str) -> Response {
    let status = match code {
        400 => "INVALID_ARGUMENT",
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        409 => "ABORTED",
        429 => "RESOURCE_EXHAUSTED",
        500 => "INTERNAL",
        503 => "UNAVAILABLE",
        504 => "DEADLINE_EXCEEDED",
        _ => "UNKNOWN",
    };
    json_response(
        code,
        &json!({"error": {"code": code, "message": message, "status": status}}),
        GOOGLE_JSON,
    )
}

/// The OAuth token endpoint's error shape (RFC 6749).
fn oauth_error(code: u16, error: &str, description: &str) -> Response {
    json_response(
        code,
        &json!({"error": error, "error_description": description}),
        GOOGLE_JSON,
    )
}
