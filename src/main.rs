//! The `vocm` binary: everything happens in the library.

fn main() -> std::process::ExitCode {
    vocm::run(std::env::args_os())
}
