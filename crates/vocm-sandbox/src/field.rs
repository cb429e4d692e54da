//! Dotted field paths (`basicInfo.site.id`) into a resource's JSON, as
//! filters and sorts name them.

use serde_json::Value;

/// A parsed path: segments, where a segment of digits may also index an
/// array and any other segment reaches into every element of one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldPath(Vec<String>);

impl std::fmt::Display for FieldPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.join("."))
    }
}

impl FieldPath {
    pub fn parse(s: &str) -> Option<FieldPath> {
        let segments: Vec<String> = s.split('.').map(str::to_owned).collect();
        let valid = |seg: &String| {
            !seg.is_empty() && seg.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        };
        segments.iter().all(valid).then_some(FieldPath(segments))
    }

    /// Whether `c` may appear in a path.
    pub fn is_path_char(c: char) -> bool {
        c.is_ascii_alphanumeric() || c == '_' || c == '.'
    }

    /// The scalar values at the path: none when it leads nowhere, several
    /// when it crosses arrays.
    pub fn scalars<'a>(&self, root: &'a Value) -> Vec<&'a Value> {
        let mut current = vec![root];
        for segment in &self.0 {
            let mut next = Vec::new();
            for v in current {
                match v {
                    Value::Object(map) => next.extend(map.get(segment)),
                    Value::Array(items) => match segment.parse::<usize>() {
                        Ok(i) => next.extend(items.get(i)),
                        Err(_) => next.extend(items.iter().filter_map(|x| x.get(segment))),
                    },
                    _ => {}
                }
            }
            current = next;
        }
        let mut out = Vec::new();
        for v in current {
            match v {
                Value::Array(items) => out.extend(items.iter().filter(|x| is_scalar(x))),
                v if is_scalar(v) => out.push(v),
                _ => {}
            }
        }
        out
    }
}

fn is_scalar(v: &Value) -> bool {
    matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_))
}

/// A scalar as text, the way filters compare it.
pub fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_reach_through_objects_and_arrays() {
        let v = json!({"a": {"b": [{"c": "x"}, {"c": 2}], "d": ["p", "q"]}});
        let p = FieldPath::parse("a.b.c").unwrap();
        assert_eq!(p.scalars(&v), vec![&json!("x"), &json!(2)]);
        assert_eq!(
            FieldPath::parse("a.b.1.c").unwrap().scalars(&v),
            vec![&json!(2)]
        );
        assert_eq!(FieldPath::parse("a.d").unwrap().scalars(&v).len(), 2);
        assert!(FieldPath::parse("a.z").unwrap().scalars(&v).is_empty());
        assert!(FieldPath::parse("a..b").is_none());
        assert!(FieldPath::parse("").is_none());
        assert!(FieldPath::parse("a b").is_none());
    }
}
