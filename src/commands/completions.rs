//! `vocm completions SHELL` and `vocm man`: shell completions and the man
//! page, generated from the command line's own definition.

use clap::{Args, CommandFactory as _};

use crate::cli::{Cli, Outcome, print_stdout};

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[must_use]
pub fn completions(args: &CompletionsArgs) -> Outcome {
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "vocm", &mut out);
    print_stdout(&String::from_utf8_lossy(&out));
    Outcome::Success
}

#[must_use]
pub fn man() -> Outcome {
    let mut out = Vec::new();
    if clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .is_err()
    {
        return Outcome::Failure;
    }
    print_stdout(&String::from_utf8_lossy(&out));
    Outcome::Success
}
