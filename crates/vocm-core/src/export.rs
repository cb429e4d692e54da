//! The current account as manifests: what `vocm export` writes, so that an
//! administrator can adopt vocm for an account that already exists. The
//! manifests validate, and planned against the same account show no change.

use std::collections::BTreeMap;

use indexmap::IndexMap;

use crate::account::{Account, AutoAttendant, Forwarding, Menu, Schedule};
use crate::model::{
    self, AudioFile, Destination, Extension, ManifestFile, NumberSpec,
    forwarding::{DEFAULT_NO_ANSWER_SECONDS, DelayedDestination},
};

/// One file to write: its path relative to the output directory, and its
/// content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportFile {
    pub path: String,
    pub content: Vec<u8>,
}

fn extension(digits: &str) -> Extension {
    Extension::Digits(digits.to_owned())
}

/// Canonical forwarding → manifest forwarding, leaving out what is default.
fn forwarding(f: &Forwarding) -> model::Forwarding {
    let explicit = |d: &Destination| (*d != Destination::Voicemail).then(|| d.clone());
    let no_answer = if f.no_answer_seconds == DEFAULT_NO_ANSWER_SECONDS {
        explicit(&f.no_answer).map(model::NoAnswer::To)
    } else {
        Some(model::NoAnswer::Delayed(DelayedDestination {
            to: f.no_answer.clone(),
            after_seconds: f.no_answer_seconds,
        }))
    };
    model::Forwarding {
        always: f.always.clone(),
        busy: explicit(&f.busy),
        no_answer,
        unreachable: explicit(&f.unreachable),
    }
}

/// The manifests of an account, split into files as a person would.
/// `audio` gives the content of each audio file by SHA-256; `header` is a
/// comment put at the top of every file.
///
/// # Errors
/// A manifest that cannot be serialized (the file and why): nothing is
/// written then, rather than an empty file.
pub fn export(
    account: &Account,
    audio: &BTreeMap<String, Vec<u8>>,
    header: &str,
) -> Result<Vec<ExportFile>, String> {
    let mut files = Vec::new();
    let mut failure: Option<String> = None;
    let mut push = |path: &str, m: &ManifestFile| {
        let yaml = match serde_saphyr::to_string(m) {
            Ok(yaml) => yaml,
            Err(e) => {
                failure.get_or_insert_with(|| format!("{path}: {e}"));
                return;
            }
        };
        let mut content = String::new();
        for line in header.lines() {
            content.push_str("# ");
            content.push_str(line);
            content.push('\n');
        }
        content.push_str(&yaml);
        files.push(ExportFile {
            path: path.to_owned(),
            content: content.into_bytes(),
        });
    };

    let account_file = ManifestFile {
        version: Some(model::FORMAT_VERSION),
        account: account.settings.as_ref().map(|s| model::Account {
            pbx: s.pbx.clone(),
            country: s.country,
            extension_length: s.extension_length,
            outbound_calling: s.outbound_calling,
            prune: false,
        }),
        ..ManifestFile::default()
    };
    push("account.yaml", &account_file);

    let sites = ManifestFile {
        addresses: account
            .addresses
            .iter()
            .map(|(k, a)| (k.clone(), a.clone()))
            .collect(),
        sites: account
            .sites
            .iter()
            .map(|(k, s)| {
                (
                    k.clone(),
                    model::Site {
                        name: s.name.clone(),
                        address: s.address.clone(),
                        locale: s.locale,
                        timezone: s.timezone.clone(),
                        extension_range: s.extension_range.clone(),
                        main_number: s.main_number.clone(),
                        outbound_calling: s.outbound_calling,
                        user_defaults: None,
                    },
                )
            })
            .collect(),
        ..ManifestFile::default()
    };
    if !sites.addresses.is_empty() || !sites.sites.is_empty() {
        push("sites.yaml", &sites);
    }

    let numbers = ManifestFile {
        phone_numbers: account
            .phone_numbers
            .iter()
            .map(|(n, usage)| (n.to_string(), NumberSpec { usage: *usage }))
            .collect(),
        devices: account
            .devices
            .iter()
            .map(|(k, d)| (k.clone(), d.clone()))
            .collect(),
        ..ManifestFile::default()
    };
    if !numbers.phone_numbers.is_empty() || !numbers.devices.is_empty() {
        push("numbers-and-devices.yaml", &numbers);
    }

    let mut audio_files = IndexMap::new();
    let mut blobs = Vec::new();
    for (key, a) in &account.audio_files {
        let path = format!("audio/{key}.{}", a.format.extension());
        if let Some(bytes) = audio.get(&a.sha256) {
            blobs.push(ExportFile {
                path: path.clone(),
                content: bytes.clone(),
            });
        }
        audio_files.insert(key.clone(), AudioFile { file: path });
    }
    if !audio_files.is_empty() {
        push(
            "audio.yaml",
            &ManifestFile {
                audio_files,
                ..ManifestFile::default()
            },
        );
    }

    let (schedules, schedule_of) = schedules(account);
    let flows = ManifestFile {
        ring_groups: account
            .ring_groups
            .iter()
            .map(|(k, g)| {
                (
                    k.clone(),
                    model::RingGroup {
                        name: g.name.clone(),
                        site: Some(g.site.clone()),
                        extension: extension(&g.extension),
                        phone_numbers: g.phone_numbers.clone(),
                        members: g.members.clone(),
                        strategy: g.strategy,
                        ring_timeout_seconds: g.ring_timeout_seconds,
                        cycles: g.cycles,
                        forwarding: forwarding(&g.forwarding),
                    },
                )
            })
            .collect(),
        schedules,
        auto_attendants: account
            .auto_attendants
            .iter()
            .map(|(k, a)| {
                (
                    k.clone(),
                    model::AutoAttendant {
                        name: a.name.clone(),
                        site: Some(a.site.clone()),
                        extension: extension(&a.extension),
                        phone_number: a.phone_number.clone(),
                        greeting: a.greeting.clone(),
                        menu: a.menu.clone().into_iter().collect(),
                        timeout: timeout(&a.timeout),
                        schedule: schedule_of.get(k).cloned(),
                        closed: a.closed.as_ref().map(state_menu),
                        holiday: a.holiday.as_ref().map(state_menu),
                    },
                )
            })
            .collect(),
        ..ManifestFile::default()
    };
    if !flows.ring_groups.is_empty() || !flows.auto_attendants.is_empty() {
        push("call-flows.yaml", &flows);
    }

    let users = ManifestFile {
        users: account
            .users
            .iter()
            .map(|(k, u)| {
                (
                    k.clone(),
                    model::User {
                        template: None,
                        first_name: u.first_name.clone(),
                        last_name: u.last_name.clone(),
                        email: u.email.clone(),
                        site: Some(u.site.clone()),
                        license: u.license.clone(),
                        phone_number: one(&u.phone_numbers),
                        phone_numbers: many(&u.phone_numbers),
                        extension: extension(&u.extension),
                        device: one(&u.devices),
                        devices: many(&u.devices),
                        caller_id: model::user::CallerId {
                            number: (u.caller_id.number.as_ref() != default_caller_id(account, u))
                                .then(|| u.caller_id.number.clone())
                                .flatten(),
                            name: u.caller_id.name.clone(),
                            block: u.caller_id.block,
                        },
                        forwarding: forwarding(&u.forwarding),
                        music_on_hold: u.music_on_hold.clone(),
                        call_recording: model::user::CallRecording {
                            mode: u.call_recording.mode,
                            announce_to: u.call_recording.announce_to.clone(),
                        },
                        outbound_calling: u.outbound_calling.as_ref().map(|o| {
                            model::user::OutboundCalling {
                                country: o.country,
                                scope: o.scope,
                            }
                        }),
                        voicemail: model::user::Voicemail {
                            notification: u.voicemail.notification,
                            email: (u.voicemail.email != u.email)
                                .then(|| u.voicemail.email.clone()),
                        },
                        emergency_address: u.emergency_address.clone(),
                        internet_fax: u.internet_fax.clone(),
                        crm: u.crm.clone(),
                        directory: model::user::Directory {
                            dial_by_name: u.directory.dial_by_name,
                            listed: u.directory.listed,
                            scope: u.directory.scope,
                        },
                    },
                )
            })
            .collect(),
        ..ManifestFile::default()
    };
    if !users.users.is_empty() {
        push("users.yaml", &users);
    }
    if let Some(e) = failure {
        return Err(e);
    }
    files.extend(blobs);
    Ok(files)
}

#[cfg(test)]
#[path = "export_tests.rs"]
mod tests;

/// An attendant's timeout, left out when it drops the call (the default).
fn timeout(d: &Destination) -> Option<Destination> {
    (*d != Destination::Drop).then(|| d.clone())
}

fn state_menu(m: &Menu) -> model::StateMenu {
    model::StateMenu {
        greeting: m.greeting.clone(),
        menu: m.menu.clone().into_iter().collect(),
        timeout: timeout(&m.timeout),
    }
}

/// A schedule as an attendant carries it, written: days with the same
/// hours in a row as one span (`mon-fri`), the time zone left out when it
/// is the attendant's site's.
fn written_schedule(account: &Account, a: &AutoAttendant, s: &Schedule) -> model::Schedule {
    let site_zone = account.sites.get(&a.site).map(|site| &site.timezone);
    let mut open = IndexMap::new();
    let days = model::schedule::Weekday::ALL;
    let mut i = 0;
    while i < days.len() {
        let Some(ranges) = s.open.get(&days[i]).filter(|r| !r.is_empty()) else {
            i += 1;
            continue;
        };
        let mut last = i;
        while last + 1 < days.len() && s.open.get(&days[last + 1]) == Some(ranges) {
            last += 1;
        }
        let key = if last == i {
            days[i].name().to_owned()
        } else {
            format!("{}-{}", days[i].name(), days[last].name())
        };
        open.insert(key, ranges.iter().map(ToString::to_string).collect());
        i = last + 1;
    }
    model::Schedule {
        timezone: (site_zone != Some(&s.timezone)).then(|| s.timezone.clone()),
        open,
        holidays: s
            .holidays
            .iter()
            .map(|(dates, name)| (dates.to_string(), name.clone()))
            .collect(),
    }
}

/// The `schedules` section, and the schedule key of each attendant that has
/// one. Attendants share a schedule by key; should two carry the same key
/// with different hours (edited outside vocm), the later ones get a key of
/// their own (`KEY-2`), so that each keeps its hours.
fn schedules(account: &Account) -> (IndexMap<String, model::Schedule>, BTreeMap<String, String>) {
    let mut out: IndexMap<String, model::Schedule> = IndexMap::new();
    let mut used = BTreeMap::new();
    for (k, a) in &account.auto_attendants {
        let Some(s) = &a.schedule else { continue };
        let written = written_schedule(account, a, s);
        let mut key = s.key.clone();
        let mut n = 1;
        while out.get(&key).is_some_and(|w| *w != written) {
            n += 1;
            key = format!("{}-{n}", s.key);
        }
        out.entry(key.clone()).or_insert(written);
        used.insert(k.clone(), key);
    }
    (out, used)
}

/// A list of one, written in its one-value form (`phone_number: …`).
fn one<T: Clone>(list: &[T]) -> Option<T> {
    match list {
        [one] => Some(one.clone()),
        _ => None,
    }
}

/// A list of several, written in its list form (`phone_numbers: […]`).
fn many<T: Clone>(list: &[T]) -> Vec<T> {
    if list.len() > 1 {
        list.to_vec()
    } else {
        Vec::new()
    }
}

/// The caller ID a user shows when its manifest sets none.
fn default_caller_id<'a>(
    account: &'a Account,
    u: &'a crate::account::User,
) -> Option<&'a crate::model::PhoneNumber> {
    u.primary_number().or_else(|| {
        account
            .sites
            .get(&u.site)
            .and_then(|s| s.main_number.as_ref())
    })
}
