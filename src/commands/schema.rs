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

fn pretty(v: &serde_json::Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
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
