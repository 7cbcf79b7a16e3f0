//! The administrators' summary is wholly Japanese: every outcome rendered in `Lang::Ja` holds
//! no English sentence outside a quoted service message, and the report's English is untouched.

use std::collections::BTreeSet;

use super::*;
use crate::core::domain::{AwsAccountId, DateError, IdError};
use crate::core::extension::record::PendingRequest;
use crate::core::fixtures::{date, key, user};
use crate::core::sheet::{DirectoryProblemKind, Needed, Problem};
use crate::core::teardown::Refusal;

fn slack(s: &str) -> SlackUserId {
    SlackUserId::parse(s).unwrap()
}
const K: &str = "AKIAIOSFODNN7EXAMPLE";
/// An English service message, as IAM, Google or Slack word them.
const SERVICE: &str =
    "User: arn:aws:iam::123456789012:user/keywarden is not authorized to perform this action";

fn steps() -> Vec<Step> {
    vec![
        Step::TagForTeardown(key(K)),
        Step::DeleteLoginProfile,
        Step::DeleteAccessKey(key(K)),
        Step::DeleteSigningCertificate("CERTID".into()),
        Step::DeleteSshPublicKey("APKAEXAMPLE".into()),
        Step::DeleteServiceSpecificCredential("ACCAEXAMPLE".into()),
        Step::DeactivateMfaDevice("arn:aws:iam::123456789012:mfa/sato".into()),
        Step::DeleteVirtualMfaDevice("arn:aws:iam::123456789012:mfa/sato".into()),
        Step::DeleteInlinePolicy("s3-read".into()),
        Step::DetachPolicy("arn:aws:iam::aws:policy/ReadOnlyAccess".into()),
        Step::RemoveFromGroup("developers".into()),
        Step::DeleteUser,
        Step::DeleteOwnPolicy("sato-ci".into()),
        Step::UntagTeardown(key(K)),
        Step::DeleteIssuedSecret {
            secret: "keywarden/sato-ci".into(),
            request: "req-368e9d298eea46e1".into(),
        },
    ]
}

fn cell_problems() -> Vec<CellProblem> {
    let account = |why| {
        Problem::Account(crate::core::domain::CellAccountProblem {
            why,
            allowed: (0..12).map(|i| format!("{i:012}")).collect(),
        })
    };
    use crate::core::domain::AccountWhy;
    [
        Problem::Empty(Needed::Owner),
        Problem::Empty(Needed::User),
        Problem::Empty(Needed::Key),
        Problem::Empty(Needed::End),
        Problem::Id(IdError::IamUserName("has space".into())),
        Problem::Id(IdError::AccessKeyId("akia".into())),
        Problem::Date(DateError::Serial("30".into())),
        Problem::Date(DateError::NotText("true".into())),
        Problem::Date(DateError::Unreadable("next week".into())),
        Problem::Date(DateError::NoSuchDay {
            text: "2026/13/01".into(),
            month: 13,
            day: 1,
        }),
        Problem::EndBeforeStart {
            end: date("2025-11-29"),
            start: date("2026-09-01"),
            start_cell: "H2".into(),
        },
        account(AccountWhy::NumberNotAnId("12345".into())),
        account(AccountWhy::NotAnId("1234-5678".into())),
        account(AccountWhy::Neither("prod account".into())),
        account(AccountWhy::NotAllowed(
            AwsAccountId::parse("999999999999").unwrap(),
        )),
        Problem::OtherAccount,
    ]
    .into_iter()
    .map(|problem| CellProblem {
        cell: "I2".into(),
        header: "アクセスキー利用終了日",
        problem,
    })
    .collect()
}

fn refusals() -> Vec<Refusal> {
    vec![
        Refusal::Protected,
        Refusal::OutsidePath {
            path: "/system/".into(),
            prefix: "/".into(),
        },
        Refusal::KeyMismatch {
            sheet_key: key(K),
            iam_keys: vec![key("AKIAOTHER00000000001")],
        },
        Refusal::TwoRowsClaim {
            key: key(K),
            rows: vec![3, 7],
        },
        Refusal::NotTagged {
            user: user("sato-ci"),
            sheet_key: key(K),
        },
        Refusal::KeyElsewhere {
            user: user("sato-ci"),
            sheet_key: key(K),
            owner: user("tanaka-s3"),
        },
        Refusal::KeyOwnerUnknown {
            user: user("sato-ci"),
            sheet_key: key(K),
            error: SERVICE.into(),
        },
    ]
}

fn dm_failures() -> Vec<DmFailure> {
    vec![
        DmFailure::Unreachable("channel_not_found".into()),
        DmFailure::Failed("invalid_auth (check SLACK_BOT_TOKEN)".into()),
        DmFailure::OutOfTime,
    ]
}

/// Every reason a key request's cells were not written.
fn unwritten() -> Vec<Unwritten> {
    vec![
        Unwritten::Miss(Miss::Gone),
        Unwritten::Miss(Miss::Moved("却下 req-0".into())),
        Unwritten::Sheet(NotWrittenWhy::WriteFailed(SERVICE.into())),
        Unwritten::Off,
    ]
}

fn not_written() -> Vec<NotWrittenWhy> {
    vec![
        NotWrittenWhy::RowGone {
            account: user("sato-ci"),
            key: key(K),
        },
        NotWrittenWhy::KeyNotHeldOnce {
            key: key(K),
            rows: vec![],
        },
        NotWrittenWhy::KeyNotHeldOnce {
            key: key(K),
            rows: vec![3, 7],
        },
        NotWrittenWhy::RereadFailed(SERVICE.into()),
        NotWrittenWhy::Header(crate::core::sheet::HeaderError {
            sheet: "key_request_form".into(),
            missing: vec!["アクセスキー利用終了日 or 利用終了日".into()],
        }),
        NotWrittenWhy::ColumnsMoving,
        NotWrittenWhy::WriteFailed(SERVICE.into()),
    ]
}

/// One outcome of every kind, with every variant of what it holds.
pub(crate) fn every_outcome() -> Vec<ActionOutcome> {
    let account = Account {
        id: AwsAccountId::parse("123456789012").unwrap(),
        alias: Some("本番".into()),
    };
    let subject = Subject {
        row: Some(5),
        user: "sato-ci".into(),
        access_key_id: K.into(),
        owner: "佐藤 花子".into(),
        aws_account: Some(account.clone()),
    };
    let new = |action| ActionOutcome::new(subject.clone(), action);
    let mut all = vec![
        new(Action::Skip(Skip::Deleted)),
        new(Action::Skip(Skip::Extended)),
        new(Action::Skip(Skip::Rejected)),
        new(Action::Skip(Skip::AwaitingApproval)),
        new(Action::Skip(Skip::StartsLater(date("2026-12-01")))),
        new(Action::Unusable(cell_problems())),
    ];
    let mut teardowns = vec![
        Teardown::Refused(TeardownRefusal::Cap { due: 12, max: 10 }),
        Teardown::ReadFailed {
            error: SERVICE.into(),
        },
        Teardown::AlreadyGone { planned: true },
        Teardown::AlreadyGone { planned: false },
        Teardown::Planned { steps: steps() },
        Teardown::TornDown {
            steps: steps(),
            kept: vec![(
                Step::DeleteOwnPolicy("sato-ci".into()),
                "still attached to 2 other user(s), group(s) or role(s)".into(),
            )],
        },
        Teardown::Stopped {
            at: Step::DeleteLoginProfile,
            error: SERVICE.into(),
            user_deleted: false,
        },
        Teardown::Stopped {
            at: Step::DeleteOwnPolicy("sato-ci".into()),
            error: OUT_OF_TIME.into(),
            user_deleted: true,
        },
        Teardown::OutOfTime,
    ];
    for planned in [true, false] {
        for named in [None, Some("sato-c1".to_string())] {
            teardowns.push(Teardown::KeyOnly {
                planned,
                keeper: crate::core::proof::Keeper { row: 9, named },
            });
        }
    }
    teardowns.extend(
        refusals()
            .into_iter()
            .map(|r| Teardown::Refused(TeardownRefusal::Guard(r))),
    );
    all.extend(teardowns.into_iter().map(|t| new(Action::Teardown(t))));
    let notice = Notice {
        end: date("2026-11-29"),
        days_left: 7,
        with_button: true,
    };
    let mut dms = vec![
        Dm::Sent {
            to: slack("U0001"),
            text: "…".into(),
        },
        Dm::Composed {
            to: slack("U0001"),
            text: "…".into(),
        },
        Dm::NoOwner(OwnerProblem::NotFound {
            name: "佐藤 花子".into(),
        }),
        Dm::NoOwner(OwnerProblem::Ambiguous {
            name: "佐藤 花子".into(),
            ids: vec![slack("U0001"), slack("U0002")],
        }),
        Dm::OutOfTime { to: slack("U0001") },
    ];
    dms.extend(dm_failures().into_iter().map(|error| Dm::NotSent {
        to: slack("U0001"),
        error,
    }));
    for dm in &dms {
        all.push(new(Action::Notice {
            notice: notice.clone(),
            dm: dm.clone(),
        }));
        // The owner could not be told of a teardown: the untold line.
        let mut told = new(Action::Teardown(Teardown::AlreadyGone { planned: false }));
        told.owner_dm = Some(dm.clone());
        all.push(told);
    }
    let mut switches = vec![
        Switch::Cap { due: 30, max: 20 },
        Switch::RowUnusable(cell_problems()),
        Switch::ReadFailed {
            error: SERVICE.into(),
        },
        Switch::Planned,
        Switch::KeyGone { planned: true },
        Switch::KeyGone { planned: false },
        Switch::CannotReactivate,
        Switch::OutOfTime,
        Switch::Switched {
            grace_end: date("2026-12-06"),
        },
        Switch::Failed {
            error: SERVICE.into(),
        },
    ];
    switches.extend(refusals().into_iter().map(Switch::Refused));
    for activate in [true, false] {
        for s in &switches {
            all.push(new(Action::Switch {
                activate,
                result: s.clone(),
            }));
        }
    }
    let rotate = KeyRule::Rotate {
        age: 95,
        inactive_keys: 1,
        secret: "keywarden/sato-ci".into(),
        old_key: key(K),
    };
    let rules = [
        KeyRule::Rule(KeyAction::AgeNotify {
            age: 170,
            days_left: 10,
        }),
        KeyRule::Rule(KeyAction::AgeDelete { age: 200 }),
        KeyRule::Rule(KeyAction::Deactivate { idle: 90 }),
        KeyRule::Rule(KeyAction::Shadow),
        rotate.clone(),
        KeyRule::RecoverRotated {
            secret: "keywarden/sato-ci".into(),
            new_key: key("AKIANEW0000000000001"),
        },
    ];
    let results = [
        KeyResult::Planned,
        KeyResult::Done,
        KeyResult::Cap { due: 12, max: 10 },
        KeyResult::DeactivationCap { due: 30, max: 20 },
        KeyResult::Failed {
            error: SERVICE.into(),
        },
        KeyResult::Rotated {
            new_key: key("AKIANEW0000000000001"),
        },
        KeyResult::TwoActiveKeys {
            other: vec![key("AKIAOTHER00000000001")],
        },
        KeyResult::OutOfTime,
    ];
    for rule in &rules {
        for result in &results {
            all.push(new(Action::Key {
                rule: rule.clone(),
                result: result.clone(),
            }));
        }
    }
    for at in [
        RotationStep::DeleteInactive(key("AKIAOLD0000000000001")),
        RotationStep::CreateKey,
        RotationStep::StoreSecret { undone: true },
        RotationStep::StoreSecret { undone: false },
        RotationStep::DeactivateOld {
            new_key: key("AKIANEW0000000000001"),
        },
    ] {
        all.push(new(Action::Key {
            rule: rotate.clone(),
            result: KeyResult::RotationStopped {
                at,
                error: SERVICE.into(),
            },
        }));
    }
    let request = PendingRequest {
        id: "1764000000000".into(),
        requester: slack("U0001"),
        current_end: date("2026-11-29"),
        requested_end: date("2027-03-31"),
        requested_at: "2026-11-20T10:00:00+09:00".parse().unwrap(),
        copies: vec![],
        reason: "project extended".into(),
    };
    let mut alerts = vec![
        Alert::DuplicateKey {
            key: K.into(),
            rows: vec![3, 7],
        },
        Alert::DeletionCap { due: 12, max: 10 },
        Alert::DeactivationCap { due: 30, max: 20 },
        Alert::KeyListingFailed {
            error: SERVICE.into(),
        },
        Alert::LastUseUnconfirmed {
            user: user("sato-ci"),
            key: key(K),
            error: SERVICE.into(),
        },
        Alert::OutOfTime,
        Alert::LogNotWritten {
            sheet: "keywarden_log".into(),
            lines: 3,
            error: SERVICE.into(),
        },
        Alert::PendingExtension(PendingCell::Request(request)),
        Alert::PendingExtension(PendingCell::Unreadable("garbled text here".into())),
        Alert::AccountUnavailable {
            account: account.clone(),
            error: SERVICE.into(),
            rows: vec![3, 4],
        },
        Alert::TeardownTagKept {
            user: user("sato-ci"),
            key: key(K),
            error: SERVICE.into(),
        },
        Alert::RotatedKeyUnchecked {
            user: user("sato-ci"),
            key: key(K),
            secret: "keywarden/sato-ci".into(),
            error: SERVICE.into(),
        },
        Alert::TeardownTagKept {
            user: user("sato-ci"),
            key: key(K),
            error: OUT_OF_TIME.into(),
        },
        Alert::AccountUnavailable {
            account: account.clone(),
            error: SERVICE.into(),
            rows: vec![],
        },
    ];
    for kind in [
        DirectoryProblemKind::EmptyId {
            last: "佐藤".into(),
            first: "花子".into(),
        },
        DirectoryProblemKind::BadId("not an id".into()),
    ] {
        alerts.push(Alert::Directory(crate::core::sheet::DirectoryProblem {
            sheet: "users_json".into(),
            row: 4,
            kind,
        }));
    }
    alerts.extend(
        dm_failures()
            .into_iter()
            .map(|error| Alert::SummaryNotDelivered {
                admin: slack("U0002"),
                error,
            }),
    );
    all.extend(alerts.into_iter().map(|a| new(Action::Alert(a))));
    for kind in [ActionKind::Delete, ActionKind::Deactivate] {
        all.push(new(Action::AccountUnavailable {
            kind,
            error: SERVICE.into(),
        }));
        all.push(new(Action::WrongAccount {
            kind,
            key_account: "検証 (210987654321)".into(),
        }));
        for error in [SERVICE, NO_ROW_ACCOUNT] {
            all.push(new(Action::KeyAccountUnknown {
                kind,
                error: error.into(),
            }));
        }
    }
    // Key issuance (docs/rules.md §12).
    all.extend(issuance_outcomes().into_iter().map(new));
    // Every sheet write that did not happen.
    let changes = [
        CellChange::Deleted,
        CellChange::Notified(date("2026-11-22")),
        CellChange::Deactivated(date("2026-11-30")),
        CellChange::Reactivated {
            status: String::new(),
        },
        CellChange::KeyReplaced(key("AKIANEW0000000000001")),
    ];
    for change in changes {
        for why in not_written() {
            let mut o = new(Action::Teardown(Teardown::AlreadyGone { planned: false }));
            o.sheet = Some(SheetChange {
                row: 5,
                user: user("sato-ci"),
                key: key(K),
                change: change.clone(),
                status_read: None,
                result: Some(WriteResult::NotWritten { why }),
            });
            all.push(o);
        }
    }
    // Every status write an administrator's edit during the run held back.
    let status_changes = [
        CellChange::Deleted,
        CellChange::Deactivated(date("2026-11-30")),
        CellChange::Reactivated {
            status: String::new(),
        },
    ];
    for change in status_changes {
        for status in ["延長", "extended by hand", ""] {
            let mut o = new(Action::Teardown(Teardown::AlreadyGone { planned: false }));
            o.sheet = Some(SheetChange {
                row: 5,
                user: user("sato-ci"),
                key: key(K),
                change: change.clone(),
                status_read: Some(String::new()),
                result: Some(WriteResult::StatusKept {
                    row: 5,
                    status: status.into(),
                }),
            });
            all.push(o);
        }
    }
    all
}

/// The variant names an outcome is made of; adding a variant anywhere breaks this match, so
/// the list above must grow with it.
fn variants(o: &ActionOutcome) -> Vec<String> {
    let mut v = vec![];
    let name = |s: &dyn std::fmt::Debug| {
        format!("{s:?}")
            .split(['(', ' ', '{'])
            .next()
            .unwrap_or_default()
            .to_string()
    };
    match &o.action {
        Action::Skip(s) => v.push(format!("Skip::{s:?}")),
        Action::Unusable(p)
        | Action::Switch {
            result: Switch::RowUnusable(p),
            ..
        } => v.extend(p.iter().map(|p| format!("Problem::{}", name(&p.problem)))),
        Action::Teardown(t) => {
            v.push(format!("Teardown::{}", name(t)));
            if let Teardown::Refused(TeardownRefusal::Guard(r)) = t {
                v.push(format!("Refusal::{}", name(r)));
            }
        }
        Action::Notice { dm, .. } => v.push(format!("Dm::{}", name(dm))),
        Action::Switch { result, .. } => v.push(format!("Switch::{}", name(result))),
        Action::Key { rule, result } => {
            v.push(format!("KeyRule::{}", name(rule)));
            v.push(format!("KeyResult::{}", name(result)));
        }
        Action::Alert(a) => v.push(format!("Alert::{}", name(a))),
        Action::AccountUnavailable { .. } => v.push("Action::AccountUnavailable".into()),
        Action::WrongAccount { .. } => v.push("Action::WrongAccount".into()),
        Action::KeyAccountUnknown { .. } => v.push("Action::KeyAccountUnknown".into()),
        Action::IssueRequest(ask) => v.push(format!("Ask::{}", name(ask))),
        Action::Issue { result, .. } => v.push(format!("Issuance::{}", name(result))),
    }
    v
}

fn issuance_outcomes() -> Vec<Action> {
    use crate::core::issue::{RequestId, RequestProblem, RequestProblemKind};
    let r = RequestId::parse("req-368e9d298eea46e1").unwrap();
    let problems = vec![
        RequestProblem {
            cell: "F7".into(),
            header: "必要な権限",
            kind: RequestProblemKind::PermissionsSeveral {
                names: vec!["読み取り".into(), "S3バックアップ".into()],
            },
        },
        RequestProblem {
            cell: "J7".into(),
            header: "アカウント名",
            kind: RequestProblemKind::UserExists {
                user: "tanaka-s3".into(),
                account: "123456789012".into(),
            },
        },
    ];
    let copy_failures: Vec<(String, DmFailure)> = dm_failures()
        .into_iter()
        .map(|e| ("U0ADMIN02".to_string(), e))
        .collect();
    let mut asks = vec![
        Ask::Refused(problems),
        Ask::CheckFailed {
            error: SERVICE.into(),
        },
        Ask::OutOfTime,
    ];
    asks.extend(unwritten().into_iter().map(|why| Ask::NotWritten {
        request: r.clone(),
        why,
    }));
    for again in [false, true] {
        asks.push(Ask::Planned {
            request: r.clone(),
            again,
        });
        for (posted, recorded) in [(0, false), (1, false), (2, true)] {
            asks.push(Ask::Asked {
                request: r.clone(),
                again,
                posted,
                failures: copy_failures.clone(),
                recorded,
            });
        }
    }
    let mut all: Vec<Action> = asks.into_iter().map(Action::IssueRequest).collect();
    let steps = [
        IssueStep::CreateUser,
        IssueStep::AttachPolicy,
        IssueStep::DeleteOrphanKey(key(K)),
        IssueStep::CreateKey,
        IssueStep::StoreSecret,
        IssueStep::SecretPolicy,
    ];
    let mut results = vec![
        Issuance::Planned {
            policy: "arn:aws:iam::aws:policy/ReadOnlyAccess".into(),
        },
        Issuance::Cap { due: 12, max: 10 },
        Issuance::NameTaken,
        Issuance::OutOfTime,
    ];
    for undone in [true, false] {
        results.push(Issuance::SecretTaken {
            secret: "keywarden/tanaka-s3".into(),
            undone,
        });
    }
    for at in steps {
        for undone in [None, Some(true), Some(false)] {
            results.push(Issuance::Stopped {
                at: at.clone(),
                error: SERVICE.into(),
                undone,
            });
        }
    }
    for written in std::iter::once(Ok(5)).chain(unwritten().into_iter().map(Err)) {
        results.push(Issuance::Issued {
            key: key(K),
            secret: "keywarden/tanaka-s3".into(),
            orphans: vec![key("AKIAORPHAN0000000001")],
            written,
        });
    }
    all.extend(results.into_iter().map(|result| Action::Issue {
        request: r.clone(),
        result,
    }));
    all.push(Action::Alert(Alert::IssueCap { due: 12, max: 10 }));
    all
}

/// Phrases administrators are told as they are, in any language (docs/rules.md §2 quotes them).
const FIXED_PHRASES: [&str; 1] = ["not found in users_json"];

/// A run of three or more lower-case English words, outside quoted texts (`「…」`) and the
/// fixed phrases.
fn english_sentence(text: &str) -> Option<String> {
    let text = FIXED_PHRASES
        .iter()
        .fold(text.to_string(), |t, p| t.replace(p, "…"));
    let mut outside = String::new();
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            QUOTE_OPEN => depth += 1,
            QUOTE_CLOSE => depth = depth.saturating_sub(1),
            _ if depth == 0 => outside.push(c),
            _ => {}
        }
    }
    let is_word = |w: &str| w.len() >= 2 && w.chars().all(|c| c.is_ascii_lowercase());
    let mut run: Vec<&str> = Vec::new();
    for token in outside.split([' ', ',']) {
        if is_word(token) {
            run.push(token);
            if run.len() >= 3 {
                return Some(run.join(" "));
            }
        } else if !token.is_empty() {
            run.clear();
        }
    }
    None
}

#[test]
fn the_summary_speaks_japanese_for_every_outcome() {
    let all = every_outcome();
    let ja = records(&all, Lang::Ja);
    let en = records(&all, Lang::En);
    assert_eq!(ja.len(), en.len());
    for (j, e) in ja.iter().zip(&en) {
        assert!(
            english_sentence(&j.detail).is_none(),
            "English in the summary: {:?} in {}\n(report: {})",
            english_sentence(&j.detail),
            j.detail,
            e.detail
        );
        assert!(!j.detail.is_empty() || e.detail.is_empty(), "{}", e.detail);
        // The service's message is quoted whole, never translated nor cut.
        if e.detail.contains(SERVICE) {
            assert!(
                j.detail
                    .contains(&format!("{QUOTE_OPEN}{SERVICE}{QUOTE_CLOSE}")),
                "{}",
                j.detail
            );
        }
    }
    // The detector does catch what the issue saw.
    assert!(english_sentence("sato-ci を削除する予定: tag x, delete login profile").is_some());
    assert!(english_sentence("IAM の応答: 「is not authorized to perform」").is_none());
}

#[test]
fn every_variant_is_rendered() {
    let seen: BTreeSet<String> = every_outcome().iter().flat_map(variants).collect();
    for want in [
        "Refusal::Protected",
        "Refusal::OutsidePath",
        "Refusal::KeyMismatch",
        "Refusal::TwoRowsClaim",
        "Refusal::NotTagged",
        "Refusal::KeyElsewhere",
        "Refusal::KeyOwnerUnknown",
        "Teardown::KeyOnly",
        "Teardown::Stopped",
        "Dm::NotSent",
        "Dm::NoOwner",
        "Switch::Refused",
        "KeyResult::RotationStopped",
        "Alert::Directory",
        "Alert::SummaryNotDelivered",
        "Alert::AccountUnavailable",
        "Alert::TeardownTagKept",
        "Alert::RotatedKeyUnchecked",
        "KeyRule::RecoverRotated",
        "Problem::Account",
        "Problem::EndBeforeStart",
        "Action::KeyAccountUnknown",
        "Ask::Refused",
        "Ask::Asked",
        "Issuance::Stopped",
        "Issuance::Issued",
        "Issuance::SecretTaken",
    ] {
        assert!(seen.contains(want), "{want} not rendered: {seen:?}");
    }
}

#[test]
fn every_step_has_its_japanese_words() {
    for step in steps() {
        let ja = step_ja(&step);
        assert!(english_sentence(&ja).is_none(), "{ja}");
        assert_ne!(ja, step.to_string());
    }
}

#[test]
fn the_report_keeps_its_english() {
    let o = ActionOutcome::new(
        Subject {
            user: "sato-ci".into(),
            ..Subject::default()
        },
        Action::Teardown(Teardown::Planned {
            steps: vec![Step::TagForTeardown(key(K)), Step::DeleteUser],
        }),
    );
    assert_eq!(
        records(std::slice::from_ref(&o), Lang::En)[0].detail,
        format!("would tear down sato-ci: tag keywarden:teardown={K}, delete user")
    );
    assert_eq!(
        records(&[o], Lang::Ja)[0].detail,
        format!("sato-ci を削除する予定: タグ keywarden:teardown={K} を付ける、ユーザーを削除")
    );
    let p = &cell_problems()[9];
    assert_eq!(
        p.to_string(),
        "I2 (アクセスキー利用終了日): \"2026/13/01\" is not a calendar date (month 13, day 1): \
         check the month and the day"
    );
    assert!(
        english_sentence(&p.words(Lang::Ja)).is_none(),
        "{}",
        p.words(Lang::Ja)
    );
    assert_eq!(
        DmFailure::Unreachable("channel_not_found".into()).to_string(),
        "cannot be reached on Slack (channel_not_found): check the Slack ID in users_json and \
         that the user allows DMs from the app"
    );
}
