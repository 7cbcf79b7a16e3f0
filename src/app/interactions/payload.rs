//! Slack's interaction request (a form body with one `payload` field of JSON) turned, once,
//! into what happened for keywarden (docs/rules.md §9). Slack's JSON is read with slack-morphism's
//! [`SlackInteractionEvent`]; everything keywarden does not handle is [`Interaction::Unknown`].

use slack_morphism::prelude::*;

use crate::core::domain::SlackUserId;
use crate::core::extension::record::ApprovalCopy;
use crate::core::extension::value::{DecisionRef, RowRef};
use crate::core::issue::RequestId;

pub const REQUEST_ACTION: &str = "keywarden_extend_request";
pub const APPROVE_ACTION: &str = "keywarden_extend_approve";
pub const REJECT_ACTION: &str = "keywarden_extend_reject";
/// The key request's buttons (docs/rules.md §12 step 2); each `value` is the request ID.
pub const ISSUE_APPROVE_ACTION: &str = "keywarden_issue_approve";
pub const ISSUE_REJECT_ACTION: &str = "keywarden_issue_reject";
pub const MODAL_CALLBACK: &str = "keywarden_extend";
pub const NEW_END_ACTION: &str = "new_end_date";
pub const REASON_ACTION: &str = "reason";

/// What a verified interaction asks keywarden to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Interaction {
    RequestClick(RequestClick),
    Submission(Submission),
    Decision(Decision),
    IssueDecision(IssueClick),
    /// Another action or interaction type: acknowledged, nothing changes.
    Unknown {
        what: String,
        response_url: Option<String>,
    },
}

/// "延長を申請する" was clicked.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestClick {
    pub user: SlackUserId,
    pub trigger_id: String,
    pub row: RowRef,
    pub response_url: Option<String>,
}

/// The modal was submitted.
#[derive(Debug, Clone, PartialEq)]
pub struct Submission {
    pub user: SlackUserId,
    pub row: RowRef,
    /// `YYYY-MM-DD` as the date picker sends it; `None` when nothing was picked.
    pub new_end: Option<String>,
    pub reason: Option<String>,
}

/// Approve or reject was clicked on an approval request.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub approve: bool,
    pub user: SlackUserId,
    pub target: DecisionRef,
    pub response_url: Option<String>,
    /// The clicked message (channel and ts).
    pub message: Option<ApprovalCopy>,
}

/// Approve or reject was clicked on a key request's approval request.
#[derive(Debug, Clone, PartialEq)]
pub struct IssueClick {
    pub approve: bool,
    pub user: SlackUserId,
    /// The request ID the button carries.
    pub id: RequestId,
    pub response_url: Option<String>,
    /// The clicked message (channel and ts).
    pub message: Option<ApprovalCopy>,
}

/// A payload keywarden cannot read; `response_url` (when it could be found) is where to say so.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unreadable Slack payload: {reason}")]
pub struct PayloadError {
    pub reason: String,
    pub response_url: Option<String>,
}

/// Parses the raw (already verified) form body.
pub fn parse_body(body: &[u8]) -> Result<Interaction, PayloadError> {
    let payload = form_urlencoded::parse(body)
        .find(|(k, _)| k == "payload")
        .map(|(_, v)| v.into_owned())
        .ok_or_else(|| error("no payload field in the form body", None))?;
    parse_payload(&payload)
}

/// Parses the `payload` JSON.
pub fn parse_payload(json: &str) -> Result<Interaction, PayloadError> {
    let event: SlackInteractionEvent = serde_json::from_str(json).map_err(|e| {
        // Still try to find where to answer: the user deserves a word.
        let response_url = serde_json::from_str::<serde_json::Value>(json)
            .ok()
            .and_then(|v| v["response_url"].as_str().map(str::to_string));
        error(
            &format!("not an interaction Slack sends ({e})"),
            response_url,
        )
    })?;
    parse_event(event)
}

/// Reads an event slack-morphism already parsed: Socket Mode hands over the envelope's
/// `payload` this way, and the HTTP path ends here too, so both read clicks identically.
pub fn parse_event(event: SlackInteractionEvent) -> Result<Interaction, PayloadError> {
    match event {
        SlackInteractionEvent::BlockActions(ev) => block_actions(ev),
        SlackInteractionEvent::ViewSubmission(ev) => view_submission(ev),
        other => Ok(Interaction::Unknown {
            what: kind(&other).into(),
            response_url: None,
        }),
    }
}

fn error(reason: &str, response_url: Option<String>) -> PayloadError {
    PayloadError {
        reason: reason.to_string(),
        response_url,
    }
}

fn kind(event: &SlackInteractionEvent) -> &'static str {
    match event {
        SlackInteractionEvent::BlockActions(_) => "block_actions",
        SlackInteractionEvent::BlockSuggestion(_) => "block_suggestion",
        SlackInteractionEvent::DialogSubmission(_) => "dialog_submission",
        SlackInteractionEvent::MessageAction(_) => "message_action",
        SlackInteractionEvent::Shortcut(_) => "shortcut",
        SlackInteractionEvent::ViewSubmission(_) => "view_submission",
        SlackInteractionEvent::ViewClosed(_) => "view_closed",
    }
}

fn user_id(raw: &str, response_url: &Option<String>) -> Result<SlackUserId, PayloadError> {
    SlackUserId::parse(raw).map_err(|e| error(&e, response_url.clone()))
}

fn block_actions(ev: SlackInteractionBlockActionsEvent) -> Result<Interaction, PayloadError> {
    let response_url = ev.response_url.as_ref().map(|u| u.0.to_string());
    let Some(action) = ev.actions.as_ref().and_then(|a| a.first()) else {
        return Ok(Interaction::Unknown {
            what: "block_actions without actions".into(),
            response_url,
        });
    };
    let action_id = action.action_id.0.as_str();
    let known = [
        REQUEST_ACTION,
        APPROVE_ACTION,
        REJECT_ACTION,
        ISSUE_APPROVE_ACTION,
        ISSUE_REJECT_ACTION,
    ];
    if !known.contains(&action_id) {
        return Ok(Interaction::Unknown {
            what: format!("action {action_id}"),
            response_url,
        });
    }
    let Some(user) = ev.user.as_ref() else {
        return Err(error("the click names no user", response_url));
    };
    let user = user_id(&user.id.0, &response_url)?;
    let value = action.value.as_deref().unwrap_or_default();
    if action_id == REQUEST_ACTION {
        let row = RowRef::decode(value).map_err(|e| error(&e.to_string(), response_url.clone()))?;
        return Ok(Interaction::RequestClick(RequestClick {
            user,
            trigger_id: ev.trigger_id.0.clone(),
            row,
            response_url,
        }));
    }
    let message = clicked_message(&ev);
    if [ISSUE_APPROVE_ACTION, ISSUE_REJECT_ACTION].contains(&action_id) {
        let id = RequestId::parse(value).ok_or_else(|| {
            error(
                "the button's value is no key request ID (req- and 16 hex digits)",
                response_url.clone(),
            )
        })?;
        return Ok(Interaction::IssueDecision(IssueClick {
            approve: action_id == ISSUE_APPROVE_ACTION,
            user,
            id,
            response_url,
            message,
        }));
    }
    let target =
        DecisionRef::decode(value).map_err(|e| error(&e.to_string(), response_url.clone()))?;
    Ok(Interaction::Decision(Decision {
        approve: action_id == APPROVE_ACTION,
        user,
        target,
        response_url,
        message,
    }))
}

/// The message whose button was clicked (channel and ts), when it was a message.
fn clicked_message(ev: &SlackInteractionBlockActionsEvent) -> Option<ApprovalCopy> {
    match &ev.container {
        SlackInteractionActionContainer::Message(m) => m
            .channel_id
            .as_ref()
            .or(ev.channel.as_ref().map(|c| &c.id))
            .map(|channel| ApprovalCopy {
                channel: channel.0.clone(),
                ts: m.message_ts.0.clone(),
            }),
        _ => None,
    }
}

fn view_submission(ev: SlackInteractionViewSubmissionEvent) -> Result<Interaction, PayloadError> {
    let SlackView::Modal(modal) = &ev.view.view else {
        return Ok(Interaction::Unknown {
            what: "view_submission of a home view".into(),
            response_url: None,
        });
    };
    let callback = modal.callback_id.as_ref().map(|c| c.0.as_str());
    if callback != Some(MODAL_CALLBACK) {
        return Ok(Interaction::Unknown {
            what: format!("view_submission {}", callback.unwrap_or("(no callback_id)")),
            response_url: None,
        });
    }
    let user = user_id(&ev.user.id.0, &None)?;
    let row = RowRef::decode(modal.private_metadata.as_deref().unwrap_or_default())
        .map_err(|e| error(&e.to_string(), None))?;
    // Found by action ID in whatever block holds it: block IDs are ours too, but the action
    // IDs are the contract (docs/rules.md §9).
    let state = ev.view.state_params.state.as_ref();
    let input = |action: &str| {
        state.and_then(|s| {
            s.values
                .values()
                .find_map(|block| block.get(&SlackActionId(action.to_string())))
        })
    };
    Ok(Interaction::Submission(Submission {
        user,
        row,
        new_end: input(NEW_END_ACTION).and_then(|v| v.selected_date.clone()),
        reason: input(REASON_ACTION).and_then(|v| v.value.clone()),
    }))
}

#[cfg(test)]
#[path = "payload_tests.rs"]
mod tests;
