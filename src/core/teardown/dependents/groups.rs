//! The user's group memberships (the groups stay).

use super::Dependent;
use crate::core::outcome::Lang;
use crate::core::teardown::Step;

pub const DEPENDENT: Dependent = Dependent {
    name: "group memberships",
    lists: &["ListGroupsForUser"],
    removes: &["RemoveUserFromGroup"],
    steps: |inv| {
        let groups = inv.groups.iter().cloned();
        groups.map(Step::RemoveFromGroup).collect()
    },
    words: |step, lang| {
        let Step::RemoveFromGroup(g) = step else {
            return None;
        };
        Some(match lang {
            Lang::En => format!("remove from group {g}"),
            Lang::Ja => format!("グループ {g} から外す"),
        })
    },
};
