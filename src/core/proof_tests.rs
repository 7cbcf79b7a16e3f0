//! Tests of the parent module: each step of the proof, on the sheets that break it.
use super::*;
use crate::core::fixtures::{key, user};
use crate::core::sheet::{Held, KeyCell};

const K: &str = "AKIAIOSFODNN7EXAMPLE";
const K2: &str = "AKIAI44QH8DHBEXAMPLE";

fn inv(keys: &[&str], tag: Option<&str>) -> UserInventory {
    UserInventory {
        arn: "arn:aws:iam::123456789012:user/tanaka-dev".into(),
        path: "/".into(),
        access_keys: keys.iter().map(|k| key(k)).collect(),
        teardown_tag: tag.map(String::from),
        ..Default::default()
    }
}

/// A live row; `due` for rows due for deletion today.
fn row(row: usize, name: &'static str, key: &'static str, due: bool) -> Held<'static> {
    Held::new(row, true, due, name, KeyCell::read(key), None)
}

/// Row 2 (tanaka-dev, K, due) judged against `others` and what IAM says.
fn judge_row2(others: Vec<Held<'static>>, facts: UserFacts) -> Verdict {
    let mut rows = vec![row(2, "tanaka-dev", K, true)];
    rows.extend(others);
    let holdings = Holdings::new(rows);
    let (u, k) = (user("tanaka-dev"), key(K));
    let claim = Claim {
        row: 2,
        account: None,
        user: &u,
        key: &k,
    };
    judge(claim, &holdings, facts, "/")
}

fn exists(keys: &[&str], tag: Option<&str>) -> UserFacts {
    UserFacts::Exists(Box::new(inv(keys, tag)))
}

#[test]
fn step_2_a_missing_user_is_gone_only_when_iam_knows_no_such_key() {
    let gone = UserFacts::Missing {
        key_owner: Ok(None),
    };
    assert_eq!(judge_row2(vec![], gone), Verdict::Gone);
    let elsewhere = UserFacts::Missing {
        key_owner: Ok(Some(user("sato"))),
    };
    assert!(matches!(
        judge_row2(vec![], elsewhere),
        Verdict::Refused(Refusal::KeyElsewhere { .. })
    ));
    let unknown = UserFacts::Missing {
        key_owner: Err("AccessDenied".into()),
    };
    assert!(matches!(
        judge_row2(vec![], unknown),
        Verdict::Refused(Refusal::KeyOwnerUnknown { .. })
    ));
}

#[test]
fn steps_1_3_4_path_key_and_tag() {
    let holdings = Holdings::new([row(2, "tanaka-dev", K, true)]);
    let (u, k) = (user("tanaka-dev"), key(K));
    let claim = Claim {
        row: 2,
        account: None,
        user: &u,
        key: &k,
    };
    assert!(matches!(
        judge(claim, &holdings, exists(&[K], None), "/keywarden/"),
        Verdict::Refused(Refusal::OutsidePath { .. })
    ));
    assert!(matches!(
        judge_row2(vec![], exists(&[K2], None)),
        Verdict::Refused(Refusal::KeyMismatch { .. })
    ));
    assert!(
        matches!(
            judge_row2(vec![], exists(&[], None)),
            Verdict::Refused(Refusal::NotTagged { .. })
        ),
        "a keyless user keywarden never touched (a mistyped console user)"
    );
    assert!(matches!(
        judge_row2(vec![], exists(&[], Some(K2))),
        Verdict::Refused(Refusal::NotTagged { .. })
    ));
    assert!(matches!(
        judge_row2(vec![], exists(&[], Some(K))),
        Verdict::Teardown(_)
    ));
    assert!(
        matches!(
            judge_row2(vec![], exists(&[K2], Some(K))),
            Verdict::Teardown(_)
        ),
        "K removed by an interrupted teardown, K2 left: finish it"
    );
    assert!(matches!(
        judge_row2(vec![], exists(&[K], None)),
        Verdict::Teardown(_)
    ));
}

#[test]
fn step_5_two_rows_claiming_the_key_change_nothing() {
    // A copy-pasted renewal row holding the same key, under any name.
    for name in ["tanaka-dev", "someone-else"] {
        let v = judge_row2(vec![row(3, name, K, false)], exists(&[K], None));
        assert_eq!(
            v,
            Verdict::Refused(Refusal::TwoRowsClaim {
                key: key(K),
                rows: vec![2, 3]
            }),
            "{name}"
        );
    }
    // A live row naming the user with an unreadable or empty key cell.
    for cell in ["AKIAIOSFODNN7EXAMPLE （旧）", ""] {
        let v = judge_row2(vec![row(4, "Tanaka-Dev", cell, false)], exists(&[K], None));
        assert!(
            matches!(&v, Verdict::Refused(Refusal::TwoRowsClaim { rows, .. }) if rows == &vec![2, 4]),
            "{cell:?}: {v:?}"
        );
    }
}

#[test]
fn step_5_the_user_stays_for_a_renewal_or_a_mistyped_holder() {
    // A renewal: another live row names the user with another key.
    let v = judge_row2(
        vec![row(3, "tanaka-dev", K2, false)],
        exists(&[K, K2], None),
    );
    assert!(
        matches!(&v, Verdict::KeyOnly { keeper, .. } if keeper == &Keeper { row: 3, named: None })
            && v.key_present(&key(K)),
        "{v:?}"
    );
    // The user's other key is held by a row that mistyped the name.
    let v = judge_row2(
        vec![row(3, "tanaka-dve", K2, false)],
        exists(&[K, K2], None),
    );
    assert!(
        matches!(&v, Verdict::KeyOnly { keeper, .. } if keeper == &Keeper { row: 3, named: Some("tanaka-dve".into()) }),
        "{v:?}"
    );
    // A renewal behind a mistyped due key still needs steps 2-4: K is not the user's.
    let v = judge_row2(vec![row(3, "tanaka-dev", K2, false)], exists(&[K2], None));
    assert!(
        matches!(v, Verdict::Refused(Refusal::KeyMismatch { .. })),
        "{v:?}"
    );
    // An interrupted key-only deletion: K gone, the tag says so.
    let v = judge_row2(
        vec![row(3, "tanaka-dev", K2, false)],
        exists(&[K2], Some(K)),
    );
    assert!(
        matches!(v, Verdict::KeyOnly { .. }) && !v.key_present(&key(K)),
        "{v:?}"
    );
}

#[test]
fn rows_that_are_due_or_deleted_keep_nothing_alive() {
    let deleted = Held::new(4, false, false, "tanaka-dev", KeyCell::Empty, None);
    let v = judge_row2(
        vec![
            row(3, "tanaka-dev", K2, true),
            row(5, "x", K, true),
            deleted,
        ],
        exists(&[K, K2], None),
    );
    assert!(matches!(v, Verdict::Teardown(_)), "{v:?}");
}

#[test]
fn a_verdict_says_whether_the_key_itself_is_there() {
    let k = key(K);
    assert!(Verdict::Teardown(inv(&[K], None)).key_present(&k));
    assert!(!Verdict::Teardown(inv(&[], Some(K))).key_present(&k));
    assert!(!Verdict::Gone.key_present(&k));
}

#[test]
fn protected_users_compare_without_case() {
    assert!(protected(&user("CI-Deploy"), &[user("ci-deploy")]));
    assert!(!protected(&user("ci"), &[user("ci-deploy")]));
}
