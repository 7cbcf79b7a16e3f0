//! The buttons of key issuance's approval request (docs/rules.md §12 step 1), with
//! slack-morphism's Block Kit types. The text above them is
//! [`crate::core::words::issue_texts::approval_request`], shown as plain text by the Slack adapter.
//! Each button's `value` is exactly the request's ID `R`: the endpoint finds the row by it.

use slack_morphism::prelude::*;

use crate::core::issue::RequestId;
use crate::core::words::{APPROVE, REJECT};

/// The buttons' `action_id`s, as the endpoint recognises them.
pub use crate::app::interactions::payload::{
    ISSUE_APPROVE_ACTION as APPROVE_ACTION, ISSUE_REJECT_ACTION as REJECT_ACTION,
};

/// The two buttons, each carrying `R`.
pub fn buttons(request: &RequestId) -> SlackBlock {
    let button = |text: &str, action: &str, style| {
        SlackActionBlockElement::Button(
            SlackBlockButtonElement::new(SlackBlockPlainTextOnly::from(text))
                .with_action_id(action.into())
                .with_value(request.to_string())
                .with_style(style),
        )
    };
    SlackBlock::Actions(SlackActionsBlock::new(vec![
        button(APPROVE, APPROVE_ACTION, SlackBlockButtonStyle::Primary),
        button(REJECT, REJECT_ACTION, SlackBlockButtonStyle::Danger),
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_buttons_carry_the_request_id_and_the_contracted_action_ids() {
        let id = RequestId::parse("req-368e9d298eea46e1").unwrap();
        let json = serde_json::to_value(buttons(&id)).unwrap();
        let elements = json["elements"].as_array().unwrap();
        let ids: Vec<_> = elements.iter().map(|e| e["action_id"].clone()).collect();
        assert_eq!(
            ids,
            vec![
                serde_json::json!("keywarden_issue_approve"),
                serde_json::json!("keywarden_issue_reject")
            ]
        );
        for e in elements {
            assert_eq!(e["value"], "req-368e9d298eea46e1");
        }
    }
}
