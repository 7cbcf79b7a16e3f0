//! keywarden runs the lifecycle of AWS IAM access keys recorded in a Google Spreadsheet.
//!
//! Three layers, dependencies pointing down only:
//! - [`app`]: what a command does — the daily run as a sequence of phases, `check`, `demo`;
//! - [`adapters`]: the outside services (Google Sheets, Slack, IAM, Secrets Manager) and the
//!   in-memory stand-ins of the demo, each behind a small trait;
//! - [`core`]: the pure rules — typed sheet model, decisions, key rules, teardown steps,
//!   outcomes, messages and the report. It knows nothing of HTTP.
//!
//! `main.rs`, [`cli`] and [`lambda`] only parse input and hand over to [`app`].

pub mod adapters;
pub mod app;
pub mod cli;
pub mod configuration;
pub mod core;
pub mod lambda;
pub mod logging;
pub mod variables;
