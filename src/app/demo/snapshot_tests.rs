//! The demo's whole output on each documented day, pinned as snapshots: the plan table, every
//! owner's DM, the administrators' summary, the IAM steps and the extension walk-through. A
//! change of what people read is a reviewed diff of `snapshots/`.

use super::*;

#[tokio::test]
async fn what_people_read_on_each_documented_day() {
    for day in DEMO_DAYS {
        let today: NaiveDate = day.date.parse().unwrap();
        let report = run(today).await.expect("the demo runs");
        let mut text = render(&report);
        text.push_str(
            &extension_walkthrough(&report)
                .await
                .expect("walk-through")
                .text,
        );
        // The run ID holds the clock; nothing else of the output does.
        let text = text.replace(&report.run_id, "<run id>");
        insta::assert_snapshot!(format!("demo_{}", day.date), text);
    }
}
