//! THE text catalogue: every sentence keywarden writes for people, English and Japanese side by
//! side in one `say!(lang, en, ja)`, so that the two audiences can never be told different
//! things. English is for the JSON report, the table and the logs; Japanese for the
//! administrators' Slack summary and the log sheet (docs/rules.md §7). Identifiers (variable
//! names, Slack error codes, IAM step names, the phrases docs/rules.md §2 quotes) stay as they
//! are in both.
//!
//! One file per family of outcomes (see `crate::core::outcome`), `cells.rs` for what is wrong
//! with a sheet cell, `labels.rs` for the actions' and outcomes' names, and the Slack texts,
//! Japanese only (docs/rules.md §7): `dms.rs` (the owners' DMs of the daily run),
//! `issue_texts.rs` (key issuance's), `extension.rs` (the extension flow) and `answers.rs` (the
//! endpoint's answers to a click that changed nothing). A type's words live here even when the
//! type lives elsewhere: its `words(lang)` (an inherent method written in this catalogue) says
//! both languages, and its `Display` is the English of it.

use crate::core::domain::{DEACTIVATED_MARK, DELETED_MARK};
use crate::core::extension::record::PendingCell;
use crate::core::key_rules::KeyAction;
use crate::core::outcome::{
    Action, ActionOutcome, Alert, CellChange, Dm, DmFailure, KeyResult, KeyRule, NO_ROW_ACCOUNT,
    NotWrittenWhy, OUT_OF_TIME, OwnerProblem, RotationStep, SheetChange, Skip, Switch, Teardown,
    TeardownRefusal, WriteResult,
};
use crate::core::sheet::CellProblem;
use crate::core::teardown::{Refusal, Step, TEARDOWN_TAG};

/// Who reads a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// The JSON report, the table, the logs.
    En,
    /// The administrators' Slack summary (docs/rules.md §7: messages are in Japanese).
    Ja,
}

/// `say!(lang, en, ja)`: the text for `lang`, both written side by side.
macro_rules! say {
    ($lang:expr, $en:expr, $ja:expr $(,)?) => {
        match $lang {
            $crate::core::words::Lang::En => $en,
            $crate::core::words::Lang::Ja => $ja,
        }
    };
}
// Importable as `crate::core::words::say` by code outside this module (none uses it yet).
#[allow(unused_imports)]
pub(crate) use say;

/// `Display` of each type: its English words (the report's, the logs').
macro_rules! english_display {
    ($($t:ty),+ $(,)?) => {$(
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.words($crate::core::words::Lang::En))
            }
        }
    )+};
}

mod accounts;
mod alerts;
pub mod answers;
mod caps;
pub mod cells;
pub mod dms;
pub mod extension;
mod issue;
pub mod issue_texts;
mod key_rules;
mod labels;
mod notice;
mod requests;
mod skips;
mod switch;
mod teardown;
mod writes;

pub use notice::owner_problem;
pub use requests::decision_problems;
pub(crate) use skips::skip_detail;
pub use teardown::{refusal, step_ja};

/// The two buttons of an approval request, extension and key request alike.
pub const APPROVE: &str = "承認";
pub const REJECT: &str = "却下";

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

fn join<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn out_of_time(lang: Lang) -> String {
    say!(
        lang,
        "the invocation ran out of time: not started; the next run does it".to_string(),
        "実行時間切れのため開始しませんでした。次回の実行で処理します".to_string(),
    )
}

/// An outcome's `detail` for `lang`: its family's words, then what became of its sheet write.
pub(crate) fn describe(o: &ActionOutcome, lang: Lang) -> String {
    let main = match &o.action {
        Action::Skip(skip) => skip_detail(skip, lang).into_owned(),
        Action::Unusable(problems) => skips::unusable(problems, lang),
        Action::Teardown(t) => teardown::teardown(t, o, lang),
        Action::Notice { notice, dm } => notice::notice_detail(notice, dm, lang),
        Action::Switch { activate, result } => switch::switch(*activate, result, o, lang),
        Action::Key { rule, result } => key_rules::key_rule(rule, result, o, lang),
        Action::Alert(a) => alerts::alert(a, lang),
        Action::IssueRequest(ask) => issue::ask(ask, lang),
        Action::Issue { request, result } => issue::issuance(request, result, o, lang),
        Action::AccountUnavailable { error, .. } => accounts::unavailable(error, o, lang),
        Action::WrongAccount { key_account, .. } => accounts::wrong(key_account, o, lang),
        Action::KeyAccountUnknown { error, .. } => accounts::key_account_unknown(error, lang),
    };
    match &o.sheet {
        Some(SheetChange {
            change,
            result: Some(WriteResult::NotWritten { why }),
            ..
        }) => format!(
            "{main}{}{}",
            say!(lang, "; ", "。"),
            writes::not_written(change, &why.words(lang), lang)
        ),
        Some(SheetChange {
            change,
            result: Some(WriteResult::StatusKept { status, .. }),
            ..
        }) => format!(
            "{main}{}{}",
            say!(lang, "; ", "。"),
            writes::status_kept(change, status, lang)
        ),
        _ => main,
    }
}

pub(crate) use notice::{dm_problem, owner_not_told};
