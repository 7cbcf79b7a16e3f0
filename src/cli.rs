//! The command line: `run`, `plan`, `requests`, `check`, `demo`, `serve`, `completions`.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::app::connect::{execute, settings};
use crate::app::demo;
use crate::app::run::{Deadline, Mode, Pass};
use crate::configuration::{Needs, parse_today};

#[derive(Debug, Parser)]
#[command(
    name = "keywarden",
    version,
    about = "Runs the lifecycle of AWS IAM access keys recorded in a Google Spreadsheet"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the daily job: notify, tear down, write back, tell administrators.
    Run(RunArgs),
    /// Show what `run` would do, changing nothing (same as `run --dry-run`).
    Plan(RunArgs),
    /// Key issuance alone: ask for approval of new key requests and issue the approved ones
    /// (for a schedule every 15 minutes; needs KEYWARDEN_ISSUE_POLICIES).
    Requests(PassArgs),
    /// Check configuration, credentials, sheet headers, Slack and IAM access.
    Check(CheckArgs),
    /// Run the whole job offline on the bundled example data, changing nothing.
    Demo(DemoArgs),
    /// Answer Slack's interaction requests (owners' extension requests and administrators'
    /// decisions): over HTTP, or over Socket Mode when SLACK_APP_TOKEN is set.
    Serve(ServeArgs),
    /// Print a shell completion script, e.g. `keywarden completions bash > /etc/bash_completion.d/keywarden`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// Exit codes and variables, after every help: what a script and an administrator need.
fn after_help() -> String {
    let mut lines = String::from(
        "Variables (a --config TOML file takes the same keys in lower case, without KEYWARDEN_; \
         the environment wins; the AWS SDK reads its own, such as AWS_REGION and AWS_PROFILE):",
    );
    for variable in crate::variables::VARIABLES {
        lines.push_str("\n  ");
        lines.push_str(&variable.help_line());
    }
    lines.push('\n');
    lines.push_str(
        "\nExit status: 0 every action succeeded; 1 an action failed or was refused (the others \
         still ran); 2 nothing could run (bad configuration, unreadable spreadsheet, missing \
         headers).",
    );
    lines
}

/// Parses the command line, with the variables and exit codes in every help.
pub fn parse() -> Cli {
    use clap::{CommandFactory, FromArgMatches};
    let text = after_help();
    let mut command = Cli::command().after_help(text.clone());
    for name in ["run", "plan", "requests", "check", "serve"] {
        let text = text.clone();
        command = command.mut_subcommand(name, |c| c.after_help(text));
    }
    Cli::from_arg_matches(&command.get_matches()).unwrap_or_else(|e| e.exit())
}

/// The `--config` help, shared by every command that reads settings.
const CONFIG_HELP: &str = "TOML file with the same settings as the environment: keys in lower \
                           case without KEYWARDEN_ (notify_days = 14); the environment wins";

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on; put a TLS reverse proxy in front of it. Unused when
    /// SLACK_APP_TOKEN is set: Socket Mode connects out to Slack and listens on nothing.
    #[arg(long, default_value = "127.0.0.1:3000")]
    pub listen: std::net::SocketAddr,
    #[arg(long, help = CONFIG_HELP)]
    pub config: Option<PathBuf>,
}

/// What every pass over the sheet takes: `run`, `plan` and `requests`.
#[derive(Debug, Args)]
pub struct PassArgs {
    /// Pretend today is this date (YYYY-MM-DD) instead of today in KEYWARDEN_TIMEZONE.
    #[arg(long, value_parser = parse_today)]
    pub today: Option<NaiveDate>,
    /// Read everything, change nothing: no Slack message, no IAM write, no sheet write.
    #[arg(long)]
    pub dry_run: bool,
    /// text: a table of the rows that need attention (of the requests, for `requests`);
    /// json: one report on stdout (logs go to stderr), also when nothing could run.
    #[arg(long, value_enum, default_value_t = Output::Text)]
    pub output: Output,
    #[arg(long, help = CONFIG_HELP)]
    pub config: Option<PathBuf>,
}

impl PassArgs {
    fn mode(&self) -> Mode {
        if self.dry_run {
            Mode::DryRun
        } else {
            Mode::Run
        }
    }
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub pass: PassArgs,
    /// `plan` only: also show what each of the next N days brings (notices, deactivations,
    /// teardowns), from the sheet alone.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=366))]
    pub days: Option<u32>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[arg(long, help = CONFIG_HELP)]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The example data is written for 2026-11-22; 2026-11-30 shows it a week later, and any
    /// other day its decisions on that day.
    #[arg(long, value_parser = parse_today)]
    pub today: Option<NaiveDate>,
    /// text: the plan, the Slack messages and the IAM steps; json: the report alone.
    #[arg(long, value_enum, default_value_t = Output::Text)]
    pub output: Output,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    Text,
    Json,
}

/// Exit status 2: nothing could run.
const NOTHING_RAN: u8 = 2;

pub async fn main(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Run(args) => run_pass(&args.pass, args.days, args.pass.mode(), Pass::Daily).await,
        Command::Plan(args) => run_pass(&args.pass, args.days, Mode::DryRun, Pass::Daily).await,
        Command::Requests(args) => run_pass(&args, None, args.mode(), Pass::Requests).await,
        Command::Check(args) => crate::app::check::run(args.config.as_deref()).await,
        Command::Serve(args) => serve(args).await,
        Command::Completions { shell } => {
            use clap::CommandFactory;
            use std::io::Write;
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "keywarden", &mut script);
            // A closed pipe (`| head`) is the reader's choice, not a failure worth a panic.
            let _ = std::io::stdout().write_all(&script);
            ExitCode::SUCCESS
        }
        Command::Demo(args) => match demo::run(args.today.unwrap_or_else(demo::demo_today)).await {
            Ok(report) => {
                match args.output {
                    Output::Json => print_json(&report),
                    Output::Text => {
                        print!("{}", demo::render(&report));
                        match demo::extension_walkthrough(&report).await {
                            Ok(walk) => print!("{}", walk.text),
                            Err(e) => eprintln!("keywarden: the extension walk-through: {e}"),
                        }
                        match demo::issuance_walkthrough(report.today).await {
                            Ok(text) => print!("{text}"),
                            Err(e) => eprintln!("keywarden: the key issuance walk-through: {e}"),
                        }
                    }
                }
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e.to_string()),
        },
    }
}

/// The width of the terminal on stdout, else `COLUMNS`, else 160 (a file or a pipe): the plan
/// table fits it.
fn terminal_width() -> u16 {
    // SAFETY: TIOCGWINSZ only fills the struct it is given.
    let mut size: libc::winsize = unsafe { std::mem::zeroed() };
    if unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut size) } == 0
        && size.ws_col > 0
    {
        return size.ws_col;
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(160)
}

/// The JSON report on stdout, written as it is serialised.
fn print_json(report: &crate::core::report::Report) {
    if let Err(e) = report.write_json(std::io::stdout().lock()) {
        eprintln!("keywarden: cannot write the report: {e}");
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("keywarden: {message}");
    ExitCode::from(NOTHING_RAN)
}

/// `keywarden serve`: runs until the process is stopped.
async fn serve(args: ServeArgs) -> ExitCode {
    let needs = Needs {
        google: true,
        slack: true,
        signing_secret: true,
    };
    let settings = match settings(args.config.as_deref(), needs) {
        Ok(s) => s,
        Err(e) => return fail(&e.to_string()),
    };
    // The app token decides, with no flag to forget: a host that has one has no public URL.
    if settings.extensions.socket_mode() {
        let (app, token) = match crate::app::interactions::wire::connect_socket(&settings).await {
            Ok(connected) => connected,
            Err(message) => return fail(&message),
        };
        let served =
            crate::app::interactions::serve_socket_mode(app, &token, &settings.slack_api_url);
        return match served.await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(&e.to_string()),
        };
    }
    let (app, verifier) = match crate::app::interactions::wire::connect(&settings).await {
        Ok(connected) => connected,
        Err(message) => return fail(&message),
    };
    match crate::app::interactions::serve(args.listen, app, verifier).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e.to_string()),
    }
}

async fn run_pass(args: &PassArgs, days: Option<u32>, mode: Mode, pass: Pass) -> ExitCode {
    let needs = Needs {
        google: true,
        slack: mode == Mode::Run,
        signing_secret: false,
    };
    if mode == Mode::Run && days.is_some() {
        return fail(
            "--days only shows the days ahead and changes nothing: use keywarden plan --days N \
             (or run --dry-run --days N)",
        );
    }
    let mut settings = match settings(args.config.as_deref(), needs) {
        Ok(s) => s,
        Err(e) => {
            // Without settings there is no configured zone: the default of docs/rules.md §1, Tokyo.
            let today = args.today.unwrap_or_else(|| {
                chrono::Utc::now()
                    .with_timezone(&chrono_tz::Asia::Tokyo)
                    .date_naive()
            });
            return fail_with_report(args, today, mode, &e.to_string());
        }
    };
    settings.job.days_ahead = days;
    let today = settings.today(args.today);
    if pass == Pass::Requests && settings.job.issue.is_none() {
        return fail_with_report(
            args,
            today,
            mode,
            "key issuance is off: keywarden requests needs KEYWARDEN_ISSUE_POLICIES (what an \
             approved request may grant, entry=policy-ARN,…)",
        );
    }
    match execute(&settings, today, mode, pass, Deadline::none()).await {
        Ok(report) => {
            match args.output {
                Output::Json => print_json(&report),
                Output::Text => print!("{}", report.to_table_width(terminal_width())),
            }
            ExitCode::from(report.exit_code() as u8)
        }
        Err(message) => fail_with_report(args, today, mode, &message),
    }
}

/// Nothing could run (exit 2): the message on stderr and, for `--output json`, a report
/// carrying it on stdout, so a script reading the report sees why.
fn fail_with_report(args: &PassArgs, today: NaiveDate, mode: Mode, message: &str) -> ExitCode {
    if args.output == Output::Json {
        // The configuration (and its time zone) may be what failed: the ID is in Tokyo time.
        let run_id =
            crate::app::log_sheet::new_id(crate::app::log_sheet::now(chrono_tz::Tz::Asia__Tokyo));
        print_json(&crate::core::report::Report::failed(
            today,
            &run_id,
            mode == Mode::DryRun,
            message,
        ));
    }
    fail(message)
}
