//! The command line: clap definitions, and the one place that maps an
//! outcome to an exit code.

use std::ffi::OsString;
use std::io::{IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::commands;

/// Manage a cloud phone system's account as code: validate YAML manifests,
/// plan the changes against the live account, apply them.
#[derive(Debug, Parser)]
#[command(name = "vocm", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct Global {
    /// How diagnostics are printed: text (stderr), json or github (stdout).
    #[arg(long, global = true, value_enum, env = "VOCM_DIAGNOSTICS")]
    pub diagnostics: Option<DiagnosticFormat>,
    /// Never colour the output (also: the `NO_COLOR` environment variable).
    #[arg(long, global = true)]
    pub no_color: bool,
    /// Print only errors and what was asked for.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more about what vocm does.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// The local provider's state file.
    #[arg(
        long,
        global = true,
        env = "VOCM_STATE",
        default_value = "vocm.state.json"
    )]
    pub state: PathBuf,
    /// Which provider holds the account.
    #[arg(long, global = true, env = "VOCM_PROVIDER", value_enum, default_value_t = ProviderKind::Local)]
    pub provider: ProviderKind,
    /// The provisioning API's base URL (http provider); the key is read
    /// from `VOCM_API_KEY` only.
    #[arg(long, global = true, env = "VOCM_ENDPOINT", value_name = "URL")]
    pub endpoint: Option<String>,
    /// Allow plain http:// to a host other than this machine.
    #[arg(long, global = true)]
    pub allow_insecure_http: bool,
    /// Bound on each HTTP request (e.g. 30s, 2m).
    #[arg(long, global = true, value_parser = humantime::parse_duration, default_value = "30s")]
    pub timeout: std::time::Duration,
}

/// The providers vocm can talk to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ProviderKind {
    /// The account kept in a local JSON file (`--state`).
    Local,
    /// The account's provisioning REST API (`--endpoint`, `VOCM_API_KEY`).
    Http,
}

impl Global {
    /// The provider the options name.
    ///
    /// # Errors
    /// A missing or unsafe endpoint, or no API key.
    pub fn provider(
        &self,
    ) -> Result<Box<dyn vocm_core::provider::Provider>, vocm_core::provider::ProviderError> {
        use vocm_core::diagnostics::Code;
        use vocm_core::provider::ProviderError;
        use vocm_http::{ApiKey, HttpOptions, HttpProvider, check_endpoint};
        match self.provider {
            ProviderKind::Local => Ok(Box::new(vocm_core::provider::local::LocalProvider::new(
                &self.state,
            ))),
            ProviderKind::Http => {
                let endpoint = self.endpoint.as_deref().ok_or_else(|| {
                    ProviderError::new(
                        Code::HttpEndpoint,
                        "the http provider needs --endpoint (or VOCM_ENDPOINT)",
                        "e.g. --endpoint https://api.8x8.com/admin-provisioning",
                    )
                })?;
                let endpoint = check_endpoint(endpoint, self.allow_insecure_http)?;
                let key = std::env::var("VOCM_API_KEY")
                    .ok()
                    .filter(|k| !k.is_empty())
                    .ok_or_else(|| {
                        ProviderError::new(
                            Code::HttpNoKey,
                            "the http provider needs the API key in VOCM_API_KEY",
                            "export VOCM_API_KEY (in CI, from a secret); vocm never takes it as a flag",
                        )
                    })?;
                let options = HttpOptions {
                    timeout: self.timeout,
                    ..HttpOptions::default()
                };
                Ok(Box::new(HttpProvider::new(
                    &endpoint,
                    ApiKey::new(key),
                    options,
                )?))
            }
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check manifests: YAML, schema and every offline rule.
    Validate(commands::validate::ValidateArgs),
    /// Show what apply would change in the account to match the manifests.
    Plan(commands::plan::PlanArgs),
    /// Change the account to match the manifests (or a saved plan).
    Apply(commands::apply::ApplyArgs),
    /// Write the current account as manifests (and audio files).
    Export(commands::export::ExportArgs),
    /// Show where a call to a number or an extension goes.
    Route(commands::route::RouteArgs),
    /// Print the JSON Schema of manifests, plans or diagnostics.
    Schema(commands::schema::SchemaArgs),
    /// Print shell completions (bash, zsh, fish, powershell, elvish).
    Completions(commands::completions::CompletionsArgs),
    /// Print the man page (roff).
    Man,
}

/// How output looks, decided once from flags, environment and terminal.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    /// Colour on stderr (diagnostics, progress).
    pub color: bool,
    /// Colour on stdout (plans).
    pub color_out: bool,
    pub width: usize,
    pub quiet: bool,
    pub verbose: bool,
}

impl Style {
    fn from_global(g: &Global) -> Self {
        let no_color_env = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let width = std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.parse().ok())
            .filter(|w| *w >= 40)
            .unwrap_or(100);
        Self {
            color: !g.no_color && !no_color_env && std::io::stderr().is_terminal(),
            color_out: !g.no_color && !no_color_env && std::io::stdout().is_terminal(),
            width,
            quiet: g.quiet,
            verbose: g.verbose,
        }
    }

    #[must_use]
    pub fn color_stdout(&self) -> bool {
        self.color_out
    }

    #[must_use]
    pub fn text(&self) -> vocm_core::diagnostics::text::TextStyle {
        vocm_core::diagnostics::text::TextStyle {
            color: self.color,
            width: self.width,
        }
    }
}

/// What a command reports to `main`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0.
    Success,
    /// Exit 1: invalid input, refused or failed operation.
    Failure,
    /// Exit 2: `--detailed-exitcode` and the plan has changes.
    Changes,
    /// Exit 130: interrupted.
    Interrupted,
}

impl Outcome {
    #[must_use]
    pub fn code(self) -> u8 {
        match self {
            Outcome::Success => 0,
            Outcome::Failure => 1,
            Outcome::Changes => 2,
            Outcome::Interrupted => 130,
        }
    }
}

/// Runs vocm with these arguments; returns the process exit code.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints usage errors with its own exit code 2; vocm's
            // contract is 1 for any bad argument (2 means "changes").
            let _ = e.print();
            return ExitCode::from(u8::from(e.use_stderr()));
        }
    };
    let style = Style::from_global(&cli.global);
    let outcome = match &cli.command {
        Command::Validate(args) => commands::validate::run(args, &cli.global, style),
        Command::Plan(args) => commands::plan::run(args, &cli.global, style),
        Command::Apply(args) => commands::apply::run(args, &cli.global, style),
        Command::Export(args) => commands::export::run(args, &cli.global, style),
        Command::Route(args) => commands::route::run(args, &cli.global, style),
        Command::Schema(args) => commands::schema::run(args),
        Command::Completions(args) => commands::completions::completions(args),
        Command::Man => commands::completions::man(),
    };
    ExitCode::from(outcome.code())
}

/// Writes to stdout; a closed pipe (`vocm schema | head`) is not an error.
pub fn print_stdout(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// Writes to stderr, ignoring a closed pipe.
pub fn print_stderr(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes()).and_then(|()| err.flush());
}

/// Paths given on the command line, `.` when none.
#[must_use]
pub fn paths_or_cwd(paths: &[PathBuf]) -> Vec<PathBuf> {
    if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    }
}

/// How diagnostics are printed (`--diagnostics`, or `--format` on validate).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DiagnosticFormat {
    /// Human-readable, with source snippets (stderr).
    Text,
    /// A JSON array (stdout).
    Json,
    /// GitHub Actions workflow commands (stdout).
    Github,
}
