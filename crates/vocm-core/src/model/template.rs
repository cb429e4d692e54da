//! User templates: the settings users share, named in `templates:` and
//! given by a user's `template:`, or by a site's `user_defaults:`.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Serialize};

use super::user::{IDENTITY, User};

/// Fields a template cannot hold: who the person is, and what only one
/// user may hold (a template is shared).
pub const PERSONAL: [&str; 9] = [
    "first_name",
    "last_name",
    "email",
    "template",
    "phone_number",
    "phone_numbers",
    "device",
    "devices",
    "extension",
];

/// A partial user: any user field but the personal ones. Read as a
/// [`User`] whose absent fields are defaults; which fields it sets is
/// kept beside it by validation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Template(pub User);

impl JsonSchema for Template {
    fn schema_name() -> Cow<'static, str> {
        "Template".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let mut schema = User::json_schema(generator);
        schema.remove("required");
        if let Some(props) = schema
            .get_mut("properties")
            .and_then(serde_json::Value::as_object_mut)
        {
            for field in PERSONAL {
                props.shift_remove(field);
            }
        }
        debug_assert!(IDENTITY.iter().all(|f| PERSONAL.contains(f)));
        schema.insert(
            "description".into(),
            "Settings users share: any user field but the names, email, numbers, devices and extension. A user's own fields win over its template's, which win over its site's `user_defaults`.".into(),
        );
        schema
    }
}
