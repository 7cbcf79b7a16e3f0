//! Tests of the parent module.
use super::*;

fn names(deps: impl Iterator<Item = &'static Dependent>) -> Vec<&'static str> {
    deps.map(|d| d.name).collect()
}

/// Each unit words its own steps and no other: a step worded twice would say whichever
/// came first, a step worded by none would show its debug form.
#[test]
fn every_step_is_worded_by_one_unit() {
    let inv = crate::core::fixtures::loaded_inventory();
    let key = crate::core::fixtures::key(crate::core::fixtures::KEY);
    let user = crate::core::fixtures::user("tanaka");
    let mut steps = super::super::steps(&user, &key, &inv, "/");
    steps.push(Step::UntagTeardown(key));
    steps.push(Step::DeleteIssuedSecret {
        secret: "s".into(),
        request: "r".into(),
    });
    let units: Vec<Words> = DEPENDENTS
        .iter()
        .map(|d| d.words)
        .chain(FRAME.iter().map(|f| f.words))
        .collect();
    for step in &steps {
        for lang in [Lang::En, Lang::Ja] {
            let by = units.iter().filter(|w| w(step, lang).is_some()).count();
            assert_eq!(by, 1, "{step:?} in {lang:?}");
        }
    }
    // Every dependent made a step from this inventory, so none is left out above.
    assert_eq!(names(held(&inv)).len(), DEPENDENTS.len());
}

#[test]
fn the_dependents_are_those_delete_user_waits_for_in_their_order() {
    assert_eq!(
        names(DEPENDENTS.into_iter()),
        [
            "login profile",
            "access keys",
            "signing certificates",
            "SSH public keys",
            "service-specific credentials",
            "MFA devices",
            "inline policies",
            "attached policies",
            "group memberships",
        ]
    );
    // The adapter finds each dependent's calls by its name.
    let unique: std::collections::BTreeSet<&str> = DEPENDENTS.iter().map(|d| d.name).collect();
    assert_eq!(unique.len(), DEPENDENTS.len());
    assert_eq!(names(held(&UserInventory::default())), Vec::<&str>::new());
    let grouped = UserInventory {
        groups: vec!["g".into()],
        ..UserInventory::default()
    };
    assert_eq!(names(held(&grouped)), ["group memberships"]);
}

/// Every action is spelled as IAM names it (`ListSSHPublicKeys`), so the templates' test can
/// compare them; each dependent is both read and removed.
#[test]
fn each_dependent_declares_how_it_is_read_and_removed() {
    for d in DEPENDENTS {
        assert!(!d.lists.is_empty() && !d.removes.is_empty(), "{}", d.name);
    }
    for action in iam_actions() {
        assert!(
            action.starts_with(|c: char| c.is_ascii_uppercase())
                && action.chars().all(|c| c.is_ascii_alphanumeric()),
            "{action}"
        );
    }
    assert!(iam_actions().contains("DeleteUser"));
    assert!(iam_actions().contains("DeleteVirtualMFADevice"));
}
