//! The local provider: the account kept in one JSON file (documented in
//! docs/state-format.md). It is vocm's embedded default, so that plan and
//! apply work with no server and no account.
//!
//! - Writes are atomic: a new state is written to a temporary file, synced
//!   and renamed over the old one.
//! - An apply appends each applied change to a journal (`STATE.journal`)
//!   instead of rewriting the whole file per change, and compacts once at
//!   the end. A reader replays a journal left by an interrupted apply, so
//!   the state always holds exactly what was applied.
//! - An apply holds an OS lock on `STATE.lock` for its duration. The kernel
//!   releases it when the process dies, so a killed apply never blocks the
//!   next one; a live one is named in the refusal.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};

use super::{
    Applied, AudioStore, Provider, ProviderError, ProviderInfo, Session, SessionOptions, Snapshot,
};
use crate::account::{Account, Kind, Resource, ResourceId};
use crate::diagnostics::Code;
use crate::plan::{Action, Change};
use crate::util::hex;

/// The state file's format version.
pub const STATE_FORMAT: u32 = 1;

/// The state file as stored.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateFile {
    /// Format version: 1.
    pub vocm_state: u32,
    /// Incremented by every write; journal entries name the serial they
    /// apply to.
    #[serde(default)]
    pub serial: u64,
    /// Licenses the account owns by type; absent does not limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licenses: Option<BTreeMap<String, u32>>,
    #[serde(default)]
    pub account: Account,
    /// Audio content by SHA-256, base64.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub audio: BTreeMap<String, String>,
}

/// One applied change, as the journal records it.
#[derive(Debug, Serialize, Deserialize)]
struct JournalEntry {
    serial: u64,
    id: ResourceId,
    after: Option<Resource>,
    /// The key the resource had, for a rename: removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    moved_from: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    audio: BTreeMap<String, String>,
}

impl JournalEntry {
    /// Makes the change in `account` (the audio is the caller's).
    fn record(&mut self, account: &mut crate::account::Account) {
        if let Some(old) = &self.moved_from {
            account.set(&ResourceId::new(self.id.kind, old), None);
        }
        account.set(&self.id, self.after.take());
    }
}

/// The account in a JSON file.
#[derive(Debug, Clone)]
pub struct LocalProvider {
    path: PathBuf,
}

impl LocalProvider {
    #[must_use]
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    fn journal_path(&self) -> PathBuf {
        crate::util::sibling(&self.path, "journal")
    }

    fn lock_path(&self) -> PathBuf {
        crate::util::sibling(&self.path, "lock")
    }

    /// The state, with any journal left by an interrupted apply replayed,
    /// and its fingerprint: the hash of the bytes read. Any write changes
    /// it, which is what a saved plan must detect; hashing bytes costs far
    /// less than serialising the account again.
    fn load(&self) -> Result<(StateFile, String), ProviderError> {
        use sha2::Digest as _;
        let mut hasher = sha2::Sha256::new();
        let mut state = match std::fs::read(&self.path) {
            Ok(bytes) => {
                hasher.update(&bytes);
                parse_state(&self.path, &bytes)?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => StateFile {
                vocm_state: STATE_FORMAT,
                ..StateFile::default()
            },
            Err(e) => {
                return Err(ProviderError::new(
                    Code::StateInvalid,
                    format!("cannot read the state file {}: {e}", self.path.display()),
                    "check that the path is readable",
                ));
            }
        };
        let journal = replay(&self.journal_path(), &mut state)?;
        hasher.update([0]);
        hasher.update(&journal);
        Ok((state, format!("sha256:{}", hex(&hasher.finalize()))))
    }
}

fn parse_state(path: &Path, bytes: &[u8]) -> Result<StateFile, ProviderError> {
    // The fast reader refuses anything it cannot read; the plain one then
    // says exactly where the document is wrong.
    let fast = super::state_codec::read(bytes).map(Ok);
    let state: StateFile = fast.unwrap_or_else(|| serde_json::from_slice(bytes)).map_err(|e| {
        ProviderError::new(Code::StateInvalid,
            format!(
                "the state file {}:{}:{} is not a valid vocm state: {e}",
                path.display(),
                e.line(),
                e.column()
            ),
            "restore it from version control or a backup; docs/state-format.md describes the format",
        )
    })?;
    if state.vocm_state != STATE_FORMAT {
        return Err(ProviderError::new(
            Code::StateInvalid,
            format!(
                "the state file {} has format version {}; this vocm reads version {STATE_FORMAT}",
                path.display(),
                state.vocm_state
            ),
            "use the vocm release that wrote it",
        ));
    }
    Ok(state)
}

/// Applies journal entries written against this state's serial. A torn
/// last line (the process died while writing it) is ignored: that change
/// was not applied. Returns the journal's bytes (empty when there is none).
fn replay(journal: &Path, state: &mut StateFile) -> Result<Vec<u8>, ProviderError> {
    let bytes = match std::fs::read(journal) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => {
            return Err(ProviderError::new(
                Code::StateInvalid,
                format!("cannot read the journal {}: {e}", journal.display()),
                "check that the path is readable",
            ));
        }
    };
    for line in bytes.split(|b| *b == b'\n') {
        let Ok(mut entry) = serde_json::from_slice::<JournalEntry>(line) else {
            break;
        };
        if entry.serial != state.serial {
            continue;
        }
        entry.record(&mut state.account);
        state.audio.extend(entry.audio);
    }
    Ok(bytes)
}

impl Provider for LocalProvider {
    fn info(&self) -> ProviderInfo {
        ProviderInfo {
            kind: "local".into(),
            endpoint: absolute(&self.path).display().to_string(),
        }
    }

    fn capabilities(&self) -> Result<super::Capabilities, ProviderError> {
        Ok(super::Capabilities::everything("the local state"))
    }

    fn snapshot(&self) -> Result<Snapshot, ProviderError> {
        let (state, fingerprint) = self.load()?;
        Ok(Snapshot {
            account: state.account,
            fingerprint,
            licenses: state.licenses,
        })
    }

    fn session(&self, options: &SessionOptions) -> Result<Box<dyn Session + '_>, ProviderError> {
        let notice = |line: &str| {
            if let Some(n) = &options.notice {
                n(line);
            }
        };
        let lock = acquire_lock(&self.lock_path(), options.lock_timeout, &notice)?;
        let (state, fingerprint) = self.load()?;
        let journal = OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.journal_path())
            .map_err(|e| {
                ProviderError::new(
                    Code::StateWrite,
                    format!(
                        "cannot write the journal {}: {e}",
                        self.journal_path().display()
                    ),
                    "check that the state file's directory is writable",
                )
            })?;
        Ok(Box::new(LocalSession {
            provider: self,
            lock,
            fingerprint,
            inner: Mutex::new(Inner { state, journal }),
        }))
    }

    fn audio(&self, sha256: &str) -> Result<Option<Vec<u8>>, ProviderError> {
        let (state, _) = self.load()?;
        Ok(state.audio.get(sha256).and_then(|b| B64.decode(b).ok()))
    }
}

/// The path made absolute without requiring it to exist.
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_owned())
}

/// Who holds the lock, as written into the lock file.
#[derive(Debug, Serialize, Deserialize)]
struct LockOwner {
    pid: u32,
    command: String,
    started_unix: u64,
}

impl LockOwner {
    /// "pid 4242 (`vocm apply`, started at 2026-11-30T10:00:00Z)".
    fn describe(&self) -> String {
        let since = UNIX_EPOCH + Duration::from_secs(self.started_unix);
        format!(
            "pid {} (`{}`, started at {})",
            self.pid,
            self.command,
            humantime::format_rfc3339_seconds(since)
        )
    }
}

fn acquire_lock(
    path: &Path,
    timeout: Duration,
    notice: &dyn Fn(&str),
) -> Result<File, ProviderError> {
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(path)
        .map_err(|e| {
            ProviderError::new(
                Code::StateWrite,
                format!("cannot open the lock file {}: {e}", path.display()),
                "check that the state file's directory is writable",
            )
        })?;
    let deadline = Instant::now() + timeout;
    let mut waiting = false;
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(std::fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                if !waiting {
                    // Said once: a wait of minutes must not look like a hang.
                    waiting = true;
                    let who = read_owner(path)
                        .map_or_else(|| "another vocm process".to_owned(), |o| o.describe());
                    notice(&format!(
                        "waiting up to {} for the state's lock, held by {who}",
                        humantime::format_duration(timeout)
                    ));
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                let owner = read_owner(path);
                let who = owner.map_or_else(|| "another vocm process".to_owned(), |o| o.describe());
                let waited = if timeout.is_zero() {
                    String::new()
                } else {
                    format!(" after waiting {} s", timeout.as_secs())
                };
                return Err(ProviderError::new(
                    Code::StateLocked,
                    format!("the state is locked by {who}{waited}: another apply is running"),
                    "wait for it to finish, or pass --lock-timeout 10m to wait for it",
                ));
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(ProviderError::new(
                    Code::StateLocked,
                    format!("cannot lock {}: {e}", path.display()),
                    "check that the file system supports locks",
                ));
            }
        }
    }
    // A holder empties the file when its session ends: an owner still
    // written there is one that died holding the lock (the OS released it).
    if let Some(dead) = std::fs::read_to_string(path)
        .ok()
        .and_then(|s| serde_json::from_str::<LockOwner>(&s).ok())
    {
        notice(&format!(
            "reclaimed the state's lock left by {}, which ended without releasing it",
            dead.describe()
        ));
    }
    let owner = LockOwner {
        pid: std::process::id(),
        command: std::env::args().collect::<Vec<_>>().join(" "),
        started_unix: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
    };
    let mut f = &file;
    let _ = f.set_len(0);
    let _ = f.write_all(serde_json::to_string(&owner).unwrap_or_default().as_bytes());
    let _ = f.flush();
    Ok(file)
}

/// Who holds the lock. The holder writes itself into the file just after
/// taking the lock, so a refusal in that instant may find it empty: a few
/// short retries name the holder instead of "another vocm process".
fn read_owner(path: &Path) -> Option<LockOwner> {
    for attempt in 0..10 {
        if attempt > 0 {
            std::thread::sleep(Duration::from_millis(20));
        }
        let owner = std::fs::read_to_string(path)
            .ok()
            .and_then(|s| serde_json::from_str::<LockOwner>(&s).ok());
        if owner.is_some() {
            return owner;
        }
    }
    None
}

struct Inner {
    state: StateFile,
    journal: File,
}

struct LocalSession<'a> {
    provider: &'a LocalProvider,
    /// Held for the session; closing the file releases the OS lock.
    lock: File,
    /// The fingerprint of the state as the session found it.
    fingerprint: String,
    inner: Mutex<Inner>,
}

impl Drop for LocalSession<'_> {
    /// Empties the lock file before the lock goes: an owner left in it
    /// means a process that died holding the lock.
    fn drop(&mut self) {
        let _ = self.lock.set_len(0);
    }
}

impl LocalSession<'_> {
    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Checks that a change still fits the state: what a real API would refuse.
fn check(state: &StateFile, change: &Change) -> Result<(), ProviderError> {
    let exists = state.account.get(&change.id).is_some();
    let conflict = |what: &str| {
        Err(ProviderError::new(
            Code::ApplyConflict,
            format!("{} {what}", change.id),
            "the account changed since the plan was made: plan again",
        ))
    };
    if let Some(old) = change.old_id()
        && state.account.get(&old).is_none()
    {
        return Err(ProviderError::new(
            Code::ApplyConflict,
            format!("{old} does not exist to become {}", change.id),
            "the account changed since the plan was made: plan again",
        ));
    }
    match change.action {
        Action::Rename if exists => conflict("already exists"),
        Action::Create if exists && change.id.kind != Kind::Account => conflict("already exists"),
        Action::Update | Action::Delete if !exists => conflict("does not exist"),
        Action::Replace if !exists && change.moved_from.is_none() => conflict("does not exist"),
        Action::Delete if change.id.kind == Kind::PhoneNumber => Err(ProviderError::new(
            Code::ApplyConflict,
            format!("{} would be released", change.id),
            "vocm never releases a number",
        )),
        _ => Ok(()),
    }
}

impl Session for LocalSession<'_> {
    fn snapshot(&self) -> Result<Snapshot, ProviderError> {
        let inner = self.inner();
        Ok(Snapshot {
            account: inner.state.account.clone(),
            fingerprint: self.fingerprint.clone(),
            licenses: inner.state.licenses.clone(),
        })
    }

    fn apply(&self, change: &Change, audio: &AudioStore) -> Result<Applied, ProviderError> {
        let mut inner = self.inner();
        check(&inner.state, change)?;
        let mut new_audio = BTreeMap::new();
        if let Some(Resource::AudioFile(a)) = change.after.as_deref()
            && !inner.state.audio.contains_key(&a.sha256)
        {
            let bytes = audio.get(&a.sha256).ok_or_else(|| {
                ProviderError::new(
                    Code::ApplyConflict,
                    format!("the content of {} is missing from the plan", change.id),
                    "plan again",
                )
            })?;
            new_audio.insert(a.sha256.clone(), B64.encode(bytes));
        }
        let entry = JournalEntry {
            serial: inner.state.serial,
            id: change.id.clone(),
            after: change.after.as_deref().cloned(),
            moved_from: change.moved_from.clone(),
            audio: new_audio,
        };
        let mut line = serde_json::to_string(&entry).map_err(|e| {
            ProviderError::new(
                Code::StateWrite,
                format!("cannot record {}: {e}", change.id),
                "report this as a bug",
            )
        })?;
        line.push('\n');
        // One write per entry: a process killed mid-apply leaves whole lines
        // (and at worst one torn last line, which replay ignores).
        inner.journal.write_all(line.as_bytes()).map_err(|e| {
            ProviderError::new(
                Code::StateWrite,
                format!("cannot write the journal: {e}"),
                "check the disk space and permissions of the state file's directory",
            )
        })?;
        let mut entry = entry;
        entry.record(&mut inner.state.account);
        inner.state.audio.extend(entry.audio);
        Ok(Applied::default())
    }

    fn finish(self: Box<Self>) -> Result<(), ProviderError> {
        let mut inner = self.inner();
        let Inner { state, journal } = &mut *inner;
        let _ = journal.sync_all();
        // Keep only the audio content the account still uses.
        let used: std::collections::HashSet<&String> = state
            .account
            .audio_files
            .values()
            .map(|a| &a.sha256)
            .collect();
        state.audio.retain(|sha, _| used.contains(sha));
        state.serial += 1;
        state.vocm_state = STATE_FORMAT;
        // Streamed to the file: a large account's text is never held whole.
        crate::util::write_atomically_with(&self.provider.path, &mut |w| {
            super::state_codec::write(state, w)
        })
        .map_err(|e| {
            ProviderError::new(
                Code::StateWrite,
                format!(
                    "cannot write the state file {}: {e}",
                    self.provider.path.display()
                ),
                "the journal keeps what was applied; fix the cause and run vocm again",
            )
        })?;
        // The state now holds the journal's entries; an entry naming the
        // old serial is ignored anyway, so a crash here loses nothing.
        let _ = std::fs::remove_file(self.provider.journal_path());
        Ok(())
    }
}

/// Writes a new state file holding `account` (for tests and examples).
pub fn write_state(
    path: &Path,
    account: &Account,
    licenses: Option<BTreeMap<String, u32>>,
    audio: &AudioStore,
) -> std::io::Result<()> {
    let state = StateFile {
        vocm_state: STATE_FORMAT,
        serial: 1,
        licenses,
        account: account.clone(),
        audio: audio
            .iter()
            .map(|(k, v)| (k.clone(), B64.encode(v)))
            .collect(),
    };
    crate::util::write_atomically_with(path, &mut |w| super::state_codec::write(&state, w))
}
