//! An action that could not run in its AWS account: the account could not be entered, the key
//! is of another account, or STS could not say whose the key is (docs/rules.md §10).

use super::*;

pub(super) fn unavailable(error: &str, o: &ActionOutcome, lang: Lang) -> String {
    say!(
        lang,
        format!(
            "not done: its AWS account {} could not be entered ({error}); nothing was changed for this row",
            account_of(o)
        ),
        format!(
            "AWS アカウント {} に入れなかったため実行していません（{}）。この行については何も変更していません",
            account_of(o),
            quoted("AWS", error)
        ),
    )
}

pub(super) fn wrong(key_account: &str, o: &ActionOutcome, lang: Lang) -> String {
    say!(
        lang,
        format!(
            "refused: the key belongs to AWS account {key_account}, not to {} as the row says; \
             nothing was changed in any account — correct the AWSアカウント cell (or the key)",
            account_of(o)
        ),
        format!(
            "中止: このキーは行の AWS アカウント {} ではなく {key_account} のものです。\
             どのアカウントでも何も変更していません。AWSアカウント 欄（またはキー）を直してください",
            account_of(o)
        ),
    )
}

pub(super) fn key_account_unknown(error: &str, lang: Lang) -> String {
    say!(
        lang,
        format!(
            "not done: could not ask STS which AWS account the key belongs to ({error}); \
             nothing was changed — the next run tries again"
        ),
        format!(
            "キーの AWS アカウントを STS に確認できなかったため実行していません（{}）。\
             何も変更していません。次回の実行で再試行します",
            if error == NO_ROW_ACCOUNT {
                "行に AWS アカウントがありません".to_string()
            } else {
                quoted("STS", error)
            }
        ),
    )
}

/// The action's AWS account as people read it, `本番 (123456789012)`.
fn account_of(o: &ActionOutcome) -> String {
    o.subject
        .aws_account
        .as_ref()
        .map(|a| a.to_string())
        .unwrap_or_else(|| "-".into())
}
