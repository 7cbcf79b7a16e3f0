//! What IAM requires gone before `DeleteUser` (docs/rules.md §4 step 6), one small unit per
//! dependent (aws-nuke's shape): each file says what its removal steps are called (English and
//! Japanese side by side), which IAM actions read and remove it, and how what the inventory
//! holds becomes its steps. [`DEPENDENTS`] is THE list: the teardown's order, the adapter's
//! inventory and removals, the templates' permission test and the test IAM's `DeleteUser`
//! conflict all derive from it. The steps around the dependents (the tag, the user, its own
//! policy, an issued key's secret) are units of the same kind in [`FRAME`].

use std::collections::BTreeSet;

use super::{Step, UserInventory};
use crate::core::outcome::Lang;

pub mod access_keys;
pub mod attached_policies;
pub mod groups;
pub mod inline_policies;
pub mod login_profile;
pub mod mfa_devices;
pub mod service_credentials;
pub mod signing_certificates;
pub mod ssh_public_keys;

mod issued_secret;
pub(super) mod own_policy;
pub(super) mod tag;
mod user;

/// A step's words in `lang`, when the step is this unit's; `None` for any other step.
pub type Words = fn(&Step, Lang) -> Option<String>;

/// One kind of thing a user can hold that IAM requires gone before `DeleteUser`.
pub struct Dependent {
    /// What it is called, in IAM's own words for a `DeleteUser` conflict.
    pub name: &'static str,
    /// The IAM actions that read it into the inventory.
    pub lists: &'static [&'static str],
    /// The IAM actions that remove it.
    pub removes: &'static [&'static str],
    /// Its removal steps for what the inventory holds, in the order IAM needs them.
    pub steps: fn(&UserInventory) -> Vec<Step>,
    pub words: Words,
}

/// A step around the dependents; its steps need the row's key or the settings, so
/// [`super::steps`] makes them.
pub struct Frame {
    pub name: &'static str,
    /// The IAM actions its steps (and its part of the inventory) take.
    pub actions: &'static [&'static str],
    pub words: Words,
}

/// THE dependents, in the order they are removed: the login profile first (no new console
/// session), then every credential, then what grants permissions. A new dependent is a new
/// file here and its line in this list.
pub const DEPENDENTS: [&Dependent; 9] = [
    &login_profile::DEPENDENT,
    &access_keys::DEPENDENT,
    &signing_certificates::DEPENDENT,
    &ssh_public_keys::DEPENDENT,
    &service_credentials::DEPENDENT,
    &mfa_devices::DEPENDENT,
    &inline_policies::DEPENDENT,
    &attached_policies::DEPENDENT,
    &groups::DEPENDENT,
];

/// The tag before any change, the user after its dependents, its own policy after the user,
/// and an issued key's secret (a Secrets Manager step: no IAM action).
pub const FRAME: [&Frame; 4] = [
    &tag::FRAME,
    &user::FRAME,
    &own_policy::FRAME,
    &issued_secret::FRAME,
];

/// One step per item the inventory holds.
fn each<T: Clone>(items: &[T], step: fn(T) -> Step) -> Vec<Step> {
    items.iter().cloned().map(step).collect()
}

/// A unit's words: `en` for the report, `ja` for the summary.
fn say(lang: Lang, en: String, ja: String) -> Option<String> {
    Some(match lang {
        Lang::En => en,
        Lang::Ja => ja,
    })
}

/// Every dependent's removal steps, in [`DEPENDENTS`]' order.
pub fn removal_steps(inv: &UserInventory) -> Vec<Step> {
    DEPENDENTS.iter().flat_map(|d| (d.steps)(inv)).collect()
}

/// The dependents the user still holds: while one is left, IAM refuses `DeleteUser`.
pub fn held(inv: &UserInventory) -> impl Iterator<Item = &'static Dependent> + '_ {
    DEPENDENTS
        .into_iter()
        .filter(|d| !(d.steps)(inv).is_empty())
}

/// Every IAM action a teardown takes, as IAM names it (`ListSSHPublicKeys`).
pub fn iam_actions() -> BTreeSet<&'static str> {
    DEPENDENTS
        .iter()
        .flat_map(|d| d.lists.iter().chain(d.removes))
        .chain(FRAME.iter().flat_map(|f| f.actions))
        .copied()
        .collect()
}

/// The words of `step` in `lang`, from the unit whose step it is.
pub fn words(step: &Step, lang: Lang) -> String {
    DEPENDENTS
        .iter()
        .map(|d| d.words)
        .chain(FRAME.iter().map(|f| f.words))
        .find_map(|words| words(step, lang))
        // Never reached: every step is some unit's (`every_step_is_worded_by_one_unit`).
        .unwrap_or_else(|| format!("{step:?}"))
}

#[cfg(test)]
mod tests;
