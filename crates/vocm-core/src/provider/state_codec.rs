//! Reading and writing the local state file fast: the file is the
//! account's copy of record, read by every plan, so its cost grows with the
//! account (13 MB for 10,000 users).
//!
//! - **Writing** puts one resource per line, compact (`"alice":{…}`), in
//!   place of pretty-printed JSON: 40 % fewer bytes to write, hash and
//!   scan, and a diff of two states still shows one line per changed
//!   resource. It is the same JSON document, format 1: every reader of
//!   either layout reads both.
//! - **Reading** first scans the document without building anything but
//!   the large sections' entries as borrowed slices of the text, then types
//!   those entries on every core. A document this fast path does not take
//!   (anything invalid) is read again by the plain reader, whose error
//!   names the exact line and column.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Write};

use serde::de::{DeserializeOwned, IntoDeserializer, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::value::RawValue;

use super::local::StateFile;
use crate::account::{Account, AccountSettings};

/// The state file's top level, its account left as borrowed sections.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Skeleton<'a> {
    vocm_state: u32,
    #[serde(default)]
    serial: u64,
    #[serde(default)]
    licenses: Option<BTreeMap<String, u32>>,
    #[serde(default, borrow)]
    account: Option<Sections<'a>>,
    #[serde(default)]
    audio: BTreeMap<String, String>,
}

/// [`Account`]'s fields, each map as its entries' text.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Sections<'a> {
    #[serde(default)]
    settings: Option<AccountSettings>,
    #[serde(default, borrow)]
    addresses: Entries<'a>,
    #[serde(default, borrow)]
    sites: Entries<'a>,
    #[serde(default, borrow)]
    phone_numbers: Entries<'a>,
    #[serde(default, borrow)]
    devices: Entries<'a>,
    #[serde(default, borrow)]
    audio_files: Entries<'a>,
    #[serde(default, borrow)]
    ring_groups: Entries<'a>,
    #[serde(default, borrow)]
    auto_attendants: Entries<'a>,
    #[serde(default, borrow)]
    users: Entries<'a>,
}

/// A JSON object's entries, values untyped (slices of the text).
#[derive(Default)]
struct Entries<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for Entries<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Entries<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
                let mut out = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some((Key(k), v)) = map.next_entry::<Key<'de>, &'de RawValue>()? {
                    out.push((k, v));
                }
                Ok(Entries(out))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

/// A key, borrowed from the text unless it has escapes (serde's own
/// `Cow<str>` always copies).
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_str(V)
    }
}

/// Types a section's entries, on every core for a large section. Scoped
/// threads rather than rayon's pool: `plan` reads the state while rayon's
/// threads validate the manifests, and work queued behind them would wait
/// for the whole validation. `None` on any error: the plain reader then
/// finds it and says where.
fn typed<K, T>(entries: &Entries<'_>) -> Option<BTreeMap<K, T>>
where
    K: DeserializeOwned + Ord + Send,
    T: DeserializeOwned + Send,
{
    fn one<K: DeserializeOwned, T: DeserializeOwned>(
        (k, v): &(Cow<'_, str>, &RawValue),
    ) -> Option<(K, T)> {
        let de = IntoDeserializer::<serde::de::value::Error>::into_deserializer(k.as_ref());
        Some((
            K::deserialize(de).ok()?,
            serde_json::from_str(v.get()).ok()?,
        ))
    }
    const PER_THREAD: usize = 2_000;
    let entries = &entries.0;
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(entries.len() / PER_THREAD)
        .max(1);
    let pairs: Vec<(K, T)> = if threads == 1 {
        entries.iter().map(one).collect::<Option<_>>()?
    } else {
        let chunk = entries.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let mut parts = entries.chunks(chunk);
            let first = parts.next().unwrap_or_default();
            let others: Vec<_> = parts
                .map(|part| scope.spawn(move || part.iter().map(one).collect::<Option<Vec<_>>>()))
                .collect();
            let mut all: Vec<(K, T)> = first.iter().map(one).collect::<Option<_>>()?;
            for other in others {
                all.extend(other.join().ok()??);
            }
            Some(all)
        })?
    };
    // Written sorted, so building the map is linear (and a later
    // duplicate wins, as with a map read directly).
    Some(pairs.into_iter().collect())
}

/// The fast path: `None` when the document is not a valid state file.
pub(super) fn read(bytes: &[u8]) -> Option<StateFile> {
    let text = std::str::from_utf8(bytes).ok()?;
    let skeleton: Skeleton<'_> = serde_json::from_str(text).ok()?;
    let account = match skeleton.account {
        None => Account::default(),
        Some(s) => Account {
            settings: s.settings,
            addresses: typed(&s.addresses)?,
            sites: typed(&s.sites)?,
            phone_numbers: typed(&s.phone_numbers)?,
            devices: typed(&s.devices)?,
            audio_files: typed(&s.audio_files)?,
            ring_groups: typed(&s.ring_groups)?,
            auto_attendants: typed(&s.auto_attendants)?,
            users: typed(&s.users)?,
        },
    };
    Some(StateFile {
        vocm_state: skeleton.vocm_state,
        serial: skeleton.serial,
        licenses: skeleton.licenses,
        account,
        audio: skeleton.audio,
    })
}

/// Writes `state` as one JSON document, one resource per line.
///
/// # Errors
/// When `w` fails, or a value cannot be serialised.
pub(super) fn write(state: &StateFile, w: &mut dyn Write) -> io::Result<()> {
    let mut w = io::BufWriter::with_capacity(1 << 16, w);
    write!(
        w,
        "{{\"vocm_state\":{},\"serial\":{}",
        state.vocm_state, state.serial
    )?;
    if let Some(licenses) = &state.licenses {
        w.write_all(b",\"licenses\":")?;
        json(&mut w, licenses)?;
    }
    w.write_all(b",\n\"account\":{")?;
    let a = &state.account;
    let mut first = true;
    if let Some(settings) = &a.settings {
        w.write_all(b"\n\"settings\":")?;
        json(&mut w, settings)?;
        first = false;
    }
    section(&mut w, &mut first, "addresses", &a.addresses)?;
    section(&mut w, &mut first, "sites", &a.sites)?;
    section(&mut w, &mut first, "phone_numbers", &a.phone_numbers)?;
    section(&mut w, &mut first, "devices", &a.devices)?;
    section(&mut w, &mut first, "audio_files", &a.audio_files)?;
    section(&mut w, &mut first, "ring_groups", &a.ring_groups)?;
    section(&mut w, &mut first, "auto_attendants", &a.auto_attendants)?;
    section(&mut w, &mut first, "users", &a.users)?;
    w.write_all(b"}")?;
    if state.audio.is_empty() {
        w.write_all(b"}\n")?;
    } else {
        let mut first = true;
        w.write_all(b",")?;
        section(&mut w, &mut first, "audio", &state.audio)?;
        w.write_all(b"\n}\n")?;
    }
    w.flush()
}

fn json(w: &mut impl Write, value: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer(w, value).map_err(io::Error::other)
}

/// `"name":{` then one `"key":value` line per entry, then `}`; nothing for
/// an empty map (as the account's serialisation skips them).
fn section<K: Serialize, V: Serialize>(
    w: &mut impl Write,
    first: &mut bool,
    name: &str,
    map: &BTreeMap<K, V>,
) -> io::Result<()> {
    if map.is_empty() {
        return Ok(());
    }
    if !std::mem::take(first) {
        w.write_all(b",")?;
    }
    write!(w, "\n\"{name}\":{{")?;
    for (i, (k, v)) in map.iter().enumerate() {
        w.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        json(w, k)?;
        w.write_all(b":")?;
        json(w, v)?;
    }
    w.write_all(b"\n}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acme() -> StateFile {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/acme.state.json"
        );
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    }

    fn written(state: &StateFile) -> Vec<u8> {
        let mut out = Vec::new();
        write(state, &mut out).unwrap();
        out
    }

    #[test]
    fn the_bundled_pretty_state_reads_the_same_on_both_paths() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/acme.state.json"
        );
        let bytes = std::fs::read(path).unwrap();
        let plain: StateFile = serde_json::from_slice(&bytes).unwrap();
        let fast = read(&bytes).unwrap();
        assert_eq!(fast.account, plain.account);
        assert_eq!(fast.licenses, plain.licenses);
        assert_eq!(fast.audio, plain.audio);
        assert_eq!(
            (fast.vocm_state, fast.serial),
            (plain.vocm_state, plain.serial)
        );
    }

    #[test]
    fn the_written_layout_is_the_same_json_one_resource_per_line() {
        let state = acme();
        let bytes = written(&state);
        let as_json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(as_json, serde_json::to_value(&state).unwrap());
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(!state.account.users.is_empty());
        for key in state.account.users.keys() {
            let line = format!("{}:{{", serde_json::to_string(key).unwrap());
            let lines: Vec<&str> = text.lines().filter(|l| l.starts_with(&line)).collect();
            assert_eq!(lines.len(), 1, "{key}: {text}");
            assert!(
                lines[0].ends_with('}') || lines[0].ends_with("},"),
                "{}",
                lines[0]
            );
        }
        let back = read(&bytes).unwrap();
        assert_eq!(back.account, state.account);
        assert_eq!(back.audio, state.audio);
        assert_eq!(back.licenses, state.licenses);
    }

    #[test]
    fn an_empty_state_writes_and_reads_back() {
        let state = StateFile {
            vocm_state: 1,
            ..StateFile::default()
        };
        let bytes = written(&state);
        assert_eq!(bytes, b"{\"vocm_state\":1,\"serial\":0,\n\"account\":{}}\n");
        let back = read(&bytes).unwrap();
        assert_eq!(back.account, Account::default());
    }

    #[test]
    fn what_the_fast_path_refuses_is_left_to_the_plain_reader() {
        for bad in [
            &b"{\"vocm_state\": 1, \"account\": [}"[..],
            b"{\"vocm_state\": 1, \"account\": {\"users\": {\"a\": {\"nope\": 1}}}}",
            b"{\"vocm_state\": 1, \"account\": {\"phone_numbers\": {\"33\": \"voice\"}}}",
            b"{\"vocm_state\": 1, \"surprise\": true}",
        ] {
            assert!(read(bad).is_none(), "{}", String::from_utf8_lossy(bad));
        }
    }
}
