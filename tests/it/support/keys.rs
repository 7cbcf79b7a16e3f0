//! What IAM says of a user's access keys, read straight from moto for assertions.

use aws_sdk_iam::Client;
use chrono::NaiveDate;

/// `(key ID, "Active" | "Inactive")` of each of the user's keys.
pub async fn key_status(client: &Client, user: &str) -> Vec<(String, String)> {
    let keys = client
        .list_access_keys()
        .user_name(user)
        .send()
        .await
        .unwrap();
    keys.access_key_metadata()
        .iter()
        .map(|k| {
            (
                k.access_key_id().unwrap().to_string(),
                k.status().unwrap().as_str().to_string(),
            )
        })
        .collect()
}

/// The day (in Tokyo) the user's first key was created.
pub async fn created_on(client: &Client, user: &str) -> NaiveDate {
    let keys = client
        .list_access_keys()
        .user_name(user)
        .send()
        .await
        .unwrap();
    let created = keys.access_key_metadata()[0].create_date().unwrap();
    chrono::DateTime::from_timestamp(created.secs(), 0)
        .unwrap()
        .with_timezone(&chrono_tz::Asia::Tokyo)
        .date_naive()
}
