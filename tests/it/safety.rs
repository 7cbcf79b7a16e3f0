//! The rules that guard deletions, checked over generated sheets, and the promise that secrets
//! never reach stdout, stderr or the report.

use crate::support;

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use keywarden::adapters::{CellWrite, Iam};
use keywarden::app::run::{Job, Mode};
use keywarden::configuration::JobSettings;
use keywarden::core::domain::{AccessKeyId, AwsAccountId, IamUserName, SlackUserId};
use keywarden::core::outcome::ActionKind;
use keywarden::core::plan::Rules;
use keywarden::core::report::{Outcome, Report};
use keywarden::core::sheet::Grid;
use keywarden::core::teardown::{Step, UserInventory};
use proptest::prelude::*;
use serde_json::{Value, json};
use support::app::TestEnv;
use support::google::Endpoint;

use crate::fixtures::{ACCOUNT_ALIASES, ACCOUNT_IDS, EXAMPLE_KEY, row, tanaka};
use crate::memory::{Asked, IamTruth, RecordingSheets, RecordingSlack, TruthFleet, TruthIam};

// --- Generated sheets ---------------------------------------------------------------------

#[derive(Debug, Clone)]
struct GenRow {
    status: &'static str,
    account: usize,
    key: usize,
    /// Days from today; `None` is an unreadable date.
    end: Option<i64>,
    notified: Option<i64>,
}

fn key_id(i: usize) -> String {
    format!("AKIAGENERATED{i:07}")
}

fn gen_row() -> impl Strategy<Value = GenRow> {
    (
        prop::sample::select(vec!["", "", "", "延長", "削除済み", "利用中", "延長→削除"]),
        0usize..5,
        0usize..8,
        prop::option::weighted(0.9, -20i64..20),
        prop::option::of(-20i64..5),
    )
        .prop_map(|(status, account, key, end, notified)| GenRow {
            status,
            account,
            key,
            end,
            notified,
        })
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

fn header() -> Vec<Value> {
    [
        "氏名",
        "アカウント名",
        "アクセスキーID",
        "アクセスキー利用終了日",
        "状態",
        "通知日",
    ]
    .iter()
    .map(|h| json!(h))
    .collect()
}

fn grid(rows: &[GenRow]) -> Grid {
    let mut g = vec![header()];
    for r in rows {
        let end = match r.end {
            Some(d) => json!((today() + Duration::days(d)).format("%Y/%m/%d").to_string()),
            None => json!("来年のどこか"),
        };
        let notified = r
            .notified
            .map(|d| json!((today() + Duration::days(d)).to_string()))
            .unwrap_or(json!(""));
        g.push(vec![
            json!("田中 太郎"),
            json!(format!("user-{}", r.account)),
            json!(key_id(r.key)),
            end,
            json!(r.status),
            notified,
        ]);
    }
    g
}

/// The rules' own words (docs/rules.md §3, §4): a row may cause a deletion only when it is open,
/// readable and past its end date, and no other live row needs the same IAM user.
fn may_delete(rows: &[GenRow], user: &str) -> bool {
    let mine = |r: &&GenRow| format!("user-{}", r.account) == user;
    let open = |r: &GenRow| !r.status.contains("削除") && !r.status.contains("延長");
    let due = |r: &GenRow| open(r) && r.end.is_some_and(|d| d < 0);
    let due_rows = rows.iter().filter(mine).filter(|r| due(r)).count();
    let keeps_alive = rows
        .iter()
        .filter(mine)
        .any(|r| !due(r) && !r.status.contains("削除"));
    due_rows > 0 && !keeps_alive
}

struct Ran {
    report: Report,
    sheets: RecordingSheets,
    slack: RecordingSlack,
    iam: TruthIam,
}

/// What IAM holds for a user, beside the keys the rows name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IamState {
    /// The keys of its rows (at most two).
    Keys,
    /// No keys and no tag: a person's console user, say.
    Keyless,
    /// No keys, tagged by an interrupted teardown for the key with this index.
    Tagged(usize),
}

fn iam_state() -> impl Strategy<Value = IamState> {
    prop_oneof![
        4 => Just(IamState::Keys),
        1 => Just(IamState::Keyless),
        1 => (0usize..8).prop_map(IamState::Tagged),
    ]
}

fn run_job(rows: &[GenRow], max_deletions: usize, mode: Mode) -> Ran {
    run_job_with(rows, &[], max_deletions, mode)
}

fn run_job_with(rows: &[GenRow], states: &[IamState], max_deletions: usize, mode: Mode) -> Ran {
    run_job_tuned(rows, states, max_deletions, mode, |_| {})
}

/// [`run_job_with`], with the settings adjusted by `tune` first.
fn run_job_tuned(
    rows: &[GenRow],
    states: &[IamState],
    max_deletions: usize,
    mode: Mode,
    tune: impl FnOnce(&mut JobSettings),
) -> Ran {
    let sheets = RecordingSheets::with_requests(grid(rows));
    let mut users: HashMap<String, UserInventory> = HashMap::new();
    for r in rows {
        let inv = users
            .entry(format!("user-{}", r.account))
            .or_insert_with(|| UserInventory {
                arn: format!("arn:aws:iam::123456789012:user/user-{}", r.account),
                path: "/".into(),
                ..Default::default()
            });
        let key = AccessKeyId::parse(&key_id(r.key)).unwrap();
        match states.get(r.account).copied().unwrap_or(IamState::Keys) {
            IamState::Keys => {
                if !inv.access_keys.contains(&key) && inv.access_keys.len() < 2 {
                    inv.access_keys.push(key);
                }
            }
            IamState::Keyless => {}
            IamState::Tagged(k) => inv.teardown_tag = Some(key_id(k)),
        }
    }
    let mut truth = IamTruth::default();
    for (user, inv) in users {
        truth.insert(0, &user, inv);
    }
    let iam = TruthIam::single(truth);
    let slack = RecordingSlack::default();
    let mut settings = base_settings(max_deletions);
    tune(&mut settings);
    let report = run_on(&settings, &sheets, &slack, &iam, mode);
    Ran {
        report,
        sheets,
        slack,
        iam,
    }
}

/// The settings of every generated run: one administrator, `user-4` protected.
fn base_settings(max_deletions: usize) -> JobSettings {
    JobSettings {
        request_sheet: "key_request_form".into(),
        users_sheet: "users_json".into(),
        admins: vec![SlackUserId::parse("U0ADMIN001").unwrap()],
        rules: Rules {
            notify_days: 7,
            max_deletions,
            deactivate_grace: 0,
        },
        protected_users: vec![IamUserName::parse("user-4").unwrap()],
        iam_path_prefix: "/".into(),
        concurrency: 3,
        hygiene: Default::default(),
        timezone: chrono_tz::Tz::Asia__Tokyo,
        extension_requests: false,
        accounts: Default::default(),
        log_sheet: "keywarden_log".into(),
        days_ahead: None,
        issue: None,
    }
}

/// One run of the job against in-memory services.
fn run_on<I: Iam + Sync>(
    settings: &JobSettings,
    sheets: &RecordingSheets,
    slack: &RecordingSlack,
    iam: &I,
    mode: Mode,
) -> Report {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime
        .block_on(
            Job::new(
                settings,
                sheets,
                slack,
                iam,
                &keywarden::adapters::memory::NoVault,
                &keywarden::adapters::HomeOnly(None),
                keywarden::app::run::Deadline::none(),
            )
            .run(today(), mode),
        )
        .expect("generated sheets always have the headers")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn deletions_only_where_the_spec_says_and_never_over_the_cap(
        rows in prop::collection::vec(gen_row(), 0..14),
        states in prop::collection::vec(iam_state(), 5),
        max_deletions in 0usize..4,
    ) {
        let out = run_job_with(&rows, &states, max_deletions, Mode::Run);
        let applied = out.iam.steps();
        let deleted: Vec<&String> = applied.iter().filter(|(_, s)| *s == Step::DeleteUser).map(|(u, _)| u).collect();
        for user in &deleted {
            prop_assert!(may_delete(&rows, user), "{user} deleted against the rules: {rows:#?}");
            prop_assert!(user.as_str() != "user-4", "protected user deleted");
            // docs/rules.md §4 steps 3–4: IAM must hold a due row's key, or the tag keywarden set for it.
            let i: usize = user.trim_start_matches("user-").parse().unwrap();
            let due_keys: Vec<String> = rows.iter().filter(|r| r.account == i && r.end.is_some_and(|d| d < 0)).map(|r| key_id(r.key)).collect();
            let proven = match states[i] {
                IamState::Keys => true,
                IamState::Keyless => false,
                IamState::Tagged(k) => due_keys.contains(&key_id(k)),
            };
            prop_assert!(proven, "{user} deleted without the row's key or the tag: {states:?} {rows:#?}");
        }
        // Every other IAM write is the deletion of a due row's own key (docs/rules.md §4 step 5).
        for (user, step) in &applied {
            if deleted.contains(&user) {
                continue;
            }
            // A key-only deletion tags the user for the key first, and takes the tag off once
            // 削除済み is written.
            let (Step::DeleteAccessKey(key) | Step::TagForTeardown(key) | Step::UntagTeardown(key)) = step else {
                return Err(TestCaseError::fail(format!("{user} changed without being deleted: {step}")));
            };
            let holds = |r: &&GenRow| format!("user-{}", r.account) == *user && key_id(r.key) == key.as_str() && !r.status.contains("削除");
            let due = |r: &&GenRow| !r.status.contains("延長") && r.end.is_some_and(|d| d < 0);
            let due_holds = rows.iter().filter(holds).any(|r| due(&r));
            let live_holds = rows.iter().filter(holds).any(|r| !due(&r));
            prop_assert!(due_holds && !live_holds, "{user}: key {key} deleted against the rules: {rows:#?}");
        }
        let due_rows = rows.iter().filter(|r| !r.status.contains("削除") && !r.status.contains("延長") && r.end.is_some_and(|d| d < 0)).count();
        if due_rows > max_deletions {
            prop_assert!(applied.is_empty(), "over the cap, nothing is touched");
        }
        prop_assert!(deleted.len() <= max_deletions);

        // Every failure and refusal reaches administrators with its row.
        let summary = out.slack.sent.lock().unwrap().iter().filter(|(to, _)| to.as_str() == "U0ADMIN001").map(|(_, t)| t.clone()).collect::<Vec<_>>().concat();
        for a in &out.report.actions {
            if let (Outcome::Failed | Outcome::Refused, Some(row)) = (a.outcome, a.row) {
                prop_assert!(summary.contains(&format!("{row}行目")), "row {row} not in the summary");
            }
        }
    }

    /// docs/rules.md §8: with a deactivation grace, rows past their end date only have their key set
    /// Inactive — and never more keys than `KEYWARDEN_MAX_DEACTIVATIONS` in one run: over the cap,
    /// none at all.
    #[test]
    fn no_run_deactivates_past_its_cap(
        rows in prop::collection::vec(gen_row(), 0..14),
        max_deactivations in 0usize..4,
    ) {
        let out = run_job_tuned(&rows, &[], 100, Mode::Run, |s| {
            s.rules.deactivate_grace = 30;
            s.hygiene.max_deactivations = max_deactivations;
        });
        let changes = out.iam.key_changes();
        let deactivated = changes.iter().filter(|c| matches!(c.what, Asked::SetActive(_, false))).count();
        prop_assert!(deactivated <= max_deactivations, "{deactivated} keys set Inactive over a cap of {max_deactivations}: {changes:?}");
        let due = out.report.actions.iter().filter(|a| a.action == keywarden::core::report::ActionKind::Deactivate).count();
        if due > max_deactivations {
            prop_assert_eq!(deactivated, 0, "over the cap, none is set Inactive");
            prop_assert!(out.report.exit_code() == 1);
        }
        prop_assert!(out.iam.steps().is_empty(), "in the grace period nothing is deleted");
    }

    #[test]
    fn a_dry_run_never_writes_anything(rows in prop::collection::vec(gen_row(), 0..14), max_deletions in 0usize..12) {
        let out = run_job(&rows, max_deletions, Mode::DryRun);
        prop_assert!(out.iam.changes().is_empty(), "IAM is asked for nothing");
        prop_assert!(out.sheets.writes.lock().unwrap().is_empty());
        prop_assert!(out.sheets.appended.lock().unwrap().is_empty(), "no log line either");
        prop_assert!(out.slack.sent.lock().unwrap().is_empty());
        prop_assert!(out.report.actions.iter().all(|a| a.outcome != Outcome::Done || matches!(a.action, keywarden::core::report::ActionKind::Skip | keywarden::core::report::ActionKind::Alert)));
    }
}

// --- The one proof, over hostile sheets against an IAM that keeps its word (docs/rules.md §4, §8) ----
//
// IAM here is the truth: every key has at most one owner, deletions change what later reads
// see, and a key can only be set Inactive by its owner's name. Sheets are typed by people:
// names mistyped or in another case, key IDs mistyped, copied, empty or annotated, renewals,
// extended and deleted rows, grace periods, interrupted teardowns. The invariants are read off
// the rules (docs/rules.md), not off the planner.

/// What IAM holds before the run: users `u0`..`u3` (`u3` protected) and which key each owns.
#[derive(Debug, Clone)]
struct World {
    /// `owner[k]`: the user owning key `k`, if any (keys 10 and 11 are nobody's: typos).
    owner: Vec<Option<usize>>,
    /// `tag[u]`: the key a `keywarden:teardown` tag on user `u` names.
    tag: Vec<Option<usize>>,
}

const USERS: usize = 4;
const KEYS: usize = 12;

fn world() -> impl Strategy<Value = World> {
    (
        prop::collection::vec(prop::option::weighted(0.7, 0..USERS), 10),
        prop::collection::vec(prop::option::weighted(0.2, 0..KEYS), USERS),
    )
        .prop_map(
            |(mut owner, tag): (Vec<Option<usize>>, Vec<Option<usize>>)| {
                // IAM allows two keys per user.
                let mut count = [0; USERS];
                for o in owner.iter_mut() {
                    if let Some(u) = *o {
                        count[u] += 1;
                        if count[u] > 2 {
                            *o = None;
                        }
                    }
                }
                owner.extend([None, None]);
                // keywarden tags a user only for a key that was its own: key IDs never move
                // between users, so a tag names a key of the user or one that is gone.
                let tag = tag
                    .into_iter()
                    .enumerate()
                    .map(|(u, k)| k.filter(|&k| owner[k].is_none_or(|o| o == u)))
                    .collect();
                World { owner, tag }
            },
        )
}

#[derive(Debug, Clone)]
enum NameCell {
    User(usize),
    /// The user's name in capitals: still the same IAM user.
    Shouted(usize),
    /// A name IAM does not have (`u1x`).
    Mistyped(usize),
}

#[derive(Debug, Clone)]
enum KeyText {
    Key(usize),
    Empty,
    /// `AKIA… （旧）`: a key ID with a note, which does not read as a key ID.
    Annotated(usize),
}

#[derive(Debug, Clone)]
struct HostileRow {
    name: NameCell,
    key: KeyText,
    status: &'static str,
    /// Days from today; `None` is an unreadable date.
    end: Option<i64>,
    /// `無効化日` set (keywarden deactivated the key in an earlier run).
    deactivated: bool,
}

fn hostile_row() -> impl Strategy<Value = HostileRow> {
    let name = prop_oneof![
        6 => (0..USERS).prop_map(NameCell::User),
        1 => (0..USERS).prop_map(NameCell::Shouted),
        2 => (0..USERS).prop_map(NameCell::Mistyped),
    ];
    let key = prop_oneof![
        8 => (0..KEYS).prop_map(KeyText::Key),
        1 => Just(KeyText::Empty),
        1 => (0..KEYS).prop_map(KeyText::Annotated),
    ];
    (
        name,
        key,
        prop::sample::select(vec!["", "", "", "延長", "削除済み", "無効化済み"]),
        prop::option::weighted(0.9, -8i64..12),
        prop::bool::weighted(0.2),
    )
        .prop_map(|(name, key, status, end, deactivated)| HostileRow {
            name,
            key,
            status,
            end,
            deactivated,
        })
}

fn user_name(u: usize) -> String {
    format!("u{u}")
}

impl HostileRow {
    fn name_text(&self) -> String {
        match self.name {
            NameCell::User(u) => user_name(u),
            NameCell::Shouted(u) => user_name(u).to_uppercase(),
            NameCell::Mistyped(u) => format!("{}x", user_name(u)),
        }
    }

    /// The IAM user the name cell names (IAM ignores case); `None` for a name IAM lacks.
    fn names(&self) -> Option<usize> {
        match self.name {
            NameCell::User(u) | NameCell::Shouted(u) => Some(u),
            NameCell::Mistyped(_) => None,
        }
    }

    /// The key the key cell reads as, if it reads as one.
    fn holds(&self) -> Option<usize> {
        match self.key {
            KeyText::Key(k) => Some(k),
            _ => None,
        }
    }

    fn live(&self) -> bool {
        !self.status.contains("削除")
    }

    /// Open, readable and past its end date (the first line of docs/rules.md §3 that can act).
    fn ended(&self) -> bool {
        self.live()
            && !self.status.contains("延長")
            && self.holds().is_some()
            && self.end.is_some_and(|d| d < 0)
    }

    fn due_for_deletion(&self, grace: i64) -> bool {
        self.ended() && self.end.is_some_and(|d| d + grace < 0)
    }

    fn in_grace(&self, grace: i64) -> bool {
        self.ended() && !self.due_for_deletion(grace)
    }
}

fn hostile_grid(rows: &[HostileRow]) -> Grid {
    let mut g = vec![
        [
            "氏名",
            "アカウント名",
            "アクセスキーID",
            "アクセスキー利用終了日",
            "状態",
            "無効化日",
        ]
        .iter()
        .map(|h| json!(h))
        .collect(),
    ];
    for r in rows {
        let key = match r.key {
            KeyText::Key(k) => key_id(k),
            KeyText::Empty => String::new(),
            KeyText::Annotated(k) => format!("{} （旧）", key_id(k)),
        };
        let end = match r.end {
            Some(d) => json!((today() + Duration::days(d)).format("%Y/%m/%d").to_string()),
            None => json!("来年のどこか"),
        };
        let deactivated = if r.deactivated {
            json!((today() - Duration::days(1)).to_string())
        } else {
            json!("")
        };
        g.push(vec![
            json!("田中 太郎"),
            json!(r.name_text()),
            json!(key),
            end,
            json!(r.status),
            deactivated,
        ]);
    }
    g
}

/// One change IAM was asked for, by index of key and user.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Change {
    DeleteKey(usize),
    DeleteUser(usize),
    SetActive(usize, bool),
    Other(usize, Step),
    NewKey,
}

fn user_index(user: &str) -> Option<usize> {
    (0..USERS).find(|&u| user_name(u) == user)
}

fn key_index(key: &AccessKeyId) -> usize {
    (0..KEYS)
        .find(|&k| key_id(k) == key.as_str())
        .expect("only generated keys")
}

/// What IAM was asked for, in every account, as (account, change).
fn changes_of(iam: &TruthIam) -> Vec<(usize, Change)> {
    iam.changes()
        .into_iter()
        .map(|c| {
            let user = || user_index(&c.user).expect("keywarden changes only users it read");
            let change = match c.what {
                Asked::Step(Step::DeleteAccessKey(k)) => Change::DeleteKey(key_index(&k)),
                Asked::Step(Step::DeleteUser) => Change::DeleteUser(user()),
                Asked::Step(step) => Change::Other(user(), step),
                Asked::SetActive(k, active) => Change::SetActive(key_index(&k), active),
                Asked::NewKey => Change::NewKey,
            };
            (c.account, change)
        })
        .collect()
}

/// The (account, user) holding key `k` now.
fn holder_now(iam: &TruthIam, k: usize) -> Option<(usize, usize)> {
    let key = AccessKeyId::parse(&key_id(k)).unwrap();
    iam.owner_now(&key)
        .map(|(a, user)| (a, user_index(&user).expect("a generated user")))
}

/// IAM as `world` has it: users `u0`..`u3` of the home account, their keys and tags.
fn truth_of(world: &World) -> TruthIam {
    let mut truth = IamTruth::default();
    for u in 0..USERS {
        let inv = UserInventory {
            arn: format!("arn:aws:iam::123456789012:user/{}", user_name(u)),
            path: "/".into(),
            teardown_tag: world.tag[u].map(key_id),
            ..Default::default()
        };
        truth.insert(0, &user_name(u), inv);
    }
    for (k, owner) in world.owner.iter().enumerate() {
        if let Some(u) = owner {
            let key = AccessKeyId::parse(&key_id(k)).unwrap();
            truth
                .user_mut(0, &user_name(*u))
                .unwrap()
                .access_keys
                .push(key);
        }
    }
    TruthIam::single(truth)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn nothing_a_live_row_still_holds_is_deleted_or_deactivated(
        world in world(),
        rows in prop::collection::vec(hostile_row(), 1..12),
        grace in prop::sample::select(vec![0i64, 3]),
    ) {
        let sheets = RecordingSheets::with_requests(hostile_grid(&rows));
        let iam = truth_of(&world);
        let slack = RecordingSlack::default();
        let mut settings = base_settings(100);
        settings.rules.deactivate_grace = grace as u32;
        settings.hygiene.max_deactivations = 100;
        settings.protected_users = vec![IamUserName::parse("u3").unwrap()];
        run_on(&settings, &sheets, &slack, &iam, Mode::Run);
        let changes: Vec<Change> = changes_of(&iam).into_iter().map(|(_, c)| c).collect();

        // docs/rules.md §4's "another live row": live and not itself due for deletion today. What such
        // a row holds (its key, or any key of the user it names) is never deleted; only a row
        // in its own grace period may see its key set Inactive, and then no other such row may
        // claim it.
        let keeping: Vec<(usize, &HostileRow)> = rows.iter().enumerate().filter(|(_, r)| r.live() && !r.due_for_deletion(grace)).collect();
        let claims = |k: usize, me: Option<usize>| keeping.iter().filter(|(i, _)| Some(*i) != me).any(|(_, r)| {
            let owner = world.owner[k];
            r.holds() == Some(k) || (owner.is_some() && r.names() == owner && r.holds().is_none())
        });
        let owner_of = &world.owner;
        let keys_of = |u: usize| (0..KEYS).filter(move |&k| owner_of[k] == Some(u));

        for change in &changes {
            match change {
                Change::DeleteKey(k) => {
                    prop_assert!(!claims(*k, None), "key {k} deleted while a live row claims it\n{world:?}\n{rows:#?}");
                }
                Change::SetActive(k, false) => {
                    // Proved: a row in its grace holds it under its owner's name, and no other live row claims it.
                    let proved = rows.iter().enumerate().any(|(i, r)| {
                        r.in_grace(grace) && r.holds() == Some(*k) && r.names().is_some() && r.names() == world.owner[*k] && !claims(*k, Some(i))
                    });
                    prop_assert!(proved, "key {k} set Inactive without a proved row in its grace\n{world:?}\n{rows:#?}");
                }
                Change::DeleteUser(u) => {
                    prop_assert!(*u != 3, "protected user deleted");
                    prop_assert!(keeping.iter().all(|(_, r)| r.names() != Some(*u)), "u{u} deleted while a live row names it\n{world:?}\n{rows:#?}");
                    for k in keys_of(*u) {
                        prop_assert!(!claims(k, None), "u{u} deleted with key {k} a live row holds\n{world:?}\n{rows:#?}");
                    }
                    // Steps 3–4: a due row naming u held one of its keys, or the tag was for it.
                    let proved = rows.iter().filter(|r| r.due_for_deletion(grace) && r.names() == Some(*u)).any(|r| {
                        let k = r.holds().unwrap();
                        world.owner[k] == Some(*u) || world.tag[*u] == Some(k)
                    });
                    prop_assert!(proved, "u{u} deleted without proof\n{world:?}\n{rows:#?}");
                }
                Change::SetActive(_, true) | Change::Other(..) | Change::NewKey => {}
            }
        }
        // A key deleted outside a teardown of its user was a due row's own key, under its owner's name.
        let deleted_users: Vec<usize> = changes.iter().filter_map(|c| match c { Change::DeleteUser(u) => Some(*u), _ => None }).collect();
        for change in &changes {
            if let Change::DeleteKey(k) = change {
                let owner = world.owner[*k];
                if owner.is_some_and(|u| deleted_users.contains(&u)) {
                    continue;
                }
                let proved = rows.iter().any(|r| r.due_for_deletion(grace) && r.holds() == Some(*k) && r.names().is_some() && r.names() == owner);
                prop_assert!(proved, "key {k} deleted alone without a due row of its owner\n{world:?}\n{rows:#?}");
            }
        }
        // 削除済み only where the key is provably gone; 無効化済み only where it is Inactive.
        let writes = sheets.writes.lock().unwrap().clone();
        for w in &writes {
            let Some(row) = w.range.strip_prefix("'key_request_form'!E").and_then(|n| n.parse::<usize>().ok()) else { continue };
            let r = &rows[row - 2];
            let k = r.holds().expect("only rows with a key cell are written");
            if w.value == "削除済み" {
                prop_assert!(holder_now(&iam, k).is_none(), "row {row} marked 削除済み while key {k} lives\n{world:?}\n{rows:#?}");
            }
            if w.value == "無効化済み" {
                prop_assert!(changes.contains(&Change::SetActive(k, false)), "row {row} marked 無効化済み but key {k} was not set Inactive\n{world:?}\n{rows:#?}");
            }
        }
    }
}

// --- Secrets ------------------------------------------------------------------------------

const SLACK_SECRET: &str = "xoxb-test-token-123456";
const AWS_SECRET: &str = "AWSSECRETdoNotPrint0123456789";

/// Every way a secret could be shown: the Slack token, the Google key and access tokens, the
/// AWS secret key.
fn assert_no_secrets(env: &TestEnv, outputs: &[&str]) {
    let key = support::test_key();
    let key_line = key.private_pem.lines().nth(3).unwrap().to_string();
    let mut secrets = vec![
        SLACK_SECRET.to_string(),
        AWS_SECRET.to_string(),
        key_line,
        "xoxb-wrong-SECRET-987".into(),
    ];
    secrets.extend(env.google.issued_tokens());
    for output in outputs {
        for secret in &secrets {
            assert!(
                !output.contains(secret.as_str()),
                "a secret leaked: {secret}\n{output}"
            );
        }
    }
}

#[tokio::test]
async fn secrets_never_reach_stdout_stderr_or_the_report() {
    let mut env = TestEnv::start().await;
    env.set_env("RUST_LOG", "trace")
        .set_env("AWS_SECRET_ACCESS_KEY", AWS_SECRET);
    env.set_users(&[tanaka()]);
    env.set_requests(&[
        row("tanaka-s3", EXAMPLE_KEY, json!("2026/11/29")),
        row("gone-user", "AKIAGONEUSER00000001", json!("2026/11/01")),
    ]);
    let mut outputs = Vec::new();
    // The happy path, with everything at trace level.
    let ok = env.run_daily("2026-11-22").await;
    assert_eq!(ok.status, 0, "{}", ok.stderr);
    assert!(
        !env.google.issued_tokens().is_empty(),
        "a token was issued, so there was one to leak"
    );
    outputs.push(ok.stdout.clone());
    outputs.push(ok.stderr.clone());
    // Slack refuses the token.
    env.set_env("SLACK_BOT_TOKEN", "xoxb-wrong-SECRET-987");
    let bad_slack = env.run_daily("2026-12-01").await;
    assert_eq!(bad_slack.status, 1);
    outputs.push(bad_slack.stdout.clone());
    outputs.push(bad_slack.stderr.clone());
    // Google's token endpoint fails.
    env.google.fail_next(Endpoint::Token, 400, 100);
    let bad_google = env.run(&["run", "--today", "2026-11-23"]).await;
    assert_eq!(bad_google.status, 2);
    outputs.push(bad_google.stderr.clone());
    // Configuration rejects a malformed token: it is named, never echoed.
    env.set_env("SLACK_BOT_TOKEN", "SECRET-not-a-token-xyz");
    let bad_config = env.run(&["run"]).await;
    assert_eq!(bad_config.status, 2);
    assert!(bad_config.stderr.contains("SLACK_BOT_TOKEN"));
    assert!(!bad_config.stderr.contains("SECRET-not-a-token-xyz"));
    outputs.push(bad_config.stderr.clone());
    let refs: Vec<&str> = outputs.iter().map(String::as_str).collect();
    assert_no_secrets(&env, &refs);
}

#[tokio::test]
async fn a_config_file_syntax_error_names_file_and_line_never_the_token() {
    let mut env = TestEnv::start().await;
    env.set_env("RUST_LOG", "trace")
        .remove_env("SLACK_BOT_TOKEN");
    let path = env.dir.path().join("keywarden.toml");
    // A missing closing quote: the parser's own message would quote this line.
    std::fs::write(
        &path,
        "notify_days = 7\nslack_bot_token = \"xoxb-SECRET-in-config-555\nmax_deletions = 3\n",
    )
    .unwrap();
    let config = path.to_str().unwrap();
    for args in [
        vec!["run", "--today", "2026-11-22", "--config", config],
        vec!["check", "--config", config],
    ] {
        let out = env.run(&args).await;
        assert_eq!(out.status, 2, "{}", out.stderr);
        let both = format!("{}{}", out.stdout, out.stderr);
        assert!(
            !both.contains("SECRET-in-config"),
            "the token leaked:\n{both}"
        );
        assert!(!both.contains("xoxb"), "part of the token leaked:\n{both}");
        assert!(both.contains(config), "the file is named:\n{both}");
        assert!(both.contains("line 2"), "the line is named:\n{both}");
        assert!(
            both.contains("slack_bot_token"),
            "the key is named:\n{both}"
        );
        assert_no_secrets(&env, &[&out.stdout, &out.stderr]);
    }
    assert_eq!(env.slack.post_attempts(), 0);
}

// --- Many AWS accounts --------------------------------------------------------------------
//
// Three accounts with the same user names in each; key IDs are global, so a key is at most
// one (account, user)'s. Account cells as typed: empty (home), IDs, aliases, typos. One account
// may be impossible to enter. The invariants, read off the rules (docs/rules.md §4, §10): nothing is changed in an
// account the row does not prove; nothing a live row claims (in any account, by key or by
// name) is deleted or set Inactive; an account that cannot be entered changes nothing.

#[derive(Debug, Clone)]
struct Fleetworld {
    /// `owner[k]`: the (account, user) owning key `k`, if any.
    owner: Vec<Option<(usize, usize)>>,
    /// An account whose role cannot be assumed.
    closed: Option<usize>,
}

fn fleetworld() -> impl Strategy<Value = Fleetworld> {
    (
        prop::collection::vec(prop::option::weighted(0.8, (0..3usize, 0..USERS)), KEYS),
        prop::option::weighted(0.3, 1..3usize),
    )
        .prop_map(|(mut owner, closed)| {
            let mut count = HashMap::new();
            for o in owner.iter_mut() {
                if let Some(au) = *o {
                    let n = count.entry(au).or_insert(0);
                    *n += 1;
                    if *n > 2 {
                        *o = None;
                    }
                }
            }
            Fleetworld { owner, closed }
        })
}

#[derive(Debug, Clone)]
enum AccountText {
    Empty,
    Id(usize),
    Alias(usize),
    /// `本番x`: names no allowed account.
    Typo,
}

#[derive(Debug, Clone)]
struct FleetRow {
    row: HostileRow,
    account: AccountText,
}

impl FleetRow {
    /// The account the row resolves to; `None` for a cell naming no allowed account.
    fn account(&self) -> Option<usize> {
        match self.account {
            AccountText::Empty => Some(0),
            AccountText::Id(a) | AccountText::Alias(a) => Some(a),
            AccountText::Typo => None,
        }
    }

    /// Whether the row's user name can mean a user of account `a`.
    fn names_in(&self, a: usize) -> Option<usize> {
        self.row
            .names()
            .filter(|_| self.account().is_none_or(|mine| mine == a))
    }
}

fn fleet_row() -> impl Strategy<Value = FleetRow> {
    let account = prop_oneof![
        3 => Just(AccountText::Empty),
        3 => (0..3usize).prop_map(AccountText::Id),
        2 => (0..3usize).prop_map(AccountText::Alias),
        1 => Just(AccountText::Typo),
    ];
    (hostile_row(), account).prop_map(|(row, account)| FleetRow { row, account })
}

/// The rows' grid with an `AWSアカウント` column, or without it (`column` false).
fn fleet_grid(rows: &[FleetRow], column: bool) -> Grid {
    let plain: Vec<HostileRow> = rows.iter().map(|r| r.row.clone()).collect();
    let mut g = hostile_grid(&plain);
    if column {
        g[0].push(json!("AWSアカウント"));
        for (cells, r) in g[1..].iter_mut().zip(rows) {
            cells.push(json!(match r.account {
                AccountText::Empty => String::new(),
                AccountText::Id(a) => ACCOUNT_IDS[a].to_string(),
                AccountText::Alias(a) => ACCOUNT_ALIASES[a].to_string(),
                AccountText::Typo => "本番x".to_string(),
            }));
        }
    }
    g
}

struct FleetRan {
    report: Report,
    changes: Vec<(usize, Change)>,
    iam: TruthIam,
    writes: Vec<CellWrite>,
}

/// One run over the fleet; `accounts` sets `KEYWARDEN_ACCOUNTS`, `column` the sheet's column.
fn run_fleet(
    world: &Fleetworld,
    rows: &[FleetRow],
    grace: i64,
    accounts: bool,
    column: bool,
) -> FleetRan {
    let mut truth = IamTruth::default();
    for (a, id) in ACCOUNT_IDS.iter().enumerate() {
        for u in 0..USERS {
            let inv = UserInventory {
                arn: format!("arn:aws:iam::{id}:user/{}", user_name(u)),
                path: "/".into(),
                ..Default::default()
            };
            truth.insert(a, &user_name(u), inv);
        }
    }
    for (k, owner) in world.owner.iter().enumerate() {
        if let Some((a, u)) = owner {
            let key = AccessKeyId::parse(&key_id(k)).unwrap();
            truth
                .user_mut(*a, &user_name(*u))
                .unwrap()
                .access_keys
                .push(key);
        }
    }
    let home = TruthIam::single(truth);
    let fleet = TruthFleet {
        truth: home.truth.clone(),
        ids: ACCOUNT_IDS
            .iter()
            .map(|id| AwsAccountId::parse(id).unwrap())
            .collect(),
        closed: world.closed,
    };
    let sheets = RecordingSheets::with_requests(fleet_grid(rows, column));
    let slack = RecordingSlack::default();
    let mut settings = base_settings(100);
    settings.rules.deactivate_grace = grace as u32;
    settings.hygiene.max_deactivations = 100;
    settings.protected_users = vec![IamUserName::parse("u3").unwrap()];
    if accounts {
        settings.accounts.setting = keywarden::core::domain::AccountsSetting::parse(
            &ACCOUNT_IDS
                .iter()
                .zip(ACCOUNT_ALIASES)
                .map(|(id, alias)| format!("{alias}={id}"))
                .collect::<Vec<_>>()
                .join(","),
        )
        .unwrap();
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let report = runtime
        .block_on(
            Job::new(
                &settings,
                &sheets,
                &slack,
                &home,
                &keywarden::adapters::memory::NoVault,
                &fleet,
                keywarden::app::run::Deadline::none(),
            )
            .run(today(), Mode::Run),
        )
        .expect("generated sheets always have the headers");
    let writes = sheets.writes.lock().unwrap().clone();
    FleetRan {
        report,
        changes: changes_of(&home),
        iam: home,
        writes,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(384))]

    #[test]
    fn nothing_is_changed_in_an_account_the_row_does_not_prove(
        world in fleetworld(),
        rows in prop::collection::vec(fleet_row(), 1..12),
        grace in prop::sample::select(vec![0i64, 3]),
    ) {
        let ran = run_fleet(&world, &rows, grace, true, true);
        let keeping: Vec<(usize, &FleetRow)> = rows.iter().enumerate().filter(|(_, r)| r.row.live() && !r.row.due_for_deletion(grace)).collect();
        // Does a live row other than `me` claim key `k` of (a, u)? By the key, wherever the row
        // says it is; by the name with an empty or unreadable key cell, in a or unknown.
        let claims = |k: usize, me: Option<usize>| {
            let owner = world.owner[k];
            keeping.iter().filter(|(i, _)| Some(*i) != me).any(|(_, r)| {
                r.row.holds() == Some(k)
                    || owner.is_some_and(|(a, u)| r.names_in(a) == Some(u) && r.row.holds().is_none())
            })
        };
        // The rows that prove a change of key k in account a: due (or in grace) there, holding
        // k under the name of its owner in a.
        let proving = |a: usize, k: usize, due: bool| -> Vec<usize> {
            rows.iter().enumerate().filter(|(_, r)| {
                let when = if due { r.row.due_for_deletion(grace) } else { r.row.in_grace(grace) };
                when && r.account() == Some(a) && r.row.holds() == Some(k)
                    && world.owner[k].is_some_and(|(oa, ou)| oa == a && r.row.names() == Some(ou))
            }).map(|(i, _)| i).collect()
        };
        for (a, change) in &ran.changes {
            prop_assert!(world.closed != Some(*a), "a change in the account that cannot be entered\n{world:?}\n{rows:#?}");
            match change {
                Change::DeleteKey(k) => {
                    prop_assert!(!claims(*k, None), "key {k} deleted in {a} while a live row claims it\n{world:?}\n{rows:#?}");
                    let deleted_user = world.owner[*k].is_some_and(|(oa, ou)| oa == *a && ran.changes.contains(&(*a, Change::DeleteUser(ou))));
                    prop_assert!(deleted_user || !proving(*a, *k, true).is_empty(), "key {k} deleted in {a} without a due row proving it\n{world:?}\n{rows:#?}");
                }
                Change::SetActive(k, false) => {
                    let proved = proving(*a, *k, false).into_iter().any(|i| !claims(*k, Some(i)));
                    prop_assert!(proved, "key {k} set Inactive in {a} without a proved row\n{world:?}\n{rows:#?}");
                }
                Change::DeleteUser(u) => {
                    prop_assert!(*u != 3, "protected user deleted");
                    prop_assert!(keeping.iter().all(|(_, r)| r.names_in(*a) != Some(*u)), "u{u} deleted in {a} while a live row names it\n{world:?}\n{rows:#?}");
                    for k in (0..KEYS).filter(|&k| world.owner[k] == Some((*a, *u))) {
                        prop_assert!(!claims(k, None), "u{u} deleted in {a} with key {k} a live row holds\n{world:?}\n{rows:#?}");
                    }
                    let proved = (0..KEYS).any(|k| world.owner[k] == Some((*a, *u)) && !proving(*a, k, true).is_empty());
                    prop_assert!(proved, "u{u} deleted in {a} without a due row of its own key there\n{world:?}\n{rows:#?}");
                }
                Change::SetActive(_, true) | Change::Other(..) | Change::NewKey => {}
            }
        }
        // 削除済み only where the row's key is gone now.
        for w in &ran.writes {
            let Some(row) = w.range.strip_prefix("'key_request_form'!E").and_then(|n| n.parse::<usize>().ok()) else { continue };
            let r = &rows[row - 2];
            if w.value == "削除済み" {
                let k = r.row.holds().expect("only rows with a key are written");
                prop_assert!(holder_now(&ran.iam, k).is_none(), "row {row} marked 削除済み while key {k} lives\n{world:?}\n{rows:#?}");
            }
        }
        // The account that cannot be entered fails alone: none of its rows is done.
        if let Some(closed) = world.closed {
            for a in &ran.report.actions {
                let Some(row) = a.row else { continue };
                let r = &rows[row - 2];
                if r.account() == Some(closed) && matches!(a.action, ActionKind::Delete | ActionKind::Deactivate | ActionKind::Reactivate) {
                    prop_assert!(a.outcome != Outcome::Done, "row {row} of the closed account done: {a:?}");
                }
            }
        }
    }

    /// Without the column, or with it and every cell empty, a sheet means the same thing.
    #[test]
    fn an_empty_account_column_changes_nothing(
        world in fleetworld(),
        rows in prop::collection::vec(fleet_row(), 1..10),
        grace in prop::sample::select(vec![0i64, 3]),
    ) {
        // Home only: every key is the home account's, every cell empty.
        let world = Fleetworld {
            owner: world.owner.iter().map(|o| o.map(|(_, u)| (0, u))).collect(),
            closed: None,
        };
        let rows: Vec<FleetRow> = rows.into_iter().map(|r| FleetRow { account: AccountText::Empty, ..r }).collect();
        let sorted = |mut v: Vec<String>| { v.sort(); v };
        let without = run_fleet(&world, &rows, grace, false, false);
        let with = run_fleet(&world, &rows, grace, false, true);
        let changes = |r: &FleetRan| sorted(r.changes.iter().map(|c| format!("{c:?}")).collect());
        prop_assert_eq!(changes(&without), changes(&with));
        let written = |r: &FleetRan| sorted(r.writes.iter().filter(|w| w.range.starts_with("'key_request_form'!E")).map(|w| format!("{} {}", w.range, w.value)).collect());
        prop_assert_eq!(written(&without), written(&with));
    }
}
