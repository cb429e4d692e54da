//! A ring group's `update-members` delta (the reference's
//! `RingGroupMembershipModifications`), applied to the group as stored.

use serde_json::{Map, Value, json};

use super::problem::ApiError;

/// A ring group with the member delta of `update-members` applied: `add`
/// appends (or places at its `sequenceNumber`), `update` moves, `remove`
/// takes out, each member named by `extensionNumber` (or `extensionId`);
/// at least one array non-empty, each at most 200, a member in one array
/// only (the reference's rules).
pub fn update_members(group: &Value, delta: &Map<String, Value>) -> Result<Value, ApiError> {
    let part = |name: &str| -> Result<Vec<Value>, ApiError> {
        match delta.get(name) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(a)) if a.len() <= 200 => Ok(a.clone()),
            Some(Value::Array(_)) => Err(ApiError::validation(name, "at most 200 members")),
            Some(_) => Err(ApiError::validation(name, "must be an array")),
        }
    };
    let (add, update, remove) = (part("add")?, part("update")?, part("remove")?);
    if add.is_empty() && update.is_empty() && remove.is_empty() {
        return Err(ApiError::bad_request(
            "Invalid update-members request",
            None,
            "BAD_REQUEST",
            "At least one of 'add', 'update', or 'remove' must be non-empty",
        ));
    }
    let key = |m: &Value| -> Option<String> {
        m.get("extensionNumber")
            .or_else(|| m.get("extensionId"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let mut seen = std::collections::HashSet::new();
    for m in add.iter().chain(&update).chain(&remove) {
        let Some(k) = key(m) else {
            return Err(ApiError::validation(
                "extensionNumber",
                "each member needs an extensionNumber or an extensionId",
            ));
        };
        if !seen.insert(k.clone()) {
            return Err(ApiError::validation(
                "extensionNumber",
                format!("{k} appears in more than one array"),
            ));
        }
    }
    let mut members: Vec<Value> = group
        .get("members")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    members.sort_by_key(|m| {
        m.get("sequenceNumber")
            .and_then(Value::as_u64)
            .unwrap_or(u64::MAX)
    });
    // Adding a member already in the group is a conflict, as adding any
    // resource twice is: a client that resends a delta must find out.
    for m in &add {
        if let Some(k) = key(m)
            && members
                .iter()
                .any(|x| key(x).as_deref() == Some(k.as_str()))
        {
            return Err(ApiError::conflict(
                "add",
                format!("{k} is already a member of the ring group"),
            ));
        }
    }
    let gone: Vec<String> = remove.iter().chain(&update).filter_map(key).collect();
    members.retain(|m| key(m).is_none_or(|k| !gone.contains(&k)));
    for m in update.iter().chain(&add) {
        let at = m
            .get("sequenceNumber")
            .and_then(Value::as_u64)
            .and_then(|n| usize::try_from(n).ok())
            .map_or(members.len(), |n| n.saturating_sub(1).min(members.len()));
        members.insert(at, m.clone());
    }
    for (i, m) in members.iter_mut().enumerate() {
        if let Some(o) = m.as_object_mut() {
            o.insert("sequenceNumber".into(), json!(i + 1));
        }
    }
    let mut out = group.clone();
    if let Some(o) = out.as_object_mut() {
        o.insert("members".into(), Value::Array(members));
    }
    Ok(out)
}
