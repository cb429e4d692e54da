//! GitHub Actions expressions (`${{ … }}` and `if:`), evaluated the way
//! the runner does for what the recipes use: contexts (`github`, `inputs`,
//! `steps`, `needs`, `secrets`, `env`, `runner`), literals, `!`, `&&`,
//! `||`, `==`, `!=`, parentheses, and the functions `always`, `success`,
//! `failure`, `cancelled`, `contains`, `startsWith`, `endsWith` and
//! `format`. Anything else panics: a recipe that starts using it must
//! teach the test first.

use serde_json::{Map, Value};

/// What `success()` and `failure()` see: whether a step (or a needed job)
/// before failed.
#[derive(Debug, Clone, Copy)]
pub struct Status {
    pub failed: bool,
}

/// Evaluates `${{ … }}` inside `text`: the value itself when the whole
/// text is one expression, else the text with each expression's string
/// form spliced in.
pub fn interpolate(text: &str, ctx: &Value, status: Status) -> Value {
    let trimmed = text.trim();
    if let Some(inner) = trimmed
        .strip_prefix("${{")
        .and_then(|t| t.strip_suffix("}}"))
        .filter(|i| !i.contains("${{"))
    {
        return eval(inner, ctx, status);
    }
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find("}}")
            .unwrap_or_else(|| panic!("unclosed expression in {text:?}"));
        out.push_str(&string_of(&eval(
            &rest[start + 3..start + end],
            ctx,
            status,
        )));
        rest = &rest[start + end + 2..];
    }
    out.push_str(rest);
    Value::String(out)
}

/// An `if:` condition: implicitly `success() && (…)` unless it calls a
/// status function itself.
pub fn condition(text: Option<&str>, ctx: &Value, status: Status) -> bool {
    let Some(text) = text else {
        return !status.failed;
    };
    let inner = text
        .trim()
        .strip_prefix("${{")
        .and_then(|t| t.strip_suffix("}}"))
        .unwrap_or(text);
    let explicit = ["always(", "success(", "failure(", "cancelled("]
        .iter()
        .any(|f| inner.contains(f));
    (explicit || !status.failed) && truthy(&eval(inner, ctx, status))
}

/// The string form the runner splices into text: null is empty.
pub fn string_of(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

pub fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        _ => true,
    }
}

fn eval(text: &str, ctx: &Value, status: Status) -> Value {
    let tokens = tokenize(text);
    let mut p = Parser {
        tokens: &tokens,
        at: 0,
        ctx,
        status,
        text,
    };
    let v = p.or();
    assert!(p.at == tokens.len(), "unparsed rest in `{text}`");
    v
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Num(f64),
    Op(&'static str),
}

fn tokenize(text: &str) -> Vec<Tok> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '\'' {
            let mut s = String::new();
            i += 1;
            loop {
                assert!(i < chars.len(), "unclosed string in `{text}`");
                if chars[i] == '\'' {
                    if chars.get(i + 1) == Some(&'\'') {
                        s.push('\'');
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                s.push(chars[i]);
                i += 1;
            }
            out.push(Tok::Str(s));
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let n: String = chars[start..i].iter().collect();
            out.push(Tok::Num(n.parse().unwrap()));
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || "_-".contains(chars[i])) {
                i += 1;
            }
            out.push(Tok::Ident(chars[start..i].iter().collect()));
        } else {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            let op = ["&&", "||", "==", "!=", "<=", ">="]
                .into_iter()
                .find(|o| *o == two);
            if let Some(op) = op {
                out.push(Tok::Op(op));
                i += 2;
            } else {
                let op = ["!", "(", ")", "[", "]", ".", ",", "<", ">", "*"]
                    .into_iter()
                    .find(|o| o.starts_with(c))
                    .unwrap_or_else(|| panic!("unexpected `{c}` in `{text}`"));
                out.push(Tok::Op(op));
                i += 1;
            }
        }
    }
    out
}

struct Parser<'a> {
    tokens: &'a [Tok],
    at: usize,
    ctx: &'a Value,
    status: Status,
    text: &'a str,
}

impl Parser<'_> {
    fn peek_op(&self, op: &str) -> bool {
        matches!(self.tokens.get(self.at), Some(Tok::Op(o)) if *o == op)
    }

    fn expect(&mut self, op: &str) {
        assert!(self.peek_op(op), "expected `{op}` in `{}`", self.text);
        self.at += 1;
    }

    fn or(&mut self) -> Value {
        let mut left = self.and();
        while self.peek_op("||") {
            self.at += 1;
            let right = self.and();
            if !truthy(&left) {
                left = right;
            }
        }
        left
    }

    fn and(&mut self) -> Value {
        let mut left = self.compare();
        while self.peek_op("&&") {
            self.at += 1;
            let right = self.compare();
            if truthy(&left) {
                left = right;
            }
        }
        left
    }

    fn compare(&mut self) -> Value {
        let left = self.unary();
        for op in ["==", "!="] {
            if self.peek_op(op) {
                self.at += 1;
                let right = self.unary();
                return Value::Bool(loose_eq(&left, &right) == (op == "=="));
            }
        }
        left
    }

    fn unary(&mut self) -> Value {
        if self.peek_op("!") {
            self.at += 1;
            return Value::Bool(!truthy(&self.unary()));
        }
        self.primary()
    }

    fn primary(&mut self) -> Value {
        let tok = self
            .tokens
            .get(self.at)
            .unwrap_or_else(|| panic!("`{}` ends early", self.text))
            .clone();
        self.at += 1;
        match tok {
            Tok::Str(s) => Value::String(s),
            Tok::Num(n) => serde_json::json!(n),
            Tok::Op("(") => {
                let v = self.or();
                self.expect(")");
                v
            }
            Tok::Ident(name) if self.peek_op("(") => self.call(&name),
            Tok::Ident(name) => match name.as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                "null" => Value::Null,
                _ => {
                    let mut v = self.ctx.get(&name).cloned().unwrap_or_else(|| {
                        panic!(
                            "`{}`: the context `{name}` has no stand-in in tests/ci",
                            self.text
                        )
                    });
                    loop {
                        if self.peek_op(".") {
                            self.at += 1;
                            let Some(Tok::Ident(key)) = self.tokens.get(self.at).cloned() else {
                                panic!("a property name expected in `{}`", self.text)
                            };
                            self.at += 1;
                            v = v.get(&key).cloned().unwrap_or(Value::Null);
                        } else if self.peek_op("[") {
                            self.at += 1;
                            let key = string_of(&self.or());
                            self.expect("]");
                            v = v.get(&key).cloned().unwrap_or(Value::Null);
                        } else {
                            break v;
                        }
                    }
                }
            },
            Tok::Op(op) => panic!("unexpected `{op}` in `{}`", self.text),
        }
    }

    fn call(&mut self, name: &str) -> Value {
        self.expect("(");
        let mut args = Vec::new();
        while !self.peek_op(")") {
            args.push(self.or());
            if self.peek_op(",") {
                self.at += 1;
            }
        }
        self.expect(")");
        let s = |i: usize| string_of(&args[i]).to_lowercase();
        match name {
            "always" => Value::Bool(true),
            "success" => Value::Bool(!self.status.failed),
            "failure" => Value::Bool(self.status.failed),
            "cancelled" => Value::Bool(false),
            "contains" => Value::Bool(match &args[0] {
                Value::Array(items) => items.iter().any(|i| loose_eq(i, &args[1])),
                _ => s(0).contains(&s(1)),
            }),
            "startsWith" => Value::Bool(s(0).starts_with(&s(1))),
            "endsWith" => Value::Bool(s(0).ends_with(&s(1))),
            "format" => {
                let mut out = string_of(&args[0]);
                for (i, a) in args.iter().enumerate().skip(1) {
                    out = out.replace(&format!("{{{}}}", i - 1), &string_of(a));
                }
                Value::String(out)
            }
            other => panic!("`{}`: no stand-in for the function {other}", self.text),
        }
    }
}

/// `==` as the runner compares: strings case-insensitively, other types
/// as numbers.
fn loose_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x.eq_ignore_ascii_case(y),
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Array(_) | Value::Object(_), _) | (_, Value::Array(_) | Value::Object(_)) => a == b,
        _ => number(a) == number(b),
    }
}

fn number(v: &Value) -> f64 {
    match v {
        Value::Null => 0.0,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Number(n) => n.as_f64().unwrap_or(f64::NAN),
        Value::String(s) if s.trim().is_empty() => 0.0,
        Value::String(s) => s.trim().parse().unwrap_or(f64::NAN),
        _ => f64::NAN,
    }
}

/// An object from `(key, value)` pairs, for contexts.
pub fn object<I: IntoIterator<Item = (String, Value)>>(pairs: I) -> Value {
    Value::Object(pairs.into_iter().collect::<Map<_, _>>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn expressions_as_the_runner_evaluates_them() {
        let ctx = json!({
            "github": {"event_name": "push", "event": {"pull_request": null}, "sha": "abc"},
            "needs": {"plan-main": {"outputs": {"changes": "true"}}},
        });
        let ok = Status { failed: false };
        let bad = Status { failed: true };
        assert!(condition(
            Some("github.event_name == 'PUSH' && needs.plan-main.outputs.changes == 'true'"),
            &ctx,
            ok
        ));
        assert!(!condition(Some("github.event_name == 'push'"), &ctx, bad));
        assert!(condition(Some("${{ always() }}"), &ctx, bad));
        assert!(condition(None, &ctx, ok));
        assert_eq!(
            interpolate(
                "${{ github.event.pull_request.head.sha || github.sha }}",
                &ctx,
                ok
            ),
            json!("abc")
        );
        assert_eq!(
            interpolate(
                "a-${{ github.event_name == 'push' && 'main' || 'other' }}",
                &ctx,
                ok
            ),
            json!("a-main")
        );
        assert_eq!(
            interpolate("${{ github.event_name == 'pull_request' }}", &ctx, ok),
            json!(false)
        );
    }
}
