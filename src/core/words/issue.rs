//! Key issuance's outcomes (docs/rules.md §12): asked for approval or why not, issued or why
//! not. The secret itself is never in any of these values: only the secret's name. What keeps
//! a request from being asked, and a decision on one: `requests.rs`.

use super::*;
use crate::core::issue::RequestId;
use crate::core::outcome::{Ask, Issuance, IssueStep};

pub(super) fn ask(ask: &Ask, lang: Lang) -> String {
    match ask {
        Ask::Refused(problems) => say!(
            lang,
            format!(
                "key request not sent for approval until fixed: {}",
                problems
                    .iter()
                    .map(|p| p.to_string())
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            format!(
                "キーの発行申請を承認依頼に回していません。次を直してください: {}",
                problems
                    .iter()
                    .map(|p| p.words(Lang::Ja))
                    .collect::<Vec<_>>()
                    .join("、")
            ),
        ),
        Ask::CheckFailed { error } => say!(
            lang,
            format!(
                "key request not sent for approval: whether the IAM user name is free could not \
                 be checked ({error}); the next run tries again"
            ),
            format!(
                "キーの発行申請を承認依頼に回せませんでした: IAM ユーザー名が空いているか確認できません（{}）。次回の実行で再試行します",
                quoted("IAM", error)
            ),
        ),
        Ask::Planned { request, again } => say!(
            lang,
            format!(
                "would write 承認待ち {request} and ask the administrators for approval{}",
                if *again {
                    " (its cells changed since it was last asked or decided)"
                } else {
                    ""
                }
            ),
            format!(
                "承認待ち {request} を書き込み、管理者に承認を依頼する予定です{}",
                if *again {
                    "（前回の依頼・判断のあと申請内容が変わりました）"
                } else {
                    ""
                }
            ),
        ),
        Ask::Asked {
            request,
            again,
            posted,
            failures,
            recorded,
        } => {
            let again_en = if *again {
                " again (its cells changed since it was last asked or decided; the old buttons no longer count)"
            } else {
                ""
            };
            let again_ja = if *again {
                "（申請内容が変わったため再依頼。以前のボタンは無効です）"
            } else {
                ""
            };
            let list = |sep: &str| {
                failures
                    .iter()
                    .map(|(to, e)| format!("{to}: {}", e.words(lang)))
                    .collect::<Vec<_>>()
                    .join(sep)
            };
            let failed_en = if failures.is_empty() {
                String::new()
            } else {
                format!("; not delivered to: {}", list("; "))
            };
            let failed_ja = if failures.is_empty() {
                String::new()
            } else {
                format!("。届かなかった宛先: {}", list("、"))
            };
            let recorded_en = if *recorded || *posted == 0 {
                ""
            } else {
                "; where the copies went could not be written to 発行申請 (the decision still works; only those copies keep their buttons)"
            };
            let recorded_ja = if *recorded || *posted == 0 {
                ""
            } else {
                "。依頼の投稿先を 発行申請 に書き込めませんでした（承認・却下はできますが、その投稿のボタンは残ります）"
            };
            if *posted == 0 {
                say!(
                    lang,
                    format!(
                        "承認待ち {request} is written but the approval request reached nobody{failed_en}; the next run asks again"
                    ),
                    format!(
                        "承認待ち {request} を書き込みましたが、承認依頼がどこにも届きませんでした{failed_ja}。次回の実行で再依頼します"
                    ),
                )
            } else {
                say!(
                    lang,
                    format!(
                        "asked for approval{again_en} ({request}, {posted} message(s)){failed_en}{recorded_en}"
                    ),
                    format!(
                        "承認を依頼しました{again_ja}（{request}、{posted} 件）{failed_ja}{recorded_ja}"
                    ),
                )
            }
        }
        Ask::NotWritten { request, why } => say!(
            lang,
            format!(
                "not asked: 承認待ち {request} could not be written ({why}), so no approval request was posted; the next run tries again"
            ),
            format!(
                "承認待ち {request} を書き込めなかったため承認依頼を送っていません（{}）。次回の実行で再試行します",
                why.words(Lang::Ja)
            ),
        ),
        Ask::OutOfTime => say!(
            lang,
            "not asked: the invocation ran out of time; the next run asks".to_string(),
            "実行時間切れのため承認依頼を送っていません。次回の実行で依頼します".to_string(),
        ),
    }
}

fn step(at: &IssueStep, lang: Lang) -> String {
    match at {
        IssueStep::CreateUser => say!(lang, "CreateUser", "ユーザーの作成（CreateUser）").into(),
        IssueStep::AttachPolicy => say!(
            lang,
            "AttachUserPolicy",
            "ポリシーのアタッチ（AttachUserPolicy）"
        )
        .into(),
        IssueStep::DeleteOrphanKey(k) => say!(
            lang,
            format!("deleting the key {k} an interrupted issuance left"),
            format!("中断された発行が残したキー {k} の削除"),
        ),
        IssueStep::CreateKey => say!(
            lang,
            "CreateAccessKey",
            "アクセスキーの作成（CreateAccessKey）"
        )
        .into(),
        IssueStep::StoreSecret => say!(lang, "storing the secret", "シークレットの保存").into(),
        IssueStep::SecretPolicy => say!(
            lang,
            "setting the secret's resource policy (KEYWARDEN_ISSUE_READER)",
            "シークレットのリソースポリシーの設定（KEYWARDEN_ISSUE_READER）"
        )
        .into(),
    }
}

fn service_of(at: &IssueStep) -> &'static str {
    match at {
        IssueStep::StoreSecret | IssueStep::SecretPolicy => "Secrets Manager",
        _ => "IAM",
    }
}

pub(super) fn issuance(
    request: &RequestId,
    result: &Issuance,
    o: &ActionOutcome,
    lang: Lang,
) -> String {
    let user = &o.subject.user;
    match result {
        Issuance::Planned { policy } => say!(
            lang,
            format!(
                "would create IAM user {user} with {policy}, its access key and its secret ({request})"
            ),
            format!(
                "IAM ユーザー {user}（{policy}）とアクセスキー・シークレットを作成する予定です（{request}）"
            ),
        ),
        Issuance::Cap { due, max } => super::caps::issue_cap(*due, *max, lang),
        Issuance::NameTaken => say!(
            lang,
            format!(
                "refused: an IAM user {user} exists that was not created for this request ({request}); \
                 nothing was changed — write another name into アカウント名 (the request is then asked again)"
            ),
            format!(
                "中止: IAM ユーザー {user} はすでにあり、この申請（{request}）で作られたものではありません。\
                 何も変更していません。アカウント名 に別の名前を書いてください（改めて承認を依頼します）"
            ),
        ),
        Issuance::SecretTaken { secret, undone } => say!(
            lang,
            format!(
                "refused: a secret {secret} exists that was not made for this request ({request}); the new key {}, \
                 nothing else was changed — delete or rename that secret, or change KEYWARDEN_ISSUE_SECRET_PREFIX",
                if *undone {
                    "was deleted again"
                } else {
                    "could not be deleted yet (the next run deletes it: nobody holds its secret)"
                }
            ),
            format!(
                "中止: シークレット {secret} はすでにあり、この申請（{request}）のものではありません。新しいキーは{}。\
                 ほかは何も変更していません。そのシークレットを削除・改名するか KEYWARDEN_ISSUE_SECRET_PREFIX を変えてください",
                if *undone {
                    "削除しました"
                } else {
                    "まだ削除できていません（シークレットを持つ人がいないため、次回の実行で削除します）"
                }
            ),
        ),
        Issuance::Stopped { at, error, undone } => {
            let undone_en = match undone {
                None => "",
                Some(true) => {
                    "; the new key was deleted again (no key exists whose secret nobody holds)"
                }
                Some(false) => {
                    "; the new key could not be deleted yet: the next run deletes it (nobody holds its secret)"
                }
            };
            let undone_ja = match undone {
                None => "",
                Some(true) => "。新しいキーは削除しました",
                Some(false) => {
                    "。新しいキーはまだ削除できていません（シークレットを持つ人がいないため、次回の実行で削除します）"
                }
            };
            say!(
                lang,
                format!(
                    "not issued: {} failed: {error}{undone_en}; the next run tries again",
                    step(at, lang)
                ),
                format!(
                    "発行できませんでした: {}に失敗しました: {}{undone_ja}。次回の実行で再試行します",
                    step(at, lang),
                    quoted(service_of(at), error)
                ),
            )
        }
        Issuance::Issued {
            key,
            secret,
            orphans,
            written,
        } => {
            let orphans_en = if orphans.is_empty() {
                String::new()
            } else {
                format!(
                    "; deleted {} left by an interrupted issuance",
                    join(orphans)
                )
            };
            let orphans_ja = if orphans.is_empty() {
                String::new()
            } else {
                format!(
                    "。中断された発行が残したキー {} を削除しました",
                    join(orphans)
                )
            };
            let written_en = match written {
                Ok(_) => String::new(),
                Err(why) => format!(
                    "; the row could not be written ({why}): the next run deletes this key and issues another"
                ),
            };
            let written_ja = match written {
                Ok(_) => String::new(),
                Err(why) => format!(
                    "。行に書き込めませんでした（{}）: 次回の実行でこのキーを削除して発行し直します",
                    why.words(Lang::Ja)
                ),
            };
            say!(
                lang,
                format!(
                    "issued key {key} to IAM user {user} ({request}); its secret is in {secret}{orphans_en}{written_en}"
                ),
                format!(
                    "IAM ユーザー {user} にキー {key} を発行しました（{request}）。シークレットは {secret} にあります{orphans_ja}{written_ja}"
                ),
            )
        }
        Issuance::OutOfTime => say!(
            lang,
            "not issued: the invocation ran out of time; the next run issues it".to_string(),
            "実行時間切れのため発行していません。次回の実行で発行します".to_string(),
        ),
    }
}
