//! `vocm completions SHELL` and `vocm man`: shell completions and the man
//! page, generated from the command line's own definition.

use clap::Args;

use crate::outcome::Outcome;
use crate::output::print_stdout;

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[must_use]
pub fn completions(args: &CompletionsArgs, mut cli: clap::Command) -> Outcome {
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut cli, "vocm", &mut out);
    print_stdout(&String::from_utf8_lossy(&out));
    Outcome::Success
}

#[must_use]
pub fn man(cli: clap::Command) -> Outcome {
    let mut out = Vec::new();
    if clap_mangen::Man::new(cli).render(&mut out).is_err() {
        return Outcome::Failure;
    }
    print_stdout(&String::from_utf8_lossy(&out));
    Outcome::Success
}
