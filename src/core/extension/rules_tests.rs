//! Tests of the request and decision rules (kept apart so `rules.rs` stays readable).

use chrono::{DateTime, NaiveDate};
use proptest::prelude::*;

use super::*;
use crate::core::domain::{AccessKeyId, IamUserName};
use crate::core::extension::value::RowRef;

fn id(s: &str) -> SlackUserId {
    SlackUserId::parse(s).unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn admins() -> Vec<SlackUserId> {
    vec![id("UADMIN01"), id("UADMIN02")]
}

fn pending(requester: &str) -> PendingRequest {
    PendingRequest {
        id: "42".into(),
        requester: id(requester),
        current_end: date(2026, 11, 29),
        requested_end: date(2027, 1, 31),
        requested_at: DateTime::parse_from_rfc3339("2026-11-25T10:00:00+09:00").unwrap(),
        copies: vec![],
        reason: "r".into(),
    }
}

fn row(pending: PendingCell) -> RowView {
    RowView {
        row: 5,
        deleted: false,
        owner_name: "田中 太郎".into(),
        end: Some(date(2026, 11, 29)),
        pending,
        history: String::new(),
    }
}

/// The row's owner by `users_json`, for the decision rules.
fn owned(_: &RowView) -> Owner {
    Owner::Found(id("U0OWNER01"))
}

fn target(requester: &str, request_id: &str) -> DecisionRef {
    DecisionRef {
        row: RowRef {
            account: IamUserName::parse("tanaka-s3").unwrap(),
            key_id: AccessKeyId::parse("AKIAIOSFODNN7EXAMPLE").unwrap(),
            end: date(2026, 11, 29),
        },
        request_id: request_id.into(),
        requester: id(requester),
    }
}

#[test]
fn owners_and_admins_may_request_others_not() {
    let owner = Owner::Found(id("U0OWNER01"));
    assert_eq!(may_request(&id("U0OWNER01"), &owner, &admins()), Ok(()));
    assert_eq!(may_request(&id("UADMIN01"), &owner, &admins()), Ok(()));
    assert_eq!(
        may_request(&id("UADMIN01"), &Owner::NotFound, &admins()),
        Ok(())
    );
    assert_eq!(
        may_request(&id("U0OTHER01"), &owner, &admins()),
        Err(Refusal::NotOwner)
    );
    let ambiguous = Owner::Ambiguous(vec![id("U0OWNER01"), id("U0OTHER01")]);
    assert_eq!(
        may_request(&id("U0OWNER01"), &ambiguous, &admins()),
        Err(Refusal::NotOwner),
        "an ambiguous name proves nobody"
    );
}

#[test]
fn a_request_needs_a_live_row_without_a_pending_request() {
    assert!(row_for_request(&Lookup::Found(row(PendingCell::Empty))).is_ok());
    assert_eq!(row_for_request(&Lookup::Gone), Err(Refusal::RowGone));
    assert_eq!(
        row_for_request(&Lookup::KeyChanged { row: 3 }),
        Err(Refusal::KeyChanged { row: 3 })
    );
    assert_eq!(
        row_for_request(&Lookup::Ambiguous(vec![3, 4])),
        Err(Refusal::Ambiguous(vec![3, 4]))
    );
    let mut deleted = row(PendingCell::Empty);
    deleted.deleted = true;
    assert_eq!(
        row_for_request(&Lookup::Found(deleted)),
        Err(Refusal::Deleted { row: 5 })
    );
    let mut unreadable = row(PendingCell::Empty);
    unreadable.end = None;
    assert_eq!(
        row_for_request(&Lookup::Found(unreadable)),
        Err(Refusal::UnreadableEnd { row: 5 })
    );
    let refusal = row_for_request(&Lookup::Found(row(PendingCell::Request(pending(
        "U0OWNER01",
    )))))
    .unwrap_err();
    let text = refusal.to_string();
    assert!(
        text.contains("U0OWNER01") && text.contains("2027-01-31"),
        "names it: {text}"
    );
    assert_eq!(
        row_for_request(&Lookup::Found(row(PendingCell::Unreadable("x".into())))),
        Err(Refusal::PendingUnreadable { row: 5 })
    );
}

#[test]
fn permission_comes_before_anything_about_the_row() {
    let owner = |_: &RowView| Owner::Found(id("U0OWNER01"));
    let pending = Lookup::Found(row(PendingCell::Request(pending("U0OWNER01"))));
    assert_eq!(
        request_allowed(&pending, &id("U0OTHER01"), owner, &admins()).unwrap_err(),
        Refusal::NotOwner
    );
    assert_eq!(
        request_allowed(
            &Lookup::KeyChanged { row: 3 },
            &id("U0OWNER01"),
            owner,
            &admins()
        )
        .unwrap_err(),
        Refusal::KeyChanged { row: 3 }
    );
    assert_eq!(
        request_allowed(&Lookup::Gone, &id("UADMIN01"), owner, &admins()).unwrap_err(),
        Refusal::RowGone
    );
    assert!(matches!(
        request_allowed(&pending, &id("U0OWNER01"), owner, &admins()),
        Err(Refusal::AlreadyPending { .. })
    ));
    let open = Lookup::Found(row(PendingCell::Empty));
    let (found, end) = request_allowed(&open, &id("U0OWNER01"), owner, &admins()).unwrap();
    assert_eq!((found.row, end), (5, date(2026, 11, 29)));
}

#[test]
fn submissions_are_validated_per_block() {
    let end = date(2026, 11, 29);
    assert_eq!(
        validate_submission(end, Some("2027-01-31"), Some(" 理由 "), 90),
        Ok((date(2027, 1, 31), "理由".into()))
    );
    assert!(
        validate_submission(end, Some("2027-02-27"), Some("r"), 90).is_ok(),
        "exactly 90 days"
    );
    let too_far = validate_submission(end, Some("2027-02-28"), Some("r"), 90).unwrap_err();
    assert!(too_far[NEW_END_BLOCK].contains("90日"), "{too_far:?}");
    let same = validate_submission(end, Some("2026-11-29"), Some("r"), 90).unwrap_err();
    assert!(same[NEW_END_BLOCK].contains("2026-11-29"), "{same:?}");
    let both = validate_submission(end, None, Some("  "), 90).unwrap_err();
    assert_eq!(both.len(), 2, "{both:?}");
    assert!(both.contains_key(REASON_BLOCK));
    let garbage = validate_submission(end, Some("tomorrow"), Some("r"), 90).unwrap_err();
    assert!(garbage.contains_key(NEW_END_BLOCK));
}

#[test]
fn decisions_need_another_admin_and_the_same_pending_request() {
    let found = Lookup::Found(row(PendingCell::Request(pending("U0OWNER01"))));
    let ok = request_for_decision(
        &found,
        &target("U0OWNER01", "42"),
        &id("UADMIN01"),
        owned,
        &admins(),
        Outcome::Approved,
    );
    assert!(ok.is_ok());
    assert_eq!(
        request_for_decision(
            &found,
            &target("U0OWNER01", "42"),
            &id("U0OWNER01"),
            owned,
            &admins(),
            Outcome::Approved,
        )
        .unwrap_err(),
        Refusal::NotAdmin
    );
    let by_admin = Lookup::Found(row(PendingCell::Request(pending("UADMIN01"))));
    assert_eq!(
        request_for_decision(
            &by_admin,
            &target("UADMIN01", "42"),
            &id("UADMIN01"),
            owned,
            &admins(),
            Outcome::Approved,
        )
        .unwrap_err(),
        Refusal::SelfApproval
    );
    assert_eq!(
        request_for_decision(
            &by_admin,
            &target("U0OWNER01", "42"),
            &id("UADMIN01"),
            owned,
            &admins(),
            Outcome::Approved,
        )
        .unwrap_err(),
        Refusal::SelfApproval,
        "the sheet's requester counts even when the button says otherwise"
    );
    assert_eq!(
        request_for_decision(
            &found,
            &target("U0OWNER01", "41"),
            &id("UADMIN01"),
            owned,
            &admins(),
            Outcome::Approved,
        )
        .unwrap_err(),
        Refusal::AlreadyDecided
    );
    let decided = Lookup::Found(row(PendingCell::Empty));
    assert_eq!(
        request_for_decision(
            &decided,
            &target("U0OWNER01", "42"),
            &id("UADMIN01"),
            owned,
            &admins(),
            Outcome::Approved,
        )
        .unwrap_err(),
        Refusal::AlreadyDecided
    );
    let mut moved = row(PendingCell::Request(pending("U0OWNER01")));
    moved.end = Some(date(2026, 12, 31));
    let moved = Lookup::Found(moved);
    assert!(matches!(
        request_for_decision(
            &moved,
            &target("U0OWNER01", "42"),
            &id("UADMIN01"),
            owned,
            &admins(),
            Outcome::Approved,
        ),
        Err(Refusal::EndDateChanged { .. })
    ));
    assert!(
        request_for_decision(
            &moved,
            &target("U0OWNER01", "42"),
            &id("UADMIN01"),
            owned,
            &admins(),
            Outcome::Rejected,
        )
        .is_ok(),
        "a request can be rejected whatever the end date now"
    );
    let mut deleted = row(PendingCell::Request(pending("U0OWNER01")));
    deleted.deleted = true;
    assert_eq!(
        request_for_decision(
            &Lookup::Found(deleted),
            &target("U0OWNER01", "42"),
            &id("UADMIN01"),
            owned,
            &admins(),
            Outcome::Approved,
        )
        .unwrap_err(),
        Refusal::Deleted { row: 5 }
    );
    assert_eq!(
        request_for_decision(
            &Lookup::Gone,
            &target("U0OWNER01", "42"),
            &id("UADMIN01"),
            owned,
            &admins(),
            Outcome::Approved,
        )
        .unwrap_err(),
        Refusal::RowGone
    );
}

#[test]
fn the_owner_may_not_decide_a_request_another_admin_filed_for_them() {
    // UADMIN01 asked for the row of UADMIN02, who is an administrator too.
    let admins = [id("UADMIN01"), id("UADMIN02"), id("UADMIN03")];
    let found = Lookup::Found(row(PendingCell::Request(pending("UADMIN01"))));
    let decide = |user: &str, owner: Owner, outcome: Outcome| {
        request_for_decision(
            &found,
            &target("UADMIN01", "42"),
            &id(user),
            |_: &RowView| owner.clone(),
            &admins,
            outcome,
        )
        .map(|(row, _)| row.row)
    };
    let owner = || Owner::Found(id("UADMIN02"));
    for outcome in [Outcome::Approved, Outcome::Rejected] {
        assert_eq!(
            decide("UADMIN02", owner(), outcome),
            Err(Refusal::OwnerApproval)
        );
        assert_eq!(decide("UADMIN03", owner(), outcome), Ok(5));
    }
    assert!(
        Refusal::OwnerApproval
            .to_string()
            .contains("ほかの管理者に依頼してください")
    );
    // A name several people share: each of them may be the owner.
    let shared = || Owner::Ambiguous(vec![id("U0OTHER01"), id("UADMIN02")]);
    assert_eq!(
        decide("UADMIN02", shared(), Outcome::Approved),
        Err(Refusal::OwnerApproval)
    );
    assert_eq!(decide("UADMIN03", shared(), Outcome::Approved), Ok(5));
    // No owner in users_json: only the requester is kept out.
    assert_eq!(
        decide("UADMIN02", Owner::NotFound, Outcome::Approved),
        Ok(5)
    );
}

fn any_user() -> impl Strategy<Value = SlackUserId> {
    prop_oneof![
        Just(id("UADMIN01")),
        Just(id("UADMIN02")),
        Just(id("U0OWNER01")),
        Just(id("U0OTHER01")),
    ]
}

proptest! {
    /// The write guard: whatever the row, nobody but an admin other than the requester and
    /// the row's owner ever gets a request to apply.
    #[test]
    fn no_decision_from_the_requester_the_owner_or_a_non_admin(
        user in any_user(),
        requester in any_user(),
        button_requester in any_user(),
        owner in any_user(),
        deleted in any::<bool>(),
    ) {
        let mut p = pending("U0OWNER01");
        p.requester = requester.clone();
        let mut r = row(PendingCell::Request(p));
        r.deleted = deleted;
        let lookup = Lookup::Found(r);
        let mut t = target("U0OWNER01", "42");
        t.requester = button_requester.clone();
        let owner_of = |_: &RowView| Owner::Found(owner.clone());
        if request_for_decision(&lookup, &t, &user, owner_of, &admins(), Outcome::Approved).is_ok() {
            prop_assert!(admins().contains(&user));
            prop_assert!(user != requester && user != button_requester && user != owner);
            prop_assert!(!deleted);
        }
    }

    /// Once the pending cell is cleared (decided), no decision applies, whoever clicks.
    #[test]
    fn a_decided_request_never_applies_again(user in any_user(), request_id in "[0-9]{1,4}") {
        let decided = Lookup::Found(row(PendingCell::Empty));
        prop_assert!(request_for_decision(&decided, &target("U0OWNER01", &request_id), &user, owned, &admins(), Outcome::Rejected).is_err());
    }

    #[test]
    fn accepted_dates_are_within_the_window(offset in -400i64..400, max in 1u32..365) {
        let end = date(2026, 11, 29);
        let new = end + chrono::Duration::days(offset);
        let result = validate_submission(end, Some(&new.to_string()), Some("r"), max);
        prop_assert_eq!(result.is_ok(), offset >= 1 && offset <= i64::from(max));
    }
}
