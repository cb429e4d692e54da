//! Auto attendants: `/vocm/auto-attendants` (extension), with their
//! schedule and the menus of its closed hours and holidays.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use vocm_core::account::{AutoAttendant, Kind, Menu, Schedule};
use vocm_core::model::schedule::{DateRange, TimeRange, Weekday};
use vocm_core::model::{Destination, MenuDestination, PhoneNumber};

use super::destination::{destination_from_wire, destination_to_wire};
use super::{Ids, id_ref, opt, s, set};

/// A menu's `greeting`, `menu` and `timeout` fields, as an object.
fn menu_to_wire(
    greeting: Option<&String>,
    menu: &BTreeMap<String, MenuDestination>,
    timeout: &Destination,
    ids: &Ids,
) -> Map<String, Value> {
    let entries: Vec<Value> = menu
        .iter()
        .map(|(k, d)| json!({"key": k, "destination": destination_to_wire(&d.0, ids)}))
        .collect();
    let mut out = Map::new();
    out.insert(
        "greeting".into(),
        greeting.map_or(Value::Null, |g| id_ref(ids, Kind::AudioFile, g)),
    );
    out.insert("menu".into(), Value::Array(entries));
    out.insert("timeout".into(), destination_to_wire(timeout, ids));
    out
}

/// The `greeting`, `menu` and `timeout` fields of `v`.
fn menu_from_wire(v: &Value, ids: &Ids) -> Menu {
    let menu = v
        .get("menu")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|m| {
            let k = s(m, "/key")?;
            Some((
                k,
                MenuDestination(destination_from_wire(m.get("destination")?, ids)),
            ))
        })
        .collect();
    Menu {
        greeting: ids.key_at(v, "/greeting/id", Kind::AudioFile),
        menu,
        timeout: v
            .get("timeout")
            .map_or(Destination::Drop, |t| destination_from_wire(t, ids)),
    }
}

fn schedule_to_wire(s: &Schedule) -> Value {
    let open: Vec<Value> = s
        .open
        .iter()
        .flat_map(|(day, ranges)| {
            ranges.iter().map(move |r| {
                let text = r.to_string();
                let (from, to) = text.split_once('-').unwrap_or_default();
                json!({"day": day.name().to_uppercase(), "from": from, "to": to})
            })
        })
        .collect();
    let holidays: Vec<Value> = s
        .holidays
        .iter()
        .map(|(dates, name)| {
            json!({"from": dates.first.to_string(), "to": dates.last.to_string(), "name": name})
        })
        .collect();
    json!({"vocmKey": s.key, "timeZone": s.timezone, "openHours": open, "holidays": holidays})
}

/// A schedule from the wire; hours and dates it cannot read are left out
/// (the plan then shows them as missing).
fn schedule_from_wire(v: &Value) -> Option<Schedule> {
    let list = |field: &str| v.get(field).and_then(Value::as_array).into_iter().flatten();
    let mut open: BTreeMap<Weekday, Vec<TimeRange>> = BTreeMap::new();
    for h in list("openHours") {
        let day = s(h, "/day").and_then(|d| d.to_lowercase().parse::<Weekday>().ok());
        let range = format!(
            "{}-{}",
            s(h, "/from").unwrap_or_default(),
            s(h, "/to").unwrap_or_default()
        )
        .parse::<TimeRange>();
        if let (Some(day), Ok(range)) = (day, range) {
            open.entry(day).or_default().push(range);
        }
    }
    let holidays = list("holidays")
        .filter_map(|h| {
            let dates = format!("{}/{}", s(h, "/from")?, s(h, "/to")?);
            Some((dates.parse::<DateRange>().ok()?, s(h, "/name")))
        })
        .collect();
    Some(Schedule {
        key: s(v, "/vocmKey")?,
        timezone: s(v, "/timeZone").unwrap_or_default(),
        open,
        holidays,
    })
}

pub(super) fn encode(v: &mut Value, key: &str, a: &AutoAttendant, ids: &Ids) {
    let mut put = |pointer: &str, value: Value| set(v, pointer, value);
    put("/vocmKey", json!(key));
    put("/name", json!(a.name));
    put("/site", id_ref(ids, Kind::Site, &a.site));
    put("/extensionNumber", json!(a.extension));
    put(
        "/phoneNumber",
        opt(a.phone_number.as_ref().map(PhoneNumber::to_string)),
    );
    let open = a.open_menu();
    for (field, value) in menu_to_wire(open.greeting, open.menu, open.timeout, ids) {
        put(&format!("/{field}"), value);
    }
    put(
        "/schedule",
        a.schedule.as_ref().map_or(Value::Null, schedule_to_wire),
    );
    for (field, menu) in [("/closed", &a.closed), ("/holiday", &a.holiday)] {
        let value = menu.as_ref().map_or(Value::Null, |m| {
            Value::Object(menu_to_wire(m.greeting.as_ref(), &m.menu, &m.timeout, ids))
        });
        put(field, value);
    }
}

pub(super) fn decode(v: &Value, ids: &Ids) -> AutoAttendant {
    let open = menu_from_wire(v, ids);
    let state = |field: &str| {
        v.get(field)
            .filter(|m| m.is_object())
            .map(|m| menu_from_wire(m, ids))
    };
    AutoAttendant {
        name: s(v, "/name").unwrap_or_default(),
        site: ids.key_at(v, "/site/id", Kind::Site).unwrap_or_default(),
        extension: s(v, "/extensionNumber").unwrap_or_default(),
        phone_number: s(v, "/phoneNumber").and_then(|p| p.parse().ok()),
        greeting: open.greeting,
        menu: open.menu,
        timeout: open.timeout,
        schedule: v.get("schedule").and_then(schedule_from_wire),
        closed: state("closed"),
        holiday: state("holiday"),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // tests fail loudly on purpose

    use super::*;
    use vocm_core::account::ResourceId;

    fn ids() -> Ids {
        let mut ids = Ids::default();
        for (kind, key, api) in [
            (Kind::Site, "paris", "site-1"),
            (Kind::AudioFile, "welcome", "audio-1"),
            (Kind::AudioFile, "after-hours", "audio-2"),
            (Kind::User, "emma", "user-1"),
        ] {
            ids.set_id(&ResourceId::new(kind, key), api);
        }
        ids.set_extension(&ResourceId::new(Kind::User, "emma"), "1001");
        ids
    }

    fn attendant() -> AutoAttendant {
        let menu = |k: &str, d: Destination| BTreeMap::from([(k.to_owned(), MenuDestination(d))]);
        AutoAttendant {
            name: "Main menu".into(),
            site: "paris".into(),
            extension: "1000".into(),
            phone_number: None,
            greeting: Some("welcome".into()),
            menu: menu("0", Destination::User("emma".into())),
            timeout: Destination::Drop,
            schedule: Some(Schedule {
                key: "paris-hours".into(),
                timezone: "Europe/Paris".into(),
                open: BTreeMap::from([(
                    Weekday::Mon,
                    vec![
                        "08:30-12:00".parse().unwrap(),
                        "13:30-24:00".parse().unwrap(),
                    ],
                )]),
                holidays: BTreeMap::from([
                    ("2026-12-25".parse().unwrap(), Some("Christmas Day".into())),
                    ("2026-12-31/2027-01-01".parse().unwrap(), None),
                ]),
            }),
            closed: Some(Menu {
                greeting: Some("after-hours".into()),
                menu: menu("9", Destination::DialByName),
                timeout: Destination::Voicemail,
            }),
            holiday: None,
        }
    }

    #[test]
    fn an_attendant_with_a_schedule_reads_back_as_written() {
        let (ids, a) = (ids(), attendant());
        let mut v = json!({"id": "aa-1", "createdBy": "console"});
        encode(&mut v, "main", &a, &ids);
        assert_eq!(
            v["createdBy"], "console",
            "fields vocm does not manage stay"
        );
        assert_eq!(v["closed"]["greeting"], json!({"id": "audio-2"}));
        assert_eq!(v["holiday"], Value::Null);
        assert_eq!(
            v["schedule"]["openHours"][1],
            json!({"day": "MON", "from": "13:30", "to": "24:00"})
        );
        assert_eq!(decode(&v, &ids), a);
        // Dropping the schedule clears it on the resource as fetched.
        let plain = AutoAttendant {
            schedule: None,
            closed: None,
            ..a
        };
        encode(&mut v, "main", &plain, &ids);
        assert_eq!((&v["schedule"], &v["closed"]), (&Value::Null, &Value::Null));
        assert_eq!(decode(&v, &ids), plain);
    }

    #[test]
    fn an_attendant_stored_before_schedules_has_none() {
        let v = json!({"id": "aa-1", "vocmKey": "main", "name": "Main menu", "extensionNumber": "1000",
            "menu": [], "timeout": {"type": "VOICEMAIL"}});
        let a = decode(&v, &ids());
        assert_eq!((a.schedule, a.closed, a.holiday), (None, None, None));
        assert_eq!(a.timeout, Destination::Voicemail);
    }
}
