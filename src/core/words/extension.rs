//! What Slack shows in the extension flow (docs/rules.md §9), in Japanese (docs/rules.md §7):
//! the button of the owner's notice, the request form, the approval request and what becomes
//! of it; and the log sheet's `詳細` of a request. Block Kit's structure is
//! `app/interactions/blocks.rs`; sheet text goes into `plain_text` there.

use crate::core::domain::SlackUserId;
use crate::core::extension::approval::ApprovalInfo;
use crate::core::extension::record::Outcome;
use crate::core::extension::value::RowRef;

/// The button of the owner's notice.
pub const REQUEST_BUTTON: &str = "延長を申請する";
/// The form's title, and that of the modal answering a submission.
pub const FORM_TITLE: &str = "アクセスキーの延長申請";
pub const NEW_END_LABEL: &str = "新しい利用終了日";
pub const REASON_LABEL: &str = "延長が必要な理由";
pub const SUBMIT: &str = "申請する";
pub const CANCEL: &str = "キャンセル";
pub const CLOSE: &str = "閉じる";

/// The form's text above its two fields.
pub fn form_text(row: &RowRef, max_extension_days: u32) -> String {
    format!(
        "アカウント: {}\nアクセスキーID: {}\n現在の利用終了日: {}\n\n延長できるのは現在の利用終了日から{max_extension_days}日後までです。管理者の承認後に利用終了日が変わります。",
        row.account, row.key_id, row.end
    )
}

/// The request as every copy of the approval request shows it.
fn summary(info: &ApprovalInfo) -> String {
    format!(
        "{}行目\nアカウント: {}\nアクセスキーID: {}\n利用者: {}\n現在の利用終了日: {}\n希望する利用終了日: {}\n申請者: {}\n理由: {}",
        info.row,
        info.account,
        info.key_id,
        info.owner_name,
        info.current_end,
        info.requested_end,
        info.requester,
        info.reason
    )
}

/// The approval request's text, above its 承認 and 却下 buttons.
pub fn approval_request(info: &ApprovalInfo) -> String {
    format!("アクセスキーの延長申請が届きました。\n{}", summary(info))
}

/// The approval request once decided: the outcome and who decided.
pub fn decided(info: &ApprovalInfo, outcome: Outcome, decider: &SlackUserId) -> String {
    format!(
        "この延長申請は {decider} が{}しました。\n{}",
        outcome.word(),
        summary(info)
    )
}

/// An approval request whose recording failed: void, nobody decides on it.
pub fn withdrawn(info: &ApprovalInfo) -> String {
    format!(
        "この延長申請はシートに記録できなかったため無効です（申請者が再申請します）。\n{}",
        summary(info)
    )
}

/// The log sheet's `詳細` of a request: the dates, who asked and why.
pub fn request_detail(info: &ApprovalInfo) -> String {
    format!(
        "延長申請: 利用終了日 {} → {}、申請者 {}、理由: {}",
        info.current_end, info.requested_end, info.requester, info.reason
    )
}
