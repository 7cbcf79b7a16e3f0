//! Tearing down an IAM user (docs/rules.md §4): the refusals, the steps, and what a teardown
//! came to.
//!
//! A teardown step's own words are its unit's, in `core/teardown/dependents/` (a dependent is
//! one file there); here they are joined into what a teardown came to.

use super::*;

/// A teardown step in the summary's words (its `Display` is the report's English); each
/// step's words live with its unit in `core/teardown/dependents/`.
pub fn step_ja(step: &Step) -> String {
    step.words(Lang::Ja)
}

fn step(s: &Step, lang: Lang) -> String {
    s.words(lang)
}

fn steps_in(steps: &[Step], lang: Lang) -> String {
    let sep = say!(lang, ", ", "、");
    steps
        .iter()
        .map(|s| step(s, lang))
        .collect::<Vec<_>>()
        .join(sep)
}

pub fn refusal(r: &Refusal, lang: Lang) -> String {
    match lang {
        Lang::En => r.to_string(),
        Lang::Ja => match r {
            Refusal::Protected => "中止: 保護ユーザー (KEYWARDEN_PROTECTED_USERS) です。キーを残すなら状態欄に「延長」と記入してください".into(),
            Refusal::OutsidePath { path, prefix } => format!(
                "中止: IAM パス {path} が KEYWARDEN_IAM_PATH_PREFIX {prefix} の外です。手動で削除するか設定を見直してください"
            ),
            Refusal::KeyMismatch { sheet_key, iam_keys } => format!(
                "中止: シートのキー {sheet_key} はこのユーザーのキー ({}) にありません。アクセスキーID 欄を確認してください（何も変更していません）",
                join(iam_keys)
            ),
            Refusal::TwoRowsClaim { key, rows } => format!(
                "中止: {} 行目がキー {key} を取り合っています（同じキー、または同じユーザーで空欄・読めないキー欄）。何も変更していません。キーを持つ有効な行を 1 行だけにしてください",
                rows.iter().map(|r| r.to_string()).collect::<Vec<_>>().join(" 行目と ")
            ),
            Refusal::NotTagged { user, sheet_key } => format!(
                "中止: IAM ユーザー {user} にはアクセスキーがなく、keywarden が削除を始めた印（{sheet_key} の {TEARDOWN_TAG} タグ）もありません。\
                 アカウント名 欄が別のユーザーを指している可能性があります。何も変更していません: 欄を直すか、ユーザーを手動で削除してください"
            ),
            Refusal::KeyElsewhere {
                user,
                sheet_key,
                owner,
            } => format!(
                "中止: キー {sheet_key} は {user} ではなく IAM ユーザー {owner} のものです。アカウント名 欄の誤記の可能性があります。\
                 何も変更していません: 欄を直してください"
            ),
            Refusal::KeyOwnerUnknown {
                user,
                sheet_key,
                error,
            } => format!(
                "中止: IAM ユーザー {user} は存在せず、キー {sheet_key} の持ち主も IAM から分かりません（{}）。\
                 何も変更していません: 行を確認し、必要ならキーを手動で削除してください",
                quoted("IAM", error)
            ),
        },
    }
}

pub(super) fn teardown(t: &Teardown, o: &ActionOutcome, lang: Lang) -> String {
    let user = &o.subject.user;
    match t {
        Teardown::Refused(TeardownRefusal::Guard(r)) => refusal(r, lang),
        Teardown::Refused(TeardownRefusal::Cap { due, max }) => super::caps::cap(*due, *max, lang),
        Teardown::ReadFailed { error } => say!(
            lang,
            format!(
                "could not read IAM user {user}: {error}; nothing was changed, the next run tries again"
            ),
            format!(
                "IAM ユーザー {user} を読めませんでした: {}。何も変更していません（次回の実行で再試行します）",
                quoted("IAM", error)
            ),
        ),
        Teardown::AlreadyGone { planned: true } => say!(
            lang,
            format!("IAM user {user} is already gone: would write {DELETED_MARK}"),
            format!("IAM ユーザー {user} はすでにありません: {DELETED_MARK} を記入する予定"),
        ),
        Teardown::AlreadyGone { planned: false } => say!(
            lang,
            format!("IAM user {user} was already gone; {DELETED_MARK} written"),
            format!("IAM ユーザー {user} はすでにありませんでした。{DELETED_MARK} を記入しました"),
        ),
        Teardown::Planned { steps } => say!(
            lang,
            format!("would tear down {user}: {}", steps_in(steps, lang)),
            format!("{user} を削除する予定: {}", steps_in(steps, lang)),
        ),
        Teardown::TornDown { steps, kept } => {
            let mut text = say!(
                lang,
                format!("IAM user {user} deleted ({} steps)", steps.len()),
                format!(
                    "IAM ユーザー {user} を削除しました（{} ステップ）",
                    steps.len()
                ),
            );
            for (kept_step, why) in kept {
                text.push_str(&say!(
                    lang,
                    format!("; {kept_step}: kept, {why}"),
                    format!(
                        "。{}: 残しました（理由: {QUOTE_OPEN}{why}{QUOTE_CLOSE}）",
                        step_ja(kept_step)
                    ),
                ));
            }
            text
        }
        Teardown::KeyOnly { planned, keeper } => {
            let key = &o.subject.access_key_id;
            let row = keeper.row;
            let (en_kept, ja_kept) = match &keeper.named {
                None => (format!("row {row}"), format!("{row} 行目")),
                Some(name) => (
                    format!("row {row}, which holds another of its keys under the name {name}"),
                    format!("別のキーを持つ {row} 行目（アカウント名は {name}）"),
                ),
            };
            match (planned, lang) {
                (true, Lang::En) => {
                    format!("would delete key {key} only: IAM user {user} is kept for {en_kept}")
                }
                (false, Lang::En) => format!(
                    "key {key} deleted, IAM user {user} kept for {en_kept}; {DELETED_MARK} written"
                ),
                (true, Lang::Ja) => format!(
                    "キー {key} のみ削除する予定: IAM ユーザー {user} は{ja_kept}のために残します"
                ),
                (false, Lang::Ja) => format!(
                    "キー {key} を削除し、IAM ユーザー {user} は{ja_kept}のために残しました。{DELETED_MARK} を記入しました"
                ),
            }
        }
        Teardown::Stopped {
            at,
            error,
            user_deleted: true,
        } => say!(
            lang,
            format!("IAM user {user} deleted, but \"{at}\" failed: {error}; delete it by hand"),
            format!(
                "IAM ユーザー {user} は削除しましたが「{}」に失敗しました: {}。手動で削除してください",
                step_ja(at),
                quoted("IAM", error)
            ),
        ),
        Teardown::Stopped { at, error, .. } => say!(
            lang,
            format!(
                "teardown of {user} stopped at \"{at}\": {error}; the steps before it are done and the next run resumes"
            ),
            format!(
                "{user} の削除が「{}」で止まりました: {}。それまでの手順は完了しており、次回の実行で再開します",
                step_ja(at),
                quoted("IAM", error)
            ),
        ),
        Teardown::OutOfTime => out_of_time(lang),
    }
}
