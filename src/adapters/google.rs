//! Google Sheets v4 `values` API through `google-sheets4`, authenticated as a service account
//! (`yup-oauth2`; the token endpoint is the key file's `token_uri`).

use std::path::Path;
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use google_sheets4::api::{
    AddSheetRequest, BatchUpdateSpreadsheetRequest, BatchUpdateValuesRequest, Request, Scope,
    SheetProperties, ValueRange,
};
use google_sheets4::{Sheets, hyper_rustls, hyper_util, yup_oauth2};

use super::{CellValue, CellWrite, ServiceError, SheetStore, TypedCellWrite, values_stream};
use crate::core::domain::Secret;
use crate::core::sheet::{Block, Grid, RowSink, quoted_sheet};

type Incoming = google_sheets4::hyper::body::Incoming;
type Connector = hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>;

/// An HTTPS connector that also speaks plain HTTP, for local emulators and tests. Built once:
/// loading the system's root certificates is the costliest part of start-up.
pub fn https_or_http() -> Result<Connector, ServiceError> {
    static CONNECTOR: std::sync::OnceLock<Result<Connector, String>> = std::sync::OnceLock::new();
    CONNECTOR
        .get_or_init(|| {
            Ok(hyper_rustls::HttpsConnectorBuilder::new()
                .with_native_roots()
                .map_err(|e| format!("cannot load the system's TLS root certificates: {e}"))?
                .https_or_http()
                .enable_http1()
                .enable_http2()
                .build())
        })
        .clone()
        .map_err(ServiceError::Unavailable)
}

/// The service-account key from a file (`GOOGLE_APPLICATION_CREDENTIALS`).
pub async fn read_key_file(path: &Path) -> Result<yup_oauth2::ServiceAccountKey, ServiceError> {
    let cannot = |why: String| {
        ServiceError::Invalid(format!(
            "cannot read the service-account key {}: {why} (download a JSON key of the service \
             account)",
            path.display()
        ))
    };
    let bytes = tokio::fs::read(path)
        .await
        .map_err(|e| cannot(e.kind().to_string()))?;
    key_from_json(&bytes).map_err(cannot)
}

/// The service-account key from a secret's text. A parse error names the position only, so the
/// key cannot leak through it.
pub fn parse_key(json: &Secret) -> Result<yup_oauth2::ServiceAccountKey, ServiceError> {
    key_from_json(json.expose().as_bytes()).map_err(|why| {
        ServiceError::Invalid(format!(
            "the Google key secret is not a service-account JSON key: {why}"
        ))
    })
}

/// serde_json quotes a mistyped value (`invalid type: string "-----BEGIN PRIVATE KEY…"`, as for
/// a key stored as one JSON string): only the kind of error and its position are kept.
fn key_from_json(bytes: &[u8]) -> Result<yup_oauth2::ServiceAccountKey, String> {
    serde_json::from_slice(bytes).map_err(|e: serde_json::Error| {
        let kind = match e.classify() {
            serde_json::error::Category::Io => "unreadable",
            serde_json::error::Category::Syntax => "not valid JSON",
            serde_json::error::Category::Eof => "cut short",
            serde_json::error::Category::Data => {
                "not a JSON object with the fields of a service-account key"
            }
        };
        format!("{kind} at line {}, column {}", e.line(), e.column())
    })
}

pub struct GoogleSheets {
    hub: Sheets<Connector>,
    spreadsheet_id: String,
    /// A hung connection must not hang the run until the Lambda's own timeout.
    attempt_timeout: Duration,
    /// The API base, for the streamed reads made without google-sheets4.
    api_url: String,
}

impl GoogleSheets {
    pub async fn connect(
        key: yup_oauth2::ServiceAccountKey,
        api_url: &str,
        spreadsheet_id: &str,
        attempt_timeout: Duration,
    ) -> Result<Self, ServiceError> {
        // The token client and the API client carry different body types, hence two clients.
        let builder =
            || hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new());
        let auth = yup_oauth2::ServiceAccountAuthenticator::with_client(
            key,
            yup_oauth2::client::CustomHyperClientBuilder::from(builder().build(https_or_http()?)),
        )
        .build()
        .await
        .map_err(|e| ServiceError::Invalid(format!("cannot set up Google authentication: {e}")))?;
        let mut hub = Sheets::new(builder().build(https_or_http()?), auth);
        hub.base_url(api_url.to_string());
        hub.root_url(api_url.to_string());
        Ok(GoogleSheets {
            hub,
            spreadsheet_id: spreadsheet_id.to_string(),
            attempt_timeout,
            api_url: api_url.to_string(),
        })
    }

    /// Asks `values:batchGet` for the ranges; the answer's body is decoded as it arrives
    /// (see [`Self::decode_streamed`]): google-sheets4 would hold it whole, then as `Value`
    /// cells of every column, several times its size.
    async fn batch_get_open(&self, ranges: &[String]) -> Result<Incoming, Failure> {
        use google_sheets4::common::{to_body, to_bytes};
        use google_sheets4::hyper::{Method, Request, header};
        let mut url = format!(
            "{}/v4/spreadsheets/{}/values:batchGet?valueRenderOption=UNFORMATTED_VALUE\
             &dateTimeRenderOption=SERIAL_NUMBER&majorDimension=ROWS&alt=json",
            self.api_url.trim_end_matches('/'),
            escape(&self.spreadsheet_id)
        );
        for range in ranges {
            url.push_str("&ranges=");
            url.push_str(&escape(range));
        }
        let (status, body) = timed(self.attempt_timeout, async {
            let token = self
                .hub
                .auth
                .get_token(&[Scope::Spreadsheet.as_ref()])
                .await
                .map_err(google_sheets4::Error::MissingToken)?;
            let mut request = Request::builder().method(Method::GET).uri(url.as_str());
            if let Some(token) = token {
                request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
            }
            let request = request
                .body(to_body::<String>(None))
                .map_err(|e| google_sheets4::Error::Io(std::io::Error::other(e)))?;
            let response = self
                .hub
                .client
                .request(request)
                .await
                .map_err(google_sheets4::Error::HttpError)?;
            let status = response.status();
            if status.is_success() {
                return Ok((status, Ok(response.into_body())));
            }
            Ok((status, Err(to_bytes(response.into_body()).await)))
        })
        .await?;
        match body {
            Ok(body) => Ok(body),
            Err(bytes) => Err(
                match serde_json::from_slice::<serde_json::Value>(&bytes.unwrap_or_default()) {
                    Ok(error) if error["error"].is_object() => from_error_body(&error),
                    _ => from_status(
                        status.as_u16(),
                        format!("Sheets API answered HTTP {}", status.as_u16()),
                    ),
                },
            ),
        }
    }

    /// Decodes the answer into the sinks as its bytes arrive, so the JSON text of a large
    /// sheet is never held whole either (on a current-thread runtime: received, then decoded).
    async fn decode_streamed(
        &self,
        body: Incoming,
        sinks: &mut [&mut dyn RowSink],
    ) -> Result<(), ServiceError> {
        use http_body_util::BodyExt;
        let limit = self.attempt_timeout;
        let unreadable = |e: serde_json::Error| {
            let message = format!(
                "spreadsheet {}: the Sheets API answer could not be read: {e}",
                self.spreadsheet_id
            );
            if e.is_io() {
                ServiceError::Unavailable(message)
            } else {
                ServiceError::Invalid(message)
            }
        };
        let late = move || format!("no answer within {} s", limit.as_secs());
        if tokio::runtime::Handle::current().runtime_flavor()
            != tokio::runtime::RuntimeFlavor::MultiThread
        {
            let bytes = tokio::time::timeout(limit, body.collect())
                .await
                .map_err(|_| ServiceError::Unavailable(late()))?
                .map_err(|e| ServiceError::Unavailable(format!("connection failed: {e}")))?
                .to_bytes();
            return values_stream::decode(&bytes, sinks).map_err(unreadable);
        }
        // Two chunks in flight keep the decoder fed; each may be hundreds of KB, and a deeper
        // queue held megabytes of the answer beside every row already read (docs/benchmark.md).
        let (tx, rx) = tokio::sync::mpsc::channel(2);
        let pump = tokio::spawn(async move {
            let mut body = body;
            let pumped = tokio::time::timeout(limit, async {
                while let Some(frame) = body.frame().await {
                    let frame = frame.map_err(|e| format!("connection failed: {e}"))?;
                    if let Ok(data) = frame.into_data()
                        && tx.send(Ok(data)).await.is_err()
                    {
                        break;
                    }
                }
                Ok(())
            })
            .await
            .unwrap_or_else(|_| Err(late()));
            if let Err(e) = pumped {
                let _ = tx.send(Err(e)).await;
            }
        });
        let decoded = tokio::task::block_in_place(|| {
            values_stream::decode_reader(values_stream::ChunkReader::new(rx), sinks)
        });
        pump.abort();
        decoded.map_err(unreadable)
    }

    async fn batch_get(&self, ranges: &[String]) -> Result<Vec<Grid>, Failure> {
        let mut call = self
            .hub
            .spreadsheets()
            .values_batch_get(&self.spreadsheet_id)
            .value_render_option("UNFORMATTED_VALUE")
            .date_time_render_option("SERIAL_NUMBER")
            .major_dimension("ROWS")
            // Without it batchGet asks for drive.readonly, a second token for nothing.
            .add_scope(Scope::Spreadsheet);
        for range in ranges {
            call = call.add_ranges(range);
        }
        let (_, body) = timed(self.attempt_timeout, call.doit()).await?;
        let mut grids: Vec<Grid> = body
            .value_ranges
            .unwrap_or_default()
            .into_iter()
            .map(|vr| vr.values.unwrap_or_default())
            .collect();
        grids.resize(ranges.len(), Grid::new());
        Ok(grids)
    }

    async fn batch_update(&self, cells: &[(String, serde_json::Value)]) -> Result<(), Failure> {
        let request = BatchUpdateValuesRequest {
            // RAW: what keywarden writes is read back exactly (no locale-dependent parsing).
            value_input_option: Some("RAW".into()),
            data: Some(
                cells
                    .iter()
                    .map(|(range, value)| ValueRange {
                        range: Some(range.clone()),
                        major_dimension: Some("ROWS".into()),
                        values: Some(vec![vec![value.clone()]]),
                    })
                    .collect(),
            ),
            ..Default::default()
        };
        timed(
            self.attempt_timeout,
            self.hub
                .spreadsheets()
                .values_batch_update(request, &self.spreadsheet_id)
                .add_scope(Scope::Spreadsheet)
                .doit(),
        )
        .await?;
        Ok(())
    }
}

impl GoogleSheets {
    async fn append_once(
        &self,
        range: &str,
        rows: &[Vec<serde_json::Value>],
    ) -> Result<(), Failure> {
        let request = ValueRange {
            range: None,
            major_dimension: Some("ROWS".into()),
            values: Some(rows.to_vec()),
        };
        timed(
            self.attempt_timeout,
            self.hub
                .spreadsheets()
                .values_append(request, &self.spreadsheet_id, range)
                // RAW: a name or reason typed by a person can never become a formula.
                .value_input_option("RAW")
                // New rows are inserted, so nothing below the table is ever overwritten.
                .insert_data_option("INSERT_ROWS")
                .add_scope(Scope::Spreadsheet)
                .doit(),
        )
        .await?;
        Ok(())
    }

    async fn add_sheet_once(&self, title: &str) -> Result<(), Failure> {
        let request = BatchUpdateSpreadsheetRequest {
            requests: Some(vec![Request {
                add_sheet: Some(AddSheetRequest {
                    properties: Some(SheetProperties {
                        title: Some(title.to_string()),
                        ..Default::default()
                    }),
                }),
                ..Default::default()
            }]),
            ..Default::default()
        };
        timed(
            self.attempt_timeout,
            self.hub
                .spreadsheets()
                .batch_update(request, &self.spreadsheet_id)
                .add_scope(Scope::Spreadsheet)
                .doit(),
        )
        .await?;
        Ok(())
    }
}

impl SheetStore for GoogleSheets {
    async fn read(&self, sheets: &[&str]) -> Result<Vec<Grid>, ServiceError> {
        let ranges: Vec<String> = sheets.iter().map(|s| quoted_sheet(s)).collect();
        (|| self.batch_get(&ranges))
            .retry(backoff())
            .when(Failure::is_transient)
            .notify(|e, d| tracing::warn!(error = %e.message, retry_in = ?d, "Sheets read failed, retrying"))
            .await
            .map_err(|e| e.into_service_error(&self.spreadsheet_id))
    }

    async fn read_into(
        &self,
        blocks: &[Block],
        sinks: &mut [&mut dyn RowSink],
    ) -> Result<(), ServiceError> {
        let ranges: Vec<String> = blocks.iter().map(Block::a1).collect();
        let body = (|| self.batch_get_open(&ranges))
            .retry(backoff())
            .when(Failure::is_transient)
            .notify(|e, d| tracing::warn!(error = %e.message, retry_in = ?d, "Sheets read failed, retrying"))
            .await
            .map_err(|e| e.into_service_error(&self.spreadsheet_id))?;
        self.decode_streamed(body, sinks).await
    }

    async fn write(&self, cells: &[CellWrite]) -> Result<(), ServiceError> {
        let cells: Vec<(String, serde_json::Value)> = cells
            .iter()
            .map(|c| (c.range.clone(), serde_json::Value::String(c.value.clone())))
            .collect();
        self.write_json(&cells).await
    }

    /// A date is written as its serial number (days since 1899-12-30), RAW: the one way to
    /// store a real date without USER_ENTERED, which would also parse the text cells of the
    /// same request (a reason starting with `=` would become a formula). A date-formatted
    /// column (a Forms answer, a typed date) shows it as a date; keywarden reads it back as a
    /// date either way (SERIAL_NUMBER).
    async fn write_values(&self, cells: &[TypedCellWrite]) -> Result<(), ServiceError> {
        let cells: Vec<(String, serde_json::Value)> = cells
            .iter()
            .map(|c| {
                let value = match &c.value {
                    CellValue::Text(t) => serde_json::Value::String(t.clone()),
                    CellValue::Date(d) => serde_json::Value::from(date_serial(*d)),
                };
                (c.range.clone(), value)
            })
            .collect();
        self.write_json(&cells).await
    }

    /// Retried like the other calls: an append whose answer was lost may then be made twice
    /// (the same 実行ID on both lines), which beats losing the line.
    async fn append(
        &self,
        sheet: &str,
        rows: &[Vec<serde_json::Value>],
    ) -> Result<(), ServiceError> {
        let range = format!("{}!A:J", quoted_sheet(sheet));
        (|| self.append_once(&range, rows))
            .retry(backoff())
            .when(Failure::is_transient)
            .notify(|e, d| tracing::warn!(error = %e.message, retry_in = ?d, "Sheets append failed, retrying"))
            .await
            .map_err(|e| {
                // The API's answer for a sheet that does not exist.
                if e.status == Some(400) && e.message.contains("Unable to parse range") {
                    ServiceError::NotFound(format!(
                        "spreadsheet {}: there is no sheet \"{sheet}\"",
                        self.spreadsheet_id
                    ))
                } else {
                    e.into_service_error(&self.spreadsheet_id)
                }
            })
    }

    async fn add_sheet(&self, sheet: &str) -> Result<(), ServiceError> {
        (|| self.add_sheet_once(sheet))
            .retry(backoff())
            .when(Failure::is_transient)
            .notify(|e, d| tracing::warn!(error = %e.message, retry_in = ?d, "adding a sheet failed, retrying"))
            .await
            .map_err(|e| {
                if e.status == Some(400) && e.message.contains("already exists") {
                    ServiceError::Conflict(format!(
                        "spreadsheet {}: a sheet named \"{sheet}\" exists already",
                        self.spreadsheet_id
                    ))
                } else {
                    e.into_service_error(&self.spreadsheet_id)
                }
            })
    }
}

/// Google Sheets' serial number of a date.
fn date_serial(date: chrono::NaiveDate) -> i64 {
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default();
    (date - epoch).num_days()
}

impl GoogleSheets {
    async fn write_json(&self, cells: &[(String, serde_json::Value)]) -> Result<(), ServiceError> {
        (|| self.batch_update(cells))
            .retry(backoff())
            .when(Failure::is_transient)
            .notify(|e, d| tracing::warn!(error = %e.message, retry_in = ?d, "Sheets write failed, retrying"))
            .await
            .map_err(|e| e.into_service_error(&self.spreadsheet_id))
    }
}

/// Google asks clients to back off exponentially on 429 and 5xx.
fn backoff() -> ExponentialBuilder {
    ExponentialBuilder::default()
        .with_min_delay(Duration::from_millis(500))
        .with_max_delay(Duration::from_secs(8))
        .with_max_times(4)
        .with_jitter()
}

/// A failed call: its HTTP status if any, and a message safe to show.
#[derive(Debug)]
struct Failure {
    status: Option<u16>,
    transient: bool,
    message: String,
}

impl Failure {
    fn is_transient(&self) -> bool {
        self.transient
    }

    fn into_service_error(self, spreadsheet_id: &str) -> ServiceError {
        let hint = match self.status {
            Some(401) | Some(403) => {
                " — share the spreadsheet with the service account's client_email (Editor) and \
                 enable the Google Sheets API in its project"
            }
            Some(404) => " — check KEYWARDEN_SPREADSHEET_ID (the ID in the sheet's URL)",
            Some(400) if self.message.contains("parse range") => {
                " — a sheet of that name does not exist: check KEYWARDEN_REQUEST_SHEET and KEYWARDEN_USERS_SHEET"
            }
            _ => "",
        };
        let message = format!("spreadsheet {spreadsheet_id}: {}{hint}", self.message);
        match self.status {
            Some(401) | Some(403) => ServiceError::AccessDenied(message),
            Some(404) => ServiceError::NotFound(message),
            Some(400) => ServiceError::Invalid(message),
            Some(429) => ServiceError::Throttled(message),
            _ => ServiceError::Unavailable(message),
        }
    }
}

async fn timed<T>(
    limit: Duration,
    call: impl Future<Output = google_sheets4::Result<T>>,
) -> Result<T, Failure> {
    match tokio::time::timeout(limit, call).await {
        Err(_) => Err(Failure {
            status: None,
            transient: true,
            message: format!("no answer within {} s", limit.as_secs()),
        }),
        Ok(result) => result.map_err(classify),
    }
}

/// Percent-encodes a query value or path segment (everything but RFC 3986's unreserved).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn from_status(status: u16, message: String) -> Failure {
    Failure {
        status: Some(status),
        transient: status == 429 || status >= 500,
        message,
    }
}

/// Google's JSON error (`{"error": {"code", "message", "status"}}`).
fn from_error_body(body: &serde_json::Value) -> Failure {
    let status = body["error"]["code"].as_u64().unwrap_or(400) as u16;
    let text = body["error"]["message"].as_str().unwrap_or("").to_string();
    let code = body["error"]["status"].as_str().unwrap_or("");
    from_status(
        status,
        format!("Sheets API answered {status} {code}: {text}"),
    )
}

/// No access token: the token endpoint could not be reached (the network; worth a retry), or
/// Google refused the key (a deleted or disabled key: no retry helps).
fn token_failure(err: &(dyn std::error::Error + Send + Sync + 'static)) -> Failure {
    use yup_oauth2::Error as E;
    let (transient, message) = match err.downcast_ref::<E>() {
        Some(E::HttpError(_) | E::HttpClientError(_) | E::LowLevelError(_)) => (
            true,
            format!(
                "could not reach Google's token endpoint (the key file's token_uri): {err}: \
                 check the network and any proxy; the key file itself was read"
            ),
        ),
        // A named OAuth error code is a refusal; anything else (`internal_failure` with a
        // 5xx) is the endpoint failing, worth a retry.
        Some(E::AuthError(auth))
            if matches!(auth.error, yup_oauth2::error::AuthErrorCode::Other(_)) =>
        {
            (
                true,
                format!(
                    "could not get a Google access token: the token endpoint failed ({err}); \
                 retried, try again later"
                ),
            )
        }
        Some(E::AuthError(_)) => (
            false,
            format!(
                "Google refused the service-account key: {err}: check that the key in the key \
                 file still exists (IAM & Admin → Service Accounts → Keys) and is not disabled"
            ),
        ),
        _ => (
            true,
            format!(
                "could not get a Google access token: {err} (check the key file and its token_uri)"
            ),
        ),
    };
    Failure {
        status: None,
        transient,
        message,
    }
}

/// Sorts google-sheets4's errors into retry or give up, without echoing tokens.
fn classify(e: google_sheets4::Error) -> Failure {
    use google_sheets4::Error as E;
    match e {
        E::BadRequest(body) => from_error_body(&body),
        E::Failure(response) => {
            let status = response.status().as_u16();
            from_status(status, format!("Sheets API answered HTTP {status}"))
        }
        E::HttpError(err) => Failure {
            status: None,
            transient: true,
            message: format!(
                "could not reach the Sheets API (connection failed: {err}): check the network, \
                 a proxy, and KEYWARDEN_SHEETS_API_URL"
            ),
        },
        E::MissingToken(err) => token_failure(err.as_ref()),
        E::Io(err) => Failure {
            status: None,
            transient: true,
            message: format!("I/O error: {err}"),
        },
        other => Failure {
            status: None,
            transient: false,
            message: other.to_string(),
        },
    }
}

#[cfg(test)]
mod key_error_tests {
    use super::*;

    #[test]
    fn a_malformed_key_is_never_quoted() {
        for text in [
            r#""-----BEGIN PRIVATE KEY-----SECRET-PEM""#,
            r#"{"type": "service_account", "private_key": "SECRET-PEM""#,
            r#"["SECRET-PEM"]"#,
        ] {
            let err = parse_key(&Secret::new(text.to_string()))
                .unwrap_err()
                .to_string();
            assert!(!err.contains("SECRET"), "{err}");
            assert!(err.contains("line 1, column"), "{err}");
        }
    }
}
