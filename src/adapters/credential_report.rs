//! The IAM credential report: last use of every key in three calls (generate, poll, get)
//! whatever the account's size, at the price of data up to four hours old — irrelevant for a
//! rule counted in days. Used by [`super::iam`] for large accounts.

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_iam::Client;
use backon::{ConstantBuilder, Retryable};
use chrono::{DateTime, Utc};

use super::iam::failed;
use super::{ReportUse, ServiceError};

/// Above this many keys, last uses come from one report instead of one call per key.
pub const FROM_KEYS: usize = 50;

/// Last use of each key, by (user name, key creation second).
pub type LastUses = HashMap<(String, i64), Option<DateTime<Utc>>>;

/// Generation is asynchronous: IAM answers `STARTED`/`INPROGRESS` until `COMPLETE`.
#[derive(Debug)]
struct NotReady;

/// The report's last uses; generated first (a write) only when `report` allows it.
pub async fn last_uses(client: &Client, report: ReportUse) -> Result<LastUses, ServiceError> {
    if report == ReportUse::MayGenerate {
        generate(client).await?;
    }
    let out = client
        .get_credential_report()
        .send()
        .await
        .map_err(|e| failed("GetCredentialReport", e))?;
    let csv = out.content.map(|b| b.into_inner()).unwrap_or_default();
    parse(&csv)
}

/// Asks for a fresh report until IAM says it is complete (bounded, a few seconds).
async fn generate(client: &Client) -> Result<(), ServiceError> {
    let attempt = || async {
        let state = client
            .generate_credential_report()
            .send()
            .await
            .map_err(|e| Err(failed("GenerateCredentialReport", e)))?
            .state;
        match state.as_ref().map(|s| s.as_str()) {
            Some("COMPLETE") => Ok(()),
            _ => Err(Ok(NotReady)),
        }
    };
    let polled = attempt
        .retry(
            ConstantBuilder::default()
                .with_delay(Duration::from_millis(250))
                .with_max_times(20),
        )
        .when(|e: &Result<NotReady, ServiceError>| e.is_ok())
        .await;
    match polled {
        Ok(()) => Ok(()),
        // Not complete in time: an older report (or key-by-key questions) will do.
        Err(Ok(NotReady)) => Ok(()),
        Err(Err(e)) => Err(e),
    }
}

/// The report names no key IDs: each user's two key slots are matched to keys by creation
/// time (`access_key_N_last_rotated`).
fn parse(csv: &[u8]) -> Result<LastUses, ServiceError> {
    let bad = |e: csv::Error| {
        ServiceError::Invalid(format!("the IAM credential report could not be read: {e}"))
    };
    let mut reader = csv::Reader::from_reader(csv);
    let headers = reader.headers().map_err(bad)?.clone();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let user_col = col("user")
        .ok_or_else(|| ServiceError::Invalid("credential report without a user column".into()))?;
    let time = |s: &str| {
        DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    };
    let mut out = HashMap::new();
    for record in reader.records() {
        let record = record.map_err(bad)?;
        for slot in ["access_key_1", "access_key_2"] {
            let rotated = col(&format!("{slot}_last_rotated"))
                .and_then(|c| record.get(c))
                .and_then(time);
            let used = col(&format!("{slot}_last_used_date"))
                .and_then(|c| record.get(c))
                .and_then(time);
            if let Some(rotated) = rotated {
                out.insert((record[user_col].to_string(), rotated.timestamp()), used);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_match_keys_by_creation_time() {
        let csv = b"user,arn,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date\n\
\"a,b\",arn:x,true,2026-01-01T00:00:00+00:00,2026-03-01T10:00:00+00:00,false,N/A,N/A\n\
c,arn:y,true,2026-02-01T00:00:00+00:00,N/A,true,2026-02-02T00:00:00+00:00,2026-02-03T00:00:00+00:00\n";
        let report = parse(csv).unwrap();
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert_eq!(
            report[&("a,b".to_string(), t("2026-01-01T00:00:00Z").timestamp())],
            Some(t("2026-03-01T10:00:00Z"))
        );
        assert_eq!(
            report[&("c".to_string(), t("2026-02-01T00:00:00Z").timestamp())],
            None,
            "never used"
        );
        assert_eq!(
            report[&("c".to_string(), t("2026-02-02T00:00:00Z").timestamp())],
            Some(t("2026-02-03T00:00:00Z"))
        );
        assert_eq!(report.len(), 3);
    }
}
