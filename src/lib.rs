//! The `vocm` command line: argument parsing, one module per command, and
//! terminal output. The work happens in `vocm-core` (and `vocm-http` for
//! the HTTP provider); this crate wires them to a terminal. It is a library
//! only so that tests can parse the CLI the recipes use.

pub mod cli;
mod commands;
mod options;
mod outcome;
mod output;
mod progress;

pub use cli::run;
