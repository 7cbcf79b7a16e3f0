//! Payloads as Slack sends them (trimmed of fields keywarden ignores, shapes kept).

use serde_json::{Value, json};

use super::*;

const ROW_VALUE: &str = r#"{"v":1,"a":"tanaka-s3","k":"AKIAIOSFODNN7EXAMPLE","e":"2026-11-29"}"#;

fn block_actions(action_id: &str, value: &str) -> Value {
    json!({
        "type": "block_actions",
        "user": {"id": "U0OWNER01", "username": "tanaka", "name": "tanaka", "team_id": "T0TEAM01"},
        "api_app_id": "A0APP001",
        "token": "legacy-verification-token",
        "container": {"type": "message", "message_ts": "1700000000.000101",
                      "channel_id": "D0DM0001", "is_ephemeral": false},
        "trigger_id": "398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c",
        "team": {"id": "T0TEAM01", "domain": "example"},
        "enterprise": null,
        "is_enterprise_install": false,
        "channel": {"id": "D0DM0001", "name": "directmessage"},
        "message": {
            "type": "message", "user": "U000BOT", "ts": "1700000000.000101",
            "bot_id": "B000BOT", "app_id": "A0APP001", "text": "利用終了日が近づいています",
            "team": "T0TEAM01",
            "blocks": [{"type": "section", "block_id": "n1",
                        "text": {"type": "plain_text", "text": "通知", "emoji": false}}]
        },
        "state": {"values": {}},
        "response_url": "https://hooks.slack.com/actions/T0TEAM01/1234/abcdef",
        "actions": [{
            "action_id": action_id, "block_id": "kw_actions",
            "text": {"type": "plain_text", "text": "延長を申請する", "emoji": true},
            "value": value, "type": "button", "action_ts": "1700000005.000200"
        }]
    })
}

fn submission(metadata: &str, date: Option<&str>, reason: Option<&str>) -> Value {
    json!({
        "type": "view_submission",
        "team": {"id": "T0TEAM01", "domain": "example"},
        "user": {"id": "U0OWNER01", "username": "tanaka", "name": "tanaka", "team_id": "T0TEAM01"},
        "api_app_id": "A0APP001",
        "token": "legacy-verification-token",
        "trigger_id": "1234.5678.abcd",
        "view": {
            "id": "V0VIEW001", "team_id": "T0TEAM01", "type": "modal",
            "blocks": [{
                "type": "input", "block_id": "new_end_date",
                "label": {"type": "plain_text", "text": "新しい利用終了日", "emoji": true},
                "optional": false, "dispatch_action": false,
                "element": {"type": "datepicker", "action_id": "new_end_date",
                            "initial_date": "2026-12-29"}
            }],
            "private_metadata": metadata, "callback_id": "keywarden_extend",
            "state": {"values": {
                "new_end_date": {"new_end_date": {"type": "datepicker", "selected_date": date}},
                "reason": {"reason": {"type": "plain_text_input", "value": reason}}
            }},
            "hash": "1700000010.abcdef",
            "title": {"type": "plain_text", "text": "延長申請", "emoji": true},
            "clear_on_close": false, "notify_on_close": false, "close": null,
            "submit": {"type": "plain_text", "text": "申請する", "emoji": true},
            "previous_view_id": null, "root_view_id": "V0VIEW001", "app_id": "A0APP001",
            "external_id": "", "app_installed_team_id": "T0TEAM01", "bot_id": "B000BOT"
        },
        "response_urls": [],
        "is_enterprise_install": false,
        "enterprise": null
    })
}

fn form(payload: &Value) -> Vec<u8> {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("payload", &payload.to_string())
        .finish()
        .into_bytes()
}

#[test]
fn a_request_click_carries_trigger_user_and_row() {
    let Interaction::RequestClick(click) =
        parse_body(&form(&block_actions(REQUEST_ACTION, ROW_VALUE))).unwrap()
    else {
        panic!("not a request click");
    };
    assert_eq!(click.user.as_str(), "U0OWNER01");
    assert_eq!(
        click.trigger_id,
        "398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    );
    assert_eq!(click.row.account.as_str(), "tanaka-s3");
    assert_eq!(click.row.end.to_string(), "2026-11-29");
    assert_eq!(
        click.response_url.as_deref(),
        Some("https://hooks.slack.com/actions/T0TEAM01/1234/abcdef")
    );
}

#[test]
fn decisions_carry_the_clicked_message() {
    let value = r#"{"v":1,"a":"tanaka-s3","k":"AKIAIOSFODNN7EXAMPLE","e":"2026-11-29","id":"42","by":"U0OWNER01"}"#;
    for (action, approve) in [(APPROVE_ACTION, true), (REJECT_ACTION, false)] {
        let Interaction::Decision(d) = parse_body(&form(&block_actions(action, value))).unwrap()
        else {
            panic!("not a decision");
        };
        assert_eq!(d.approve, approve);
        assert_eq!(d.target.request_id, "42");
        assert_eq!(d.target.requester.as_str(), "U0OWNER01");
        assert_eq!(
            d.message,
            Some(ApprovalCopy {
                channel: "D0DM0001".into(),
                ts: "1700000000.000101".into()
            })
        );
    }
}

#[test]
fn a_submission_carries_date_reason_and_row() {
    let p = submission(ROW_VALUE, Some("2027-01-31"), Some("案件延長"));
    let Interaction::Submission(s) = parse_body(&form(&p)).unwrap() else {
        panic!("not a submission");
    };
    assert_eq!(s.new_end.as_deref(), Some("2027-01-31"));
    assert_eq!(s.reason.as_deref(), Some("案件延長"));
    assert_eq!(s.row.key_id.as_str(), "AKIAIOSFODNN7EXAMPLE");
    let Interaction::Submission(empty) =
        parse_body(&form(&submission(ROW_VALUE, None, None))).unwrap()
    else {
        panic!("not a submission");
    };
    assert_eq!((empty.new_end, empty.reason), (None, None));
}

#[test]
fn unknown_actions_and_types_are_unknown() {
    let other = parse_body(&form(&block_actions("somebody_elses_button", "x"))).unwrap();
    assert!(
        matches!(
            other,
            Interaction::Unknown {
                response_url: Some(_),
                ..
            }
        ),
        "{other:?}"
    );
    let mut p = submission(ROW_VALUE, None, None);
    p["view"]["callback_id"] = json!("another_modal");
    assert!(matches!(
        parse_body(&form(&p)).unwrap(),
        Interaction::Unknown { .. }
    ));
    p["type"] = json!("view_closed");
    assert!(matches!(
        parse_body(&form(&p)).unwrap(),
        Interaction::Unknown { .. }
    ));
}

#[test]
fn malformed_payloads_are_errors_with_where_to_answer() {
    let err = parse_body(&form(&block_actions(REQUEST_ACTION, "not json"))).unwrap_err();
    assert_eq!(
        err.response_url.as_deref(),
        Some("https://hooks.slack.com/actions/T0TEAM01/1234/abcdef")
    );
    let err = parse_body(&form(&submission("garbage", Some("2027-01-31"), Some("r")))).unwrap_err();
    assert!(err.reason.contains("value"), "{err}");
    assert!(parse_body(b"no_payload=1").is_err());
    assert!(parse_body(b"payload=%7Bnot%20json").is_err());
    let err = parse_body(&form(
        &json!({"type": "block_actions", "response_url": "https://x/y"}),
    ))
    .unwrap_err();
    assert_eq!(err.response_url.as_deref(), Some("https://x/y"));
}

#[test]
fn the_key_request_buttons_carry_the_request_id() {
    for (action, approve) in [
        ("keywarden_issue_approve", true),
        ("keywarden_issue_reject", false),
    ] {
        let payload = block_actions(action, " req-368e9d298eea46e1 ");
        let Interaction::IssueDecision(click) = parse_payload(&payload.to_string()).unwrap() else {
            panic!("{action} is a key request decision");
        };
        assert_eq!(click.approve, approve);
        assert_eq!(click.user.as_str(), "U0OWNER01");
        assert_eq!(click.id.as_str(), "req-368e9d298eea46e1");
        assert_eq!(
            click.response_url.as_deref(),
            Some("https://hooks.slack.com/actions/T0TEAM01/1234/abcdef")
        );
        assert_eq!(
            click.message,
            Some(ApprovalCopy {
                channel: "D0DM0001".into(),
                ts: "1700000000.000101".into()
            })
        );
    }
}

#[test]
fn a_key_request_button_without_a_request_id_is_unreadable() {
    for value in ["", "req-XYZ", ROW_VALUE] {
        let err = parse_payload(&block_actions("keywarden_issue_approve", value).to_string())
            .unwrap_err();
        assert!(err.reason.contains("key request ID"), "{err}");
        assert_eq!(
            err.response_url.as_deref(),
            Some("https://hooks.slack.com/actions/T0TEAM01/1234/abcdef"),
            "the clicker is told"
        );
    }
}
