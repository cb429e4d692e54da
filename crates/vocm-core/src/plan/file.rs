//! The machine plan: what `plan -o FILE` saves and `apply FILE` applies,
//! and what `plan --format json` prints. docs/plan-format.md describes it;
//! `schemas/plan.schema.json` is its JSON Schema.

use std::collections::BTreeMap;
use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Change, MassDelete, Plan, Summary};
use crate::account::AudioStore;

/// Which provider, and which account of it: saved plans record it, and
/// applying a plan to another is refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ProviderInfo {
    /// `local` or `http`.
    pub kind: String,
    /// The state file (absolute path) or the API's base URL. Never a key.
    pub endpoint: String,
}

impl fmt::Display for ProviderInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} provider at {}", self.kind, self.endpoint)
    }
}

/// The format's version. A reader refuses other versions.
pub const FORMAT_VERSION: u32 = 1;

/// A plan, with what it was computed against.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "vocm plan")]
pub struct PlanFile {
    /// Always 1 for this format; how `apply` recognises a plan file.
    pub format_version: u32,
    /// The vocm that made the plan.
    pub vocm_version: String,
    /// The provider and account the plan is for; applying it elsewhere is
    /// refused. Never contains a key.
    pub provider: ProviderInfo,
    /// Fingerprint of the account the plan was computed against; a plan
    /// whose account has changed since is stale and refused.
    pub fingerprint: String,
    /// Counts, as the text plan's closing line.
    pub summary: Summary,
    /// Kinds the plan deletes more than 10 % of (and more than 2); `apply`
    /// refuses such a plan without `--allow-mass-delete`.
    pub mass_deletes: Vec<MassDelete>,
    /// The changes, in the order they are applied.
    pub changes: Vec<Change>,
    /// Where calls go before and after, for every number and extension
    /// whose path the plan changes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub call_paths: Vec<crate::route::PathChange>,
    /// Resources the manifests do not list, which stay (prune is off).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kept: Vec<super::Kept>,
    /// Content of the audio files the plan uploads, base64 by SHA-256.
    /// Saved plan files carry it; `--format json` output leaves it out.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub audio: BTreeMap<String, String>,
    /// The manifests' keys by natural identity (a site's name…), so that
    /// an API that keeps no manifest key names the account's resources as
    /// the plan did when the plan is applied.
    #[serde(
        default,
        skip_serializing_if = "crate::account::identity::Identities::is_empty"
    )]
    pub identities: crate::account::identity::Identities,
}

impl PlanFile {
    /// Wraps a plan with what it needs to be applied later.
    #[must_use]
    pub fn new(
        plan: &Plan,
        provider: ProviderInfo,
        fingerprint: String,
        mass_deletes: Vec<MassDelete>,
    ) -> Self {
        Self {
            format_version: FORMAT_VERSION,
            vocm_version: env!("CARGO_PKG_VERSION").to_owned(),
            provider,
            fingerprint,
            summary: plan.summary(),
            mass_deletes,
            changes: plan.changes.clone(),
            call_paths: Vec::new(),
            kept: plan.kept.clone(),
            audio: BTreeMap::new(),
            identities: crate::account::identity::Identities::default(),
        }
    }

    /// The machine plan of `plan` and its call paths, taking them: an apply
    /// from nothing of 100,000 users is 300,000 changes, not to be held
    /// twice.
    #[must_use]
    pub fn from_plan(
        plan: Plan,
        call_paths: Vec<crate::route::PathChange>,
        provider: ProviderInfo,
        fingerprint: String,
        mass_deletes: Vec<MassDelete>,
    ) -> Self {
        let summary = plan.summary();
        Self {
            format_version: FORMAT_VERSION,
            vocm_version: env!("CARGO_PKG_VERSION").to_owned(),
            provider,
            fingerprint,
            summary,
            mass_deletes,
            changes: plan.changes,
            call_paths,
            kept: plan.kept,
            audio: BTreeMap::new(),
            identities: crate::account::identity::Identities::default(),
        }
    }

    /// Adds the content of every audio file the plan uploads.
    pub fn attach_audio(&mut self, store: &AudioStore) {
        for c in &self.changes {
            if let Some(crate::account::Resource::AudioFile(a)) = c.after.as_deref()
                && let Some(bytes) = store.get(&a.sha256)
            {
                self.audio.insert(a.sha256.clone(), B64.encode(bytes));
            }
        }
    }

    /// The audio content the plan carries.
    #[must_use]
    pub fn audio_store(&self) -> AudioStore {
        self.audio
            .iter()
            .filter_map(|(k, v)| B64.decode(v).ok().map(|b| (k.clone(), b)))
            .collect()
    }

    #[must_use]
    pub fn plan(&self) -> Plan {
        Plan {
            changes: self.changes.clone(),
            kept: self.kept.clone(),
        }
    }

    /// Reads a plan file; `None` when the bytes are not a plan file at all
    /// (so that `apply PATH` can treat them as manifests).
    ///
    /// # Errors
    /// A message when the bytes claim to be a plan but cannot be read.
    pub fn parse(bytes: &[u8]) -> Option<Result<Self, String>> {
        let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
        let version = value.get("format_version")?.as_u64()?;
        value.get("changes")?;
        if version != u64::from(FORMAT_VERSION) {
            return Some(Err(format!(
                "plan format version {version}; this vocm reads version {FORMAT_VERSION}"
            )));
        }
        let file: Self = match serde_json::from_value(value) {
            Ok(f) => f,
            Err(e) => return Some(Err(format!("not a valid plan file: {e}"))),
        };
        Some(file.check().map(|()| file))
    }

    /// What serde cannot check: every change depends only on changes
    /// before it (the order they are applied in), so that a hand-edited
    /// plan cannot send the executor out of bounds or round in circles.
    fn check(&self) -> Result<(), String> {
        for (i, c) in self.changes.iter().enumerate() {
            if let Some(d) = c.depends_on.iter().find(|&&d| d >= i) {
                return Err(format!(
                    "not a valid plan file: change {i} ({}) depends on change {d}, which is not applied before it",
                    c.id
                ));
            }
        }
        Ok(())
    }

    /// The plan file's bytes, as `plan -o` saves them.
    ///
    /// # Errors
    /// When the plan cannot be serialized; nothing is to be written then.
    pub fn to_bytes(&self) -> Result<Vec<u8>, serde_json::Error> {
        let mut bytes = serde_json::to_vec_pretty(self)?;
        bytes.push(b'\n');
        Ok(bytes)
    }

    /// [`PlanFile::to_bytes`], written to `w` as it is serialised.
    ///
    /// # Errors
    /// What writing returns; serialising a plan does not fail.
    pub fn write_to(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        use std::io::Write as _;
        let mut w = std::io::BufWriter::new(w);
        serde_json::to_writer_pretty(&mut w, self)?;
        w.write_all(b"\n")?;
        w.flush()
    }

    /// The JSON Schema of the format.
    #[must_use]
    pub fn schema() -> serde_json::Value {
        schemars::schema_for!(PlanFile).to_value()
    }
}

/// What every `Summary` means is what Terraform's closing line says.
impl Summary {
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.add + self.change + self.destroy == 0
    }
}
