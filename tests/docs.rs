//! docs/diagnostics.md lists every diagnostic code; this test keeps it in
//! step with the code (run with `UPDATE_DOCS=1` to rewrite it).

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::fmt::Write as _;

use vocm_core::diagnostics::Code;

fn expected() -> String {
    let mut s = String::from(
        "# Diagnostic codes\n\n\
         Every diagnostic vocm prints has one of these stable codes. A code keeps\n\
         its meaning once released, so CI scripts and editor integrations can\n\
         match on it. Each `tests/snapshots/diagnostics__diag_<area>-<what>.snap`\n\
         shows the code as a user sees it.\n\n\
         | code | meaning |\n|---|---|\n",
    );
    for code in Code::ALL {
        writeln!(s, "| `{}` | {} |", code.as_str(), code.summary()).unwrap();
    }
    s
}

#[test]
fn diagnostics_doc_lists_every_code() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/diagnostics.md");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, expected()).unwrap();
    }
    assert_eq!(
        std::fs::read_to_string(&path).unwrap_or_default(),
        expected(),
        "docs/diagnostics.md is stale: run `UPDATE_DOCS=1 cargo test --test docs`"
    );
}
