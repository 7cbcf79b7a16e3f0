//! Bad requests and failing services: 401 with nothing touched, clear answers, no half writes.

use super::*;

fn untouched(env: &Env) {
    assert!(
        env.google.requests().is_empty(),
        "the sheet was read or written"
    );
    assert!(
        env.slack.requests().is_empty() && env.slack.responses().is_empty(),
        "Slack was called"
    );
}

#[tokio::test]
async fn unsigned_missigned_and_stale_requests_get_401_and_touch_nothing() {
    let env = start(None).await;
    let body = form(&env.click(
        TANAKA,
        "keywarden_extend_request",
        ROW_VALUE,
        "1.1.1",
        ("D0DM00001", "1.2"),
    ));
    let now = chrono::Utc::now().timestamp();
    let ts = now.to_string();

    assert_eq!(env.post_raw(&body, &[]).await.status, 401, "unsigned");
    let wrong = "v0=0000000000000000000000000000000000000000000000000000000000000000";
    assert_eq!(
        env.post_raw(
            &body,
            &[
                ("x-slack-request-timestamp", &ts),
                ("x-slack-signature", wrong)
            ]
        )
        .await
        .status,
        401
    );
    let tampered = body.replace(TANAKA, "UADMIN0001");
    let sig = sign(&ts, &body);
    assert_eq!(
        env.post_raw(
            &tampered,
            &[
                ("x-slack-request-timestamp", &ts),
                ("x-slack-signature", &sig)
            ]
        )
        .await
        .status,
        401
    );
    let old = (now - 301).to_string();
    let stale_sig = sign(&old, &body);
    let stale = env
        .post_raw(
            &body,
            &[
                ("x-slack-request-timestamp", &old),
                ("x-slack-signature", &stale_sig),
            ],
        )
        .await;
    assert_eq!(stale.status, 401, "replayed after 5 minutes");
    untouched(&env);

    let ok = env
        .post_raw(
            &body,
            &[
                ("x-slack-request-timestamp", &ts),
                ("x-slack-signature", &sig),
            ],
        )
        .await;
    assert_eq!(ok.status, 200, "the same request, signed, is accepted");
}

#[tokio::test]
async fn unknown_actions_and_malformed_values_change_nothing_and_say_so() {
    let env = start(None).await;
    let reply = env
        .send(&env.click(
            TANAKA,
            "someone_elses_button",
            "x",
            "1.1.1",
            ("D0DM00001", "1.2"),
        ))
        .await;
    assert_eq!(reply.status, 200);
    let reply = env
        .send(&env.click(
            TANAKA,
            "keywarden_extend_request",
            "{broken",
            "1.1.1",
            ("D0DM00001", "1.2"),
        ))
        .await;
    assert_eq!(reply.status, 200);
    let told = env.responses_to(TANAKA);
    assert_eq!(told.len(), 2, "{told:?}");
    assert!(told[1].contains("読み取れませんでした"), "{told:?}");
    assert_eq!(env.google.counts().writes, 0);
    assert!(env.slack.views().is_empty());
}

#[tokio::test]
async fn a_refused_trigger_is_explained() {
    let env = start(None).await;
    env.slack.refuse_trigger("5.5.5", "expired_trigger_id");
    env.request_click(TANAKA, "5.5.5").await;
    let told = env.responses_to(TANAKA);
    assert!(
        told.iter()
            .any(|t| t.contains("申請画面を開けませんでした") && t.contains("expired_trigger_id")),
        "{told:?}"
    );
    assert_eq!(env.google.counts().writes, 0);
}

#[tokio::test]
async fn a_failed_sheet_write_leaves_nothing_half_done_and_can_be_retried() {
    let env = start(None).await;
    env.request_click(TANAKA, "1.1.1").await;
    env.google.fail_next(Endpoint::Write, 403, 1);
    let answer = env
        .submit(TANAKA, Some("2027-01-31"), Some("理由"))
        .await
        .json();
    assert!(
        answer["view"].to_string().contains("記録できなかった"),
        "{answer}"
    );
    assert_eq!(env.cell("O1"), None, "nothing written");
    let withdrawn = env.slack.updates();
    assert_eq!(withdrawn.len(), 2, "both approval copies withdrawn");
    assert!(withdrawn.iter().all(|u| u.text.contains("無効")));

    // Made again, it works; then a failing decision write changes nothing either.
    env.pending_request(TANAKA).await;
    let before = env.google.sheet(REQUEST_SHEET);
    env.google.fail_next(Endpoint::Write, 403, 1);
    env.decide(ADMIN1, true, ADMIN1).await;
    assert!(
        env.responses_to(ADMIN1)
            .iter()
            .any(|t| t.contains("書き込めなかった")),
        "{:?}",
        env.slack.responses()
    );
    assert_eq!(env.google.sheet(REQUEST_SHEET), before);
    env.decide(ADMIN1, true, ADMIN1).await;
    assert_eq!(
        env.cell("I2"),
        Some(date_serial("2027-01-31")),
        "the retry is applied"
    );
}

#[tokio::test]
async fn an_unreadable_sheet_is_a_clear_answer() {
    let env = start(None).await;
    env.google.fail_next(Endpoint::Read, 403, 1);
    env.request_click(TANAKA, "1.1.1").await;
    assert!(
        env.responses_to(TANAKA)
            .iter()
            .any(|t| t.contains("シートを読めなかった")),
        "{:?}",
        env.slack.responses()
    );
    assert!(env.slack.views().is_empty());
}

#[tokio::test]
async fn the_lambda_path_answers_like_the_server_without_axum() {
    use axum::http::{HeaderMap, HeaderValue};
    use keywarden::app::interactions::handle_http;

    let env = start(None).await;
    let verifier = RequestVerifier::new(&Secret::new(SIGNING_SECRET));
    let now = chrono::Utc::now();
    let body = form(&env.click(
        TANAKA,
        "keywarden_extend_request",
        ROW_VALUE,
        "6.6.6",
        ("D0DM00001", "1.2"),
    ));
    let ts = now.timestamp().to_string();
    let mut headers = HeaderMap::new();
    headers.insert(
        "x-slack-request-timestamp",
        HeaderValue::from_str(&ts).unwrap(),
    );
    headers.insert(
        "x-slack-signature",
        HeaderValue::from_str(&sign(&ts, &body)).unwrap(),
    );
    let call = |method: &'static str, path: &'static str, headers: HeaderMap| {
        let (app, verifier, body) = (env.app.clone(), verifier.clone(), body.clone());
        async move {
            handle_http(
                &app,
                &verifier,
                method,
                path,
                &headers,
                body.as_bytes(),
                now,
            )
            .await
        }
    };
    assert_eq!(call("GET", "/healthz", HeaderMap::new()).await.status, 200);
    assert_eq!(
        call("GET", "/slack/interactions", HeaderMap::new())
            .await
            .status,
        405
    );
    assert_eq!(
        call("POST", "/elsewhere", HeaderMap::new()).await.status,
        404
    );
    assert_eq!(
        call("POST", "/slack/interactions", HeaderMap::new())
            .await
            .status,
        401
    );
    untouched(&env);
    let answer = call("POST", "/slack/interactions", headers).await;
    assert_eq!((answer.status, answer.body.as_str()), (200, ""));
    assert_eq!(env.slack.views().len(), 1, "the modal opened");
}
