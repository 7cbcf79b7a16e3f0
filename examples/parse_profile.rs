//! Parses and decides a synthetic 100,000-row sheet in-process, for profiling the pure core
//! (`valgrind --tool=callgrind target/release/examples/parse_profile`). No network.

use chrono::NaiveDate;
use keywarden::core::plan::{Plan, Rules};
use keywarden::core::sheet::{Directory, Grid, RequestTable};
use serde_json::json;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let people = n / 2;
    let mut requests: Grid = vec![
        keywarden::core::sheet::ORIGINAL_LAYOUT
            .iter()
            .map(|h| json!(h))
            .collect(),
    ];
    for i in 0..n {
        let p = i % people;
        let status = match i % 10 {
            0..=2 => "削除済み",
            3 => "延長",
            _ => "",
        };
        requests.push(vec![
            json!(46000.5),
            json!(format!("姓{p} 名{p}")),
            json!(format!("バッチ{i}の S3 バックアップ")),
            json!(format!("user{p}@example.com")),
            json!("S3"),
            json!("s3:PutObject"),
            json!(46000),
            json!("2026/08/14"),
            json!(format!("2027/{}/{}", 1 + i % 12, 1 + i % 28)),
            json!(format!("user-{i:06}")),
            json!(status),
            json!(format!("AKIABENCH{i:011}")),
        ]);
    }
    let mut users: Grid = vec![vec![json!("id"), json!("last_name"), json!("first_name")]];
    for p in 0..people {
        users.push(vec![
            json!(format!("U{p:08}")),
            json!(format!("姓{p}")),
            json!(format!("名{p}")),
        ]);
    }
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let rules = Rules {
        notify_days: 7,
        max_deletions: 10,
        deactivate_grace: 0,
    };
    let started = std::time::Instant::now();
    let table = RequestTable::parse("key_request_form", &requests).unwrap();
    let t1 = started.elapsed();
    let dir = Directory::parse("users_json", &users).unwrap();
    let t2 = started.elapsed();
    let plan = Plan::build(&table, &dir, today, rules);
    let t3 = started.elapsed();
    println!(
        "rows {n}: requests {t1:?}, users {:?}, plan {:?}, total {t3:?}; {} need attention",
        t2 - t1,
        t3 - t2,
        plan.rows.len()
    );
}
