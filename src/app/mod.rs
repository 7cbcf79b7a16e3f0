//! What each command does, on top of the core and the adapters.

pub mod check;
pub mod connect;
pub mod demo;
pub mod interactions;
pub mod issue_message;
pub mod log_sheet;
pub mod run;
