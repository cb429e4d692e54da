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
    if render_man(cli, &mut out).is_err() {
        return Outcome::Failure;
    }
    print_stdout(&String::from_utf8_lossy(&out));
    Outcome::Success
}

/// `clap_mangen`'s sections, but for its list of subcommands, which names a
/// page per subcommand (`vocm-plan(1)`) that vocm does not ship; then what
/// a man page owes its reader: the exit codes and the environment.
fn render_man(cli: clap::Command, out: &mut Vec<u8>) -> std::io::Result<()> {
    use std::io::Write as _;
    let subcommands: Vec<(String, String)> = cli
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .map(|s| {
            let about = s.get_about().map(ToString::to_string).unwrap_or_default();
            (s.get_name().to_owned(), about)
        })
        .collect();
    let man = clap_mangen::Man::new(cli);
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    writeln!(out, ".SH COMMANDS")?;
    for (name, about) in &subcommands {
        writeln!(out, ".TP\n\\fBvocm {}\\fR\n{}", roff(name), roff(about))?;
        writeln!(out, "Its options: \\fBvocm {} \\-\\-help\\fR.", roff(name))?;
    }
    writeln!(out, ".SH \"EXIT STATUS\"")?;
    for (code, meaning) in EXIT_STATUS {
        writeln!(out, ".TP\n\\fB{code}\\fR\n{}", roff(meaning))?;
    }
    writeln!(out, ".SH ENVIRONMENT")?;
    for (name, meaning) in ENVIRONMENT {
        writeln!(out, ".TP\n\\fB{name}\\fR\n{}", roff(meaning))?;
    }
    man.render_version_section(out)?;
    Ok(())
}

/// The exit codes (the contract's table).
const EXIT_STATUS: &[(&str, &str)] = &[
    (
        "0",
        "Success: the manifests are valid, the plan has no changes, the apply is done.",
    ),
    (
        "1",
        "Any error: invalid manifests, bad options or arguments, a refused or failed apply, an unreachable or refusing provider.",
    ),
    (
        "2",
        "Only with plan --detailed-exitcode: the plan has changes.",
    ),
    ("130", "Interrupted (Ctrl-C)."),
];

/// The environment variables vocm reads.
const ENVIRONMENT: &[(&str, &str)] = &[
    (
        "VOCM_API_KEY",
        "The API key of the http provider; never taken as an option.",
    ),
    (
        "VOCM_PROVIDER",
        "The provider, as --provider: local or http.",
    ),
    ("VOCM_ENDPOINT", "The API's base URL, as --endpoint."),
    ("VOCM_STATE", "The local provider's state file, as --state."),
    (
        "VOCM_DIAGNOSTICS",
        "How diagnostics are printed, as --diagnostics: text, json or github.",
    ),
    ("NO_COLOR", "Any value but empty: no colour, as --no-color."),
    (
        "COLUMNS",
        "The width of the output, when it is not a terminal's.",
    ),
];

/// Text escaped for roff: backslashes and hyphens, and a leading dot or
/// quote that would read as a request.
fn roff(s: &str) -> String {
    let text = s.replace('\\', "\\e").replace('-', "\\-");
    if text.starts_with(['.', '\'']) {
        format!("\\&{text}")
    } else {
        text
    }
}
