//! Operations: each asynchronous write is one. It is `PENDING`, then
//! `IN_PROGRESS` for the second half of `--op-delay-ms`, then `COMPLETED`
//! (the change is applied at that moment) or `FAILED` (it is not).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use indexmap::IndexMap;
use serde_json::Value;

use vocm_api::{
    Collection, Link, OPERATIONS_PATH, Operation, OperationLinks, OperationStatus, Problem,
};

use super::clock;

/// How many operations are remembered for polling (the oldest finished
/// ones are forgotten first).
const REMEMBERED: usize = 10_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    Create,
    Update,
    Delete,
}

impl ChangeKind {
    fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Create => "CREATE",
            ChangeKind::Update => "UPDATE",
            ChangeKind::Delete => "DELETE",
        }
    }
}

/// What an operation does when it completes.
#[derive(Clone, Debug)]
pub struct Change {
    pub collection: Collection,
    pub kind: ChangeKind,
    pub id: String,
    /// The resource to store (none for deletes).
    pub value: Option<Value>,
}

#[derive(Debug)]
struct InFlight {
    operation_id: String,
    change: Change,
    accepted: Instant,
    due: Instant,
    /// An injected fault: the operation fails with a transient error.
    fails: bool,
}

/// An operation whose time has come, to be applied (or failed).
#[derive(Debug)]
pub struct Due {
    pub operation_id: String,
    pub change: Change,
    pub fails: bool,
}

#[derive(Debug, Default)]
pub struct Operations {
    records: IndexMap<String, Operation>,
    in_flight: VecDeque<InFlight>,
}

impl Operations {
    /// Operations saved with the account. Those still in flight when the
    /// sandbox stopped abruptly never completed: they failed.
    pub fn load(saved: Vec<Operation>) -> Operations {
        let mut records = IndexMap::new();
        for mut op in saved {
            if !op.status.is_finished() {
                op.status = OperationStatus::Failed;
                op.completed_time = Some(clock::timestamp());
                op.error = Some(Problem {
                    status: 503,
                    title: "Service unavailable".to_owned(),
                    detail: Some("The sandbox stopped before the operation completed".to_owned()),
                    ..Problem::default()
                });
            }
            records.insert(op.operation_id.clone(), op);
        }
        Operations {
            records,
            in_flight: VecDeque::new(),
        }
    }

    /// Every remembered operation, oldest first.
    pub fn records(&self) -> impl Iterator<Item = &Operation> {
        self.records.values()
    }

    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// How long until operation `id` completes, while it is in flight.
    pub fn remaining(&self, id: &str, now: Instant) -> Option<std::time::Duration> {
        self.in_flight
            .iter()
            .find(|f| f.operation_id == id)
            .map(|f| f.due.saturating_duration_since(now))
    }

    /// When the next operation in flight completes.
    pub fn next_due(&self) -> Option<Instant> {
        self.in_flight.iter().map(|f| f.due).min()
    }

    /// Records an accepted write; it completes `delay` after `now`.
    pub fn accept(
        &mut self,
        operation_id: &str,
        change: Change,
        now: Instant,
        delay: Duration,
        fails: bool,
    ) {
        // The id of a resource being created is known once it exists.
        let resource_id = (change.kind != ChangeKind::Create).then(|| change.id.clone());
        let op = Operation {
            operation_id: operation_id.to_owned(),
            status: OperationStatus::Pending,
            resource_type: change.collection.resource_type().to_owned(),
            operation_type: change.kind.as_str().to_owned(),
            resource_id,
            created_time: clock::timestamp(),
            completed_time: None,
            error: None,
            links: OperationLinks {
                self_: Link {
                    href: format!("{OPERATIONS_PATH}/{operation_id}"),
                },
                resource: None,
            },
        };
        self.records.insert(operation_id.to_owned(), op);
        self.in_flight.push_back(InFlight {
            operation_id: operation_id.to_owned(),
            change,
            accepted: now,
            due: now + delay,
            fails,
        });
        while self.records.len() > REMEMBERED
            && self
                .records
                .first()
                .is_some_and(|(_, o)| o.status.is_finished())
        {
            self.records.shift_remove_index(0);
        }
    }

    /// The next operation whose time has come (or the next at all, with
    /// `all`), in the order they are due.
    pub fn take_due(&mut self, now: Instant, all: bool) -> Option<Due> {
        let (i, _) = self
            .in_flight
            .iter()
            .enumerate()
            .filter(|(_, f)| all || f.due <= now)
            .min_by_key(|(_, f)| f.due)?;
        let f = self.in_flight.remove(i)?;
        Some(Due {
            operation_id: f.operation_id,
            change: f.change,
            fails: f.fails,
        })
    }

    /// Records how an operation ended.
    pub fn finish(&mut self, due: &Due, outcome: Result<(), Problem>) {
        let Some(op) = self.records.get_mut(&due.operation_id) else {
            return;
        };
        op.completed_time = Some(clock::timestamp());
        match outcome {
            Ok(()) => {
                op.status = OperationStatus::Completed;
                op.resource_id = Some(due.change.id.clone());
                if due.change.kind != ChangeKind::Delete {
                    op.links.resource = Some(Link {
                        href: resource_path(due.change.collection, &due.change.id),
                    });
                }
            }
            Err(problem) => {
                op.status = OperationStatus::Failed;
                op.error = Some(problem);
            }
        }
    }

    /// An operation as a poll shows it.
    pub fn view(&self, operation_id: &str, now: Instant) -> Option<Operation> {
        let mut op = self.records.get(operation_id)?.clone();
        if let Some(f) = self
            .in_flight
            .iter()
            .find(|f| f.operation_id == operation_id)
        {
            let halfway = f.accepted + (f.due - f.accepted) / 2;
            if now >= halfway {
                op.status = OperationStatus::InProgress;
            }
        }
        Some(op)
    }
}

/// Where a resource is read.
pub fn resource_path(c: Collection, id: &str) -> String {
    if c == Collection::Account {
        c.path().to_owned()
    } else {
        format!("{}/{id}", c.path())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(id: &str) -> Change {
        Change {
            collection: Collection::Users,
            kind: ChangeKind::Create,
            id: id.to_owned(),
            value: None,
        }
    }

    #[test]
    fn operations_progress_and_complete_in_order() {
        let mut ops = Operations::default();
        let t = Instant::now();
        let d = Duration::from_millis(100);
        ops.accept("op_1", change("a"), t, d, false);
        ops.accept("op_2", change("b"), t + d / 4, d, false);
        assert_eq!(ops.in_flight(), 2);
        assert_eq!(
            ops.view("op_1", t).unwrap().status,
            OperationStatus::Pending
        );
        assert_eq!(
            ops.view("op_1", t + d / 2).unwrap().status,
            OperationStatus::InProgress
        );
        assert!(ops.view("op_1", t).unwrap().resource_id.is_none());
        assert!(ops.take_due(t, false).is_none());
        let due = ops.take_due(t + d * 2, false).unwrap();
        assert_eq!(due.operation_id, "op_1");
        ops.finish(&due, Ok(()));
        let op = ops.view("op_1", t + d * 2).unwrap();
        assert_eq!(op.status, OperationStatus::Completed);
        assert_eq!(op.resource_id.as_deref(), Some("a"));
        assert_eq!(ops.take_due(t, true).unwrap().operation_id, "op_2");
    }
}
