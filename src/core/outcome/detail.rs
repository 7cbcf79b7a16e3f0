//! The `detail` of each outcome, per audience: English for the JSON report, the table and the
//! logs; Japanese for the administrators' Slack summary. Both come from the same typed value,
//! so they cannot say different things. Identifiers (variable names, Slack error codes, IAM
//! step names, the phrases docs/rules.md §2 quotes) stay as they are in both.
//!
//! Long by design: every outcome is worded twice, English and Japanese, side by side in one
//! match arm, so that the two audiences can never be told different things.

use super::{
    Action, ActionOutcome, Alert, CellChange, Dm, DmFailure, KeyResult, KeyRule, NO_ROW_ACCOUNT,
    NotWrittenWhy, OUT_OF_TIME, Outcome, OwnerProblem, RotationStep, SheetChange, Skip, Switch,
    Teardown, TeardownRefusal, WriteResult,
};
use crate::core::domain::{DEACTIVATED_MARK, DELETED_MARK};
use crate::core::extension::record::PendingCell;
use crate::core::key_rules::KeyAction;
use crate::core::sheet::CellProblem;
use crate::core::teardown::{Refusal, Step, TEARDOWN_TAG};

/// Who reads a detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// The JSON report, the table, the logs.
    En,
    /// The administrators' Slack summary (docs/rules.md §7: messages are in Japanese).
    Ja,
}

macro_rules! say {
    ($lang:expr, $en:expr, $ja:expr $(,)?) => {
        match $lang {
            Lang::En => $en,
            Lang::Ja => $ja,
        }
    };
}

// Key issuance's wordings (docs/rules.md §12), in a file of their own; they use `say!`.
#[path = "issue.rs"]
mod issue;

/// Opens and closes a service's own message in the summary; the summary's shortening never
/// cuts between them (see [`crate::core::messages`]).
pub const QUOTE_OPEN: char = '「';
pub const QUOTE_CLOSE: char = '」';

/// A service's own message for the summary: labelled and set apart, never translated. The
/// run's own deadline is no service's message and is said in Japanese.
fn quoted(service: &str, message: &str) -> String {
    if message == OUT_OF_TIME {
        return "実行時間切れ".into();
    }
    format!("{service} の応答: {QUOTE_OPEN}{message}{QUOTE_CLOSE}")
}

/// An error for the audience: English as it is, or quoted from `service` in Japanese.
fn error_in(lang: Lang, service: &str, message: &str) -> String {
    match lang {
        Lang::En => message.to_string(),
        Lang::Ja => quoted(service, message),
    }
}

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

fn cells(problems: &[CellProblem], lang: Lang) -> String {
    problems
        .iter()
        .map(|p| say!(lang, p.to_string(), p.ja()))
        .collect::<Vec<_>>()
        .join(say!(lang, "; ", "。"))
}

/// A Slack delivery failure for the audience.
fn dm_failure(e: &DmFailure, lang: Lang) -> String {
    match (e, lang) {
        (_, Lang::En) => e.to_string(),
        (DmFailure::Unreachable(code), Lang::Ja) => format!(
            "Slack で届きません ({code}): users_json の Slack ID と、アプリからの DM を受け取る設定か確認してください"
        ),
        (DmFailure::Failed(message), Lang::Ja) => quoted("Slack", message),
        (DmFailure::OutOfTime, Lang::Ja) => "実行時間切れ".into(),
    }
}

fn not_written_why(why: &NotWrittenWhy, lang: Lang) -> String {
    match (why, lang) {
        (_, Lang::En) => why.to_string(),
        (NotWrittenWhy::RowGone { account, key }, Lang::Ja) => {
            format!("{account} / {key} を持つ行が 1 行に定まりません（移動・編集・重複）")
        }
        (NotWrittenWhy::KeyNotHeldOnce { key, rows }, Lang::Ja) if rows.is_empty() => {
            format!("{key} を持つ行がもうありません（移動・編集）")
        }
        (NotWrittenWhy::KeyNotHeldOnce { key, rows }, Lang::Ja) => format!(
            "{} 行目がすべて {key} を持っているため、どの行か決められません",
            rows.iter()
                .map(|r| r.to_string())
                .collect::<Vec<_>>()
                .join("・")
        ),
        (NotWrittenWhy::RereadFailed(e), Lang::Ja) => {
            format!("シートの再読み込みに失敗: {}", quoted("Google", e))
        }
        (NotWrittenWhy::Header(e), Lang::Ja) => format!(
            "シート「{}」に列 {} がありません。1 行目に追加してください",
            e.sheet,
            e.missing
                .iter()
                .map(|m| format!("「{}」", m.replace(" or ", "」または「")))
                .collect::<Vec<_>>()
                .join("、")
        ),
        (NotWrittenWhy::ColumnsMoving, Lang::Ja) => {
            "再読み込みの間にアカウント名・アクセスキーID・状態 の列が動き続けました".into()
        }
        (NotWrittenWhy::WriteFailed(e), Lang::Ja) => {
            format!("書き込みに失敗: {}", quoted("Google", e))
        }
    }
}

pub(super) fn outcome(action: &Action) -> Outcome {
    use Outcome::*;
    match action {
        Action::Skip(_) => Done,
        Action::Unusable(_) => Refused,
        Action::Teardown(t) => match t {
            Teardown::Refused(_) => Refused,
            Teardown::ReadFailed { .. } | Teardown::Stopped { .. } | Teardown::OutOfTime => Failed,
            Teardown::AlreadyGone { planned: true }
            | Teardown::Planned { .. }
            | Teardown::KeyOnly { planned: true, .. } => Planned,
            Teardown::AlreadyGone { .. } | Teardown::TornDown { .. } | Teardown::KeyOnly { .. } => {
                Done
            }
        },
        Action::Notice { dm, .. } => match dm {
            Dm::Sent { .. } => Done,
            Dm::Composed { .. } => Planned,
            _ => Failed,
        },
        Action::Switch { result, .. } => match result {
            Switch::Refused(_) | Switch::RowUnusable(_) | Switch::Cap { .. } => Refused,
            Switch::ReadFailed { .. }
            | Switch::CannotReactivate
            | Switch::Failed { .. }
            | Switch::OutOfTime => Failed,
            Switch::Planned | Switch::KeyGone { planned: true } => Planned,
            Switch::KeyGone { .. } | Switch::Switched { .. } => Done,
        },
        Action::Key { result, .. } => match result {
            KeyResult::Planned => Planned,
            KeyResult::Done | KeyResult::Rotated { .. } => Done,
            KeyResult::Cap { .. }
            | KeyResult::DeactivationCap { .. }
            | KeyResult::TwoActiveKeys { .. } => Refused,
            KeyResult::Failed { .. } | KeyResult::RotationStopped { .. } | KeyResult::OutOfTime => {
                Failed
            }
        },
        Action::AccountUnavailable { .. } | Action::KeyAccountUnknown { .. } => Failed,
        Action::WrongAccount { .. } => Refused,
        Action::IssueRequest(ask) => issue::ask_outcome(ask),
        Action::Issue { result, .. } => issue::issuance_outcome(result),
        Action::Alert(a) => match a {
            Alert::Directory(_) | Alert::DuplicateKey { .. } | Alert::PendingExtension(_) => Done,
            Alert::DeletionCap { .. } | Alert::DeactivationCap { .. } | Alert::IssueCap { .. } => {
                Refused
            }
            _ => Failed,
        },
    }
}

fn join<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn owner_problem(p: &OwnerProblem, lang: Lang) -> String {
    match p {
        OwnerProblem::NotFound { name } => say!(
            lang,
            format!(
                "\"{name}\" not found in users_json: add a row with their Slack ID, family and given name"
            ),
            format!(
                "「{name}」が users_json にありません (not found in users_json): Slack ID・姓・名の行を追加してください"
            ),
        ),
        OwnerProblem::Ambiguous { name, ids } => say!(
            lang,
            format!(
                "\"{name}\" is ambiguous: {} in users_json match; make the names unique (e.g. real_name)",
                join(ids)
            ),
            format!(
                "「{name}」は users_json の複数の行に一致します (ambiguous: {}): real_name などで区別できるようにしてください",
                join(ids)
            ),
        ),
    }
}

/// Why a DM did not arrive, or `None` when it did.
pub(super) fn dm_problem(dm: &Dm, lang: Lang) -> Option<String> {
    match dm {
        Dm::Sent { .. } | Dm::Composed { .. } => None,
        Dm::NotSent { to, error } => Some(format!("{to}: {}", dm_failure(error, lang))),
        Dm::NoOwner(p) => Some(owner_problem(p, lang)),
        Dm::OutOfTime { to } => Some(say!(
            lang,
            format!("{to}: the invocation ran out of time before the message was sent"),
            format!("{to}: 実行時間切れのため送信できませんでした"),
        )),
    }
}

pub(super) fn owner_not_told(action: &Action, why: &str, lang: Lang) -> String {
    let what = match (action, lang) {
        (Action::Teardown(_), Lang::En) => "of the deletion",
        (Action::Switch { activate: true, .. }, Lang::En) => "of the reactivation",
        (Action::Switch { .. }, Lang::En) => "of the deactivation",
        (_, Lang::En) => "",
        (Action::Teardown(_), Lang::Ja) => "削除",
        (Action::Switch { activate: true, .. }, Lang::Ja) => "再有効化",
        (Action::Switch { .. }, Lang::Ja) => "無効化",
        (_, Lang::Ja) => "キーの処理",
    };
    say!(
        lang,
        format!("owner was not told {what}: {why}").replace("told :", "told:"),
        format!("所有者に{what}を伝えられませんでした: {why}"),
    )
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

fn cap(due: usize, max: usize, lang: Lang) -> String {
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

fn deactivation_cap(due: usize, max: usize, lang: Lang) -> String {
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

fn teardown(t: &Teardown, o: &ActionOutcome, lang: Lang) -> String {
    let user = &o.subject.user;
    match t {
        Teardown::Refused(TeardownRefusal::Guard(r)) => refusal(r, lang),
        Teardown::Refused(TeardownRefusal::Cap { due, max }) => cap(*due, *max, lang),
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

fn out_of_time(lang: Lang) -> String {
    say!(
        lang,
        "the invocation ran out of time: not started; the next run does it".to_string(),
        "実行時間切れのため開始しませんでした。次回の実行で処理します".to_string(),
    )
}

fn switch(activate: bool, s: &Switch, o: &ActionOutcome, lang: Lang) -> String {
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
        Switch::Refused(r) => refusal(r, lang),
        Switch::Cap { due, max } => deactivation_cap(*due, *max, lang),
        Switch::RowUnusable(problems) => say!(
            lang,
            format!("refused until the row is fixed: {}", cells(problems, lang)),
            format!("行を直すまで中止: {}", cells(problems, lang)),
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

fn key_rule(rule: &KeyRule, result: &KeyResult, o: &ActionOutcome, lang: Lang) -> String {
    let user = &o.subject.user;
    match (rule, result) {
        (_, KeyResult::Cap { due, max }) => cap(*due, *max, lang),
        (_, KeyResult::DeactivationCap { due, max }) => deactivation_cap(*due, *max, lang),
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

fn alert(a: &Alert, lang: Lang) -> String {
    match a {
        Alert::Directory(problem) => say!(lang, problem.to_string(), problem.ja()),
        Alert::DuplicateKey { key, rows } => say!(
            lang,
            format!("rows {} all hold access key {key}: keep one row per key (mark the others 削除済み)", join(rows)),
            format!("{} 行目がすべてアクセスキー {key} を持っています: 1 キー 1 行にしてください（他の行は 削除済み に）", join(rows)),
        ),
        Alert::DeletionCap { due, max } => cap(*due, *max, lang),
        Alert::IssueCap { due, max } => issue::cap(*due, *max, lang),
        Alert::DeactivationCap { due, max } => deactivation_cap(*due, *max, lang),
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
            format!("管理者 {admin} に実行結果を送れませんでした: {}", dm_failure(error, lang)),
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

/// A status an administrator changed during the run, left as they wrote it: what was written
/// instead and what it means for the next run.
fn status_kept(change: &CellChange, status: &str, lang: Lang) -> String {
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
fn not_written(change: &CellChange, why: &str, lang: Lang) -> String {
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

/// A skipped row's detail: fixed text, so the skips of a long sheet need no text of their own.
/// A skip's words: fixed text, borrowed, for all but a date.
pub(super) fn skip_detail(skip: &Skip, lang: Lang) -> std::borrow::Cow<'static, str> {
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

pub(super) fn describe(o: &ActionOutcome, lang: Lang) -> String {
    let main = match &o.action {
        Action::Skip(skip) => skip_detail(skip, lang).into_owned(),
        Action::Unusable(problems) => say!(
            lang,
            format!("not acted on until fixed: {}", cells(problems, lang)),
            format!("修正されるまで処理しません: {}", cells(problems, lang)),
        ),
        Action::Teardown(t) => teardown(t, o, lang),
        Action::Notice { notice, dm } => notice_detail(notice, dm, lang),
        Action::Switch { activate, result } => switch(*activate, result, o, lang),
        Action::Key { rule, result } => key_rule(rule, result, o, lang),
        Action::Alert(a) => alert(a, lang),
        Action::IssueRequest(ask) => issue::ask(ask, lang),
        Action::Issue { request, result } => issue::issuance(request, result, o, lang),
        Action::AccountUnavailable { error, .. } => say!(
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
        ),
        Action::WrongAccount { key_account, .. } => say!(
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
        ),
        Action::KeyAccountUnknown { error, .. } => say!(
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
        ),
    };
    match &o.sheet {
        Some(SheetChange {
            change,
            result: Some(WriteResult::NotWritten { why }),
            ..
        }) => format!(
            "{main}{}{}",
            say!(lang, "; ", "。"),
            not_written(change, &not_written_why(why, lang), lang)
        ),
        Some(SheetChange {
            change,
            result: Some(WriteResult::StatusKept { status, .. }),
            ..
        }) => format!(
            "{main}{}{}",
            say!(lang, "; ", "。"),
            status_kept(change, status, lang)
        ),
        _ => main,
    }
}

/// The action's AWS account as people read it, `本番 (123456789012)`.
fn account_of(o: &ActionOutcome) -> String {
    o.subject
        .aws_account
        .as_ref()
        .map(|a| a.to_string())
        .unwrap_or_else(|| "-".into())
}

fn notice_detail(n: &super::Notice, dm: &Dm, lang: Lang) -> String {
    let when = say!(
        lang,
        format!("end date {} ({} days left)", n.end, n.days_left),
        format!("利用終了日 {}（あと {} 日）", n.end, n.days_left),
    );
    match dm {
        Dm::Composed { to, .. } => say!(
            lang,
            format!("would DM owner {to}: {when}"),
            format!("所有者 {to} に DM する予定: {when}")
        ),
        Dm::Sent { to, .. } => say!(
            lang,
            format!("owner {to} notified by DM: {when}"),
            format!("所有者 {to} に DM で通知しました: {when}")
        ),
        Dm::NotSent { to, error } => say!(
            lang,
            format!("owner {to} not notified: {error}; the notice is tried again on the next run"),
            format!(
                "所有者 {to} に通知できませんでした: {}。次回の実行で再通知します",
                dm_failure(error, lang)
            ),
        ),
        Dm::NoOwner(p) => say!(
            lang,
            format!(
                "owner not notified: {}; the notice is tried again on the next run",
                owner_problem(p, lang)
            ),
            format!(
                "所有者に通知できませんでした: {}。次回の実行で再通知します",
                owner_problem(p, lang)
            ),
        ),
        Dm::OutOfTime { to } => say!(
            lang,
            format!(
                "owner {to} not notified: the invocation ran out of time; the notice is tried again on the next run"
            ),
            format!("所有者 {to} に通知できませんでした: 実行時間切れ。次回の実行で再通知します"),
        ),
    }
}
