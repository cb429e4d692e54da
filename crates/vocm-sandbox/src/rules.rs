//! The account's rules, as the reference enforces them: required fields,
//! references to resources that exist, unique user names, extensions, MAC
//! addresses and numbers, fields that cannot change, the license
//! inventory, and resources still in use that cannot be deleted.
//!
//! Writes are checked when they are accepted (a refusal answers at once)
//! and again when their operation completes, against the account as it is
//! then (a refusal fails the operation).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};
use sha2::{Digest as _, Sha256};

use vocm_api::{Collection, FieldError};

use super::account::{ACCOUNT_ID, Account, license_names};
use super::claims::Claim;
use super::field;
use super::phone;
use super::problem::{ApiError, field_error};

/// Fields of an address that the server owns: they take no part in the
/// address's identity.
const ADDRESS_OWNED: [&str; 5] = ["id", "displayForm", "createdTime", "origin", "addressUsage"];

/// Fills in what the server owns in a body about to be stored: ids,
/// timestamps and derived fields. `old` is the resource a `PUT` replaces.
pub fn own(
    c: Collection,
    id: &str,
    body: &mut Map<String, Value>,
    old: Option<&Value>,
    now: &str,
) -> Result<(), ApiError> {
    let replacing = old.is_some();
    match c {
        Collection::Users => {
            let Some(basic) = body.get_mut("basicInfo").and_then(Value::as_object_mut) else {
                return Err(ApiError::validation("basicInfo", "must not be null"));
            };
            keep_id(basic, "userId", "basicInfo.userId", id, replacing)?;
            let created = old
                .and_then(|o| o.pointer("/basicInfo/createdTime"))
                .cloned()
                .unwrap_or_else(|| json!(now));
            basic.insert("createdTime".into(), created);
            basic.insert("lastUpdatedTime".into(), json!(now));
        }
        Collection::PhoneNumbers => {
            keep_id(body, "phoneNumber", "phoneNumber", id, replacing)?;
            // Computed on every read, from what uses the number.
            body.remove("status");
            body.insert("country".into(), json!(phone::country(id)));
            body.insert("category".into(), json!(phone::category(id)));
            body.insert("origin".into(), json!("CLAIMED"));
        }
        Collection::AudioFiles => {
            keep_id(body, "id", "id", id, replacing)?;
            let content = match body.get("content") {
                Some(Value::String(s)) => STANDARD
                    .decode(s)
                    .map_err(|_| ApiError::validation("content", "must be base64"))?,
                _ => return Err(ApiError::validation("content", "must not be blank")),
            };
            body.insert("size".into(), json!(content.len()));
            body.insert("sha256".into(), json!(hex(&Sha256::digest(&content))));
        }
        Collection::Addresses => {
            for f in ADDRESS_OWNED {
                body.remove(f);
            }
            let display = display_form(body);
            body.insert("id".into(), json!(id));
            body.insert("displayForm".into(), json!(display));
            body.insert("createdTime".into(), json!(now));
            body.insert("origin".into(), json!("ADMIN_API"));
        }
        Collection::Account => {
            body.insert("id".into(), json!(ACCOUNT_ID));
        }
        Collection::Extras
        | Collection::Sites
        | Collection::RingGroups
        | Collection::Devices
        | Collection::AutoAttendants
        | Collection::Licenses
        | Collection::NumberClaims => keep_id(body, "id", "id", id, replacing)?,
    }
    Ok(())
}

/// A number the account holds from the start (`--numbers`), as the
/// reference lists it.
#[must_use]
pub fn held_number(n: &str) -> Value {
    json!({
        "phoneNumber": n,
        "country": phone::country(n),
        "category": phone::category(n),
        "origin": "PORTED",
    })
}

/// The first `vocm*` field of a body sent to a reference path: the
/// reference has none, so a client that sends one leaks its own model.
#[must_use]
pub fn extension_field(v: &Value) -> Option<String> {
    match v {
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            if k.starts_with("vocm") {
                Some(k.clone())
            } else {
                extension_field(v).map(|inner| format!("{k}.{inner}"))
            }
        }),
        Value::Array(items) => items.iter().find_map(extension_field),
        _ => None,
    }
}

/// Sets the id field; a `PUT` whose body names another id is refused, as
/// the reference refuses it.
fn keep_id(
    body: &mut Map<String, Value>,
    key: &str,
    field: &str,
    id: &str,
    replacing: bool,
) -> Result<(), ApiError> {
    if let Some(given) = body.get(key).and_then(Value::as_str)
        && replacing
        && given != id
    {
        let message = format!("Mismatched {key} in url vs payload: {id} vs {given}");
        return Err(ApiError::validation(field, message.clone())
            .detail(message)
            .with_title("Mismatched id in url vs payload"));
    }
    body.insert(key.to_owned(), json!(id));
    Ok(())
}

/// Checks a resource about to be stored, new or replacing `old`.
pub fn check(
    account: &Account,
    c: Collection,
    id: &str,
    value: &Value,
    old: Option<&Value>,
) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    let top = Reference { account, at: "" };
    match c {
        Collection::Users => check_user(account, id, value, old, &mut errors),
        Collection::Sites => {
            for f in ["name", "pbxName", "locale", "timezone", "address.id"] {
                required(value, f, &mut errors);
            }
            top.to(
                value,
                "address.id",
                Collection::Addresses,
                "address",
                &mut errors,
            );
            if changed(old, value, "pbxName") {
                errors.push(field_error(
                    "pbxName",
                    "VALIDATION_ERROR",
                    "the PBX of a site cannot change",
                ));
            }
            top.number(value, "callerIdSettings.mainNumber", &mut errors);
        }
        Collection::RingGroups => {
            required(value, "name", &mut errors);
            required(value, "extensionNumber", &mut errors);
            top.to(value, "site.id", Collection::Sites, "site", &mut errors);
            for (i, p) in array(value, "/phoneNumbers").iter().enumerate() {
                let at = format!("phoneNumbers[{i}]");
                Reference { account, at: &at }.number(p, "phoneNumber", &mut errors);
            }
        }
        Collection::AutoAttendants => {
            required(value, "name", &mut errors);
            required(value, "extensionNumber", &mut errors);
            top.to(value, "site.id", Collection::Sites, "site", &mut errors);
            // The greetings of the open hours, closed hours and holidays.
            for greeting in ["greeting.id", "closed.greeting.id", "holiday.greeting.id"] {
                top.to(
                    value,
                    greeting,
                    Collection::AudioFiles,
                    "audio file",
                    &mut errors,
                );
            }
            top.number(value, "phoneNumber", &mut errors);
        }
        Collection::Devices => {
            required(value, "macAddress", &mut errors);
            let well_formed = |mac: &str| {
                mac.len() == 12 && mac.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
            };
            if text(value, "macAddress").is_some_and(|mac| !well_formed(mac)) {
                errors.push(field_error(
                    "macAddress",
                    "VALIDATION_ERROR",
                    "must be 12 lowercase hexadecimal digits",
                ));
            }
        }
        Collection::Addresses => required(value, "country", &mut errors),
        Collection::PhoneNumbers
        | Collection::AudioFiles
        | Collection::Account
        | Collection::Licenses
        | Collection::Extras
        | Collection::NumberClaims => {}
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    if c == Collection::Users {
        check_licenses(account, id, value)?;
    }
    check_conflicts(account, c, id, value)
}

fn check_user(
    account: &Account,
    id: &str,
    user: &Value,
    old: Option<&Value>,
    errors: &mut Vec<FieldError>,
) {
    for f in [
        "basicInfo.userName",
        "basicInfo.firstName",
        "basicInfo.lastName",
        "basicInfo.primaryEmail",
        "basicInfo.site.id",
    ] {
        required(user, f, errors);
    }
    let top = Reference { account, at: "" };
    top.to(user, "basicInfo.site.id", Collection::Sites, "site", errors);
    if changed(old, user, "basicInfo.site.id") {
        errors.push(field_error(
            "basicInfo.site.id",
            "VALIDATION_ERROR",
            "a user's site cannot change",
        ));
    }
    if let Some(name) = text(user, "basicInfo.userName") {
        let claim = Claim::UserName(name.to_ascii_lowercase());
        if account.held_by_other(&claim, Collection::Users, id) {
            errors.push(field_error(
                "basicInfo.userName",
                "VALIDATION_ERROR",
                "userName already in use",
            ));
        }
    }
    for (i, ext) in array(user, "/serviceInfo/extensions").iter().enumerate() {
        let at = format!("serviceInfo.extensions[{i}]");
        let r = Reference { account, at: &at };
        for (j, d) in array(ext, "/devices").iter().enumerate() {
            let at = format!("{at}.devices[{j}]");
            Reference { account, at: &at }.to(d, "id", Collection::Devices, "device", errors);
        }
        r.to(
            ext,
            "musicOnHold.id",
            Collection::AudioFiles,
            "audio file",
            errors,
        );
        r.to(
            ext,
            "emergencyAddress.id",
            Collection::Addresses,
            "address",
            errors,
        );
        r.number(ext, "primaryPhoneNumber", errors);
        for (k, p) in array(ext, "/phoneNumbers").iter().enumerate() {
            let at = format!("{at}.phoneNumbers[{k}]");
            Reference { account, at: &at }.number(p, "phoneNumber", errors);
        }
    }
}

/// Whether a `PUT` changes a field that, once set, cannot change.
fn changed(old: Option<&Value>, new: &Value, dotted: &str) -> bool {
    let before = old.and_then(|o| text(o, dotted));
    before.is_some_and(|b| text(new, dotted).is_some_and(|a| a != b))
}

/// A limited inventory refuses a license it does not hold, or one more
/// than it holds.
fn check_licenses(account: &Account, id: &str, user: &Value) -> Result<(), ApiError> {
    let inventory = &account.inventory;
    if !inventory.is_limited() {
        return Ok(());
    }
    for (i, name) in license_names(user).enumerate() {
        let field = format!("serviceInfo.licenses[{i}].name");
        let refuse = |message: String| {
            Err(ApiError::bad_request(
                "License unavailable",
                Some(&field),
                "LICENSE_UNAVAILABLE",
                message,
            ))
        };
        let Some(total) = inventory.total(name) else {
            return refuse(format!("the account holds no {name} license"));
        };
        let used_by_others = account
            .holders(&Claim::License(name.to_owned()))
            .filter(|(_, holder)| holder != id)
            .count() as u64;
        if used_by_others >= total {
            return refuse(format!("all {total} {name} licenses are in use"));
        }
    }
    Ok(())
}

/// Extensions are unique across users, ring groups and auto attendants;
/// MAC addresses across devices.
fn check_conflicts(
    account: &Account,
    c: Collection,
    id: &str,
    value: &Value,
) -> Result<(), ApiError> {
    for (field, ext) in extensions(c, value) {
        if account.held_by_other(&Claim::Extension(ext.clone()), c, id) {
            return Err(ApiError::conflict(
                &field,
                format!(
                    "Extension {ext} is already assigned to another ring group, user or auto attendant"
                ),
            )
            .detail("Extension number already in use"));
        }
    }
    // A manifest key names one resource of its collection: a second
    // create with the same key (a retried POST) is refused. Addresses are
    // the exception: immutable, they are replaced by a new one with the
    // same key before the old one goes, and an equal one is deduplicated.
    if !matches!(c, Collection::Addresses)
        && let Some(key) = text(value, "vocmKey")
        && account.held_by_other(&Claim::Key(c, key.to_owned()), c, id)
    {
        return Err(ApiError::conflict(
            "vocmKey",
            format!("Another resource of this collection has the vocmKey {key}"),
        ));
    }
    if c == Collection::Devices
        && let Some(mac) = text(value, "macAddress")
        && account.held_by_other(&Claim::Mac(mac.to_owned()), c, id)
    {
        return Err(ApiError::conflict(
            "macAddress",
            format!("A device with MAC address {mac} already exists"),
        ));
    }
    Ok(())
}

/// Checks a resource may be deleted: a site or an address still in use
/// may not.
pub fn check_delete(account: &Account, c: Collection, id: &str) -> Result<(), ApiError> {
    if c == Collection::Sites
        && account
            .holders(&Claim::Site(id.to_owned()))
            .next()
            .is_some()
    {
        let message = format!("Site {id} can not be removed. It is used by at least one extension");
        return Err(ApiError::bad_request(
            "Bad Request",
            None,
            "BAD_REQUEST",
            message,
        ));
    }
    if c == Collection::Addresses {
        let (sites, users) = address_usage(account, id);
        if sites + users > 0 {
            return Err(ApiError::bad_request(
                "Address is currently in use and cannot be deleted",
                None,
                "ADDRESS_IN_USE",
                format!("Address {id} is used by {sites} site(s) and {users} user(s)"),
            ));
        }
    }
    Ok(())
}

/// How many sites and users use an address.
pub fn address_usage(account: &Account, id: &str) -> (usize, usize) {
    let holders = account.holders(&Claim::Address(id.to_owned()));
    let (sites, users): (Vec<_>, Vec<_>) = holders.partition(|(c, _)| *c == Collection::Sites);
    (sites.len(), users.len())
}

/// An address's content, without what the server owns: two addresses with
/// the same content are the same address.
pub fn address_content(address: &Map<String, Value>) -> Map<String, Value> {
    let mut content = address.clone();
    for f in ADDRESS_OWNED {
        content.remove(f);
    }
    content
}

/// `7 W 34TH ST, 613, New York NY, 10001`, as the reference shows it.
fn display_form(a: &Map<String, Value>) -> String {
    let join = |keys: &[&str]| {
        keys.iter()
            .filter_map(|k| a.get(*k).and_then(Value::as_str))
            .filter(|s| !s.trim().is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    [
        join(&[
            "streetNumber",
            "preDirectional",
            "streetName",
            "streetNameSuffix",
            "postDirectional",
        ]),
        join(&["secondaryLocation"]),
        join(&["city", "state"]),
        join(&["postal"]),
    ]
    .into_iter()
    .filter(|p| !p.is_empty())
    .collect::<Vec<_>>()
    .join(", ")
}

/// The extension numbers a resource holds, with where each is.
pub fn extensions(c: Collection, v: &Value) -> Vec<(String, String)> {
    match c {
        Collection::Users => array(v, "/serviceInfo/extensions")
            .iter()
            .enumerate()
            .filter_map(|(i, e)| {
                let n = e.get("extensionNumber").and_then(field::text)?;
                let at = format!("serviceInfo.extensions[{i}].extensionNumber");
                Some((at, n)).filter(|(_, n)| !n.is_empty())
            })
            .collect(),
        Collection::RingGroups | Collection::AutoAttendants => v
            .get("extensionNumber")
            .and_then(field::text)
            .filter(|n| !n.is_empty())
            .map(|n| vec![("extensionNumber".to_owned(), n)])
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// Lowercase hexadecimal, as SHA-256 digests travel.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// The non-blank string at a dotted path.
fn text<'a>(v: &'a Value, dotted: &str) -> Option<&'a str> {
    let mut at = v;
    for segment in dotted.split('.') {
        at = at.get(segment)?;
    }
    at.as_str().filter(|s| !s.trim().is_empty())
}

fn array<'a>(v: &'a Value, pointer: &str) -> &'a [Value] {
    v.pointer(pointer)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn required(v: &Value, dotted: &str, errors: &mut Vec<FieldError>) {
    if text(v, dotted).is_none() {
        errors.push(field_error(dotted, "VALIDATION_ERROR", "must not be blank"));
    }
}

/// References from a part of a resource (at the path `at`) to others,
/// which must exist.
struct Reference<'a> {
    account: &'a Account,
    at: &'a str,
}

impl Reference<'_> {
    fn field(&self, dotted: &str) -> String {
        if self.at.is_empty() {
            dotted.to_owned()
        } else {
            format!("{}.{dotted}", self.at)
        }
    }

    /// The id at `dotted` names a resource of `target`.
    fn to(
        &self,
        v: &Value,
        dotted: &str,
        target: Collection,
        what: &str,
        errors: &mut Vec<FieldError>,
    ) {
        if let Some(id) = text(v, dotted)
            && !self.account.contains(target, id)
        {
            errors.push(field_error(
                &self.field(dotted),
                "VALIDATION_ERROR",
                format!("{what} {id} does not exist"),
            ));
        }
    }

    /// The number at `dotted` is one the account holds.
    fn number(&self, v: &Value, dotted: &str, errors: &mut Vec<FieldError>) {
        if let Some(n) = text(v, dotted)
            && !self.account.contains(Collection::PhoneNumbers, n)
        {
            errors.push(field_error(
                &self.field(dotted),
                "VALIDATION_ERROR",
                format!("phone number {n} is not held by the account"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> Account {
        let mut a = Account::default();
        a.put(
            Collection::Addresses,
            "a1".into(),
            json!({"id": "a1", "country": "FR"}),
        );
        a.put(
            Collection::Sites,
            "s1".into(),
            json!({"id": "s1", "name": "Paris", "pbxName": "acme", "locale": "fr-FR",
                   "timezone": "Europe/Paris", "address": {"id": "a1"}}),
        );
        a
    }

    fn user(name: &str, site: &str, ext: &str) -> Value {
        json!({
            "basicInfo": {"userName": name, "firstName": "Jo", "lastName": "Doe",
                          "primaryEmail": "jo@example.com", "site": {"id": site}},
            "serviceInfo": {"extensions": [{"extensionNumber": ext}]}
        })
    }

    #[test]
    fn users_need_their_fields_and_a_site_that_exists() {
        let a = account();
        assert!(check(&a, Collection::Users, "u1", &user("jo", "s1", "1001"), None).is_ok());
        let e = check(&a, Collection::Users, "u1", &json!({"basicInfo": {}}), None).unwrap_err();
        assert_eq!(e.problem.errors.len(), 5);
        let e = check(&a, Collection::Users, "u1", &user("jo", "s9", "1"), None).unwrap_err();
        assert_eq!(
            e.problem.errors[0].field.as_deref(),
            Some("basicInfo.site.id")
        );
    }

    #[test]
    fn a_manifest_key_names_one_resource_except_for_addresses() {
        let mut a = account();
        let rg = |ext: &str| json!({"vocmKey": "sales", "name": "Sales", "extensionNumber": ext});
        a.put(Collection::RingGroups, "r1".into(), rg("1100"));
        let e = check(&a, Collection::RingGroups, "r2", &rg("1101"), None).unwrap_err();
        assert_eq!(e.problem.status, 409);
        assert!(
            check(
                &a,
                Collection::RingGroups,
                "r1",
                &rg("1100"),
                a.get(Collection::RingGroups, "r1")
            )
            .is_ok()
        );
        // A replaced address: the new one carries the same key.
        let addr = |city: &str| json!({"vocmKey": "hq", "country": "FR", "city": city});
        a.put(Collection::Addresses, "a9".into(), addr("Paris"));
        assert!(check(&a, Collection::Addresses, "a10", &addr("Lyon"), None).is_ok());
    }

    #[test]
    fn extensions_user_names_and_sites_are_guarded() {
        let mut a = account();
        a.put(Collection::Users, "u1".into(), user("jo", "s1", "1001"));
        let twin = check(&a, Collection::Users, "u2", &user("JO", "s1", "1002"), None);
        assert_eq!(twin.unwrap_err().problem.status, 400);
        let rg = json!({"name": "Sales", "extensionNumber": "1001"});
        let e = check(&a, Collection::RingGroups, "r1", &rg, None).unwrap_err();
        assert_eq!(e.problem.status, 409);
        let same = user("jo", "s1", "1001");
        assert!(
            check(
                &a,
                Collection::Users,
                "u1",
                &same,
                a.get(Collection::Users, "u1")
            )
            .is_ok()
        );
        assert_eq!(
            check_delete(&a, Collection::Sites, "s1")
                .unwrap_err()
                .problem
                .status,
            400
        );
        let e = check_delete(&a, Collection::Addresses, "a1").unwrap_err();
        assert_eq!(e.problem.errors[0].code, "ADDRESS_IN_USE");
    }

    #[test]
    fn addresses_display_like_the_reference() {
        let a = json!({"streetNumber": "7", "preDirectional": "W", "streetName": "34TH ST",
                       "secondaryLocation": "613", "city": "New York", "state": "NY",
                       "postal": "10001", "country": "US"});
        let map = a.as_object().unwrap();
        assert_eq!(display_form(map), "7 W 34TH ST, 613, New York NY, 10001");
    }
}
