//! What people read, pinned as snapshots: every owner DM kind; for the outcome of every kind
//! (`outcome::ja_tests::every_outcome`, the one fixture the words' snapshot uses too) the
//! administrators' summaries, the JSON report and the table `plan` prints; every key-request
//! problem and decision; the Slack endpoint's answers and the extension flow's texts. A change
//! of wording is a reviewed diff of `snapshots/` (`INSTA_UPDATE=always cargo test --lib
//! read_tests`, then `git diff`).

use crate::core::ahead::Upcoming;
use crate::core::domain::{Account, AwsAccountId};
use crate::core::fixtures::{KEY, date, key, request_row, valid_request};
use crate::core::messages::{admin_summary, requests_summary};
use crate::core::outcome::ja_tests::every_outcome;
use crate::core::proof::Keeper;
use crate::core::report::{ActionKind, Report};
use crate::core::words::dms::*;
use crate::core::words::issue_texts::{
    Decided, Shown, approval_request, decided, owner_asked, owner_decided, owner_issued,
};

const TODAY: &str = "2026-11-22";
const SHEET: &str = "申請";

/// The next days as `plan --days 7` and the summary's week see them: one of each kind.
fn week() -> Vec<Upcoming> {
    let upcoming = |day: &str, row, action| Upcoming {
        date: date(day),
        row,
        user: format!("user{row}").into(),
        access_key_id: KEY.into(),
        owner: "田中 太郎".into(),
        action,
    };
    vec![
        upcoming("2026-11-24", 4, ActionKind::Deactivate),
        upcoming("2026-11-25", 3, ActionKind::Delete),
        upcoming("2026-11-26", 5, ActionKind::Notify),
    ]
}

#[test]
fn every_owner_dm() {
    let production = Account {
        id: AwsAccountId::parse("123456789012").unwrap(),
        alias: Some("本番".into()),
    };
    let home = request_row();
    let mut elsewhere = request_row();
    elsewhere.aws_account = Some(std::sync::Arc::new(production.clone()));
    let key_of = |account| KeyRef {
        owner: "田中 太郎",
        user: "tanaka",
        key: KEY,
        account,
    };
    let (k, k_elsewhere) = (key_of(None), key_of(Some(&production)));
    let request = valid_request();
    let shown = Shown {
        row: 7,
        owner_name: "田中 太郎",
        purpose: "バックアップの検証",
    };
    let admin = crate::core::domain::SlackUserId::parse("U0ADMIN01").unwrap();
    let decided_request = |start| Decided {
        row: 7,
        account: "123456789012",
        user: "tanaka-s3",
        entry: "読み取り",
        start,
    };
    let named = Keeper {
        row: 3,
        named: Some("tanaka2".into()),
    };
    let dms = [
        ("notice, 7 days left", owner_notice(&home, 7, SHEET, false)),
        (
            "notice, last day, with the button",
            owner_notice(&elsewhere, 0, SHEET, true),
        ),
        ("deleted", owner_deleted(&home)),
        ("deleted, in an AWS account", owner_deleted(&elsewhere)),
        ("already gone", owner_already_gone(&elsewhere)),
        (
            "key deleted, user kept",
            owner_key_deleted(
                &home,
                &Keeper {
                    row: 3,
                    named: None,
                },
            ),
        ),
        (
            "key deleted, user kept for a mistyped row",
            owner_key_deleted(&elsewhere, &named),
        ),
        ("key age notice", key_age_notice(&k, 83, 7)),
        ("key age deleted", key_age_deleted(&k_elsewhere, 90)),
        ("key deactivated, unused", key_deactivated_unused(&k, 45)),
        ("row deactivated", row_deactivated(&elsewhere, "2026-12-06")),
        ("row reactivated", row_reactivated(&home)),
        (
            "key rotated",
            key_rotated(&k_elsewhere, "AKIAI44QH8DHBEXAMPLE", "keywarden/tanaka"),
        ),
        (
            "extension asked by an administrator",
            extension_requested_for_you(&admin, 5, "tanaka", date("2026-12-31")),
        ),
        (
            "extension approved",
            extension_approved(5, "tanaka", date("2026-12-31"), &admin),
        ),
        (
            "extension rejected",
            extension_rejected(5, "tanaka", Some(date("2026-11-29")), &admin),
        ),
        (
            "extension rejected, end date unreadable",
            extension_rejected(5, "tanaka", None, &admin),
        ),
        (
            "issuance: approval request",
            approval_request(&request, &shown),
        ),
        ("issuance: asked", owner_asked(&request, "田中 太郎")),
        (
            "issuance: the approval request, decided",
            decided("7行目\n…", true, &admin),
        ),
        (
            "issuance: approved",
            owner_decided(&decided_request(None), true, &admin),
        ),
        (
            "issuance: approved, with a start date",
            owner_decided(&decided_request(Some(date("2026-12-01"))), true, &admin),
        ),
        (
            "issuance: rejected",
            owner_decided(&decided_request(None), false, &admin),
        ),
        (
            "issuance: issued",
            owner_issued(&request, "田中 太郎", &key(KEY), "keywarden/tanaka-s3"),
        ),
    ];
    let text: Vec<String> = dms
        .iter()
        .map(|(kind, dm)| format!("## {kind}\n{dm}\n"))
        .collect();
    insta::assert_snapshot!(text.join("\n"));
}

#[test]
fn the_administrators_summaries_of_every_outcome() {
    let all = every_outcome();
    let daily = admin_summary(TODAY, SHEET, &all, &week()).expect("a summary");
    let requests = requests_summary(TODAY, SHEET, &all).expect("a summary");
    insta::assert_snapshot!(format!(
        "## the daily summary\n{daily}\n\n## keywarden requests\n{requests}\n"
    ));
}

/// The report of every outcome as `plan --days 7` makes it.
fn report() -> Report {
    let mut report = Report::build(date(TODAY), "run-0001", &every_outcome(), Vec::new());
    report.dry_run = true;
    report.ahead = Some(week());
    report.days_ahead = 7;
    report
}

#[test]
fn the_json_report_of_every_outcome() {
    insta::assert_snapshot!(report().to_json());
}

#[test]
fn the_plan_table_of_every_outcome() {
    insta::assert_snapshot!(report().to_table());
}

/// What keeps a key request from being asked, every kind, and a decision on one: the report's
/// English and the summary's (or the log sheet's) Japanese side by side.
#[test]
fn every_request_problem_and_decision_in_both_languages() {
    use crate::core::domain::{CellAccountProblem, DateError, IdError, SlackUserId};
    use crate::core::issue::decision::DecisionEvent;
    use crate::core::issue::{ReaderProblem, RequestProblem, RequestProblemKind::*};
    use crate::core::words::{Lang, decision_problems};
    let entries = || vec!["読み取り".to_string(), "S3バックアップ".to_string()];
    let kinds = [
        OwnerEmpty,
        OwnerNotFound {
            name: "田中 太朗".into(),
        },
        OwnerAmbiguous {
            name: "田中 太郎".into(),
            ids: vec![
                SlackUserId::parse("U0TANAKA01").unwrap(),
                SlackUserId::parse("U0TANAKA02").unwrap(),
            ],
        },
        UserEmpty,
        UserName(IdError::IamUserName("tanaka s3".into())),
        NoPermissionsColumn { entries: entries() },
        PermissionsEmpty { entries: entries() },
        PermissionsUnknown {
            text: "管理者".into(),
            entries: entries(),
        },
        PermissionsSeveral { names: entries() },
        EndEmpty,
        EndDate(DateError::Unreadable("来月末".into())),
        StartDate(DateError::Serial("30".into())),
        EndBeforeStart {
            end: date("2027-01-31"),
            start: date("2027-03-01"),
        },
        EndNotAfterToday {
            end: date("2026-11-22"),
            today: date(TODAY),
        },
        TooLong {
            end: date("2027-12-31"),
            from: date(TODAY),
            from_start: false,
            max_days: 180,
            latest: date("2027-05-21"),
        },
        Account(CellAccountProblem {
            why: crate::core::domain::AccountWhy::Neither("検証".into()),
            allowed: vec!["123456789012".into(), "本番 (210987654321)".into()],
        }),
        Protected {
            user: "admin".into(),
        },
        NamedByOtherRows { rows: vec![4, 9] },
        UserExists {
            user: "tanaka-s3".into(),
            account: "本番 (123456789012)".into(),
        },
        OwnerEmail(ReaderProblem::NoEmail),
        OwnerEmail(ReaderProblem::BadEmail("tanaka*@example.com".into())),
        IssueCellUnreadable {
            text: "承認済み".into(),
        },
    ];
    let problems: Vec<RequestProblem> = kinds
        .into_iter()
        .enumerate()
        .map(|(i, kind)| RequestProblem {
            // One problem of the sheet, not of a cell: no cell.
            cell: if i == 5 {
                String::new()
            } else {
                format!("F{i}")
            },
            header: "必要な権限",
            kind,
        })
        .collect();
    let mut text: Vec<String> = problems
        .iter()
        .map(|p| format!("EN: {p}\nJA: {}\n", p.words(Lang::Ja)))
        .collect();
    text.push(format!(
        "to the deciding administrator: {}\n",
        decision_problems(&problems[..2])
    ));
    for approve in [true, false] {
        let event = DecisionEvent {
            id: valid_request().id,
            approve,
            by: SlackUserId::parse("U0ADMIN01").unwrap(),
            on: date(TODAY),
        };
        text.push(format!(
            "EN: {}\nJA: {}\n",
            event.words(Lang::En),
            event.words(Lang::Ja)
        ));
    }
    insta::assert_snapshot!(text.join("\n"));
}

/// What the Slack endpoint answers a click or a form that changed nothing, every kind
/// (Japanese only).
#[test]
fn every_answer_to_a_click_that_changed_nothing() {
    use crate::core::domain::SlackUserId;
    use crate::core::extension::rules::{FormProblem, Refusal};
    use crate::core::issue::IssueState;
    use crate::core::issue::decision::{DecisionRefusal, Stale};
    let admin = SlackUserId::parse("U0ADMIN01").unwrap();
    let on = date(TODAY);
    let extension = [
        Refusal::RowGone,
        Refusal::KeyChanged { row: 5 },
        Refusal::Ambiguous(vec![5, 9]),
        Refusal::Deleted { row: 5 },
        Refusal::UnreadableEnd { row: 5 },
        Refusal::AlreadyPending {
            row: 5,
            requester: SlackUserId::parse("U0TANAKA01").unwrap(),
            requested_end: date("2026-12-31"),
            requested_at: "2026-11-20 10:00".into(),
        },
        Refusal::PendingUnreadable { row: 5 },
        Refusal::NotOwner,
        Refusal::NotAdmin,
        Refusal::SelfApproval,
        Refusal::OwnerApproval,
        Refusal::AlreadyDecided,
        Refusal::EndDateChanged {
            row: 5,
            expected: date("2026-11-29"),
        },
    ];
    let decision = [
        DecisionRefusal::IssuanceOff,
        DecisionRefusal::NotAdmin,
        DecisionRefusal::Owner { row: 7 },
        DecisionRefusal::Filer {
            row: 7,
            email: "tanaka@example.com".into(),
        },
        DecisionRefusal::Stale(Stale::NoRow),
        DecisionRefusal::Stale(Stale::Edited { row: 7 }),
        DecisionRefusal::Stale(Stale::NotARequest { row: 7 }),
        DecisionRefusal::Decided {
            row: 7,
            state: IssueState::Approved {
                by: admin.clone(),
                on,
            },
        },
        DecisionRefusal::Decided {
            row: 7,
            state: IssueState::Rejected { by: admin, on },
        },
        DecisionRefusal::Decided {
            row: 7,
            state: IssueState::Issued { on },
        },
        DecisionRefusal::Decided {
            row: 7,
            state: IssueState::Pending,
        },
        DecisionRefusal::SeveralRows {
            id: valid_request().id,
            rows: vec![7, 8],
        },
        DecisionRefusal::Invalid {
            row: 7,
            problems: "F7（必要な権限） 空欄です: 次のいずれかを記入してください: 読み取り".into(),
        },
    ];
    let form = [
        FormProblem::NoDate,
        FormProblem::Unreadable,
        FormProblem::NotAfter {
            current_end: date("2026-11-29"),
        },
        FormProblem::TooLate {
            max_extension_days: 90,
            latest: date("2027-02-27"),
        },
        FormProblem::NoReason,
    ];
    use crate::core::words::answers::{Trouble, submitted, withdrawn};
    let troubles = [
        Trouble::UnknownAction,
        Trouble::UnreadableButton,
        Trouble::FormSheetUnreadable,
        Trouble::FormNotOpened("expired_trigger_id"),
        Trouble::SubmissionSheetUnreadable,
        Trouble::ApprovalNotSent,
        Trouble::RecordSheetUnreadable,
        Trouble::NotRecorded,
        Trouble::DecisionSheetUnreadable,
        Trouble::DecisionNotWritten {
            what: "承認",
            error: "HTTP 503",
        },
        Trouble::AccountsUnknown,
    ];
    let text: Vec<String> = extension
        .iter()
        .map(|r| format!("extension: {r}"))
        .chain(form.iter().map(|p| format!("extension form: {p}")))
        .chain([
            format!("extension form: {}", submitted(date("2026-12-31"))),
            format!(
                "extension form: {}",
                withdrawn(&Refusal::Deleted { row: 5 })
            ),
        ])
        .chain(decision.iter().map(|r| format!("key request: {r}")))
        .chain(troubles.iter().map(|t| format!("trouble: {t}")))
        .collect();
    insta::assert_snapshot!(text.join("\n"));
}

/// What Slack shows in the extension flow: the form, the approval request and what becomes of
/// it, and the log sheet's detail of a request.
#[test]
fn the_extension_flow_as_slack_shows_it() {
    use crate::core::domain::SlackUserId;
    use crate::core::extension::approval::ApprovalInfo;
    use crate::core::extension::record::Outcome;
    use crate::core::extension::value::RowRef;
    use crate::core::words::extension::*;
    let row = RowRef {
        account: crate::core::fixtures::user("tanaka"),
        key_id: key(KEY),
        end: date("2026-11-29"),
    };
    let info = ApprovalInfo {
        row: 5,
        account: "tanaka".into(),
        key_id: KEY.into(),
        owner_name: "田中 太郎".into(),
        current_end: date("2026-11-29"),
        requested_end: date("2026-12-31"),
        reason: "移行作業が延びたため".into(),
        requester: SlackUserId::parse("U0TANAKA01").unwrap(),
    };
    let admin = SlackUserId::parse("U0ADMIN01").unwrap();
    let texts = [
        (
            "labels",
            [
                REQUEST_BUTTON,
                FORM_TITLE,
                NEW_END_LABEL,
                REASON_LABEL,
                SUBMIT,
                CANCEL,
                CLOSE,
            ]
            .join(" / "),
        ),
        ("the form", form_text(&row, 90)),
        ("the approval request", approval_request(&info)),
        ("approved", decided(&info, Outcome::Approved, &admin)),
        ("rejected", decided(&info, Outcome::Rejected, &admin)),
        ("withdrawn", withdrawn(&info)),
        ("the log sheet's detail", request_detail(&info)),
    ];
    let text: Vec<String> = texts
        .iter()
        .map(|(kind, text)| format!("## {kind}\n{text}\n"))
        .collect();
    insta::assert_snapshot!(text.join("\n"));
}
