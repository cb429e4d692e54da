//! What a resource claims in the account (a user name, a manifest key, an
//! extension, a MAC address, a license) and what it uses (a number, an
//! address, a site). The account indexes both, so that the rules ask "who
//! else holds this?" and "who uses this?" without reading every resource:
//! a write to an account of ten thousand users stays cheap.

use serde_json::Value;

use vocm_api::Collection;

/// One claim. Names are compared as the rules compare them: user names
/// without regard to ASCII case, the rest exactly.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Claim {
    UserName(String),
    Key(Collection, String),
    Extension(String),
    Mac(String),
    License(String),
    /// A phone number the resource uses (which makes it `ASSIGNED`).
    Number(String),
    /// An address a site or a user's extension uses.
    Address(String),
    /// The site a user, ring group or auto attendant is on.
    Site(String),
}

/// Everything a resource claims.
pub fn claims(c: Collection, v: &Value) -> Vec<Claim> {
    let mut out = Vec::new();
    // Addresses are replaced by a new one with the same key before the old
    // one goes: their key is not a claim.
    if !matches!(c, Collection::Addresses)
        && let Some(key) = text(v.get("vocmKey"))
    {
        out.push(Claim::Key(c, key.to_owned()));
    }
    match c {
        Collection::Users => {
            if let Some(name) = text(v.pointer("/basicInfo/userName")) {
                out.push(Claim::UserName(name.to_ascii_lowercase()));
            }
            site(v.pointer("/basicInfo/site/id"), &mut out);
            for e in array(v, "/serviceInfo/extensions") {
                out.extend(number(e.get("extensionNumber")).map(Claim::Extension));
                numbers(array(e, "/phoneNumbers"), &mut out);
                out.extend(text(e.get("primaryPhoneNumber")).map(|n| Claim::Number(n.to_owned())));
                let address = text(e.pointer("/emergencyAddress/id"));
                out.extend(address.map(|a| Claim::Address(a.to_owned())));
            }
            for l in array(v, "/serviceInfo/licenses") {
                out.extend(text(l.get("name")).map(|n| Claim::License(n.to_owned())));
            }
        }
        Collection::RingGroups => {
            out.extend(number(v.get("extensionNumber")).map(Claim::Extension));
            numbers(array(v, "/phoneNumbers"), &mut out);
            site(v.pointer("/site/id"), &mut out);
        }
        Collection::AutoAttendants => {
            out.extend(number(v.get("extensionNumber")).map(Claim::Extension));
            out.extend(text(v.get("phoneNumber")).map(|n| Claim::Number(n.to_owned())));
            site(v.pointer("/site/id"), &mut out);
        }
        Collection::Devices => {
            out.extend(text(v.get("macAddress")).map(|m| Claim::Mac(m.to_owned())));
        }
        Collection::Sites => {
            let address = text(v.pointer("/address/id"));
            out.extend(address.map(|a| Claim::Address(a.to_owned())));
        }
        _ => {}
    }
    // A user may list a number twice (primary, and in its list).
    let mut seen = std::collections::HashSet::new();
    out.retain(|c| seen.insert(c.clone()));
    out
}

fn numbers(list: &[Value], out: &mut Vec<Claim>) {
    for p in list {
        out.extend(text(p.get("phoneNumber")).map(|n| Claim::Number(n.to_owned())));
    }
}

fn site(id: Option<&Value>, out: &mut Vec<Claim>) {
    out.extend(text(id).map(|s| Claim::Site(s.to_owned())));
}

/// A non-blank string.
fn text(v: Option<&Value>) -> Option<&str> {
    v.and_then(Value::as_str).filter(|s| !s.trim().is_empty())
}

/// An extension number, given as a string or a number.
fn number(v: Option<&Value>) -> Option<String> {
    match v {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

fn array<'a>(v: &'a Value, pointer: &str) -> &'a [Value] {
    v.pointer(pointer)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn resources_claim_what_must_be_unique() {
        let user = json!({
            "basicInfo": {"userName": "Jo.Doe", "site": {"id": "s1"}},
            "serviceInfo": {
                "extensions": [
                    {"extensionNumber": 1001, "primaryPhoneNumber": "+331",
                     "phoneNumbers": [{"phoneNumber": "+331", "primary": true}]},
                    {"extensionNumber": " ", "emergencyAddress": {"id": "a1"}}
                ],
                "licenses": [{"name": "X2"}]
            }
        });
        assert_eq!(
            claims(Collection::Users, &user),
            [
                Claim::UserName("jo.doe".into()),
                Claim::Site("s1".into()),
                Claim::Extension("1001".into()),
                Claim::Number("+331".into()),
                Claim::Address("a1".into()),
                Claim::License("X2".into())
            ]
        );
        let address = json!({"vocmKey": "hq", "country": "FR"});
        assert!(claims(Collection::Addresses, &address).is_empty());
        let device = json!({"vocmKey": "desk", "macAddress": "a1b2c3d4e5f6"});
        assert_eq!(claims(Collection::Devices, &device).len(), 2);
    }
}
