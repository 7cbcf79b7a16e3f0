//! The administrators' summary, in Japanese as the original system sent it (docs/rules.md §7),
//! and what every Slack text goes through: `clean`, `escape`, the shortening of long details.
//! Pure text. The owners' DMs themselves are in the text catalogue (`core/words/dms.rs`).

use crate::core::ahead::{SUMMARY_DAYS, Upcoming};
use crate::core::outcome::{
    Action, ActionKind, ActionOutcome, ActionRecord, Lang, QUOTE_CLOSE, QUOTE_OPEN, records_where,
};

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
            u.action.words(Lang::Ja),
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
            a.action.words(Lang::Ja),
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
    use crate::core::sheet::RequestRow;
    use crate::core::sheet::Text;
    use crate::core::words::dms::*;

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
