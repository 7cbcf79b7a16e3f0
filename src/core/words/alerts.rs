//! Alerts (docs/rules.md §6): what needs an administrator but belongs to no row's action.

use super::*;

pub(super) fn alert(a: &Alert, lang: Lang) -> String {
    match a {
        Alert::Directory(problem) => say!(lang, problem.to_string(), problem.words(Lang::Ja)),
        Alert::DuplicateKey { key, rows } => say!(
            lang,
            format!("rows {} all hold access key {key}: keep one row per key (mark the others 削除済み)", join(rows)),
            format!("{} 行目がすべてアクセスキー {key} を持っています: 1 キー 1 行にしてください（他の行は 削除済み に）", join(rows)),
        ),
        Alert::DeletionCap { due, max } => super::caps::cap(*due, *max, lang),
        Alert::IssueCap { due, max } => super::caps::issue_cap(*due, *max, lang),
        Alert::DeactivationCap { due, max } => super::caps::deactivation_cap(*due, *max, lang),
        Alert::KeyListingFailed { error } => say!(
            lang,
            format!("the key rules did not run: listing the account's access keys failed: {error}"),
            format!("キーのルールを実行できませんでした: アクセスキーの一覧取得に失敗しました: {}", quoted("IAM", error)),
        ),
        Alert::LastUseUnconfirmed { user, key, error } => say!(
            lang,
            format!("key {key} of {user} was not deactivated: its last use could not be confirmed: {error}"),
            format!("{user} のキー {key} は無効化していません: 最終使用日を確認できませんでした: {}", quoted("IAM", error)),
        ),
        Alert::SummaryNotDelivered { admin, error } => say!(
            lang,
            format!("the run summary did not reach administrator {admin}: {error}"),
            format!("管理者 {admin} に実行結果を送れませんでした: {}", error.words(lang)),
        ),
        Alert::PendingExtension(PendingCell::Request(r)) => say!(
            lang,
            format!(
                "extension request pending since {}: {} asks to move the end date {} → {}; approve or reject it in Slack",
                r.requested_at.format("%Y-%m-%d %H:%M"),
                r.requester,
                r.current_end,
                r.requested_end
            ),
            format!("{}。Slack で承認または却下してください", r.summary()),
        ),
        Alert::PendingExtension(_) => say!(
            lang,
            "the 延長申請 cell holds text keywarden cannot read: clear it or fix it by hand".to_string(),
            "延長申請 の欄が読めません: 手動で消すか直してください".to_string(),
        ),
        Alert::AccountUnavailable { account, error, rows } => {
            let rows_en = if rows.is_empty() {
                String::new()
            } else {
                format!("; rows {} failed because of it", join(rows))
            };
            let rows_ja = if rows.is_empty() {
                String::new()
            } else {
                format!("（{} 行目はこのため失敗）", join(rows))
            };
            say!(
                lang,
                format!(
                    "AWS account {account} could not be entered, nothing was done there: {error}{rows_en}; the other accounts went on"
                ),
                format!(
                    "AWS アカウント {account} に入れず、そこでは何もしていません: {}{rows_ja}。他のアカウントは処理しました",
                    quoted("AWS", error)
                ),
            )
        }
        Alert::RotatedKeyUnchecked { user, key, secret, error } => say!(
            lang,
            format!(
                "a row holds {user}'s Inactive key {key}, but secret {secret} could not be read to see \
                 whether a rotation's new key ID is missing from the sheet: {error}"
            ),
            format!(
                "行が {user} の無効なキー {key} を持っていますが、ローテーションの新しいキーIDが未記入か確かめるための \
                 シークレット {secret} を読めませんでした: {}",
                quoted("Secrets Manager", error)
            ),
        ),
        Alert::TeardownTagKept { user, key, error } => say!(
            lang,
            format!(
                "key {key} was deleted and {DELETED_MARK} written, but the tag {TEARDOWN_TAG}={key} could not be \
                 removed from IAM user {user}, which was kept: {error}. Remove it by hand (aws iam untag-user \
                 --user-name {user} --tag-keys {TEARDOWN_TAG}): while it is there, a later row naming this key \
                 would pass as an interrupted deletion"
            ),
            format!(
                "キー {key} は削除して {DELETED_MARK} を記入しましたが、残した IAM ユーザー {user} からタグ {TEARDOWN_TAG}={key} を外せませんでした: {}。\
                 手動で外してください（aws iam untag-user --user-name {user} --tag-keys {TEARDOWN_TAG}）。残っていると、このキーを書いた別の行が中断された削除として扱われます",
                quoted("IAM", error)
            ),
        ),
        Alert::LogNotWritten { sheet, lines, error } => say!(
            lang,
            format!("{lines} line(s) were not appended to the log sheet {sheet}: {error} (the status cells were written; check that the service account may edit the spreadsheet)"),
            format!("ログシート「{sheet}」に {lines} 行を追記できませんでした: {}（状態欄は書き込み済みです。サービスアカウントがスプレッドシートを編集できるか確認してください）", quoted("Google", error)),
        ),
        Alert::OutOfTime => say!(
            lang,
            "the invocation ran out of time: what did not run is marked failed; the next run finishes it".to_string(),
            "実行時間切れ: 未実行の処理は失敗として記録し、次回の実行で続けます".to_string(),
        ),
    }
}
