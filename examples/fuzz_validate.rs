//! A fuzzer of `load + validate` that runs on the stable toolchain:
//!
//! ```text
//! cargo run --release --example fuzz_validate -- --seconds 60
//! cargo run --release --example fuzz_validate -- --execs 10000000 --threads 2
//! ```
//!
//! It mutates a seed corpus — the bundled example, every diagnostics
//! fixture, and hostile snippets — with byte-level edits, YAML tokens,
//! splices between seeds and number inflation, and feeds each input to the
//! same loader and validator `vocm validate` runs, in process. It is
//! coverage-blind (cargo-fuzz needs a nightly toolchain) and makes up for it
//! with speed and a dictionary of the grammar's punctuation.
//!
//! It fails (exit 1, the input saved under `--crashes`, default
//! `target/fuzz-crashes/`) on a panic, on an input that takes longer than
//! `--hang-ms` (default 2,000 ms) to validate, and when the peak resident
//! memory passes `--max-rss-mb` (default 1,024). Otherwise it prints the
//! executions, their rate, the slowest one and the peak memory.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};
use vocm_core::validate::{AudioFiles, AudioProbe, validate_bytes};

/// Audio files are never read: the target is the YAML and the rules.
struct NoAudio;

impl AudioFiles for NoAudio {
    fn probe(&self, _: &Path) -> AudioProbe {
        AudioProbe::Missing
    }
}

struct Args {
    seconds: Option<u64>,
    execs: Option<u64>,
    threads: usize,
    seed: u64,
    hang: Duration,
    max_rss_mb: u64,
    crashes: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        seconds: None,
        execs: None,
        threads: std::thread::available_parallelism().map_or(1, usize::from),
        seed: 0x766f_636d,
        hang: Duration::from_secs(2),
        max_rss_mb: 1_024,
        crashes: PathBuf::from("target/fuzz-crashes"),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        let number = |v: String| v.parse::<u64>().map_err(|e| format!("{flag}: {e}"));
        match flag.as_str() {
            "--seconds" => a.seconds = Some(number(value()?)?),
            "--execs" => a.execs = Some(number(value()?)?),
            "--threads" => a.threads = usize::try_from(number(value()?)?).unwrap_or(1).max(1),
            "--seed" => a.seed = number(value()?)?,
            "--hang-ms" => a.hang = Duration::from_millis(number(value()?)?),
            "--max-rss-mb" => a.max_rss_mb = number(value()?)?,
            "--crashes" => a.crashes = PathBuf::from(value()?),
            _ => {
                return Err(format!(
                    "unknown argument `{flag}`\nusage: fuzz_validate [--seconds N | --execs N] [--threads N] [--seed N] [--hang-ms N] [--max-rss-mb N] [--crashes DIR]"
                ));
            }
        }
    }
    if a.seconds.is_none() && a.execs.is_none() {
        a.seconds = Some(60);
    }
    Ok(a)
}

/// Punctuation and words of the grammar and the manifests: inserted whole,
/// they reach parser and validator states single bytes rarely do.
const TOKENS: &[&str] = &[
    ": ",
    "- ",
    "? ",
    "{",
    "}",
    "[",
    "]",
    ", ",
    "\"",
    "'",
    "&a ",
    "*a",
    "<<: *a\n",
    "!!str ",
    "!!binary ",
    "!tag ",
    "|\n",
    ">-\n",
    "---\n",
    "...\n",
    "%YAML 1.2\n",
    "%TAG ! tag:x,2000:\n",
    "#",
    "\t",
    "\r\n",
    "\n  ",
    "\n    ",
    "~",
    "null",
    "true",
    "0x1F",
    "1e400",
    "-.inf",
    ".nan",
    "99999999999999999999999",
    "\u{feff}",
    "\0",
    "\u{85}",
    "\u{2028}",
    "auto",
    "voicemail",
    "drop",
    "user:",
    "ring_group:",
    "auto_attendant:",
    "external:+33 1 70 00 00 01",
    "+33 (0)1 70 00 00 01",
    "users:\n",
    "ring_groups:\n",
    "phone_numbers:\n",
    "sites:\n",
    "forwarding:\n",
    "no_answer: {to: user:a, after_seconds: 5}\n",
    "extension: ",
    "extension_range: 1000-1999\n",
    "members: [a, a, a]\n",
];

fn seeds() -> Vec<Vec<u8>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    let mut stack = vec![root.join("examples/acme"), root.join("tests/fixtures")];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml")
                && let Ok(bytes) = std::fs::read(&p)
            {
                out.push(bytes);
            }
        }
    }
    out.sort();
    out.extend(
        [
            "a: &a [*a]\n",
            "x: &x {a: 1}\ny: {<<: *x, b: 2}\n",
            "users: {a: {first_name: A, last_name: B, email: a@b.c, site: s, extension: auto}}\n",
            "- [[[[[[[[[[]]]]]]]]]]\n",
            "? [a, b]\n: c\n",
            "key: \"\\u0000\\uD800\"\n",
        ]
        .map(|s| s.as_bytes().to_vec()),
    );
    out
}

fn mutate(rng: &mut SmallRng, seeds: &[Vec<u8>], input: &mut Vec<u8>) {
    for _ in 0..rng.random_range(1..=4) {
        let len = input.len();
        match rng.random_range(0..9) {
            0 if len > 0 => {
                let i = rng.random_range(0..len);
                input[i] ^= 1 << rng.random_range(0..8);
            }
            1 => {
                let i = rng.random_range(0..=len);
                input.insert(i, rng.random());
            }
            2 if len > 0 => {
                let i = rng.random_range(0..len);
                let n = rng.random_range(1..=(len - i).min(64));
                input.drain(i..i + n);
            }
            3 if len > 0 => {
                // Repeat a chunk: nesting, long keys, many items.
                let i = rng.random_range(0..len);
                let n = rng.random_range(1..=(len - i).min(256));
                let chunk = input[i..i + n].to_vec();
                let times = rng.random_range(1..=8);
                for _ in 0..times {
                    input.splice(i..i, chunk.iter().copied());
                }
            }
            4 | 5 => {
                let t = TOKENS[rng.random_range(0..TOKENS.len())];
                let i = rng.random_range(0..=len);
                input.splice(i..i, t.bytes());
            }
            6 => {
                // Splice: the head of this input, the tail of another.
                let other = &seeds[rng.random_range(0..seeds.len())];
                let cut = rng.random_range(0..=len);
                let from = rng.random_range(0..=other.len());
                input.truncate(cut);
                input.extend_from_slice(&other[from..]);
            }
            7 => {
                // Inflate a digit run into a huge number.
                if let Some(i) =
                    (0..len).find(|&i| input[i].is_ascii_digit() && rng.random_bool(0.1))
                {
                    input.splice(i..i, b"99999999999999999999".iter().copied());
                }
            }
            _ => {
                // Indentation shifts are where YAML structure lives.
                if let Some(i) = (0..len).find(|&i| input[i] == b'\n' && rng.random_bool(0.05)) {
                    input.insert(i + 1, if rng.random_bool(0.5) { b' ' } else { b'\t' });
                }
            }
        }
        // Bounded inputs: the loader's limits are tested elsewhere; here
        // the time goes to variety.
        input.truncate(64 * 1024);
    }
}

/// Peak resident memory of this process, in MiB (Linux).
fn peak_rss_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}

fn save(dir: &Path, what: &str, input: &[u8]) -> PathBuf {
    let _ = std::fs::create_dir_all(dir);
    let path = dir.join(format!(
        "{what}-{}.yaml",
        vocm_core::util::sha256_hex(input)
    ));
    let _ = std::fs::write(&path, input);
    path
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let seeds = Arc::new(seeds());
    let execs = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let slowest = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    // A panic is a finding: the hook stays quiet, the worker reports it.
    std::panic::set_hook(Box::new(|_| {}));

    let workers: Vec<_> = (0..args.threads)
        .map(|t| {
            let (seeds, execs, stop, slowest) =
                (seeds.clone(), execs.clone(), stop.clone(), slowest.clone());
            let (hang, crashes, limit) = (args.hang, args.crashes.clone(), args.execs);
            let mut rng = SmallRng::seed_from_u64(args.seed + t as u64);
            std::thread::spawn(move || -> Option<String> {
                let mut input = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let n = execs.fetch_add(1, Ordering::Relaxed);
                    if limit.is_some_and(|l| n >= l) {
                        break;
                    }
                    if n % 64 == 0 || input.is_empty() {
                        input.clone_from(&seeds[rng.random_range(0..seeds.len())]);
                    }
                    mutate(&mut rng, &seeds, &mut input);
                    // Sometimes two files: cross-file merging and duplicate
                    // definitions across files.
                    let split = rng
                        .random_bool(0.2)
                        .then(|| rng.random_range(0..=input.len()));
                    let began = Instant::now();
                    let result = std::panic::catch_unwind(|| {
                        let files: Vec<(&str, &[u8])> = match split {
                            Some(at) => vec![("a.yaml", &input[..at]), ("b.yaml", &input[at..])],
                            None => vec![("m.yaml", &input[..])],
                        };
                        validate_bytes(&files, &NoAudio).diagnostics.len()
                    });
                    let took = began.elapsed();
                    slowest.fetch_max(
                        u64::try_from(took.as_micros()).unwrap_or(u64::MAX),
                        Ordering::Relaxed,
                    );
                    if result.is_err() {
                        stop.store(true, Ordering::Relaxed);
                        return Some(format!(
                            "panic: {}",
                            save(&crashes, "panic", &input).display()
                        ));
                    }
                    if took > hang {
                        stop.store(true, Ordering::Relaxed);
                        return Some(format!(
                            "hang ({} ms): {}",
                            took.as_millis(),
                            save(&crashes, "slow", &input).display()
                        ));
                    }
                }
                None
            })
        })
        .collect();

    // The clock and the memory ceiling are watched from here.
    let deadline = args.seconds.map(|s| start + Duration::from_secs(s));
    let mut findings = Vec::new();
    let mut last_report = Instant::now();
    while !workers.iter().all(std::thread::JoinHandle::is_finished) {
        std::thread::sleep(Duration::from_millis(50));
        if deadline.is_some_and(|d| Instant::now() >= d) {
            stop.store(true, Ordering::Relaxed);
        }
        if peak_rss_mb().is_some_and(|mb| mb > args.max_rss_mb) {
            stop.store(true, Ordering::Relaxed);
            findings.push(format!("memory: peak RSS over {} MiB", args.max_rss_mb));
        }
        if last_report.elapsed() >= Duration::from_secs(30) {
            last_report = Instant::now();
            eprintln!(
                "… {} executions in {:.0} s",
                execs.load(Ordering::Relaxed),
                start.elapsed().as_secs_f64()
            );
        }
    }
    findings.extend(workers.into_iter().filter_map(|w| w.join().ok().flatten()));
    let done = execs
        .load(Ordering::Relaxed)
        .min(args.execs.unwrap_or(u64::MAX));
    let secs = start.elapsed().as_secs_f64();
    println!(
        "fuzz_validate: {done} executions in {secs:.1} s ({:.0}/s, {} threads, seed {}), slowest {:.1} ms, peak RSS {} MiB",
        done as f64 / secs,
        args.threads,
        args.seed,
        slowest.load(Ordering::Relaxed) as f64 / 1000.0,
        peak_rss_mb().map_or_else(|| "?".to_owned(), |m| m.to_string())
    );
    if !findings.is_empty() {
        for f in &findings {
            eprintln!("finding: {f}");
        }
        std::process::exit(1);
    }
}
