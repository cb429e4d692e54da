//! One module per subcommand. They glue the library's pieces together and
//! hold no rules of their own.

pub mod apply;
mod common;
pub mod completions;
pub mod export;
pub mod plan;
pub mod route;
pub mod schema;
pub mod validate;
