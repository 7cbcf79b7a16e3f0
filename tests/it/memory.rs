//! In-memory services for the property tests: the job runs in-process against them, thousands
//! of times, with no server. Each records what it was asked; IAM also keeps its word (a deleted
//! key is gone for every later read, a key is only changed under its owner's name), over one
//! AWS account or several sharing one truth.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use futures::future::BoxFuture;
use keywarden::adapters::memory::NoVault;
use keywarden::adapters::{
    CellWrite, Fleet, Iam, Messenger, ReportUse, SendError, ServiceError, SheetStore, StepResult,
};
use keywarden::core::domain::{
    AccessKeyId, Account, AwsAccountId, IamUserName, Secret, SlackUserId,
};
use keywarden::core::key_rules::KeyInfo;
use keywarden::core::sheet::Grid;
use keywarden::core::teardown::{Step, UserInventory};
use serde_json::{Value, json};

use crate::fixtures::TANAKA;

/// The spreadsheet: grids to read, and the cells written and lines appended.
pub struct RecordingSheets {
    grids: HashMap<String, Grid>,
    pub writes: Mutex<Vec<CellWrite>>,
    /// Log-sheet lines (docs/rules.md §11).
    pub appended: Mutex<Vec<Vec<Value>>>,
}

impl RecordingSheets {
    /// The request sheet `requests` and a `users_json` naming 田中 太郎.
    pub fn with_requests(requests: Grid) -> RecordingSheets {
        RecordingSheets {
            grids: HashMap::from([
                ("key_request_form".to_string(), requests),
                (
                    "users_json".to_string(),
                    vec![
                        vec![json!("id"), json!("姓"), json!("名")],
                        vec![json!(TANAKA), json!("田中"), json!("太郎")],
                    ],
                ),
            ]),
            writes: Mutex::new(Vec::new()),
            appended: Mutex::new(Vec::new()),
        }
    }
}

impl SheetStore for RecordingSheets {
    async fn read(&self, sheets: &[&str]) -> Result<Vec<Grid>, ServiceError> {
        Ok(sheets.iter().map(|s| self.grids[*s].clone()).collect())
    }
    async fn write(&self, cells: &[CellWrite]) -> Result<(), ServiceError> {
        self.writes.lock().unwrap().extend_from_slice(cells);
        Ok(())
    }
    async fn append(&self, _: &str, rows: &[Vec<Value>]) -> Result<(), ServiceError> {
        self.appended.lock().unwrap().extend_from_slice(rows);
        Ok(())
    }
    async fn add_sheet(&self, _: &str) -> Result<(), ServiceError> {
        Ok(())
    }
}

/// Slack: every message sent, in order.
#[derive(Default)]
pub struct RecordingSlack {
    pub sent: Mutex<Vec<(SlackUserId, String)>>,
}

impl Messenger for RecordingSlack {
    async fn send(&self, to: &SlackUserId, text: &str) -> Result<(), SendError> {
        self.sent
            .lock()
            .unwrap()
            .push((to.clone(), text.to_string()));
        Ok(())
    }
}

/// One thing IAM was asked to do, in the account (index) it was asked in, to the user as
/// IAM knows it. Asked, not necessarily done: a refused change is recorded too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IamChange {
    pub account: usize,
    pub user: String,
    pub what: Asked,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Asked {
    Step(Step),
    SetActive(AccessKeyId, bool),
    NewKey,
}

/// What IAM holds in every account: each user's inventory by (account index, user name in
/// lower case — IAM does not tell names apart by case), and every change asked of it.
#[derive(Default)]
pub struct IamTruth {
    users: HashMap<(usize, String), UserInventory>,
    changes: Vec<IamChange>,
}

impl IamTruth {
    /// Adds `user` (named in lower case) to `account`, holding `inventory`.
    pub fn insert(&mut self, account: usize, user: &str, inventory: UserInventory) {
        self.users.insert((account, user.to_string()), inventory);
    }

    /// The user's inventory, if the user exists.
    pub fn user_mut(&mut self, account: usize, user: &str) -> Option<&mut UserInventory> {
        self.users.get_mut(&(account, user.to_string()))
    }

    /// The (account, user) holding `key` now; `None` once it is deleted.
    pub fn owner_now(&self, key: &AccessKeyId) -> Option<(usize, String)> {
        self.users
            .iter()
            .find(|(_, inv)| inv.access_keys.contains(key))
            .map(|(au, _)| au.clone())
    }

    pub fn changes(&self) -> Vec<IamChange> {
        self.changes.clone()
    }
}

/// IAM of one account of an [`IamTruth`].
#[derive(Clone)]
pub struct TruthIam {
    pub truth: Arc<Mutex<IamTruth>>,
    pub account: usize,
}

impl TruthIam {
    /// One account (index 0) holding `truth`.
    pub fn single(truth: IamTruth) -> TruthIam {
        TruthIam {
            truth: Arc::new(Mutex::new(truth)),
            account: 0,
        }
    }

    pub fn changes(&self) -> Vec<IamChange> {
        self.truth.lock().unwrap().changes()
    }

    /// The teardown steps asked for, as (user, step).
    pub fn steps(&self) -> Vec<(String, Step)> {
        self.changes()
            .into_iter()
            .filter_map(|c| match c.what {
                Asked::Step(step) => Some((c.user, step)),
                _ => None,
            })
            .collect()
    }

    /// The key changes asked for outside a teardown (set Active or Inactive, a new key).
    pub fn key_changes(&self) -> Vec<IamChange> {
        self.changes()
            .into_iter()
            .filter(|c| !matches!(c.what, Asked::Step(_)))
            .collect()
    }

    pub fn owner_now(&self, key: &AccessKeyId) -> Option<(usize, String)> {
        self.truth.lock().unwrap().owner_now(key)
    }

    fn record(&self, t: &mut IamTruth, user: &IamUserName, what: Asked) {
        t.changes.push(IamChange {
            account: self.account,
            user: lower(user),
            what,
        });
    }
}

fn lower(user: &IamUserName) -> String {
    user.as_str().to_ascii_lowercase()
}

fn no_user() -> ServiceError {
    ServiceError::NotFound("user".into())
}

impl Iam for TruthIam {
    async fn inventory(&self, user: &IamUserName) -> Result<Option<UserInventory>, ServiceError> {
        let t = self.truth.lock().unwrap();
        Ok(t.users.get(&(self.account, lower(user))).cloned())
    }
    async fn apply(&self, user: &IamUserName, step: &Step) -> Result<StepResult, ServiceError> {
        let mut t = self.truth.lock().unwrap();
        self.record(&mut t, user, Asked::Step(step.clone()));
        let au = (self.account, lower(user));
        match step {
            Step::DeleteUser => {
                t.users.remove(&au);
            }
            Step::DeleteAccessKey(k) => {
                t.users
                    .get_mut(&au)
                    .ok_or_else(no_user)?
                    .access_keys
                    .retain(|x| x != k);
            }
            Step::TagForTeardown(k) => {
                t.users.get_mut(&au).ok_or_else(no_user)?.teardown_tag = Some(k.to_string());
            }
            Step::UntagTeardown(k) => {
                let inv = t.users.get_mut(&au).ok_or_else(no_user)?;
                if inv.teardown_tag.as_deref() == Some(k.as_str()) {
                    inv.teardown_tag = None;
                }
            }
            // The other dependents are not modelled: what the proofs read is keys and tags.
            _ => {}
        }
        Ok(StepResult::Done)
    }
    async fn key_last_used(
        &self,
        _: &AccessKeyId,
    ) -> Result<Option<chrono::DateTime<chrono::Utc>>, ServiceError> {
        Ok(None)
    }
    async fn account_keys(&self, _: &str, _: ReportUse) -> Result<Vec<KeyInfo>, ServiceError> {
        Ok(Vec::new())
    }
    async fn key_owner(&self, key: &AccessKeyId) -> Result<Option<IamUserName>, ServiceError> {
        // IAM answers for the keys of its own account only.
        match self.owner_now(key) {
            Some((a, user)) if a == self.account => Ok(Some(IamUserName::parse(&user).unwrap())),
            Some(_) => Err(ServiceError::AccessDenied(
                "a key of another account".into(),
            )),
            None => Ok(None),
        }
    }
    async fn policy_attachments(&self, _: &str) -> Result<Option<i32>, ServiceError> {
        Ok(None)
    }
    async fn set_key_active(
        &self,
        user: &IamUserName,
        key: &AccessKeyId,
        active: bool,
    ) -> Result<(), ServiceError> {
        let mut t = self.truth.lock().unwrap();
        self.record(&mut t, user, Asked::SetActive(key.clone(), active));
        // IAM refuses a key under another user's name.
        let holds = t
            .users
            .get(&(self.account, lower(user)))
            .is_some_and(|inv| inv.access_keys.contains(key));
        if !holds {
            return Err(ServiceError::NotFound(format!(
                "{key} is not {user}'s here"
            )));
        }
        Ok(())
    }
    async fn create_key(&self, user: &IamUserName) -> Result<(AccessKeyId, Secret), ServiceError> {
        let mut t = self.truth.lock().unwrap();
        self.record(&mut t, user, Asked::NewKey);
        Err(ServiceError::Invalid("not used by these tests".into()))
    }
}

/// The accounts of an [`IamTruth`], `ids[i]` being account `i` (the home account first); the
/// account `closed` cannot be entered.
pub struct TruthFleet {
    pub truth: Arc<Mutex<IamTruth>>,
    pub ids: Vec<AwsAccountId>,
    pub closed: Option<usize>,
}

type Boxed<'a, T> = BoxFuture<'a, Result<T, ServiceError>>;

impl Fleet<TruthIam, NoVault> for TruthFleet {
    fn home(&self) -> Boxed<'_, AwsAccountId> {
        Box::pin(async { Ok(self.ids[0]) })
    }
    fn organization(&self) -> Boxed<'_, Vec<Account>> {
        Box::pin(async { Err(ServiceError::AccessDenied("no Organization".into())) })
    }
    fn key_account<'a>(&'a self, key: &'a AccessKeyId) -> Boxed<'a, AwsAccountId> {
        // STS names the key's account; a key nobody has reads as the caller's (as moto does).
        let a = self
            .truth
            .lock()
            .unwrap()
            .owner_now(key)
            .map_or(0, |(a, _)| a);
        Box::pin(async move { Ok(self.ids[a]) })
    }
    fn enter<'a>(&'a self, account: &'a AwsAccountId) -> Boxed<'a, (TruthIam, NoVault)> {
        let a = self
            .ids
            .iter()
            .position(|id| id == account)
            .expect("only listed accounts are entered");
        let iam = TruthIam {
            truth: self.truth.clone(),
            account: a,
        };
        let closed = self.closed;
        Box::pin(async move {
            if closed == Some(a) {
                return Err(ServiceError::AccessDenied("AssumeRole refused".into()));
            }
            Ok((iam, NoVault))
        })
    }
}
