//! Key hygiene beyond the sheet (docs/rules.md §8): age limits, unused keys, rotation due, shadow
//! keys — pure rules over the account's access keys, like `plan` is over the sheet's rows.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::core::domain::{AccessKeyId, IamUserName, Secret};

/// Which rules are on, from configuration (each off unless its variable is set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HygieneRules {
    /// `KEYWARDEN_MAX_KEY_AGE_DAYS` and `KEYWARDEN_KEY_AGE_GRACE_DAYS`.
    pub max_age: Option<(i64, i64)>,
    /// `KEYWARDEN_UNUSED_DAYS`.
    pub unused_days: Option<i64>,
    pub rotation: Option<Rotation>,
    /// `KEYWARDEN_REPORT_SHADOW_KEYS`.
    pub report_shadow: bool,
    /// `KEYWARDEN_MAX_DEACTIVATIONS` (default 10): over it, no key is set Inactive by the unused
    /// rule or the sheet's grace rule (see `app::run::rows::Caps`).
    pub max_deactivations: usize,
}

/// Every rule off; the deactivation cap at its default of 10.
impl Default for HygieneRules {
    fn default() -> Self {
        HygieneRules {
            max_age: None,
            unused_days: None,
            rotation: None,
            report_shadow: false,
            max_deactivations: 10,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    pub users: Vec<IamUserName>,
    pub days: i64,
    pub secret_prefix: String,
}

impl HygieneRules {
    /// Whether any rule needs the account's keys listed.
    pub fn any(&self) -> bool {
        self.max_age.is_some()
            || self.unused_days.is_some()
            || self.rotation.is_some()
            || self.report_shadow
    }
}

/// One access key as IAM describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    pub user: IamUserName,
    pub key_id: AccessKeyId,
    pub active: bool,
    pub created: DateTime<Utc>,
    /// `None` when the key was never used.
    pub last_used: Option<DateTime<Utc>>,
}

impl KeyInfo {
    /// Whole days from the key's creation (as a date in `tz`) to `today`.
    pub fn age(&self, today: NaiveDate, tz: Tz) -> i64 {
        (today - self.created.with_timezone(&tz).date_naive()).num_days()
    }

    /// Whole days since last use, or since creation for a key never used.
    pub fn idle(&self, today: NaiveDate, tz: Tz) -> i64 {
        let last = self.last_used.unwrap_or(self.created);
        (today - last.with_timezone(&tz).date_naive()).num_days()
    }
}

/// What a rule asks for one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyAction {
    /// A ≤ age < A+G on a warning day: "deleted in `days_left` days".
    AgeNotify { age: i64, days_left: i64 },
    /// age ≥ A+G: delete the key (never the user).
    AgeDelete { age: i64 },
    /// Active and idle for U days or more: set it Inactive (never delete).
    Deactivate { idle: i64 },
    /// Active and held by no sheet row (other than `削除済み` ones).
    Shadow,
}

/// The key rules for every key, in the order given. A key past its age limit is deleted, so it
/// is not deactivated too. An active key that no row holds is always listed as a shadow key,
/// besides whatever other rule acts on it: that rule may be refused (a cap) or fail, and the
/// key would then stay active with nobody told it is there.
pub fn decide_keys(
    keys: &[KeyInfo],
    held_by_sheet: impl Fn(&AccessKeyId) -> bool,
    today: NaiveDate,
    tz: Tz,
    rules: &HygieneRules,
) -> Vec<(KeyInfo, KeyAction)> {
    let mut out = Vec::new();
    for key in keys {
        let age = key.age(today, tz);
        let mut deleted = false;
        if let Some((a, g)) = rules.max_age {
            if age >= a + g {
                out.push((key.clone(), KeyAction::AgeDelete { age }));
                deleted = true;
            } else if age >= a && ((age - a) % 7 == 0 || age == a + g - 1) {
                out.push((
                    key.clone(),
                    KeyAction::AgeNotify {
                        age,
                        days_left: a + g - age,
                    },
                ));
            }
        }
        if let (Some(u), false) = (rules.unused_days, deleted) {
            let idle = key.idle(today, tz);
            if key.active && idle >= u {
                out.push((key.clone(), KeyAction::Deactivate { idle }));
            }
        }
        if rules.report_shadow && key.active && !held_by_sheet(&key.key_id) {
            out.push((key.clone(), KeyAction::Shadow));
        }
    }
    out
}

/// A rotation that is due: the user's newest active key is `days` old or more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotationDue {
    pub user: IamUserName,
    pub old_key: AccessKeyId,
    /// Deleted first: IAM allows two keys per user, and the new one needs a slot.
    pub inactive_keys: Vec<AccessKeyId>,
    pub age: i64,
    /// The user's other active keys. With one, there is no slot for a new key and keywarden
    /// does not choose which active key goes: the rotation is refused with what to do.
    pub other_active: Vec<AccessKeyId>,
}

pub fn rotations_due(
    keys: &[KeyInfo],
    today: NaiveDate,
    tz: Tz,
    rotation: &Rotation,
) -> Vec<RotationDue> {
    rotation
        .users
        .iter()
        .filter_map(|user| {
            let mine: Vec<&KeyInfo> = keys.iter().filter(|k| &k.user == user).collect();
            let newest = mine.iter().filter(|k| k.active).max_by_key(|k| k.created)?;
            let age = newest.age(today, tz);
            (age >= rotation.days).then(|| RotationDue {
                user: user.clone(),
                old_key: newest.key_id.clone(),
                inactive_keys: mine
                    .iter()
                    .filter(|k| !k.active)
                    .map(|k| k.key_id.clone())
                    .collect(),
                age,
                other_active: mine
                    .iter()
                    .filter(|k| k.active && k.key_id != newest.key_id)
                    .map(|k| k.key_id.clone())
                    .collect(),
            })
        })
        .collect()
}

/// A rotation whose new key ID never reached the sheet (its write failed, or the run died):
/// the row still holds the user's old key, now Inactive, while the rotation's secret holds a
/// newer key of the same user. The next run writes that key ID into the row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovery {
    pub user: IamUserName,
    /// The Inactive key a row still holds.
    pub row_key: AccessKeyId,
    /// The key the secret holds: another key of the same user, created after `row_key`.
    pub new_key: AccessKeyId,
}

/// The keys of rotated users that may have lost their successor's ID: Inactive keys a row
/// holds, by user (in the order of `KEYWARDEN_ROTATE_USERS`). Only these users' secrets are
/// read.
pub fn recovery_candidates(
    keys: &[KeyInfo],
    rotation: &Rotation,
    held_by_sheet: impl Fn(&AccessKeyId) -> bool,
) -> Vec<(IamUserName, Vec<AccessKeyId>)> {
    rotation
        .users
        .iter()
        .filter_map(|user| {
            let held: Vec<AccessKeyId> = keys
                .iter()
                .filter(|k| &k.user == user && !k.active && held_by_sheet(&k.key_id))
                .map(|k| k.key_id.clone())
                .collect();
            (!held.is_empty()).then(|| (user.clone(), held))
        })
        .collect()
}

/// Whether the key the secret holds (`stored`) is the lost successor of `row_key`: another key
/// of the same user that IAM lists, created after it, and that no row holds yet (a row that
/// holds it already got the rotation's write).
pub fn recovery(
    keys: &[KeyInfo],
    user: &IamUserName,
    row_key: &AccessKeyId,
    stored: &AccessKeyId,
    held_by_sheet: impl Fn(&AccessKeyId) -> bool,
) -> Option<Recovery> {
    let mine = |id: &AccessKeyId| keys.iter().find(|k| &k.user == user && &k.key_id == id);
    let old = mine(row_key).filter(|k| !k.active)?;
    let new = mine(stored)?;
    (new.key_id != old.key_id && new.created > old.created && !held_by_sheet(&new.key_id)).then(
        || Recovery {
            user: user.clone(),
            row_key: old.key_id.clone(),
            new_key: new.key_id.clone(),
        },
    )
}

/// The `AccessKeyId` of a rotation's secret (`{"AccessKeyId","SecretAccessKey"}`). Only the
/// ID is read out: the secret access key is skipped, never copied.
pub fn stored_key_id(secret: &Secret) -> Option<AccessKeyId> {
    #[derive(serde::Deserialize)]
    struct Stored {
        #[serde(rename = "AccessKeyId")]
        access_key_id: String,
    }
    let stored: Stored = serde_json::from_str(secret.expose()).ok()?;
    AccessKeyId::parse(&stored.access_key_id).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn tokyo() -> Tz {
        Tz::Asia__Tokyo
    }

    fn key(id: &str, created: &str, last_used: Option<&str>, active: bool) -> KeyInfo {
        let at = |d: &str| Utc.from_utc_datetime(&format!("{d}T03:00:00").parse().unwrap());
        KeyInfo {
            user: IamUserName::parse("u1").unwrap(),
            key_id: AccessKeyId::parse(id).unwrap(),
            active,
            created: at(created),
            last_used: last_used.map(at),
        }
    }

    fn day(d: &str) -> NaiveDate {
        d.parse().unwrap()
    }

    fn age_rules(a: i64, g: i64) -> HygieneRules {
        HygieneRules {
            max_age: Some((a, g)),
            ..Default::default()
        }
    }

    fn actions(keys: &[KeyInfo], today: &str, rules: &HygieneRules) -> Vec<KeyAction> {
        decide_keys(keys, |_| false, day(today), tokyo(), rules)
            .into_iter()
            .map(|(_, a)| a)
            .collect()
    }

    #[test]
    fn age_is_counted_in_the_configured_zone() {
        // 2026-01-01 20:00 UTC is already 2026-01-02 in Tokyo.
        let k = KeyInfo {
            created: Utc.with_ymd_and_hms(2026, 1, 1, 20, 0, 0).unwrap(),
            ..key("AKIAAGE0000000000001", "2026-01-01", None, true)
        };
        assert_eq!(k.age(day("2026-01-03"), tokyo()), 1);
        assert_eq!(k.age(day("2026-01-03"), Tz::UTC), 2);
    }

    #[test]
    fn age_boundaries() {
        let k = [key(
            "AKIAAGE0000000000001",
            "2026-01-01",
            Some("2026-05-01"),
            true,
        )];
        let rules = age_rules(180, 30);
        let on = |age: i64| (day("2026-01-01") + chrono::Duration::days(age)).to_string();
        assert_eq!(actions(&k, &on(179), &rules), vec![]);
        assert_eq!(
            actions(&k, &on(180), &rules),
            vec![KeyAction::AgeNotify {
                age: 180,
                days_left: 30
            }]
        );
        assert_eq!(actions(&k, &on(181), &rules), vec![]);
        assert_eq!(
            actions(&k, &on(187), &rules),
            vec![KeyAction::AgeNotify {
                age: 187,
                days_left: 23
            }]
        );
        assert_eq!(
            actions(&k, &on(209), &rules),
            vec![KeyAction::AgeNotify {
                age: 209,
                days_left: 1
            }]
        );
        assert_eq!(
            actions(&k, &on(210), &rules),
            vec![KeyAction::AgeDelete { age: 210 }]
        );
        assert_eq!(
            actions(&k, &on(400), &rules),
            vec![KeyAction::AgeDelete { age: 400 }]
        );
    }

    #[test]
    fn unused_keys_are_deactivated_from_last_use_or_creation() {
        let rules = HygieneRules {
            unused_days: Some(90),
            ..Default::default()
        };
        let used = [key(
            "AKIAUSED000000000001",
            "2026-01-01",
            Some("2026-03-01"),
            true,
        )];
        assert_eq!(actions(&used, "2026-05-29", &rules), vec![], "89 days idle");
        assert_eq!(
            actions(&used, "2026-05-30", &rules),
            vec![KeyAction::Deactivate { idle: 90 }]
        );
        let never = [key("AKIANEVER00000000001", "2026-01-01", None, true)];
        assert_eq!(
            actions(&never, "2026-04-01", &rules),
            vec![KeyAction::Deactivate { idle: 90 }]
        );
        let inactive = [key("AKIAINACTIVE00000001", "2026-01-01", None, false)];
        assert_eq!(
            actions(&inactive, "2027-01-01", &rules),
            vec![],
            "already inactive"
        );
    }

    #[test]
    fn shadow_keys_are_active_keys_no_row_holds() {
        let rules = HygieneRules {
            report_shadow: true,
            ..Default::default()
        };
        let keys = [
            key("AKIAHELD000000000001", "2026-01-01", None, true),
            key("AKIASHADOW0000000001", "2026-01-01", None, true),
            key("AKIAOFF0000000000001", "2026-01-01", None, false),
        ];
        let held = |k: &AccessKeyId| k.as_str() == "AKIAHELD000000000001";
        let got = decide_keys(&keys, held, day("2026-02-01"), tokyo(), &rules);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0.key_id.as_str(), "AKIASHADOW0000000001");
    }

    #[test]
    fn a_shadow_key_is_listed_also_when_another_rule_acts_on_it() {
        let rules = HygieneRules {
            max_age: Some((180, 30)),
            unused_days: Some(90),
            report_shadow: true,
            ..Default::default()
        };
        // Idle for 90 days and held by no row: deactivated, and listed (the deactivation may
        // be refused by the cap, and the key would stay active unseen).
        let idle = [key("AKIAIDLE000000000001", "2026-01-01", None, true)];
        assert_eq!(
            actions(&idle, "2026-04-01", &rules),
            vec![KeyAction::Deactivate { idle: 90 }, KeyAction::Shadow]
        );
        // Past the age limit: deleted, and listed (the deletion cap may refuse it).
        assert_eq!(
            actions(&idle, "2026-08-01", &rules),
            vec![KeyAction::AgeDelete { age: 212 }, KeyAction::Shadow]
        );
        // On a warning day of the age limit, used lately: warned and listed.
        let used = [key(
            "AKIAUSED000000000001",
            "2026-01-01",
            Some("2026-06-25"),
            true,
        )];
        assert_eq!(
            actions(&used, "2026-06-30", &rules),
            vec![
                KeyAction::AgeNotify {
                    age: 180,
                    days_left: 30
                },
                KeyAction::Shadow
            ]
        );
    }

    fn any_key() -> impl Strategy<Value = (KeyInfo, bool)> {
        (
            0i64..400,
            proptest::option::of(0i64..400),
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(created, used, active, held)| {
                let base = Utc.with_ymd_and_hms(2025, 1, 1, 3, 0, 0).unwrap();
                let created_at = base + chrono::Duration::days(created);
                let k = KeyInfo {
                    user: IamUserName::parse("u1").unwrap(),
                    key_id: AccessKeyId::parse("AKIAPROP000000000000").unwrap(),
                    active,
                    created: created_at,
                    last_used: used.map(|u| created_at + chrono::Duration::days(u / 2)),
                };
                (k, held)
            })
    }

    proptest! {
        /// Every active key that no row holds is listed once as a shadow key, whatever
        /// else the rules ask for it; no other key ever is.
        #[test]
        fn every_active_unheld_key_is_listed_once_as_a_shadow(
            keys in proptest::collection::vec(any_key(), 0..8),
            max_age in proptest::option::of((1i64..200, 0i64..60)),
            unused_days in proptest::option::of(1i64..200),
            report_shadow in any::<bool>(),
            today in 0i64..800,
        ) {
            // Distinct key IDs, so "held" is a property of the key.
            let keys: Vec<(KeyInfo, bool)> = keys
                .into_iter()
                .enumerate()
                .map(|(i, (k, h))| (KeyInfo { key_id: AccessKeyId::parse(&format!("AKIAPROP{i:012}")).unwrap(), ..k }, h))
                .collect();
            let held: std::collections::HashSet<AccessKeyId> = keys.iter().filter(|(_, h)| *h).map(|(k, _)| k.key_id.clone()).collect();
            let infos: Vec<KeyInfo> = keys.iter().map(|(k, _)| k.clone()).collect();
            let rules = HygieneRules { max_age, unused_days, report_shadow, ..Default::default() };
            let today = day("2025-01-01") + chrono::Duration::days(today);
            let got = decide_keys(&infos, |k| held.contains(k), today, tokyo(), &rules);
            for k in &infos {
                let shadows = got.iter().filter(|(x, a)| x.key_id == k.key_id && *a == KeyAction::Shadow).count();
                let expected = usize::from(report_shadow && k.active && !held.contains(&k.key_id));
                prop_assert_eq!(shadows, expected, "{:?}", k);
                // A key deleted for its age is not deactivated too.
                let deleted = got.iter().any(|(x, a)| x.key_id == k.key_id && matches!(a, KeyAction::AgeDelete { .. }));
                let deactivated = got.iter().any(|(x, a)| x.key_id == k.key_id && matches!(a, KeyAction::Deactivate { .. }));
                prop_assert!(!(deleted && deactivated));
            }
        }
    }

    #[test]
    fn a_lost_rotation_is_recovered_only_from_a_newer_key_of_the_same_user() {
        let rotation = Rotation {
            users: vec![IamUserName::parse("u1").unwrap()],
            days: 90,
            secret_prefix: "keywarden/".into(),
        };
        let old = key("AKIAOLD0000000000001", "2026-01-01", None, false);
        let new = key("AKIANEW0000000000001", "2026-04-01", None, true);
        let other_user = KeyInfo {
            user: IamUserName::parse("u2").unwrap(),
            ..key("AKIAU2KEY00000000001", "2026-05-01", None, true)
        };
        let keys = [old.clone(), new.clone(), other_user.clone()];
        let u1 = IamUserName::parse("u1").unwrap();
        let only_old = |k: &AccessKeyId| k == &old.key_id;

        // The row holds the inactive old key: u1's secret is worth reading.
        assert_eq!(
            recovery_candidates(&keys, &rotation, only_old),
            vec![(u1.clone(), vec![old.key_id.clone()])]
        );
        // A row holding only active keys (the rotation reached the sheet) reads nothing.
        assert!(recovery_candidates(&keys, &rotation, |k| k == &new.key_id).is_empty());

        assert_eq!(
            recovery(&keys, &u1, &old.key_id, &new.key_id, only_old),
            Some(Recovery {
                user: u1.clone(),
                row_key: old.key_id.clone(),
                new_key: new.key_id.clone(),
            })
        );
        // Not the secret's key: the same key, another user's, an older one, a key IAM does not
        // list, or a key some row holds already.
        assert_eq!(
            recovery(&keys, &u1, &old.key_id, &old.key_id, only_old),
            None
        );
        assert_eq!(
            recovery(&keys, &u1, &old.key_id, &other_user.key_id, only_old),
            None
        );
        let older = [
            key("AKIAOLD0000000000001", "2026-05-01", None, false),
            key("AKIANEW0000000000001", "2026-04-01", None, true),
        ];
        assert_eq!(
            recovery(&older, &u1, &old.key_id, &new.key_id, only_old),
            None
        );
        let gone = AccessKeyId::parse("AKIAGONE000000000001").unwrap();
        assert_eq!(recovery(&keys, &u1, &old.key_id, &gone, only_old), None);
        assert_eq!(
            recovery(&keys, &u1, &old.key_id, &new.key_id, |_| true),
            None
        );
        // An active row key was never rotated away.
        let active = [key("AKIAOLD0000000000001", "2026-01-01", None, true), new];
        assert_eq!(
            recovery(&active, &u1, &old.key_id, &active[1].key_id, only_old),
            None
        );
    }

    #[test]
    fn only_the_key_id_is_read_from_a_rotation_secret() {
        let secret = Secret::new(
            r#"{"AccessKeyId":"AKIANEW0000000000001","SecretAccessKey":"wJalrXUtnFEMI/K7MDENG"}"#,
        );
        assert_eq!(
            stored_key_id(&secret),
            Some(AccessKeyId::parse("AKIANEW0000000000001").unwrap())
        );
        for text in [
            "",
            "not json",
            r#"{"AccessKeyId":"nope"}"#,
            r#"{"Other":1}"#,
        ] {
            assert_eq!(stored_key_id(&Secret::new(text)), None, "{text}");
        }
    }

    #[test]
    fn rotation_is_due_on_the_newest_active_key() {
        let rotation = Rotation {
            users: vec![IamUserName::parse("u1").unwrap()],
            days: 90,
            secret_prefix: "keywarden/".into(),
        };
        let keys = [
            key("AKIAOLD0000000000001", "2026-01-01", None, false),
            key("AKIANEW0000000000001", "2026-02-01", None, true),
        ];
        assert_eq!(
            rotations_due(&keys, day("2026-05-01"), tokyo(), &rotation),
            vec![],
            "89 days"
        );
        let due = rotations_due(&keys, day("2026-05-02"), tokyo(), &rotation);
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].old_key.as_str(), "AKIANEW0000000000001");
        assert_eq!(
            due[0].inactive_keys,
            vec![AccessKeyId::parse("AKIAOLD0000000000001").unwrap()]
        );
        assert!(due[0].other_active.is_empty());
        let two_active = [
            key("AKIAOLD0000000000001", "2026-01-01", None, true),
            key("AKIANEW0000000000001", "2026-02-01", None, true),
        ];
        let due = rotations_due(&two_active, day("2026-05-02"), tokyo(), &rotation);
        assert_eq!(due[0].old_key.as_str(), "AKIANEW0000000000001");
        assert_eq!(
            due[0].other_active,
            vec![AccessKeyId::parse("AKIAOLD0000000000001").unwrap()]
        );
    }
}
