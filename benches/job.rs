//! The benchmark of issue 5: the real release binary runs the whole job on a synthetic sheet
//! against the local fakes and moto, each answering after a fixed latency. It prints figures;
//! it asserts nothing about time (a timed test would flake on a shared machine).
//!
//! `cargo bench --bench job` (defaults: 10,000 and 100,000 rows, 20 ms latency), or
//! `cargo bench --bench job -- --rows 10000 --latency-ms 20`.

// The integration tests' fakes; the benchmark uses only part of them.
#[allow(dead_code)]
#[path = "../tests/it/support/mod.rs"]
mod support;

use std::fs::File;
use std::process::Stdio;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use keywarden::core::plan::{Plan, Rules};
use keywarden::core::sheet::{Directory, Grid, RequestTable};
use serde_json::{Value, json};
use support::app::{REQUEST_SHEET, TestEnv, USERS_SHEET, request_sheet_header, users_sheet_header};
use support::moto::{Loadout, load_user};

const TODAY: &str = "2026-11-22";
const TEARDOWNS: usize = 10;

struct Args {
    rows: Vec<usize>,
    latency: Duration,
    /// `chat.postMessage` calls the fake Slack answers with 429 (`Retry-After: 1`).
    slack_429: usize,
    /// `--accounts N`: the AWS accounts dimension instead (docs/rules.md §10).
    accounts: Option<usize>,
}

fn args() -> Args {
    let mut args = Args {
        rows: vec![10_000, 100_000],
        latency: Duration::from_millis(20),
        slack_429: 0,
        accounts: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--rows" => {
                args.rows = it
                    .next()
                    .expect("--rows N[,N]")
                    .split(',')
                    .map(|n| n.parse().expect("a number"))
                    .collect()
            }
            "--latency-ms" => {
                args.latency =
                    Duration::from_millis(it.next().expect("ms").parse().expect("a number"))
            }
            "--slack-429" => args.slack_429 = it.next().expect("N").parse().expect("a number"),
            "--accounts" => {
                args.accounts = Some(it.next().expect("--accounts N").parse().expect("a number"))
            }
            _ => {} // `cargo bench` passes `--bench`
        }
    }
    args
}

fn today() -> NaiveDate {
    TODAY.parse().unwrap()
}

fn date(offset: i64) -> String {
    (today() + chrono::Duration::days(offset))
        .format("%Y/%m/%d")
        .to_string()
}

/// N request rows: 30% deleted, 10% extended, 1% due for a notice, `TEARDOWNS` due for deletion
/// (their keys filled in later), the rest running for months; owners among N/2 people.
fn synthetic(n: usize, teardowns: usize) -> (Grid, Grid, Vec<usize>) {
    let people = (n / 2).max(1);
    let mut requests = vec![request_sheet_header()];
    let mut due = Vec::new();
    for i in 0..n {
        let p = i % people;
        let (status, end) = match i % 10 {
            _ if i % 100 == 55 => ("", json!(date(3))),
            5 if due.len() < teardowns => {
                due.push(i + 1); // its index in the grid (row 0 is the header)
                ("", json!(date(-1)))
            }
            0..=2 => ("削除済み", json!(date(-400 + (i % 300) as i64))),
            3 => ("延長", json!(date(-30))),
            _ => ("", json!(date(30 + (i % 300) as i64))),
        };
        requests.push(vec![
            json!(46000.5),
            json!(format!("姓{p} 名{p}")),
            json!(format!("バッチ{i}の S3 バックアップ")),
            json!(format!("user{p}@example.com")),
            json!("S3"),
            json!("s3:PutObject"),
            json!(46000),
            json!(date(-100)),
            end,
            json!(format!("user-{i:06}")),
            json!(status),
            json!(format!("AKIABENCH{i:011}")),
        ]);
    }
    let mut users = vec![users_sheet_header()];
    for p in 0..people {
        users.push(vec![
            json!(format!("U{p:08}")),
            json!(format!("姓{p}")),
            json!(format!("名{p}")),
            json!(""),
            json!(""),
        ]);
    }
    (requests, users, due)
}

/// Parsing and deciding in-process, without any network: the best of 5.
fn parse_and_decide(requests: &Grid, users: &Grid) -> Duration {
    (0..5)
        .map(|_| {
            let started = Instant::now();
            let table = RequestTable::parse(REQUEST_SHEET, requests).unwrap();
            let dir = Directory::parse(USERS_SHEET, users).unwrap();
            let plan = Plan::build(
                &table,
                &dir,
                today(),
                Rules {
                    notify_days: 7,
                    max_deletions: 10,
                    deactivate_grace: 0,
                },
            );
            std::hint::black_box(plan.rows.len());
            started.elapsed()
        })
        .min()
        .unwrap()
}

/// Exit status, peak RSS (KiB) and CPU time (user + system) of a child, from `wait4`.
fn wait_with_rusage(pid: i32) -> (i32, i64, Duration) {
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our own child, not waited for anywhere else; the pointers are valid.
    let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(rc, pid, "wait4 failed");
    let cpu = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    (
        libc::WEXITSTATUS(status),
        usage.ru_maxrss,
        cpu(usage.ru_utime) + cpu(usage.ru_stime),
    )
}

fn number_after(text: &str, key: &str) -> Option<u64> {
    let at = text.find(key)? + key.len();
    let digits: String = text[at..]
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

/// Milliseconds from `t0` to `t`.
fn ms(t0: Instant, t: Instant) -> f64 {
    t.saturating_duration_since(t0).as_secs_f64() * 1000.0
}

/// The stages of the run as the fakes saw them, and the critical path through them: token,
/// read, the longest teardown chain, write, the Slack posts, write, the summary.
fn timeline(env: &TestEnv, started: Instant, wall: Duration, latency: Duration) {
    let google = env.google.requests();
    let at = |pred: &dyn Fn(&support::google::GoogleRequest) -> bool| -> Vec<Instant> {
        google.iter().filter(|r| pred(r)).map(|r| r.at).collect()
    };
    let tokens = at(&|r| r.path == "/token");
    let reads = at(&|r| r.path.ends_with("values:batchGet"));
    let writes = at(&|r| r.path.ends_with("values:batchUpdate"));
    let appends = at(&|r| r.path.ends_with(":append"));
    let calls = env.iam.calls();
    let mut chains: std::collections::BTreeMap<String, (Instant, Instant, usize)> =
        Default::default();
    for c in &calls {
        // A teardown's calls name its user, or its own policy (named like the user).
        let user = c.param("UserName").map(str::to_string).or_else(|| {
            c.param("PolicyArn")
                .map(|a| a.rsplit('/').next().unwrap_or(a).to_string())
        });
        if let Some(user) = user {
            let e = chains.entry(user).or_insert((c.at, c.done, 0));
            e.0 = e.0.min(c.at);
            e.1 = e.1.max(c.done);
            e.2 += 1;
        }
    }
    let longest = chains
        .values()
        .max_by_key(|(a, b, _)| b.duration_since(*a))
        .copied();
    let posts: Vec<Instant> = env
        .slack
        .requests()
        .iter()
        .filter(|r| r.method == "chat.postMessage")
        .map(|r| r.at)
        .collect();
    let lat = latency.as_secs_f64() * 1000.0;
    let span = |list: &[Instant]| match (list.first(), list.last()) {
        (Some(a), Some(b)) => format!("{:>6.0} – {:>6.0}", ms(started, *a), ms(started, *b) + lat),
        _ => "     -".to_string(),
    };
    println!("timeline (ms after spawn; first request – last answer)");
    println!("  OAuth token                 {}", span(&tokens));
    println!(
        "  Sheets reads ({})           {}",
        reads.len(),
        span(&reads)
    );
    if let (Some(first), Some(last)) = (
        calls.iter().map(|c| c.at).min(),
        calls.iter().map(|c| c.done).max(),
    ) {
        println!(
            "  IAM ({} calls)             {:>6.0} – {:>6.0}",
            calls.len(),
            ms(started, first),
            ms(started, last)
        );
    }
    println!(
        "  Sheets writes ({})          {}",
        writes.len(),
        span(&writes)
    );
    println!(
        "  log appends ({})            {}",
        appends.len(),
        span(&appends)
    );
    println!("  Slack posts ({})          {}", posts.len(), span(&posts));
    println!(
        "  exit                        {:>6.0}",
        wall.as_secs_f64() * 1000.0
    );

    // The critical path observed: each stage from its first request to its last answer.
    let stage = |list: &[Instant]| match (list.first(), list.last()) {
        (Some(a), Some(b)) => b.duration_since(*a).as_secs_f64() * 1000.0 + lat,
        _ => 0.0,
    };
    let chain_ms = longest.map_or(0.0, |(a, b, _)| ms(a, b));
    let chain_calls = longest.map_or(0, |(_, _, n)| n);
    // Each write-back is a re-check read followed by the write.
    let write = |i: usize| {
        writes.get(i).map_or(0.0, |w| {
            ms(reads.get(i + 1).copied().unwrap_or(*w), *w) + lat
        })
    };
    // Posts before the second write-back: the notices (from the start) and the owners' DMs
    // (after the first write-back); after it, the summary.
    let (posts_before, summary): (Vec<Instant>, Vec<Instant>) = match writes.get(1) {
        Some(w2) => posts.iter().partition(|p| *p < w2),
        None => (posts.clone(), Vec::new()),
    };
    let after_write1: Vec<Instant> = match writes.first() {
        Some(w1) => posts_before.iter().copied().filter(|p| p > w1).collect(),
        None => Vec::new(),
    };
    // Two paths run side by side: the IAM chain, its write-back and the owners' DMs; and the
    // notices. The longer one is on the critical path.
    let iam_path = chain_ms + write(0) + stage(&after_write1);
    let notices_path = stage(&posts_before);
    let parts = [
        ("token", stage(&tokens)),
        ("read", stage(&reads[..reads.len().min(1)])),
        if iam_path >= notices_path {
            ("teardown chain + write + owners' DMs", iam_path)
        } else {
            ("notices", notices_path)
        },
        ("write", write(1)),
        ("summary", stage(&summary)),
    ];
    let total: f64 = parts.iter().map(|(_, v)| v).sum();
    println!(
        "critical path (observed)      {total:.0} ms = {}",
        parts
            .iter()
            .map(|(k, v)| format!("{k} {v:.0}"))
            .collect::<Vec<_>>()
            .join(" + ")
    );
    println!(
        "  longest teardown chain      {chain_ms:.0} ms: {chain_calls} IAM calls, {:.1} round trips of {lat:.0} ms",
        chain_ms / lat.max(1.0)
    );
    println!(
        "  IAM path / notices path     {iam_path:.0} ms / {notices_path:.0} ms (side by side)"
    );
    let in_flight = posts
        .iter()
        .map(|p| {
            posts
                .iter()
                .filter(|q| *q >= p && q.duration_since(*p) < latency)
                .count()
        })
        .max()
        .unwrap_or(0);
    println!("  Slack posts in flight (max) {in_flight}");
    println!(
        "  wall − critical path        {:.0} ms (start-up, local work, exit)",
        wall.as_secs_f64() * 1000.0 - total
    );
    // Slack's limits: the union of the windows in which a 429 held every post back.
    let mut windows: Vec<(f64, f64)> = env
        .slack
        .rate_limit_windows()
        .into_iter()
        .map(|(t, d)| (ms(started, t), ms(started, t) + d.as_secs_f64() * 1000.0))
        .collect();
    windows.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let (mut held, mut until) = (0.0, f64::MIN);
    for (a, b) in windows {
        let a = a.max(until);
        if b > a {
            held += b - a;
            until = b;
        }
    }
    println!(
        "waiting on Slack's limits     {held:.0} ms ({:.0} % of wall)",
        100.0 * held / (wall.as_secs_f64() * 1000.0)
    );
}

/// Where the measuring parent (below) writes what it measured; never passed on to keywarden.
const RUSAGE_FILE: &str = "BENCH_RUSAGE_FILE";
/// The first argument that makes this program the measuring parent.
const MEASURE: &str = "--measure-child";

/// The command that runs keywarden as `command` says (arguments, environment) under a small
/// measuring parent: this program again, with [`MEASURE`]. Why not spawn keywarden directly:
/// the kernel counts the memory of the process a child was forked from (its peak until `exec`)
/// in the child's peak RSS, and this benchmark holds the synthetic sheets and the fakes' copies
/// of them: at 100,000 rows it printed its own peak (about 200 MB, and more after a first run)
/// instead of keywarden's. The measuring parent is a fresh process of a few MB.
///
/// `KEYWARDEN_BENCH_WRAP="heaptrack -o /tmp/kw"` (or `valgrind --tool=massif …`): keywarden
/// runs under that profiler (the peak RSS printed is then the profiler's and keywarden's).
/// `KEYWARDEN_BENCH_BIN=path`: another build of keywarden runs instead of this one (a copy of
/// the binary before a change, measured beside the one after).
fn measured(command: &std::process::Command, rusage: &std::path::Path) -> std::process::Command {
    let wrapper = std::env::var("KEYWARDEN_BENCH_WRAP").unwrap_or_default();
    let binary =
        std::env::var_os("KEYWARDEN_BENCH_BIN").unwrap_or_else(|| command.get_program().to_owned());
    let mut measured = std::process::Command::new(std::env::current_exe().unwrap());
    measured
        .arg(MEASURE)
        .args(wrapper.split_whitespace())
        .arg(binary)
        .args(command.get_args())
        .env_clear()
        .env(RUSAGE_FILE, rusage);
    for (k, v) in command.get_envs() {
        if let Some(v) = v {
            measured.env(k, v);
        }
    }
    measured
}

/// The measuring parent: runs the rest of its command line as its child and writes the
/// child's exit status, peak RSS (KiB) and CPU time (µs) to [`RUSAGE_FILE`].
fn measure_child(mut argv: impl Iterator<Item = String>) -> ! {
    let out = std::env::var_os(RUSAGE_FILE).expect("BENCH_RUSAGE_FILE");
    let program = argv.next().expect("a program to run");
    let child = std::process::Command::new(program)
        .args(argv)
        .env_remove(RUSAGE_FILE)
        .spawn()
        .expect("spawn keywarden");
    let (status, peak_kib, cpu) = wait_with_rusage(child.id() as i32);
    std::fs::write(out, format!("{status} {peak_kib} {}", cpu.as_micros())).unwrap();
    std::process::exit(status)
}

/// Runs `command` under the measuring parent (blocking): exit status, keywarden's peak RSS
/// (KiB) and CPU time.
fn run_measured(
    mut command: std::process::Command,
    rusage: &std::path::Path,
) -> (i32, i64, Duration) {
    let status = command.status().expect("spawn the measuring parent");
    let text = std::fs::read_to_string(rusage).unwrap_or_default();
    let mut fields = text
        .split_whitespace()
        .map(|f| f.parse::<i64>().unwrap_or(0));
    let mut next = || fields.next().unwrap_or(0);
    let (code, peak_kib, cpu_us) = (next(), next(), next());
    assert!(
        status.code().is_some(),
        "the measuring parent was killed: {status}"
    );
    (code as i32, peak_kib, Duration::from_micros(cpu_us as u64))
}

async fn scenario(n: usize, latency: Duration, slack_429: usize) {
    let (mut requests, users, due) = synthetic(n, TEARDOWNS);
    let in_process = parse_and_decide(&requests, &users);

    let env = TestEnv::start().await;
    let client = env.iam_client();
    for &index in &due {
        let name = format!("user-{:06}", index - 1);
        let loaded = load_user(&client, &name, Loadout::original()).await;
        requests[index][11] = json!(loaded.access_key_ids[0]);
    }
    env.google.set_sheet(REQUEST_SHEET, requests);
    env.google.set_sheet(USERS_SHEET, users);
    env.google.delay(latency);
    env.slack.delay(latency);
    env.iam.delay(latency);
    if slack_429 > 0 {
        env.slack.rate_limit_next(slack_429, 1);
    }

    let stdout = env.dir.path().join("stdout.json");
    let stderr = env.dir.path().join("stderr.log");
    let mut command = env.command();
    // glibc's allocator settings reach the binary, to compare them without a rebuild.
    for (k, v) in std::env::vars().filter(|(k, _)| k.starts_with("MALLOC_")) {
        command.env(k, v);
    }
    let rusage = env.dir.path().join("rusage");
    let mut command = measured(
        command
            .as_std_mut()
            .args(["run", "--today", TODAY, "--output", "json"]),
        &rusage,
    );
    command
        .stdout(Stdio::from(File::create(&stdout).unwrap()))
        .stderr(Stdio::from(File::create(&stderr).unwrap()));
    let started = Instant::now();
    let (status, peak_kib, cpu) =
        tokio::task::spawn_blocking(move || run_measured(command, &rusage))
            .await
            .unwrap();
    let wall = started.elapsed();
    let to_first_request = env
        .google
        .first_request_at()
        .map(|t| t.duration_since(started));

    let log = std::fs::read_to_string(&stderr).unwrap();
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&stdout).unwrap()).unwrap_or(Value::Null);
    let actions = report["actions"].as_array().cloned().unwrap_or_default();
    let count = |kind: &str, outcome: &str| {
        actions
            .iter()
            .filter(|a| a["action"] == kind && a["outcome"] == outcome)
            .count()
    };
    let own_us = number_after(&log, "parse_plan_us").unwrap_or(0);
    let google = env.google.counts();

    println!(
        "\n## {n} rows, {} ms latency per request",
        latency.as_millis()
    );
    println!("exit status                   {status}");
    println!(
        "wall time                     {:.0} ms",
        wall.as_secs_f64() * 1000.0
    );
    println!(
        "  parse + decide (in the run) {:.1} ms",
        own_us as f64 / 1000.0
    );
    println!(
        "  parse + decide (in-process) {:.1} ms (best of 5)",
        in_process.as_secs_f64() * 1000.0
    );
    println!(
        "  everything else             {:.0} ms (network waits, TLS-free HTTP, JSON)",
        (wall.as_secs_f64() * 1000.0) - own_us as f64 / 1000.0
    );
    println!(
        "keywarden's own CPU time      {:.0} ms (user + system)",
        cpu.as_secs_f64() * 1000.0
    );
    match to_first_request {
        Some(t) => println!(
            "start-up to first request     {:.1} ms",
            t.as_secs_f64() * 1000.0
        ),
        None => println!("start-up to first request     -"),
    }
    println!(
        "peak RSS                      {:.1} MB",
        peak_kib as f64 / 1024.0
    );
    println!("notices done                  {}", count("notify", "done"));
    println!("teardowns done                {}", count("delete", "done"));
    // The log sheet does not exist yet on the fake: this is a first run, whose first append
    // finds it missing and adds it (one failed append and one addSheet more than later runs).
    println!(
        "requests: Sheets (token aside) {} ({} reads, {} writes, {} log appends, {} addSheet)",
        google.sheets_requests(),
        google.reads,
        google.writes,
        google.appends,
        google.sheet_updates
    );
    println!("          OAuth token         {}", google.token);
    println!(
        "          Slack               {}",
        env.slack.post_attempts()
    );
    println!("          IAM                 {}", env.iam.calls().len());
    timeline(&env, started, wall, latency);
    if status != 0 {
        println!(
            "(stderr tail)\n{}",
            log.lines().rev().take(5).collect::<Vec<_>>().join("\n")
        );
    }
}

/// docs/rules.md §10's dimension: `accounts` AWS accounts (the home account and `accounts - 1` member
/// accounts, each with its role), a sheet of `n` rows spread over them, one teardown due in
/// every account (so each is entered). Run once with the home account alone and once with all,
/// so the cost of one more account can be read off.
async fn accounts_scenario(accounts: usize, n: usize, latency: Duration) {
    use support::moto_accounts::{CALLER_ARN, HOME, account_iam, create_member_role};
    let ids: Vec<String> = (0..accounts)
        .map(|k| {
            if k == 0 {
                HOME.to_string()
            } else {
                format!("{:012}", 200_000_000_000u64 + k as u64)
            }
        })
        .collect();
    let (mut requests, users, due) = synthetic(n, accounts);
    let env = TestEnv::start().await;
    let moto = env.moto.endpoint();
    requests[0].push(json!("AWSアカウント"));
    for (i, row) in requests.iter_mut().enumerate().skip(1) {
        row.push(json!(ids[i % accounts]));
    }
    for (k, &index) in due.iter().enumerate() {
        let account = &ids[k % accounts];
        if account != HOME {
            create_member_role(&moto, account, "/", "keywarden", CALLER_ARN, None).await;
        }
        let name = format!("user-{:06}", index - 1);
        let iam = account_iam(&moto, account).await;
        let loaded = load_user(&iam, &name, Loadout::original()).await;
        requests[index][11] = json!(loaded.access_key_ids[0]);
        requests[index][12] = json!(account);
    }
    env.google.set_sheet(REQUEST_SHEET, requests);
    env.google.set_sheet(USERS_SHEET, users);
    env.google.delay(latency);
    env.slack.delay(latency);
    env.iam.delay(latency);
    let listed: Vec<String> = ids.iter().map(|id| format!("a{id}={id}")).collect();
    let mut command = env.command();
    command
        .env("KEYWARDEN_ACCOUNTS", listed.join(","))
        .env("KEYWARDEN_MAX_DELETIONS", accounts.to_string());
    for (k, v) in std::env::vars().filter(|(k, _)| k.starts_with("MALLOC_")) {
        command.env(k, v);
    }
    let stdout = env.dir.path().join("stdout.json");
    let stderr = env.dir.path().join("stderr.log");
    let rusage = env.dir.path().join("rusage");
    let mut command = measured(
        command
            .as_std_mut()
            .args(["run", "--today", TODAY, "--output", "json"]),
        &rusage,
    );
    command
        .stdout(Stdio::from(File::create(&stdout).unwrap()))
        .stderr(Stdio::from(File::create(&stderr).unwrap()));
    let started = Instant::now();
    let (status, peak_kib, cpu) =
        tokio::task::spawn_blocking(move || run_measured(command, &rusage))
            .await
            .unwrap();
    let wall = started.elapsed();
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&stdout).unwrap()).unwrap_or(Value::Null);
    let done = report["actions"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|a| a["action"] == "delete" && a["outcome"] == "done")
                .count()
        })
        .unwrap_or(0);
    let other = env.iam.other_actions();
    let count = |name: &str| other.iter().filter(|a| *a == name).count();
    let iam = env.iam.calls();
    let in_accounts: std::collections::BTreeSet<String> =
        iam.iter().map(|c| env.iam.account_of(c)).collect();
    println!(
        "\n## {accounts} AWS accounts, {n} rows, {} ms latency per request",
        latency.as_millis()
    );
    println!("exit status                   {status}");
    println!(
        "wall time                     {:.0} ms",
        wall.as_secs_f64() * 1000.0
    );
    println!(
        "keywarden's own CPU time      {:.0} ms",
        cpu.as_secs_f64() * 1000.0
    );
    println!(
        "peak RSS                      {:.1} MB",
        peak_kib as f64 / 1024.0
    );
    println!("teardowns done                {done} (one per account)");
    println!(
        "requests: IAM                 {} in {} accounts",
        iam.len(),
        in_accounts.len()
    );
    println!("          STS AssumeRole      {}", count("sts:AssumeRole"));
    println!(
        "          STS GetAccessKeyInfo {}",
        count("sts:GetAccessKeyInfo")
    );
    println!(
        "          STS GetCallerIdentity {}",
        count("sts:GetCallerIdentity")
    );
    println!(
        "          Organizations       {}",
        count("organizations:ListAccounts")
    );
    println!(
        "          Sheets (token aside) {}",
        env.google.counts().reads + env.google.counts().writes
    );
    println!(
        "          Slack               {}",
        env.slack.post_attempts()
    );
    if status != 0 {
        let log = std::fs::read_to_string(&stderr).unwrap_or_default();
        println!(
            "(stderr tail)\n{}",
            log.lines().rev().take(5).collect::<Vec<_>>().join("\n")
        );
    }
}

fn main() {
    let mut argv = std::env::args().skip(1);
    if argv.next().as_deref() == Some(MEASURE) {
        measure_child(argv);
    }
    let args = args();
    let binary = env!("CARGO_BIN_EXE_keywarden");
    let size = std::fs::metadata(binary).map(|m| m.len()).unwrap_or(0);
    println!("# keywarden benchmark");
    println!("binary                        {binary}");
    println!(
        "binary size                   {:.1} MB",
        size as f64 / 1_048_576.0
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    if let Some(accounts) = args.accounts {
        let rows = if args.rows == [10_000, 100_000] {
            10_000
        } else {
            args.rows[0]
        };
        // The home account alone, then every account: the difference is the accounts' cost.
        runtime.block_on(accounts_scenario(1, rows, args.latency));
        runtime.block_on(accounts_scenario(accounts.max(1), rows, args.latency));
        return;
    }
    for n in &args.rows {
        runtime.block_on(scenario(*n, args.latency, args.slack_429));
    }
}
