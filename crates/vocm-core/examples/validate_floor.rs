//! Where `vocm validate`'s time goes, phase by phase, on one core: the
//! floor that the YAML scanner sets, then what building values, the schema,
//! typing and the rules add. For docs/performance.md:
//!
//! ```text
//! cargo run --release -p vocm-core --example validate_floor -- DIR [RUNS] [STATE]
//! ```
//!
//! Each phase is timed over every `*.yaml` file under DIR, on this thread
//! only (the CLI spreads files over the cores); the median of RUNS
//! (default 5) is printed, in milliseconds of one core. With a local state
//! file STATE, reading it is timed too: the provider's read (on every core)
//! and, for comparison, the plain one-threaded serde read of the same file.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use saphyr_parser::Parser;
use vocm_core::manifest::yaml;
use vocm_core::source::FileId;

fn median(mut runs: Vec<Duration>) -> f64 {
    runs.sort();
    runs[runs.len() / 2].as_secs_f64() * 1000.0
}

fn time(runs: usize, mut f: impl FnMut()) -> f64 {
    median(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed()
            })
            .collect(),
    )
}

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next().map(PathBuf::from) else {
        eprintln!("usage: validate_floor DIR [RUNS]");
        std::process::exit(1);
    };
    let runs: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(5);
    let state = args.next().map(PathBuf::from);
    let files: Vec<String> = walkdir::WalkDir::new(&dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "yaml"))
        .map(|e| std::fs::read_to_string(e.path()).expect("readable"))
        .collect();
    let bytes: usize = files.iter().map(String::len).sum();
    println!(
        "{} files, {:.1} MB; milliseconds of one core, median of {runs}:",
        files.len(),
        bytes as f64 / 1e6
    );
    let events = time(runs, || {
        for text in &files {
            let mut n = 0usize;
            let mut parser = Parser::new_from_str(text);
            while let Some(Ok(_)) = parser.next_event() {
                n += 1;
            }
            std::hint::black_box(n);
        }
    });
    println!("saphyr-parser events alone          {events:7.1}");
    let parsed = time(runs, || {
        for text in &files {
            std::hint::black_box(yaml::parse(FileId(0), text).ok());
        }
    });
    println!("+ values and spans (manifest::yaml)  {parsed:7.1}");
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a thread pool");
    let validate_one = time(runs, || {
        one.install(|| {
            std::hint::black_box(vocm_core::validate::validate_paths(
                std::slice::from_ref(&dir),
                None,
            ));
        });
    });
    println!("whole validation, one core           {validate_one:7.1}");
    let validate = time(runs, || {
        std::hint::black_box(vocm_core::validate::validate_paths(
            std::slice::from_ref(&dir),
            None,
        ));
    });
    println!("whole validation, every core (wall)  {validate:7.1}");
    if let Some(state) = state {
        use vocm_core::provider::Provider as _;
        let provider = vocm_core::provider::local::LocalProvider::new(&state);
        let read = time(runs, || {
            std::hint::black_box(provider.snapshot().expect("a readable state"));
        });
        let bytes = std::fs::read(&state).expect("a readable state");
        let plain = time(runs, || {
            let parsed: vocm_core::provider::local::StateFile =
                serde_json::from_slice(&bytes).expect("a valid state");
            std::hint::black_box(parsed);
        });
        println!(
            "state read, {:.1} MB: the provider's   {read:7.1} (wall)",
            bytes.len() as f64 / 1e6
        );
        println!("  plain serde read of the bytes      {plain:7.1}");
    }
}
