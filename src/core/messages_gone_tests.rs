//! Tests of `owner_already_gone`.
use super::*;
use crate::core::domain::{Account, AwsAccountId, RowStatus};

fn row(account: Option<Account>) -> RequestRow {
    RequestRow {
        row: 9,
        status: RowStatus::Open,
        status_text: Default::default(),
        owner: "中村 六子".into(),
        account: "nakamura-migration".into(),
        key_id: "AKIAIOSFODNN7EXAMPLE".into(),
        purpose: Default::default(),
        service: Default::default(),
        start: Default::default(),
        end: "2026-11-20".into(),
        notified_on: None,
        deactivated_on: None,
        pending_extension: Default::default(),
        aws_account_cell: Default::default(),
        issue: None,
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
        text.contains("AWS アカウント 検証 (210987654321) の IAM ユーザー「nakamura-migration」"),
        "{text}"
    );
}
