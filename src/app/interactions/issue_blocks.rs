//! What Slack shows of a key request (docs/rules.md §12): the approval request with its two
//! buttons, the same text once decided, and the owner's DM. The request's text is built from
//! the row each time, so every copy reads the same before and after the decision. Text from
//! the sheet goes into `plain_text` objects (never formatted, never a mention).

use chrono::NaiveDate;
use slack_morphism::prelude::*;

use super::blocks::{escape, plain};
use crate::core::domain::SlackUserId;
use crate::core::issue::{RequestId, ValidRequest};
use crate::core::sheet::RequestRow;
use crate::core::words::issue_texts::{self as texts, APPROVAL_HEADER, Shown};

/// What an approval request says about a key request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueInfo {
    pub row: usize,
    pub id: RequestId,
    /// `氏名` as written, and the owner it resolved to.
    pub owner_name: String,
    pub owner: SlackUserId,
    /// The AWS account as people read it (`本番 (123456789012)`), and its 12 digits.
    pub account: String,
    pub account_id: String,
    pub user: String,
    /// The permissions entry's name and the policy it stands for in the account.
    pub entry: String,
    pub policy_arn: String,
    pub start: Option<NaiveDate>,
    pub end: NaiveDate,
    pub purpose: String,
    /// The request as the approval request showed it (the run's own words, one text for both).
    pub summary: String,
}

impl IssueInfo {
    pub fn of(row: &RequestRow, request: &ValidRequest) -> Self {
        IssueInfo {
            row: row.row,
            id: request.id.clone(),
            owner_name: row.owner().to_string(),
            owner: request.owner.clone(),
            account: request.account.to_string(),
            account_id: request.account.id.to_string(),
            user: request.user.to_string(),
            entry: request.entry.name.clone(),
            policy_arn: request.policy_arn.clone(),
            start: request.start,
            end: request.end,
            purpose: row.purpose().to_string(),
            summary: texts::request_summary(
                request,
                &Shown {
                    row: row.row,
                    owner_name: row.owner(),
                    purpose: row.purpose(),
                },
            ),
        }
    }

    /// The request as every copy shows it, before and after the decision.
    pub fn summary(&self) -> String {
        self.summary.clone()
    }
}

/// The approval request with its 承認 and 却下 buttons; each button's value is the request ID.
pub fn approval_request(info: &IssueInfo) -> SlackMessageContent {
    // The run's own buttons: one definition of what the endpoint recognises.
    let head = format!("{APPROVAL_HEADER}\n{}", info.summary());
    SlackMessageContent::new()
        .with_text(escape(&head))
        .with_blocks(vec![
            plain(&head),
            crate::app::issue_message::buttons(&info.id),
        ])
}

/// The approval request once decided: the outcome and who decided, no buttons.
pub fn decided(info: &IssueInfo, approved: bool, by: &SlackUserId) -> SlackMessageContent {
    let text = texts::decided(&info.summary, approved, by);
    SlackMessageContent::new()
        .with_text(escape(&text))
        .with_blocks(vec![plain(&text)])
}

/// The owner's DM: the decision, and what happens next.
pub fn owner_text(info: &IssueInfo, approved: bool, by: &SlackUserId) -> String {
    let request = texts::Decided {
        row: info.row,
        account: &info.account,
        user: &info.user,
        entry: &info.entry,
        start: info.start,
    };
    texts::owner_decided(&request, approved, by)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info() -> IssueInfo {
        IssueInfo {
            row: 7,
            id: RequestId::parse("req-368e9d298eea46e1").unwrap(),
            owner_name: "<!channel> 田中 太郎".into(),
            owner: SlackUserId::parse("U0TANAKA01").unwrap(),
            account: "本番 (123456789012)".into(),
            account_id: "123456789012".into(),
            user: "tanaka-s3".into(),
            entry: "読み取り".into(),
            policy_arn: "arn:aws:iam::aws:policy/ReadOnlyAccess".into(),
            start: None,
            end: "2027-03-31".parse().unwrap(),
            purpose: "*急ぎ* <@U123>".into(),
            summary: "7行目\n利用者: <!channel> 田中 太郎（U0TANAKA01）\n権限: 読み取り（arn:aws:iam::aws:policy/ReadOnlyAccess）".into(),
        }
    }

    #[test]
    fn the_buttons_carry_the_request_id_and_sheet_text_stays_plain() {
        let v = serde_json::to_value(approval_request(&info())).unwrap();
        let elements = &v["blocks"][1]["elements"];
        assert_eq!(elements[0]["action_id"], "keywarden_issue_approve");
        assert_eq!(elements[1]["action_id"], "keywarden_issue_reject");
        for e in elements.as_array().unwrap() {
            assert_eq!(e["value"], "req-368e9d298eea46e1");
        }
        assert_eq!(v["blocks"][0]["text"]["type"], "plain_text");
        let text = v["text"].as_str().unwrap();
        assert!(text.contains("&lt;!channel&gt;"), "{text}");
        assert!(
            text.contains("arn:aws:iam::aws:policy/ReadOnlyAccess"),
            "{text}"
        );
    }

    #[test]
    fn a_decided_request_keeps_its_text_and_loses_its_buttons() {
        let by = SlackUserId::parse("U0ADMIN02").unwrap();
        let v = serde_json::to_value(decided(&info(), false, &by)).unwrap();
        let blocks = v["blocks"].as_array().unwrap();
        assert_eq!(blocks.len(), 1, "no buttons");
        let text = blocks[0]["text"]["text"].as_str().unwrap();
        assert!(text.starts_with("このキー発行申請は U0ADMIN02 が却下しました。"));
        assert!(text.ends_with(&info().summary()), "{text}");
        assert!(owner_text(&info(), true, &by).contains("U0ADMIN02 が承認しました"));
    }
}
