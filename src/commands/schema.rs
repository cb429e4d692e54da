//! `vocm schema`: the JSON Schema of manifests, for editors and CI.

use clap::{Args, ValueEnum};

use crate::outcome::Outcome;
use crate::output::print_stdout;

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Which schema: the manifest format, or the JSON diagnostics format.
    #[arg(value_enum, default_value_t = Which::Manifest)]
    pub which: Which,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Which {
    Manifest,
    Plan,
    Diagnostics,
}

/// Pretty JSON and a newline, as the committed files hold it (`{:#}` on a
/// `Value` cannot fail).
fn pretty(v: &serde_json::Value) -> String {
    format!("{v:#}\n")
}

#[must_use]
pub fn run(args: &SchemaArgs) -> Outcome {
    let text = match args.which {
        Which::Manifest => vocm_core::schema::manifest_schema_text(),
        Which::Plan => pretty(&vocm_core::plan::file::PlanFile::schema()),
        Which::Diagnostics => pretty(&vocm_core::diagnostics::json::schema()),
    };
    print_stdout(&text);
    Outcome::Success
}
