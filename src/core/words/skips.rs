//! Rows nothing is done to: a skip (routine, in the report only) and an unusable row (a cell
//! to fix first, docs/rules.md §2).

use super::*;

/// A skipped row's detail: fixed text, so the skips of a long sheet need no text of their own.
/// A skip's words: fixed text, borrowed, for all but a date.
pub(crate) fn skip_detail(skip: &Skip, lang: Lang) -> std::borrow::Cow<'static, str> {
    match skip {
        Skip::Deleted => say!(
            lang,
            "status says 削除: already deleted",
            "状態が削除: 削除済み"
        )
        .into(),
        Skip::Extended => say!(lang, "status says 延長: extended", "状態が延長: 延長済み").into(),
        Skip::Rejected => say!(
            lang,
            "status says 却下: a rejected request",
            "状態が却下: 却下された申請"
        )
        .into(),
        Skip::AwaitingApproval => say!(
            lang,
            "key request waiting for an administrator's approval in Slack",
            "キーの発行申請: Slack で管理者の承認待ち"
        )
        .into(),
        Skip::StartsLater(start) => say!(
            lang,
            format!("approved key request: the key is issued on its start date {start}"),
            format!("承認済みのキーの発行申請: 利用開始日 {start} に発行します"),
        )
        .into(),
        Skip::Nothing => "".into(),
    }
}

/// A row not acted on until its cells are fixed.
pub(super) fn unusable(problems: &[CellProblem], lang: Lang) -> String {
    say!(
        lang,
        format!("not acted on until fixed: {}", cells::cells(problems, lang)),
        format!(
            "修正されるまで処理しません: {}",
            cells::cells(problems, lang)
        ),
    )
}
