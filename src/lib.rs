//! keywarden runs the lifecycle of AWS IAM access keys recorded in a Google Spreadsheet.
//!
//! Data flows one way: the sheets are read into a typed snapshot ([`sheet`]), a pure [`plan`]
//! decides every row, and the [`runner`] carries the plan out against three thin adapters
//! ([`services`]) before writing back to the sheet once and printing one [`report`].

pub mod check;
pub mod cli;
pub mod configuration;
pub mod demo;
pub mod domain;
pub mod hygiene;
pub mod interactions;
pub mod lambda;
pub mod logging;
pub mod messages;
pub mod plan;
pub mod report;
pub mod runner;
pub mod services;
pub mod sheet;
pub mod teardown;
