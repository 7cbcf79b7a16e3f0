//! The owners' notices and DMs (docs/rules.md §3, §7): what the report and the summary say of a
//! notice, of a DM that did not arrive, and of an owner `users_json` does not name once. The
//! DMs' own texts are Slack messages: `crate::core::messages`.

use super::*;

impl DmFailure {
    /// Why Slack did not deliver a message, for `lang`.
    pub fn words(&self, lang: Lang) -> String {
        match self {
            DmFailure::Unreachable(code) => say!(
                lang,
                format!(
                    "cannot be reached on Slack ({code}): check the Slack ID in users_json and that the user allows DMs from the app"
                ),
                format!(
                    "Slack で届きません ({code}): users_json の Slack ID と、アプリからの DM を受け取る設定か確認してください"
                ),
            ),
            DmFailure::Failed(message) => say!(
                lang,
                format!("Slack did not take the message: {message}"),
                quoted("Slack", message),
            ),
            DmFailure::OutOfTime => say!(lang, OUT_OF_TIME, "実行時間切れ").to_string(),
        }
    }
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
pub(crate) fn dm_problem(dm: &Dm, lang: Lang) -> Option<String> {
    match dm {
        Dm::Sent { .. } | Dm::Composed { .. } => None,
        Dm::NotSent { to, error } => Some(format!("{to}: {}", error.words(lang))),
        Dm::NoOwner(p) => Some(owner_problem(p, lang)),
        Dm::OutOfTime { to } => Some(say!(
            lang,
            format!("{to}: the invocation ran out of time before the message was sent"),
            format!("{to}: 実行時間切れのため送信できませんでした"),
        )),
    }
}

pub(crate) fn owner_not_told(action: &Action, why: &str, lang: Lang) -> String {
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

pub(super) fn notice_detail(n: &crate::core::outcome::Notice, dm: &Dm, lang: Lang) -> String {
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
                error.words(lang)
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

english_display!(DmFailure);
