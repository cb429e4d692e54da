//! Addresses: `/addresses`.

use serde_json::{Value, json};

use vocm_core::model::{Address, Country};

use super::{opt, s, set};

pub(super) fn encode(v: &mut Value, a: &Address) {
    let mut put = |pointer: &str, value: Value| set(v, pointer, value);
    let (number, name) = split_street(&a.street);
    put("/streetNumber", opt(number));
    put("/streetName", json!(name));
    put("/secondaryLocation", opt(a.secondary_location.clone()));
    put("/city", json!(a.city));
    put("/state", opt(a.state.clone()));
    put("/postal", json!(a.postal_code));
    put("/country", json!(a.country.as_str()));
}

/// An address; `None` without a country.
pub(super) fn decode(v: &Value) -> Option<Address> {
    let name = s(v, "/streetName").unwrap_or_default();
    let street = match s(v, "/streetNumber") {
        Some(number) => format!("{number} {name}"),
        None => name,
    };
    let country = s(v, "/country").and_then(|c| c.parse::<Country>().ok())?;
    Some(Address {
        street,
        secondary_location: s(v, "/secondaryLocation"),
        city: s(v, "/city").unwrap_or_default(),
        state: s(v, "/state"),
        postal_code: s(v, "/postal").unwrap_or_default(),
        country,
    })
}

/// Splits `10 rue de Rivoli` into a street number and a name.
fn split_street(street: &str) -> (Option<&str>, &str) {
    match street.split_once(' ') {
        Some((number, name))
            if number.starts_with(|c: char| c.is_ascii_digit())
                && number.chars().all(|c| c.is_ascii_alphanumeric())
                && !name.is_empty() =>
        {
            (Some(number), name)
        }
        _ => (None, street),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streets_split_and_join_back() {
        assert_eq!(
            split_street("10 rue de Rivoli"),
            (Some("10"), "rue de Rivoli")
        );
        assert_eq!(split_street("25bis quai X"), (Some("25bis"), "quai X"));
        assert_eq!(split_street("Rue sans numero"), (None, "Rue sans numero"));
        assert_eq!(split_street("12"), (None, "12"));
    }
}
