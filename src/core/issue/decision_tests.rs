//! Tests of the parent module: clicks ruled on against request sheets as the API gives them.
use super::*;
use crate::core::domain::{Account, Accounts, AwsAccountId, ProtectedUser};
use crate::core::issue::settings::{IssueSettings, parse_policies};
use crate::core::sheet::{Directory, ORIGINAL_LAYOUT, RequestTable};
use crate::core::words::Lang;
use serde_json::{Value, json};

const TODAY: &str = "2026-11-20";
/// The ID of [`form`]'s request (the same six cells as the request tests' form).
const ID: &str = "req-368e9d298eea46e1";
const OWNER: &str = "U0TANAKA01";
const ADMIN: &str = "U0ADMIN02";
const FILER: &str = "U0ADMIN03";

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn slack(s: &str) -> SlackUserId {
    SlackUserId::parse(s).unwrap()
}

fn rid(s: &str) -> RequestId {
    RequestId::parse(s).unwrap()
}

fn copies() -> Vec<ApprovalCopy> {
    vec![
        ApprovalCopy {
            channel: "DU0ADMIN02".into(),
            ts: "1700000000.000101".into(),
        },
        ApprovalCopy {
            channel: "DU0ADMIN03".into(),
            ts: "1700000000.000102".into(),
        },
    ]
}

fn pending(id: &str) -> String {
    IssueRecord {
        state: IssueState::Pending,
        id: rid(id),
        copies: copies(),
    }
    .to_cell()
}

/// A form row (A..L), its `AWSアカウント` (M) and `発行申請` (N).
fn form(cell: &str) -> Vec<Value> {
    vec![
        json!(46000),
        json!("田中 太郎"),
        json!("S3 backup"),
        json!("sato@example.com"),
        json!("S3"),
        json!("読み取り"),
        json!(46000),
        json!("2026/12/1"),
        json!("2027/3/31"),
        json!("tanaka-s3"),
        json!(""),
        json!(""),
        json!("本番"),
        json!(cell),
    ]
}

fn table(rows: Vec<Vec<Value>>) -> RequestTable {
    let mut header: Vec<Value> = ORIGINAL_LAYOUT.iter().map(|s| json!(s)).collect();
    header.push(json!("AWSアカウント"));
    header.push(json!("発行申請"));
    let mut grid = vec![header];
    grid.extend(rows);
    RequestTable::parse("key_request_form", &grid).unwrap()
}

struct World {
    settings: IssueSettings,
    accounts: Accounts,
    directory: Directory,
    protected: Vec<ProtectedUser>,
}

impl World {
    fn new() -> World {
        let grid = vec![
            vec![
                json!("id"),
                json!("last_name"),
                json!("first_name"),
                json!("real_name"),
                json!("email"),
            ],
            vec![
                json!(OWNER),
                json!("田中"),
                json!("太郎"),
                json!(""),
                json!("tanaka@example.com"),
            ],
            vec![
                json!(ADMIN),
                json!("鈴木"),
                json!("一郎"),
                json!(""),
                json!("suzuki@example.com"),
            ],
            vec![
                json!(FILER),
                json!("佐藤"),
                json!("花子"),
                json!(""),
                json!("Sato@Example.com"),
            ],
        ];
        World {
            settings: IssueSettings::with_policies(
                parse_policies("読み取り=arn:aws:iam::aws:policy/ReadOnlyAccess").unwrap(),
                "/",
            ),
            accounts: Accounts::new(
                AwsAccountId::parse("111111111111").unwrap(),
                vec![Account {
                    id: AwsAccountId::parse("123456789012").unwrap(),
                    alias: Some("本番".into()),
                }],
            ),
            directory: Directory::parse("users_json", &grid).unwrap(),
            protected: Vec::new(),
        }
    }

    fn ctx(&self, today: &str) -> Context<'_> {
        Context {
            today: date(today),
            settings: &self.settings,
            accounts: &self.accounts,
            directory: &self.directory,
            protected: &self.protected,
        }
    }
}

fn admins() -> Vec<SlackUserId> {
    [OWNER, ADMIN, FILER].into_iter().map(slack).collect()
}

fn click<'a>(id: &'a RequestId, by: &'a SlackUserId, approve: bool) -> Click<'a> {
    Click { id, by, approve }
}

/// Rules `by`'s click for [`ID`] on `rows`.
fn rule_on(
    rows: Vec<Vec<Value>>,
    by: &str,
    approve: bool,
) -> Result<(usize, IssueRecord, Option<&'static str>), DecisionRefusal> {
    let t = table(rows);
    let world = World::new();
    let (id, by) = (rid(ID), slack(by));
    rule(&t, &world.ctx(TODAY), &admins(), click(&id, &by, approve))
        .map(|r| (r.row.row, r.record, r.status))
}

#[test]
fn the_form_has_the_documented_id() {
    let t = table(vec![form("")]);
    let world = World::new();
    let all = requests(&t, &world.ctx(TODAY));
    assert_eq!(all[0].verdict.as_ref().unwrap().id.as_str(), ID);
}

#[test]
fn an_approval_records_the_approver_and_today_and_keeps_the_copies() {
    let (row, record, status) = rule_on(vec![form(&pending(ID))], ADMIN, true).unwrap();
    assert_eq!(row, 2);
    assert_eq!(status, None, "an approval leaves the status alone");
    assert_eq!(
        record.to_cell(),
        "承認済み req-368e9d298eea46e1 U0ADMIN02 2026-11-20\n\
         承認依頼: DU0ADMIN02/1700000000.000101 DU0ADMIN03/1700000000.000102"
    );
}

#[test]
fn a_rejection_writes_kyakka_into_both_cells() {
    let (_, record, status) = rule_on(vec![form(&pending(ID))], ADMIN, false).unwrap();
    assert_eq!(status, Some("却下"));
    assert!(
        record
            .to_cell()
            .starts_with("却下 req-368e9d298eea46e1 U0ADMIN02 2026-11-20\n承認依頼: "),
        "{}",
        record.to_cell()
    );
}

#[test]
fn the_ruling_names_the_request_and_the_event() {
    let t = table(vec![form(&pending(ID))]);
    let world = World::new();
    let (id, by) = (rid(ID), slack(ADMIN));
    let ruling = rule(&t, &world.ctx(TODAY), &admins(), click(&id, &by, true)).unwrap();
    assert_eq!(ruling.request.owner, slack(OWNER));
    assert_eq!(ruling.request.user.as_str(), "tanaka-s3");
    assert_eq!(ruling.copies(), copies().as_slice());
    assert_eq!(ruling.event.log_action(), "issue_approve");
    assert_eq!(
        ruling.event.words(Lang::En),
        "key request req-368e9d298eea46e1 approved by U0ADMIN02 on 2026-11-20"
    );
    assert_eq!(
        ruling.event.words(Lang::Ja),
        "キー発行申請 req-368e9d298eea46e1 を U0ADMIN02 が 2026-11-20 に承認しました"
    );
    let by = slack(ADMIN);
    let rejected = rule(&t, &world.ctx(TODAY), &admins(), click(&id, &by, false)).unwrap();
    assert_eq!(rejected.event.log_action(), "issue_reject");
    assert!(rejected.event.words(Lang::Ja).ends_with("に却下しました"));
}

#[test]
fn only_administrators_decide() {
    assert_eq!(
        rule_on(vec![form(&pending(ID))], "U0STRANGER", true),
        Err(DecisionRefusal::NotAdmin)
    );
    assert_eq!(
        may_decide(&slack("U0STRANGER"), &admins()),
        Err(DecisionRefusal::NotAdmin)
    );
    assert_eq!(may_decide(&slack(ADMIN), &admins()), Ok(()));
}

#[test]
fn neither_the_owner_nor_the_filer_decides() {
    for approve in [true, false] {
        assert_eq!(
            rule_on(vec![form(&pending(ID))], OWNER, approve),
            Err(DecisionRefusal::Owner { row: 2 })
        );
        // メールアドレス is sato@example.com; users_json has Sato@Example.com for FILER.
        let refusal = rule_on(vec![form(&pending(ID))], FILER, approve).unwrap_err();
        assert_eq!(
            refusal,
            DecisionRefusal::Filer {
                row: 2,
                email: "sato@example.com".into()
            }
        );
        assert!(
            refusal.to_string().contains("自分が出した申請"),
            "{refusal}"
        );
    }
    // Without the e-mail column's text, nobody is taken for the filer.
    let mut row = form(&pending(ID));
    row[3] = json!("");
    assert!(rule_on(vec![row], FILER, true).is_ok());
}

#[test]
fn a_row_edited_since_the_request_is_stale() {
    // The end date changed: the cells give another ID than the buttons carry.
    let mut row = form(&pending(ID));
    row[8] = json!("2027/3/30");
    assert_eq!(
        rule_on(vec![row], ADMIN, true),
        Err(DecisionRefusal::Stale(Stale::Edited { row: 2 }))
    );
    // No row is about this ID at all (asked again under a new ID, or deleted).
    assert_eq!(
        rule_on(vec![form(&pending("req-0000000000000000"))], ADMIN, true),
        Err(DecisionRefusal::Stale(Stale::NoRow))
    );
    assert_eq!(
        rule_on(vec![form("")], ADMIN, true),
        Err(DecisionRefusal::Stale(Stale::NoRow))
    );
    // A key typed in by hand: no longer a request.
    let mut row = form(&pending(ID));
    row[11] = json!("AKIAIOSFODNN7EXAMPLE");
    assert_eq!(
        rule_on(vec![row], ADMIN, true),
        Err(DecisionRefusal::Stale(Stale::NotARequest { row: 2 }))
    );
}

#[test]
fn the_row_is_found_by_its_id_wherever_it_moved() {
    let mut other = form("");
    other[9] = json!("sato-ci");
    other[1] = json!("佐藤 花子");
    let rows = vec![other.clone(), other, form(&pending(ID))];
    let (row, _, _) = rule_on(rows, ADMIN, true).unwrap();
    assert_eq!(row, 4);
}

#[test]
fn a_decided_request_is_not_decided_again() {
    let decided = |state: IssueState| {
        IssueRecord {
            state,
            id: rid(ID),
            copies: copies(),
        }
        .to_cell()
    };
    let on = date("2026-11-19");
    let mut rejected = form(&decided(IssueState::Rejected {
        by: slack(FILER),
        on,
    }));
    rejected[10] = json!("却下");
    for (row, state) in [
        (
            form(&decided(IssueState::Approved {
                by: slack(FILER),
                on,
            })),
            IssueState::Approved {
                by: slack(FILER),
                on,
            },
        ),
        (
            rejected,
            IssueState::Rejected {
                by: slack(FILER),
                on,
            },
        ),
        (
            form(&decided(IssueState::Issued { on })),
            IssueState::Issued { on },
        ),
    ] {
        for approve in [true, false] {
            let refusal = rule_on(vec![row.clone()], ADMIN, approve).unwrap_err();
            assert_eq!(
                refusal,
                DecisionRefusal::Decided {
                    row: 2,
                    state: state.clone()
                }
            );
            assert!(refusal.to_string().contains("何も変更していません"));
        }
    }
    let refusal = rule_on(
        vec![form(&decided(IssueState::Approved {
            by: slack(FILER),
            on,
        }))],
        ADMIN,
        false,
    )
    .unwrap_err();
    assert_eq!(
        refusal.to_string(),
        "この申請（2行目）は U0ADMIN03 が 2026-11-19 に承認済みです。何も変更していません。"
    );
}

#[test]
fn two_rows_pending_for_one_id_are_refused() {
    let refusal = rule_on(vec![form(&pending(ID)), form(&pending(ID))], ADMIN, true).unwrap_err();
    assert_eq!(
        refusal,
        DecisionRefusal::SeveralRows {
            id: rid(ID),
            rows: vec![2, 3]
        }
    );
}

#[test]
fn an_invalid_request_is_not_decided_and_the_cell_to_fix_is_named() {
    // The end date passed while the request waited.
    let t = table(vec![form(&pending(ID))]);
    let world = World::new();
    let (id, by) = (rid(ID), slack(ADMIN));
    let refusal = rule(
        &t,
        &world.ctx("2027-04-01"),
        &admins(),
        click(&id, &by, true),
    )
    .unwrap_err();
    let DecisionRefusal::Invalid { row, problems } = &refusal else {
        panic!("{refusal:?}");
    };
    assert_eq!(*row, 2);
    assert!(
        problems.starts_with("I2（アクセスキー利用終了日）"),
        "{problems}"
    );
}

#[test]
fn a_request_the_run_would_refuse_for_the_owners_email_is_not_decided() {
    // KEYWARDEN_ISSUE_READER names the owner by e-mail, and users_json has none for them.
    let t = table(vec![form(&pending(ID))]);
    let mut world = World::new();
    world.settings.reader = Some(
        crate::core::issue::ReaderPattern::parse(
            "arn:aws:sts::{account}:assumed-role/AWSReservedSSO_*/{email}",
        )
        .unwrap(),
    );
    let grid = vec![
        vec![json!("id"), json!("last_name"), json!("first_name")],
        vec![json!(OWNER), json!("田中"), json!("太郎")],
    ];
    world.directory = Directory::parse("users_json", &grid).unwrap();
    let (id, by) = (rid(ID), slack(ADMIN));
    let refusal = rule(&t, &world.ctx(TODAY), &admins(), click(&id, &by, true)).unwrap_err();
    let DecisionRefusal::Invalid { problems, .. } = &refusal else {
        panic!("{refusal:?}");
    };
    assert!(problems.starts_with("B2（氏名）"), "{problems}");
}
