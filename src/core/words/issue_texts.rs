//! Key issuance's Slack texts (docs/rules.md §12), in Japanese like every message: the approval
//! request (and once decided), and the owner's three DMs (asked, decided, issued). Pure text; sheet values go through
//! [`crate::core::messages::clean`]. The secret is never an argument of any of these.

use chrono::NaiveDate;

use crate::core::domain::{AccessKeyId, SlackUserId};
use crate::core::issue::ValidRequest;
use crate::core::messages::clean;

/// What the approval request shows besides the request itself: the row and its free text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown<'a> {
    pub row: usize,
    /// `氏名` as written.
    pub owner_name: &'a str,
    /// `申請目的・理由` as written.
    pub purpose: &'a str,
}

fn or_dash(text: &str) -> String {
    if text.trim().is_empty() {
        "-".into()
    } else {
        clean(text.trim())
    }
}

/// The first line of an approval request.
pub const APPROVAL_HEADER: &str = "アクセスキーの発行申請が届きました。承認すると keywarden が IAM ユーザーとアクセスキーを作成します。";

/// The approval request's text: row, owner, AWS account, IAM user, the permissions entry and
/// its policy ARN, start and end date, purpose, and the request's ID.
pub fn approval_request(v: &ValidRequest, shown: &Shown) -> String {
    format!("{APPROVAL_HEADER}\n{}", request_summary(v, shown))
}

/// The request as every copy of the approval request shows it, before the decision and after
/// (the endpoint replaces the buttons but keeps this text).
pub fn request_summary(v: &ValidRequest, shown: &Shown) -> String {
    let start = v
        .start
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "承認後すぐ".into());
    format!(
        "{}行目\n\
         利用者: {}（{}）\n\
         AWS アカウント: {}\n\
         IAM ユーザー: {}\n\
         権限: {}（{}）\n\
         利用開始日: {start}\n\
         利用終了日: {}\n\
         目的: {}\n\
         申請ID: {}",
        shown.row,
        or_dash(shown.owner_name),
        v.owner,
        clean(&v.account.to_string()),
        v.user,
        clean(&v.entry.name),
        clean(&v.policy_arn),
        v.end.format("%Y-%m-%d"),
        or_dash(shown.purpose),
        v.id,
    )
}

/// The owner's DM once the approval request went out.
pub fn owner_asked(v: &ValidRequest, owner_name: &str) -> String {
    format!(
        "{}アクセスキーの発行申請を管理者に送りました。承認されると、AWS アカウント {} に IAM ユーザー「{}」\
         （権限: {}、利用終了日: {}）を作成し、キーの受け取り方をお知らせします。",
        greeting(owner_name),
        clean(&v.account.to_string()),
        v.user,
        clean(&v.entry.name),
        v.end.format("%Y-%m-%d"),
    )
}

/// The owner's DM once the key is issued: where the secret is and how to read it, never the
/// secret.
pub fn owner_issued(v: &ValidRequest, owner_name: &str, key: &AccessKeyId, secret: &str) -> String {
    format!(
        "{}アクセスキーを発行しました。\n\
         • AWS アカウント: {}\n\
         • IAM ユーザー: {}\n\
         • アクセスキーID: {key}\n\
         • 利用終了日: {}（翌日に IAM ユーザーごと削除されます）\n\
         • シークレットアクセスキーの保存先: AWS Secrets Manager のシークレット「{secret}」\n\
         次のコマンドで読み出してください（この DM にシークレットは書きません）:\n\
         aws secretsmanager get-secret-value --secret-id {secret} --query SecretString",
        greeting(owner_name),
        clean(&v.account.to_string()),
        v.user,
        v.end.format("%Y-%m-%d"),
    )
}

/// An approval request once decided: the outcome and who decided, above the request's text.
pub fn decided(summary: &str, approved: bool, by: &SlackUserId) -> String {
    format!(
        "このキー発行申請は {by} が{}しました。\n{summary}",
        word(approved)
    )
}

/// The decided request as its owner's DM names it.
pub struct Decided<'a> {
    pub row: usize,
    /// The AWS account as people read it.
    pub account: &'a str,
    pub user: &'a str,
    /// The permissions entry's name.
    pub entry: &'a str,
    pub start: Option<NaiveDate>,
}

/// The owner's DM once an administrator decided: the decision, and what happens next.
pub fn owner_decided(request: &Decided, approved: bool, by: &SlackUserId) -> String {
    let next = if approved {
        match request.start {
            Some(start) => format!(
                "利用開始日（{start}）以降の次の実行でキーを発行し、受け取り方を DM でお知らせします。"
            ),
            None => "次の実行でキーを発行し、受け取り方を DM でお知らせします。".to_string(),
        }
    } else {
        "キーは発行されません。必要なら管理者に相談してください。".to_string()
    };
    format!(
        "アクセスキーの発行申請（{}行目、{}、IAMユーザー {}、権限 {}）は {by} が{}しました。{next}",
        request.row,
        request.account,
        request.user,
        request.entry,
        word(approved)
    )
}

fn word(approved: bool) -> &'static str {
    if approved {
        super::APPROVE
    } else {
        super::REJECT
    }
}

fn greeting(owner: &str) -> String {
    if owner.trim().is_empty() {
        String::new()
    } else {
        format!("{} さん\n", clean(owner.trim()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::fixtures::valid_request as valid;

    #[test]
    fn the_approval_request_names_everything_an_administrator_decides_on() {
        let v = valid();
        let text = approval_request(
            &v,
            &Shown {
                row: 7,
                owner_name: "田中 太郎",
                purpose: "バックアップの検証\n<!channel>",
            },
        );
        for part in [
            "7行目",
            "田中 太郎（U0TANAKA01）",
            "123456789012",
            "tanaka-s3",
            "読み取り（arn:aws:iam::aws:policy/ReadOnlyAccess）",
            "利用開始日: 承認後すぐ",
            "利用終了日: 2027-03-31",
            "目的: バックアップの検証 <!channel>",
            v.id.as_str(),
        ] {
            assert!(text.contains(part), "{part} missing from {text}");
        }
    }

    #[test]
    fn the_issued_dm_names_the_secret_and_the_command_to_read_it() {
        let v = valid();
        let key = AccessKeyId::parse("AKIAIOSFODNN7EXAMPLE").unwrap();
        let text = owner_issued(&v, "田中 太郎", &key, "keywarden/tanaka-s3");
        assert!(text.contains("AKIAIOSFODNN7EXAMPLE"));
        assert!(text.contains(
            "aws secretsmanager get-secret-value --secret-id keywarden/tanaka-s3 --query SecretString"
        ));
        assert!(text.contains("2027-03-31"));
    }
}
