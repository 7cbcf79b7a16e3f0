//! Tests of the parent module: request rows read from a sheet as the API gives it.
use super::*;
use crate::core::domain::{AccountCell, AwsAccountId};
use crate::core::issue::cell::IssueRecord;
use crate::core::issue::settings::parse_policies;
use crate::core::sheet::{ORIGINAL_LAYOUT, RequestTable};
use crate::core::words::Lang;
use proptest::prelude::*;
use serde_json::{Value, json};

const TODAY: &str = "2026-11-20";

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn id(s: &str) -> AwsAccountId {
    AwsAccountId::parse(s).unwrap()
}

/// The original layout (A..L) plus `AWSアカウント` (M) and `発行申請` (N).
fn header() -> Vec<Value> {
    let mut h: Vec<Value> = ORIGINAL_LAYOUT.iter().map(|s| json!(s)).collect();
    h.push(json!("AWSアカウント"));
    h.push(json!("発行申請"));
    h
}

/// A form's row: no key, no status unless given.
#[derive(Clone)]
struct Form {
    owner: &'static str,
    user: &'static str,
    permissions: &'static str,
    start: String,
    end: String,
    status: &'static str,
    key: &'static str,
    account: &'static str,
    cell: String,
}

impl Form {
    fn new() -> Form {
        Form {
            owner: "田中 太郎",
            user: "tanaka-s3",
            permissions: " 読み取り ",
            start: "2026/12/1".into(),
            end: "2027/3/31".into(),
            status: "",
            key: "",
            account: "本番",
            cell: String::new(),
        }
    }

    fn cells(&self) -> Vec<Value> {
        vec![
            json!(46000),
            json!(self.owner),
            json!("S3 backup"),
            json!("tanaka@example.com"),
            json!("S3"),
            json!(self.permissions),
            json!(46000),
            json!(self.start),
            json!(self.end),
            json!(self.user),
            json!(self.status),
            json!(self.key),
            json!(self.account),
            json!(self.cell),
        ]
    }
}

fn table(rows: &[Form]) -> RequestTable {
    let mut grid = vec![header()];
    grid.extend(rows.iter().map(Form::cells));
    RequestTable::parse("key_request_form", &grid).unwrap()
}

fn directory() -> Directory {
    let grid = vec![
        vec![json!("id"), json!("last_name"), json!("first_name")],
        vec![json!("U0TANAKA01"), json!("田中"), json!("太郎")],
        vec![json!("U0SATO0001"), json!("佐藤"), json!("花子")],
        vec![json!("U0SATO0002"), json!("佐藤"), json!("花子")],
    ];
    Directory::parse("users_json", &grid).unwrap()
}

fn accounts() -> Accounts {
    Accounts::new(
        id("111111111111"),
        vec![Account {
            id: id("123456789012"),
            alias: Some("本番".into()),
        }],
    )
}

fn settings() -> IssueSettings {
    IssueSettings::with_policies(
        parse_policies(
            "読み取り=arn:aws:iam::aws:policy/ReadOnlyAccess,S3バックアップ=arn:aws:iam::{account}:policy/s3-backup",
        )
        .unwrap(),
        "/",
    )
}

fn protected() -> Vec<ProtectedUser> {
    vec![
        ProtectedUser::parse("admin").unwrap(),
        ProtectedUser::parse("111111111111:ci-deploy").unwrap(),
    ]
}

/// The requests of `rows` on TODAY, with the fixtures above.
fn check_rows(rows: &[Form]) -> Vec<(usize, Result<ValidRequest, Vec<RequestProblem>>, Step)> {
    let t = table(rows);
    let (settings, accounts, directory, protected) =
        (settings(), accounts(), directory(), protected());
    let ctx = Context {
        today: date(TODAY),
        settings: &settings,
        accounts: &accounts,
        directory: &directory,
        protected: &protected,
    };
    requests(&t, &ctx)
        .into_iter()
        .map(|r| (r.row.row, r.verdict, r.step))
        .collect()
}

fn one(form: Form) -> (Result<ValidRequest, Vec<RequestProblem>>, Step) {
    let mut got = check_rows(&[form]);
    assert_eq!(got.len(), 1, "one request");
    let (_, verdict, step) = got.remove(0);
    (verdict, step)
}

fn problems(form: Form) -> Vec<String> {
    let (verdict, step) = one(form);
    assert_eq!(step, Step::Refused);
    verdict.unwrap_err().iter().map(|p| p.to_string()).collect()
}

/// `承認待ち`/`承認済み` … for the ID of the default form.
fn record(state: IssueState, request: &str) -> String {
    IssueRecord::new(state, RequestId::parse(request).unwrap()).to_cell()
}

/// The ID of [`Form::new`], computed with Python's hashlib from its six lines.
const FORM_ID: &str = "req-368e9d298eea46e1";

fn admin() -> SlackUserId {
    SlackUserId::parse("U0ADMIN02").unwrap()
}

#[test]
fn a_form_row_is_a_request_and_a_recorded_key_is_not() {
    let with = |status: &'static str, key: &'static str| Form {
        status,
        key,
        ..Form::new()
    };
    let rows = [
        with("", ""),
        with("申請中", ""),
        with(" 申請中 ", ""),
        with("", "AKIAIOSFODNN7EXAMPLE"),
        with("却下", ""),
        with("削除済み", ""),
        with("延長", ""),
        with("利用中", ""),
    ];
    let t = table(&rows);
    let shaped: Vec<bool> = t.rows.iter().map(is_request).collect();
    assert_eq!(
        shaped,
        [true, true, true, false, false, false, false, false]
    );
}

#[test]
fn a_valid_request_carries_what_it_asks_for_and_its_id() {
    let (verdict, step) = one(Form::new());
    let v = verdict.unwrap();
    assert_eq!(step, Step::AskApproval);
    assert_eq!(
        v.id.as_str(),
        FORM_ID,
        "the entry's name as configured, not as typed"
    );
    assert_eq!(v.account.id, id("123456789012"));
    assert_eq!(v.user.as_str(), "tanaka-s3");
    assert_eq!(v.owner.as_str(), "U0TANAKA01");
    assert_eq!(v.entry.name, "読み取り");
    assert_eq!(v.policy_arn, "arn:aws:iam::aws:policy/ReadOnlyAccess");
    assert_eq!(
        (v.start, v.end),
        (Some(date("2026-12-01")), date("2027-03-31"))
    );
    // `{account}` becomes the row's account; no start date: an empty line in the ID.
    let (verdict, _) = one(Form {
        permissions: "ｓ３バックアップ",
        start: String::new(),
        account: "",
        status: "申請中",
        ..Form::new()
    });
    let v = verdict.unwrap();
    assert_eq!(v.account.id, id("111111111111"), "home account");
    assert_eq!(v.policy_arn, "arn:aws:iam::111111111111:policy/s3-backup");
    assert_eq!(v.start, None);
    assert_eq!(
        v.id,
        request_id(
            &id("111111111111"),
            "tanaka-s3",
            &SlackUserId::parse("U0TANAKA01").unwrap(),
            "S3バックアップ",
            None,
            date("2027-03-31")
        )
    );
}

#[test]
fn each_invalid_cell_is_named_with_what_to_fix() {
    let cases: Vec<(Form, &str)> = vec![
        (
            Form {
                owner: "",
                ..Form::new()
            },
            "B2 (氏名): empty: write the key owner's full name",
        ),
        (
            Form {
                owner: "山田 一郎",
                ..Form::new()
            },
            "B2 (氏名): \"山田 一郎\" is not in users_json",
        ),
        (
            Form {
                owner: "佐藤　花子",
                ..Form::new()
            },
            "B2 (氏名): \"佐藤　花子\" is more than one person in users_json (U0SATO0001, U0SATO0002)",
        ),
        (
            Form {
                user: "",
                ..Form::new()
            },
            "J2 (アカウント名): empty: write the name of the IAM user to create",
        ),
        (
            Form {
                user: "田中",
                ..Form::new()
            },
            "J2 (アカウント名): \"田中\" is not an IAM user name",
        ),
        (
            Form {
                permissions: "",
                ..Form::new()
            },
            "F2 (必要な権限): empty: write one of: 読み取り, S3バックアップ",
        ),
        (
            Form {
                permissions: "arn:aws:iam::aws:policy/AdministratorAccess",
                ..Form::new()
            },
            // Shortened: a cell may hold a novel.
            "F2 (必要な権限): \"arn:aws:iam::aws:policy/AdministratorAcc…\" is not one of the \
             permissions keywarden may grant: write one of: 読み取り, S3バックアップ",
        ),
        (
            Form {
                permissions: "読み取り, S3バックアップ",
                ..Form::new()
            },
            "F2 (必要な権限): names 2 entries (読み取り, S3バックアップ): a request grants one",
        ),
        (
            Form {
                end: String::new(),
                ..Form::new()
            },
            "I2 (アクセスキー利用終了日): empty: write the end date",
        ),
        (
            Form {
                end: "来年".into(),
                ..Form::new()
            },
            "I2 (アクセスキー利用終了日): \"来年\" is not a date",
        ),
        (
            Form {
                start: "2026/13/1".into(),
                ..Form::new()
            },
            "H2 (アクセスキー利用開始日): \"2026/13/1\" is not a calendar date",
        ),
        (
            Form {
                start: String::new(),
                end: TODAY.into(),
                ..Form::new()
            },
            "I2 (アクセスキー利用終了日): 2026-11-20 is not after today (2026-11-20): write a \
             later end date",
        ),
        (
            Form {
                end: "2026/11/30".into(),
                ..Form::new()
            },
            "I2 (アクセスキー利用終了日): 2026-11-30 is before the start date 2026-12-01",
        ),
        (
            Form {
                end: "2027/12/2".into(),
                ..Form::new()
            },
            "I2 (アクセスキー利用終了日): 2027-12-02 is more than 365 days after the start date \
             (2026-12-01): write 2027-12-01 or earlier (KEYWARDEN_MAX_ISSUE_DAYS)",
        ),
        (
            Form {
                start: String::new(),
                end: "2027/11/21".into(),
                ..Form::new()
            },
            "I2 (アクセスキー利用終了日): 2027-11-21 is more than 365 days after today \
             (2026-11-20): write 2027-11-20 or earlier",
        ),
        (
            Form {
                account: "999999999999",
                ..Form::new()
            },
            "M2 (AWSアカウント): account 999999999999 is not one keywarden may act in",
        ),
        (
            Form {
                user: "Admin",
                ..Form::new()
            },
            "J2 (アカウント名): \"Admin\" is a protected user (KEYWARDEN_PROTECTED_USERS)",
        ),
        (
            Form {
                user: "ci-deploy",
                account: "",
                ..Form::new()
            },
            "J2 (アカウント名): \"ci-deploy\" is a protected user",
        ),
        (
            Form {
                cell: "承認".into(),
                ..Form::new()
            },
            "N2 (発行申請): \"承認\" was not written by keywarden: clear the cell",
        ),
    ];
    for (form, expected) in cases {
        let got = problems(form);
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(
            got[0].starts_with(expected),
            "{got:?}\nexpected: {expected}"
        );
    }
    // A user protected in another account only is not protected here.
    assert!(
        one(Form {
            user: "ci-deploy",
            ..Form::new()
        })
        .0
        .is_ok()
    );
    // Every problem of a row at once.
    let all = problems(Form {
        owner: "",
        user: "",
        permissions: "",
        end: String::new(),
        ..Form::new()
    });
    assert_eq!(all.len(), 4, "{all:?}");
}

#[test]
fn the_japanese_texts_name_the_cell_and_the_fix() {
    let (verdict, _) = one(Form {
        permissions: "管理者",
        end: "2026/11/1".into(),
        start: String::new(),
        ..Form::new()
    });
    let ja: Vec<String> = verdict
        .unwrap_err()
        .iter()
        .map(|p| p.words(Lang::Ja))
        .collect();
    assert_eq!(
        ja,
        [
            "F2（必要な権限）: 「管理者」は keywarden が付与できる権限ではありません: 次のいずれかを記入してください: 読み取り、S3バックアップ",
            "I2（アクセスキー利用終了日）: 2026-11-01 は今日（2026-11-20）より後ではありません: より後の利用終了日を記入してください",
        ]
    );
}

#[test]
fn a_sheet_without_a_permissions_column_refuses_every_request() {
    let mut grid: Vec<Vec<Value>> = vec![header(), Form::new().cells()];
    grid[0][5] = json!("メモ");
    let t = RequestTable::parse("s", &grid).unwrap();
    let (settings, accounts, directory) = (settings(), accounts(), directory());
    let ctx = Context {
        today: date(TODAY),
        settings: &settings,
        accounts: &accounts,
        directory: &directory,
        protected: &[],
    };
    let got = requests(&t, &ctx);
    let problems = got[0].verdict.clone().unwrap_err();
    assert_eq!(
        problems[0].to_string(),
        "必要な権限: the sheet has no 必要な権限 column: add it to row 1 and write one of: \
         読み取り, S3バックアップ"
    );
    // `権限` is accepted as well.
    grid[0][5] = json!("権限");
    let t = RequestTable::parse("s", &grid).unwrap();
    assert!(requests(&t, &ctx)[0].verdict.is_ok());
}

#[test]
fn another_live_row_of_the_same_account_takes_the_name() {
    let ordinary = |user: &'static str, account: &'static str, status: &'static str| Form {
        user,
        account,
        status,
        key: "AKIAIOSFODNN7EXAMPLE",
        ..Form::new()
    };
    let request = Form::new(); // tanaka-s3 in 本番 (123456789012)
    let cases: Vec<(Form, Option<Vec<usize>>)> = vec![
        // Same name (IAM ignores case), same account: taken.
        (ordinary("TANAKA-S3", "123456789012", ""), Some(vec![3])),
        (ordinary("tanaka-s3", "本番", "延長"), Some(vec![3])),
        // A row naming no allowed account claims its user in every account.
        (ordinary("tanaka-s3", "999999999999", ""), Some(vec![3])),
        // Another account, a deleted row, a rejected request: free.
        (ordinary("tanaka-s3", "", ""), None),
        (ordinary("tanaka-s3", "本番", "削除済み"), None),
        (
            Form {
                status: "却下",
                ..Form::new()
            },
            None,
        ),
    ];
    for (other, taken) in cases {
        let got = check_rows(&[request.clone(), other]);
        match taken {
            None => assert!(got[0].1.is_ok(), "{:?}", got[0].1),
            Some(rows) => {
                let problems = got[0].1.clone().unwrap_err();
                assert_eq!(
                    problems[0].kind,
                    RequestProblemKind::NamedByOtherRows { rows }
                );
                assert!(
                    problems[0].to_string().starts_with(
                        "J2 (アカウント名): row 3 of the same AWS account also names this user"
                    ),
                    "{problems:?}"
                );
            }
        }
    }
    // Two requests for one name: both refused, each naming the other.
    let got = check_rows(&[request.clone(), request.clone()]);
    assert_eq!(got.len(), 2);
    for (row, verdict, step) in got {
        assert_eq!(step, Step::Refused);
        let other = if row == 2 { 3 } else { 2 };
        assert_eq!(
            verdict.unwrap_err()[0].kind,
            RequestProblemKind::NamedByOtherRows { rows: vec![other] }
        );
    }
}

#[test]
fn the_step_follows_the_cell_and_the_current_id() {
    let other = "req-0000000000000000";
    let approved = |r: &str| {
        record(
            IssueState::Approved {
                by: admin(),
                on: date("2026-11-19"),
            },
            r,
        )
    };
    let cases: Vec<(String, &str, Step)> = vec![
        (String::new(), "2026/12/1", Step::AskApproval),
        (
            record(IssueState::Pending, FORM_ID),
            "2026/12/1",
            Step::Pending,
        ),
        (record(IssueState::Pending, other), "2026/12/1", Step::Stale),
        (approved(FORM_ID), "2026/12/1", Step::NotYet),
        (approved(other), "2026/12/1", Step::Stale),
        (
            record(
                IssueState::Rejected {
                    by: admin(),
                    on: date("2026-11-19"),
                },
                FORM_ID,
            ),
            "2026/12/1",
            Step::Rejected,
        ),
        (
            record(
                IssueState::Issued {
                    on: date("2026-11-19"),
                },
                other,
            ),
            "2026/12/1",
            Step::Done,
        ),
    ];
    for (cell, start, step) in cases {
        let (_, got) = one(Form {
            cell: cell.clone(),
            start: start.into(),
            ..Form::new()
        });
        assert_eq!(got, step, "{cell}");
    }
    // Approved, and its start date has come (today, or earlier, or none): issue. The ID is
    // that of the cells as they are now, so the start date is part of it.
    for start in [TODAY, "2026/11/1", ""] {
        let form = Form {
            start: start.into(),
            ..Form::new()
        };
        let current = one(form.clone()).0.unwrap().id;
        let (_, got) = one(Form {
            cell: approved(current.as_str()),
            ..form
        });
        assert_eq!(got, Step::Issue, "start {start:?}");
    }
    // An issued or rejected request keeps its step when its cells no longer read.
    let (verdict, got) = one(Form {
        owner: "",
        cell: record(
            IssueState::Issued {
                on: date("2026-11-19"),
            },
            FORM_ID,
        ),
        ..Form::new()
    });
    assert!(verdict.is_err());
    assert_eq!(got, Step::Done);
}

#[test]
fn what_only_iam_and_users_json_can_tell_is_added_by_the_caller() {
    let t = table(&[Form::new()]);
    let (settings, accounts, directory) = (settings(), accounts(), directory());
    let ctx = Context {
        today: date(TODAY),
        settings: &settings,
        accounts: &accounts,
        directory: &directory,
        protected: &[],
    };
    let fresh = || requests(&t, &ctx).remove(0);
    // A user created for this very request (an interrupted issuance): still valid.
    let mut r = fresh();
    r.user_exists(Some(FORM_ID));
    assert_eq!(r.step, Step::AskApproval);
    // Anybody else's user of that name: refused.
    for tag in [None, Some("req-0000000000000000")] {
        let mut r = fresh();
        r.user_exists(tag);
        assert_eq!(r.step, Step::Refused);
        assert_eq!(
            r.verdict.unwrap_err()[0].to_string(),
            "J2 (アカウント名): an IAM user \"tanaka-s3\" already exists in 本番 (123456789012) \
             and was not created for this request: choose another name"
        );
    }
    // The reader needs the owner's e-mail.
    let mut r = fresh();
    r.check_reader(&settings, None);
    assert_eq!(r.step, Step::AskApproval, "no reader configured");
    let mut settings = settings.clone();
    settings.reader = Some(
        super::super::ReaderPattern::parse(
            "arn:aws:sts::{account}:assumed-role/AWSReservedSSO_*/{email}",
        )
        .unwrap(),
    );
    let mut r = fresh();
    r.check_reader(&settings, Some("t.tanaka@example.com"));
    assert_eq!(r.step, Step::AskApproval);
    let mut r = fresh();
    r.check_reader(&settings, None);
    assert_eq!(r.step, Step::Refused);
    let problem = &r.verdict.unwrap_err()[0];
    assert_eq!(problem.cell, "B2");
    assert_eq!(
        problem.kind,
        RequestProblemKind::OwnerEmail(ReaderProblem::NoEmail)
    );
    // Refusing a request already issued changes nothing of its step.
    let issued = table(&[Form {
        cell: record(
            IssueState::Issued {
                on: date("2026-11-19"),
            },
            FORM_ID,
        ),
        ..Form::new()
    }]);
    let ctx = Context {
        today: date(TODAY),
        settings: &settings,
        accounts: &accounts,
        directory: &directory,
        protected: &[],
    };
    let mut r = requests(&issued, &ctx).remove(0);
    r.user_exists(None);
    assert_eq!(r.step, Step::Done);
}

#[test]
fn the_sheet_keeps_the_cells_only_of_rows_that_need_them() {
    let t = table(&[
        Form::new(),
        Form {
            key: "AKIAIOSFODNN7EXAMPLE",
            ..Form::new()
        },
        Form {
            key: "AKIAIOSFODNN7EXAMPLE",
            cell: record(
                IssueState::Issued {
                    on: date("2026-11-19"),
                },
                FORM_ID,
            ),
            ..Form::new()
        },
    ]);
    assert_eq!(t.layout.permissions, Some(5));
    assert_eq!(t.layout.email, Some(3));
    assert_eq!(t.layout.issue_request, Some(13));
    let request = t.rows[0].issue.as_deref().unwrap();
    assert!(request.request_shaped);
    assert_eq!(request.permissions, "読み取り");
    assert_eq!(request.email, "tanaka@example.com");
    assert_eq!(request.start, Some(Ok(date("2026-12-01"))));
    assert_eq!(request.end, Some(Ok(date("2027-03-31"))));
    assert_eq!(t.rows[1].issue, None, "an ordinary row keeps nothing");
    let issued = t.rows[2].issue.as_deref().unwrap();
    assert!(!issued.request_shaped);
    assert_eq!(issued.request, format!("発行済み {FORM_ID} 2026-11-19"));
    assert_eq!(issued.permissions, "", "read for requests only");
    // What existing code sees is unchanged: a request's empty key still makes it unusable
    // for the decisions of an ordinary row.
    assert!(t.rows[0].valid().is_err());
    assert!(t.rows[1].valid().is_ok());
    assert_eq!(
        t.rows[0].aws_account_cell(),
        AccountCell::Text("本番".into())
    );
}

/// The form's account cell, owner, user and permissions as the property test draws them.
const ACCOUNT_CELLS: [&str; 3] = ["", "本番", "999999999999"];
const OWNERS: [&str; 4] = ["田中 太郎", "佐藤 花子", "山田 一郎", ""];
const USERS: [&str; 5] = ["tanaka-s3", "Tanaka.S3@x", "bad name", "admin", "taken"];
const PERMISSIONS: [&str; 5] = [
    "読み取り",
    "s3バックアップ",
    "読み取り,S3バックアップ",
    "Admin",
    "",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// The rule that guards creation: a request is issued only when its `発行申請` holds
    /// `承認済み` with exactly the ID of the row's cells as they are now, the request is
    /// valid, and its start date has come; and every such request is issued.
    #[test]
    fn never_issues_unless_approved_for_the_current_cells_valid_and_due(
        // Drawn mostly valid, so that approved and valid requests are common.
        account_cell in prop::sample::select(vec![0usize, 1, 1, 2]),
        owner in prop::sample::select(vec![0usize, 0, 0, 0, 0, 1, 2, 3]),
        user in prop::sample::select(vec![0usize, 0, 1, 1, 2, 3, 4]),
        permissions in prop::sample::select(vec![0usize, 0, 1, 1, 2, 3, 4]),
        start in prop::option::of(-120i64..30),
        end in prop::option::of(-10i64..420),
        cell_kind in prop::sample::select(vec![0usize, 1, 2, 2, 2, 2, 3, 4, 5, 6, 7]),
        status in prop::sample::select(vec!["", "申請中"]),
        other_end in 1i64..30,
    ) {
        let today = date(TODAY);
        let day = |n: i64| today + chrono::Duration::days(n);
        // What the rules say, computed here from the drawn values alone.
        let account = [Some("111111111111"), Some("123456789012"), None][account_cell];
        let owner_id = [Some("U0TANAKA01"), None, None, None][owner];
        // `admin` is protected; `taken` is named by a live row of the home account.
        let user_ok = user < 2 || (user == 4 && account_cell == 1);
        let entry = [Some("読み取り"), Some("S3バックアップ"), None, None, None][permissions];
        let end_ok = end.is_some_and(|e| {
            let from = start.unwrap_or(0);
            e > 0 && e >= from && e - from <= 365
        });
        let valid = account.is_some() && owner_id.is_some() && user_ok && entry.is_some() && end_ok;
        let current = request_id(
            &id(account.unwrap_or("111111111111")),
            USERS[user],
            &SlackUserId::parse(owner_id.unwrap_or("U0TANAKA01")).unwrap(),
            entry.unwrap_or("読み取り"),
            start.map(day),
            day(end.unwrap_or(0)),
        );
        // A well-formed ID of other cells: the same request with another end date.
        let stale = request_id(
            &id(account.unwrap_or("111111111111")),
            USERS[user],
            &SlackUserId::parse(owner_id.unwrap_or("U0TANAKA01")).unwrap(),
            entry.unwrap_or("読み取り"),
            start.map(day),
            day(end.unwrap_or(0) + other_end),
        );
        let approved = |r: &RequestId| IssueRecord::new(
            IssueState::Approved { by: admin(), on: day(-1) },
            r.clone(),
        ).to_cell();
        let cell = match cell_kind {
            0 => String::new(),
            1 => IssueRecord::new(IssueState::Pending, current.clone()).to_cell(),
            2 => approved(&current),
            3 => approved(&stale),
            4 => IssueRecord::new(IssueState::Rejected { by: admin(), on: day(-1) }, current.clone()).to_cell(),
            5 => IssueRecord::new(IssueState::Issued { on: day(-1) }, current.clone()).to_cell(),
            6 => "承認済み".to_string(),
            _ => format!("承認済み {current}"),
        };
        let iso = |n: Option<i64>| n.map(|n| day(n).format("%Y/%m/%d").to_string()).unwrap_or_default();
        let form = Form {
            owner: OWNERS[owner],
            user: USERS[user],
            permissions: PERMISSIONS[permissions],
            start: iso(start),
            end: iso(end),
            status,
            key: "",
            account: ACCOUNT_CELLS[account_cell],
            cell,
        };
        let holder = Form {
            user: "taken",
            key: "AKIAIOSFODNN7EXAMPLE",
            account: "",
            ..Form::new()
        };
        let got = check_rows(&[form, holder]);
        prop_assert_eq!(got.len(), 1);
        let (_, verdict, step) = &got[0];
        let due = start.is_none_or(|s| s <= 0);
        if *step == Step::Issue {
            prop_assert_eq!(cell_kind, 2, "approved for the current cells");
            prop_assert!(valid && due);
            prop_assert_eq!(&verdict.as_ref().unwrap().id, &current);
        }
        if cell_kind == 2 && valid && due {
            prop_assert_eq!(*step, Step::Issue);
        }
        prop_assert_eq!(verdict.is_ok(), valid && cell_kind != 6 && cell_kind != 7);
    }
}
