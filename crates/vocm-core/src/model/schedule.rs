//! Business hours: weekly open hours, holidays and a time zone, which auto
//! attendants follow (`schedule: KEY`) to answer with a menu per state.
//!
//! [`Schedule`] is the manifest's form, strings as written, so that one bad
//! range is a precise diagnostic rather than a schedule that cannot be read.
//! [`Schedule::parse`] reads it into typed [`Hours`] and lists what it could
//! not read: validation turns that into diagnostics, the planner keeps the
//! hours. Dates and times are read by jiff.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use indexmap::IndexMap;
use jiff::civil::{Date, Time};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::site::TIMEZONE_PATTERN;
use super::text::{string_schema, string_serde};

/// A schedule: when the auto attendants that use it are open, and the
/// holidays they are closed all day.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    /// IANA time zone the hours and dates are in, e.g. `Europe/Paris`.
    /// Default: the time zone of the site of each auto attendant that uses
    /// the schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = TIMEZONE_PATTERN))]
    pub timezone: Option<String>,
    /// Open hours by day: a day (`mon` … `sun`) or a span of days
    /// (`mon-fri`) → time ranges `"08:30-12:00"` (`24:00` ends a day).
    /// Days not listed are closed.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub open: IndexMap<String, Vec<String>>,
    /// Days closed all day: a date (`2026-12-25`) or a range of dates, both
    /// included (`2026-12-24/2026-12-26`) → its name, or nothing.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub holidays: IndexMap<String, Option<String>>,
}

/// A day of the week, as schedules write it.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    /// The week, Monday first.
    pub const ALL: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];

    /// `mon`, as written.
    #[must_use]
    pub fn name(self) -> &'static str {
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][self.index()]
    }

    fn index(self) -> usize {
        self as usize
    }

    /// The day of a date.
    #[must_use]
    pub fn of(date: Date) -> Weekday {
        Weekday::ALL[usize::try_from(date.weekday().to_monday_zero_offset()).unwrap_or(0)]
    }

    /// The days from `self` to `last`, both included, going round the week
    /// (`fri-mon` is Friday to Monday).
    #[must_use]
    pub fn through(self, last: Weekday) -> Vec<Weekday> {
        let count = (last.index() + 7 - self.index()) % 7 + 1;
        (0..count)
            .map(|i| Weekday::ALL[(self.index() + i) % 7])
            .collect()
    }
}

impl FromStr for Weekday {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        Weekday::ALL.into_iter().find(|d| d.name() == s).ok_or(())
    }
}

/// Reads an `open` key: a day or a span of days. The error is the part
/// that names no day.
pub fn days(key: &str) -> Result<Vec<Weekday>, String> {
    let day = |s: &str| s.parse::<Weekday>().map_err(|()| s.to_owned());
    match key.split_once('-') {
        Some((first, last)) => Ok(day(first)?.through(day(last)?)),
        None => Ok(vec![day(key)?]),
    }
}

/// Opening hours within a day, in minutes since midnight: `start` included,
/// `end` excluded (`24:00` is 1440).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TimeRange {
    pub start: u16,
    pub end: u16,
}

/// Minutes in a day: the end of `24:00`.
const DAY: u16 = 24 * 60;

/// Why a time range cannot be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TimeRangeError {
    /// Not `HH:MM-HH:MM`.
    Malformed,
    /// The end is not after the start.
    NotAfter,
}

impl fmt::Display for TimeRangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeRangeError::Malformed => "a time range is written `HH:MM-HH:MM`",
            TimeRangeError::NotAfter => "a time range ends after it starts",
        })
    }
}

impl TimeRange {
    /// Whether the minute `m` of the day is inside.
    #[must_use]
    pub fn contains(self, m: u16) -> bool {
        self.start <= m && m < self.end
    }
}

fn minutes(s: &str, end: bool) -> Result<u16, TimeRangeError> {
    if end && s == "24:00" {
        return Ok(DAY);
    }
    let t = Time::strptime("%H:%M", s).map_err(|_| TimeRangeError::Malformed)?;
    Ok(u16::try_from(i32::from(t.hour()) * 60 + i32::from(t.minute())).unwrap_or(0))
}

impl FromStr for TimeRange {
    type Err = TimeRangeError;

    fn from_str(s: &str) -> Result<Self, TimeRangeError> {
        let (a, b) = s.split_once('-').ok_or(TimeRangeError::Malformed)?;
        let r = TimeRange {
            start: minutes(a.trim(), false)?,
            end: minutes(b.trim(), true)?,
        };
        if r.end <= r.start {
            return Err(TimeRangeError::NotAfter);
        }
        Ok(r)
    }
}

impl fmt::Display for TimeRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02}:{:02}-{:02}:{:02}",
            self.start / 60,
            self.start % 60,
            self.end / 60,
            self.end % 60
        )
    }
}

string_serde!(TimeRange);
string_schema!(
    TimeRange,
    "TimeRange",
    r"^([01][0-9]|2[0-3]):[0-5][0-9]-(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$",
    "Opening hours within a day, `HH:MM-HH:MM`.",
    "08:30-12:00"
);

/// One day, or several in a row (both included).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DateRange {
    pub first: Date,
    pub last: Date,
}

/// Why a holiday's date cannot be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DateError {
    /// This part is not a date of the calendar.
    NotADate(String),
    /// The range ends before it starts.
    Backwards,
}

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateError::NotADate(s) => write!(f, "`{s}` is not a date (YYYY-MM-DD)"),
            DateError::Backwards => f.write_str("the range ends before it starts"),
        }
    }
}

impl DateRange {
    #[must_use]
    pub fn contains(self, d: Date) -> bool {
        self.first <= d && d <= self.last
    }
}

fn date(s: &str) -> Result<Date, DateError> {
    // The calendar form only: `YYYY-MM-DD`, a real day.
    Date::strptime("%Y-%m-%d", s).map_err(|_| DateError::NotADate(s.to_owned()))
}

impl FromStr for DateRange {
    type Err = DateError;

    fn from_str(s: &str) -> Result<Self, DateError> {
        let (first, last) = if let Some((a, b)) = s.split_once('/') {
            (date(a.trim())?, date(b.trim())?)
        } else {
            let d = date(s.trim())?;
            (d, d)
        };
        if last < first {
            return Err(DateError::Backwards);
        }
        Ok(DateRange { first, last })
    }
}

impl fmt::Display for DateRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.first == self.last {
            write!(f, "{}", self.first)
        } else {
            write!(f, "{}/{}", self.first, self.last)
        }
    }
}

string_serde!(DateRange);
string_schema!(
    DateRange,
    "DateRange",
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(/[0-9]{4}-[0-9]{2}-[0-9]{2})?$",
    "A date, or a range of dates with both days included (`2026-12-24/2026-12-26`).",
    "2026-12-25"
);

/// A schedule read: open hours by day, each day's ranges in order and
/// merged where they touch, and holidays in date order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hours {
    pub open: BTreeMap<Weekday, Vec<TimeRange>>,
    pub holidays: BTreeMap<DateRange, Option<String>>,
}

/// Where in `open` a range is written: its day key and index.
pub type RangeAt = (String, usize);

/// What [`Schedule::parse`] could not read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// An `open` key names something that is no day.
    Day { key: String, unknown: String },
    /// A time range of `open` cannot be read.
    TimeRange { at: RangeAt, error: TimeRangeError },
    /// Two ranges of a day overlap (reported once per pair).
    Overlap {
        day: Weekday,
        first: RangeAt,
        second: RangeAt,
    },
    /// A holiday that is not a date or a range of dates.
    Date { key: String, error: DateError },
    /// Two holidays share a day.
    HolidayOverlap {
        first: String,
        second: String,
        day: Date,
    },
}

impl Schedule {
    /// The hours this schedule describes, and what could not be read (left
    /// out of the hours).
    #[must_use]
    pub fn parse(&self) -> (Hours, Vec<Problem>) {
        let mut problems = Vec::new();
        let mut by_day: BTreeMap<Weekday, Vec<(TimeRange, RangeAt)>> = BTreeMap::new();
        for (key, ranges) in &self.open {
            let days = match days(key) {
                Ok(d) => d,
                Err(unknown) => {
                    problems.push(Problem::Day {
                        key: key.clone(),
                        unknown,
                    });
                    continue;
                }
            };
            for (i, text) in ranges.iter().enumerate() {
                match text.parse::<TimeRange>() {
                    Ok(r) => {
                        for d in &days {
                            by_day.entry(*d).or_default().push((r, (key.clone(), i)));
                        }
                    }
                    Err(error) => problems.push(Problem::TimeRange {
                        at: (key.clone(), i),
                        error,
                    }),
                }
            }
        }
        let mut hours = Hours::default();
        let mut seen = Vec::new();
        for (day, mut ranges) in by_day {
            ranges.sort();
            let mut merged: Vec<TimeRange> = Vec::new();
            // The range reaching furthest so far, to catch every overlap.
            let mut widest: Option<(TimeRange, &RangeAt)> = None;
            for (r, at) in &ranges {
                if let Some((w, w_at)) = widest
                    && r.start < w.end
                {
                    let pair = (w_at.clone(), at.clone());
                    if !seen.contains(&pair) {
                        problems.push(Problem::Overlap {
                            day,
                            first: pair.0.clone(),
                            second: pair.1.clone(),
                        });
                        seen.push(pair);
                    }
                }
                if widest.is_none_or(|(w, _)| r.end > w.end) {
                    widest = Some((*r, at));
                }
                match merged.last_mut() {
                    Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                    _ => merged.push(*r),
                }
            }
            hours.open.insert(day, merged);
        }
        for (key, name) in &self.holidays {
            match key.parse::<DateRange>() {
                Ok(r) => {
                    hours.holidays.insert(r, name.clone());
                }
                Err(error) => problems.push(Problem::Date {
                    key: key.clone(),
                    error,
                }),
            }
        }
        let written: BTreeMap<DateRange, &String> = self
            .holidays
            .keys()
            .filter_map(|k| Some((k.parse::<DateRange>().ok()?, k)))
            .collect();
        let mut previous: Option<(&DateRange, &String)> = None;
        for (r, key) in &written {
            if let Some((p, p_key)) = previous
                && r.first <= p.last
            {
                problems.push(Problem::HolidayOverlap {
                    first: p_key.clone(),
                    second: (*key).clone(),
                    day: r.first,
                });
            }
            if previous.is_none_or(|(p, _)| r.last > p.last) {
                previous = Some((r, key));
            }
        }
        (hours, problems)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // tests fail loudly on purpose

    use super::*;

    fn schedule(yaml_open: &[(&str, &[&str])], holidays: &[&str]) -> Schedule {
        Schedule {
            timezone: None,
            open: yaml_open
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.iter().map(|s| (*s).to_owned()).collect()))
                .collect(),
            holidays: holidays.iter().map(|k| ((*k).to_owned(), None)).collect(),
        }
    }

    #[test]
    fn days_and_spans_of_days() {
        assert_eq!(days("wed").unwrap(), [Weekday::Wed]);
        assert_eq!(days("mon-fri").unwrap().len(), 5);
        // Round the week.
        assert_eq!(
            days("fri-mon").unwrap(),
            [Weekday::Fri, Weekday::Sat, Weekday::Sun, Weekday::Mon]
        );
        assert_eq!(days("mon-mon").unwrap(), [Weekday::Mon]);
        assert_eq!(days("monday").unwrap_err(), "monday");
        assert_eq!(days("mon-fir").unwrap_err(), "fir");
    }

    #[test]
    fn time_ranges_read_and_print() {
        let r: TimeRange = "08:30-12:00".parse().unwrap();
        assert_eq!((r.start, r.end), (510, 720));
        assert_eq!(r.to_string(), "08:30-12:00");
        assert_eq!("00:00-24:00".parse::<TimeRange>().unwrap().end, 1440);
        assert!(r.contains(510) && r.contains(719) && !r.contains(720));
        for bad in [
            "8h30-12h",
            "08:30",
            "24:00-24:00",
            "25:00-26:00",
            "08:60-09:00",
        ] {
            assert_eq!(
                bad.parse::<TimeRange>(),
                Err(TimeRangeError::Malformed),
                "{bad}"
            );
        }
        assert_eq!(
            "18:00-08:00".parse::<TimeRange>(),
            Err(TimeRangeError::NotAfter)
        );
        assert_eq!(
            "09:00-09:00".parse::<TimeRange>(),
            Err(TimeRangeError::NotAfter)
        );
    }

    #[test]
    fn dates_and_ranges_of_dates() {
        let one: DateRange = "2026-12-25".parse().unwrap();
        assert_eq!(one.first, one.last);
        assert_eq!(one.to_string(), "2026-12-25");
        let span: DateRange = "2026-12-24/2027-01-02".parse().unwrap();
        assert!(span.contains(jiff::civil::date(2026, 12, 31)));
        assert!(span.contains(jiff::civil::date(2027, 1, 2)));
        assert!(!span.contains(jiff::civil::date(2027, 1, 3)));
        assert_eq!(span.to_string(), "2026-12-24/2027-01-02");
        assert_eq!(
            "2026-12-25/2026-12-25"
                .parse::<DateRange>()
                .unwrap()
                .to_string(),
            "2026-12-25"
        );
        assert_eq!(
            "2026-02-30".parse::<DateRange>(),
            Err(DateError::NotADate("2026-02-30".into()))
        );
        assert_eq!(
            "25/12/2026".parse::<DateRange>(),
            Err(DateError::NotADate("25".into()))
        );
        assert_eq!(
            "2026-12-26/2026-12-24".parse::<DateRange>(),
            Err(DateError::Backwards)
        );
    }

    #[test]
    fn parse_merges_days_and_touching_ranges() {
        let s = schedule(
            &[
                ("mon-fri", &["13:30-18:00", "08:30-12:00"]),
                ("fri", &["18:00-20:00"]),
            ],
            &["2026-12-25"],
        );
        let (hours, problems) = s.parse();
        assert!(problems.is_empty(), "{problems:?}");
        let show = |d: Weekday| -> Vec<String> {
            hours.open[&d].iter().map(ToString::to_string).collect()
        };
        assert_eq!(show(Weekday::Mon), ["08:30-12:00", "13:30-18:00"]);
        assert_eq!(show(Weekday::Fri), ["08:30-12:00", "13:30-20:00"]);
        assert!(!hours.open.contains_key(&Weekday::Sat));
        assert_eq!(hours.holidays.len(), 1);
    }

    #[test]
    fn parse_reports_each_problem_once() {
        let s = schedule(
            &[
                ("mon-fri", &["08:00-12:00", "11:00-14:00", "9h-10h"]),
                ("tue", &["07:00-08:30"]),
                ("sunday", &["10:00-11:00"]),
            ],
            &["2026-12-24/2026-12-26", "2026-12-25", "2026-13-01"],
        );
        let (_, problems) = s.parse();
        assert_eq!(
            problems,
            [
                Problem::TimeRange {
                    at: ("mon-fri".into(), 2),
                    error: TimeRangeError::Malformed
                },
                Problem::Day {
                    key: "sunday".into(),
                    unknown: "sunday".into()
                },
                // Once for the five days of the span, then Tuesday's own.
                Problem::Overlap {
                    day: Weekday::Mon,
                    first: ("mon-fri".into(), 0),
                    second: ("mon-fri".into(), 1),
                },
                Problem::Overlap {
                    day: Weekday::Tue,
                    first: ("tue".into(), 0),
                    second: ("mon-fri".into(), 0),
                },
                Problem::Date {
                    key: "2026-13-01".into(),
                    error: DateError::NotADate("2026-13-01".into())
                },
                Problem::HolidayOverlap {
                    first: "2026-12-24/2026-12-26".into(),
                    second: "2026-12-25".into(),
                    day: jiff::civil::date(2026, 12, 25),
                },
            ]
        );
    }
}
