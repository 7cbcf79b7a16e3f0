//! The Slack endpoint's answers to a click or a form that changed nothing (docs/rules.md §9,
//! §12): what the person is told, in Japanese (docs/rules.md §7: there is no English side).

use std::fmt;

use chrono::NaiveDate;

use crate::core::extension::rules::{FormProblem, Refusal};
use crate::core::issue::IssueState;
use crate::core::issue::decision::{DecisionRefusal, Stale};

/// Row numbers as a Japanese list: `3、7`.
fn rows(rows: &[usize]) -> String {
    rows.iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join("、")
}

/// Why an extension request or decision changed nothing.
impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::RowGone => f.write_str(
                "この申請の行がシートに見つかりません（削除されたか、アカウント名が変わりました）。",
            ),
            Refusal::KeyChanged { row } => write!(
                f,
                "{row}行目のアクセスキーIDが通知のときと変わっています。管理者に確認してください。"
            ),
            Refusal::Ambiguous(found) => write!(
                f,
                "同じアカウントとアクセスキーIDの行が複数あります（{}行目）。管理者に確認してください。",
                rows(found)
            ),
            Refusal::Deleted { row } => write!(f, "{row}行目は削除済みです。延長できません。"),
            Refusal::UnreadableEnd { row } => write!(
                f,
                "{row}行目の利用終了日が読めません。管理者に確認してください。"
            ),
            Refusal::AlreadyPending {
                row,
                requester,
                requested_end,
                requested_at,
            } => write!(
                f,
                "{row}行目には処理待ちの延長申請があります（申請者 {requester}、希望終了日 {requested_end}、申請日時 {requested_at}）。承認か却下を待ってください。"
            ),
            Refusal::PendingUnreadable { row } => write!(
                f,
                "{row}行目の延長申請セルが読めない内容です。管理者がセルを確認・消去してから申請してください。"
            ),
            Refusal::NotOwner => f.write_str(
                "延長を申請できるのは、このキーの利用者（users_json で照合）か管理者だけです。",
            ),
            Refusal::NotAdmin => f.write_str("延長申請を承認・却下できるのは管理者だけです。"),
            Refusal::SelfApproval => f.write_str(
                "自分の延長申請は承認・却下できません。ほかの管理者に依頼してください。",
            ),
            Refusal::OwnerApproval => f.write_str(
                "自分が利用者のアクセスキーの延長申請は、ほかの管理者が申請したものでも承認・却下できません。ほかの管理者に依頼してください。",
            ),
            Refusal::AlreadyDecided => f.write_str(
                "この延長申請はすでに処理済みです（ほかの管理者が処理したか、取り下げられました）。シートは変更していません。",
            ),
            Refusal::EndDateChanged { row, expected } => write!(
                f,
                "{row}行目の利用終了日が申請時（{expected}）から変わっています。シートは変更していません。"
            ),
        }
    }
}

/// Why a click on a key request's approval buttons changed nothing.
impl fmt::Display for DecisionRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecisionRefusal::IssuanceOff => f.write_str(
                "キー発行は有効になっていません（KEYWARDEN_ISSUE_POLICIES が未設定）。何も変更していません。",
            ),
            DecisionRefusal::NotAdmin => f.write_str(
                "キー発行申請を承認・却下できるのは管理者だけです。何も変更していません。",
            ),
            DecisionRefusal::Owner { row } => write!(
                f,
                "{row}行目のキーの利用者はあなたです。自分のキーの発行申請は承認・却下できません。ほかの管理者に依頼してください。何も変更していません。"
            ),
            DecisionRefusal::Filer { row, email } => write!(
                f,
                "{row}行目を申請したのはあなたです（メールアドレス {email}）。自分が出した申請は承認・却下できません。ほかの管理者に依頼してください。何も変更していません。"
            ),
            DecisionRefusal::Stale(stale) => {
                write!(f, "この承認依頼は古くなっています: {stale}何も変更していません。")
            }
            DecisionRefusal::Decided { row, state } => {
                let what = match state {
                    IssueState::Approved { by, on } => format!("{by} が {on} に承認済みです"),
                    IssueState::Rejected { by, on } => format!("{by} が {on} に却下済みです"),
                    IssueState::Issued { on } => format!("{on} に発行済みです"),
                    IssueState::Pending => "承認待ちです".into(),
                };
                write!(f, "この申請（{row}行目）は {what}。何も変更していません。")
            }
            DecisionRefusal::SeveralRows { id, rows: found } => write!(
                f,
                "同じ申請（{id}）の行が複数あります（{}行目）。どちらかを直すか削除してください。何も変更していません。",
                rows(found)
            ),
            DecisionRefusal::Invalid { row, problems } => write!(
                f,
                "{row}行目の申請には直すべき点があるため、承認・却下できません: {problems}。シートを直すと新しい承認依頼が届きます（却下するには状態に「却下」と記入してください）。何も変更していません。"
            ),
        }
    }
}

/// Why the approval buttons no longer stand for the row.
impl fmt::Display for Stale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stale::NoRow => f.write_str(
                "この申請を承認待ちとしている行がシートにありません（行が編集され新しい承認依頼が送られたか、行が削除されました）。",
            ),
            Stale::Edited { row } => write!(
                f,
                "{row}行目の内容（アカウント名・氏名・権限・利用開始日・利用終了日・AWSアカウントのいずれか）が承認依頼の後に変わりました。新しい内容の承認依頼が届きます。"
            ),
            Stale::NotARequest { row } => write!(
                f,
                "{row}行目はもう発行申請ではありません（アクセスキーIDか状態が記入されています）。"
            ),
        }
    }
}

/// What is wrong with a field of the extension form, shown under the field.
impl fmt::Display for FormProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormProblem::NoDate => f.write_str("新しい利用終了日を選んでください。"),
            FormProblem::Unreadable => f.write_str("日付が読めません。"),
            FormProblem::NotAfter { current_end } => write!(
                f,
                "現在の利用終了日（{current_end}）より後の日付を選んでください。"
            ),
            FormProblem::TooLate {
                max_extension_days,
                latest,
            } => write!(
                f,
                "延長できるのは現在の利用終了日から{max_extension_days}日後（{latest}）までです。"
            ),
            FormProblem::NoReason => f.write_str("延長が必要な理由を書いてください。"),
        }
    }
}

impl std::error::Error for Refusal {}
impl std::error::Error for DecisionRefusal {}
impl std::error::Error for Stale {}

/// What kept keywarden from answering a click or a form: a sheet that could not be read or
/// written, Slack or AWS that did not answer. Nothing was changed, unless it says otherwise.
#[derive(Debug, Clone, Copy)]
pub enum Trouble<'a> {
    /// A click keywarden does not handle.
    UnknownAction,
    /// A button whose value cannot be read.
    UnreadableButton,
    /// The sheet could not be read to open the extension form.
    FormSheetUnreadable,
    /// Slack did not open the form (its error).
    FormNotOpened(&'a str),
    /// The sheet could not be read to take a submitted form.
    SubmissionSheetUnreadable,
    /// No administrator received the approval request.
    ApprovalNotSent,
    /// The sheet could not be read again to record the request: the approval request was
    /// withdrawn.
    RecordSheetUnreadable,
    /// The request could not be written: the approval request was withdrawn.
    NotRecorded,
    /// The sheet could not be read to decide.
    DecisionSheetUnreadable,
    /// The decision (`what`: 承認, 却下 or 処理) could not be written (the sheet's error).
    DecisionNotWritten { what: &'a str, error: &'a str },
    /// The AWS accounts a key request needs could not be asked.
    AccountsUnknown,
}

impl fmt::Display for Trouble<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Trouble::UnknownAction => {
                f.write_str("keywarden はこの操作を扱っていません。何も変更していません。")
            }
            Trouble::UnreadableButton => f.write_str(
                "このボタンの内容を読み取れませんでした。何も変更していません。最新の通知から操作するか、管理者に連絡してください。",
            ),
            Trouble::FormSheetUnreadable => f.write_str(
                "シートを読めなかったため申請画面を開けませんでした。しばらくしてからもう一度押してください。",
            ),
            Trouble::FormNotOpened(e) => write!(
                f,
                "申請画面を開けませんでした（{e}）。何も変更していません。もう一度「延長を申請する」を押してください。"
            ),
            Trouble::SubmissionSheetUnreadable => f.write_str(
                "シートを読めなかったため申請できませんでした。何も変更していません。しばらくしてからもう一度申請してください。",
            ),
            Trouble::ApprovalNotSent => f.write_str(
                "承認依頼を管理者に送れませんでした。何も変更していません。しばらくしてからもう一度申請してください。",
            ),
            Trouble::RecordSheetUnreadable => f.write_str(
                "シートを読めなかったため申請を記録できませんでした。承認依頼は取り消しました。しばらくしてからもう一度申請してください。",
            ),
            Trouble::NotRecorded => f.write_str(
                "シートに記録できなかったため申請できませんでした。承認依頼は取り消しました。もう一度申請してください。",
            ),
            Trouble::DecisionSheetUnreadable => f.write_str(
                "シートを読めなかったため処理できませんでした。何も変更していません。もう一度押してください。",
            ),
            Trouble::DecisionNotWritten { what, error } => write!(
                f,
                "シートに書き込めなかったため{what}できませんでした（{error}）。何も変更していません。もう一度押してください。"
            ),
            Trouble::AccountsUnknown => f.write_str(
                "AWS アカウントを確認できなかったため処理できませんでした。何も変更していません。しばらくしてからもう一度押してください。",
            ),
        }
    }
}

/// The form's answer once an extension request is recorded.
pub fn submitted(requested_end: NaiveDate) -> String {
    format!(
        "延長申請を送信しました（希望終了日 {requested_end}）。管理者が承認すると利用終了日が変わります。結果は DM でお知らせします。"
    )
}

/// The form's answer when the row changed while the approval request was posted.
pub fn withdrawn(refusal: &Refusal) -> String {
    format!("{refusal}（承認依頼は取り消しました。）")
}
