//! What Slack shows in the extension flow, built with slack-morphism's Block Kit types. Text
//! from the sheet (names, purposes, reasons) is untrusted: it goes into `plain_text` objects,
//! which Slack never formats or turns into mentions, and the notification fallback `text` is
//! entity-escaped.

use chrono::NaiveDate;
use slack_morphism::prelude::*;

use super::payload::{
    APPROVE_ACTION, MODAL_CALLBACK, NEW_END_ACTION, REASON_ACTION, REJECT_ACTION, REQUEST_ACTION,
};
use crate::core::domain::SlackUserId;
pub use crate::core::extension::approval::ApprovalInfo;
use crate::core::extension::record::Outcome;
use crate::core::extension::rules::{NEW_END_BLOCK, REASON_BLOCK};
use crate::core::extension::value::{DecisionRef, RowRef};
use crate::core::words::extension::{self as words, *};
use crate::core::words::{APPROVE, REJECT};

/// Slack's limit on a plain_text object in a section.
const MAX_TEXT: usize = 3000;

pub(super) fn plain(text: &str) -> SlackBlock {
    let text: String = text.chars().take(MAX_TEXT).collect();
    SlackBlock::Section(SlackSectionBlock::new().with_text(SlackBlockText::Plain(
        SlackBlockPlainText::new(text).with_emoji(false),
    )))
}

pub(super) fn label(text: &str) -> SlackBlockPlainTextOnly {
    SlackBlockPlainTextOnly::from(text)
}

/// `&`, `<` and `>` escaped, as Slack asks for message `text`.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The "延長を申請する" button for the owner's notice (docs/rules.md §9, step 1).
pub fn request_button(row: &RowRef) -> SlackBlock {
    SlackBlock::Actions(SlackActionsBlock::new(vec![
        SlackActionBlockElement::Button(
            SlackBlockButtonElement::new(label(REQUEST_BUTTON))
                .with_action_id(REQUEST_ACTION.into())
                .with_value(row.encode())
                .with_style(SlackBlockButtonStyle::Primary),
        ),
    ]))
}

/// The request modal: the date picker starts at `initial`, the reason is required.
pub fn modal(row: &RowRef, initial: NaiveDate, max_extension_days: u32) -> SlackView {
    let date = SlackBlockDatePickerElement::new()
        .with_action_id(NEW_END_ACTION.into())
        .with_initial_date(initial.to_string());
    let reason = SlackBlockPlainTextInputElement::new()
        .with_action_id(REASON_ACTION.into())
        .with_multiline(true)
        .with_max_length(1000);
    SlackView::Modal(
        SlackModalView::new(
            label(FORM_TITLE),
            vec![
                plain(&form_text(row, max_extension_days)),
                SlackBlock::Input(
                    SlackInputBlock::new(label(NEW_END_LABEL), date.into())
                        .with_block_id(NEW_END_BLOCK.into()),
                ),
                SlackBlock::Input(
                    SlackInputBlock::new(label(REASON_LABEL), reason.into())
                        .with_block_id(REASON_BLOCK.into()),
                ),
            ],
        )
        .with_callback_id(MODAL_CALLBACK.into())
        .with_private_metadata(row.encode())
        .with_submit(label(SUBMIT))
        .with_close(label(CANCEL)),
    )
}

/// A modal that only says something (the answer to a submission that was refused or sent).
pub fn notice_modal(text: &str) -> SlackView {
    SlackView::Modal(
        SlackModalView::new(label(FORM_TITLE), vec![plain(text)]).with_close(label(CLOSE)),
    )
}

/// The approval request with its two buttons (docs/rules.md §9, step 3).
pub fn approval_request(info: &ApprovalInfo, target: &DecisionRef) -> SlackMessageContent {
    let value = target.encode();
    let buttons = SlackActionsBlock::new(vec![
        SlackActionBlockElement::Button(
            SlackBlockButtonElement::new(label(APPROVE))
                .with_action_id(APPROVE_ACTION.into())
                .with_value(value.clone())
                .with_style(SlackBlockButtonStyle::Primary),
        ),
        SlackActionBlockElement::Button(
            SlackBlockButtonElement::new(label(REJECT))
                .with_action_id(REJECT_ACTION.into())
                .with_value(value)
                .with_style(SlackBlockButtonStyle::Danger),
        ),
    ]);
    let head = words::approval_request(info);
    SlackMessageContent::new()
        .with_text(escape(&head))
        .with_blocks(vec![plain(&head), SlackBlock::Actions(buttons)])
}

/// The approval request once decided: the outcome and who decided, no buttons.
pub fn decided(
    info: &ApprovalInfo,
    outcome: Outcome,
    decider: &SlackUserId,
) -> SlackMessageContent {
    let text = words::decided(info, outcome, decider);
    SlackMessageContent::new()
        .with_text(escape(&text))
        .with_blocks(vec![plain(&text)])
}

/// An approval request whose recording failed: no buttons, so nobody decides on it.
pub fn withdrawn(info: &ApprovalInfo) -> SlackMessageContent {
    let text = words::withdrawn(info);
    SlackMessageContent::new()
        .with_text(escape(&text))
        .with_blocks(vec![plain(&text)])
}

/// A plain message (DMs to the owner).
pub fn message(text: &str) -> SlackMessageContent {
    SlackMessageContent::new()
        .with_text(escape(text))
        .with_blocks(vec![plain(text)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::domain::{AccessKeyId, IamUserName};
    use serde_json::json;

    fn row() -> RowRef {
        RowRef {
            account: IamUserName::parse("tanaka-s3").unwrap(),
            key_id: AccessKeyId::parse("AKIAIOSFODNN7EXAMPLE").unwrap(),
            end: NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(),
        }
    }

    fn info() -> ApprovalInfo {
        ApprovalInfo {
            row: 5,
            account: "tanaka-s3".into(),
            key_id: "AKIAIOSFODNN7EXAMPLE".into(),
            owner_name: "<!channel> 田中".into(),
            current_end: NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(),
            requested_end: NaiveDate::from_ymd_opt(2027, 1, 31).unwrap(),
            reason: "*急ぎ* <@U123>".into(),
            requester: SlackUserId::parse("U0OWNER01").unwrap(),
        }
    }

    #[test]
    fn the_request_button_carries_the_row() {
        let v = serde_json::to_value(request_button(&row())).unwrap();
        assert_eq!(v["type"], "actions");
        assert_eq!(v["elements"][0]["action_id"], "keywarden_extend_request");
        assert_eq!(v["elements"][0]["text"]["text"], "延長を申請する");
        assert_eq!(
            RowRef::decode(v["elements"][0]["value"].as_str().unwrap()),
            Ok(row())
        );
    }

    #[test]
    fn the_modal_has_the_contracted_ids() {
        let initial = NaiveDate::from_ymd_opt(2026, 12, 29).unwrap();
        let v = serde_json::to_value(modal(&row(), initial, 90)).unwrap();
        assert_eq!(v["type"], "modal");
        assert_eq!(v["callback_id"], "keywarden_extend");
        assert_eq!(
            RowRef::decode(v["private_metadata"].as_str().unwrap()),
            Ok(row())
        );
        let blocks = v["blocks"].as_array().unwrap();
        assert_eq!(blocks[1]["block_id"], "new_end_date");
        assert_eq!(blocks[1]["element"]["type"], "datepicker");
        assert_eq!(blocks[1]["element"]["action_id"], "new_end_date");
        assert_eq!(blocks[1]["element"]["initial_date"], "2026-12-29");
        assert_eq!(blocks[2]["element"]["action_id"], "reason");
        assert_eq!(blocks[2]["element"]["type"], "plain_text_input");
        assert_ne!(blocks[2]["optional"], json!(true), "the reason is required");
    }

    #[test]
    fn approval_requests_show_sheet_text_as_plain_text() {
        let target = DecisionRef {
            row: row(),
            request_id: "42".into(),
            requester: info().requester,
        };
        let content = approval_request(&info(), &target);
        assert!(
            content
                .text
                .as_deref()
                .unwrap()
                .contains("&lt;!channel&gt;")
        );
        let v = serde_json::to_value(&content.blocks).unwrap();
        assert_eq!(v[0]["text"]["type"], "plain_text");
        assert!(
            v[0]["text"]["text"]
                .as_str()
                .unwrap()
                .contains("<!channel> 田中")
        );
        assert_eq!(v[1]["elements"][0]["action_id"], "keywarden_extend_approve");
        assert_eq!(v[1]["elements"][1]["action_id"], "keywarden_extend_reject");
        let value = v[1]["elements"][0]["value"].as_str().unwrap();
        assert_eq!(DecisionRef::decode(value), Ok(target));
        let done = decided(
            &info(),
            Outcome::Approved,
            &SlackUserId::parse("UADMIN02").unwrap(),
        );
        let v = serde_json::to_value(&done.blocks).unwrap();
        assert_eq!(v.as_array().unwrap().len(), 1, "no buttons once decided");
        assert!(
            v[0]["text"]["text"]
                .as_str()
                .unwrap()
                .contains("UADMIN02 が承認しました")
        );
    }
}
