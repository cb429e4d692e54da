//! vocm's engine: everything between the YAML files and a provider.
//!
//! Data flows from YAML files ([`manifest`]) through validation
//! ([`validate`]) to a checked [`model::Manifest`], then to the canonical
//! [`account::Account`] it describes ([`plan::desired`]). The pure planner
//! ([`plan`]) compares it with what a [`provider`] holds; [`apply`] executes
//! the plan; [`render`] turns plans and call paths ([`route`]) into text.
//! No module here parses arguments or prints: the CLI does.

pub mod account;
pub mod apply;
pub mod diagnostics;
pub mod engine;
pub mod export;
pub mod manifest;
pub mod model;
pub mod plan;
pub mod provider;
pub mod render;
pub mod route;
pub mod schema;
pub mod source;
pub mod util;
pub mod validate;
