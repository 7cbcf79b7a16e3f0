//! Finding the row behind a button, and where the extension columns are written.

use chrono::NaiveDate;
use serde_json::{Value, json};

use super::*;
use crate::core::domain::{AccessKeyId, IamUserName, SlackUserId};
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
fn new_columns_go_after_the_places_kept_for_the_daily_job() {
    // 通知日 is there, 無効化日 is not: its place (N) stays free for the daily job.
    let s = snapshot(vec![header(&["通知日"]), row("tanaka-s3", KEY, "", &[])]);
    let writes = s.pending_writes(2, "申請");
    let ranges: Vec<_> = writes.iter().map(|w| w.range.as_str()).collect();
    assert_eq!(ranges, ["'key_request_form'!O1", "'key_request_form'!O2"]);
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
            "'key_request_form'!Q1",
            "'key_request_form'!I2",
            "'key_request_form'!M2",
            "'key_request_form'!Q2"
        ],
        "history header past the two free cells kept for 通知日 and 無効化日, end date, \
         cleared request, history"
    );
    assert_eq!(writes[1].value, CellValue::Date(end));
    assert_eq!(writes[2].value, CellValue::Text(String::new()));
}

/// The daily job and the endpoint, both from the same row 1 (nothing of keywarden's in it,
/// an empty header cell at M), each create the column they need: never in the same cell, and
/// the sheet both leave behind has each header once with each value under it.
#[test]
fn the_daily_job_and_the_endpoint_create_their_columns_in_different_cells() {
    use crate::core::outcome::{CellChange, SheetChange};
    use crate::core::sheet::{CellWrite, writes};

    let grid = vec![header(&[""]), row("tanaka-s3", KEY, "", &[])];
    let endpoint = snapshot(grid.clone()).pending_writes(2, "【延長申請中】");
    let table = RequestTable::parse("key_request_form", &grid).unwrap();
    let day = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let notified = SheetChange {
        row: 2,
        user: IamUserName::parse("tanaka-s3").unwrap(),
        key: AccessKeyId::parse(KEY).unwrap(),
        change: CellChange::Notified(day),
        status_read: None,
        result: None,
    };
    let daily = writes::plan(&table, &[&notified]).cells;

    let as_text = |w: &TypedCellWrite| match &w.value {
        CellValue::Text(t) => t.clone(),
        other => panic!("{other:?}"),
    };
    let mut cells: Vec<CellWrite> = endpoint
        .iter()
        .map(|w| CellWrite {
            range: w.range.clone(),
            value: as_text(w),
        })
        .collect();
    cells.extend(daily);
    let ranges: Vec<&str> = cells.iter().map(|c| c.range.as_str()).collect();
    let mut unique = ranges.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(
        unique.len(),
        ranges.len(),
        "a cell written twice: {ranges:?}"
    );

    // The sheet after both writes, in whichever order: both columns found by their header.
    let mut after = grid.clone();
    for c in &cells {
        let a1 = c.range.rsplit('!').next().unwrap();
        let split = a1.find(|ch: char| ch.is_ascii_digit()).unwrap();
        let col = a1[..split]
            .bytes()
            .fold(0usize, |n, b| n * 26 + usize::from(b - b'A' + 1))
            - 1;
        let row: usize = a1[split..].parse().unwrap();
        let cells = &mut after[row - 1];
        if cells.len() <= col {
            cells.resize(col + 1, json!(""));
        }
        cells[col] = json!(c.value);
    }
    let table = RequestTable::parse("key_request_form", &after).unwrap();
    assert_eq!(table.rows[0].notified_on, Some(day));
    assert_eq!(table.rows[0].pending_extension(), "【延長申請中】");
    assert_eq!(
        table.layout.notified,
        Some(12),
        "通知日: the first empty header cell"
    );
}
