//! The caps (docs/rules.md §5): a run that would delete, deactivate or issue more than its
//! cap does none of them.

use super::*;

pub(super) fn cap(due: usize, max: usize, lang: Lang) -> String {
    say!(
        lang,
        format!(
            "refused: {due} deletions of users or keys are due but KEYWARDEN_MAX_DELETIONS is {max}; \
             none was deleted. Check the date and the sheet; if they are right, raise the cap for one run"
        ),
        format!(
            "中止: 削除予定のユーザー・キーが {due} 件あり、KEYWARDEN_MAX_DELETIONS ({max}) を超えるため 1 件も削除していません。\
             日付とシートを確認し、正しければ一度だけ上限を上げて実行してください"
        ),
    )
}

pub(super) fn deactivation_cap(due: usize, max: usize, lang: Lang) -> String {
    say!(
        lang,
        format!(
            "refused: {due} access keys are due to be set Inactive but KEYWARDEN_MAX_DEACTIVATIONS is \
             {max}; none was. Check the date (KEYWARDEN_TODAY, the clock), KEYWARDEN_UNUSED_DAYS and \
             the sheet's end dates; if they are right, raise the cap for one run"
        ),
        format!(
            "中止: 無効化予定のキーが {due} 件あり、KEYWARDEN_MAX_DEACTIVATIONS ({max}) を超えるため 1 件も無効化していません。\
             日付と KEYWARDEN_UNUSED_DAYS を確認してください"
        ),
    )
}

pub(super) fn issue_cap(due: usize, max: usize, lang: Lang) -> String {
    say!(
        lang,
        format!(
            "refused: {due} approved key requests are due but KEYWARDEN_MAX_ISSUES is {max}; none was \
             issued. Check the sheet; if it is right, raise the cap for one run"
        ),
        format!(
            "中止: 発行予定のキーが {due} 件あり、KEYWARDEN_MAX_ISSUES ({max}) を超えるため 1 件も発行していません。\
             シートを確認し、正しければ一度だけ上限を上げて実行してください"
        ),
    )
}
