//! The boundaries docs/architecture.md draws, checked: no import cycle
//! between the top-level modules of the CLI or of the engine, the pure
//! layers of the engine import no provider, and the sandbox depends on the
//! API's wire contract alone.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The Rust files of a module: `name.rs`, or every file under `name/`.
fn files(path: &Path) -> Vec<PathBuf> {
    if path.is_file() {
        return vec![path.to_owned()];
    }
    let mut out = Vec::new();
    for e in std::fs::read_dir(path).unwrap() {
        out.extend(files(&e.unwrap().path()));
    }
    out
}

/// The code of a file without its unit tests (which may reach anywhere).
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    if path
        .file_stem()
        .is_some_and(|s| s.to_string_lossy().ends_with("tests"))
    {
        return String::new();
    }
    match text.find("#[cfg(test)]\nmod tests {") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

/// Top-level module → the top-level modules it names with `crate::`
/// (in paths and in `use crate::{a, b::c}` groups).
fn graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut modules = BTreeMap::new();
    for e in std::fs::read_dir(src).unwrap() {
        let path = e.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if matches!(name.as_str(), "lib" | "main") {
            continue;
        }
        let mut deps = BTreeSet::new();
        for f in files(&path) {
            let text = code(&f);
            for (i, _) in text.match_indices("crate::") {
                let rest = &text[i + "crate::".len()..];
                if let Some(group) = rest.strip_prefix('{') {
                    let group = &group[..group.find('}').unwrap_or(group.len())];
                    for item in group.split(',') {
                        let head = item.trim().split("::").next().unwrap_or("");
                        if !head.is_empty()
                            && head.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                        {
                            deps.insert(head.to_owned());
                        }
                    }
                } else {
                    let head: String = rest
                        .chars()
                        .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                        .collect();
                    if !head.is_empty() {
                        deps.insert(head);
                    }
                }
            }
        }
        deps.remove(&name);
        modules.insert(name, deps);
    }
    modules
}

/// A cycle of the graph, if it has one (depth-first search).
fn cycle(g: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        g: &BTreeMap<String, BTreeSet<String>>,
        node: &str,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = stack.iter().position(|n| n == node) {
            let mut c = stack[i..].to_vec();
            c.push(node.to_owned());
            return Some(c);
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node.to_owned());
        for next in g.get(node).into_iter().flatten() {
            if g.contains_key(next)
                && let Some(c) = visit(g, next, stack, done)
            {
                return Some(c);
            }
        }
        stack.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    g.keys()
        .find_map(|n| visit(g, n, &mut Vec::new(), &mut done))
}

#[test]
fn the_engine_has_no_import_cycle() {
    let g = graph(&root().join("crates/vocm-core/src"));
    assert!(
        g.contains_key("plan") && g.contains_key("provider"),
        "{g:?}"
    );
    assert_eq!(cycle(&g), None, "{g:#?}");
}

#[test]
fn the_cli_has_no_import_cycle() {
    let g = graph(&root().join("src"));
    assert!(g.contains_key("cli") && g.contains_key("commands"), "{g:?}");
    assert_eq!(cycle(&g), None, "{g:#?}");
}

#[test]
fn the_checker_finds_a_cycle() {
    let g: BTreeMap<String, BTreeSet<String>> =
        [("a", vec!["b"]), ("b", vec!["c"]), ("c", vec!["a"])]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.into_iter().map(str::to_owned).collect()))
            .collect();
    assert_eq!(cycle(&g).unwrap(), ["a", "b", "c", "a"]);
}

#[test]
fn pure_layers_import_no_provider_and_do_no_io() {
    let g = graph(&root().join("crates/vocm-core/src"));
    for pure in ["model", "validate", "plan", "render", "route", "account"] {
        let deps = &g[pure];
        assert!(
            !deps.contains("provider"),
            "{pure} imports provider: {deps:?}"
        );
        assert!(!deps.contains("engine"), "{pure} imports engine: {deps:?}");
    }
    // Renderers and the planner print nothing: printing is the CLI's.
    for pure in ["plan", "render", "route", "engine"] {
        let src = root().join("crates/vocm-core/src");
        let dir = src.join(pure);
        let module = if dir.is_dir() {
            dir
        } else {
            src.join(format!("{pure}.rs"))
        };
        for f in files(&module) {
            let text = code(&f);
            for call in ["println!", "eprintln!", "print!(", "eprint!("] {
                assert!(!text.contains(call), "{} prints ({call})", f.display());
            }
        }
    }
}

#[test]
fn the_sandbox_depends_on_the_wire_contract_alone() {
    let manifest = std::fs::read_to_string(root().join("crates/vocm-sandbox/Cargo.toml")).unwrap();
    let deps = &manifest[manifest.find("[dependencies]").unwrap()..];
    let deps = &deps[..deps.find("\n[dev-dependencies]").unwrap_or(deps.len())];
    let ours: Vec<&str> = deps
        .lines()
        .filter_map(|l| l.split(['.', ' ', '=']).next())
        .filter(|n| n.starts_with("vocm"))
        .collect();
    assert_eq!(ours, ["vocm-api"]);
}

#[test]
fn the_cli_binary_does_not_link_the_server() {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let package = &manifest[manifest.find("[package]").unwrap()..];
    let deps = &package[package.find("[dependencies]").unwrap()..];
    let deps = &deps[..deps.find("\n[dev-dependencies]").unwrap()];
    for server in ["axum", "tokio", "vocm-sandbox"] {
        assert!(
            !deps.lines().any(|l| l.starts_with(server)),
            "the vocm package depends on {server}"
        );
    }
}
