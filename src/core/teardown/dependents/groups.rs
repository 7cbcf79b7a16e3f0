//! The user's group memberships (the groups stay).

use super::{Dependent, each, say};
use crate::core::teardown::Step;

pub const DEPENDENT: Dependent = Dependent {
    name: "group memberships",
    lists: &["ListGroupsForUser"],
    removes: &["RemoveUserFromGroup"],
    steps: |inv| each(&inv.groups, Step::RemoveFromGroup),
    words: |step, lang| match step {
        Step::RemoveFromGroup(x) => say(
            lang,
            format!("remove from group {x}"),
            format!("グループ {x} から外す"),
        ),
        _ => None,
    },
};
