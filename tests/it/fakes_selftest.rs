//! Proves the fakes behave like the real services, using the same client libraries keywarden
//! uses (google-sheets4/yup-oauth2, slack-morphism, aws-sdk-iam) but none of keywarden's code.

use crate::support;

use aws_sdk_iam::error::ProvideErrorMetadata;
use google_sheets4::api::{BatchUpdateValuesRequest, ValueRange};
use google_sheets4::{Sheets, hyper_util, yup_oauth2};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;

use support::google::{Endpoint, FakeGoogle};
use support::moto::{Loadout, Moto, StrictIam, iam_client, load_user, raw_iam_call, remaining};
use support::slack::FakeSlack;
use support::{HttpReply, http};

const SHEETS_SCOPE: &str = "https://www.googleapis.com/auth/spreadsheets";

async fn get(url: &str, token: Option<&str>) -> HttpReply {
    let auth = token.map(|t| format!("Bearer {t}"));
    let headers: Vec<(&str, &str)> = auth.iter().map(|a| ("authorization", a.as_str())).collect();
    http("GET", url, &headers, "").await
}

async fn post_json(url: &str, token: &str, body: &Value) -> HttpReply {
    let auth = format!("Bearer {token}");
    http(
        "POST",
        url,
        &[
            ("authorization", &auth),
            ("content-type", "application/json; charset=utf-8"),
        ],
        body.to_string(),
    )
    .await
}

fn batch_get_url(google: &FakeGoogle, id: &str, ranges: &[&str]) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for range in ranges {
        query.append_pair("ranges", range);
    }
    query.append_pair("valueRenderOption", "UNFORMATTED_VALUE");
    query.append_pair("dateTimeRenderOption", "SERIAL_NUMBER");
    query.append_pair("alt", "json");
    format!(
        "{}v4/spreadsheets/{id}/values:batchGet?{}",
        google.base_url(),
        query.finish()
    )
}

/// The happy path with the real client: yup-oauth2 signs an RS256 JWT with the generated key,
/// the fake verifies it and issues a token, google-sheets4 reads and writes with it.
#[tokio::test]
async fn google_real_client_token_read_and_write() {
    let google = FakeGoogle::start("sheet-1").await;
    google.set_sheet(
        "key_request_form",
        vec![
            vec![json!("氏名"), json!("アカウント名"), json!("状態")],
            vec![json!("山田 太郎"), json!("yamada"), json!("")],
        ],
    );
    google.set_sheet("シート1", vec![vec![json!(46355), json!(true)]]);
    let dir = tempfile::tempdir().unwrap();
    let key_file = google.write_service_account_file(dir.path());

    let key = yup_oauth2::read_service_account_key(&key_file)
        .await
        .unwrap();
    let auth_client =
        hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
            .build::<_, String>(HttpConnector::new());
    let auth = yup_oauth2::ServiceAccountAuthenticator::with_client(
        key,
        yup_oauth2::client::CustomHyperClientBuilder::from(auth_client),
    )
    .build()
    .await
    .unwrap();
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build(HttpConnector::new());
    let mut hub = Sheets::new(client, auth);
    hub.base_url(google.base_url());

    let (_, read) = hub
        .spreadsheets()
        .values_batch_get("sheet-1")
        .add_ranges("key_request_form")
        .add_ranges("'シート1'!A1:Z")
        .value_render_option("UNFORMATTED_VALUE")
        .date_time_render_option("SERIAL_NUMBER")
        .add_scope(SHEETS_SCOPE)
        .doit()
        .await
        .unwrap();
    let ranges = read.value_ranges.unwrap();
    assert_eq!(
        ranges[0].range.as_deref(),
        Some("key_request_form!A1:Z1000")
    );
    assert_eq!(
        ranges[0].values.as_ref().unwrap()[1],
        vec![json!("山田 太郎"), json!("yamada")],
        "trailing empty cell omitted"
    );
    assert_eq!(ranges[1].range.as_deref(), Some("'シート1'!A1:Z1000"));
    assert_eq!(
        ranges[1].values.as_ref().unwrap()[0],
        vec![json!(46355), json!(true)]
    );

    let update = BatchUpdateValuesRequest {
        value_input_option: Some("RAW".into()),
        data: Some(vec![ValueRange {
            range: Some("'key_request_form'!C2".into()),
            values: Some(vec![vec![json!("削除済み")]]),
            ..ValueRange::default()
        }]),
        ..BatchUpdateValuesRequest::default()
    };
    let (_, written) = hub
        .spreadsheets()
        .values_batch_update(update, "sheet-1")
        .add_scope(SHEETS_SCOPE)
        .doit()
        .await
        .unwrap();
    assert_eq!(written.total_updated_cells, Some(1));
    assert_eq!(
        google.cell("key_request_form", "C2"),
        Some(json!("削除済み"))
    );

    let counts = google.counts();
    assert_eq!((counts.token, counts.reads, counts.writes), (1, 1, 1));
    assert_eq!(google.scopes(), vec![SHEETS_SCOPE.to_string()]);
    let read_request = google
        .requests()
        .into_iter()
        .find(|r| r.path.ends_with("values:batchGet"))
        .unwrap();
    assert_eq!(
        read_request.param("valueRenderOption"),
        Some("UNFORMATTED_VALUE")
    );
    assert_eq!(
        read_request.param("dateTimeRenderOption"),
        Some("SERIAL_NUMBER")
    );
    assert_eq!(
        read_request.params("ranges"),
        vec!["key_request_form", "'シート1'!A1:Z"]
    );
}

#[tokio::test]
async fn google_token_endpoint_rejects_bad_requests() {
    let google = FakeGoogle::start("sheet-1").await;
    let form = "application/x-www-form-urlencoded";
    let wrong_grant = http(
        "POST",
        &google.token_uri(),
        &[("content-type", form)],
        "grant_type=client_credentials&assertion=a.b.c",
    )
    .await;
    assert_eq!(wrong_grant.status, 400);
    assert_eq!(wrong_grant.json()["error"], "unsupported_grant_type");

    for assertion in ["not-a-jwt", "a.b", "eyJhbGciOiJSUzI1NiJ9.e30.AAAA"] {
        let body = format!(
            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion={assertion}"
        );
        let reply = http("POST", &google.token_uri(), &[("content-type", form)], body).await;
        assert_eq!(reply.status, 400, "{assertion}");
        assert_eq!(reply.json()["error"], "invalid_grant", "{assertion}");
    }
    assert!(google.issued_tokens().is_empty());
    assert_eq!(google.counts().token, 4);
}

#[tokio::test]
async fn google_requires_an_issued_bearer_token_with_the_right_scope() {
    let google = FakeGoogle::start("sheet-1").await;
    google.set_sheet("s", vec![vec![json!("a")]]);
    let url = batch_get_url(&google, "sheet-1", &["s"]);

    let missing = get(&url, None).await;
    assert_eq!(missing.status, 401);
    assert_eq!(missing.json()["error"]["status"], "UNAUTHENTICATED");
    assert_eq!(missing.json()["error"]["code"], 401);
    assert_eq!(get(&url, Some("ya29.forged")).await.status, 401);

    let readonly = google.issue_token("https://www.googleapis.com/auth/spreadsheets.readonly");
    assert_eq!(get(&url, Some(&readonly)).await.status, 200);
    let write_url = format!(
        "{}v4/spreadsheets/sheet-1/values:batchUpdate?alt=json",
        google.base_url()
    );
    let body = json!({"valueInputOption": "RAW", "data": [{"range": "s!A1", "values": [["b"]]}]});
    let denied = post_json(&write_url, &readonly, &body).await;
    assert_eq!(denied.status, 403);
    assert_eq!(denied.json()["error"]["status"], "PERMISSION_DENIED");
    assert_eq!(google.cell("s", "A1"), Some(json!("a")));

    let token = google.issue_token(SHEETS_SCOPE);
    let unknown = get(&batch_get_url(&google, "other-id", &["s"]), Some(&token)).await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.json()["error"]["status"], "NOT_FOUND");
}

#[tokio::test]
async fn google_batch_get_trims_like_the_api() {
    let google = FakeGoogle::start("sheet-1").await;
    let token = google.issue_token(SHEETS_SCOPE);
    google.set_sheet(
        "key_request_form",
        vec![
            vec![json!("A"), json!("B"), json!(""), json!("D")],
            vec![json!(""), json!("x"), json!(""), Value::Null],
            vec![],
            vec![json!(46355), json!(""), json!(false)],
            vec![json!(""), json!("")],
            vec![],
        ],
    );
    google.set_sheet("シート'1", vec![vec![json!("quoted")]]);

    let reply = get(
        &batch_get_url(
            &google,
            "sheet-1",
            &[
                "key_request_form",
                "'シート''1'",
                "'key_request_form'!K5",
                "key_request_form!B:C",
                "'key_request_form'!A2:D",
            ],
        ),
        Some(&token),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let answer = reply.json();
    assert_eq!(answer["spreadsheetId"], "sheet-1");
    let ranges = answer["valueRanges"].as_array().unwrap();
    assert_eq!(ranges[0]["range"], "key_request_form!A1:Z1000");
    assert_eq!(ranges[0]["majorDimension"], "ROWS");
    assert_eq!(
        ranges[0]["values"],
        json!([["A", "B", "", "D"], ["", "x"], [], [46355, "", false]])
    );
    assert_eq!(ranges[1]["range"], "'シート''1'!A1:Z1000");
    assert_eq!(ranges[1]["values"], json!([["quoted"]]));
    assert_eq!(ranges[2]["range"], "key_request_form!K5");
    assert!(
        ranges[2].get("values").is_none(),
        "empty range has no values"
    );
    assert_eq!(ranges[3]["range"], "key_request_form!B1:C1000");
    assert_eq!(ranges[3]["values"], json!([["B"], ["x"], [], ["", false]]));
    assert_eq!(
        ranges[4]["values"],
        json!([["", "x"], [], [46355, "", false]])
    );
    assert_eq!(
        google.sheet("key_request_form"),
        vec![
            vec![json!("A"), json!("B"), json!(""), json!("D")],
            vec![json!(""), json!("x")],
            vec![],
            vec![json!(46355), json!(""), json!(false)],
        ]
    );

    // Without UNFORMATTED_VALUE everything is text, as with FORMATTED_VALUE.
    let url = format!(
        "{}v4/spreadsheets/sheet-1/values:batchGet?ranges=key_request_form!A4:C4",
        google.base_url()
    );
    let formatted = get(&url, Some(&token)).await.json();
    assert_eq!(
        formatted["valueRanges"][0]["values"],
        json!([["46355", "", "FALSE"]])
    );

    let unknown = get(
        &batch_get_url(&google, "sheet-1", &["key_request_form", "nope"]),
        Some(&token),
    )
    .await;
    assert_eq!(unknown.status, 400);
    assert_eq!(unknown.json()["error"]["status"], "INVALID_ARGUMENT");
    assert!(
        unknown.json()["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Unable to parse range: nope")
    );
}

#[tokio::test]
async fn google_batch_update_grows_rows_and_rejects_bad_ranges_atomically() {
    let google = FakeGoogle::start("sheet-1").await;
    let token = google.issue_token(SHEETS_SCOPE);
    google.set_sheet(
        "key_request_form",
        vec![vec![json!("氏名")], vec![json!("山田 太郎"), json!("x")]],
    );
    let url = format!(
        "{}v4/spreadsheets/sheet-1/values:batchUpdate?alt=json",
        google.base_url()
    );

    let rejected = post_json(
        &url,
        &token,
        &json!({"valueInputOption": "RAW", "data": [
            {"range": "'key_request_form'!K2", "values": [["削除済み"]]},
            {"range": "'no such sheet'!A1", "values": [["x"]]},
        ]}),
    )
    .await;
    assert_eq!(rejected.status, 400);
    assert_eq!(
        google.cell("key_request_form", "K2"),
        None,
        "nothing written"
    );

    let too_wide = post_json(
        &url,
        &token,
        &json!({"valueInputOption": "RAW", "data": [
            {"range": "key_request_form!K2", "values": [["a", "b"]]},
        ]}),
    )
    .await;
    assert_eq!(too_wide.status, 400);

    let reply = post_json(
        &url,
        &token,
        &json!({"valueInputOption": "USER_ENTERED", "data": [
            {"range": "'key_request_form'!K2", "values": [["削除済み"]]},
            {"range": "key_request_form!M1:M3", "values": [["通知日"], [null], [46350]]},
        ]}),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let answer = reply.json();
    assert_eq!(answer["totalUpdatedCells"], 3);
    assert_eq!(answer["totalUpdatedSheets"], 1);
    assert_eq!(
        answer["responses"][0]["updatedRange"],
        "key_request_form!K2"
    );
    assert_eq!(answer["responses"][0]["updatedCells"], 1);
    assert_eq!(
        answer["responses"][1]["updatedRange"],
        "key_request_form!M1:M3"
    );
    assert_eq!(answer["responses"][1]["updatedRows"], 2);
    assert_eq!(
        google.cell("key_request_form", "K2"),
        Some(json!("削除済み"))
    );
    assert_eq!(google.cell("key_request_form", "M3"), Some(json!(46350)));
    let sheet = google.sheet("key_request_form");
    assert_eq!(sheet[1].len(), 11, "row 2 grew to column K");
    assert_eq!(sheet[1][1], json!("x"), "other cells untouched");
    assert_eq!(sheet[2][12], json!(46350), "row 3 was created");
    assert_eq!(google.counts().writes, 3);
}

#[tokio::test]
async fn google_append_inserts_below_the_table_and_add_sheet_creates_once() {
    let google = FakeGoogle::start("sheet-1").await;
    let token = google.issue_token(SHEETS_SCOPE);
    let base = format!("{}v4/spreadsheets/sheet-1", google.base_url());
    let append_url = |option: &str| {
        format!(
            "{base}/values/log!A:J:append?valueInputOption={option}&insertDataOption=INSERT_ROWS"
        )
    };
    let rows = json!({"majorDimension": "ROWS", "values": [["a", 1], ["=1+1", 2]]});

    // No such sheet: what the real API answers.
    let missing = post_json(&append_url("RAW"), &token, &rows).await;
    assert_eq!(missing.status, 400);
    assert!(
        missing.json()["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Unable to parse range"),
        "{}",
        missing.body
    );
    let add = json!({"requests": [{"addSheet": {"properties": {"title": "log"}}}]});
    let added = post_json(&format!("{base}:batchUpdate"), &token, &add).await;
    assert_eq!(added.status, 200, "{}", added.body);
    assert_eq!(
        added.json()["replies"][0]["addSheet"]["properties"]["title"],
        "log"
    );
    let again = post_json(&format!("{base}:batchUpdate"), &token, &add).await;
    assert_eq!(again.status, 400);
    assert!(again.body.contains("already exists"), "{}", again.body);

    let unspecified = post_json(
        &format!("{base}/values/log!A:J:append?insertDataOption=INSERT_ROWS"),
        &token,
        &rows,
    )
    .await;
    assert_eq!(unspecified.status, 400, "valueInputOption is required");

    let first = post_json(&append_url("RAW"), &token, &rows).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.json()["updates"]["updatedRange"], "log!A1:B2");
    // An empty row below the table, then more: the next rows go right below the table.
    google.edit(|s| s.rows_mut("log").push(vec![json!("")]));
    let second = post_json(&append_url("USER_ENTERED"), &token, &rows).await;
    assert_eq!(second.json()["updates"]["updatedRange"], "log!A3:B4");
    assert_eq!(second.json()["tableRange"], "log!A1:B2");
    assert_eq!(
        google.sheet("log"),
        vec![
            vec![json!("a"), json!(1)],
            vec![json!("=1+1"), json!(2)],
            vec![json!("a"), json!(1)],
            vec![json!({"formula": "=1+1"}), json!(2)],
        ],
        "RAW keeps text, USER_ENTERED would make a formula"
    );
    let counts = google.counts();
    assert_eq!((counts.appends, counts.sheet_updates), (4, 2));
}

#[tokio::test]
async fn google_fault_injection_and_read_hook() {
    let google = FakeGoogle::start("sheet-1").await;
    let token = google.issue_token(SHEETS_SCOPE);
    google.set_sheet("s", vec![vec![json!("h")], vec![json!("row2")]]);
    google.fail_next(Endpoint::Read, 503, 1);
    google.on_read(Box::new(|sheets, n| {
        if n == 3 {
            sheets.insert_row("s", 2, vec![json!("inserted")]);
        }
    }));
    let url = batch_get_url(&google, "sheet-1", &["s"]);

    let failed = get(&url, Some(&token)).await;
    assert_eq!(failed.status, 503);
    assert_eq!(failed.json()["error"]["status"], "UNAVAILABLE");
    let first = get(&url, Some(&token)).await.json();
    assert_eq!(first["valueRanges"][0]["values"], json!([["h"], ["row2"]]));
    let second = get(&url, Some(&token)).await.json();
    assert_eq!(
        second["valueRanges"][0]["values"],
        json!([["h"], ["inserted"], ["row2"]])
    );
    assert_eq!(google.counts().reads, 3);
}

fn slack_client(slack: &FakeSlack) -> SlackClient<SlackClientHyperConnector<HttpConnector>> {
    // slack-morphism appends "/<method>" itself: give it the URL without the trailing slash.
    SlackClient::new(
        SlackClientHyperConnector::with_connector(HttpConnector::new())
            .with_slack_api_url(slack.api_url().trim_end_matches('/')),
    )
}

fn dm(user: &str, text: &str) -> SlackApiChatPostMessageRequest {
    SlackApiChatPostMessageRequest::new(
        SlackChannelId::new(user.into()),
        SlackMessageContent::new().with_text(text.into()),
    )
}

#[tokio::test]
async fn slack_real_client_posts_and_sees_api_errors() {
    let slack = FakeSlack::start("xoxb-good").await;
    let client = slack_client(&slack);
    let good = SlackApiToken::new("xoxb-good".into());
    let session = client.open_session(&good);

    let auth = session.auth_test().await.unwrap();
    assert_eq!(auth.user_id.to_string(), "U000BOT");

    let sent = session
        .chat_post_message(&dm("U0123ABCD", "延長しますか？"))
        .await
        .unwrap();
    assert_eq!(sent.channel.to_string(), "DU0123ABCD");
    assert_eq!(slack.messages_to("U0123ABCD"), vec!["延長しますか？"]);
    assert_eq!(
        slack.requests()[1].content_type.as_deref(),
        Some("application/json; charset=utf-8")
    );

    let bad = SlackApiToken::new("xoxb-bad".into());
    match client
        .open_session(&bad)
        .chat_post_message(&dm("U0123ABCD", "x"))
        .await
    {
        Err(SlackClientError::ApiError(e)) => assert_eq!(e.code, "invalid_auth"),
        other => panic!("expected invalid_auth, got {other:?}"),
    }

    slack.fail_channel("U0GONE001", "channel_not_found");
    for channel in ["U0GONE001", "#general"] {
        match session.chat_post_message(&dm(channel, "x")).await {
            Err(SlackClientError::ApiError(e)) => assert_eq!(e.code, "channel_not_found"),
            other => panic!("expected channel_not_found, got {other:?}"),
        }
    }
    assert_eq!(slack.messages().len(), 1);
    assert_eq!(slack.post_attempts(), 4);
}

#[tokio::test]
async fn slack_rate_limit_http_faults_and_form_posts() {
    let slack = FakeSlack::start("xoxb-good").await;
    let url = format!("{}chat.postMessage", slack.api_url());
    let json_headers = [
        ("authorization", "Bearer xoxb-good"),
        ("content-type", "application/json; charset=utf-8"),
    ];
    let body = json!({"channel": "U0123ABCD", "text": "hello"}).to_string();

    slack.rate_limit_next(1, 7);
    let limited = http("POST", &url, &json_headers, body.clone()).await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.header("retry-after").as_deref(), Some("7"));
    assert_eq!(limited.json(), json!({"ok": false, "error": "ratelimited"}));

    slack.fail_http_next(1, 503);
    assert_eq!(
        http("POST", &url, &json_headers, body.clone()).await.status,
        503
    );

    let ok = http("POST", &url, &json_headers, body).await;
    assert_eq!(ok.status, 200);
    assert!(
        ok.header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    assert_eq!(ok.json()["ok"], true);

    let form = http(
        "POST",
        &url,
        &[("content-type", "application/x-www-form-urlencoded")],
        "token=xoxb-good&channel=UADMIN0001&text=%E9%80%9A%E7%9F%A5&blocks=%5B%5D",
    )
    .await;
    assert_eq!(form.json()["ok"], true, "{}", form.body);
    assert_eq!(slack.messages()[1].blocks, Some(json!([])));

    let unauthenticated = http(
        "POST",
        &url,
        &[("content-type", "application/json")],
        json!({"channel": "U0123ABCD", "text": "x"}).to_string(),
    )
    .await;
    assert_eq!(unauthenticated.status, 200);
    assert_eq!(unauthenticated.json()["error"], "not_authed");

    let double_slash = format!("{}/chat.postMessage", slack.api_url());
    assert_eq!(
        http("POST", &double_slash, &json_headers, "{}")
            .await
            .status,
        404
    );

    assert_eq!(slack.messages_to("UADMIN0001"), vec!["通知"]);
    assert_eq!(slack.post_attempts(), 5);
}

#[tokio::test]
async fn strict_iam_refuses_delete_user_while_a_key_remains() {
    let moto = Moto::start().await;
    let setup = iam_client(&moto.endpoint());
    let user = load_user(&setup, "alice", Loadout::bare()).await;
    let proxy = StrictIam::start(&moto.endpoint()).await;
    let iam = iam_client(&proxy.endpoint());

    let refused = iam
        .delete_user()
        .user_name("alice")
        .send()
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some("DeleteConflict"));
    assert_eq!(remaining(&setup, "alice").await.len(), 2, "user and key");

    iam.delete_access_key()
        .user_name("alice")
        .access_key_id(&user.access_key_ids[0])
        .send()
        .await
        .unwrap();
    iam.delete_user().user_name("alice").send().await.unwrap();
    let gone = iam
        .delete_user()
        .user_name("alice")
        .send()
        .await
        .unwrap_err();
    assert_eq!(gone.code(), Some("NoSuchEntity"));

    assert_eq!(
        proxy.actions(),
        vec!["DeleteUser", "DeleteAccessKey", "DeleteUser", "DeleteUser"]
    );
    let statuses: Vec<u16> = proxy.calls().iter().map(|c| c.status).collect();
    assert_eq!(statuses, vec![409, 200, 200, 404]);
    assert_eq!(
        proxy.calls()[1].param("AccessKeyId"),
        Some(user.access_key_ids[0].as_str())
    );
    assert!(remaining(&setup, "alice").await.is_empty());
}

/// A full teardown in the order IAM requires, through the strict proxy, of a fully loaded
/// user: proves `load_user`, `remaining` and every strict rule.
#[tokio::test]
async fn strict_iam_full_teardown_of_a_loaded_user() {
    let moto = Moto::start().await;
    let setup = iam_client(&moto.endpoint());
    let u = load_user(
        &setup,
        "bob",
        Loadout {
            path: "/keywarden/".into(),
            access_keys: 2,
            ..Loadout::default()
        },
    )
    .await;
    assert_eq!(u.account_id, "123456789012");
    assert_eq!(u.arn, "arn:aws:iam::123456789012:user/keywarden/bob");
    assert_eq!(
        u.mfa_serial.as_deref(),
        Some("arn:aws:iam::123456789012:mfa/bob")
    );
    let left = remaining(&setup, "bob").await;
    assert_eq!(left.len(), 12, "{left:#?}");

    let proxy = StrictIam::start(&moto.endpoint()).await;
    let iam = iam_client(&proxy.endpoint());
    let own = u.own_policy_arn.clone().unwrap();
    let serial = u.mfa_serial.clone().unwrap();

    let err = iam
        .delete_policy()
        .policy_arn(&own)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("DeleteConflict"), "attached policy");
    let err = iam
        .delete_virtual_mfa_device()
        .serial_number(&serial)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        Some("DeleteConflict"),
        "MFA device still enabled"
    );
    let ssc = iam
        .list_service_specific_credentials()
        .user_name("bob")
        .send()
        .await
        .unwrap();
    assert!(ssc.service_specific_credentials().is_empty());
    let err = iam
        .list_entities_for_policy()
        .policy_arn("arn:aws:iam::123456789012:policy/none")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));

    let missing_profile = iam.get_login_profile().user_name("nobody").send().await;
    assert_eq!(missing_profile.unwrap_err().code(), Some("NoSuchEntity"));

    iam.delete_login_profile()
        .user_name("bob")
        .send()
        .await
        .unwrap();
    for key in &u.access_key_ids {
        iam.delete_access_key()
            .user_name("bob")
            .access_key_id(key)
            .send()
            .await
            .unwrap();
    }
    iam.delete_signing_certificate()
        .user_name("bob")
        .certificate_id(u.certificate_id.as_deref().unwrap())
        .send()
        .await
        .unwrap();
    iam.delete_ssh_public_key()
        .user_name("bob")
        .ssh_public_key_id(u.ssh_key_id.as_deref().unwrap())
        .send()
        .await
        .unwrap();
    iam.deactivate_mfa_device()
        .user_name("bob")
        .serial_number(&serial)
        .send()
        .await
        .unwrap();
    iam.delete_virtual_mfa_device()
        .serial_number(&serial)
        .send()
        .await
        .unwrap();
    iam.delete_user_policy()
        .user_name("bob")
        .policy_name(u.inline_policy.as_deref().unwrap())
        .send()
        .await
        .unwrap();
    for arn in [&own, u.shared_policy_arn.as_ref().unwrap()] {
        iam.detach_user_policy()
            .user_name("bob")
            .policy_arn(arn)
            .send()
            .await
            .unwrap();
    }
    let err = iam.delete_user().user_name("bob").send().await.unwrap_err();
    assert_eq!(err.code(), Some("DeleteConflict"), "still in a group");
    iam.remove_user_from_group()
        .group_name(u.group.as_deref().unwrap())
        .user_name("bob")
        .send()
        .await
        .unwrap();
    iam.delete_user().user_name("bob").send().await.unwrap();

    let err = iam
        .delete_policy()
        .policy_arn(&own)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        Some("DeleteConflict"),
        "non-default version left"
    );
    iam.delete_policy_version()
        .policy_arn(&own)
        .version_id("v2")
        .send()
        .await
        .unwrap();
    iam.delete_policy().policy_arn(&own).send().await.unwrap();

    assert!(remaining(&setup, "bob").await.is_empty());
    let refused: Vec<String> = proxy
        .calls()
        .into_iter()
        .filter(|c| c.status == 409)
        .map(|c| c.action)
        .collect();
    assert_eq!(
        refused,
        vec![
            "DeletePolicy",
            "DeleteVirtualMFADevice",
            "DeleteUser",
            "DeletePolicy"
        ]
    );
}

#[tokio::test]
async fn strict_iam_fault_injection_and_raw_answers() {
    let moto = Moto::start().await;
    let setup = iam_client(&moto.endpoint());
    load_user(&setup, "carol", Loadout::bare()).await;
    let proxy = StrictIam::start(&moto.endpoint()).await;

    // The SDK retries a 5xx by itself: the fault shows as two recorded GetUser calls.
    proxy.fail_next("GetUser", 500, "ServiceFailure", 1);
    let iam = iam_client(&proxy.endpoint());
    iam.get_user().user_name("carol").send().await.unwrap();
    assert_eq!(proxy.actions(), vec!["GetUser", "GetUser"]);
    assert_eq!(proxy.calls()[0].status, 500);

    let raw = raw_iam_call(
        &proxy.endpoint(),
        "DeleteServiceSpecificCredential",
        &[
            ("UserName", "carol"),
            ("ServiceSpecificCredentialId", "ACCAEXAMPLE123456789"),
        ],
    )
    .await;
    assert_eq!(raw.status, 404);
    assert!(
        raw.body.contains("<Code>NoSuchEntity</Code>"),
        "{}",
        raw.body
    );
    assert!(
        raw.body
            .starts_with("<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">")
    );

    proxy.fail_next("ListUsers", 400, "Throttling", 10);
    let throttled = iam_client(&proxy.endpoint())
        .list_users()
        .send()
        .await
        .unwrap_err();
    assert_eq!(throttled.code(), Some("Throttling"));
}

/// `TestEnv` wires every fake into the binary's environment (the binary itself is not run
/// here: these self-tests must not depend on keywarden's code).
#[tokio::test]
async fn test_env_starts_every_fake_and_builds_a_clean_environment() {
    use support::app::{RequestRow, TestEnv, UserRow, date_serial};

    let mut env = TestEnv::start().await;
    env.set_env("KEYWARDEN_TODAY", "2026-11-20")
        .remove_env("RUST_LOG");
    env.set_requests(&[RequestRow::new(
        "山田 太郎",
        "yamada",
        "AKIAEXAMPLE",
        date_serial("2026-11-29"),
    )]);
    env.set_users(&[UserRow::new("U0123ABCD", "山田", "太郎")]);
    assert_eq!(date_serial("2026-11-29"), json!(46355));
    let sheet = env.google.sheet("key_request_form");
    assert_eq!(sheet[0][11], json!("アクセスキーID"));
    assert_eq!(sheet[1][8], json!(46355));
    assert_eq!(sheet[1].len(), 12, "purpose etc. filled, key ID in L");
    assert_eq!(env.google.sheet("users_json")[1][3], json!("山田 太郎"));

    let command = env.command();
    let vars: std::collections::HashMap<String, Option<String>> = command
        .as_std()
        .get_envs()
        .map(|(k, v)| {
            (
                k.to_string_lossy().into_owned(),
                v.map(|v| v.to_string_lossy().into_owned()),
            )
        })
        .collect();
    let var = |k: &str| vars.get(k).cloned().flatten();
    assert_eq!(var("KEYWARDEN_SHEETS_API_URL"), Some(env.google.base_url()));
    assert_eq!(var("AWS_ENDPOINT_URL_IAM"), Some(env.iam.endpoint()));
    assert_eq!(var("KEYWARDEN_TODAY").as_deref(), Some("2026-11-20"));
    assert_eq!(var("RUST_LOG"), None);
    let key_file = var("GOOGLE_APPLICATION_CREDENTIALS").unwrap();
    let key: Value = serde_json::from_str(&std::fs::read_to_string(key_file).unwrap()).unwrap();
    assert_eq!(key["token_uri"], json!(env.google.token_uri()));

    let users = env.iam_client().list_users().send().await.unwrap();
    assert!(users.users().is_empty());
}
