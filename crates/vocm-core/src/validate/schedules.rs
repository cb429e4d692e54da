//! Schedules: days, time ranges, holidays and time zones read, and the
//! auto attendants' use of them (a `closed` or `holiday` menu needs a
//! schedule; a schedule or a state menu that changes nothing is a warning).

use rustc_hash::FxHashSet as HashSet;

use super::ctx::{Ctx, loc};
use super::suggest::did_you_mean;
use crate::diagnostics::{Code, Diagnostic};
use crate::model::schedule::{DateError, Problem, TimeRangeError, Weekday};
use crate::model::{Origin, Schedule};

/// Whether the bundled time zone database knows `name`.
fn known_zone(name: &str) -> bool {
    jiff::tz::TimeZone::get(name).is_ok()
}

/// "did you mean" among the database's zones, else an example.
fn zone_help(name: &str) -> String {
    let names: Vec<String> = jiff::tz::db()
        .available()
        .map(|n| n.as_str().to_owned())
        .collect();
    match did_you_mean(name, names.iter().map(String::as_str)) {
        Some(s) => format!("did you mean `{s}`?"),
        None => {
            "write a zone of the IANA time zone database, like `Europe/Paris` or `America/New_York`"
                .to_owned()
        }
    }
}

pub fn check(ctx: &mut Ctx<'_>) {
    let m = ctx.m;
    for (key, e) in &m.schedules {
        hours(ctx, key, e.origin, &e.value);
    }
    let mut zones_reported = HashSet::default();
    for (key, e) in &m.auto_attendants {
        let (o, a) = (e.origin, &e.value);
        let Some(name) = &a.schedule else {
            for (field, _) in a.state_menus() {
                let (file, span) = ctx.key(o, loc!["auto_attendants", key, field]);
                ctx.out.push(
                    Diagnostic::error(
                        Code::ScheduleRequired,
                        format!("auto_attendants.{key} has a `{field}` menu but no `schedule`"),
                    )
                    .at(file, span, "never answers without a schedule")
                    .help(format!(
                        "add `schedule: KEY` (a key of `schedules`) so that vocm knows when the attendant is {}, or remove `{field}`",
                        if field == "closed" { "closed" } else { "on a holiday" }
                    )),
                );
            }
            continue;
        };
        // An unknown schedule is the reference check's.
        let Some(schedule) = m.schedules.get(name) else {
            continue;
        };
        if a.closed.is_none() && a.holiday.is_none() {
            let (file, span) = ctx.value(o, loc!["auto_attendants", key, "schedule"]);
            ctx.out.push(
                Diagnostic::warning(
                    Code::ScheduleNoEffect,
                    format!(
                        "auto_attendants.{key} follows schedule `{name}` but has no `closed` or `holiday` menu: the same menu answers at all times"
                    ),
                )
                .at(file, span, "changes nothing")
                .help("add `closed: {greeting: …, menu: {…}, timeout: …}` for the hours outside the schedule, or remove `schedule`"),
            );
        }
        if a.holiday.is_some() && schedule.value.holidays.is_empty() {
            let (file, span) = ctx.key(o, loc!["auto_attendants", key, "holiday"]);
            let (sf, ss) = ctx.key(schedule.origin, loc!["schedules", name]);
            ctx.out.push(
                Diagnostic::warning(
                    Code::ScheduleNoEffect,
                    format!(
                        "the `holiday` menu of auto_attendants.{key} never answers: schedule `{name}` lists no holidays"
                    ),
                )
                .at(file, span, "never answers")
                .related(sf, ss, "no `holidays` here")
                .help(format!(
                    "add dates under `holidays:` of schedule `{name}`, or remove the `holiday` menu"
                )),
            );
        }
        // Without its own zone, the schedule reads the attendant's site's.
        if schedule.value.timezone.is_none()
            && let Some(site_key) = m.site_of(a.site.as_ref())
            && let Some(site) = m.sites.get(site_key)
            && !known_zone(&site.value.timezone)
            && zones_reported.insert(site_key)
        {
            let zone = &site.value.timezone;
            let (file, span) = ctx.value(site.origin, loc!["sites", site_key, "timezone"]);
            ctx.out.push(
                Diagnostic::error(
                    Code::ScheduleTimezone,
                    format!(
                        "unknown time zone `{zone}` of site `{site_key}`, which schedule `{name}` reads its hours in"
                    ),
                )
                .at(file, span, "not in the time zone database")
                .help(zone_help(zone)),
            );
        }
    }
}

/// One schedule's own fields.
fn hours(ctx: &mut Ctx<'_>, key: &str, o: Origin, s: &Schedule) {
    if let Some(zone) = &s.timezone
        && !known_zone(zone)
    {
        ctx.error(
            Code::ScheduleTimezone,
            o,
            loc!["schedules", key, "timezone"],
            format!("unknown time zone `{zone}` (schedules.{key})"),
            "not in the time zone database",
            zone_help(zone),
        );
    }
    let (_, problems) = s.parse();
    for p in problems {
        problem(ctx, key, o, s, p);
    }
}

fn problem(ctx: &mut Ctx<'_>, key: &str, o: Origin, s: &Schedule, p: Problem) {
    match p {
        Problem::Day { key: day, unknown } => {
            let names = Weekday::ALL.map(Weekday::name);
            let lower = unknown.to_ascii_lowercase();
            // Full names (`monday`) start with the day; typos of three
            // letters are mostly swaps (`fir`), which similarity misses.
            let letters = |s: &str| {
                let mut c: Vec<char> = s.chars().collect();
                c.sort_unstable();
                c
            };
            let help = match did_you_mean(&unknown, names).or_else(|| {
                names
                    .into_iter()
                    .find(|n| lower.starts_with(n) || letters(&lower) == letters(n))
            }) {
                Some(n) => format!(
                    "did you mean `{n}`? days are written mon, tue, wed, thu, fri, sat, sun, or a span like `mon-fri`"
                ),
                None => {
                    "days are written mon, tue, wed, thu, fri, sat, sun, or a span like `mon-fri`"
                        .to_owned()
                }
            };
            let (file, span) = ctx.key(o, loc!["schedules", key, "open", &day]);
            ctx.out.push(
                Diagnostic::error(
                    Code::ScheduleDay,
                    format!("`{unknown}` is not a day (schedules.{key}.open)"),
                )
                .at(file, span, "not a day")
                .help(help),
            );
        }
        Problem::TimeRange {
            at: (day, i),
            error,
        } => {
            let text = &s.open[&day][i];
            let (message, label, help) = match error {
                TimeRangeError::Malformed => (
                    format!("`{text}` is not a time range (schedules.{key}.open.{day})"),
                    "not a time range",
                    "write the opening and closing times in 24-hour form, like \"08:30-12:00\"; \"24:00\" ends the day",
                ),
                TimeRangeError::NotAfter => (
                    format!("`{text}` does not end after it starts (schedules.{key}.open.{day})"),
                    "ends before it starts",
                    "hours cannot cross midnight: split them over two days, like \"18:00-24:00\" and \"00:00-02:00\" on the next",
                ),
            };
            ctx.error(
                Code::ScheduleTimeRange,
                o,
                loc!["schedules", key, "open", &day, i],
                message,
                label,
                help,
            );
        }
        Problem::Overlap { day, first, second } => {
            let (f1, s1) = ctx.value(o, loc!["schedules", key, "open", &first.0, first.1]);
            let (f2, s2) = ctx.value(o, loc!["schedules", key, "open", &second.0, second.1]);
            let (a, b) = (&s.open[&first.0][first.1], &s.open[&second.0][second.1]);
            ctx.out.push(
                Diagnostic::error(
                    Code::ScheduleOverlap,
                    format!(
                        "opening hours `{a}` and `{b}` overlap on {} (schedules.{key})",
                        day.name()
                    ),
                )
                .at(f2, s2, "overlaps")
                .related(f1, s1, format!("`{a}` is here"))
                .help("give each day's ranges without overlaps: merge them into one range, or fix the times"),
            );
        }
        Problem::Date {
            key: holiday,
            error,
        } => {
            let (message, label, help) = match &error {
                DateError::NotADate(part) => (
                    format!("`{part}` is not a date (schedules.{key}.holidays)"),
                    "not a date",
                    "write a date `YYYY-MM-DD` (like 2026-12-25), or a range of dates `YYYY-MM-DD/YYYY-MM-DD`, both days included",
                ),
                DateError::Backwards => (
                    format!("the holidays `{holiday}` end before they start (schedules.{key})"),
                    "ends before it starts",
                    "write the first day first: `FIRST/LAST`",
                ),
            };
            let (file, span) = ctx.key(o, loc!["schedules", key, "holidays", &holiday]);
            ctx.out.push(
                Diagnostic::error(Code::ScheduleDate, message)
                    .at(file, span, label)
                    .help(help),
            );
        }
        Problem::HolidayOverlap { first, second, day } => {
            let (f1, s1) = ctx.key(o, loc!["schedules", key, "holidays", &first]);
            let (f2, s2) = ctx.key(o, loc!["schedules", key, "holidays", &second]);
            ctx.out.push(
                Diagnostic::error(
                    Code::ScheduleOverlap,
                    format!(
                        "holidays `{first}` and `{second}` both include {day} (schedules.{key})"
                    ),
                )
                .at(f2, s2, "overlaps")
                .related(f1, s1, format!("`{first}` is here"))
                .help("list each day once: remove one, or shorten a range"),
            );
        }
    }
}
