//! The key hygiene rules (docs/rules.md §9): age, unused, rotation, shadow keys.

use super::*;

pub(super) fn key_rule(
    rule: &KeyRule,
    result: &KeyResult,
    o: &ActionOutcome,
    lang: Lang,
) -> String {
    let user = &o.subject.user;
    match (rule, result) {
        (_, KeyResult::Cap { due, max }) => super::caps::cap(*due, *max, lang),
        (_, KeyResult::DeactivationCap { due, max }) => {
            super::caps::deactivation_cap(*due, *max, lang)
        }
        (_, KeyResult::OutOfTime) => out_of_time(lang),
        (KeyRule::Rotate { old_key, .. }, KeyResult::TwoActiveKeys { other }) => say!(
            lang,
            format!(
                "rotation refused: {user} has two active keys ({} and {old_key}) and IAM allows two per user, so no \
                 new key can be created; keywarden does not choose which one goes. Check which key is \
                 still in use, then set the other one Inactive or delete it by hand (aws iam \
                 update-access-key --status Inactive); the rotation runs on the next run",
                join(other)
            ),
            format!(
                "ローテーション中止: {user} には有効なキーが 2 つ ({} と {old_key}) あり、新しいキーを作れません。\
                 使われていない方を手動で無効化または削除してください。次回の実行でローテーションします",
                join(other)
            ),
        ),
        (KeyRule::Rule(KeyAction::Shadow), _) => say!(
            lang,
            format!(
                "active key of {user} that no sheet row holds: add a row for it, or delete the key"
            ),
            format!(
                "シートのどの行にもない {user} の有効なキーです: 行を追加するか、キーを削除してください"
            ),
        ),
        (KeyRule::Rule(KeyAction::AgeNotify { age, days_left }), KeyResult::Planned) => say!(
            lang,
            format!("would warn: the key is {age} days old and is deleted in {days_left} days"),
            format!("通知予定: 作成から {age} 日、{days_left} 日後に削除されます"),
        ),
        (KeyRule::Rule(KeyAction::AgeNotify { age, days_left }), _) => say!(
            lang,
            format!("the key is {age} days old: deleted in {days_left} days"),
            format!("作成から {age} 日: {days_left} 日後に削除されます"),
        ),
        (KeyRule::Rule(KeyAction::AgeDelete { age }), KeyResult::Planned) => say!(
            lang,
            format!("would delete the key, {age} days old (the user stays)"),
            format!("作成から {age} 日のキーを削除する予定（ユーザーは残ります）"),
        ),
        (KeyRule::Rule(KeyAction::AgeDelete { .. }), KeyResult::Failed { error }) => say!(
            lang,
            format!("could not delete the key: {error}"),
            format!("キーを削除できませんでした: {}", quoted("IAM", error)),
        ),
        (KeyRule::Rule(KeyAction::AgeDelete { age }), _) => say!(
            lang,
            format!("key deleted, {age} days old (the user stays)"),
            format!("作成から {age} 日のキーを削除しました（ユーザーは残っています）"),
        ),
        (KeyRule::Rule(KeyAction::Deactivate { idle }), KeyResult::Planned) => say!(
            lang,
            format!("would set the key Inactive: unused for {idle} days"),
            format!("{idle} 日間未使用のキーを無効化する予定"),
        ),
        (KeyRule::Rule(KeyAction::Deactivate { .. }), KeyResult::Failed { error }) => say!(
            lang,
            format!("could not set the key Inactive: {error}"),
            format!("キーを無効化できませんでした: {}", quoted("IAM", error)),
        ),
        (KeyRule::Rule(KeyAction::Deactivate { idle }), _) => say!(
            lang,
            format!("key set Inactive: unused for {idle} days (not deleted)"),
            format!("{idle} 日間未使用のため無効化しました（削除はしていません）"),
        ),
        (
            KeyRule::Rotate {
                age,
                inactive_keys,
                secret,
                old_key,
            },
            KeyResult::Planned,
        ) => say!(
            lang,
            format!(
                "would rotate: newest key {age} days old; delete {inactive_keys} inactive key(s), create a key, \
                 store it in secret {secret}, set {old_key} Inactive"
            ),
            format!(
                "ローテーション予定: 最新のキーは作成から {age} 日。無効なキー {inactive_keys} 件を削除し、新しいキーを作成して \
                 シークレット {secret} に保存し、{old_key} を無効化します"
            ),
        ),
        (
            KeyRule::Rotate {
                secret, old_key, ..
            },
            KeyResult::Rotated { new_key },
        ) => say!(
            lang,
            format!(
                "rotated: new key {new_key} stored in secret {secret}; old key {old_key} set Inactive"
            ),
            format!(
                "ローテーション完了: 新しいキー {new_key} をシークレット {secret} に保存し、古いキー {old_key} を無効化しました"
            ),
        ),
        (
            KeyRule::Rotate {
                secret, old_key, ..
            },
            KeyResult::RotationStopped { at, error },
        ) => rotation_stopped(at, error, secret, old_key, lang),
        (KeyRule::RecoverRotated { secret, new_key }, KeyResult::Planned) => {
            let old_key = &o.subject.access_key_id;
            say!(
                lang,
                format!(
                    "would write key ID {new_key} over {old_key}: the key is Inactive and secret {secret} \
                     holds {new_key}, a newer key of {user} whose ID an earlier rotation did not write"
                ),
                format!(
                    "{old_key} を {new_key} に書き換える予定: このキーは無効で、シークレット {secret} には \
                     以前のローテーションで記入されなかった {user} の新しいキー {new_key} があります"
                ),
            )
        }
        (KeyRule::RecoverRotated { secret, new_key }, _) => {
            let old_key = &o.subject.access_key_id;
            say!(
                lang,
                format!(
                    "new key ID recovered: {new_key}, stored in secret {secret} by an earlier rotation \
                     whose sheet write did not happen, written over the Inactive key {old_key}"
                ),
                format!(
                    "新しいキーIDを復元しました: 以前のローテーションで記入されなかった {new_key}（シークレット {secret} に保存済み）を、\
                     無効な {old_key} に代えて記入しました"
                ),
            )
        }
        (_, KeyResult::Failed { error }) => error_in(lang, "IAM", error),
        (_, _) => String::new(),
    }
}

fn rotation_stopped(
    at: &RotationStep,
    error: &str,
    secret: &str,
    old_key: &crate::core::domain::AccessKeyId,
    lang: Lang,
) -> String {
    match at {
        RotationStep::DeleteInactive(k) => say!(
            lang,
            format!("rotation stopped: deleting inactive key {k} failed: {error}"),
            format!(
                "ローテーション中止: 無効なキー {k} の削除に失敗しました: {}",
                quoted("IAM", error)
            ),
        ),
        RotationStep::CreateKey => say!(
            lang,
            format!("rotation stopped: creating a key failed: {error}"),
            format!(
                "ローテーション中止: キーの作成に失敗しました: {}",
                quoted("IAM", error)
            ),
        ),
        RotationStep::StoreSecret { undone } => say!(
            lang,
            format!(
                "rotation undone: storing the new key in secret {secret} failed: {error}; {}; the old key is untouched",
                if *undone {
                    "the new key was deleted"
                } else {
                    "delete the new key by hand"
                }
            ),
            format!(
                "ローテーションを取り消しました: シークレット {secret} への保存に失敗しました: {}。{}。古いキーはそのままです",
                quoted("Secrets Manager", error),
                if *undone {
                    "新しいキーは削除しました"
                } else {
                    "新しいキーを手動で削除してください"
                }
            ),
        ),
        RotationStep::DeactivateOld { new_key } => say!(
            lang,
            format!(
                "new key {new_key} is in secret {secret}, but setting the old key {old_key} Inactive failed: {error}"
            ),
            format!(
                "新しいキー {new_key} はシークレット {secret} にありますが、古いキー {old_key} の無効化に失敗しました: {}",
                quoted("IAM", error)
            ),
        ),
    }
}
