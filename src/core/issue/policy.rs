//! The resource policy of an issued key's secret (docs/rules.md §12): with
//! `KEYWARDEN_ISSUE_READER` set, only that principal may read the secret. The pattern is used
//! as an `ArnLike` condition on `aws:PrincipalArn`: allowed for it, denied to everyone else.

/// The policy document for a secret `reader` alone may read, in `account`.
pub fn reader_only(account: &str, reader: &str) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "KeywardenOwnerReads",
                "Effect": "Allow",
                "Principal": {"AWS": format!("arn:aws:iam::{account}:root")},
                "Action": "secretsmanager:GetSecretValue",
                "Resource": "*",
                "Condition": {"ArnLike": {"aws:PrincipalArn": reader}}
            },
            {
                "Sid": "KeywardenNobodyElseReads",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": "*",
                "Condition": {"ArnNotLike": {"aws:PrincipalArn": reader}}
            }
        ]
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_reader_may_read() {
        let reader = "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_*/tanaka@example.com";
        let policy: serde_json::Value =
            serde_json::from_str(&reader_only("123456789012", reader)).unwrap();
        let statements = policy["Statement"].as_array().unwrap();
        assert_eq!(statements[0]["Effect"], "Allow");
        assert_eq!(
            statements[0]["Condition"]["ArnLike"]["aws:PrincipalArn"],
            reader
        );
        assert_eq!(statements[1]["Effect"], "Deny");
        assert_eq!(
            statements[1]["Condition"]["ArnNotLike"]["aws:PrincipalArn"],
            reader
        );
    }
}
