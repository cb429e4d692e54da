//! Merging a user with its template and its site's defaults, field by field.
//!
//! Each user, template and site default is read as a [`User`] whose absent
//! fields are defaults, with a [`Mask`] of the fields it does write (an
//! explicit `null` counts: it clears). The effective user takes each field
//! from the first layer that writes it — the user, its template, its site's
//! `user_defaults` — and keeps the built-in default otherwise. Settings
//! groups (`forwarding`, `caller_id`, `call_recording`, `voicemail`,
//! `directory`) merge field by field; lists and other values are replaced
//! whole.

use serde_json::Value;

use super::user::User;

/// The fields a layer writes: one bit per entry of [`FIELDS`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Mask(u32);

impl Mask {
    #[must_use]
    pub fn has(self, bit: usize) -> bool {
        self.0 & (1 << bit) != 0
    }

    fn set(&mut self, bit: usize) {
        self.0 |= 1 << bit;
    }

    #[must_use]
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

type Copy = fn(&mut User, &User);

/// Every mergeable field: its path under the user, and how to take it from
/// another layer. The groups' fields are listed one by one.
pub const FIELDS: [(&str, Option<&str>, Copy); 21] = [
    ("site", None, |u, t| u.site.clone_from(&t.site)),
    ("license", None, |u, t| u.license.clone_from(&t.license)),
    ("caller_id", Some("number"), |u, t| {
        u.caller_id.number.clone_from(&t.caller_id.number);
    }),
    ("caller_id", Some("name"), |u, t| {
        u.caller_id.name.clone_from(&t.caller_id.name);
    }),
    ("caller_id", Some("block"), |u, t| {
        u.caller_id.block = t.caller_id.block;
    }),
    ("forwarding", Some("always"), |u, t| {
        u.forwarding.always.clone_from(&t.forwarding.always);
    }),
    ("forwarding", Some("busy"), |u, t| {
        u.forwarding.busy.clone_from(&t.forwarding.busy);
    }),
    ("forwarding", Some("no_answer"), |u, t| {
        u.forwarding.no_answer.clone_from(&t.forwarding.no_answer);
    }),
    ("forwarding", Some("unreachable"), |u, t| {
        u.forwarding
            .unreachable
            .clone_from(&t.forwarding.unreachable);
    }),
    ("music_on_hold", None, |u, t| {
        u.music_on_hold.clone_from(&t.music_on_hold);
    }),
    ("call_recording", Some("mode"), |u, t| {
        u.call_recording.mode = t.call_recording.mode;
    }),
    ("call_recording", Some("announce_to"), |u, t| {
        u.call_recording
            .announce_to
            .clone_from(&t.call_recording.announce_to);
    }),
    ("outbound_calling", None, |u, t| {
        u.outbound_calling.clone_from(&t.outbound_calling);
    }),
    ("voicemail", Some("notification"), |u, t| {
        u.voicemail.notification = t.voicemail.notification;
    }),
    ("voicemail", Some("email"), |u, t| {
        u.voicemail.email.clone_from(&t.voicemail.email);
    }),
    ("emergency_address", None, |u, t| {
        u.emergency_address.clone_from(&t.emergency_address);
    }),
    ("internet_fax", None, |u, t| {
        u.internet_fax.clone_from(&t.internet_fax);
    }),
    ("crm", None, |u, t| u.crm.clone_from(&t.crm)),
    ("directory", Some("dial_by_name"), |u, t| {
        u.directory.dial_by_name = t.directory.dial_by_name;
    }),
    ("directory", Some("listed"), |u, t| {
        u.directory.listed = t.directory.listed;
    }),
    ("directory", Some("scope"), |u, t| {
        u.directory.scope = t.directory.scope;
    }),
];

/// The bit of `license` (required after the merge).
pub const LICENSE: usize = 1;

/// The bit of a field path under the user (`["forwarding", "busy"]`), or of
/// its group when only the group is named.
#[must_use]
pub fn bit_of(field: &str, sub: Option<&str>) -> Option<usize> {
    FIELDS
        .iter()
        .position(|(f, s, _)| *f == field && (s.is_none() || sub.is_none() || *s == sub))
}

/// The fields a user, template or site default writes, read off its
/// mapping. Explicit `null`s count (they clear) and are removed, so that
/// what remains reads as the field's type.
pub fn mask_and_strip(value: &mut Value) -> Mask {
    let mut mask = Mask::default();
    let Value::Object(map) = value else {
        return mask;
    };
    // Called for every user of the account: no allocation per field.
    map.retain(|field, v| {
        let group = group_of(field);
        match v {
            Value::Null => {
                mask.0 |= group.0;
                return false;
            }
            Value::Object(sub) if group.0.count_ones() > 1 => {
                sub.retain(|name, item| {
                    if let Some(b) = FIELDS
                        .iter()
                        .position(|(f, s, _)| f == field && *s == Some(name.as_str()))
                    {
                        mask.set(b);
                    }
                    !item.is_null()
                });
            }
            _ => mask.0 |= group.0,
        }
        true
    });
    mask
}

/// The bits of every entry of [`FIELDS`] under `field` (one, or a group's).
fn group_of(field: &str) -> Mask {
    let mut m = Mask::default();
    for (bit, (f, _, _)) in FIELDS.iter().enumerate() {
        if *f == field {
            m.set(bit);
        }
    }
    m
}

/// Where a user's merged-in fields came from: the fields taken from its
/// template, and from its site's defaults.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Layers {
    pub template: Option<(String, Mask)>,
    pub site: Option<(String, Mask)>,
}

impl Layers {
    /// The layer a field of the user came from, when not the user itself.
    #[must_use]
    pub fn source_of(&self, field: &str, sub: Option<&str>) -> Option<Layer<'_>> {
        let bit = bit_of(field, sub)?;
        if let Some((name, m)) = &self.template
            && m.has(bit)
        {
            return Some(Layer::Template(name));
        }
        if let Some((site, m)) = &self.site
            && m.has(bit)
        {
            return Some(Layer::SiteDefaults(site));
        }
        None
    }
}

/// A layer under a user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layer<'a> {
    Template(&'a str),
    SiteDefaults(&'a str),
}

/// Takes into `user` the fields `layer` writes that nothing above wrote;
/// `filled` is what is written so far, and grows. Returns what was taken.
pub fn overlay(user: &mut User, filled: &mut Mask, layer: &User, writes: Mask) -> Mask {
    let mut taken = Mask::default();
    for (bit, (_, _, copy)) in FIELDS.iter().enumerate() {
        if writes.has(bit) && !filled.has(bit) {
            copy(user, layer);
            taken.set(bit);
            filled.set(bit);
        }
    }
    taken
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn groups_are_masked_field_by_field_and_nulls_clear() {
        let mut v = json!({
            "license": "X2",
            "forwarding": {"busy": "voicemail", "always": null},
            "music_on_hold": null,
            "directory": null,
        });
        let mask = mask_and_strip(&mut v);
        assert_eq!(
            v,
            json!({"license": "X2", "forwarding": {"busy": "voicemail"}})
        );
        for (field, sub) in [
            ("license", None),
            ("forwarding", Some("busy")),
            ("forwarding", Some("always")),
            ("music_on_hold", None),
            ("directory", Some("listed")),
            ("directory", Some("scope")),
        ] {
            assert!(mask.has(bit_of(field, sub).unwrap()), "{field} {sub:?}");
        }
        for (field, sub) in [("forwarding", Some("no_answer")), ("site", None)] {
            assert!(!mask.has(bit_of(field, sub).unwrap()), "{field} {sub:?}");
        }
    }
}

#[cfg(test)]
#[path = "user_layers_tests.rs"]
mod properties;
