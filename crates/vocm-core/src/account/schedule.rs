//! A schedule in canonical form, as the auto attendants that follow it
//! carry it, and the state it gives a moment: open, closed or a holiday.
//!
//! Hours and dates are local to the schedule's time zone, so a local time
//! is read as it is. Time zone arithmetic — an instant in the zone, a local
//! time the clocks skip — is jiff's, on the IANA database it bundles (the
//! host's is never read: a schedule evaluates the same on every machine).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::{AmbiguousOffset, TimeZone};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::schedule::{DateRange, TimeRange, Weekday};

/// A schedule, every day and holiday explicit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    /// The schedule's key in the manifests' `schedules`.
    pub key: String,
    /// IANA time zone, resolved: the schedule's own, else the site's of the
    /// attendant that carries it.
    pub timezone: String,
    /// Open hours by day, each day's ranges in order and merged where they
    /// touch; a day absent is closed.
    pub open: BTreeMap<Weekday, Vec<TimeRange>>,
    /// Days closed all day, in date order → their name.
    pub holidays: BTreeMap<DateRange, Option<String>>,
}

/// Which of an attendant's menus answers.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ScheduleState {
    /// Within the open hours.
    Open,
    /// Outside them.
    Closed,
    /// On a holiday, whatever the hours.
    Holiday,
}

impl ScheduleState {
    pub const ALL: [ScheduleState; 3] = [
        ScheduleState::Open,
        ScheduleState::Closed,
        ScheduleState::Holiday,
    ];
}

/// A moment to read a schedule at: a local time in each schedule's own
/// time zone (`2026-12-25T10:00`), or an instant (`2026-12-25T09:00Z`,
/// `2026-12-25T10:00+01:00`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum At {
    Local(DateTime),
    Instant(Timestamp),
}

impl FromStr for At {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        if let Ok(t) = s.parse::<Timestamp>() {
            return Ok(At::Instant(t));
        }
        s.parse::<DateTime>().map(At::Local).map_err(|_| {
            format!(
                "`{s}` is not a time: write a local time like 2026-12-25T10:00, or an instant like 2026-12-25T09:00Z"
            )
        })
    }
}

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            At::Local(dt) => write!(f, "{}", dt.strftime("%Y-%m-%dT%H:%M")),
            At::Instant(t) => t.fmt(f),
        }
    }
}

/// A moment placed in a schedule's time zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Local {
    /// The wall-clock time the schedule is read at.
    pub time: DateTime,
    /// The local time asked for, when the clocks skip it (spring forward):
    /// `time` is then as late as the jump.
    pub skipped: Option<DateTime>,
}

impl Schedule {
    /// The schedule's time zone, from the bundled database.
    ///
    /// # Errors
    /// A name the database does not know (validation reports it first).
    pub fn zone(&self) -> Result<TimeZone, String> {
        TimeZone::get(&self.timezone).map_err(|e| e.to_string())
    }

    /// `at` on the schedule's wall clock. A local time the clocks skip is
    /// moved forward by the jump (02:30 on the night clocks go from 02:00 to
    /// 03:00 is 03:30), as the zone's own clocks read then; one they repeat
    /// (fall back) reads the same either way.
    ///
    /// # Errors
    /// The time zone is unknown, or the moment is out of jiff's range.
    pub fn local(&self, at: At) -> Result<Local, String> {
        let zone = self.zone()?;
        match at {
            At::Instant(t) => Ok(Local {
                time: t.to_zoned(zone).datetime(),
                skipped: None,
            }),
            At::Local(dt) => {
                let ambiguous = zone.to_ambiguous_zoned(dt);
                let skipped = matches!(ambiguous.offset(), AmbiguousOffset::Gap { .. });
                let zoned = ambiguous.compatible().map_err(|e| e.to_string())?;
                Ok(Local {
                    time: zoned.datetime(),
                    skipped: skipped.then_some(dt),
                })
            }
        }
    }

    /// The state at a wall-clock time of the schedule's zone, and on a
    /// holiday, the holiday's range and name.
    #[must_use]
    pub fn state_at(&self, local: DateTime) -> (ScheduleState, Option<(DateRange, Option<&str>)>) {
        let date = local.date();
        if let Some((range, name)) = self.holidays.iter().find(|(r, _)| r.contains(date)) {
            return (ScheduleState::Holiday, Some((*range, name.as_deref())));
        }
        let minute =
            u16::try_from(i32::from(local.hour()) * 60 + i32::from(local.minute())).unwrap_or(0);
        let open = self
            .open
            .get(&Weekday::of(date))
            .is_some_and(|ranges| ranges.iter().any(|r| r.contains(minute)));
        let state = if open {
            ScheduleState::Open
        } else {
            ScheduleState::Closed
        };
        (state, None)
    }

    /// The states the schedule can be in: a schedule without holidays is
    /// never on one.
    pub fn states(&self) -> impl Iterator<Item = ScheduleState> + '_ {
        ScheduleState::ALL
            .into_iter()
            .filter(|s| *s != ScheduleState::Holiday || !self.holidays.is_empty())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // tests fail loudly on purpose

    use jiff::civil::date;

    use super::*;
    use crate::model;

    /// Paris office hours: weekdays 08:30-12:00 and 13:30-18:00, Saturday
    /// mornings, a night shift on Sundays 01:00-04:00 (across the clock
    /// changes), Christmas and a winter break over the new year.
    fn paris() -> Schedule {
        let written = model::Schedule {
            timezone: Some("Europe/Paris".into()),
            open: [
                ("mon-fri", vec!["08:30-12:00", "13:30-18:00"]),
                ("sat", vec!["09:00-12:00"]),
                ("sun", vec!["01:00-04:00"]),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.into_iter().map(str::to_owned).collect()))
            .collect(),
            holidays: [
                ("2026-12-25", Some("Christmas Day")),
                ("2026-12-31/2027-01-02", Some("New year")),
                ("2026-05-01", None),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.map(str::to_owned)))
            .collect(),
        };
        let (hours, problems) = written.parse();
        assert!(problems.is_empty(), "{problems:?}");
        Schedule {
            key: "paris-hours".into(),
            timezone: "Europe/Paris".into(),
            open: hours.open,
            holidays: hours.holidays,
        }
    }

    fn state(s: &Schedule, at: &str) -> ScheduleState {
        let local = s.local(at.parse().unwrap()).unwrap();
        s.state_at(local.time).0
    }

    #[test]
    fn open_hours_start_included_end_excluded() {
        let s = paris();
        // 2026-12-21 is a Monday.
        assert_eq!(state(&s, "2026-12-21T08:29"), ScheduleState::Closed);
        assert_eq!(state(&s, "2026-12-21T08:30"), ScheduleState::Open);
        assert_eq!(state(&s, "2026-12-21T11:59"), ScheduleState::Open);
        assert_eq!(state(&s, "2026-12-21T12:00"), ScheduleState::Closed);
        assert_eq!(state(&s, "2026-12-21T13:30"), ScheduleState::Open);
        assert_eq!(state(&s, "2026-12-21T18:00"), ScheduleState::Closed);
        // Saturday morning only; Sunday's night shift.
        assert_eq!(state(&s, "2026-12-26T10:00"), ScheduleState::Open);
        assert_eq!(state(&s, "2026-12-26T14:00"), ScheduleState::Closed);
        assert_eq!(state(&s, "2026-12-27T02:00"), ScheduleState::Open);
    }

    #[test]
    fn holidays_win_over_open_hours_and_ranges_include_both_ends() {
        let s = paris();
        let (state, holiday) = s.state_at("2026-12-25T10:00".parse().unwrap());
        assert_eq!(state, ScheduleState::Holiday);
        assert_eq!(holiday.unwrap().1, Some("Christmas Day"));
        for day in ["2026-12-31T10:00", "2027-01-01T23:59", "2027-01-02T10:00"] {
            assert_eq!(
                super::tests::state(&s, day),
                ScheduleState::Holiday,
                "{day}"
            );
        }
        // The day after the range is a Sunday: open at night, not a holiday.
        assert_eq!(
            super::tests::state(&s, "2027-01-03T02:00"),
            ScheduleState::Open
        );
        // A holiday without a name.
        let (state, holiday) = s.state_at("2026-05-01T10:00".parse().unwrap());
        assert_eq!((state, holiday.unwrap().1), (ScheduleState::Holiday, None));
    }

    #[test]
    fn a_local_time_the_clocks_skip_moves_forward() {
        let s = paris();
        // 2026-03-29: Paris goes from 02:00 CET to 03:00 CEST. 02:30 does
        // not exist; it reads 03:30, still in the Sunday night shift.
        let local = s.local("2026-03-29T02:30".parse().unwrap()).unwrap();
        assert_eq!(local.time, date(2026, 3, 29).at(3, 30, 0, 0));
        assert_eq!(local.skipped, Some(date(2026, 3, 29).at(2, 30, 0, 0)));
        assert_eq!(s.state_at(local.time).0, ScheduleState::Open);
        // 03:59 is the shift's last minute, 04:00 past it.
        assert_eq!(state(&s, "2026-03-29T03:59"), ScheduleState::Open);
        assert_eq!(state(&s, "2026-03-29T04:00"), ScheduleState::Closed);
        // 02:45 of a day without a clock change is just 02:45.
        let local = s.local("2026-03-22T02:45".parse().unwrap()).unwrap();
        assert_eq!(local.skipped, None);
    }

    #[test]
    fn a_local_time_the_clocks_repeat_reads_the_same_both_times() {
        let s = paris();
        // 2026-10-25: 03:00 CEST goes back to 02:00 CET; 02:30 happens
        // twice, at 00:30 and 01:30 UTC. Both are in the night shift.
        let local = s.local("2026-10-25T02:30".parse().unwrap()).unwrap();
        assert_eq!(local.skipped, None);
        assert_eq!(local.time, date(2026, 10, 25).at(2, 30, 0, 0));
        for instant in ["2026-10-25T00:30Z", "2026-10-25T01:30Z"] {
            let local = s.local(instant.parse().unwrap()).unwrap();
            assert_eq!(local.time, date(2026, 10, 25).at(2, 30, 0, 0), "{instant}");
            assert_eq!(s.state_at(local.time).0, ScheduleState::Open);
        }
        // An hour later in UTC, the shift is over on the wall clock.
        assert_eq!(state(&s, "2026-10-25T03:00Z"), ScheduleState::Closed);
    }

    #[test]
    fn an_instant_is_read_on_the_schedules_wall_clock() {
        let s = paris();
        // 07:30 UTC is 08:30 in Paris in winter (open), 09:30 in summer.
        assert_eq!(state(&s, "2026-12-21T07:30Z"), ScheduleState::Open);
        assert_eq!(state(&s, "2026-12-21T07:29Z"), ScheduleState::Closed);
        assert_eq!(state(&s, "2026-06-22T06:29Z"), ScheduleState::Closed);
        assert_eq!(state(&s, "2026-06-22T06:30Z"), ScheduleState::Open);
        // With an offset: 23:30 in New York on Christmas Eve is Christmas
        // morning in Paris.
        assert_eq!(state(&s, "2026-12-24T23:30-05:00"), ScheduleState::Holiday);
        // Another zone's schedule reads the same instant on its own clock.
        let mut ny = paris();
        ny.timezone = "America/New_York".into();
        assert_eq!(state(&ny, "2026-12-24T23:30-05:00"), ScheduleState::Closed);
        // New York skips 02:00-03:00 on 2026-03-08, another date.
        let local = ny.local("2026-03-08T02:15".parse().unwrap()).unwrap();
        assert_eq!(local.time, date(2026, 3, 8).at(3, 15, 0, 0));
        assert!(local.skipped.is_some());
    }

    #[test]
    fn moments_are_read_and_printed() {
        assert_eq!(
            "2026-12-25T10:00".parse::<At>().unwrap(),
            At::Local(date(2026, 12, 25).at(10, 0, 0, 0))
        );
        assert!(matches!(
            "2026-12-25T09:00Z".parse::<At>().unwrap(),
            At::Instant(_)
        ));
        assert_eq!(
            "2026-12-25T10:00".parse::<At>().unwrap().to_string(),
            "2026-12-25T10:00"
        );
        assert!("Christmas".parse::<At>().is_err());
        assert!("2026-02-30T10:00".parse::<At>().is_err());
    }

    #[test]
    fn an_unknown_zone_is_an_error_not_a_panic() {
        let mut s = paris();
        s.timezone = "Europe/Atlantis".into();
        assert!(s.local("2026-12-25T10:00".parse().unwrap()).is_err());
    }

    #[test]
    fn a_schedule_without_holidays_is_never_on_one() {
        let mut s = paris();
        assert_eq!(s.states().count(), 3);
        s.holidays.clear();
        assert_eq!(
            s.states().collect::<Vec<_>>(),
            [ScheduleState::Open, ScheduleState::Closed]
        );
    }
}
