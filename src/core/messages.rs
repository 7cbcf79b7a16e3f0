//! The Slack messages, in Japanese as the original system sent them (docs/rules.md §7). Pure text.

use crate::core::ahead::{SUMMARY_DAYS, Upcoming};
use crate::core::outcome::{
    Action, ActionKind, ActionOutcome, ActionRecord, Lang, QUOTE_CLOSE, QUOTE_OPEN, records_where,
};
use crate::core::proof::Keeper;
use crate::core::sheet::RequestRow;

/// Longest admin summary before it is cut (Slack truncates `text` at 40,000 characters).
const SUMMARY_MAX_LINES: usize = 200;

/// Longest sheet value quoted in a message; a novel pasted into a cell is cut, not sent whole.
const FIELD_MAX_CHARS: usize = 500;

/// A sheet value fit for a message: control characters (line breaks included) become spaces so
/// a cell cannot break the layout, and very long values are cut.
pub fn clean(text: &str) -> String {
    let mut out: String = text
        .chars()
        .take(FIELD_MAX_CHARS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().count() > FIELD_MAX_CHARS {
        out.push('…');
    }
    out
}

/// Longest detail of a summary line; a longer one is shortened by [`shorten_detail`].
const DETAIL_MAX_CHARS: usize = FIELD_MAX_CHARS;

/// Ends a detail that was shortened, so nobody takes it for the whole story.
const SHORTENED: &str = "…（長いため省略）";

/// A piece of a detail: keywarden's own words, or a quoted text (a service's message, a cell)
/// from `「` to its `」`, which is kept whole or dropped whole.
enum Piece<'a> {
    Plain(&'a str),
    Quote(&'a str),
}

fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find(QUOTE_OPEN) {
        if open > 0 {
            out.push(Piece::Plain(&rest[..open]));
        }
        // The matching close: quotes may nest; an unclosed quote runs to the end.
        let mut depth = 0usize;
        let mut end = rest.len();
        for (i, c) in rest[open..].char_indices() {
            if c == QUOTE_OPEN {
                depth += 1;
            } else if c == QUOTE_CLOSE {
                depth -= 1;
                if depth == 0 {
                    end = open + i + c.len_utf8();
                    break;
                }
            }
        }
        out.push(Piece::Quote(&rest[open..end]));
        rest = &rest[end..];
    }
    if !rest.is_empty() {
        out.push(Piece::Plain(rest));
    }
    out
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// At most `max` characters of `text`, never ending inside an ASCII word (Japanese may be cut
/// between any two characters), without a dangling separator.
fn cut_at_boundary(text: &str, max: usize) -> &str {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    if chars.len() <= max {
        return text;
    }
    let mut cut = max;
    while cut > 0 && is_word_char(chars[cut - 1].1) && is_word_char(chars[cut].1) {
        cut -= 1;
    }
    text[..chars[cut].0].trim_end_matches(|c: char| c.is_whitespace() || ",、;:。".contains(c))
}

/// A detail fit for one summary line: control characters become spaces, and a detail too long
/// is shortened without cutting a word or a quoted text — a quote that does not fit is
/// dropped whole (`「…」`), so what to do after it can still be read — and says so.
pub fn shorten_detail(detail: &str) -> String {
    let text: String = detail
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().count() <= DETAIL_MAX_CHARS {
        return text;
    }
    let budget = DETAIL_MAX_CHARS - SHORTENED.chars().count();
    let dropped = format!("{QUOTE_OPEN}…{QUOTE_CLOSE}");
    let mut out = String::new();
    let mut used = 0;
    for piece in pieces(&text) {
        let left = budget - used;
        match piece {
            Piece::Quote(q) if q.chars().count() <= left => {
                out.push_str(q);
                used += q.chars().count();
            }
            Piece::Quote(_) if dropped.chars().count() <= left => {
                out.push_str(&dropped);
                used += dropped.chars().count();
            }
            Piece::Quote(_) => break,
            Piece::Plain(p) if p.chars().count() <= left => {
                out.push_str(p);
                used += p.chars().count();
            }
            Piece::Plain(p) => {
                out.push_str(cut_at_boundary(p, left));
                break;
            }
        }
    }
    out.push_str(SHORTENED);
    out
}

/// Escapes `&`, `<` and `>` for Slack's `text` field, so `<!channel>` or `<@U…>` typed into a
/// cell is shown as typed and can never ping anyone.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn or_dash(text: &str) -> String {
    if text.is_empty() {
        "-".to_string()
    } else {
        clean(text)
    }
}

/// `本番 (123456789012) の ` before an IAM user's name, when the row's AWS account is known.
fn in_account(row: &RequestRow) -> String {
    row.aws_account
        .as_ref()
        .map(|a| format!("AWS アカウント {} の ", clean(&a.to_string())))
        .unwrap_or_default()
}

/// The owner's notice a week (notify_days) before the end date; `with_button` when it carries
/// the "延長を申請する" button (docs/rules.md §9).
pub fn owner_notice(row: &RequestRow, days_left: i64, sheet: &str, with_button: bool) -> String {
    let when = if days_left == 0 {
        "本日".to_string()
    } else {
        format!("あと{days_left}日")
    };
    let how = if with_button {
        "引き続き利用する場合は、利用終了日までに下の「延長を申請する」ボタンから延長を申請してください\
         （管理者が承認すると申請シートの利用終了日が更新されます）。"
            .to_string()
    } else {
        format!(
            "引き続き利用する場合は、利用終了日までに管理者へ延長を依頼してください\
             （管理者が申請シート「{}」の状態欄に「延長」と記入します）。",
            clean(sheet)
        )
    };
    format!(
        "{owner} さん\n\
         AWS アクセスキーの利用終了日が近づいています（{when}）。\n\
         {aws_account}• アカウント名: {account}\n\
         • アクセスキーID: {key}\n\
         • 利用目的: {purpose}\n\
         • AWSサービス名: {service}\n\
         • 利用開始日: {start}\n\
         • 利用終了日: {end}\n\
         {how}\n\
         延長がない場合、利用終了日の翌日に IAM ユーザーとアクセスキーは削除されます。",
        owner = or_dash(row.owner()),
        aws_account = row
            .aws_account
            .as_ref()
            .map(|a| format!("• AWSアカウント: {}\n", clean(&a.to_string())))
            .unwrap_or_default(),
        account = or_dash(row.user()),
        key = or_dash(row.key_id()),
        purpose = or_dash(row.purpose()),
        service = or_dash(row.service()),
        start = or_dash(&row.start()),
        end = or_dash(&row.end()),
    )
}

/// The owner's notice after the teardown.
pub fn owner_deleted(row: &RequestRow) -> String {
    format!(
        "{owner} さん\n\
         AWS アクセスキーの利用終了日（{end}）を過ぎたため、{where_}IAM ユーザー「{account}」と\
         アクセスキー {key} を削除しました。\n\
         引き続き必要な場合は、あらためて利用申請をしてください。",
        owner = or_dash(row.owner()),
        end = or_dash(&row.end()),
        where_ = in_account(row),
        account = or_dash(row.user()),
        key = or_dash(row.key_id()),
    )
}

/// The owner's DM when a due row's user and key were already gone: keywarden deleted nothing
/// this time, so it must not say it did — it only recorded the row as `削除済み`.
pub fn owner_already_gone(row: &RequestRow) -> String {
    let where_ = in_account(row);
    format!(
        "{owner} さん\n\
         AWS アクセスキーの利用終了日（{end}）を過ぎました。{where_}IAM ユーザー「{account}」と\
         アクセスキー {key} はすでに IAM にありませんでした。今回の実行で削除したものはなく、\
         申請シートのこの申請を「削除済み」として記録しました。\n\
         引き続き必要な場合は、あらためて利用申請をしてください。",
        owner = or_dash(row.owner()),
        end = or_dash(&row.end()),
        account = or_dash(row.user()),
        key = or_dash(row.key_id()),
    )
}

/// The owner's notice when only the row's key was deleted and the user kept
/// (docs/rules.md §4 step 5).
pub fn owner_key_deleted(row: &RequestRow, keeper: &Keeper) -> String {
    let kept_for = match &keeper.named {
        None => format!("{} 行目の申請", keeper.row),
        Some(name) => format!("{} 行目の申請（アカウント名「{name}」）", keeper.row),
    };
    format!(
        "{owner} さん\n\
         AWS アクセスキーの利用終了日（{end}）を過ぎたため、{where_}IAM ユーザー「{account}」の\
         アクセスキー {key} を削除しました（IAM ユーザーは、同じユーザーのキーを使う{kept_for}のために残しています）。",
        owner = or_dash(row.owner()),
        end = or_dash(&row.end()),
        where_ = in_account(row),
        account = or_dash(row.user()),
        key = or_dash(row.key_id()),
    )
}

/// Who and which key a key-rule message is about.
pub struct KeyRef<'a> {
    pub owner: &'a str,
    pub user: &'a str,
    pub key: &'a str,
    /// The key's AWS account, when the run knows it (docs/rules.md §10).
    pub account: Option<&'a crate::core::domain::Account>,
}

fn key_in_account(k: &KeyRef) -> String {
    k.account
        .map(|a| format!("AWS アカウント {} の ", clean(&a.to_string())))
        .unwrap_or_default()
}

fn greeting(owner: &str) -> String {
    if owner.is_empty() {
        String::new()
    } else {
        format!("{} さん\n", clean(owner))
    }
}

/// docs/rules.md §8 age limit, before the deletion.
pub fn key_age_notice(k: &KeyRef, age: i64, days_left: i64) -> String {
    format!(
        "{}{}IAM ユーザー「{}」のアクセスキー {} は作成から {age} 日が経過しました。\
         {days_left} 日後にこのキーは削除されます（IAM ユーザーは残ります）。\n\
         引き続き必要な場合は、新しいキーへの切り替えを管理者に依頼してください。",
        greeting(k.owner),
        key_in_account(k),
        clean(k.user),
        clean(k.key)
    )
}

/// docs/rules.md §8 age limit reached.
pub fn key_age_deleted(k: &KeyRef, age: i64) -> String {
    format!(
        "{}{}IAM ユーザー「{}」のアクセスキー {} は作成から {age} 日が経過したため削除しました（IAM ユーザーは残っています）。\n\
         必要な場合は、新しいキーの発行を管理者に依頼してください。",
        greeting(k.owner),
        key_in_account(k),
        clean(k.user),
        clean(k.key)
    )
}

/// docs/rules.md §8 unused key.
pub fn key_deactivated_unused(k: &KeyRef, idle: i64) -> String {
    format!(
        "{}{}IAM ユーザー「{}」のアクセスキー {} は {idle} 日間使われていないため無効化しました（削除はしていません）。\n\
         まだ必要な場合は、再有効化を管理者に依頼してください。",
        greeting(k.owner),
        key_in_account(k),
        clean(k.user),
        clean(k.key)
    )
}

/// docs/rules.md §8 deactivate-before-delete for a sheet row.
pub fn row_deactivated(row: &RequestRow, delete_on: &str) -> String {
    format!(
        "{} さん\n利用終了日（{}）を過ぎたため、{}IAM ユーザー「{}」のアクセスキー {} を無効化しました。\n\
         {delete_on} 以降の実行で IAM ユーザーごと削除されます。延長が必要な場合は管理者に依頼してください\
         （状態欄に「延長」と記入されるとキーは再び有効になります）。",
        or_dash(row.owner()),
        or_dash(&row.end()),
        in_account(row),
        or_dash(row.user()),
        or_dash(row.key_id())
    )
}

/// docs/rules.md §8 reactivation after an extension.
pub fn row_reactivated(row: &RequestRow) -> String {
    format!(
        "{} さん\n延長が記入されたため、{}IAM ユーザー「{}」のアクセスキー {} を再び有効にしました。",
        or_dash(row.owner()),
        in_account(row),
        or_dash(row.user()),
        or_dash(row.key_id())
    )
}

/// docs/rules.md §8 rotation: the secret's name, never the secret.
pub fn key_rotated(k: &KeyRef, new_key: &str, secret_name: &str) -> String {
    format!(
        "{}{}IAM ユーザー「{}」のアクセスキーをローテーションしました。\n\
         • 新しいアクセスキーID: {}\n\
         • 保存先: AWS Secrets Manager のシークレット「{}」\n\
         • 古いキー {} は無効化しました。\n\
         新しいキーに切り替えたら、古いキーは次回以降のローテーションで削除されます。",
        greeting(k.owner),
        key_in_account(k),
        clean(k.user),
        clean(new_key),
        clean(secret_name),
        clean(k.key)
    )
}

/// One summary for administrators of every notice, deletion and problem of the run, ending
/// with the teardowns and deactivations `week` holds (the next days, from the sheet alone);
/// `None` when the run itself has nothing to say (no daily noise).
pub fn admin_summary(
    today: &str,
    sheet: &str,
    outcomes: &[ActionOutcome],
    week: &[Upcoming],
) -> Option<String> {
    // An account that could not be entered is one line (its alert names the rows), not one
    // line per row (docs/rules.md §10). Skips are never shown: no line is made for them.
    let shown = |o: &ActionOutcome| {
        o.kind() != ActionKind::Skip && !matches!(o.action, Action::AccountUnavailable { .. })
    };
    let mut text = summary_of(today, sheet, &records_where(outcomes, Lang::Ja, shown))?;
    text.push_str(&week_ahead(week));
    Some(text)
}

/// The summary of a `keywarden requests` pass (docs/rules.md §12): what it asked and issued,
/// without the week ahead; `None` when it did nothing worth a message.
pub fn requests_summary(today: &str, sheet: &str, outcomes: &[ActionOutcome]) -> Option<String> {
    // Skips are never shown (as in the daily summary): no line is made for them.
    let shown = |o: &ActionOutcome| o.kind() != ActionKind::Skip;
    summary_of(today, sheet, &records_where(outcomes, Lang::Ja, shown))
}

/// The teardowns and deactivations of the coming days, one line each.
fn week_ahead(week: &[Upcoming]) -> String {
    let due: Vec<&Upcoming> = week
        .iter()
        .filter(|u| matches!(u.action, ActionKind::Delete | ActionKind::Deactivate))
        .collect();
    if due.is_empty() {
        return format!(
            "今後{SUMMARY_DAYS}日間の削除・無効化の予定はありません（シートの現状から）。\n"
        );
    }
    let mut text = format!(
        "今後{SUMMARY_DAYS}日間の削除・無効化の予定（シートの現状から。IAM は確認していません）:\n"
    );
    for u in due.iter().take(SUMMARY_MAX_LINES) {
        let who = who(&u.user, &u.access_key_id, &u.owner);
        text.push_str(&format!(
            "• {} [{}] {}行目 {who}\n",
            u.date.format("%Y-%m-%d"),
            u.action.label_ja(),
            u.row
        ));
    }
    if due.len() > SUMMARY_MAX_LINES {
        text.push_str(&format!(
            "…ほか {} 件（`keywarden plan --days {SUMMARY_DAYS}` で全件を確認できます）\n",
            due.len() - SUMMARY_MAX_LINES
        ));
    }
    text
}

/// `IAM user / key / owner` of a summary line, the empty ones left out.
fn who(account: &str, key: &str, owner: &str) -> String {
    [account, key, owner]
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| clean(s))
        .collect::<Vec<_>>()
        .join(" / ")
}

/// The summary's groups: by AWS account (as `本番 (123456789012)`) in order of appearance,
/// run-wide lines last; one group without a heading when the run saw one account only.
fn by_account<'a>(shown: &[&'a ActionRecord]) -> Vec<(Option<String>, Vec<&'a ActionRecord>)> {
    let label = |a: &ActionRecord| {
        a.aws_account.as_ref().map(|id| match &a.aws_account_alias {
            Some(alias) => format!("{alias} ({id})"),
            None => id.to_string(),
        })
    };
    let mut groups: Vec<(Option<String>, Vec<&ActionRecord>)> = Vec::new();
    for a in shown {
        let key = label(a);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, lines)) => lines.push(a),
            None => groups.push((key, vec![a])),
        }
    }
    groups.sort_by_key(|(k, _)| k.is_none());
    if groups.iter().filter(|(k, _)| k.is_some()).count() <= 1 {
        let all: Vec<&ActionRecord> = groups.into_iter().flat_map(|(_, l)| l).collect();
        return vec![(None, all)];
    }
    groups
}

fn summary_of(today: &str, sheet: &str, actions: &[ActionRecord]) -> Option<String> {
    let shown: Vec<&ActionRecord> = actions.iter().filter(|a| a.needs_attention()).collect();
    if shown.is_empty() {
        return None;
    }
    let problems = shown.iter().filter(|a| a.outcome.is_problem()).count();
    let mut text = format!(
        "keywarden {today} の実行結果（申請シート「{}」）: {} 件、うち要対応 {problems} 件\n",
        clean(sheet),
        shown.len()
    );
    let groups = by_account(&shown);
    let headed = groups.len() > 1;
    let mut left = SUMMARY_MAX_LINES;
    for (account, lines) in &groups {
        if left == 0 {
            break;
        }
        if headed {
            match account {
                Some(account) => text.push_str(&format!("■ AWS アカウント {}\n", clean(account))),
                None => text.push_str("■ 全体\n"),
            }
        }
        for a in lines.iter().take(left) {
            left -= 1;
            push_line(&mut text, a);
        }
    }
    if shown.len() > SUMMARY_MAX_LINES {
        text.push_str(&format!(
            "…ほか {} 件（`keywarden plan` で全件を確認できます）\n",
            shown.len() - SUMMARY_MAX_LINES
        ));
    }
    Some(text)
}

fn push_line(text: &mut String, a: &ActionRecord) {
    {
        let row = a
            .row
            .map(|r| format!("{r}行目"))
            .unwrap_or_else(|| "全体".into());
        let who = who(&a.user, &a.access_key_id, &a.owner);
        text.push_str(&format!(
            "• [{}・{}] {row} {who}: {}\n",
            a.action.label_ja(),
            a.outcome.label(Lang::Ja),
            shorten_detail(&a.detail)
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::fixtures::request_row;
    use crate::core::outcome::{ActionKind, Outcome};
    use crate::core::sheet::Text;

    fn row() -> RequestRow {
        let mut row = request_row()
            .invalid(vec![])
            .with(Text::Owner, "田中 <!channel>")
            .with(Text::User, "tanaka-s3")
            .with(Text::Purpose, "S3 <@U0001> & backup\u{7}")
            .with(Text::Service, "S3")
            .with(Text::Start, "2026-09-01");
        row.row = 5;
        row
    }

    #[test]
    fn owner_notice_carries_what_the_original_did() {
        let text = owner_notice(&row(), 7, "key_request_form", false);
        for part in [
            "tanaka-s3",
            "S3",
            "2026-09-01",
            "2026-11-29",
            "あと7日",
            "延長",
        ] {
            assert!(text.contains(part), "{part} missing in {text}");
        }
    }

    #[test]
    fn sheet_values_cannot_break_the_layout() {
        let text = owner_notice(&row(), 7, "s", false);
        assert!(!text.contains('\u{7}'));
        assert_eq!(clean("a\nb\tc"), "a b c");
        assert_eq!(
            clean(&"x".repeat(1000)).chars().count(),
            FIELD_MAX_CHARS + 1
        );
    }

    #[test]
    fn escaping_makes_mentions_inert() {
        let text = escape(&owner_notice(&row(), 7, "s", false));
        assert!(
            !text.contains("<!channel>") && !text.contains("<@U0001>"),
            "{text}"
        );
        assert!(
            text.contains("&lt;!channel&gt;") && text.contains("&amp; backup"),
            "{text}"
        );
    }

    #[test]
    fn a_long_detail_is_cut_between_words_never_inside_a_quote() {
        let service = format!(
            "「{}」",
            "User is not authorized to perform iam:DeleteUser ".repeat(4)
        );
        // The quote fits: kept whole; the plain text after it is cut between words.
        let detail = format!(
            "ユーザー sato-ci を読めませんでした: IAM の応答: {service}。{}",
            "delete login profile, ".repeat(40)
        );
        let short = shorten_detail(&detail);
        assert!(short.chars().count() <= DETAIL_MAX_CHARS, "{short}");
        assert!(short.contains(&service), "{short}");
        assert!(short.ends_with(SHORTENED), "{short}");
        let body = short.trim_end_matches(SHORTENED);
        assert!(detail.starts_with(body), "{short}");
        let next = detail[body.len()..].chars().next();
        assert!(
            !(body.ends_with(is_word_char) && next.is_some_and(is_word_char)),
            "cut inside a word: {short}"
        );
        // A quote too long to fit is dropped whole; what follows it still reads.
        let huge = format!("「{}」", "x ".repeat(600));
        let detail = format!("IAM の応答: {huge}。手動で削除してください");
        let short = shorten_detail(&detail);
        assert_eq!(
            short,
            format!("IAM の応答: 「…」。手動で削除してください{SHORTENED}")
        );
        // Short details are only cleaned.
        assert_eq!(shorten_detail("a\nb 「c」"), "a b 「c」");
    }

    proptest::proptest! {
        /// Whatever the lengths, a shortened detail holds each quote whole or as `「…」`.
        #[test]
        fn quotes_survive_shortening(
            before in "[a-z ]{0,400}",
            quoted in "[a-z:. ]{0,400}",
            after in "[あ-ん a-z]{0,400}",
        ) {
            let detail = format!("{before}IAM の応答: 「{quoted}」{after}");
            let short = shorten_detail(&detail);
            proptest::prop_assert!(short.chars().count() <= DETAIL_MAX_CHARS);
            if let Some(open) = short.find('「') {
                let inner = &short[open + '「'.len_utf8()..];
                let close = inner.find('」');
                proptest::prop_assert!(close.is_some(), "{short}");
                let inner = &inner[..close.unwrap()];
                proptest::prop_assert!(inner == quoted || inner == "…", "{short}");
            }
        }
    }

    #[test]
    fn the_issue_s_summary_line_is_japanese_and_whole() {
        use crate::core::outcome::{Subject, Teardown};
        use crate::core::teardown::Step;
        let key = crate::core::domain::AccessKeyId::parse("AKIAIOSFODNN7EXAMPLE").unwrap();
        let steps: Vec<Step> = std::iter::once(Step::TagForTeardown(key.clone()))
            .chain([Step::DeleteLoginProfile, Step::DeleteAccessKey(key)])
            .chain(
                (0..30)
                    .map(|i| Step::DetachPolicy(format!("arn:aws:iam::123456789012:policy/p{i}"))),
            )
            .chain([Step::DeleteUser, Step::DeleteOwnPolicy("sato-ci".into())])
            .collect();
        let o = ActionOutcome::new(
            Subject {
                row: Some(4),
                user: "sato-ci".into(),
                ..Subject::default()
            },
            Action::Teardown(Teardown::Planned { steps }),
        );
        let text = admin_summary("2026-11-22", "s", &[o], &[]).unwrap();
        let line = text.lines().nth(1).unwrap();
        assert!(
            line.contains("sato-ci を削除する予定: タグ keywarden:teardown="),
            "{line}"
        );
        assert!(!line.contains("delete login profile"), "{line}");
        assert!(line.ends_with(SHORTENED), "{line}");
    }

    #[test]
    fn summary_ends_with_the_week_ahead() {
        let upcoming = |date: &str, row, action| Upcoming {
            date: date.parse().unwrap(),
            row,
            user: format!("user{row}").into(),
            access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
            owner: "田中 太郎".into(),
            action,
        };
        let week = [
            upcoming("2026-11-24", 4, ActionKind::Deactivate),
            upcoming("2026-11-25", 3, ActionKind::Delete),
            upcoming("2026-11-26", 5, ActionKind::Notify),
        ];
        let text = week_ahead(&week);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "a heading, then one line each: {text}");
        assert!(lines[0].contains("今後7日間"), "{text}");
        assert!(
            lines[1].starts_with("• 2026-11-24 [無効化] 4行目 user4"),
            "{text}"
        );
        assert!(
            lines[2].starts_with("• 2026-11-25 [削除] 3行目 user3"),
            "{text}"
        );
        assert!(
            !text.contains("5行目"),
            "notices are not part of it: {text}"
        );
        assert!(week_ahead(&[]).contains("予定はありません"));
    }

    #[test]
    fn summary_lists_every_action_but_skips() {
        let a = ActionRecord {
            row: Some(3),
            user: Default::default(),
            access_key_id: Default::default(),
            owner: Default::default(),
            action: ActionKind::Alert,
            outcome: Outcome::Failed,
            detail: "oops".into(),
            end_date: None,
            days_left: None,
            aws_account: None,
            aws_account_alias: None,
        };
        let skip = ActionRecord {
            action: ActionKind::Skip,
            ..a.clone()
        };
        assert_eq!(
            summary_of("2026-11-22", "s", std::slice::from_ref(&skip)),
            None
        );
        let text = summary_of("2026-11-22", "s", &[a, skip]).unwrap();
        assert!(
            text.contains("3行目") && text.contains("oops") && text.contains("要対応 1 件"),
            "{text}"
        );
    }

    #[test]
    fn messages_and_the_summary_name_the_account() {
        use crate::core::domain::{Account, AwsAccountId};
        let mut r = row();
        r.aws_account = Some(std::sync::Arc::new(Account {
            id: AwsAccountId::parse("123456789012").unwrap(),
            alias: Some("本番".into()),
        }));
        assert!(
            owner_notice(&r, 7, "s", false).contains("• AWSアカウント: 本番 (123456789012)"),
            "{}",
            owner_notice(&r, 7, "s", false)
        );
        assert!(
            owner_deleted(&r)
                .contains("AWS アカウント 本番 (123456789012) の IAM ユーザー「tanaka-s3」")
        );
        assert!(
            !owner_deleted(&row()).contains("AWS アカウント"),
            "home-only rows as before"
        );
        let acc = r.aws_account.clone().unwrap();
        let k = KeyRef {
            owner: "田中",
            user: "ci",
            key: "AKIAIOSFODNN7EXAMPLE",
            account: Some(&acc),
        };
        for text in [
            key_age_notice(&k, 180, 30),
            key_age_deleted(&k, 210),
            key_deactivated_unused(&k, 90),
            key_rotated(&k, "AKIANEW", "keywarden/ci"),
        ] {
            assert!(
                text.contains("AWS アカウント 本番 (123456789012) の IAM ユーザー「ci」"),
                "{text}"
            );
        }
        let line = |id: Option<&str>, alias: Option<&str>, detail: &str| ActionRecord {
            row: Some(3),
            user: "u".into(),
            access_key_id: Default::default(),
            owner: Default::default(),
            action: ActionKind::Delete,
            outcome: Outcome::Done,
            detail: detail.into(),
            aws_account: id.map(Into::into),
            aws_account_alias: alias.map(Into::into),
            end_date: None,
            days_left: None,
        };
        let lines = [
            line(Some("123456789012"), Some("本番"), "p1"),
            line(None, None, "global"),
            line(Some("210987654321"), None, "s1"),
            line(Some("123456789012"), Some("本番"), "p2"),
        ];
        let text = summary_of("2026-11-22", "s", &lines).unwrap();
        let at = |needle: &str| {
            text.find(needle)
                .unwrap_or_else(|| panic!("{needle} in {text}"))
        };
        assert!(at("■ AWS アカウント 本番 (123456789012)") < at("p1"));
        assert!(at("p2") < at("■ AWS アカウント 210987654321"));
        assert!(at("s1") < at("■ 全体") && at("■ 全体") < at("global"));
        // One account: no headings, as before.
        let one = summary_of("2026-11-22", "s", &lines[..1]).unwrap();
        assert!(!one.contains('■'), "{one}");
    }
}

#[cfg(test)]
#[path = "messages_gone_tests.rs"]
mod gone_tests;
