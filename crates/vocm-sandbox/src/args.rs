//! The sandbox's command line, parsed by clap and checked before the server
//! starts.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

use super::licenses::Inventory;

/// Serve a sandbox of the provisioning API vocm speaks: persistent,
/// key-authenticated, paginated, asynchronous and rate-limited, with
/// optional fault injection. The bound address is printed on the first line
/// of stdout.
#[derive(Debug, Parser)]
#[command(name = "vocm-sandbox", version, about, max_term_width = 100)]
pub struct Args {
    /// Where to listen (port 0 picks a free port).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// The account's file, reloaded on start and saved after each change
    /// (none: the account lives in memory only).
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// The key every request must carry in `x-api-key`.
    #[arg(
        long,
        value_name = "KEY",
        env = "VOCM_SANDBOX_API_KEY",
        hide_env_values = true
    )]
    pub api_key: String,
    /// Requests allowed per minute.
    #[arg(long, value_name = "N", default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..))]
    pub rate_limit: u32,
    /// Requests allowed per 10 seconds.
    #[arg(long, value_name = "N", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
    pub burst: u32,
    /// Share of requests (0.0 to 1.0) that fail the way real APIs fail.
    #[arg(long, value_name = "P", default_value_t = 0.0, value_parser = parse_rate)]
    pub fault_rate: f64,
    /// Milliseconds between accepting a write and its operation completing.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub op_delay_ms: u64,
    /// The license inventory, e.g. `X2=50,X4=10` (default: unlimited; once
    /// given, it is saved with the account).
    #[arg(long, value_name = "NAME=N,...", value_parser = parse_inventory)]
    pub licenses: Option<Inventory>,
    /// Seed of the fault injection (default: from the clock).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// One line per request on stderr.
    #[arg(short, long)]
    pub verbose: bool,
    /// Which API to serve: `reference` is the public Administration API
    /// alone (its paths, paging and rules; user updates answer 501; no
    /// claims, no license inventory); `extended` adds vocm's extension
    /// endpoints, listed at `GET /vocm`.
    #[arg(long, value_enum, default_value_t = ApiMode::Extended)]
    pub api: ApiMode,
    /// Numbers the account holds from the start (the reference cannot
    /// claim any), e.g. `+33170000000,+33170000001`.
    #[arg(long, value_name = "+E164,...", value_delimiter = ',')]
    pub numbers: Vec<String>,
}

/// The API the sandbox serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ApiMode {
    /// The reference Administration API only.
    Reference,
    /// The reference and vocm's extensions.
    Extended,
}

fn parse_rate(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(format!("`{s}` is not a share between 0.0 and 1.0")),
    }
}

fn parse_inventory(s: &str) -> Result<Inventory, String> {
    Inventory::parse(s)
}
