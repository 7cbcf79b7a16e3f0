//! The owner's DM when a due row's IAM user and key were already gone: keywarden deleted nothing
//! this time, so it must not say it did — it only recorded the row as `削除済み`.

use crate::core::messages::clean;
use crate::core::sheet::RequestRow;

fn or_dash(text: &str) -> String {
    if text.is_empty() {
        "-".to_string()
    } else {
        clean(text)
    }
}

/// The DM: the user and key were not found in IAM, the row is now recorded as deleted.
pub fn owner_already_gone(row: &RequestRow) -> String {
    let where_ = row
        .aws_account
        .as_ref()
        .map(|a| format!("AWS アカウント {} の ", clean(&a.to_string())))
        .unwrap_or_default();
    format!(
        "{owner} さん\n\
         AWS アクセスキーの利用終了日（{end}）を過ぎました。{where_}IAM ユーザー「{account}」と\
         アクセスキー {key} はすでに IAM にありませんでした。今回の実行で削除したものはなく、\
         申請シートのこの申請を「削除済み」として記録しました。\n\
         引き続き必要な場合は、あらためて利用申請をしてください。",
        owner = or_dash(&row.owner),
        end = or_dash(&row.end),
        account = or_dash(&row.account),
        key = or_dash(&row.key_id),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::domain::{Account, AwsAccountId, RowStatus};

    fn row(account: Option<Account>) -> RequestRow {
        RequestRow {
            row: 9,
            status: RowStatus::Open,
            status_text: String::new(),
            owner: "中村 六子".into(),
            account: "nakamura-migration".into(),
            key_id: "AKIAIOSFODNN7EXAMPLE".into(),
            purpose: String::new(),
            service: String::new(),
            start: String::new(),
            end: "2026-11-20".into(),
            notified_on: None,
            deactivated_on: None,
            pending_extension: String::new(),
            aws_account_cell: Default::default(),
            aws_account: account,
            valid: Err(vec![]),
        }
    }

    #[test]
    fn the_owner_is_told_the_row_was_recorded_not_that_anything_was_deleted() {
        let text = owner_already_gone(&row(None));
        assert!(text.contains("「nakamura-migration」"), "{text}");
        assert!(text.contains("AKIAIOSFODNN7EXAMPLE"), "{text}");
        assert!(text.contains("「削除済み」として記録しました"), "{text}");
        assert!(
            !text.contains("削除しました"),
            "nothing was deleted: {text}"
        );
        assert!(
            !text.contains("AWS アカウント"),
            "home-only rows name no account"
        );
        let staging = Account {
            id: AwsAccountId::parse("210987654321").unwrap(),
            alias: Some("検証".into()),
        };
        let text = owner_already_gone(&row(Some(staging)));
        assert!(
            text.contains(
                "AWS アカウント 検証 (210987654321) の IAM ユーザー「nakamura-migration」"
            ),
            "{text}"
        );
    }
}
