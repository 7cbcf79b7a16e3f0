//! Phase: the key rules of docs/rules.md §8 (age, unused, rotation, shadow keys), decided by
//! [`crate::core::key_rules`] on the account's keys as IAM lists them, and carried out like the
//! sheet's rows: one outcome each, the same caps, the same summary.
//!
//! Longer than most modules: planning (which keys, which rules, whose row) and carrying out
//! (each rule, the rotation's four steps) share the `KeyWork` type and read best side by side.

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use futures::stream::{self, StreamExt};

use super::accounts::{AccountWork, current};
use super::rows::Caps;
use super::{Job, Mode, Services, write_back};
use crate::adapters::{Iam, ReportUse, Vault};
use crate::core::domain::{AccessKeyId, IamUserName, Secret};
use crate::core::key_rules::{self, KeyAction, KeyInfo, Recovery, RotationDue};
use crate::core::outcome::{
    Action, ActionOutcome, Alert, CellChange, Dm, KeyResult, KeyRule, RotationStep, SheetChange,
    Subject,
};
use crate::core::plan::Decision;
use crate::core::sheet::{Directory, Owner, RequestLayout, RequestRow, RequestTable};
use crate::core::teardown::Step;
use crate::core::words::dms::{self, KeyRef};

/// What a key rule asks for one key.
pub enum Work {
    Rule(KeyAction),
    Rotate(RotationDue),
    /// An earlier rotation's new key ID, read back from its secret, for the row still holding
    /// the old key (a sheet change only).
    Recover(Recovery),
}

/// One key rule to carry out, and who to tell.
pub struct KeyWork {
    user: IamUserName,
    key: AccessKeyId,
    work: Work,
    subject: Subject,
    /// The sheet row holding the key, if any: its owner hears by DM.
    row: Option<usize>,
    owner: Owner,
}

impl Work {
    /// Keys this work deletes: each counts toward `max_deletions`.
    fn deletions(&self) -> usize {
        match self {
            Work::Rule(KeyAction::AgeDelete { .. }) => 1,
            Work::Rotate(r) => r.inactive_keys.len(),
            Work::Rule(_) | Work::Recover(_) => 0,
        }
    }

    fn deactivates(&self) -> bool {
        matches!(self, Work::Rule(KeyAction::Deactivate { .. }))
    }
}

impl KeyWork {
    /// Keys this work deletes: each counts toward `max_deletions`.
    pub fn deletions(&self) -> usize {
        self.work.deletions()
    }

    /// Whether this work sets a key Inactive (counts toward the deactivation cap).
    pub fn deactivates(&self) -> bool {
        self.work.deactivates()
    }
}

/// The key rules that apply today, and the alerts of finding out.
#[derive(Default)]
pub struct KeyPlan {
    pub work: Vec<KeyWork>,
    pub alerts: Vec<ActionOutcome>,
}

/// Lists the account's keys and decides the rules.
pub async fn plan<X: Services>(
    job: &Job<'_, X>,
    table: &RequestTable,
    directory: &Directory,
    work: &AccountWork<'_>,
) -> KeyPlan {
    let (today, mode) = (work.today, work.mode);
    let s = job.settings;
    if !s.hygiene.any() {
        return KeyPlan::default();
    }
    // The deadline gate: no listing started with seconds left (the run reports the time-out).
    if job.deadline.passed() {
        return KeyPlan::default();
    }
    // Generating a credential report is a write: never in a dry run.
    let report = match mode {
        Mode::Run => ReportUse::MayGenerate,
        Mode::DryRun => ReportUse::ExistingOnly,
    };
    let keys = match job.iam.account_keys(&s.iam_path_prefix, report).await {
        Ok(keys) => keys,
        Err(e) => {
            return KeyPlan {
                work: Vec::new(),
                alerts: vec![ActionOutcome::alert(Alert::KeyListingFailed {
                    error: e.to_string(),
                })],
            };
        }
    };
    // Users torn down in this run lose every key anyway; protected users are never touched.
    let torn_down: HashSet<IamUserName> = work
        .with(|d| *d == Decision::Delete)
        .filter_map(|p| p.row.valid().ok().map(|v| v.user))
        .collect();
    // A row's own key being deactivated or reactivated today is the row's business: the
    // unused-key rule must not undo an administrator's extension in the same run.
    let switched: HashSet<&str> = work
        .with(|d| matches!(d, Decision::Deactivate | Decision::Reactivate))
        .map(|p| p.row.key_id())
        .collect();
    let (tearing_down, keys): (Vec<KeyInfo>, Vec<KeyInfo>) = keys
        .into_iter()
        .filter(|k| !s.protected_users.contains(&k.user) && !switched.contains(k.key_id.as_str()))
        .partition(|k| torn_down.contains(&k.user));
    // A key's row is the first live row holding it in this account (duplicates are reported
    // elsewhere), found through the run's one index.
    let holder = |key: &AccessKeyId| -> Option<&RequestRow> {
        let held = work.holdings.key_row(current(s), key)?;
        table.rows.get(table.row_index(held.row())?)
    };
    let mut out = KeyPlan::default();
    // A rotated key ID that never reached the sheet is written now; that user's rotation
    // waits a run (it would delete the Inactive key the row still holds).
    let recoveries = match &s.hygiene.rotation {
        Some(rotation) => {
            let (found, alerts) = recoveries(job, &keys, rotation, |k| holder(k).is_some()).await;
            out.alerts.extend(alerts);
            found
        }
        None => Vec::new(),
    };
    let recovering: HashSet<&IamUserName> = recoveries.iter().map(|r| &r.user).collect();
    let rotations = match &s.hygiene.rotation {
        Some(rotation) => key_rules::rotations_due(&keys, today, s.timezone, rotation)
            .into_iter()
            .filter(|r| !recovering.contains(&r.user))
            .collect(),
        None => Vec::new(),
    };
    // A due rotation owns its user's keys today: no age or unused rule races it.
    let rotated: HashSet<&AccessKeyId> = rotations
        .iter()
        .flat_map(|r| std::iter::once(&r.old_key).chain(&r.inactive_keys))
        .collect();
    let mut found: Vec<(IamUserName, AccessKeyId, Work)> = Vec::new();
    for (k, action) in key_rules::decide_keys(
        &keys,
        |k| holder(k).is_some(),
        today,
        s.timezone,
        &s.hygiene,
    ) {
        if rotated.contains(&k.key_id) && !matches!(action, KeyAction::Shadow) {
            continue;
        }
        // Past the deadline the work is still listed, and `one` reports it not started.
        if matches!(action, KeyAction::Deactivate { .. }) && !job.deadline.passed() {
            match still_unused(job, &k, today).await {
                Ok(true) => {}
                Ok(false) => continue,
                Err(alert) => {
                    out.alerts.push(alert);
                    continue;
                }
            }
        }
        found.push((k.user, k.key_id, Work::Rule(action)));
    }
    // No rule acts on the keys of a user due for teardown, but one of its active keys that no
    // row holds is still listed: the teardown may be refused (a cap, the proof) and the key
    // stay active.
    if s.hygiene.report_shadow {
        found.extend(
            tearing_down
                .into_iter()
                .filter(|k| k.active && holder(&k.key_id).is_none())
                .map(|k| (k.user, k.key_id, Work::Rule(KeyAction::Shadow))),
        );
    }
    found.extend(
        rotations
            .into_iter()
            .map(|r| (r.user.clone(), r.old_key.clone(), Work::Rotate(r))),
    );
    found.extend(
        recoveries
            .into_iter()
            .map(|r| (r.user.clone(), r.row_key.clone(), Work::Recover(r))),
    );
    out.work = found
        .into_iter()
        .map(|(user, key, work)| {
            let row = holder(&key);
            let owner = row
                .and_then(|r| r.valid().ok())
                .map(|v| directory.lookup(&v.owner))
                .unwrap_or(Owner::NotFound);
            KeyWork {
                subject: Subject {
                    row: row.map(|r| r.row),
                    user: user.as_str().into(),
                    access_key_id: key.as_str().into(),
                    owner: row.map(|r| r.owner().into()).unwrap_or_default(),
                    aws_account: s.accounts.current.clone(),
                },
                row: row.map(|r| r.row),
                user,
                key,
                work,
                owner,
            }
        })
        .collect();
    out
}

/// For each rotated user a row of which holds one of its Inactive keys, the rotation's
/// secret is read: a newer key of the user there is a new key ID that never reached the sheet
/// (its write failed, or the run died). The secret's text stays in its redacting type and only
/// its key ID is taken out.
async fn recoveries<X: Services>(
    job: &Job<'_, X>,
    keys: &[KeyInfo],
    rotation: &key_rules::Rotation,
    held: impl Fn(&AccessKeyId) -> bool,
) -> (Vec<Recovery>, Vec<ActionOutcome>) {
    let candidates = key_rules::recovery_candidates(keys, rotation, &held);
    let read: Vec<_> = stream::iter(&candidates)
        .map(|(user, _)| async move {
            let name = secret_name(job, user);
            let stored = job.vault.read(&name).await;
            (name, stored)
        })
        .buffered(job.settings.concurrency.max(1))
        .collect()
        .await;
    let (mut found, mut alerts) = (Vec::new(), Vec::new());
    for ((user, row_keys), (name, stored)) in candidates.iter().zip(read) {
        let stored = match stored {
            Ok(Some(secret)) => key_rules::stored_key_id(&secret),
            // No secret: the key was set Inactive by other means; nothing was lost.
            Ok(None) => None,
            Err(e) => {
                alerts.extend(row_keys.iter().map(|key| {
                    ActionOutcome::alert(Alert::RotatedKeyUnchecked {
                        user: user.clone(),
                        key: key.clone(),
                        secret: name.clone(),
                        error: e.to_string(),
                    })
                }));
                continue;
            }
        };
        let Some(stored) = stored else { continue };
        let mine: Vec<Recovery> = row_keys
            .iter()
            .filter_map(|k| key_rules::recovery(keys, user, k, &stored, &held))
            .collect();
        // One new key for one row: were two rows' keys both older, none is guessed.
        if let [only] = mine.as_slice() {
            found.push(only.clone());
        }
    }
    (found, alerts)
}

/// The last use may come from a credential report up to four hours old: before a key is set
/// Inactive, IAM is asked again, so a key used this morning is left alone.
async fn still_unused<X: Services>(
    job: &Job<'_, X>,
    key: &KeyInfo,
    today: NaiveDate,
) -> Result<bool, ActionOutcome> {
    let s = job.settings;
    let Some(unused_days) = s.hygiene.unused_days else {
        return Ok(false);
    };
    match job.iam.key_last_used(&key.key_id).await {
        Ok(last_used) => {
            let fresh = KeyInfo {
                last_used: last_used.or(key.last_used),
                ..key.clone()
            };
            Ok(fresh.idle(today, s.timezone) >= unused_days)
        }
        Err(e) => Err(ActionOutcome::alert(Alert::LastUseUnconfirmed {
            user: key.user.clone(),
            key: key.key_id.clone(),
            error: e.to_string(),
        })),
    }
}

/// One user's key work runs in order; different users side by side. A rotation's new key ID
/// is written to its row as soon as the rotation is done (docs/rules.md §4): a key whose ID only
/// this process knew would be lost with it.
pub async fn run<X: Services>(
    job: &Job<'_, X>,
    layout: &RequestLayout,
    work: &[KeyWork],
    caps: &Caps,
    mode: Mode,
) -> Vec<ActionOutcome> {
    let mut by_user: BTreeMap<&IamUserName, Vec<&KeyWork>> = BTreeMap::new();
    for w in work {
        by_user.entry(&w.user).or_default().push(w);
    }
    let mut out: Vec<(usize, ActionOutcome)> = stream::iter(by_user.into_values())
        .map(|items| async move {
            let mut out = Vec::new();
            for w in items {
                let mut outcome = one(job, w, caps, mode).await;
                if mode == Mode::Run && outcome.sheet.is_some() {
                    write_back::run(job, layout, [&mut outcome]).await;
                }
                out.push((index_of(work, w), outcome));
            }
            out
        })
        .buffer_unordered(job.settings.concurrency.max(1))
        .flat_map(stream::iter)
        .collect()
        .await;
    // Work ran concurrently; report it in the order it was decided.
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, o)| o).collect()
}

fn index_of(work: &[KeyWork], w: &KeyWork) -> usize {
    work.iter()
        .position(|x| std::ptr::eq(x, w))
        .unwrap_or(usize::MAX)
}

fn secret_name<X: Services>(job: &Job<'_, X>, user: &IamUserName) -> String {
    let prefix = job
        .settings
        .hygiene
        .rotation
        .as_ref()
        .map(|r| r.secret_prefix.as_str())
        .unwrap_or_default();
    format!("{prefix}{user}")
}

async fn one<X: Services>(job: &Job<'_, X>, w: &KeyWork, caps: &Caps, mode: Mode) -> ActionOutcome {
    let rule = match &w.work {
        Work::Rule(action) => KeyRule::Rule(action.clone()),
        Work::Rotate(r) => KeyRule::Rotate {
            age: r.age,
            inactive_keys: r.inactive_keys.len(),
            secret: secret_name(job, &r.user),
            old_key: r.old_key.clone(),
        },
        Work::Recover(r) => KeyRule::RecoverRotated {
            secret: secret_name(job, &r.user),
            new_key: r.new_key.clone(),
        },
    };
    let k = KeyRef {
        owner: &w.subject.owner,
        user: w.user.as_str(),
        key: w.key.as_str(),
        account: job.settings.accounts.current.as_ref(),
    };
    let mut dm = None;
    let mut sheet = None;
    let result = match (&w.work, mode) {
        (work, _) if work.deletions() > 0 && !caps.deletions_allowed() => KeyResult::Cap {
            due: caps.deletions_due,
            max: caps.max_deletions,
        },
        (work, _) if work.deactivates() && !caps.deactivations_allowed() => {
            KeyResult::DeactivationCap {
                due: caps.deactivations_due,
                max: caps.max_deactivations,
            }
        }
        // Two active keys leave no slot for a new one: say what to do instead of failing daily.
        (Work::Rotate(r), _) if !r.other_active.is_empty() => KeyResult::TwoActiveKeys {
            other: r.other_active.clone(),
        },
        (_, Mode::DryRun) => KeyResult::Planned,
        // The deadline gate, before every IAM change of a key rule.
        (
            Work::Rule(KeyAction::AgeDelete { .. } | KeyAction::Deactivate { .. })
            | Work::Rotate(_),
            _,
        ) if job.deadline.passed() => KeyResult::OutOfTime,
        (Work::Rule(KeyAction::Shadow), Mode::Run) => KeyResult::Done,
        (Work::Rule(KeyAction::AgeNotify { age, days_left }), Mode::Run) => {
            dm = Some(dms::key_age_notice(&k, *age, *days_left));
            KeyResult::Done
        }
        (Work::Rule(KeyAction::AgeDelete { age }), Mode::Run) => {
            match job
                .iam
                .apply(&w.user, &Step::DeleteAccessKey(w.key.clone()))
                .await
            {
                Err(e) => KeyResult::Failed {
                    error: e.to_string(),
                },
                Ok(_) => {
                    dm = Some(dms::key_age_deleted(&k, *age));
                    KeyResult::Done
                }
            }
        }
        (Work::Rule(KeyAction::Deactivate { idle }), Mode::Run) => {
            match job.iam.set_key_active(&w.user, &w.key, false).await {
                Err(e) => KeyResult::Failed {
                    error: e.to_string(),
                },
                Ok(()) => {
                    dm = Some(dms::key_deactivated_unused(&k, *idle));
                    KeyResult::Done
                }
            }
        }
        // A sheet change like the rotation's own, written at once by `run`.
        (Work::Recover(r), Mode::Run) => {
            if let Some(row) = w.row {
                sheet = Some(SheetChange {
                    row,
                    user: r.user.clone(),
                    key: r.row_key.clone(),
                    change: CellChange::KeyReplaced(r.new_key.clone()),
                    result: None,
                    status_read: None,
                });
            }
            KeyResult::Done
        }
        (Work::Rotate(r), Mode::Run) => match rotate(job, r).await {
            Ok(new_key) => {
                let name = secret_name(job, &r.user);
                dm = Some(dms::key_rotated(&k, new_key.as_str(), &name));
                if let Some(row) = w.row {
                    sheet = Some(SheetChange {
                        row,
                        user: r.user.clone(),
                        key: r.old_key.clone(),
                        change: CellChange::KeyReplaced(new_key.clone()),
                        status_read: None,
                        result: None,
                    });
                }
                KeyResult::Rotated { new_key }
            }
            Err((at, error)) => KeyResult::RotationStopped { at, error },
        },
    };
    let mut outcome = ActionOutcome::new(w.subject.clone(), Action::Key { rule, result });
    outcome.sheet = sheet;
    // The key's owner hears by DM when a sheet row names them; administrators always hear
    // through the run summary.
    if let (Some(text), Owner::Found(to)) = (dm, &w.owner) {
        outcome.owner_dm = Some(Dm::Composed {
            to: to.clone(),
            text,
        });
    }
    outcome
}

/// docs/rules.md §8 rotation. The new secret goes to the vault and nowhere else: not Slack, not the
/// logs, not the sheet, not the report.
async fn rotate<X: Services>(
    job: &Job<'_, X>,
    r: &RotationDue,
) -> Result<AccessKeyId, (RotationStep, String)> {
    for inactive in &r.inactive_keys {
        job.iam
            .apply(&r.user, &Step::DeleteAccessKey(inactive.clone()))
            .await
            .map_err(|e| {
                (
                    RotationStep::DeleteInactive(inactive.clone()),
                    e.to_string(),
                )
            })?;
    }
    let (new_key, secret) = job
        .iam
        .create_key(&r.user)
        .await
        .map_err(|e| (RotationStep::CreateKey, e.to_string()))?;
    let name = secret_name(job, &r.user);
    let payload = Secret::new(
        serde_json::json!({"AccessKeyId": new_key.as_str(), "SecretAccessKey": secret.expose()})
            .to_string(),
    );
    if let Err(e) = job.vault.store(&name, &payload).await {
        // A key whose secret was not kept is useless: remove it rather than leave it behind.
        let undone = job
            .iam
            .apply(&r.user, &Step::DeleteAccessKey(new_key.clone()))
            .await
            .is_ok();
        return Err((RotationStep::StoreSecret { undone }, e.to_string()));
    }
    job.iam
        .set_key_active(&r.user, &r.old_key, false)
        .await
        .map_err(|e| {
            (
                RotationStep::DeactivateOld {
                    new_key: new_key.clone(),
                },
                e.to_string(),
            )
        })?;
    Ok(new_key)
}
