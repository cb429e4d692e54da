//! Generates a large, valid account for benchmarks:
//!
//! ```text
//! cargo run --release --example gen_account -- --users 10000 -o /tmp/acct
//! ```
//!
//! Every user has a number, a device and a realistic spread of settings;
//! one ring group per ten users; users are written 1,000 to a file, as a
//! large organisation would split them. Output is deterministic.
//!
//! `--drift P` changes P % of the users (a name and a forwarding rule): the
//! plan benchmark applies the drifted account, then plans the plain one.

use std::path::PathBuf;

struct Args {
    users: usize,
    drift: usize,
    out: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let mut users = 10_000;
    let mut drift = 0;
    let mut out = None;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--users" => {
                users = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .ok_or("--users takes a number")?;
            }
            "--drift" => {
                drift = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|p| *p <= 100)
                    .ok_or("--drift takes a percentage")?;
            }
            "-o" | "--out" => out = it.next().map(PathBuf::from),
            "-h" | "--help" => {
                return Err("usage: gen_account --users N [--drift PERCENT] -o DIR".into());
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(Args {
        users,
        drift,
        out: out.ok_or("-o DIR is required")?,
    })
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = vocm_testkit::generate::generate(args.users, args.drift, &args.out) {
        eprintln!("gen_account: {e}");
        std::process::exit(1);
    }
}
