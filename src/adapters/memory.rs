//! In-memory stand-ins for the services: the bundled sheets and example account of
//! `keywarden demo` (read-only: every write is refused), a Slack and a vault that are never
//! asked (a dry run without a token, the demo), a writable sheet, and an IAM and Secrets
//! Manager that issue keys ([`Issuing`]: the demo's walk-through, the issuance property test).

use std::collections::HashMap;

use super::{
    CellWrite, Created, Iam, Messenger, NewUser, ReportUse, SendError, ServiceError, SheetStore,
    StepResult, Vault,
};
use crate::core::domain::{AccessKeyId, IamUserName, Secret, SlackUserId};
use crate::core::key_rules::KeyInfo;
use crate::core::sheet::Grid;
use crate::core::teardown::{REQUEST_TAG, Step, UserInventory};

/// The bundled sheets, read-only.
pub struct MemorySheets(pub HashMap<String, Grid>);

impl SheetStore for MemorySheets {
    async fn read(&self, sheets: &[&str]) -> Result<Vec<Grid>, ServiceError> {
        sheets
            .iter()
            .map(|s| {
                self.0
                    .get(*s)
                    .cloned()
                    .ok_or_else(|| ServiceError::NotFound(format!("no sheet \"{s}\"")))
            })
            .collect()
    }

    async fn write(&self, _: &[CellWrite]) -> Result<(), ServiceError> {
        Err(ServiceError::Invalid("the demo never writes".into()))
    }

    async fn append(&self, _: &str, _: &[Vec<serde_json::Value>]) -> Result<(), ServiceError> {
        Err(ServiceError::Invalid("the demo never writes".into()))
    }

    async fn add_sheet(&self, _: &str) -> Result<(), ServiceError> {
        Err(ServiceError::Invalid("the demo never writes".into()))
    }
}

/// A Slack that refuses to send: the demo is a dry run, so it is never asked.
pub struct NoSlack;

impl Messenger for NoSlack {
    async fn send(&self, _: &SlackUserId, _: &str) -> Result<(), SendError> {
        Err(SendError::Failed("Slack is not used here".into()))
    }
}

/// A vault that refuses: the demo never rotates keys.
pub struct NoVault;

impl Vault for NoVault {
    async fn store(&self, _: &str, _: &Secret) -> Result<(), ServiceError> {
        Err(ServiceError::Invalid(
            "the demo never stores secrets".into(),
        ))
    }

    /// Holds no secret: nothing was ever stored.
    async fn read(&self, _: &str) -> Result<Option<Secret>, ServiceError> {
        Ok(None)
    }

    async fn secret_tag(&self, _: &str, _: &str) -> Result<Option<Option<String>>, ServiceError> {
        Ok(None)
    }
}

/// IAM users of the example account.
#[derive(Clone)]
pub struct MemoryIam(pub HashMap<String, UserInventory>);

impl Iam for MemoryIam {
    async fn inventory(&self, user: &IamUserName) -> Result<Option<UserInventory>, ServiceError> {
        Ok(self.0.get(user.as_str()).cloned())
    }

    async fn apply(&self, _: &IamUserName, _: &Step) -> Result<StepResult, ServiceError> {
        Err(ServiceError::Invalid("the demo never writes".into()))
    }

    async fn key_last_used(
        &self,
        _: &AccessKeyId,
    ) -> Result<Option<chrono::DateTime<chrono::Utc>>, ServiceError> {
        Ok(None)
    }

    async fn account_keys(&self, _: &str, _: ReportUse) -> Result<Vec<KeyInfo>, ServiceError> {
        let issued = chrono::DateTime::parse_from_rfc3339("2026-06-01T01:00:00Z")
            .expect("valid")
            .to_utc();
        Ok(self
            .0
            .iter()
            .flat_map(|(user, inv)| {
                inv.access_keys.iter().map(move |key| KeyInfo {
                    user: IamUserName::parse(user).expect("demo user names are valid"),
                    key_id: key.clone(),
                    active: true,
                    created: issued,
                    last_used: None,
                })
            })
            .collect())
    }

    async fn set_key_active(
        &self,
        _: &IamUserName,
        _: &AccessKeyId,
        _: bool,
    ) -> Result<(), ServiceError> {
        Err(ServiceError::Invalid("the demo never writes".into()))
    }

    async fn key_owner(&self, key: &AccessKeyId) -> Result<Option<IamUserName>, ServiceError> {
        Ok(self
            .0
            .iter()
            .find(|(_, inv)| inv.access_keys.contains(key))
            .and_then(|(user, _)| IamUserName::parse(user).ok()))
    }

    async fn policy_attachments(&self, _: &str) -> Result<Option<i32>, ServiceError> {
        Ok(None)
    }

    async fn create_key(&self, _: &IamUserName) -> Result<(AccessKeyId, Secret), ServiceError> {
        Err(ServiceError::Invalid("the demo never writes".into()))
    }

    /// Only the request tag is kept (and the teardown tag, in the inventory).
    async fn user_tag(
        &self,
        user: &IamUserName,
        key: &str,
    ) -> Result<Option<Option<String>>, ServiceError> {
        Ok(self.0.get(user.as_str()).map(|inv| match key {
            crate::core::teardown::REQUEST_TAG => inv.request_tag.clone(),
            crate::core::teardown::TEARDOWN_TAG => inv.teardown_tag.clone(),
            _ => None,
        }))
    }

    async fn user_keys(&self, user: &IamUserName) -> Result<Vec<AccessKeyId>, ServiceError> {
        Ok(self
            .0
            .get(user.as_str())
            .map(|inv| inv.access_keys.clone())
            .unwrap_or_default())
    }
}

/// A writable copy of some sheets: the demo's extension-request walk-through writes into it.
pub struct ScratchSheets(std::sync::Mutex<HashMap<String, Grid>>);

impl ScratchSheets {
    pub fn new(sheets: HashMap<String, Grid>) -> Self {
        ScratchSheets(std::sync::Mutex::new(sheets))
    }

    /// The sheet as it is now.
    pub fn sheet(&self, name: &str) -> Grid {
        let sheets = self.0.lock().unwrap_or_else(|e| e.into_inner());
        sheets.get(name).cloned().unwrap_or_default()
    }
}

/// `'sheet'!K5` → (`sheet`, column index 10, row index 4).
fn parse_a1(range: &str) -> Option<(String, usize, usize)> {
    let (sheet, cell) = range.rsplit_once('!')?;
    let sheet = sheet
        .strip_prefix('\'')
        .and_then(|s| s.strip_suffix('\''))
        .unwrap_or(sheet)
        .replace("''", "'");
    let letters: String = cell
        .chars()
        .take_while(|c| c.is_ascii_uppercase())
        .collect();
    let row: usize = cell[letters.len()..].parse().ok()?;
    let col = letters
        .bytes()
        .fold(0usize, |n, b| n * 26 + usize::from(b - b'A' + 1));
    Some((sheet, col.checked_sub(1)?, row.checked_sub(1)?))
}

impl SheetStore for ScratchSheets {
    async fn read(&self, sheets: &[&str]) -> Result<Vec<Grid>, ServiceError> {
        let all = self.0.lock().unwrap_or_else(|e| e.into_inner());
        sheets
            .iter()
            .map(|s| {
                all.get(*s)
                    .cloned()
                    .ok_or_else(|| ServiceError::NotFound(format!("no sheet \"{s}\"")))
            })
            .collect()
    }

    async fn write(&self, cells: &[CellWrite]) -> Result<(), ServiceError> {
        let mut all = self.0.lock().unwrap_or_else(|e| e.into_inner());
        for c in cells {
            let (sheet, col, row) = parse_a1(&c.range)
                .ok_or_else(|| ServiceError::Invalid(format!("bad range {}", c.range)))?;
            let grid = all.entry(sheet).or_default();
            if grid.len() <= row {
                grid.resize(row + 1, Vec::new());
            }
            if grid[row].len() <= col {
                grid[row].resize(col + 1, serde_json::Value::String(String::new()));
            }
            grid[row][col] = serde_json::Value::String(c.value.clone());
        }
        Ok(())
    }

    /// Below the last non-empty row, like the Sheets API's table detection.
    async fn append(
        &self,
        sheet: &str,
        rows: &[Vec<serde_json::Value>],
    ) -> Result<(), ServiceError> {
        let mut all = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let grid = all
            .get_mut(sheet)
            .ok_or_else(|| ServiceError::NotFound(format!("no sheet \"{sheet}\"")))?;
        let blank = |row: &Vec<serde_json::Value>| {
            row.iter().all(|c| c.is_null() || c.as_str() == Some(""))
        };
        while grid.last().is_some_and(blank) {
            grid.pop();
        }
        grid.extend(rows.iter().cloned());
        Ok(())
    }

    async fn add_sheet(&self, sheet: &str) -> Result<(), ServiceError> {
        let mut all = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if all.contains_key(sheet) {
            return Err(ServiceError::Conflict(format!(
                "a sheet named \"{sheet}\" exists already"
            )));
        }
        all.insert(sheet.to_string(), Grid::new());
        Ok(())
    }
}

/// The demo's AWS accounts: the home account's IAM is the job's own; the others' users here,
/// and which account each key ID belongs to (as STS would say, deleted keys included).
pub struct MemoryFleet {
    pub home: crate::core::domain::AwsAccountId,
    pub others: HashMap<crate::core::domain::AwsAccountId, MemoryIam>,
    pub key_accounts: HashMap<AccessKeyId, crate::core::domain::AwsAccountId>,
}

impl super::Fleet<MemoryIam, NoVault> for MemoryFleet {
    fn home(
        &self,
    ) -> futures::future::BoxFuture<'_, Result<crate::core::domain::AwsAccountId, ServiceError>>
    {
        Box::pin(async { Ok(self.home) })
    }

    fn organization(
        &self,
    ) -> futures::future::BoxFuture<'_, Result<Vec<crate::core::domain::Account>, ServiceError>>
    {
        Box::pin(async {
            Err(ServiceError::AccessDenied(
                "the demo has no Organization".into(),
            ))
        })
    }

    fn key_account<'a>(
        &'a self,
        key: &'a AccessKeyId,
    ) -> futures::future::BoxFuture<'a, Result<crate::core::domain::AwsAccountId, ServiceError>>
    {
        Box::pin(async move {
            self.key_accounts
                .get(key)
                .cloned()
                .ok_or_else(|| ServiceError::Invalid(format!("the demo does not know {key}")))
        })
    }

    fn enter<'a>(
        &'a self,
        account: &'a crate::core::domain::AwsAccountId,
    ) -> futures::future::BoxFuture<'a, Result<(MemoryIam, NoVault), ServiceError>> {
        Box::pin(async move {
            self.others
                .get(account)
                .map(|iam| (iam.clone(), NoVault))
                .ok_or_else(|| {
                    ServiceError::AccessDenied(format!("the demo has no account {account}"))
                })
        })
    }
}

/// A user's tags and keys, in [`Issuing`].
pub type IssuedUser = (Vec<(String, String)>, Vec<AccessKeyId>);

/// What IAM and Secrets Manager hold when keywarden issues keys (docs/rules.md §12), and
/// every creation in order.
#[derive(Default)]
pub struct IssuingWorld {
    /// Each user's tags and keys.
    pub users: HashMap<String, IssuedUser>,
    /// Every `CreateUser`: the user and its request tag.
    pub created_users: Vec<(String, String)>,
    /// Every `CreateAccessKey`: the user, the key and the secret (made up: the tests look for
    /// it where it must never be).
    pub created_keys: Vec<(String, AccessKeyId, String)>,
    /// Each secret's tags and value.
    pub secrets: HashMap<String, (Vec<(String, String)>, String)>,
    /// Secret names whose stores fail.
    pub failing: Vec<String>,
    next: usize,
}

/// IAM and Secrets Manager in memory for key issuance: they create users, keys and secrets
/// and remember them, and answer nothing else. The demo's walk-through and the issuance
/// property test share them.
#[derive(Default)]
pub struct Issuing(pub std::sync::Mutex<IssuingWorld>);

/// How every made-up secret [`Issuing`] creates begins: a test looks for it where no secret
/// may appear.
pub const MADE_UP_SECRET: &str = "made-up-secret-";

/// The made-up secret of the `n`-th key [`Issuing`] creates: never a real one.
pub fn made_up_secret(n: usize) -> String {
    format!("{MADE_UP_SECRET}{n:06}")
}

impl Issuing {
    fn world(&self) -> std::sync::MutexGuard<'_, IssuingWorld> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn tag_of(tags: &[(String, String)], key: &str) -> Option<String> {
    tags.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
}

impl Iam for Issuing {
    async fn inventory(&self, _: &IamUserName) -> Result<Option<UserInventory>, ServiceError> {
        Ok(None)
    }

    /// Only an issued key's deletion (a key whose secret could not be stored) is carried out.
    async fn apply(&self, user: &IamUserName, step: &Step) -> Result<StepResult, ServiceError> {
        let mut w = self.world();
        if let (Step::DeleteAccessKey(k), Some((_, keys))) = (step, w.users.get_mut(user.as_str()))
        {
            keys.retain(|x| x != k);
            return Ok(StepResult::Done);
        }
        Ok(StepResult::AlreadyGone)
    }

    async fn account_keys(&self, _: &str, _: ReportUse) -> Result<Vec<KeyInfo>, ServiceError> {
        Ok(Vec::new())
    }

    async fn key_owner(&self, _: &AccessKeyId) -> Result<Option<IamUserName>, ServiceError> {
        Ok(None)
    }

    async fn policy_attachments(&self, _: &str) -> Result<Option<i32>, ServiceError> {
        Ok(None)
    }

    async fn key_last_used(
        &self,
        _: &AccessKeyId,
    ) -> Result<Option<chrono::DateTime<chrono::Utc>>, ServiceError> {
        Ok(None)
    }

    async fn set_key_active(
        &self,
        _: &IamUserName,
        _: &AccessKeyId,
        _: bool,
    ) -> Result<(), ServiceError> {
        Ok(())
    }

    async fn create_key(&self, user: &IamUserName) -> Result<(AccessKeyId, Secret), ServiceError> {
        let mut w = self.world();
        w.next += 1;
        let n = w.next;
        let key =
            AccessKeyId::parse(&format!("AKIAISSUED{n:010}")).map_err(ServiceError::Invalid)?;
        let secret = made_up_secret(n);
        let (_, keys) = w
            .users
            .get_mut(user.as_str())
            .ok_or_else(|| ServiceError::NotFound(format!("no user {user}")))?;
        keys.push(key.clone());
        w.created_keys
            .push((user.to_string(), key.clone(), secret.clone()));
        Ok((key, Secret::new(secret)))
    }

    async fn user_tag(
        &self,
        user: &IamUserName,
        key: &str,
    ) -> Result<Option<Option<String>>, ServiceError> {
        Ok(self
            .world()
            .users
            .get(user.as_str())
            .map(|(tags, _)| tag_of(tags, key)))
    }

    async fn user_keys(&self, user: &IamUserName) -> Result<Vec<AccessKeyId>, ServiceError> {
        Ok(self
            .world()
            .users
            .get(user.as_str())
            .map(|(_, keys)| keys.clone())
            .unwrap_or_default())
    }

    async fn create_user(&self, user: &NewUser) -> Result<Created, ServiceError> {
        let mut w = self.world();
        if w.users.contains_key(user.name.as_str()) {
            return Ok(Created::Exists);
        }
        let request = tag_of(&user.tags, REQUEST_TAG).unwrap_or_default();
        w.created_users.push((user.name.to_string(), request));
        w.users
            .insert(user.name.to_string(), (user.tags.clone(), Vec::new()));
        Ok(Created::New)
    }

    async fn attach_policy(&self, _: &IamUserName, _: &str) -> Result<(), ServiceError> {
        Ok(())
    }
}

impl Vault for Issuing {
    async fn store(&self, name: &str, value: &Secret) -> Result<(), ServiceError> {
        let mut w = self.world();
        if w.failing.iter().any(|f| f == name) {
            return Err(ServiceError::Unavailable("injected".into()));
        }
        w.secrets.entry(name.to_string()).or_default().1 = value.expose().to_string();
        Ok(())
    }

    async fn read(&self, _: &str) -> Result<Option<Secret>, ServiceError> {
        Ok(None)
    }

    async fn secret_tag(
        &self,
        name: &str,
        key: &str,
    ) -> Result<Option<Option<String>>, ServiceError> {
        Ok(self
            .world()
            .secrets
            .get(name)
            .map(|(tags, _)| tag_of(tags, key)))
    }

    async fn create_tagged(
        &self,
        name: &str,
        value: &Secret,
        tags: &[(String, String)],
    ) -> Result<(), ServiceError> {
        let mut w = self.world();
        if w.failing.iter().any(|f| f == name) {
            return Err(ServiceError::Unavailable("injected".into()));
        }
        w.secrets.insert(
            name.to_string(),
            (tags.to_vec(), value.expose().to_string()),
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a1_references_are_read_back() {
        assert_eq!(
            parse_a1("'key_request_form'!K5"),
            Some(("key_request_form".into(), 10, 4))
        );
        assert_eq!(parse_a1("'it''s'!AA1"), Some(("it's".into(), 26, 0)));
        assert_eq!(parse_a1("nonsense"), None);
    }
}
