//! Snapshots of plans in the three formats: the bundled example against the
//! bundled state (creates, updates, a replace), a pruning plan that trips
//! the mass-delete guard, a schedule change, and an empty plan.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::path::{Path, PathBuf};

use vocm_core::account::Account;
use vocm_core::model::schedule::Weekday;
use vocm_core::plan::desired::{Context, desired};
use vocm_core::plan::file::PlanFile;
use vocm_core::plan::{MassDelete, Options, Plan, plan};
use vocm_core::provider::local::LocalProvider;
use vocm_core::provider::{Provider, ProviderInfo};
use vocm_core::render::markdown::{COMMENT_LIMIT, Comment};
use vocm_core::render::paths::{Detail, TEXT_WIDTH};
use vocm_core::render::text::PlanView;
use vocm_core::route::PathChange;
use vocm_core::validate::audio::read_audio;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A plan with what the renderers need besides it.
struct Made {
    plan: Plan,
    current: Account,
    fingerprint: String,
    call_paths: Vec<PathChange>,
}

/// The account valid `manifests` describe, resolved against `current` as
/// `vocm plan` does; and whether they prune.
fn resolve(
    manifests: &Path,
    current: &Account,
    licenses: Option<&std::collections::BTreeMap<String, u32>>,
) -> (Account, bool) {
    let v = vocm_core::validate::validate_paths(&[manifests.to_owned()], Some(&root()));
    assert!(!v.diagnostics.has_errors(), "{:?}", v.diagnostics);
    let (audio, _) = read_audio(&v.raw, &v.manifest);
    let cx = Context {
        raw: &v.raw,
        current,
        audio: &audio,
        licenses,
        can_claim_numbers: true,
        renames: &[],
    };
    let (d, diagnostics) = desired(&v.manifest, &cx);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let prune = v.manifest.account.as_ref().is_some_and(|a| a.value.prune);
    (d, prune)
}

/// Plans `manifests` against the state file, as `vocm plan` does.
fn make(manifests: &Path, state: &Path) -> Made {
    let snapshot = LocalProvider::new(state).snapshot().unwrap();
    let (d, prune) = resolve(manifests, &snapshot.account, snapshot.licenses.as_ref());
    let p = plan(
        &d,
        &snapshot.account,
        &Options {
            prune,
            targets: Vec::new(),
            ..Options::default()
        },
    );
    let changed: Vec<_> = p.changes.iter().map(|c| c.id.clone()).collect();
    let call_paths = vocm_core::route::changes(&d, &snapshot.account, &changed);
    Made {
        plan: p,
        current: snapshot.account,
        fingerprint: snapshot.fingerprint,
        call_paths,
    }
}

/// The view `vocm plan` renders of a whole plan (no targets, no notes).
fn view<'a>(made: &'a Made, mass: &'a [MassDelete], call_paths: &'a [PathChange]) -> PlanView<'a> {
    PlanView {
        changes: &made.plan.changes,
        summary: made.plan.summary(),
        mass_deletes: mass,
        call_paths,
        kept: &made.plan.kept,
        detail: Detail::Changes,
        width: TEXT_WIDTH,
        targets: &[],
        notes: &[],
    }
}

const COMMENT: Comment<'static> = Comment {
    id: "examples/acme",
    rerun: "vocm plan examples/acme",
    limit: COMMENT_LIMIT,
};

fn all_formats(m: &Made) -> (String, String, String) {
    let (p, current, fingerprint) = (&m.plan, &m.current, &m.fingerprint);
    let mass = p.mass_deletes(current);
    let view = view(m, &mass, &m.call_paths);
    let file = PlanFile::new(
        p,
        ProviderInfo {
            kind: "local".into(),
            endpoint: "examples/acme.state.json".into(),
        },
        fingerprint.to_owned(),
        mass.clone(),
    );
    (
        vocm_core::render::text::render(&view, false),
        vocm_core::render::markdown::render(&view, &COMMENT),
        vocm_core::render::json::render(&file).unwrap(),
    )
}

#[test]
fn the_example_against_its_bundled_state() {
    let made = make(
        &root().join("examples/acme"),
        &root().join("examples/acme.state.json"),
    );
    assert!(!made.call_paths.is_empty());
    let (text, markdown, json) = all_formats(&made);
    insta::assert_snapshot!("plan_acme_text", text);
    insta::assert_snapshot!("plan_acme_markdown", markdown);
    insta::assert_snapshot!("plan_acme_json", json);
    assert_plan_schema(&json);
}

/// The JSON plan is what the schema describes.
fn assert_plan_schema(json: &str) {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/plan.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    let value: serde_json::Value = serde_json::from_str(json).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn a_schedule_change_in_every_format() {
    // The reception of the route fixture, against an account where it
    // opened on weekdays only, knew of Christmas alone, had no holiday
    // menu and no after-hours greeting.
    let fixture = root().join("tests/fixtures/route-schedule");
    let (d, _) = resolve(&fixture, &Account::default(), None);
    let mut current = d.clone();
    let main = current.auto_attendants.get_mut("main").unwrap();
    let schedule = main.schedule.as_mut().unwrap();
    schedule.open.remove(&Weekday::Sat);
    schedule
        .holidays
        .retain(|dates, _| dates.first == dates.last);
    main.holiday = None;
    main.closed.as_mut().unwrap().greeting = None;
    let p = plan(&d, &current, &Options::default());
    assert_eq!(p.summary().change, 1, "{:?}", p.changes);
    let changed: Vec<_> = p.changes.iter().map(|c| c.id.clone()).collect();
    let call_paths = vocm_core::route::changes(&d, &current, &changed);
    assert_eq!(call_paths.len(), 1, "the main line's holiday branch is new");
    let (text, markdown, json) = all_formats(&Made {
        plan: p,
        current,
        fingerprint: "sha256:0".into(),
        call_paths,
    });
    assert!(
        text.contains("Plan: 0 to add, 1 to change, 0 to destroy."),
        "{text}"
    );
    insta::assert_snapshot!("plan_schedule_text", text);
    insta::assert_snapshot!("plan_schedule_markdown", markdown);
    insta::assert_snapshot!("plan_schedule_json", json);
    assert_plan_schema(&json);
}

#[test]
fn pruning_most_users_trips_the_mass_delete_guard() {
    let dir = tempfile::tempdir().unwrap();
    let copy = |rel: &str| {
        let to = dir.path().join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(root().join("examples/acme").join(rel), &to).unwrap();
    };
    for f in [
        "sites.yaml",
        "numbers.yaml",
        "devices.yaml",
        "audio.yaml",
        "templates.yaml",
        "audio/hold-jazz.wav",
        "audio/welcome.wav",
    ] {
        copy(f);
    }
    std::fs::write(
        dir.path().join("account.yaml"),
        "account: {pbx: acme, country: FR, extension_length: 4, prune: true}\n",
    )
    .unwrap();
    // Only Paris's first two users remain: the rest, the ring groups and
    // the attendant go.
    let paris = std::fs::read_to_string(root().join("examples/acme/users/paris.yaml")).unwrap();
    let kept: String = paris.split("\n  chloe.bernard:").next().unwrap().to_owned();
    let kept = kept
        .replace(
            "no_answer: {to: ring_group:sales, after_seconds: 20}",
            "no_answer: voicemail",
        )
        .replace(
            "      no_answer: user:alice.martin",
            "      no_answer: voicemail",
        );
    std::fs::write(dir.path().join("users.yaml"), format!("{kept}\n")).unwrap();
    let state = dir.path().join("state.json");
    std::fs::copy(root().join("examples/acme.state.json"), &state).unwrap();
    let made = make(dir.path(), &state);
    let mass = made.plan.mass_deletes(&made.current);
    assert!(
        mass.iter()
            .any(|m| m.kind == vocm_core::account::Kind::User),
        "{mass:?}"
    );
    let (text, markdown, _) = all_formats(&made);
    insta::assert_snapshot!("plan_prune_text", text);
    insta::assert_snapshot!("plan_prune_markdown", markdown);
}

#[test]
fn an_empty_plan_says_so() {
    let (text, markdown, json) = all_formats(&Made {
        plan: Plan::default(),
        current: Account::default(),
        fingerprint: "sha256:0".into(),
        call_paths: Vec::new(),
    });
    assert_eq!(text, "No changes. The account matches the manifests.\n");
    insta::assert_snapshot!("plan_empty_markdown", markdown);
    assert!(json.contains("\"changes\": []"));
}

#[test]
fn masked_review_output_keeps_keys_and_hides_people() {
    let made = make(
        &root().join("examples/acme"),
        &root().join("examples/acme.state.json"),
    );
    let changes = vocm_core::render::mask::changes(&made.plan.changes);
    let paths = vocm_core::render::mask::paths(&made.call_paths);
    let mass = made.plan.mass_deletes(&made.current);
    let view = PlanView {
        changes: &changes,
        summary: made.plan.summary(),
        mass_deletes: &mass,
        call_paths: &paths,
        kept: &made.plan.kept,
        detail: Detail::Changes,
        width: TEXT_WIDTH,
        targets: &[],
        notes: &[],
    };
    let text = vocm_core::render::text::render(&view, false);
    let markdown = vocm_core::render::markdown::render(&view, &COMMENT);
    for shown in [&text, &markdown] {
        // Every email and name of the example is masked; keys stay.
        for (at, _) in shown.match_indices("@acme.example") {
            assert!(
                shown[..at].ends_with('•'),
                "{}",
                &shown[at.saturating_sub(40)..at + 13]
            );
        }
        assert!(!shown.contains("Martin\""), "{shown}");
        assert!(shown.contains("user:alice.martin") || shown.contains("user \"alice.martin\""));
    }
    insta::assert_snapshot!("plan_acme_text_masked", text);
}

#[test]
fn a_large_markdown_plan_stays_under_the_comment_limit() {
    let dir = tempfile::tempdir().unwrap();
    vocm_testkit::generate::generate(5_000, 0, &dir.path().join("account")).unwrap();
    let made = make(&dir.path().join("account"), &dir.path().join("state.json"));
    let mass = made.plan.mass_deletes(&made.current);
    let view = view(&made, &mass, &made.call_paths);
    let markdown = vocm_core::render::markdown::render(
        &view,
        &Comment {
            id: "account",
            rerun: "vocm plan account",
            limit: COMMENT_LIMIT,
        },
    );
    let chars = markdown.chars().count();
    assert!(chars <= COMMENT_LIMIT, "{chars} characters");
    assert!(
        chars > COMMENT_LIMIT - 8_192,
        "the comment is filled: {chars}"
    );
    // The head (marker, summary, table) and the note on what was cut.
    let head: Vec<&str> = markdown.lines().take(20).collect();
    let tail: Vec<&str> = markdown.lines().rev().take(2).collect();
    insta::assert_snapshot!(
        "plan_large_markdown_capped",
        format!(
            "{}\n[…]\n{}",
            head.join("\n"),
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        )
    );
}

/// A sink that keeps what each write was given, and fails after `fail_after`
/// writes when asked to.
struct Writes {
    sizes: Vec<usize>,
    text: Vec<u8>,
    fail_after: Option<usize>,
}

impl std::io::Write for Writes {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.fail_after.is_some_and(|n| self.sizes.len() >= n) {
            return Err(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
        }
        self.sizes.push(buf.len());
        self.text.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_large_text_plan_is_streamed_in_chunks() {
    // An apply shows its whole plan: at 100,000 users about 150 MB of text,
    // which must not be built whole before it is written.
    let dir = tempfile::tempdir().unwrap();
    vocm_testkit::generate::generate(2_000, 0, &dir.path().join("account")).unwrap();
    let made = make(&dir.path().join("account"), &dir.path().join("state.json"));
    let mass = made.plan.mass_deletes(&made.current);
    let view = view(&made, &mass, &made.call_paths);
    let whole = vocm_core::render::text::render(&view, false);
    let mut sink = Writes {
        sizes: Vec::new(),
        text: Vec::new(),
        fail_after: None,
    };
    vocm_core::render::text::render_to(&view, false, &mut sink).unwrap();
    assert_eq!(String::from_utf8(sink.text).unwrap(), whole);
    let largest = sink.sizes.iter().max().copied().unwrap_or_default();
    assert!(
        sink.sizes.len() > 10 && largest < 2 * 64 * 1024,
        "{} MB in {} writes, the largest {largest} bytes",
        whole.len() / 1_000_000,
        sink.sizes.len()
    );
    // A reader that goes away (`vocm apply | head`) stops the rendering.
    let mut closed = Writes {
        sizes: Vec::new(),
        text: Vec::new(),
        fail_after: Some(2),
    };
    let err = vocm_core::render::text::render_to(&view, false, &mut closed).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::BrokenPipe);
    assert_eq!(closed.sizes.len(), 2);
}

#[test]
fn an_apply_traces_only_the_new_paths_its_text_shows() {
    // 300 new users: the text shows 20 new paths whole and lists the rest,
    // so an apply traces those 20 and names the others' resources only.
    let dir = tempfile::tempdir().unwrap();
    vocm_testkit::generate::generate(300, 0, &dir.path().join("account")).unwrap();
    let made = make(&dir.path().join("account"), &dir.path().join("state.json"));
    let (desired, _) = resolve(&dir.path().join("account"), &made.current, None);
    let changed: Vec<_> = made.plan.changes.iter().map(|c| c.id.clone()).collect();
    let shown = vocm_core::route::changes_traced(
        &desired,
        &made.current,
        &changed,
        vocm_core::route::Whole::FirstNew(vocm_core::render::paths::NEW_SHOWN),
    );
    assert_eq!(shown.len(), made.call_paths.len());
    let whole = shown
        .iter()
        .filter(|c| {
            c.after
                .as_ref()
                .is_some_and(|r| !r.start.branches.is_empty())
        })
        .count();
    assert_eq!(whole, vocm_core::render::paths::NEW_SHOWN);
    let text = |call_paths: &[PathChange]| {
        let mass = made.plan.mass_deletes(&made.current);
        vocm_core::render::text::render(&view(&made, &mass, call_paths), false)
    };
    assert_eq!(text(&shown), text(&made.call_paths));
}

/// The call-path section of a text plan: from its heading to the line
/// before the summary (or the warnings and kept resources that precede it).
fn call_path_section(text: &str) -> Vec<&str> {
    let lines: Vec<&str> = text.lines().collect();
    let Some(start) = lines
        .iter()
        .position(|l| l.starts_with("Call paths that change"))
    else {
        return Vec::new();
    };
    let end = lines[start..]
        .iter()
        .position(|l| {
            l.starts_with("Plan: ") || l.starts_with("Warning:") || l.starts_with("No longer")
        })
        .map_or(lines.len(), |n| start + n);
    lines[start..end].to_vec()
}

/// The resource section: from the first line to the call paths.
fn resource_section(text: &str) -> Vec<&str> {
    text.lines()
        .take_while(|l| !l.starts_with("Call paths that change"))
        .collect()
}

#[test]
fn the_example_s_call_paths_take_no_more_room_than_its_changes() {
    let made = make(
        &root().join("examples/acme"),
        &root().join("examples/acme.state.json"),
    );
    let (text, markdown, _) = all_formats(&made);
    let (paths, resources) = (call_path_section(&text), resource_section(&text));
    assert!(!paths.is_empty());
    assert!(
        paths.len() <= resources.len(),
        "call paths: {} lines, resources: {} lines",
        paths.len(),
        resources.len()
    );
    assert!(!markdown.contains("left out"), "{markdown}");
}

/// `users` users who fall back to one group, whose ring timeout changes
/// from 25 s to 20 s: the plan, and its text.
fn fallback_plan(users: usize) -> (Made, String) {
    let dir = tempfile::tempdir().unwrap();
    vocm_testkit::generate::fallback(users, 20, dir.path()).unwrap();
    let (d, _) = resolve(dir.path(), &Account::default(), None);
    let mut current = d.clone();
    current
        .ring_groups
        .get_mut("fallback")
        .unwrap()
        .ring_timeout_seconds = 25;
    let p = plan(&d, &current, &Options::default());
    assert_eq!(p.summary().change, 1, "{:?}", p.changes);
    let changed: Vec<_> = p.changes.iter().map(|c| c.id.clone()).collect();
    let call_paths = vocm_core::route::changes(&d, &current, &changed);
    assert_eq!(call_paths.len(), users + 1, "every user and the group");
    let made = Made {
        plan: p,
        current,
        fingerprint: "sha256:0".into(),
        call_paths,
    };
    let (text, _, _) = all_formats(&made);
    (made, text)
}

#[test]
fn a_group_two_hundred_users_fall_back_to_is_said_once() {
    let (made, text) = fallback_plan(200);
    let paths = call_path_section(&text);
    assert!(
        paths.len() < 60,
        "{} lines:\n{}",
        paths.len(),
        paths.join("\n")
    );
    insta::assert_snapshot!("plan_fallback_200_text", text);
    let (_, markdown, _) = all_formats(&made);
    assert!(!markdown.contains("left out"), "{markdown}");
    insta::assert_snapshot!("plan_fallback_200_markdown", markdown);
}

/// Grouping by cause is linear: 5,000 users reaching one changed group
/// take about ten times as long as 500. Run by `bench/call-paths.sh`,
/// whose figures are in docs/performance.md.
#[test]
#[ignore = "a benchmark: bench/call-paths.sh runs it in release"]
fn grouping_by_cause_is_linear() {
    let mut rows = Vec::new();
    for users in [500, 5_000] {
        let (made, _) = fallback_plan(users);
        let runs = 5;
        let started = std::time::Instant::now();
        let mut lines = 0;
        for _ in 0..runs {
            let causes = vocm_core::route::causes::group(&made.call_paths);
            assert_eq!(causes.causes.len(), 1);
            assert_eq!(causes.causes[0].reached.len(), users + 1);
            lines =
                vocm_core::render::paths::text(&made.call_paths, Detail::Changes, TEXT_WIDTH).len();
        }
        let each = started.elapsed() / runs;
        println!(
            "{users} users reach one changed group: grouped and rendered in {:.2} ms ({lines} lines)",
            each.as_secs_f64() * 1e3
        );
        rows.push(each.as_secs_f64());
    }
    // Ten times the users: well under a hundred times the time.
    assert!(rows[1] < rows[0] * 30.0, "{rows:?}");
}
