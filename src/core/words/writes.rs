//! The sheet writes (docs/rules.md §3, §4, §8): why a cell change was not written, what that
//! means for the next run, and a status an administrator changed during the run.

use super::*;

impl NotWrittenWhy {
    /// Why a sheet change was not written, for `lang`.
    pub fn words(&self, lang: Lang) -> String {
        match self {
            NotWrittenWhy::RowGone { account, key } => say!(
                lang,
                format!(
                    "no single row holds {account} / {key} any more (moved, edited or duplicated)"
                ),
                format!("{account} / {key} を持つ行が 1 行に定まりません（移動・編集・重複）"),
            ),
            NotWrittenWhy::KeyNotHeldOnce { key, rows } if rows.is_empty() => say!(
                lang,
                format!("no row holds {key} any more (moved or edited)"),
                format!("{key} を持つ行がもうありません（移動・編集）"),
            ),
            NotWrittenWhy::KeyNotHeldOnce { key, rows } => {
                let rows = |sep: &str| {
                    rows.iter()
                        .map(|r| r.to_string())
                        .collect::<Vec<_>>()
                        .join(sep)
                };
                say!(
                    lang,
                    format!(
                        "rows {} all hold {key}; keywarden does not guess which one is meant",
                        rows(", ")
                    ),
                    format!(
                        "{} 行目がすべて {key} を持っているため、どの行か決められません",
                        rows("・")
                    ),
                )
            }
            NotWrittenWhy::RereadFailed(e) => say!(
                lang,
                format!("re-reading the sheet failed: {e}"),
                format!("シートの再読み込みに失敗: {}", quoted("Google", e)),
            ),
            NotWrittenWhy::Header(e) => say!(
                lang,
                e.to_string(),
                format!(
                    "シート「{}」に列 {} がありません。1 行目に追加してください",
                    e.sheet,
                    e.missing
                        .iter()
                        .map(|m| format!("「{}」", m.replace(" or ", "」または「")))
                        .collect::<Vec<_>>()
                        .join("、")
                ),
            ),
            NotWrittenWhy::ColumnsMoving => say!(
                lang,
                "the IAM user, key and 状態 columns kept moving while the sheet was re-read",
                "再読み込みの間にアカウント名・アクセスキーID・状態 の列が動き続けました",
            )
            .to_string(),
            NotWrittenWhy::WriteFailed(e) => say!(
                lang,
                format!("writing failed: {e}"),
                format!("書き込みに失敗: {}", quoted("Google", e)),
            ),
        }
    }
}

/// A status an administrator changed during the run, left as they wrote it: what was written
/// instead and what it means for the next run.
pub(super) fn status_kept(change: &CellChange, status: &str, lang: Lang) -> String {
    let shown = if status.is_empty() { "(empty)" } else { status };
    let en = format!("状態 left as an administrator wrote it during the run (\"{shown}\")");
    let ja = format!(
        "状態 は実行中に管理者が書き換えたまま（{QUOTE_OPEN}{shown}{QUOTE_CLOSE}）にしました"
    );
    match (change, lang) {
        (CellChange::Deleted, Lang::En) => format!("{en}: {DELETED_MARK} not written"),
        (CellChange::Deactivated(_), Lang::En) => format!(
            "{en}: {DEACTIVATED_MARK} not written, 無効化日 written, so a 延長 there sets the key \
             Active again on the next run"
        ),
        (_, Lang::En) => en,
        (CellChange::Deleted, Lang::Ja) => format!("{ja}。{DELETED_MARK} は記入していません"),
        (CellChange::Deactivated(_), Lang::Ja) => format!(
            "{ja}。{DEACTIVATED_MARK} は記入せず 無効化日 は記入したので、延長 なら次回の実行でキーを再び有効にします"
        ),
        (_, Lang::Ja) => ja,
    }
}

/// What a write that did not happen means for the next run.
pub(super) fn not_written(change: &CellChange, why: &str, lang: Lang) -> String {
    match (change, lang) {
        (CellChange::Deleted, Lang::En) => format!(
            "{DELETED_MARK} was not written ({why}); the next run finds the user gone and writes it"
        ),
        (CellChange::Notified(_), Lang::En) => format!(
            "通知日 was not written ({why}); the owner may be notified again on the next run"
        ),
        (CellChange::Deactivated(_), Lang::En) => format!(
            "{DEACTIVATED_MARK} / 無効化日 were not written ({why}); the next run deactivates the key again (harmless)"
        ),
        (CellChange::Reactivated { .. }, Lang::En) => format!(
            "無効化日 was not cleared ({why}); clear it and {DEACTIVATED_MARK} in 状態 by hand"
        ),
        (CellChange::KeyReplaced(new), Lang::En) => format!(
            "the new key ID {new} was not written ({why}); the next run writes it from the \
             secret while the row holds the Inactive old key, or write it into アクセスキーID by hand"
        ),
        (CellChange::Deleted, Lang::Ja) => {
            format!("{DELETED_MARK} を記入できませんでした ({why})。次回の実行で記入します")
        }
        (CellChange::Notified(_), Lang::Ja) => {
            format!("通知日 を記入できませんでした ({why})。次回も通知される可能性があります")
        }
        (CellChange::Deactivated(_), Lang::Ja) => format!(
            "{DEACTIVATED_MARK} / 無効化日 を記入できませんでした ({why})。次回もう一度無効化します（無害）"
        ),
        (CellChange::Reactivated { .. }, Lang::Ja) => format!(
            "無効化日 を消せませんでした ({why})。無効化日 と 状態 の {DEACTIVATED_MARK} を手動で消してください"
        ),
        (CellChange::KeyReplaced(new), Lang::Ja) => format!(
            "新しいキーID {new} を記入できませんでした ({why})。行が無効な古いキーのままなら次回の実行でシークレットから記入します。\
             手動で アクセスキーID 欄に記入しても構いません"
        ),
    }
}

english_display!(NotWrittenWhy);
