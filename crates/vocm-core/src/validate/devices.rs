//! Devices have one user; ring groups list each member once.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use super::ctx::{Ctx, loc};
use crate::diagnostics::{Code, Diagnostic};

/// A device's first holder: the user, and where it names the device.
type Holder<'a> = (&'a str, crate::model::Origin, crate::model::user::Field);

pub fn check(ctx: &mut Ctx<'_>) {
    // One physical device, registered twice under two keys.
    let mut macs: HashMap<&str, (&str, crate::model::Origin)> = HashMap::default();
    for (k, e) in &ctx.m.devices {
        let mac = e.value.mac.as_str();
        if let Some((first, origin)) = macs.get(mac) {
            let (f1, s1) = ctx.value(*origin, loc!["devices", *first, "mac"]);
            let (f2, s2) = ctx.value(e.origin, loc!["devices", k, "mac"]);
            ctx.out.push(
                Diagnostic::error(
                    Code::DeviceDuplicateMac,
                    format!("devices.{first} and devices.{k} have the same MAC address, {mac}"),
                )
                .at(f2, s2, "the same device again")
                .related(f1, s1, "first registered here")
                .help(
                    "a MAC address identifies one device: keep one key for it, or fix the address",
                ),
            );
        } else {
            macs.insert(mac, (k, e.origin));
        }
    }
    let mut first: HashMap<&str, Holder<'_>> = HashMap::default();
    for (k, e) in &ctx.m.users {
        for (device, field) in e.value.device_keys() {
            let device = device.as_str();
            if let Some((owner, origin, at)) = first.get(device) {
                if *owner == k.as_str() {
                    // Both forms name it: `both-forms` says so.
                    continue;
                }
                let mut p1 = loc!["users", *owner].to_vec();
                p1.extend(at.segs());
                let mut p2 = loc!["users", k].to_vec();
                p2.extend(field.segs());
                let (f1, s1) = ctx.value(*origin, &p1);
                let (f2, s2) = ctx.value(e.origin, &p2);
                ctx.out.push(
                    Diagnostic::error(
                        Code::DeviceAssignedTwice,
                        format!(
                            "device `{device}` is assigned to both users.{owner} and users.{k}"
                        ),
                    )
                    .at(f2, s2, "assigned again here")
                    .related(f1, s1, "first assigned here")
                    .help("a device belongs to one user: register another device for one of them"),
                );
            } else {
                first.insert(device, (k, e.origin, field));
            }
        }
    }
    for (k, e) in &ctx.m.ring_groups {
        let mut seen = HashSet::default();
        for (i, member) in e.value.members.iter().enumerate() {
            if !seen.insert(member.as_str()) {
                let first = e
                    .value
                    .members
                    .iter()
                    .position(|m| m == member)
                    .unwrap_or(0);
                let (f1, s1) = ctx.value(e.origin, loc!["ring_groups", k, "members", first]);
                let (f2, s2) = ctx.value(e.origin, loc!["ring_groups", k, "members", i]);
                ctx.out.push(
                    Diagnostic::error(
                        Code::RingGroupDuplicateMember,
                        format!("ring_groups.{k} lists `{member}` twice"),
                    )
                    .at(f2, s2, "listed again here")
                    .related(f1, s1, "first listed here")
                    .help("list each member once; the order of the list is the ring order"),
                );
            }
        }
    }
}
