//! Finding the row behind a button, and where the extension columns are written.

use chrono::NaiveDate;
use serde_json::{Value, json};

use super::*;
use crate::core::domain::{AccessKeyId, SlackUserId};
use crate::core::sheet::ORIGINAL_LAYOUT;

const KEY: &str = "AKIAIOSFODNN7EXAMPLE";

fn header(extra: &[&str]) -> Vec<Value> {
    ORIGINAL_LAYOUT
        .iter()
        .chain(extra)
        .map(|h| json!(h))
        .collect()
}

fn row(account: &str, key: &str, status: &str, extra: &[&str]) -> Vec<Value> {
    let mut cells = vec![
        json!(""),
        json!("田中 太郎"),
        json!("検証"),
        json!(""),
        json!("S3"),
        json!(""),
        json!(""),
        json!("2026/04/01"),
        json!(46355), // 2026-11-29
        json!(account),
        json!(status),
        json!(key),
    ];
    cells.extend(extra.iter().map(|c| json!(c)));
    cells
}

fn snapshot(grid: Grid) -> Snapshot {
    let settings = InteractionSettings::with_admins(vec![]);
    let users = vec![
        vec![json!("id"), json!("last_name"), json!("first_name")],
        vec![json!("U0TANAKA01"), json!("田中"), json!("太郎")],
    ];
    Snapshot::from_grids(&settings, grid, &users).unwrap()
}

fn target(account: &str) -> RowRef {
    RowRef {
        account: IamUserName::parse(account).unwrap(),
        key_id: AccessKeyId::parse(KEY).unwrap(),
        end: NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(),
    }
}

#[test]
fn rows_are_found_by_account_and_key_wherever_they_are() {
    let s = snapshot(vec![
        header(&[]),
        row("other", "AKIAOTHERKEY0000000", "", &[]),
        row("Tanaka-S3", KEY, "", &[]),
    ]);
    let Lookup::Found(found) = s.lookup(&target("tanaka-s3")) else {
        panic!("not found");
    };
    assert_eq!(found.row, 3);
    assert_eq!(found.end, NaiveDate::from_ymd_opt(2026, 11, 29));
    assert_eq!(found.pending, PendingCell::Empty);
    assert_eq!(
        s.owner(&found),
        Owner::Found(SlackUserId::parse("U0TANAKA01").unwrap())
    );
    assert_eq!(s.lookup(&target("nobody")), Lookup::Gone);
}

#[test]
fn deleted_duplicates_and_changed_keys() {
    let s = snapshot(vec![
        header(&[]),
        row("tanaka-s3", KEY, "削除済み", &[]),
        row("tanaka-s3", KEY, "", &[]),
    ]);
    assert!(matches!(
        s.lookup(&target("tanaka-s3")),
        Lookup::Found(RowView { row: 3, .. })
    ));
    let only_deleted = snapshot(vec![header(&[]), row("tanaka-s3", KEY, "削除済み", &[])]);
    assert!(matches!(
        only_deleted.lookup(&target("tanaka-s3")),
        Lookup::Found(RowView { deleted: true, .. })
    ));
    let twice = snapshot(vec![
        header(&[]),
        row("tanaka-s3", KEY, "", &[]),
        row("tanaka-s3", KEY, "", &[]),
    ]);
    assert_eq!(
        twice.lookup(&target("tanaka-s3")),
        Lookup::Ambiguous(vec![2, 3])
    );
    let rotated = snapshot(vec![
        header(&[]),
        row("tanaka-s3", "AKIANEWKEY000000000", "", &[]),
    ]);
    assert_eq!(
        rotated.lookup(&target("tanaka-s3")),
        Lookup::KeyChanged { row: 2 }
    );
}

#[test]
fn new_columns_take_the_first_free_header_cells() {
    let s = snapshot(vec![header(&["通知日"]), row("tanaka-s3", KEY, "", &[])]);
    let writes = s.pending_writes(2, "申請");
    let ranges: Vec<_> = writes.iter().map(|w| w.range.as_str()).collect();
    assert_eq!(ranges, ["'key_request_form'!N1", "'key_request_form'!N2"]);
    assert_eq!(writes[0].value, CellValue::Text("延長申請".into()));

    let with_pending = snapshot(vec![
        header(&["延長申請", "", "x"]),
        row("tanaka-s3", KEY, "", &["【延長申請中】"]),
    ]);
    let end = NaiveDate::from_ymd_opt(2027, 1, 31).unwrap();
    let writes = with_pending.decision_writes(2, Some(end), "line");
    let ranges: Vec<_> = writes.iter().map(|w| w.range.as_str()).collect();
    assert_eq!(
        ranges,
        [
            "'key_request_form'!I2",
            "'key_request_form'!M2",
            "'key_request_form'!N1",
            "'key_request_form'!N2"
        ],
        "end date, cleared request, history header in the empty header cell, history"
    );
    assert_eq!(writes[0].value, CellValue::Date(end));
    assert_eq!(writes[1].value, CellValue::Text(String::new()));
}
