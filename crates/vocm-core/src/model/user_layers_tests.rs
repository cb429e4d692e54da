//! Property: a user written with a template and site defaults is the user
//! written out in full with the values the precedence picks (user >
//! template > site defaults > built-in defaults; `null` clears).

use std::fmt::Write as _;

use proptest::prelude::*;

use crate::validate::{DiskAudio, validate_bytes};

/// A setting: its path under the user, and two values it can take.
struct Setting {
    group: Option<&'static str>,
    field: &'static str,
    values: [&'static str; 2],
    /// Whether `null` may clear it (an optional value).
    nullable: bool,
}

const SETTINGS: [Setting; 8] = [
    Setting {
        group: None,
        field: "license",
        values: ["X2", "X4"],
        nullable: false,
    },
    Setting {
        group: Some("forwarding"),
        field: "busy",
        values: ["voicemail", "drop"],
        nullable: true,
    },
    Setting {
        group: Some("forwarding"),
        field: "unreachable",
        values: ["drop", "external:+33612345678"],
        nullable: true,
    },
    Setting {
        group: Some("call_recording"),
        field: "mode",
        values: ["always", "on_demand"],
        nullable: true,
    },
    Setting {
        group: Some("voicemail"),
        field: "notification",
        values: ["attachment_only", "disabled"],
        nullable: true,
    },
    Setting {
        group: Some("directory"),
        field: "listed",
        values: ["false", "true"],
        nullable: true,
    },
    Setting {
        group: Some("caller_id"),
        field: "name",
        values: ["ACME", "Sales desk"],
        nullable: true,
    },
    Setting {
        group: None,
        field: "emergency_address",
        values: ["annex", "site"],
        nullable: false,
    },
];

/// What one layer writes for one setting.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Write {
    Absent,
    Value(usize),
    Null,
}

fn write() -> impl Strategy<Value = Write> {
    prop_oneof![
        2 => Just(Write::Absent),
        2 => (0..2usize).prop_map(Write::Value),
        1 => Just(Write::Null),
    ]
}

/// The YAML of a layer: `field: value` lines, grouped, at `indent`.
fn layer_yaml(writes: &[Write], indent: &str) -> String {
    let mut out = String::new();
    let mut groups: Vec<(&str, Vec<String>)> = Vec::new();
    for (s, w) in SETTINGS.iter().zip(writes) {
        let value = match w {
            Write::Absent => continue,
            Write::Null if !s.nullable => continue,
            Write::Null => "null".to_owned(),
            Write::Value(i) => format!("\"{}\"", s.values[*i])
                .replace("\"false\"", "false")
                .replace("\"true\"", "true"),
        };
        match s.group {
            None => {
                let _ = writeln!(out, "{indent}{}: {value}", s.field);
            }
            Some(g) => match groups.iter_mut().find(|(name, _)| *name == g) {
                Some((_, items)) => items.push(format!("{}: {value}", s.field)),
                None => groups.push((g, vec![format!("{}: {value}", s.field)])),
            },
        }
    }
    for (g, items) in groups {
        let _ = writeln!(out, "{indent}{g}: {{{}}}", items.join(", "));
    }
    out
}

fn manifest(site: &str, template: &str, user: &str, uses_template: bool) -> String {
    let template_line = if uses_template {
        "    template: t\n"
    } else {
        ""
    };
    // A layer that writes nothing is an empty mapping.
    let block = |yaml: &str| {
        if yaml.is_empty() {
            " {}\n".to_owned()
        } else {
            format!("\n{yaml}")
        }
    };
    let (site, template) = (block(site), block(template));
    format!(
        r#"account: {{pbx: acme, country: FR}}
addresses:
  hq: {{street: 10 rue de Rivoli, city: Paris, postal_code: "75001", country: FR}}
  annex: {{street: 1 rue de Lyon, city: Paris, postal_code: "75012", country: FR}}
sites:
  paris:
    name: Paris HQ
    address: hq
    locale: fr-FR
    timezone: Europe/Paris
    extension_range: 1000-1099
    user_defaults:{site}templates:
  t:{template}users:
  ulysse:
    first_name: Ulysse
    last_name: Martin
    email: u@example.com
{template_line}{user}"#
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn layers_merge_as_the_precedence_says(
        layers in prop::collection::vec((write(), write(), write()), SETTINGS.len()),
        uses_template in any::<bool>(),
    ) {
        let mut layers = layers;
        // A license must come from somewhere.
        if layers[0].0 != Write::Value(0) && layers[0].0 != Write::Value(1) {
            layers[0].0 = Write::Value(0);
        }
        let site: Vec<Write> = layers.iter().map(|l| l.0).collect();
        let template: Vec<Write> = layers.iter().map(|l| l.1).collect();
        let user: Vec<Write> = layers.iter().map(|l| l.2).collect();
        // The effective value: the first layer that writes one.
        let effective: Vec<Write> = layers
            .iter()
            .zip(&SETTINGS)
            .map(|((s, t, u), setting)| {
                let t = if uses_template { *t } else { Write::Absent };
                [*u, t, *s]
                    .into_iter()
                    .find(|w| *w != Write::Absent && (setting.nullable || *w != Write::Null))
                    .unwrap_or(Write::Absent)
            })
            .collect();
        let layered = manifest(
            &layer_yaml(&site, "      "),
            &layer_yaml(&template, "    "),
            &layer_yaml(&user, "    "),
            uses_template,
        );
        let inline = manifest("", "", &layer_yaml(&effective, "    "), false);
        let a = validate_bytes(&[("m.yaml", layered.as_bytes())], &DiskAudio);
        let b = validate_bytes(&[("m.yaml", inline.as_bytes())], &DiskAudio);
        prop_assert!(!a.diagnostics.has_errors(), "{layered}\n{:?}", a.diagnostics);
        prop_assert!(!b.diagnostics.has_errors(), "{inline}\n{:?}", b.diagnostics);
        let mut got = a.manifest.users["ulysse"].value.clone();
        got.template = None;
        prop_assert_eq!(&got, &b.manifest.users["ulysse"].value, "{}\n---\n{}", layered, inline);
    }
}
