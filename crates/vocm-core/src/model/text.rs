//! String types of the manifest whose form is checked by the schema and
//! normalised on the way in (phone numbers, MAC addresses, destinations...).
//!
//! Each type's JSON Schema pattern accepts exactly what its parser accepts,
//! so a manifest that passes the schema always deserialises.

/// Declares a `JsonSchema` impl for a string type with a pattern.
macro_rules! string_schema {
    ($ty:ty, $name:literal, $pattern:expr, $description:literal $(, $example:literal)?) => {
        impl schemars::JsonSchema for $ty {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                $name.into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({
                    "type": "string",
                    "pattern": $pattern,
                    "description": $description,
                    $("examples": [$example],)?
                })
            }
        }
    };
}

pub(crate) use string_schema;

/// Implements `Deserialize` through `FromStr`, and `Serialize` through
/// `Display`, for a string type.
macro_rules! string_serde {
    ($ty:ty) => {
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }

        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
    };
}

pub(crate) use string_serde;
