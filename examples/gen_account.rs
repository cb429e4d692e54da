//! Generates a large, valid account for benchmarks:
//!
//! ```text
//! cargo run --release --example gen_account -- --users 10000 -o /tmp/acct
//! cargo run --release --example gen_account -- --shape full --users 10000 -o /tmp/acct
//! ```
//!
//! Two shapes (`--shape`, default from the environment variable
//! `VOCM_BENCH_SHAPE`, else `spread`), both deterministic:
//! - `spread`: every user has a number, a device and a spread of settings;
//!   one ring group per ten users; users are written 1,000 to a file, as a
//!   large organisation would split them;
//! - `full`: every user fully configured (all three forwarding conditions,
//!   recording with an announcement, outbound calling, voicemail,
//!   directory), 20 sites, every number, device and ring group in one
//!   account file, one ring group per 50 users with 5 members.
//!
//! `--drift P` changes P % of the users (a name and a forwarding rule): the
//! plan benchmark applies the drifted account, then plans the plain one.
//! `--hub N` (`full` only) makes the first N users forward to the first ring
//! group, which `--drift` then changes as well: one group reached by N users.

use std::path::PathBuf;

use vocm_testkit::generate::{Options, Shape};

const USAGE: &str = "usage: gen_account --users N [--shape spread|full] [--drift PERCENT] [--hub N] -o DIR\n(the shape defaults to $VOCM_BENCH_SHAPE, else spread)";

fn parse_args() -> Result<(Options, PathBuf), String> {
    let mut options = Options {
        users: 10_000,
        ..Options::default()
    };
    if let Ok(shape) = std::env::var("VOCM_BENCH_SHAPE")
        && !shape.is_empty()
    {
        options.shape = shape
            .parse()
            .map_err(|e| format!("VOCM_BENCH_SHAPE: {e}"))?;
    }
    let mut out = None;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--users" => {
                options.users = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .ok_or("--users takes a number")?;
            }
            "--shape" => {
                options.shape = it.next().ok_or("--shape takes spread or full")?.parse()?;
            }
            "--drift" => {
                options.drift = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|p| *p <= 100)
                    .ok_or("--drift takes a percentage")?;
            }
            "--hub" => {
                options.hub = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .ok_or("--hub takes a number of users")?;
            }
            "-o" | "--out" => out = it.next().map(PathBuf::from),
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    if options.hub > 0 && options.shape != Shape::Full {
        return Err("--hub needs --shape full".into());
    }
    Ok((options, out.ok_or("-o DIR is required")?))
}

fn main() {
    let (options, out) = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = vocm_testkit::generate::generate_with(&options, &out) {
        eprintln!("gen_account: {e}");
        std::process::exit(1);
    }
}
