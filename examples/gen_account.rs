//! Generates a large, valid account for benchmarks:
//!
//! ```text
//! cargo run --release --example gen_account -- --users 10000 -o /tmp/acct
//! ```
//!
//! Every user has a number, a device and a realistic spread of settings;
//! one ring group per ten users; users are written 1,000 to a file, as a
//! large organisation would split them. Output is deterministic.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

struct Args {
    users: usize,
    out: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let mut users = 10_000;
    let mut out = None;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--users" => {
                users = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .ok_or("--users takes a number")?;
            }
            "-o" | "--out" => out = it.next().map(PathBuf::from),
            "-h" | "--help" => {
                return Err("usage: gen_account --users N -o DIR".into());
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(Args {
        users,
        out: out.ok_or("-o DIR is required")?,
    })
}

const SITES: [(&str, &str, &str, &str, &str, &str); 4] = [
    ("paris", "Paris HQ", "fr-FR", "Europe/Paris", "FR", "+331"),
    ("lyon", "Lyon Office", "fr-FR", "Europe/Paris", "FR", "+334"),
    (
        "london",
        "London Office",
        "en-GB",
        "Europe/London",
        "GB",
        "+4420",
    ),
    (
        "newyork",
        "New York Office",
        "en-US",
        "America/New_York",
        "US",
        "+1212",
    ),
];

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = generate(args.users, &args.out) {
        eprintln!("gen_account: {e}");
        std::process::exit(1);
    }
}

/// Digits needed so that every site's range holds its users and groups.
fn extension_length(users: usize) -> usize {
    let per_site = (users + users / 10) / SITES.len() + 1;
    let mut len = 4;
    while 10usize.pow(u32::try_from(len).unwrap_or(8) - 1) < per_site {
        len += 1;
    }
    len
}

fn number(site: usize, i: usize) -> String {
    let prefix = SITES[site].5;
    let digits = 12 - prefix.len();
    format!("{prefix}{:0width$}", 1_000_000 + i, width = digits)
}

fn generate(users: usize, out: &Path) -> std::io::Result<()> {
    fs::create_dir_all(out.join("users"))?;
    fs::create_dir_all(out.join("audio"))?;
    let len = extension_length(users);
    let span = 10usize.pow(u32::try_from(len).unwrap_or(8) - 1);
    let site_of = |i: usize| i % SITES.len();
    // Extensions: site s owns [ (s+1)*span, (s+2)*span ).
    let ext = |site: usize, n: usize| (site + 1) * span + n;

    let mut s = String::new();
    let schema = "# yaml-language-server: $schema=https://raw.githubusercontent.com/vocm/vocm/main/schemas/vocm.schema.json\n";
    write!(
        s,
        "{schema}version: 1\naccount:\n  pbx: bigcorp\n  country: FR\n  extension_length: {len}\n"
    )
    .ok();
    fs::write(out.join("account.yaml"), &s)?;

    s.clear();
    s.push_str(schema);
    s.push_str("addresses:\n");
    for (key, _, _, _, country, _) in SITES {
        write!(
            s,
            "  {key}-office:\n    street: 1 Main Street\n    city: {key}\n    postal_code: \"{}\"\n    country: {country}\n",
            10000 + key.len()
        )
        .ok();
    }
    s.push_str("sites:\n");
    for (i, (key, name, locale, tz, _, _)) in SITES.iter().enumerate() {
        write!(
            s,
            "  {key}:\n    name: {name}\n    address: {key}-office\n    locale: {locale}\n    timezone: {tz}\n    extension_range: {}-{}\n    main_number: \"{}\"\n",
            ext(i, 0),
            ext(i, span - 1),
            number(i, 0)
        )
        .ok();
    }
    s.push_str("audio_files:\n  hold-music:\n    file: audio/hold.wav\n");
    fs::write(out.join("sites.yaml"), &s)?;
    fs::write(out.join("audio/hold.wav"), wav())?;

    let groups = users / 10;
    s.clear();
    s.push_str(schema);
    s.push_str("phone_numbers:\n");
    for (site, _) in SITES.iter().enumerate() {
        writeln!(s, "  \"{}\": {{}}", number(site, 0)).ok();
    }
    for i in 0..users {
        writeln!(s, "  \"{}\": {{}}", number(site_of(i), i + 1)).ok();
        if i % 50 == 0 {
            writeln!(
                s,
                "  \"{}\": {{usage: fax}}",
                number(site_of(i), 500_000 + i)
            )
            .ok();
        }
    }
    for g in 0..groups {
        writeln!(s, "  \"{}\": {{}}", number(site_of(g), 800_000 + g)).ok();
    }
    fs::write(out.join("numbers.yaml"), &s)?;

    s.clear();
    s.push_str(schema);
    s.push_str("devices:\n");
    for i in 0..users {
        let models = ["Poly VVX 450", "Yealink T54W", "Cisco 8851", "Yealink W56H"];
        writeln!(
            s,
            "  dev-{i:06}:\n    model: {}\n    mac: \"00:04:f2:{:02x}:{:02x}:{:02x}\"",
            models[i % models.len()],
            (i >> 16) & 0xff,
            (i >> 8) & 0xff,
            i & 0xff
        )
        .ok();
    }
    fs::write(out.join("devices.yaml"), &s)?;

    s.clear();
    s.push_str(schema);
    s.push_str("ring_groups:\n");
    for g in 0..groups {
        let site = site_of(g);
        write!(
            s,
            "  group-{g:05}:\n    name: Team {g}\n    site: {}\n    extension: {}\n    phone_numbers: [\"{}\"]\n    strategy: {}\n    members:\n",
            SITES[site].0,
            ext(site, span / 2 + g / SITES.len()),
            number(site, 800_000 + g),
            ["simultaneous", "sequential", "round_robin"][g % 3]
        )
        .ok();
        // Members share the group's site: users i ≡ site (mod sites).
        for m in 0..10 {
            let u = (g / SITES.len() * 10 + m) * SITES.len() + site;
            if u < users {
                writeln!(s, "      - user.{u:06}").ok();
            }
        }
        s.push_str("    forwarding:\n      no_answer: voicemail\n");
    }
    fs::write(out.join("ring-groups.yaml"), &s)?;

    for chunk in 0..users.div_ceil(1000) {
        s.clear();
        s.push_str(schema);
        s.push_str("users:\n");
        for i in chunk * 1000..((chunk + 1) * 1000).min(users) {
            user(
                &mut s,
                i,
                users,
                site_of(i),
                ext(site_of(i), 1 + i / SITES.len()),
            );
        }
        fs::write(out.join(format!("users/users-{chunk:03}.yaml")), &s)?;
    }
    Ok(())
}

fn user(s: &mut String, i: usize, users: usize, site: usize, extension: usize) {
    const FIRST: [&str; 8] = [
        "Alice", "Bruno", "Chloe", "David", "Emma", "Farid", "Gina", "Hugo",
    ];
    const LAST: [&str; 8] = [
        "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Petit", "Durand", "Leroy",
    ];
    let first = FIRST[i % 8];
    let last = LAST[(i / 8) % 8];
    write!(
        s,
        "  user.{i:06}:\n    first_name: {first}\n    last_name: {last}\n    email: user.{i:06}@bigcorp.example\n    site: {}\n    license: {}\n    phone_number: \"{}\"\n    extension: {extension}\n    device: dev-{i:06}\n",
        SITES[site].0,
        if i.is_multiple_of(5) { "X4" } else { "X2" },
        number(site, i + 1),
    )
    .ok();
    // Forward to a colleague of a different rank so that no loop forms.
    let next = (i + SITES.len()) % users;
    match i % 4 {
        0 => s.push_str("    forwarding:\n      busy: voicemail\n      no_answer: {to: voicemail, after_seconds: 25}\n"),
        1 if next > i => {
            writeln!(s, "    forwarding:\n      no_answer: user:user.{next:06}\n      unreachable: voicemail").ok();
        }
        2 => s.push_str("    forwarding:\n      unreachable: external:+33612345678\n"),
        _ => {}
    }
    if i.is_multiple_of(3) {
        s.push_str("    caller_id:\n      name: BigCorp\n");
    }
    if i.is_multiple_of(7) {
        s.push_str("    music_on_hold: hold-music\n    call_recording:\n      mode: on_demand\n      announce_to: [other_party]\n");
    }
    if i.is_multiple_of(2) {
        s.push_str("    voicemail:\n      notification: attachment_only\n");
    }
    if i.is_multiple_of(50) {
        writeln!(s, "    internet_fax: \"{}\"", number(site, 500_000 + i)).ok();
    }
    if i.is_multiple_of(11) {
        writeln!(
            s,
            "    crm:\n      provider: salesforce\n      username: {first}.{last}.{i}"
        )
        .ok();
    }
    if i.is_multiple_of(13) {
        s.push_str("    directory:\n      dial_by_name: false\n      scope: site\n");
    }
}

/// A valid, silent, one-tenth-of-a-second 8 kHz mono WAV.
fn wav() -> Vec<u8> {
    let samples = 800u32;
    let mut w = Vec::new();
    w.extend_from_slice(b"RIFF");
    w.extend_from_slice(&(36 + samples * 2).to_le_bytes());
    w.extend_from_slice(b"WAVEfmt ");
    w.extend_from_slice(&16u32.to_le_bytes());
    w.extend_from_slice(&1u16.to_le_bytes());
    w.extend_from_slice(&1u16.to_le_bytes());
    w.extend_from_slice(&8000u32.to_le_bytes());
    w.extend_from_slice(&16000u32.to_le_bytes());
    w.extend_from_slice(&2u16.to_le_bytes());
    w.extend_from_slice(&16u16.to_le_bytes());
    w.extend_from_slice(b"data");
    w.extend_from_slice(&(samples * 2).to_le_bytes());
    w.resize(w.len() + (samples as usize) * 2, 0);
    w
}
