//! vocm: a cloud phone system's account as code.
//!
//! The library does the work; `main.rs` only calls [`run`]. Data flows
//! from YAML files ([`manifest`]) through validation ([`validate`]) to a
//! checked [`model::Manifest`].

pub mod account;
pub mod api;
pub mod apply;
pub mod cli;
pub mod commands;
pub mod diagnostics;
pub mod export;
pub mod generate;
pub mod manifest;
pub mod model;
pub mod plan;
pub mod provider;
pub mod render;
pub mod route;
pub mod sandbox;
pub mod schema;
pub mod source;
pub mod validate;

pub use cli::run;
