//! Settings from the environment and an optional TOML file (docs/rules.md §5). The environment wins; the
//! original Python system's variable names are accepted as aliases. Every problem is collected so
//! that one message names them all, before anything is read or written.
//!
//! Long because every variable of docs/rules.md §5 is read, defaulted and checked here, with an error
//! that names it (and its original alias) and never its value; the tests are in
//! `configuration_tests.rs`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use chrono_tz::Tz;

use crate::core::domain::{
    Account, AccountsSetting, IamUserName, ProtectedUser, Secret, SlackUserId, protected_in,
};
use crate::core::issue::IssueSettings;
use crate::core::key_rules::{HygieneRules, Rotation};
use crate::core::plan::Rules;
use crate::variables;

/// What the daily run needs to know besides the sheets.
#[derive(Debug, Clone)]
pub struct JobSettings {
    pub request_sheet: String,
    pub users_sheet: String,
    pub admins: Vec<SlackUserId>,
    pub rules: Rules,
    pub protected_users: Vec<IamUserName>,
    pub iam_path_prefix: String,
    /// How many IAM users / Slack DMs are handled at once.
    pub concurrency: usize,
    /// The key rules of docs/rules.md §8, each off unless configured.
    pub hygiene: HygieneRules,
    /// The zone in which a key's creation becomes a date (key ages).
    pub timezone: chrono_tz::Tz,
    /// docs/rules.md §9 is on: owners' notices carry the "延長を申請する" button.
    pub extension_requests: bool,
    /// Which AWS accounts, and how they are entered.
    pub accounts: AccountSettings,
    /// `KEYWARDEN_LOG_SHEET`: the sheet every run appends its actions to (docs/rules.md §11).
    pub log_sheet: String,
    /// `plan --days N`: the report also lists what each of the next N days brings.
    pub days_ahead: Option<u32>,
    /// Key issuance from the request sheet; `None` (no `KEYWARDEN_ISSUE_POLICIES`): off.
    pub issue: Option<IssueSettings>,
}

/// The AWS accounts keywarden may act in, and the role it assumes in them.
#[derive(Debug, Clone)]
pub struct AccountSettings {
    /// `KEYWARDEN_ACCOUNTS`.
    pub setting: AccountsSetting,
    /// `KEYWARDEN_ROLE_NAME` (default `keywarden`).
    pub role_name: String,
    /// `KEYWARDEN_ROLE_PATH` (default `/`), always starting and ending with `/`.
    pub role_path: String,
    /// `KEYWARDEN_ROLE_EXTERNAL_ID`: never printed (it guards the role like a password).
    pub external_id: Option<Secret>,
    /// `KEYWARDEN_ACCOUNT_CONCURRENCY` (default 8).
    pub concurrency: usize,
    /// Every `KEYWARDEN_PROTECTED_USERS` entry with its account scope.
    pub protected: Vec<ProtectedUser>,
    /// The account these settings were narrowed to ([`JobSettings::for_account`]).
    pub current: Option<Account>,
}

impl Default for AccountSettings {
    /// The home account only, as without any of the variables.
    fn default() -> Self {
        AccountSettings {
            setting: AccountsSetting::HomeOnly,
            role_name: "keywarden".into(),
            role_path: "/".into(),
            external_id: None,
            concurrency: 8,
            protected: Vec::new(),
            current: None,
        }
    }
}

impl AccountSettings {
    /// The role keywarden assumes in `account`.
    pub fn role_arn(&self, account: &crate::core::domain::AwsAccountId) -> String {
        format!(
            "arn:aws:iam::{account}:role{}{}",
            self.role_path, self.role_name
        )
    }
}

impl JobSettings {
    /// These settings for work in one account: `protected_users` holds the users protected
    /// there. Until specialised it holds every entry's user (protecting too much, never less).
    pub fn for_account(&self, account: &Account) -> JobSettings {
        let entries = &self.accounts.protected;
        let here = protected_in(entries, account);
        // A user no entry scopes (settings built in code) stays protected everywhere.
        let protected_users = self
            .protected_users
            .iter()
            .filter(|u| here.contains(u) || !entries.iter().any(|e| &e.user == *u))
            .cloned()
            .collect();
        let mut narrowed = JobSettings {
            protected_users,
            ..self.clone()
        };
        narrowed.accounts.current = Some(account.clone());
        narrowed
    }
}

/// The original system's names (docs/rules.md §5), for deployments that switch without changes.
const ALIASES: &[(&str, &[&str])] = &[
    ("KEYWARDEN_SPREADSHEET_ID", &["SP_SHEET_KEY"]),
    ("KEYWARDEN_REQUEST_SHEET", &["SP_SHEET"]),
    ("KEYWARDEN_USERS_SHEET", &["SP_SHEET_TBL"]),
    ("SLACK_BOT_TOKEN", &["BOT_ACCESS_TOKEN"]),
    ("KEYWARDEN_ADMIN_SLACK_IDS", &["ADMIN_ID_1", "ADMIN_ID_2"]),
];

/// Invalid or missing configuration: exit 2 with every problem named.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("configuration problem(s), nothing was done:\n{}", .0.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
pub struct ConfigError(pub Vec<String>);

/// Where values come from: environment variables, then the `--config` file.
#[derive(Debug, Default, Clone)]
pub struct Sources {
    env: HashMap<String, String>,
    file: HashMap<String, String>,
    /// `config file /etc/keywarden.toml`: named in every problem with a value from it.
    file_name: String,
    /// The file's own problems (unknown keys, wrong types), reported with all the others.
    file_problems: Vec<String>,
}

impl Sources {
    /// The process environment and, if given, the TOML file.
    pub fn load(config_file: Option<&Path>) -> Result<Self, ConfigError> {
        let text = match config_file {
            Some(path) => Some(std::fs::read_to_string(path).map_err(|e| {
                // The I/O error's kind only: never the content (not valid UTF-8, say).
                ConfigError(vec![format!(
                    "cannot read config file {}: {} (check the path and that it is a UTF-8 \
                     text file)",
                    path.display(),
                    e.kind()
                )])
            })?),
            None => None,
        };
        let name = config_file.map(|p| format!("config file {}", p.display()));
        Sources::with_file(std::env::vars().collect(), text.as_deref(), name.as_deref())
    }

    pub fn new(env: HashMap<String, String>, file_text: Option<&str>) -> Result<Self, ConfigError> {
        Sources::with_file(env, file_text, None)
    }

    /// `name` says which file in messages (`config file /etc/keywarden.toml`).
    fn with_file(
        env: HashMap<String, String>,
        file_text: Option<&str>,
        name: Option<&str>,
    ) -> Result<Self, ConfigError> {
        let name = name.unwrap_or("config file");
        let mut file = HashMap::new();
        let mut problems = Vec::new();
        if let Some(text) = file_text {
            let table: toml::Table = text
                .parse()
                .map_err(|e: toml::de::Error| ConfigError(vec![toml_problem(name, text, &e)]))?;
            for (key, value) in table {
                let var = crate::variables::names().find(|v| file_key(v) == key);
                let text = match value {
                    toml::Value::String(s) => Some(s),
                    toml::Value::Integer(i) => Some(i.to_string()),
                    toml::Value::Boolean(b) => Some(b.to_string()),
                    toml::Value::Array(items) => items
                        .iter()
                        .map(|i| i.as_str().map(str::to_string))
                        .collect::<Option<Vec<_>>>()
                        .map(|v| v.join(",")),
                    _ => None,
                };
                match (var, text) {
                    (Some(var), Some(text)) => {
                        file.insert(var.to_string(), text);
                    }
                    (None, _) => problems.push(unknown_key(name, &key)),
                    (Some(_), None) => problems.push(format!(
                        "{name}: \"{key}\" must be a string, a number, a boolean or a list of strings"
                    )),
                }
            }
        }
        Ok(Sources {
            env,
            file,
            file_name: name.to_string(),
            file_problems: problems,
        })
    }

    /// A problem about `VAR` whose value came from the file names the file and its key:
    /// `KEYWARDEN_NOTIFY_DAYS="x" …` becomes `config file k.toml: notify_days = "x" …`.
    fn attribute(&self, problem: String) -> String {
        let var_len = problem
            .find(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
            .unwrap_or(problem.len());
        let var = &problem[..var_len];
        let from_env = self.env.get(var).is_some_and(|v| !v.trim().is_empty())
            || ALIASES
                .iter()
                .filter(|(name, _)| *name == var)
                .flat_map(|(_, aliases)| aliases.iter())
                .any(|a| self.env.get(*a).is_some_and(|v| !v.trim().is_empty()));
        if var.is_empty() || from_env || !self.file.contains_key(var) {
            return problem;
        }
        let rest = &problem[var_len..];
        let rest = match rest.strip_prefix('=') {
            Some(value) => format!(" = {value}"),
            None => rest.to_string(),
        };
        format!("{}: {}{rest}", self.file_name, file_key(var))
    }

    /// A value, or the declared default value (src/variables.rs); `None` when unset without one.
    fn value(&self, var: &str) -> Option<String> {
        self.get(var)
            .or_else(|| match variables::variable(var).default {
                variables::Default::Value(v) => Some(v.to_string()),
                _ => None,
            })
    }

    /// A whole number within its declared range, set or by default; `None` when unset and off.
    /// A bad value is a problem naming the variable and its range.
    fn optional_number(&self, var: &str, problems: &mut Vec<String>) -> Option<u64> {
        let (min, max) = variables::variable(var)
            .range
            .unwrap_or_else(|| panic!("{var} is declared without a range"));
        let text = self.value(var)?;
        match text.parse::<u64>() {
            Ok(n) if (min..=max).contains(&n) => Some(n),
            _ => {
                problems.push(format!(
                    "{var}=\"{text}\" must be a whole number from {min} to {max}"
                ));
                Some(min)
            }
        }
    }

    /// A whole number declared with a default value (see [`Sources::optional_number`]).
    fn number(&self, var: &str, problems: &mut Vec<String>) -> u64 {
        self.optional_number(var, problems)
            .unwrap_or_else(|| panic!("{var} is declared without a default value"))
    }

    /// A value by its variable name: environment, then aliases, then file; blank counts as unset.
    fn get(&self, var: &str) -> Option<String> {
        let env = |name: &str| {
            self.env
                .get(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        if let Some(v) = env(var) {
            return Some(v);
        }
        if let Some((_, aliases)) = ALIASES.iter().find(|(name, _)| *name == var) {
            let found: Vec<String> = aliases.iter().filter_map(|a| env(a)).collect();
            if !found.is_empty() {
                return Some(found.join(","));
            }
        }
        self.file
            .get(var)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }
}

/// A TOML syntax error by position and key only. The parser's own message quotes the offending
/// line, which may be `slack_bot_token = "xoxb-…"`: neither the line nor any value is shown.
fn toml_problem(name: &str, text: &str, error: &toml::de::Error) -> String {
    let Some(at) = error.span().map(|s| s.start.min(text.len())) else {
        return format!(
            "{name} is not valid TOML (write each setting as key = \"value\", one per line)"
        );
    };
    let before = text.get(..at).unwrap_or("");
    let line_number = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    let line = text[line_start..].lines().next().unwrap_or("");
    // The key is named when the line starts with a plain `key =`; keys are never secret.
    let key = line
        .split_once('=')
        .map(|(k, _)| k.trim())
        .filter(|k| {
            !k.is_empty()
                && k.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        })
        .map(|k| format!(" (key \"{k}\")"))
        .unwrap_or_default();
    format!(
        "{name}: line {line_number}, column {column}{key} is not valid TOML: write the setting \
         as key = \"value\" with the value in double quotes (the line is not shown: it may hold \
         a secret)"
    )
}

/// `KEYWARDEN_NOTIFY_DAYS` → `notify_days`; `SLACK_BOT_TOKEN` → `slack_bot_token`.
fn file_key(var: &str) -> String {
    var.strip_prefix("KEYWARDEN_").unwrap_or(var).to_lowercase()
}

/// Which outside services a command needs, so `demo` needs none and `plan` no Slack token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Needs {
    pub google: bool,
    pub slack: bool,
    /// `serve`: the Slack signing secret (docs/rules.md §9), or an app token for Socket Mode.
    pub signing_secret: bool,
}

/// docs/rules.md §9: extension requests from Slack, on when a signing secret (HTTP) or an app token
/// (Socket Mode) is configured.
#[derive(Debug, Clone, Default)]
pub struct ExtensionConfig {
    /// `SLACK_SIGNING_SECRET`.
    pub signing_secret: Option<Secret>,
    /// `KEYWARDEN_SLACK_SIGNING_SECRET_SECRET`: a Secrets Manager secret holding it (Lambda).
    pub signing_secret_name: Option<String>,
    /// `SLACK_APP_TOKEN` (`xapp-…`): `serve` connects over Socket Mode instead of listening.
    pub app_token: Option<Secret>,
    /// `KEYWARDEN_SLACK_APP_TOKEN_SECRET`: a Secrets Manager secret holding the app token.
    pub app_token_name: Option<String>,
    /// `KEYWARDEN_EXTENSION_DAYS`: the new end date first offered, days after the current one.
    pub extension_days: u32,
    /// `KEYWARDEN_MAX_EXTENSION_DAYS`: how far past the current end date a request may go.
    pub max_extension_days: u32,
    /// `KEYWARDEN_APPROVAL_CHANNEL`: approval requests go there instead of to each admin.
    pub approval_channel: Option<String>,
}

impl ExtensionConfig {
    /// Whether owners' notices carry the request button and `serve` may run.
    pub fn enabled(&self) -> bool {
        self.signing_secret.is_some() || self.signing_secret_name.is_some() || self.socket_mode()
    }

    /// Whether `serve` uses Socket Mode: an app token decides, whatever else is set.
    pub fn socket_mode(&self) -> bool {
        self.app_token.is_some() || self.app_token_name.is_some()
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub spreadsheet_id: String,
    pub job: JobSettings,
    pub timezone: Tz,
    pub today: Option<NaiveDate>,
    /// The key file; unused when `google_key_secret` names a Secrets Manager secret.
    pub google_credentials: PathBuf,
    pub google_key_secret: Option<String>,
    pub sheets_api_url: String,
    pub slack_token: Option<Secret>,
    /// A Secrets Manager secret holding the token (Lambda); `SLACK_BOT_TOKEN` wins if both are set.
    pub slack_token_secret: Option<String>,
    pub slack_api_url: String,
    /// Longest wait for one HTTP attempt to Google or Slack before it is retried.
    pub http_timeout: std::time::Duration,
    pub extensions: ExtensionConfig,
}

impl Settings {
    pub fn load(src: &Sources, needs: Needs) -> Result<Self, ConfigError> {
        let mut problems = src.file_problems.clone();
        // Only for variables declared with a default value.
        let parse = |var: &str| -> String { src.value(var).unwrap_or_default() };
        let notify_days = src.number("KEYWARDEN_NOTIFY_DAYS", &mut problems);
        let max_deletions = src.number("KEYWARDEN_MAX_DELETIONS", &mut problems);
        let max_deactivations = src.number("KEYWARDEN_MAX_DEACTIVATIONS", &mut problems);
        let concurrency = src.number("KEYWARDEN_CONCURRENCY", &mut problems);
        let http_timeout = src.number("KEYWARDEN_HTTP_TIMEOUT_SECS", &mut problems);

        // docs/rules.md §8: each rule is off unless its variable is set.
        let max_age = src
            .optional_number("KEYWARDEN_MAX_KEY_AGE_DAYS", &mut problems)
            .map(|d| d as i64);
        let age_grace = src.number("KEYWARDEN_KEY_AGE_GRACE_DAYS", &mut problems) as i64;
        let unused_days = src
            .optional_number("KEYWARDEN_UNUSED_DAYS", &mut problems)
            .map(|d| d as i64);
        let deactivate_grace = src.number("KEYWARDEN_DEACTIVATE_GRACE_DAYS", &mut problems) as u32;
        let rotate_users: Vec<IamUserName> = list(src.get("KEYWARDEN_ROTATE_USERS"))
            .filter_map(|u| {
                IamUserName::parse(&u)
                    .map_err(|e| problems.push(format!("KEYWARDEN_ROTATE_USERS: {e}")))
                    .ok()
            })
            .collect();
        let rotate_days = src.number("KEYWARDEN_ROTATE_DAYS", &mut problems) as i64;
        let report_shadow = match parse("KEYWARDEN_REPORT_SHADOW_KEYS")
            .to_lowercase()
            .as_str()
        {
            "true" | "1" | "yes" | "on" => true,
            "false" | "0" | "no" | "off" => false,
            other => {
                problems.push(format!(
                    "KEYWARDEN_REPORT_SHADOW_KEYS=\"{other}\" must be true or false"
                ));
                false
            }
        };
        let hygiene = HygieneRules {
            max_age: max_age.map(|a| (a, age_grace)),
            unused_days,
            rotation: (!rotate_users.is_empty()).then(|| Rotation {
                users: rotate_users,
                days: rotate_days,
                secret_prefix: parse("KEYWARDEN_ROTATE_SECRET_PREFIX"),
            }),
            report_shadow,
            max_deactivations: max_deactivations as usize,
        };

        let tz_text = parse("KEYWARDEN_TIMEZONE");
        let timezone = tz_text.parse::<Tz>().unwrap_or_else(|_| {
            problems.push(format!(
                "KEYWARDEN_TIMEZONE=\"{tz_text}\" is not an IANA time zone such as Asia/Tokyo"
            ));
            Tz::Asia__Tokyo
        });
        let today = src.get("KEYWARDEN_TODAY").and_then(|t| {
            parse_today(&t)
                .map_err(|e| problems.push(format!("KEYWARDEN_TODAY: {e}")))
                .ok()
        });
        let admins = list(src.get("KEYWARDEN_ADMIN_SLACK_IDS"))
            .filter_map(|id| {
                SlackUserId::parse(&id)
                    .map_err(|e| problems.push(format!("KEYWARDEN_ADMIN_SLACK_IDS: {e}")))
                    .ok()
            })
            .collect();
        let protected: Vec<ProtectedUser> = list(src.get("KEYWARDEN_PROTECTED_USERS"))
            .filter_map(|u| {
                ProtectedUser::parse(&u)
                    .map_err(|e| problems.push(format!("KEYWARDEN_PROTECTED_USERS: {e}")))
                    .ok()
            })
            .collect();
        // Every entry's user, whatever its account: a path that forgets to narrow this to
        // one account protects too much, never too little.
        let protected_users: Vec<IamUserName> = protected.iter().map(|p| p.user.clone()).collect();
        let accounts = account_settings(src, protected, &mut problems);
        let iam_path_prefix = parse("KEYWARDEN_IAM_PATH_PREFIX");
        if !iam_path_prefix.starts_with('/') {
            problems.push(format!(
                "KEYWARDEN_IAM_PATH_PREFIX=\"{iam_path_prefix}\" must start with / (e.g. / or /keys/)"
            ));
        }
        let issue = issue_settings(src, &iam_path_prefix, &mut problems);
        let mut url = |var: &str| -> String {
            let u = parse(var);
            if !(u.starts_with("https://") || u.starts_with("http://")) {
                problems.push(format!("{var}=\"{u}\" must be an http(s) URL"));
            }
            u
        };
        let sheets_api_url = with_slash(url("KEYWARDEN_SHEETS_API_URL"));
        let slack_api_url = with_slash(url("KEYWARDEN_SLACK_API_URL"));

        let spreadsheet_id = spreadsheet_id(
            src.get("KEYWARDEN_SPREADSHEET_ID").unwrap_or_default(),
            &mut problems,
        );
        let google_credentials = PathBuf::from(
            src.get("GOOGLE_APPLICATION_CREDENTIALS")
                .unwrap_or_default(),
        );
        let google_key_secret = src.get("KEYWARDEN_GOOGLE_KEY_SECRET");
        if needs.google {
            if spreadsheet_id.is_empty() {
                problems.push(
                    "KEYWARDEN_SPREADSHEET_ID is not set: use the ID from the sheet's URL \
                     (docs.google.com/spreadsheets/d/<ID>/edit)"
                        .into(),
                );
            }
            match (
                google_key_secret.is_some(),
                google_credentials.as_os_str().is_empty(),
            ) {
                (true, _) => {}
                (false, true) => problems.push(
                    "GOOGLE_APPLICATION_CREDENTIALS is not set: give the path of the service \
                     account's JSON key (or KEYWARDEN_GOOGLE_KEY_SECRET, a Secrets Manager secret)"
                        .into(),
                ),
                (false, false) if !google_credentials.is_file() => problems.push(format!(
                    "GOOGLE_APPLICATION_CREDENTIALS: no file at {}",
                    google_credentials.display()
                )),
                (false, false) => {}
            }
        }
        let slack_token = src.get("SLACK_BOT_TOKEN").map(Secret::new);
        let slack_token_secret = src.get("KEYWARDEN_SLACK_TOKEN_SECRET");
        if needs.slack {
            match (&slack_token, &slack_token_secret) {
                (None, None) => problems.push(
                    "SLACK_BOT_TOKEN is not set: use the app's Bot User OAuth Token (xoxb-…), or \
                     KEYWARDEN_SLACK_TOKEN_SECRET, a Secrets Manager secret holding it"
                        .into(),
                ),
                (Some(t), _) if !t.expose().starts_with("xox") => problems.push(
                    "SLACK_BOT_TOKEN does not look like a Slack token (it should start with xoxb-)"
                        .into(),
                ),
                _ => {}
            }
        }

        let extension_days = src.number("KEYWARDEN_EXTENSION_DAYS", &mut problems);
        let max_extension_days = src.number("KEYWARDEN_MAX_EXTENSION_DAYS", &mut problems);
        if extension_days == 0 || extension_days > max_extension_days {
            problems.push(format!(
                "KEYWARDEN_EXTENSION_DAYS ({extension_days}) must be between 1 and \
                 KEYWARDEN_MAX_EXTENSION_DAYS ({max_extension_days})"
            ));
        }
        let extensions = ExtensionConfig {
            signing_secret: src.get("SLACK_SIGNING_SECRET").map(Secret::new),
            signing_secret_name: src.get("KEYWARDEN_SLACK_SIGNING_SECRET_SECRET"),
            app_token: src.get("SLACK_APP_TOKEN").map(Secret::new),
            app_token_name: src.get("KEYWARDEN_SLACK_APP_TOKEN_SECRET"),
            extension_days: extension_days as u32,
            max_extension_days: max_extension_days as u32,
            approval_channel: src
                .get("KEYWARDEN_APPROVAL_CHANNEL")
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty()),
        };
        if needs.signing_secret && !extensions.enabled() {
            problems.push(
                "SLACK_SIGNING_SECRET is not set: copy the Signing Secret from the Slack app's \
                 Basic Information page (or set KEYWARDEN_SLACK_SIGNING_SECRET_SECRET, a Secrets \
                 Manager secret holding it; or SLACK_APP_TOKEN, an app-level token xapp-…, to \
                 use Socket Mode instead of HTTP)"
                    .into(),
            );
        }
        // Never quoted: the value is a credential.
        if extensions
            .app_token
            .as_ref()
            .is_some_and(|t| !t.expose().starts_with("xapp-"))
        {
            problems.push(
                "SLACK_APP_TOKEN does not look like an app-level token (it should start with \
                 xapp-; create one with the connections:write scope on the Slack app's Basic \
                 Information page)"
                    .into(),
            );
        }

        if !problems.is_empty() {
            return Err(ConfigError(
                problems.into_iter().map(|p| src.attribute(p)).collect(),
            ));
        }
        Ok(Settings {
            spreadsheet_id,
            job: JobSettings {
                request_sheet: parse("KEYWARDEN_REQUEST_SHEET"),
                users_sheet: parse("KEYWARDEN_USERS_SHEET"),
                admins,
                rules: Rules {
                    notify_days: notify_days as u32,
                    max_deletions: max_deletions as usize,
                    deactivate_grace,
                },
                protected_users,
                iam_path_prefix,
                concurrency: concurrency as usize,
                hygiene,
                timezone,
                extension_requests: extensions.enabled(),
                accounts,
                log_sheet: parse("KEYWARDEN_LOG_SHEET"),
                days_ahead: None,
                issue,
            },
            timezone,
            today,
            google_credentials,
            google_key_secret,
            sheets_api_url,
            slack_token,
            slack_token_secret,
            slack_api_url,
            http_timeout: std::time::Duration::from_secs(http_timeout),
            extensions,
        })
    }

    /// Today in the configured zone unless pinned; never the UTC date.
    pub fn today(&self, pinned: Option<NaiveDate>) -> NaiveDate {
        pinned.or(self.today).unwrap_or_else(|| {
            chrono::Utc::now()
                .with_timezone(&self.timezone)
                .date_naive()
        })
    }
}

/// `YYYY-MM-DD`, as `--today` and `KEYWARDEN_TODAY` take it: four digits of year, so that
/// `26-11-22` is refused rather than run as the year 26 (on `run`, a real run).
pub fn parse_today(text: &str) -> Result<NaiveDate, String> {
    let trimmed = text.trim();
    let parts: Vec<&str> = trimmed.split('-').collect();
    let shaped = parts.len() == 3
        && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit()))
        && parts[0].len() == 4
        && (1..=2).contains(&parts[1].len())
        && (1..=2).contains(&parts[2].len());
    if !shaped {
        return Err(format!(
            "\"{text}\" is not a date in the form YYYY-MM-DD (four-digit year, e.g. 2026-11-22)"
        ));
    }
    NaiveDate::parse_from_str(trimmed, "%Y-%m-%d").map_err(|_| {
        format!(
            "\"{text}\" is no such date: the month must be 1–12 and the day exist in that month"
        )
    })
}

/// The spreadsheet ID, also when the whole URL was pasted: the part after `/spreadsheets/d/`.
fn spreadsheet_id(value: String, problems: &mut Vec<String>) -> String {
    if let Some((_, after)) = value.split_once("/spreadsheets/d/") {
        let id: String = after
            .chars()
            .take_while(|c| !matches!(c, '/' | '?' | '#'))
            .collect();
        if !id.is_empty() {
            return id;
        }
    }
    if value.contains(['/', ' ', '?', '#']) {
        problems.push(
            "KEYWARDEN_SPREADSHEET_ID is not a spreadsheet ID: paste the part of the sheet's URL \
             between /spreadsheets/d/ and /edit (docs.google.com/spreadsheets/d/<ID>/edit)"
                .into(),
        );
    }
    value
}

/// An unknown key of the file, with the known key it was most likely meant to be.
fn unknown_key(file: &str, key: &str) -> String {
    let nearest = crate::variables::names()
        .map(file_key)
        .map(|k| (edit_distance(&k, key), k))
        .min();
    match nearest {
        Some((distance, k)) if distance <= 2.max(key.len() / 4) => {
            format!("{file}: unknown key \"{key}\": did you mean \"{k}\"?")
        }
        _ => format!(
            "{file}: unknown key \"{key}\" (known: {})",
            crate::variables::names()
                .map(file_key)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Levenshtein distance, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (row[j + 1] + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// docs/rules.md §10's settings: `KEYWARDEN_ACCOUNTS` and the role assumed in the other accounts.
fn account_settings(
    src: &Sources,
    protected: Vec<ProtectedUser>,
    problems: &mut Vec<String>,
) -> AccountSettings {
    let setting = AccountsSetting::parse(&src.get("KEYWARDEN_ACCOUNTS").unwrap_or_default())
        .unwrap_or_else(|e| {
            problems.push(format!("KEYWARDEN_ACCOUNTS: {e}"));
            AccountsSetting::HomeOnly
        });
    let role_name = src.value("KEYWARDEN_ROLE_NAME").unwrap_or_default();
    let name_ok = |c: char| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c);
    if role_name.is_empty() || role_name.len() > 64 || !role_name.chars().all(name_ok) {
        problems.push(format!(
            "KEYWARDEN_ROLE_NAME=\"{role_name}\" is not an IAM role name: use 1-64 characters \
             from A-Z a-z 0-9 + = , . @ _ -"
        ));
    }
    let role_path = src.value("KEYWARDEN_ROLE_PATH").unwrap_or_default();
    let path_ok = role_path.starts_with('/')
        && role_path.ends_with('/')
        && role_path.len() <= 512
        && role_path.chars().all(|c| c == '/' || name_ok(c));
    if !path_ok {
        problems.push(format!(
            "KEYWARDEN_ROLE_PATH=\"{role_path}\" is not an IAM path: it starts and ends with / \
             (e.g. / or /keywarden/)"
        ));
    }
    let external_id = src
        .get("KEYWARDEN_ROLE_EXTERNAL_ID")
        .map(|e| e.trim().to_string())
        .filter(|e| !e.is_empty())
        .map(Secret::new);
    let concurrency = src.number("KEYWARDEN_ACCOUNT_CONCURRENCY", problems) as usize;
    AccountSettings {
        setting,
        role_name,
        role_path,
        external_id,
        concurrency,
        protected,
        current: None,
    }
}

/// Key issuance's settings: on when `KEYWARDEN_ISSUE_POLICIES` is set. The others are checked
/// whether or not it is, like every other variable, so a typo never waits for the day issuance
/// is switched on.
fn issue_settings(
    src: &Sources,
    iam_path_prefix: &str,
    problems: &mut Vec<String>,
) -> Option<IssueSettings> {
    use crate::core::issue::settings::{
        DEFAULT_SECRET_PREFIX, PolicyArn, ReaderPattern, check_path, check_secret_prefix,
        default_path, parse_policies,
    };
    let policies = checked(
        problems,
        "KEYWARDEN_ISSUE_POLICIES",
        src.get("KEYWARDEN_ISSUE_POLICIES")
            .map(|raw| parse_policies(&raw)),
    );
    let path = src
        .get("KEYWARDEN_ISSUE_PATH")
        .unwrap_or_else(|| default_path(iam_path_prefix));
    let path_ok = checked(
        problems,
        "KEYWARDEN_ISSUE_PATH",
        Some(check_path(&path, iam_path_prefix)),
    )
    .is_some();
    let boundary = checked(
        problems,
        "KEYWARDEN_ISSUE_BOUNDARY",
        src.get("KEYWARDEN_ISSUE_BOUNDARY")
            .map(|b| PolicyArn::parse(&b)),
    );
    let boundary_ok = boundary.is_some() || src.get("KEYWARDEN_ISSUE_BOUNDARY").is_none();
    let secret_prefix = src
        .get("KEYWARDEN_ISSUE_SECRET_PREFIX")
        .unwrap_or_else(|| DEFAULT_SECRET_PREFIX.into());
    debug_assert_eq!(
        variables::variable("KEYWARDEN_ISSUE_SECRET_PREFIX").default,
        variables::Default::Value(DEFAULT_SECRET_PREFIX)
    );
    let prefix_ok = checked(
        problems,
        "KEYWARDEN_ISSUE_SECRET_PREFIX",
        Some(check_secret_prefix(&secret_prefix)),
    )
    .is_some();
    let reader = checked(
        problems,
        "KEYWARDEN_ISSUE_READER",
        src.get("KEYWARDEN_ISSUE_READER")
            .map(|r| ReaderPattern::parse(&r)),
    );
    let reader_ok = reader.is_some() || src.get("KEYWARDEN_ISSUE_READER").is_none();
    let max_issues = src.number("KEYWARDEN_MAX_ISSUES", problems);
    let max_issue_days = src.number("KEYWARDEN_MAX_ISSUE_DAYS", problems);
    // Any problem stops the run (exit 2) anyway; `None` keeps a half-read setting from use.
    let all_ok = path_ok && prefix_ok && boundary_ok && reader_ok;
    Some(IssueSettings {
        policies: policies?,
        path,
        boundary,
        secret_prefix,
        reader,
        max_issues: max_issues as usize,
        max_issue_days: max_issue_days as u32,
        approval_channel: src
            .get("KEYWARDEN_APPROVAL_CHANNEL")
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty()),
    })
    .filter(|_| all_ok)
}

/// The value of `var` when it is set and good; a bad one is a problem naming `var`.
fn checked<T>(
    problems: &mut Vec<String>,
    var: &str,
    value: Option<Result<T, String>>,
) -> Option<T> {
    match value? {
        Ok(v) => Some(v),
        Err(e) => {
            problems.push(format!("{var}: {e}"));
            None
        }
    }
}

fn list(value: Option<String>) -> impl Iterator<Item = String> {
    value
        .unwrap_or_default()
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .into_iter()
}

fn with_slash(url: String) -> String {
    if url.ends_with('/') {
        url
    } else {
        format!("{url}/")
    }
}

#[cfg(test)]
#[path = "configuration_tests.rs"]
mod tests;
