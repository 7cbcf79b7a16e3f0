//! Deactivation in the grace period, and reactivation after 延長 (docs/rules.md §8).

use super::*;

pub(super) fn switch(activate: bool, s: &Switch, o: &ActionOutcome, lang: Lang) -> String {
    let (user, key) = (&o.subject.user, &o.subject.access_key_id);
    let verb = say!(
        lang,
        if activate { "reactivate" } else { "deactivate" },
        if activate {
            "再有効化"
        } else {
            "無効化"
        },
    );
    match s {
        Switch::Refused(r) => super::teardown::refusal(r, lang),
        Switch::Cap { due, max } => super::caps::deactivation_cap(*due, *max, lang),
        Switch::RowUnusable(problems) => say!(
            lang,
            format!(
                "refused until the row is fixed: {}",
                super::cells::cells(problems, lang)
            ),
            format!("行を直すまで中止: {}", super::cells::cells(problems, lang)),
        ),
        Switch::ReadFailed { error } => say!(
            lang,
            format!("could not read IAM user {user}: {error}"),
            format!(
                "IAM ユーザー {user} を読めませんでした: {}",
                quoted("IAM", error)
            ),
        ),
        Switch::Planned => say!(
            lang,
            format!("would {verb} key {key} of {user}"),
            format!("{user} のキー {key} を{verb}する予定"),
        ),
        Switch::KeyGone { planned: true } => say!(
            lang,
            format!("key {key} of {user} is already gone"),
            format!("{user} のキー {key} はすでにありません"),
        ),
        Switch::KeyGone { planned: false } => say!(
            lang,
            format!(
                "key {key} of {user} is already gone: nothing to {verb}, nothing written; the \
                 teardown after the grace period records it"
            ),
            format!(
                "{user} のキー {key} はすでにありません。{verb}するものはなく、シートにも記入していません（猶予期間後の削除処理で記録します）"
            ),
        ),
        Switch::OutOfTime => out_of_time(lang),
        Switch::CannotReactivate => say!(
            lang,
            format!("cannot reactivate: key {key} of {user} no longer exists; issue a new key"),
            format!(
                "再有効化できません: {user} のキー {key} はもうありません。新しいキーを発行してください"
            ),
        ),
        Switch::Switched { .. } if activate => say!(
            lang,
            format!("key {key} of {user} is Active again (extended)"),
            format!("{user} のキー {key} を再び有効にしました（延長）"),
        ),
        Switch::Switched { grace_end } => say!(
            lang,
            format!("key {key} of {user} set Inactive; torn down after {grace_end}"),
            format!("{user} のキー {key} を無効化しました。{grace_end} の翌日以降に削除されます"),
        ),
        Switch::Failed { error } => say!(
            lang,
            format!("could not {verb} key {key}: {error}"),
            format!(
                "キー {key} を{verb}できませんでした: {}",
                quoted("IAM", error)
            ),
        ),
    }
}
