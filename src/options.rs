//! The options every command takes, and what they select: the provider,
//! the diagnostics format, the manifest paths.

use std::path::PathBuf;

use clap::Args;

/// Options every command takes.
#[derive(Debug, Args)]
pub struct Global {
    /// How diagnostics are printed: text, json or github. On stderr, but for
    /// `validate`, whose document they are (json and github on stdout).
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
    #[arg(long, global = true, value_parser = parse_duration, default_value = "30s")]
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

/// How diagnostics are printed (`--diagnostics`, or `--format` on validate).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DiagnosticFormat {
    /// Human-readable, with source snippets.
    Text,
    /// One JSON array.
    Json,
    /// GitHub Actions workflow commands (annotations).
    Github,
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

/// A duration argument (`--timeout`, `--lock-timeout`): humantime's, with
/// a message that shows what one looks like.
///
/// # Errors
/// When `s` is not a duration.
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    humantime::parse_duration(s).map_err(|e| {
        format!("`{s}` is not a duration ({e}): write a number and a unit, like 30s, 2m or 1h30m")
    })
}
