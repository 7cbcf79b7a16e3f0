//! The Socket Mode acknowledgement carries exactly what the HTTP body would.

use serde_json::{Value, json};

use super::*;

fn ack_json(answer: &HttpAnswer) -> Value {
    serde_json::to_value(acknowledgement(answer)).expect("a payload")
}

#[test]
fn a_click_is_a_bare_acknowledgement() {
    assert_eq!(
        acknowledgement(&HttpAnswer::ack()),
        SlackInteractionResponse::Empty
    );
}

#[test]
fn validation_errors_are_the_acknowledgement_payload() {
    let answer = HttpAnswer::json(&json!({
        "response_action": "errors",
        "errors": {"reason_block": "理由を入力してください。"}
    }));
    let body: Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(ack_json(&answer), body);
}

#[test]
fn a_replaced_modal_is_the_acknowledgement_payload() {
    let answer = HttpAnswer::modal_notice("申請を受け付けました。");
    let body: Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(ack_json(&answer), body);
}

#[test]
fn an_unreadable_payload_is_acknowledged_so_slack_does_not_redeliver_it() {
    let answer = HttpAnswer::text(400, "unreadable Slack payload");
    assert_eq!(acknowledgement(&answer), SlackInteractionResponse::Empty);
}
