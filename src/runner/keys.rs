//! SPEC §8: the key rules (age, unused, rotation, shadow keys), carried out like the sheet's
//! rows: one record each, the same cap, the same summary.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use futures::stream::{self, StreamExt};

use super::{Job, Mode, PendingWrite, RowResult, WriteKind, cap_refusal};
use crate::domain::{AccessKeyId, IamUserName, RowStatus, Secret};
use crate::hygiene::{self, KeyAction, KeyInfo, RotationDue};
use crate::messages::{self, KeyRef};
use crate::plan::{Decision, Plan};
use crate::report::{ActionKind, ActionRecord, Message, Outcome, Report};
use crate::services::{Iam, Messenger, SheetStore, Vault};
use crate::sheet::{Directory, Owner, RequestRow, RequestTable};
use crate::teardown::Step;

/// One key rule to carry out, and who to tell.
pub(super) struct KeyWork {
    record: usize,
    user: IamUserName,
    key: AccessKeyId,
    what: KeyWhat,
    /// The sheet row holding the key (`None`: only administrators hear).
    row: Option<usize>,
    owner_name: String,
    owner: Owner,
}

enum KeyWhat {
    Rule(KeyAction),
    Rotate(RotationDue),
}

impl KeyWhat {
    fn kind(&self) -> ActionKind {
        match self {
            KeyWhat::Rule(KeyAction::AgeNotify { .. }) => ActionKind::AgeNotify,
            KeyWhat::Rule(KeyAction::AgeDelete { .. }) => ActionKind::AgeDelete,
            KeyWhat::Rule(KeyAction::Deactivate { .. }) => ActionKind::Deactivate,
            KeyWhat::Rule(KeyAction::Shadow) => ActionKind::Shadow,
            KeyWhat::Rotate(_) => ActionKind::Rotate,
        }
    }

    /// Keys this work deletes: each counts toward `max_deletions`.
    fn deletions(&self) -> usize {
        match self {
            KeyWhat::Rule(KeyAction::AgeDelete { .. }) => 1,
            KeyWhat::Rotate(r) => r.inactive_keys.len(),
            KeyWhat::Rule(_) => 0,
        }
    }
}

/// Why a rotation cannot run while the user has two active keys, and what to do.
fn two_active_keys(r: &RotationDue) -> String {
    let older: Vec<&str> = r.other_active.iter().map(|k| k.as_str()).collect();
    format!(
        "rotation refused: {} has two active keys ({} and {}) and IAM allows two per user, so no \
         new key can be created; keywarden does not choose which one goes. Check which key is \
         still in use, then set the other one Inactive or delete it by hand (aws iam \
         update-access-key --status Inactive); the rotation runs on the next run",
        r.user,
        older.join(", "),
        r.old_key
    )
}

pub(super) fn deletions(work: &[KeyWork]) -> usize {
    work.iter().map(|w| w.what.deletions()).sum()
}

/// Keys the unused rule sets Inactive: they count toward `max_deactivations` (SPEC §8).
pub(super) fn deactivations(work: &[KeyWork]) -> usize {
    work.iter().filter(|w| is_deactivation(w)).count()
}

/// Over the deactivation cap: drops the unused rule's deactivations, returns their records.
pub(super) fn refuse_deactivations(work: &mut Vec<KeyWork>) -> Vec<usize> {
    let refused = work
        .iter()
        .filter(|w| is_deactivation(w))
        .map(|w| w.record)
        .collect();
    work.retain(|w| !is_deactivation(w));
    refused
}

fn is_deactivation(w: &KeyWork) -> bool {
    matches!(w.what, KeyWhat::Rule(KeyAction::Deactivate { .. }))
}

impl<S: SheetStore, M: Messenger, I: Iam, V: Vault> Job<'_, S, M, I, V> {
    /// Lists the account's keys and decides the rules; each decision gets its record now.
    pub(super) async fn key_plan(
        &self,
        table: &RequestTable,
        directory: &Directory,
        plan: &Plan<'_>,
        today: NaiveDate,
        mode: Mode,
        report: &mut Report,
    ) -> Vec<KeyWork> {
        let s = self.settings;
        if !s.hygiene.any() {
            return Vec::new();
        }
        let keys = match self
            .iam
            .account_keys(&s.iam_path_prefix, mode == Mode::Run)
            .await
        {
            Ok(keys) => keys,
            Err(e) => {
                report.actions.push(ActionRecord::alert(
                    Outcome::Failed,
                    format!(
                        "the key rules did not run: listing the account's access keys failed: {e}"
                    ),
                ));
                return Vec::new();
            }
        };
        // Users torn down in this run lose every key anyway; protected users are never touched.
        let torn_down: HashSet<String> = plan
            .rows
            .iter()
            .filter(|p| p.decision == Decision::Delete)
            .map(|p| p.row.account.to_ascii_lowercase())
            .collect();
        // A row's own key being deactivated or reactivated today is the row's business: the
        // unused-key rule must not undo an administrator's extension in the same run.
        let switched: HashSet<&str> = plan
            .rows
            .iter()
            .filter(|p| matches!(p.decision, Decision::Deactivate | Decision::Reactivate))
            .map(|p| p.row.key_id.as_str())
            .collect();
        let keys: Vec<KeyInfo> = keys
            .into_iter()
            .filter(|k| {
                !s.protected_users.contains(&k.user)
                    && !torn_down.contains(&k.user.folded())
                    && !switched.contains(k.key_id.as_str())
            })
            .collect();
        // The first live row holding a key is its row (duplicates are reported elsewhere).
        let mut holder: HashMap<&str, &RequestRow> = HashMap::new();
        for row in table.rows.iter().filter(|r| r.status != RowStatus::Deleted) {
            holder.entry(row.key_id.as_str()).or_insert(row);
        }
        let held: HashSet<&str> = holder.keys().copied().collect();
        let rotations = match &s.hygiene.rotation {
            Some(rotation) => hygiene::rotations_due(&keys, today, s.timezone, rotation),
            None => Vec::new(),
        };
        // A due rotation owns its user's keys today: no age or unused rule races it.
        let rotated: HashSet<&AccessKeyId> = rotations
            .iter()
            .flat_map(|r| std::iter::once(&r.old_key).chain(&r.inactive_keys))
            .collect();
        let mut work: Vec<(IamUserName, AccessKeyId, KeyWhat)> = Vec::new();
        for (k, action) in hygiene::decide_keys(&keys, &held, today, s.timezone, &s.hygiene) {
            if rotated.contains(&k.key_id) && !matches!(action, KeyAction::Shadow) {
                continue;
            }
            if matches!(action, KeyAction::Deactivate { .. })
                && !self.still_unused(&k, today, report).await
            {
                continue;
            }
            work.push((k.user, k.key_id, KeyWhat::Rule(action)));
        }
        work.extend(
            rotations
                .into_iter()
                .map(|r| (r.user.clone(), r.old_key.clone(), KeyWhat::Rotate(r))),
        );
        work.into_iter()
            .map(|(user, key, what)| {
                let row = holder.get(key.as_str()).copied();
                let owner = row
                    .and_then(|r| r.valid.as_ref().ok())
                    .map(|v| directory.lookup(&v.owner))
                    .unwrap_or(Owner::NotFound);
                let owner_name = row.map(|r| r.owner.clone()).unwrap_or_default();
                let record = report.actions.len();
                report.actions.push(ActionRecord {
                    row: row.map(|r| r.row),
                    account: user.to_string(),
                    access_key_id: key.to_string(),
                    owner: owner_name.clone(),
                    action: what.kind(),
                    outcome: Outcome::Planned,
                    detail: String::new(),
                });
                KeyWork {
                    record,
                    user,
                    key,
                    what,
                    row: row.map(|r| r.row),
                    owner_name,
                    owner,
                }
            })
            .collect()
    }

    /// The last use may come from a credential report up to four hours old: before a key is
    /// set Inactive, IAM is asked again, so a key used this morning is left alone.
    async fn still_unused(&self, key: &KeyInfo, today: NaiveDate, report: &mut Report) -> bool {
        let Some(unused_days) = self.settings.hygiene.unused_days else {
            return false;
        };
        match self.iam.key_last_used(&key.key_id).await {
            Ok(last_used) => {
                let fresh = KeyInfo {
                    last_used: last_used.or(key.last_used),
                    ..key.clone()
                };
                fresh.idle(today, self.settings.timezone) >= unused_days
            }
            Err(e) => {
                report.actions.push(ActionRecord::alert(
                    Outcome::Failed,
                    format!("key {} of {} was not deactivated: its last use could not be confirmed: {e}", key.key_id, key.user),
                ));
                false
            }
        }
    }

    /// One user's key work runs in order; different users side by side.
    pub(super) async fn key_actions(
        &self,
        work: &[KeyWork],
        mode: Mode,
        allowed: bool,
        total: usize,
    ) -> Vec<RowResult> {
        let mut by_user: BTreeMap<String, Vec<&KeyWork>> = BTreeMap::new();
        for w in work {
            by_user.entry(w.user.folded()).or_default().push(w);
        }
        stream::iter(by_user.into_values())
            .map(|items| async move {
                let mut out = Vec::new();
                for w in items {
                    out.push(self.key_action(w, mode, allowed, total).await);
                }
                out
            })
            .buffer_unordered(self.settings.concurrency.max(1))
            .flat_map(stream::iter)
            .collect()
            .await
    }

    async fn key_action(&self, w: &KeyWork, mode: Mode, allowed: bool, total: usize) -> RowResult {
        let mut result = RowResult {
            record: w.record,
            ..Default::default()
        };
        let k = KeyRef {
            owner: &w.owner_name,
            user: w.user.as_str(),
            key: w.key.as_str(),
        };
        let outcome = match (&w.what, mode) {
            (what, _) if !allowed && what.deletions() > 0 => (
                Outcome::Refused,
                cap_refusal(total, self.settings.rules.max_deletions),
            ),
            (KeyWhat::Rule(KeyAction::Shadow), _) => (
                if mode == Mode::DryRun {
                    Outcome::Planned
                } else {
                    Outcome::Done
                },
                format!(
                    "active key of {} that no sheet row holds: add a row for it, or delete the key",
                    w.user
                ),
            ),
            (KeyWhat::Rule(KeyAction::AgeNotify { age, days_left }), Mode::DryRun) => (
                Outcome::Planned,
                format!("would warn: the key is {age} days old and is deleted in {days_left} days"),
            ),
            (KeyWhat::Rule(KeyAction::AgeNotify { age, days_left }), Mode::Run) => {
                self.tell_key_owner(
                    w,
                    messages::key_age_notice(&k, *age, *days_left),
                    &mut result,
                )
                .await;
                (
                    Outcome::Done,
                    format!("the key is {age} days old: deleted in {days_left} days"),
                )
            }
            (KeyWhat::Rule(KeyAction::AgeDelete { age }), Mode::DryRun) => (
                Outcome::Planned,
                format!("would delete the key, {age} days old (the user stays)"),
            ),
            (KeyWhat::Rule(KeyAction::AgeDelete { age }), Mode::Run) => {
                match self
                    .iam
                    .apply(&w.user, &Step::DeleteAccessKey(w.key.clone()))
                    .await
                {
                    Err(e) => (Outcome::Failed, format!("could not delete the key: {e}")),
                    Ok(_) => {
                        self.tell_key_owner(w, messages::key_age_deleted(&k, *age), &mut result)
                            .await;
                        (
                            Outcome::Done,
                            format!("key deleted, {age} days old (the user stays)"),
                        )
                    }
                }
            }
            (KeyWhat::Rule(KeyAction::Deactivate { idle }), Mode::DryRun) => (
                Outcome::Planned,
                format!("would set the key Inactive: unused for {idle} days"),
            ),
            (KeyWhat::Rule(KeyAction::Deactivate { idle }), Mode::Run) => {
                match self.iam.set_key_active(&w.user, &w.key, false).await {
                    Err(e) => (
                        Outcome::Failed,
                        format!("could not set the key Inactive: {e}"),
                    ),
                    Ok(()) => {
                        self.tell_key_owner(
                            w,
                            messages::key_deactivated_unused(&k, *idle),
                            &mut result,
                        )
                        .await;
                        (
                            Outcome::Done,
                            format!("key set Inactive: unused for {idle} days (not deleted)"),
                        )
                    }
                }
            }
            // [safety branch] SPEC §8: two active keys leave no slot for a new one.
            (KeyWhat::Rotate(r), _) if !r.other_active.is_empty() => {
                (Outcome::Refused, two_active_keys(r))
            }
            (KeyWhat::Rotate(r), Mode::DryRun) => (
                Outcome::Planned,
                format!(
                    "would rotate: newest key {} days old; delete {} inactive key(s), create a key, \
                     store it in secret {}, set {} Inactive",
                    r.age,
                    r.inactive_keys.len(),
                    self.secret_name(&r.user),
                    r.old_key
                ),
            ),
            (KeyWhat::Rotate(r), Mode::Run) => self.rotate(w, r, &mut result).await,
        };
        result.outcome = Some(outcome);
        result
    }

    fn secret_name(&self, user: &IamUserName) -> String {
        let prefix = self
            .settings
            .hygiene
            .rotation
            .as_ref()
            .map(|r| r.secret_prefix.as_str())
            .unwrap_or_default();
        format!("{prefix}{user}")
    }

    /// SPEC §8 rotation. The new secret goes to the vault and nowhere else: not Slack, not the
    /// logs, not the sheet, not the report.
    async fn rotate(
        &self,
        w: &KeyWork,
        r: &RotationDue,
        result: &mut RowResult,
    ) -> (Outcome, String) {
        for inactive in &r.inactive_keys {
            if let Err(e) = self
                .iam
                .apply(&r.user, &Step::DeleteAccessKey(inactive.clone()))
                .await
            {
                return (
                    Outcome::Failed,
                    format!("rotation stopped: deleting inactive key {inactive} failed: {e}"),
                );
            }
        }
        let (new_key, secret) = match self.iam.create_key(&r.user).await {
            Ok(created) => created,
            Err(e) => {
                return (
                    Outcome::Failed,
                    format!("rotation stopped: creating a key failed: {e}"),
                );
            }
        };
        let name = self.secret_name(&r.user);
        let payload = Secret::new(
            serde_json::json!({"AccessKeyId": new_key.as_str(), "SecretAccessKey": secret.expose()}).to_string(),
        );
        if let Err(e) = self.vault.store(&name, &payload).await {
            // A key whose secret was not kept is useless: remove it rather than leave it behind.
            let undone = self
                .iam
                .apply(&r.user, &Step::DeleteAccessKey(new_key.clone()))
                .await
                .is_ok();
            return (
                Outcome::Failed,
                format!(
                    "rotation undone: storing the new key in secret {name} failed: {e}; {}; the old key is untouched",
                    if undone {
                        "the new key was deleted"
                    } else {
                        "delete the new key by hand"
                    }
                ),
            );
        }
        if let Err(e) = self.iam.set_key_active(&r.user, &r.old_key, false).await {
            return (
                Outcome::Failed,
                format!(
                    "new key {new_key} is in secret {name}, but setting the old key {} Inactive failed: {e}",
                    r.old_key
                ),
            );
        }
        if let Some(row) = w.row {
            result.write = Some(PendingWrite {
                record: w.record,
                row,
                account: r.user.clone(),
                key_id: r.old_key.clone(),
                what: WriteKind::KeyReplaced(new_key.clone()),
            });
        }
        let k = KeyRef {
            owner: &w.owner_name,
            user: w.user.as_str(),
            key: w.key.as_str(),
        };
        self.tell_key_owner(
            w,
            messages::key_rotated(&k, new_key.as_str(), &name),
            result,
        )
        .await;
        (
            Outcome::Done,
            format!(
                "rotated: new key {new_key} stored in secret {name}; old key {} set Inactive",
                r.old_key
            ),
        )
    }

    /// The key's owner hears by DM when a sheet row names them; administrators always hear
    /// through the run summary.
    async fn tell_key_owner(&self, w: &KeyWork, text: String, result: &mut RowResult) {
        let Owner::Found(id) = &w.owner else { return };
        match self.slack.send(id, &text).await {
            Ok(()) => result.messages.push(Message {
                to: id.clone(),
                text,
            }),
            Err(e) => result.alerts.push(ActionRecord {
                row: w.row,
                account: w.user.to_string(),
                access_key_id: w.key.to_string(),
                owner: w.owner_name.clone(),
                action: ActionKind::Alert,
                outcome: Outcome::Failed,
                detail: format!("owner {id} was not told: {e}"),
            }),
        }
    }
}
