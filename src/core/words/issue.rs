//! Key issuance (docs/rules.md §12): its outcomes, what keeps a request from being asked, and
//! a decision on one. The secret itself is never in any of these values: only the secret's
//! name.

use super::*;
use crate::core::issue::decision::DecisionEvent;
use crate::core::issue::writes::Miss;
use crate::core::issue::{ReaderProblem, RequestId, RequestProblem, RequestProblemKind};
use crate::core::outcome::{Ask, Issuance, IssueStep};
use crate::core::sheet::PERMISSIONS_COLUMN;

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
                quoted("Google", why)
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
                    quoted("Google", why)
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

/// A request's row problems as the administrator who clicked a decision reads them (Japanese:
/// a Slack answer), the cells and headers as they are.
pub fn decision_problems(problems: &[RequestProblem]) -> String {
    problems
        .iter()
        .map(|p| {
            let at = if p.cell.is_empty() {
                p.header.to_string()
            } else {
                format!("{}（{}）", p.cell, p.header)
            };
            format!("{at} {}", p.kind.words(Lang::Ja))
        })
        .collect::<Vec<_>>()
        .join(" / ")
}

impl DecisionEvent {
    /// A decision for `lang`: English for the report and the logs, Japanese for the log
    /// sheet's `詳細`.
    pub fn words(&self, lang: Lang) -> String {
        let (id, by, on) = (&self.id, &self.by, self.on);
        say!(
            lang,
            format!(
                "key request {id} {} by {by} on {on}",
                if self.approve { "approved" } else { "rejected" }
            ),
            format!(
                "キー発行申請 {id} を {by} が {on} に{}しました",
                if self.approve { "承認" } else { "却下" }
            ),
        )
    }
}

impl fmt::Display for Miss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // English only: the reason goes into the report, and into the summary quoted as the
        // sheet's answer (`Ask::NotWritten`).
        match self {
            Miss::Gone => f.write_str(
                "no row of the sheet gives this request ID any more (its cells were edited, or the \
                 row was deleted)",
            ),
            Miss::Moved(now) => write!(f, "its 発行申請 cell says \"{now}\" now"),
        }
    }
}

fn rows_list(rows: &[usize]) -> String {
    rows.iter()
        .map(|r| r.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

impl RequestProblem {
    /// The cell and its header as they are, then what is wrong, for `lang`.
    pub fn words(&self, lang: Lang) -> String {
        let (cell, header, kind) = (&self.cell, self.header, self.kind.words(lang));
        match (cell.is_empty(), lang) {
            (true, _) => format!("{header}: {kind}"),
            (false, Lang::En) => format!("{cell} ({header}): {kind}"),
            (false, Lang::Ja) => format!("{cell}（{header}）: {kind}"),
        }
    }
}

impl RequestProblemKind {
    /// What keeps a key request from being asked or issued, with what to fix, for `lang`.
    pub fn words(&self, lang: Lang) -> String {
        use RequestProblemKind::*;
        match self {
            OwnerEmpty => super::cells::owner_empty(lang).into(),
            OwnerNotFound { name } => say!(
                lang,
                format!(
                    "\"{name}\" is not in users_json: write the owner's name as users_json has it, \
                     or add the person to users_json"
                ),
                format!(
                    "「{name}」は users_json にいません: users_json のとおりに氏名を書くか、users_json に追加してください"
                ),
            ),
            OwnerAmbiguous { name, ids } => {
                let ids = ids.iter().map(|i| i.as_str()).collect::<Vec<_>>().join(", ");
                say!(
                    lang,
                    format!(
                        "\"{name}\" is more than one person in users_json ({ids}): write the name so that \
                         it matches one of them (e.g. their real_name), or correct users_json"
                    ),
                    format!(
                        "「{name}」は users_json の複数の人に当たります（{ids}）: 一人に決まるように氏名を書くか（real_name など）、users_json を直してください"
                    ),
                )
            }
            UserEmpty => say!(
                lang,
                "empty: write the name of the IAM user to create",
                "空欄です: 作成する IAM ユーザー名を記入してください"
            )
            .into(),
            UserName(e) => e.words(lang),
            NoPermissionsColumn { entries } => {
                let column = PERMISSIONS_COLUMN.aliases[0];
                say!(
                    lang,
                    format!(
                        "the sheet has no {column} column: add it to row 1 and write one of: {}",
                        entries.join(", ")
                    ),
                    format!(
                        "シートに {column} 列がありません: 1 行目に追加し、次のいずれかを記入してください: {}",
                        entries.join("、")
                    ),
                )
            }
            PermissionsEmpty { entries } => say!(
                lang,
                format!("empty: write one of: {}", entries.join(", ")),
                format!(
                    "空欄です: 次のいずれかを記入してください: {}",
                    entries.join("、")
                ),
            ),
            PermissionsUnknown { text, entries } => say!(
                lang,
                format!(
                    "\"{text}\" is not one of the permissions keywarden may grant: write one of: {}",
                    entries.join(", ")
                ),
                format!(
                    "「{text}」は keywarden が付与できる権限ではありません: 次のいずれかを記入してください: {}",
                    entries.join("、")
                ),
            ),
            PermissionsSeveral { names } => say!(
                lang,
                format!(
                    "names {} entries ({}): a request grants one; file one request per entry",
                    names.len(),
                    names.join(", ")
                ),
                format!(
                    "{} 個の権限（{}）が書かれています: 1 件の申請で付与できる権限は 1 つです。権限ごとに申請してください",
                    names.len(),
                    names.join("、")
                ),
            ),
            EndEmpty => super::cells::end_empty(lang).into(),
            EndDate(e) | StartDate(e) => e.words(lang),
            EndBeforeStart { end, start } => say!(
                lang,
                format!(
                    "{end} is before the start date {start}: correct the end date (or the start date)"
                ),
                format!(
                    "{end} は利用開始日 {start} より前です: 利用終了日（または利用開始日）を直してください"
                ),
            ),
            EndNotAfterToday { end, today } => say!(
                lang,
                format!("{end} is not after today ({today}): write a later end date"),
                format!(
                    "{end} は今日（{today}）より後ではありません: より後の利用終了日を記入してください"
                ),
            ),
            TooLong {
                end,
                from,
                from_start,
                max_days,
                latest,
            } => say!(
                lang,
                format!(
                    "{end} is more than {max_days} days after {} ({from}): write {latest} or \
                     earlier (KEYWARDEN_MAX_ISSUE_DAYS)",
                    if *from_start {
                        "the start date"
                    } else {
                        "today"
                    }
                ),
                format!(
                    "{end} は{}（{from}）から {max_days} 日を超えています: {latest} 以前の日付を記入してください（KEYWARDEN_MAX_ISSUE_DAYS）",
                    if *from_start { "利用開始日" } else { "今日" }
                ),
            ),
            Account(p) => p.words(lang),
            Protected { user } => say!(
                lang,
                format!(
                    "\"{user}\" is a protected user (KEYWARDEN_PROTECTED_USERS): choose another name"
                ),
                format!(
                    "「{user}」は保護されたユーザーです（KEYWARDEN_PROTECTED_USERS）: 別の名前にしてください"
                ),
            ),
            NamedByOtherRows { rows } => say!(
                lang,
                format!(
                    "row {} of the same AWS account also names this user: a new user needs a name \
                     no other live row uses (choose another name, or correct or reject the other row)",
                    rows_list(rows)
                ),
                format!(
                    "同じ AWS アカウントの {} 行目もこのユーザーを指しています: 新しいユーザーにはほかの有効な行が使っていない名前が必要です（別の名前にするか、もう一方の行を直すか却下してください）",
                    rows_list(rows)
                ),
            ),
            UserExists { user, account } => say!(
                lang,
                format!(
                    "an IAM user \"{user}\" already exists in {account} and was not created for this \
                     request: choose another name"
                ),
                format!(
                    "IAM ユーザー「{user}」は {account} にすでにあり、この申請で作られたものではありません: 別の名前にしてください"
                ),
            ),
            OwnerEmail(ReaderProblem::NoEmail) => say!(
                lang,
                "the owner has no e-mail in users_json, which KEYWARDEN_ISSUE_READER needs to \
                 say who may read the key's secret: fill in the email of the owner's row",
                "所有者の users_json にメールアドレスがありません。シークレットを読める人を決める KEYWARDEN_ISSUE_READER に必要です: 所有者の行の email を記入してください"
            )
            .into(),
            OwnerEmail(ReaderProblem::BadEmail(e)) => say!(
                lang,
                format!(
                    "the owner's e-mail \"{e}\" in users_json cannot name who may read the key's \
                     secret (KEYWARDEN_ISSUE_READER; only A-Z a-z 0-9 + = , . @ _ -): correct it"
                ),
                format!(
                    "所有者の users_json のメールアドレス「{e}」ではシークレットを読める人を指定できません（KEYWARDEN_ISSUE_READER。使える文字は A-Z a-z 0-9 + = , . @ _ -）: 直してください"
                ),
            ),
            IssueCellUnreadable { text } => say!(
                lang,
                format!(
                    "\"{text}\" was not written by keywarden: clear the cell to have the request \
                     sent for approval (a request is approved with the Slack buttons only)"
                ),
                format!(
                    "「{text}」は keywarden が書いたものではありません: 承認依頼を送るには欄を空にしてください（承認は Slack のボタンでのみ行います）"
                ),
            ),
        }
    }
}

english_display!(RequestProblem, RequestProblemKind);
