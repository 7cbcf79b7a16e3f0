//! Tests of the parent module.
use super::*;

const ALL: Needs = Needs {
    google: true,
    slack: true,
    signing_secret: false,
};

fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn complete() -> Vec<(&'static str, &'static str)> {
    vec![
        ("KEYWARDEN_SPREADSHEET_ID", "sheet123"),
        ("GOOGLE_APPLICATION_CREDENTIALS", "Cargo.toml"),
        ("SLACK_BOT_TOKEN", "xoxb-secret-value"),
    ]
}

#[test]
fn defaults_follow_the_spec() {
    let s = Settings::load(&Sources::new(env(&complete()), None).unwrap(), ALL).unwrap();
    assert_eq!(s.job.request_sheet, "key_request_form");
    assert_eq!(s.job.users_sheet, "users_json");
    assert_eq!(
        s.job.rules,
        Rules {
            notify_days: 7,
            max_deletions: 10,
            deactivate_grace: 0
        }
    );
    assert_eq!(s.timezone, Tz::Asia__Tokyo);
    assert_eq!(s.job.hygiene.max_deactivations, 10);
    assert_eq!(s.job.iam_path_prefix, "/");
    assert_eq!(s.sheets_api_url, "https://sheets.googleapis.com/");
    assert_eq!(s.slack_api_url, "https://slack.com/api/");
}

#[test]
fn every_problem_is_named_at_once_without_secrets() {
    let e = env(&[
        ("KEYWARDEN_NOTIFY_DAYS", "seven"),
        ("KEYWARDEN_TIMEZONE", "Mars/Base"),
        ("SLACK_BOT_TOKEN", "hunter2-secret"),
        ("KEYWARDEN_ADMIN_SLACK_IDS", "U001,bogus"),
    ]);
    let err = Settings::load(&Sources::new(e, None).unwrap(), ALL).unwrap_err();
    let msg = err.to_string();
    for part in [
        "KEYWARDEN_NOTIFY_DAYS",
        "Mars/Base",
        "KEYWARDEN_SPREADSHEET_ID",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "SLACK_BOT_TOKEN",
        "bogus",
    ] {
        assert!(msg.contains(part), "{part} missing: {msg}");
    }
    assert!(!msg.contains("hunter2"), "{msg}");
}

#[test]
fn original_names_are_aliases_and_the_new_ones_win() {
    let mut e = env(&[
        ("SP_SHEET_KEY", "old-id"),
        ("SP_SHEET", "申請"),
        ("SP_SHEET_TBL", "members"),
        ("BOT_ACCESS_TOKEN", "xoxb-old"),
        ("ADMIN_ID_1", "UADMIN1"),
        ("ADMIN_ID_2", "UADMIN2"),
        ("GOOGLE_APPLICATION_CREDENTIALS", "Cargo.toml"),
    ]);
    let s = Settings::load(&Sources::new(e.clone(), None).unwrap(), ALL).unwrap();
    assert_eq!(s.spreadsheet_id, "old-id");
    assert_eq!(s.job.request_sheet, "申請");
    assert_eq!(s.job.users_sheet, "members");
    assert_eq!(s.slack_token.as_ref().unwrap().expose(), "xoxb-old");
    assert_eq!(s.job.admins.len(), 2);
    e.insert("KEYWARDEN_SPREADSHEET_ID".into(), "new-id".into());
    let s = Settings::load(&Sources::new(e, None).unwrap(), ALL).unwrap();
    assert_eq!(s.spreadsheet_id, "new-id");
}

#[test]
fn file_keys_are_lower_case_and_the_environment_wins() {
    let file = r#"
        spreadsheet_id = "from-file"
        notify_days = 14
        protected_users = ["root-admin", "ci"]
        google_application_credentials = "Cargo.toml"
        slack_bot_token = "xoxb-file"
    "#;
    let s = Settings::load(
        &Sources::new(env(&[("KEYWARDEN_NOTIFY_DAYS", "3")]), Some(file)).unwrap(),
        ALL,
    )
    .unwrap();
    assert_eq!(s.spreadsheet_id, "from-file");
    assert_eq!(s.job.rules.notify_days, 3);
    assert_eq!(s.job.protected_users.len(), 2);
    let capped = Sources::new(HashMap::new(), Some("max_deactivations = 2")).unwrap();
    let s = Settings::load(
        &capped,
        Needs {
            google: false,
            slack: false,
            signing_secret: false,
        },
    )
    .unwrap();
    assert_eq!(s.job.hygiene.max_deactivations, 2);
    let bad = Sources::new(HashMap::new(), Some("notfy_days = 3")).unwrap();
    let bad = Settings::load(&bad, ALL).unwrap_err().to_string();
    assert!(bad.contains("notfy_days"), "{bad}");
}

#[test]
fn a_typo_in_the_file_is_named_with_its_likely_key_beside_every_other_problem() {
    let file = "notfy_days = 3\nmax_deletions = \"ten\"\ntoday = \"26-11-22\"\n";
    let src = Sources::with_file(
        HashMap::new(),
        Some(file),
        Some("config file /etc/keywarden.toml"),
    )
    .unwrap();
    let msg = Settings::load(&src, ALL).unwrap_err().to_string();
    assert!(
        msg.contains("unknown key \"notfy_days\": did you mean \"notify_days\"?"),
        "{msg}"
    );
    // The file's values are named as the file's keys, with the file.
    assert!(
        msg.contains("config file /etc/keywarden.toml: max_deletions = \"ten\" must be"),
        "{msg}"
    );
    assert!(
        msg.contains("config file /etc/keywarden.toml: today: \"26-11-22\""),
        "{msg}"
    );
    // The problems the file does not cause are there too.
    assert!(msg.contains("KEYWARDEN_SPREADSHEET_ID is not set"), "{msg}");
    assert!(msg.contains("SLACK_BOT_TOKEN is not set"), "{msg}");
    assert!(!msg.contains("KEYWARDEN_MAX_DELETIONS"), "{msg}");
    // A key that resembles nothing lists the known ones.
    let src = Sources::new(HashMap::new(), Some("colour = \"blue\"")).unwrap();
    let msg = Settings::load(&src, ALL).unwrap_err().to_string();
    assert!(msg.contains("(known: spreadsheet_id, "), "{msg}");
}

#[test]
fn a_value_from_the_environment_is_named_as_the_variable_even_with_a_file() {
    let mut e = env(&complete());
    e.insert("KEYWARDEN_NOTIFY_DAYS".into(), "seven".into());
    let src = Sources::with_file(e, Some("notify_days = 3"), Some("config file k.toml")).unwrap();
    let msg = Settings::load(&src, ALL).unwrap_err().to_string();
    assert!(msg.contains("KEYWARDEN_NOTIFY_DAYS=\"seven\""), "{msg}");
}

#[test]
fn a_pasted_spreadsheet_url_gives_its_id() {
    for pasted in [
        "https://docs.google.com/spreadsheets/d/1AbC-d_E/edit#gid=0",
        "docs.google.com/spreadsheets/d/1AbC-d_E/edit?usp=sharing",
        "https://docs.google.com/spreadsheets/d/1AbC-d_E",
        "1AbC-d_E",
    ] {
        let mut e = env(&complete());
        e.insert("KEYWARDEN_SPREADSHEET_ID".into(), pasted.into());
        let s = Settings::load(&Sources::new(e, None).unwrap(), ALL).unwrap();
        assert_eq!(s.spreadsheet_id, "1AbC-d_E", "{pasted}");
    }
    let mut e = env(&complete());
    e.insert(
        "KEYWARDEN_SPREADSHEET_ID".into(),
        "https://drive.google.com/drive/folders/xyz".into(),
    );
    let msg = Settings::load(&Sources::new(e, None).unwrap(), ALL)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("between /spreadsheets/d/ and /edit"), "{msg}");
}

#[test]
fn today_takes_four_digit_years_and_says_when_a_date_does_not_exist() {
    assert_eq!(
        parse_today("2026-11-22"),
        Ok(NaiveDate::from_ymd_opt(2026, 11, 22).unwrap())
    );
    assert_eq!(
        parse_today(" 2026-1-5 "),
        Ok(NaiveDate::from_ymd_opt(2026, 1, 5).unwrap())
    );
    for short in ["26-11-22", "0026", "2026/11/22", "20261122", "+2026-11-22"] {
        let e = parse_today(short).unwrap_err();
        assert!(
            e.contains("not a date in the form YYYY-MM-DD"),
            "{short}: {e}"
        );
    }
    for impossible in ["2026-13-40", "2026-02-30", "2026-00-10"] {
        let e = parse_today(impossible).unwrap_err();
        assert!(e.contains("is no such date"), "{impossible}: {e}");
        assert!(!e.contains("not a date in the form"), "{impossible}: {e}");
    }
}

#[test]
fn toml_syntax_errors_name_line_and_key_never_the_value() {
    for (text, line, key) in [
        (
            "notify_days = 7\nslack_bot_token = \"xoxb-SECRET-1234\n",
            "line 2",
            "slack_bot_token",
        ),
        (
            "notify_days = 7\nslack_bot_token = xoxb-SECRET-1234\n",
            "line 2",
            "slack_bot_token",
        ),
        ("\n\nslack_bot_token \"xoxb-SECRET-1234\"\n", "line 3", ""),
        (
            "slack_bot_token = 'xoxb-SECRET-1234' x\n",
            "line 1",
            "slack_bot_token",
        ),
    ] {
        let err = Sources::new(HashMap::new(), Some(text))
            .unwrap_err()
            .to_string();
        assert!(!err.contains("SECRET"), "{err}");
        assert!(!err.contains("xoxb"), "{err}");
        assert!(err.contains(line), "{line} not in {err}");
        assert!(err.contains(key), "{key} not in {err}");
        assert!(err.contains("column"), "{err}");
    }
}

#[test]
fn today_is_pinned_or_local() {
    let mut e = env(&complete());
    e.insert("KEYWARDEN_TODAY".into(), "2026-11-22".into());
    let s = Settings::load(&Sources::new(e, None).unwrap(), ALL).unwrap();
    assert_eq!(s.today(None).to_string(), "2026-11-22");
    assert_eq!(
        s.today(Some("2027-01-01".parse().unwrap())).to_string(),
        "2027-01-01"
    );
    assert!(parse_today("2026/11/22").is_err());
}

#[test]
fn an_app_token_turns_on_socket_mode_and_is_never_quoted() {
    let serve = Needs {
        google: true,
        slack: true,
        signing_secret: true,
    };
    let mut e = complete();
    e.push(("SLACK_APP_TOKEN", "xapp-1-A0-secret-value"));
    let s = Settings::load(&Sources::new(env(&e), None).unwrap(), serve).unwrap();
    assert!(s.extensions.socket_mode() && s.extensions.enabled());
    assert!(s.job.extension_requests, "the notice carries the button");
    assert!(!format!("{s:?}").contains("secret-value"));

    let file = "slack_app_token_secret = \"keywarden/slack-app-token\"\n";
    let s = Settings::load(&Sources::new(env(&complete()), Some(file)).unwrap(), serve).unwrap();
    assert_eq!(
        s.extensions.app_token_name.as_deref(),
        Some("keywarden/slack-app-token")
    );
    assert!(s.extensions.socket_mode());

    let mut e = complete();
    e.push(("SLACK_APP_TOKEN", "xoxb-wrong-kind-secret"));
    let msg = Settings::load(&Sources::new(env(&e), None).unwrap(), ALL)
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("SLACK_APP_TOKEN") && msg.contains("xapp-"),
        "{msg}"
    );
    assert!(!msg.contains("wrong-kind-secret"), "{msg}");

    let msg = Settings::load(&Sources::new(env(&complete()), None).unwrap(), serve)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("SLACK_SIGNING_SECRET") && msg.contains("SLACK_APP_TOKEN"));
}

#[test]
fn demo_needs_no_services() {
    let none = Needs {
        google: false,
        slack: false,
        signing_secret: false,
    };
    assert!(Settings::load(&Sources::default(), none).is_ok());
}

#[test]
fn settings_debug_never_shows_the_token() {
    let env: HashMap<String, String> = [
        ("KEYWARDEN_SPREADSHEET_ID", "s"),
        ("GOOGLE_APPLICATION_CREDENTIALS", "Cargo.toml"),
        ("SLACK_BOT_TOKEN", "xoxb-top-secret"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let s = Settings::load(
        &Sources::new(env, None).unwrap(),
        Needs {
            google: true,
            slack: true,
            signing_secret: false,
        },
    )
    .unwrap();
    assert!(!format!("{s:?}").contains("top-secret"));
}

#[test]
fn accounts_settings_have_spec_defaults() {
    let s = Settings::load(&Sources::new(env(&complete()), None).unwrap(), ALL).unwrap();
    let a = &s.job.accounts;
    assert!(a.setting.is_home_only());
    assert_eq!(
        (a.role_name.as_str(), a.role_path.as_str()),
        ("keywarden", "/")
    );
    assert_eq!(a.concurrency, 8);
    assert!(a.external_id.is_none());
    let id = crate::core::domain::AwsAccountId::parse("123456789012").unwrap();
    assert_eq!(a.role_arn(&id), "arn:aws:iam::123456789012:role/keywarden");
}

#[test]
fn accounts_settings_from_env_and_file() {
    let mut e = complete();
    e.extend([
        ("KEYWARDEN_ACCOUNTS", "本番=123456789012,210987654321"),
        ("KEYWARDEN_ROLE_PATH", "/ops/"),
        ("KEYWARDEN_ROLE_EXTERNAL_ID", "ext-very-secret"),
        (
            "KEYWARDEN_PROTECTED_USERS",
            "ci-deploy,本番:admin,210987654321:ops",
        ),
    ]);
    let file = "role_name = \"kw-member\"\naccount_concurrency = 3\n";
    let s = Settings::load(&Sources::new(env(&e), Some(file)).unwrap(), ALL).unwrap();
    let a = &s.job.accounts;
    assert!(matches!(&a.setting, AccountsSetting::Listed(l) if l.len() == 2));
    assert_eq!(a.concurrency, 3);
    let id = crate::core::domain::AwsAccountId::parse("210987654321").unwrap();
    assert_eq!(
        a.role_arn(&id),
        "arn:aws:iam::210987654321:role/ops/kw-member"
    );
    assert!(
        !format!("{a:?}").contains("ext-very-secret"),
        "the external ID is redacted"
    );
    // Unspecialised, every entry's user is protected; per account only its own.
    assert_eq!(s.job.protected_users.len(), 3);
    let prod = Account {
        id: crate::core::domain::AwsAccountId::parse("123456789012").unwrap(),
        alias: Some("本番".into()),
    };
    let names: Vec<String> = s
        .job
        .for_account(&prod)
        .protected_users
        .iter()
        .map(|u| u.to_string())
        .collect();
    assert_eq!(names, ["ci-deploy", "admin"]);
}

#[test]
fn bad_accounts_settings_are_named() {
    let mut e = complete();
    e.extend([
        ("KEYWARDEN_ACCOUNTS", "本番=12345"),
        ("KEYWARDEN_ROLE_NAME", "has space"),
        ("KEYWARDEN_ROLE_PATH", "ops"),
        ("KEYWARDEN_ACCOUNT_CONCURRENCY", "0"),
        ("KEYWARDEN_PROTECTED_USERS", "123:admin"),
    ]);
    let msg = Settings::load(&Sources::new(env(&e), None).unwrap(), ALL)
        .unwrap_err()
        .to_string();
    for part in [
        "KEYWARDEN_ACCOUNTS: \"12345\" is not an AWS account ID",
        "KEYWARDEN_ROLE_NAME",
        "KEYWARDEN_ROLE_PATH",
        "KEYWARDEN_ACCOUNT_CONCURRENCY",
        "KEYWARDEN_PROTECTED_USERS: \"123\"",
    ] {
        assert!(msg.contains(part), "{part} in {msg}");
    }
}

#[test]
fn issuance_is_off_without_policies_and_has_spec_defaults() {
    let s = Settings::load(&Sources::new(env(&complete()), None).unwrap(), ALL).unwrap();
    assert!(
        s.job.issue.is_none(),
        "off unless KEYWARDEN_ISSUE_POLICIES is set"
    );
    let mut e = complete();
    e.push((
        "KEYWARDEN_ISSUE_POLICIES",
        "読み取り=arn:aws:iam::aws:policy/ReadOnlyAccess",
    ));
    let s = Settings::load(&Sources::new(env(&e), None).unwrap(), ALL).unwrap();
    let i = s.job.issue.expect("on");
    assert_eq!(i.entry_names(), ["読み取り"]);
    assert_eq!(i.path, "/", "the IAM path prefix");
    assert_eq!(i.boundary, None);
    assert_eq!(i.secret_prefix, "keywarden/");
    assert_eq!(i.reader, None);
    assert_eq!((i.max_issues, i.max_issue_days), (10, 365));
    // A prefix without its closing '/' still gives an IAM path under it.
    e.push(("KEYWARDEN_IAM_PATH_PREFIX", "/keys"));
    let s = Settings::load(&Sources::new(env(&e), None).unwrap(), ALL).unwrap();
    assert_eq!(s.job.issue.unwrap().path, "/keys/");
}

#[test]
fn issuance_settings_from_env_and_file() {
    let file = r#"
        issue_policies = ["読み取り=arn:aws:iam::aws:policy/ReadOnlyAccess", "S3 バックアップ=arn:aws:iam::{account}:policy/s3-backup"]
        issue_path = "/keywarden/issued/"
        issue_boundary = "arn:aws:iam::{account}:policy/boundary"
        issue_secret_prefix = "keys/"
        issue_reader = "arn:aws:sts::{account}:assumed-role/AWSReservedSSO_*/{email}"
        max_issues = 3
        max_issue_days = 90
    "#;
    let mut e = complete();
    e.extend([
        ("KEYWARDEN_IAM_PATH_PREFIX", "/keywarden/"),
        ("KEYWARDEN_MAX_ISSUES", "5"),
    ]);
    let s = Settings::load(&Sources::new(env(&e), Some(file)).unwrap(), ALL).unwrap();
    let i = s.job.issue.unwrap();
    assert_eq!(i.entry_names(), ["読み取り", "S3 バックアップ"]);
    let id = crate::core::domain::AwsAccountId::parse("123456789012").unwrap();
    assert_eq!(
        i.entry("s3バックアップ").unwrap().arn_for(&id),
        "arn:aws:iam::123456789012:policy/s3-backup"
    );
    assert_eq!(i.path, "/keywarden/issued/");
    assert_eq!(
        i.boundary_for(&id).as_deref(),
        Some("arn:aws:iam::123456789012:policy/boundary")
    );
    assert_eq!(i.secret_name("tanaka-s3"), "keys/tanaka-s3");
    assert_eq!(
        i.reader.unwrap().for_owner(&id, Some("t@example.com")),
        Ok("arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_*/t@example.com".into())
    );
    assert_eq!(
        (i.max_issues, i.max_issue_days),
        (5, 90),
        "the environment wins"
    );
}

#[test]
fn bad_issuance_settings_are_named() {
    let mut e = complete();
    e.extend([
        (
            "KEYWARDEN_ISSUE_POLICIES",
            "読み取り=arn:aws:iam::aws:policy/ReadOnlyAccess,管理者=AdministratorAccess",
        ),
        ("KEYWARDEN_IAM_PATH_PREFIX", "/keys/"),
        ("KEYWARDEN_ISSUE_PATH", "/other/"),
        ("KEYWARDEN_ISSUE_BOUNDARY", "arn:aws:iam::aws:role/x"),
        ("KEYWARDEN_ISSUE_SECRET_PREFIX", "key warden/"),
        ("KEYWARDEN_ISSUE_READER", "{email}"),
        ("KEYWARDEN_MAX_ISSUES", "many"),
        ("KEYWARDEN_MAX_ISSUE_DAYS", "0"),
    ]);
    let msg = Settings::load(&Sources::new(env(&e), None).unwrap(), ALL)
        .unwrap_err()
        .to_string();
    for part in [
        "KEYWARDEN_ISSUE_POLICIES: entry \"管理者\": \"AdministratorAccess\" is not a managed \
         policy's ARN",
        "KEYWARDEN_ISSUE_PATH: \"/other/\" is not under KEYWARDEN_IAM_PATH_PREFIX \"/keys/\"",
        "KEYWARDEN_ISSUE_BOUNDARY: \"arn:aws:iam::aws:role/x\"",
        "KEYWARDEN_ISSUE_SECRET_PREFIX: \"key warden/\"",
        "KEYWARDEN_ISSUE_READER: \"{email}\" is not a principal ARN pattern",
        "KEYWARDEN_MAX_ISSUES=\"many\" must be a whole number from 0 to 100000",
        "KEYWARDEN_MAX_ISSUE_DAYS=\"0\" must be a whole number from 1 to 36500",
    ] {
        assert!(msg.contains(part), "{part} in {msg}");
    }
    assert!(
        !msg.contains("読み取り"),
        "only the bad entry is named: {msg}"
    );
    // The others are checked even while issuance is off; a value from the file names its key.
    let bad = Sources::new(env(&complete()), Some("issue_path = \"keys\"")).unwrap();
    let msg = Settings::load(&bad, ALL).unwrap_err().to_string();
    assert!(
        msg.contains("config file: issue_path: \"keys\" is not an IAM path"),
        "{msg}"
    );
    let empty = Sources::new(env(&complete()), Some("issue_policies = \" , \"")).unwrap();
    let msg = Settings::load(&empty, ALL).unwrap_err().to_string();
    assert!(msg.contains("issue_policies: names no entry"), "{msg}");
}
