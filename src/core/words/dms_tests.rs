//! Tests of `owner_already_gone`.
use super::*;
use crate::core::domain::{Account, AwsAccountId};
use crate::core::fixtures::request_row;
use crate::core::sheet::Text;

fn row(account: Option<Account>) -> RequestRow {
    let mut row = request_row()
        .invalid(vec![])
        .with(Text::Owner, "中村 六子")
        .with(Text::User, "nakamura-migration")
        .with(Text::End, "2026-11-20");
    row.row = 9;
    row.aws_account = account.map(std::sync::Arc::new);
    row
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
        text.contains("AWS アカウント 検証 (210987654321) の IAM ユーザー「nakamura-migration」"),
        "{text}"
    );
}
