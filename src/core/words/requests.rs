//! Key requests (docs/rules.md §12): what keeps a request from being asked or issued, with what
//! to fix, and an administrator's decision on one.

use super::*;
use crate::core::issue::decision::DecisionEvent;
use crate::core::issue::writes::Miss;
use crate::core::issue::{ReaderProblem, RequestProblem, RequestProblemKind};
use crate::core::outcome::Unwritten;
use crate::core::sheet::PERMISSIONS_COLUMN;

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

impl Unwritten {
    /// Why the request's cells were not written, for `lang`.
    pub fn words(&self, lang: Lang) -> String {
        match self {
            Unwritten::Miss(Miss::Gone) => say!(
                lang,
                "no row of the sheet gives this request ID any more (its cells were edited, or \
                 the row was deleted)"
                    .to_string(),
                "この申請IDに当たる行がシートにありません（セルが編集されたか、行が削除されました）"
                    .to_string(),
            ),
            Unwritten::Miss(Miss::Moved(now)) => say!(
                lang,
                format!("its 発行申請 cell says \"{now}\" now"),
                format!("発行申請セルは今「{now}」です"),
            ),
            Unwritten::Sheet(why) => why.words(lang),
            Unwritten::Off => say!(
                lang,
                "key issuance is off".to_string(),
                "キーの発行が無効です".to_string(),
            ),
        }
    }
}

english_display!(Unwritten);

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
