//! Counters for benchmarks, served at `/_sandbox/stats`: what clients asked
//! and how often they were refused.

use std::collections::BTreeMap;

use serde::Serialize;

/// Request counters (the stats endpoint itself is not counted).
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    pub requests: u64,
    pub by_method: BTreeMap<String, u64>,
    /// GETs of resources and lists.
    pub reads: u64,
    /// POSTs, PUTs and DELETEs.
    pub writes: u64,
    /// GETs of operations.
    pub operations_polled: u64,
    /// 429 answers, whatever their cause.
    pub too_many_requests: u64,
    pub unauthorized: u64,
}

/// What kind of request it is, for the counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Read,
    Write,
    Poll,
}

impl Stats {
    pub fn record(&mut self, method: &str, kind: Kind) {
        self.requests += 1;
        *self.by_method.entry(method.to_owned()).or_default() += 1;
        match kind {
            Kind::Read => self.reads += 1,
            Kind::Write => self.writes += 1,
            Kind::Poll => self.operations_polled += 1,
        }
    }
}
