//! RSQL filters, the subset the API accepts: `field==value` and
//! `field!=value`, `*` wildcards, case-insensitive, `;` (AND) binding
//! tighter than `,` (OR), quoted values, no parentheses.

use serde_json::Value;

use super::field::{self, FieldPath};

/// The longest filter accepted, as the reference.
pub const MAX_FILTER_CHARS: usize = 2000;

/// A parsed filter: any of the groups, each requiring all its comparisons.
#[derive(Debug)]
pub struct Filter {
    any_of: Vec<Vec<Comparison>>,
}

#[derive(Debug)]
struct Comparison {
    path: FieldPath,
    equal: bool,
    pattern: Pattern,
}

impl Filter {
    /// Parses a filter; the error says what is wrong, for the problem's
    /// message.
    pub fn parse(s: &str) -> Result<Filter, String> {
        if s.chars().count() > MAX_FILTER_CHARS {
            return Err(format!(
                "a filter has at most {MAX_FILTER_CHARS} characters"
            ));
        }
        let chars: Vec<char> = s.chars().collect();
        let mut i = 0;
        let mut any_of = vec![Vec::new()];
        loop {
            let start = i;
            while i < chars.len() && FieldPath::is_path_char(chars[i]) {
                i += 1;
            }
            let name: String = chars[start..i].iter().collect();
            if name.is_empty() {
                return Err(match chars.get(i) {
                    Some('(' | ')') => "parentheses are not supported".to_owned(),
                    Some(c) => format!("a field name is expected at position {}, not `{c}`", i + 1),
                    None => "a field name is expected at the end".to_owned(),
                });
            }
            let path =
                FieldPath::parse(&name).ok_or_else(|| format!("`{name}` is not a field path"))?;
            let equal = match (chars.get(i), chars.get(i + 1)) {
                (Some('='), Some('=')) => true,
                (Some('!'), Some('=')) => false,
                (Some('='), _) => return Err("use `==` for equality, not `=`".to_owned()),
                (Some(c), _) if "<>~!".contains(*c) => {
                    return Err(format!(
                        "the operator at position {} is not supported; use `==` or `!=`",
                        i + 1
                    ));
                }
                _ => return Err(format!("`{name}` must be followed by `==` or `!=`")),
            };
            i += 2;
            let value = read_value(&chars, &mut i)?;
            if let Some(group) = any_of.last_mut() {
                group.push(Comparison {
                    path,
                    equal,
                    pattern: Pattern::new(&value),
                });
            }
            match chars.get(i) {
                None => break,
                Some(';') => {}
                Some(',') => any_of.push(Vec::new()),
                Some(c) => {
                    return Err(format!(
                        "`;` or `,` is expected at position {}, not `{c}`",
                        i + 1
                    ));
                }
            }
            i += 1;
            if i == chars.len() {
                return Err("the filter ends with a separator".to_owned());
            }
        }
        Ok(Filter { any_of })
    }

    /// The fields it compares, as dotted paths.
    pub fn fields(&self) -> impl Iterator<Item = String> + '_ {
        self.any_of.iter().flatten().map(|c| c.path.to_string())
    }

    pub fn matches(&self, resource: &Value) -> bool {
        self.any_of.iter().any(|all| {
            all.iter().all(|c| {
                let found = c
                    .path
                    .scalars(resource)
                    .into_iter()
                    .filter_map(field::text)
                    .any(|t| c.pattern.matches(&t));
                found == c.equal
            })
        })
    }
}

/// A value: quoted (`'Research and Development'`) or bare up to the next
/// separator.
fn read_value(chars: &[char], i: &mut usize) -> Result<String, String> {
    if let Some(&quote @ ('\'' | '"')) = chars.get(*i) {
        let start = *i + 1;
        let end = chars[start..]
            .iter()
            .position(|c| *c == quote)
            .map(|p| start + p)
            .ok_or_else(|| "a quoted value is not closed".to_owned())?;
        *i = end + 1;
        return Ok(chars[start..end].iter().collect());
    }
    let start = *i;
    while *i < chars.len() && !matches!(chars[*i], ';' | ',') {
        let c = chars[*i];
        if c.is_whitespace() || "'\"()=!<>~".contains(c) {
            return Err(format!(
                "`{c}` at position {} must be inside a quoted value",
                *i + 1
            ));
        }
        *i += 1;
    }
    if *i == start {
        return Err(format!("a value is expected at position {}", start + 1));
    }
    Ok(chars[start..*i].iter().collect())
}

/// A case-insensitive value with `*` wildcards.
#[derive(Debug)]
struct Pattern {
    /// The lowercase pieces between the wildcards.
    pieces: Vec<String>,
}

impl Pattern {
    fn new(value: &str) -> Pattern {
        Pattern {
            pieces: value.to_lowercase().split('*').map(str::to_owned).collect(),
        }
    }

    fn matches(&self, text: &str) -> bool {
        let text = text.to_lowercase();
        let [first, middle @ .., last] = self.pieces.as_slice() else {
            return self.pieces.first().is_some_and(|p| *p == text);
        };
        let Some(mut rest) = text.strip_prefix(first.as_str()) else {
            return false;
        };
        for piece in middle {
            match rest.find(piece.as_str()) {
                Some(at) => rest = &rest[at + piece.len()..],
                None => return false,
            }
        }
        rest.ends_with(last.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn m(filter: &str, v: &Value) -> bool {
        Filter::parse(filter).unwrap().matches(v)
    }

    #[test]
    fn compares_case_insensitively_with_wildcards() {
        let v = json!({"name": "Main Reception", "n": 1001, "basicInfo": {"userName": "Jane.Doe"}});
        assert!(m("name=='main reception'", &v));
        assert!(m("name==*Recep*", &v));
        assert!(m("name==main*", &v));
        assert!(m("name==*tion", &v));
        assert!(!m("name==*main", &v));
        assert!(m("n==1001", &v));
        assert!(m("basicInfo.userName==jane.doe", &v));
        assert!(m("name!=x", &v));
        assert!(m("missing!=x", &v));
        assert!(!m("missing==*", &v));
        assert!(m("name==x,n==1001", &v));
        assert!(!m("name==x;n==1001", &v));
        assert!(m("name==x;n==1,n==1001", &v));
        assert!(m("name==*", &v));
        assert!(m("name==**Main**", &v));
    }

    #[test]
    fn refuses_what_it_does_not_support() {
        for bad in [
            "name=x",
            "name",
            "name==",
            "(name==a)",
            "name==a;",
            "n>5",
            "n=gt=5",
            "name==a b",
            "==a",
            "name=='a",
            "a..b==c",
        ] {
            assert!(Filter::parse(bad).is_err(), "{bad}");
        }
        assert!(Filter::parse(&"a==b;".repeat(500)).is_err());
    }
}
