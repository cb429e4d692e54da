//! `vocm schema`: the JSON Schemas of manifests, plans and diagnostics, for
//! editors and CI.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::options::Global;
use crate::outcome::Outcome;
use crate::output::{Run, Style, print_stdout};
use vocm_core::diagnostics::{Code, Diagnostic};

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Which schema: `manifest` (the YAML manifests, for editors' `$schema`),
    /// `plan` (`vocm plan --format json` and saved plans) or `diagnostics`
    /// (`--diagnostics json`).
    #[arg(value_enum, default_value_t = Which::Manifest)]
    pub which: Which,
    /// Write the schema to this file instead of stdout (e.g.
    /// `.vocm/vocm.schema.json`, for manifests' `$schema` line); its
    /// directory is created.
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Which {
    /// The manifest format.
    Manifest,
    /// The machine plan.
    Plan,
    /// JSON diagnostics.
    Diagnostics,
}

/// Pretty JSON and a newline, as the committed files hold it (`{:#}` on a
/// `Value` cannot fail).
fn pretty(v: &serde_json::Value) -> String {
    format!("{v:#}\n")
}

#[must_use]
pub fn run(args: &SchemaArgs, global: &Global, style: Style) -> Outcome {
    let text = match args.which {
        Which::Manifest => vocm_core::schema::manifest_schema_text(),
        Which::Plan => pretty(&vocm_core::plan::file::PlanFile::schema()),
        Which::Diagnostics => pretty(&vocm_core::diagnostics::json::schema()),
    };
    let Some(out) = &args.out else {
        print_stdout(&text);
        return Outcome::Success;
    };
    let written = match out.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(dir) => std::fs::create_dir_all(dir),
        None => Ok(()),
    }
    .and_then(|()| vocm_core::util::write_atomically(out, text.as_bytes()));
    let mut run = Run::new(global, style);
    let outcome = match written {
        Ok(()) => Outcome::Success,
        Err(e) => run.fail(
            Diagnostic::error(
                Code::OutputWrite,
                format!("cannot write the schema to {}: {e}", out.display()),
            )
            .at_path(out.display().to_string())
            .help("name a file in a writable place; its directory is created if missing"),
        ),
    };
    run.finish(None, outcome)
}
