//! Test support for vocm, never shipped: the account generator that tests,
//! benchmarks and the fuzzer share, and a running `vocm-sandbox` for the
//! HTTP tests.

pub mod fixtures;
pub mod generate;
pub mod sandbox;
