//! The `vocm` binary: everything happens in the library.

// jemalloc: a large account means millions of small allocations, and the
// system allocator was the largest single cost of a plan
// (docs/performance.md has the figures).
#[cfg(all(feature = "jemalloc", not(target_env = "msvc")))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    vocm::run(std::env::args_os())
}
