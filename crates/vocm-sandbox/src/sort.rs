//! Sort orders: `+field` (or `field`) ascending, `-field` descending,
//! comma-separated for ties; fields are dotted paths.

use std::cmp::Ordering;

use serde_json::Value;

use super::field::FieldPath;

/// The longest sort accepted, as the reference.
pub const MAX_SORT_CHARS: usize = 200;

#[derive(Debug)]
pub struct Sort {
    keys: Vec<(FieldPath, bool)>,
}

impl Sort {
    pub fn parse(s: &str) -> Result<Sort, String> {
        if s.chars().count() > MAX_SORT_CHARS {
            return Err(format!("a sort has at most {MAX_SORT_CHARS} characters"));
        }
        let mut keys = Vec::new();
        for part in s.split(',') {
            // A `+` left unencoded in a query string arrives as a space: it
            // still means ascending.
            let (descending, name) = match part.chars().next() {
                Some('-') => (true, &part[1..]),
                Some('+' | ' ') => (false, &part[1..]),
                _ => (false, part),
            };
            let path = FieldPath::parse(name)
                .ok_or_else(|| format!("`{part}` is not `+field` or `-field`"))?;
            keys.push((path, descending));
        }
        Ok(Sort { keys })
    }

    /// Orders two resources; ties keep the order they had.
    pub fn compare(&self, a: &Value, b: &Value) -> Ordering {
        for (path, descending) in &self.keys {
            let x = Key::of(path.scalars(a).first().copied());
            let y = Key::of(path.scalars(b).first().copied());
            let o = x.partial_cmp(&y).unwrap_or(Ordering::Equal);
            if o != Ordering::Equal {
                return if *descending { o.reverse() } else { o };
            }
        }
        Ordering::Equal
    }
}

/// What a sort compares: numbers by value, text without case (then with,
/// so that the order is total), and missing values last.
#[derive(Debug, PartialEq, PartialOrd)]
enum Key {
    Bool(bool),
    Number(f64),
    Text(String, String),
    Missing,
}

impl Key {
    fn of(v: Option<&Value>) -> Key {
        match v {
            Some(Value::Bool(b)) => Key::Bool(*b),
            Some(Value::Number(n)) => n.as_f64().map_or(Key::Missing, Key::Number),
            Some(Value::String(s)) => Key::Text(s.to_lowercase(), s.clone()),
            _ => Key::Missing,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sorts_on_dotted_paths_both_ways() {
        let mut v = [
            json!({"a": {"n": "b"}}),
            json!({"a": {"n": "C"}}),
            json!({}),
            json!({"a": {"n": "a"}}),
        ];
        let s = Sort::parse("+a.n").unwrap();
        v.sort_by(|x, y| s.compare(x, y));
        let names: Vec<_> = v.iter().map(|x| x.pointer("/a/n").cloned()).collect();
        assert_eq!(
            names,
            [Some(json!("a")), Some(json!("b")), Some(json!("C")), None]
        );
        let s = Sort::parse("-a.n").unwrap();
        v.sort_by(|x, y| s.compare(x, y));
        assert_eq!(v[1], json!({"a": {"n": "C"}}));
        assert!(Sort::parse(" name").is_ok());
        assert!(Sort::parse("name,-n").is_ok());
        for bad in ["", "+", "--a", "a b", "a,"] {
            assert!(Sort::parse(bad).is_err(), "{bad}");
        }
    }
}
