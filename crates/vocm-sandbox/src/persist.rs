//! The account on disk: one JSON file, reloaded on start and replaced
//! atomically (a temporary file, fsync, rename) after changes and on
//! shutdown, so that a crash leaves the old file or the new one, never half
//! of one.

use std::fs;
use std::io::{self, Write as _};
use std::path::Path;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use vocm_api::{Collection, Operation};

use super::account::Account;
use super::licenses::Inventory;

/// The file's format, checked on load.
const FORMAT: &str = "vocm-sandbox/1";

#[derive(Deserialize)]
struct Saved {
    format: String,
    #[serde(default)]
    licenses: Inventory,
    /// By `resourceType`, oldest first.
    #[serde(default)]
    resources: IndexMap<String, Vec<Value>>,
    #[serde(default)]
    operations: Vec<Operation>,
}

#[derive(Serialize)]
struct SavedRef<'a> {
    format: &'static str,
    licenses: &'a Inventory,
    resources: IndexMap<&'static str, Vec<&'a Value>>,
    operations: Vec<&'a Operation>,
}

/// Reads a saved account; a missing or empty file is a new account.
pub fn load(path: &Path) -> Result<(Account, Vec<Operation>), String> {
    let text = match fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    if text.trim().is_empty() {
        return Ok((Account::default(), Vec::new()));
    }
    let saved: Saved = serde_json::from_str(&text)
        .map_err(|e| format!("{} is not a sandbox account: {e}", path.display()))?;
    if saved.format != FORMAT {
        return Err(format!(
            "{} has format `{}`, not `{FORMAT}`",
            path.display(),
            saved.format
        ));
    }
    let mut account = Account::default();
    account.inventory = saved.licenses;
    for (kind, values) in saved.resources {
        let c = Collection::ALL
            .into_iter()
            .find(|c| c.resource_type() == kind && *c != Collection::Licenses)
            .ok_or_else(|| format!("{}: unknown resource type `{kind}`", path.display()))?;
        for v in values {
            let id = Account::id_of(c, &v)
                .ok_or_else(|| format!("{}: a {kind} resource has no id", path.display()))?;
            account.put(c, id, v);
        }
    }
    Ok((account, saved.operations))
}

/// The account and its operations as the file holds them.
///
/// # Errors
/// When they cannot be serialized: the file on disk is then left as it
/// is, never replaced by an empty one.
pub fn snapshot<'a>(
    account: &Account,
    operations: impl Iterator<Item = &'a Operation>,
) -> Result<Vec<u8>, serde_json::Error> {
    let resources = Collection::ALL
        .into_iter()
        .filter(|c| *c != Collection::Licenses)
        .map(|c| (c.resource_type(), account.values(c).collect::<Vec<_>>()))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    let saved = SavedRef {
        format: FORMAT,
        licenses: &account.inventory,
        resources,
        operations: operations.collect(),
    };
    serde_json::to_vec(&saved)
}

/// Replaces the file at `path` with `bytes`, atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::other("the data path has no file name"))?;
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(name);
    temp_name.push(".tmp");
    let temp = path.with_file_name(temp_name);
    let mut file = fs::File::create(&temp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    fs::rename(&temp, path)?;
    // The rename itself is durable once the directory is synced; where a
    // directory cannot be opened (Windows), the rename is all there is.
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && let Ok(d) = fs::File::open(dir)
    {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn saves_and_loads_an_account() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sandbox.json");
        let (empty, _) = load(&path).unwrap();
        assert_eq!(empty.len(Collection::Users), 0);
        let mut account = Account::default();
        account.put(
            Collection::Users,
            "u1".into(),
            json!({"basicInfo": {"userId": "u1", "userName": "a"}, "extra": [1]}),
        );
        account.inventory = Inventory::parse("X2=3").unwrap();
        write_atomic(&path, &snapshot(&account, std::iter::empty()).unwrap()).unwrap();
        let (back, ops) = load(&path).unwrap();
        assert_eq!(
            back.get(Collection::Users, "u1"),
            account.get(Collection::Users, "u1")
        );
        assert_eq!(back.inventory.total("X2"), Some(3));
        assert!(ops.is_empty());
        fs::write(&path, "{").unwrap();
        assert!(load(&path).is_err());
    }
}
