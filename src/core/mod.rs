//! The pure core: everything keywarden decides, and nothing of how it talks to the world.
//! Nothing here imports [`crate::adapters`] or [`crate::app`].

pub mod ahead;
pub mod domain;
pub mod extension;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod issue;
pub mod key_rules;
pub mod log;
pub mod messages;
pub mod outcome;
pub mod plan;
pub mod proof;
#[cfg(test)]
mod read_tests;
pub mod report;
pub mod sheet;
pub mod teardown;
pub mod words;
