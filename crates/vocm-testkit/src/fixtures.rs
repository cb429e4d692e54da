//! The repository's bundled example, copied where a test can change it.

use std::path::{Path, PathBuf};

/// The root of the repository (the `vocm` package).
#[must_use]
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Copies `examples/acme/` to `to`, and makes one Lyon user set outbound
/// calling that the site overrides: a validation warning
/// (`vocm::outbound::overridden`) on every run, and nothing else changed.
///
/// # Panics
/// When the copy fails (a test fails loudly).
pub fn acme_with_a_warning(to: &Path) {
    let copy = std::process::Command::new("cp")
        .arg("-r")
        .arg(repo_root().join("examples/acme"))
        .arg(to)
        .status()
        .expect("cp runs");
    assert!(copy.success(), "copying examples/acme");
    let lyon = to.join("users/lyon.yaml");
    let text = std::fs::read_to_string(&lyon).expect("users/lyon.yaml").replacen(
        "    device: lyon-desk-01\n",
        "    device: lyon-desk-01\n    outbound_calling:\n      country: FR\n      scope: international\n",
        1,
    );
    std::fs::write(&lyon, text).expect("users/lyon.yaml is writable");
}
