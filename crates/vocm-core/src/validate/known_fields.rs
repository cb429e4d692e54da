//! The field names the schema allows at a place in a document, for
//! "did you mean" on unknown fields.

use serde_json::Value;

/// The fields allowed in the mapping at `path` (instance path segments).
#[must_use]
pub fn at(path: &[String]) -> Vec<String> {
    let root = super::schema_check::schema();
    let mut nodes = vec![root];
    for seg in path {
        nodes = nodes
            .into_iter()
            .flat_map(|n| branches(root, n))
            .filter_map(|n| step(n, seg))
            .collect();
    }
    let mut names: Vec<String> = nodes
        .into_iter()
        .flat_map(|n| branches(root, n))
        .filter_map(|n| n.get("properties").and_then(Value::as_object))
        .flat_map(|props| props.keys().cloned())
        .collect();
    names.dedup();
    names
}

/// The schema and, through `$ref` and `anyOf`/`oneOf`, what it stands for.
fn branches<'a>(root: &'a Value, node: &'a Value) -> Vec<&'a Value> {
    let mut out = Vec::new();
    let mut todo = vec![(node, 0)];
    while let Some((node, depth)) = todo.pop() {
        let node = resolve(root, node);
        out.push(node);
        if depth < 8 {
            for key in ["anyOf", "oneOf", "allOf"] {
                if let Some(list) = node.get(key).and_then(Value::as_array) {
                    todo.extend(list.iter().map(|b| (b, depth + 1)));
                }
            }
        }
    }
    out
}

fn resolve<'a>(root: &'a Value, node: &'a Value) -> &'a Value {
    let mut node = node;
    // Local references only; bounded in case of a reference cycle.
    for _ in 0..16 {
        match node.get("$ref").and_then(Value::as_str) {
            Some(r) => match r.strip_prefix('#').and_then(|p| root.pointer(p)) {
                Some(target) => node = target,
                None => break,
            },
            None => break,
        }
    }
    node
}

fn step<'a>(node: &'a Value, seg: &str) -> Option<&'a Value> {
    if let Some(p) = node.get("properties").and_then(|p| p.get(seg)) {
        return Some(p);
    }
    if let Some(extra) = node.get("additionalProperties").filter(|a| a.is_object()) {
        return Some(extra);
    }
    node.get("items").filter(|i| i.is_object())
}

#[cfg(test)]
mod tests {
    #[test]
    fn knows_the_fields_of_nested_resources() {
        let user = super::at(&["users".into(), "alice".into()]);
        assert!(user.contains(&"extension".to_owned()), "{user:?}");
        let forwarding = super::at(&["users".into(), "alice".into(), "forwarding".into()]);
        assert!(
            forwarding.contains(&"no_answer".to_owned()),
            "{forwarding:?}"
        );
        let delayed = super::at(&[
            "users".into(),
            "alice".into(),
            "forwarding".into(),
            "no_answer".into(),
        ]);
        assert!(delayed.contains(&"after_seconds".to_owned()), "{delayed:?}");
    }
}
