//! The integration tests, one binary: the AWS SDK and the fakes are linked once, not once per
//! test file. Each module is one subject; `support` holds the fakes (Google, Slack, moto and the
//! strict IAM proxy, the binary's runner), `fixtures` the builders of rows, sheets, IAM users
//! and accounts, `memory` the in-memory services of the property tests.

mod fixtures;
mod memory;
mod support;

mod accounts;
mod bad_input;
mod deploy;
mod documents;
mod extension_wiring;
mod fakes_selftest;
mod faults;
mod first_hour;
mod hygiene;
mod interactions;
mod issuance;
mod issue_decisions;
mod job;
mod log_sheet;
mod safety;
mod socket_mode;
mod wrong_rows;
