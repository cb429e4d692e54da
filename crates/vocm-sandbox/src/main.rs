//! The `vocm-sandbox` binary: a sandbox of the provisioning API; everything
//! happens in the library.

use clap::Parser as _;

fn main() -> std::process::ExitCode {
    vocm_sandbox::run(vocm_sandbox::Args::parse())
}
