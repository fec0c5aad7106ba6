//! Tests that set a variable in this process's environment for the code
//! under test to read (a runbook's `${VAR}` holding a secret), in a test
//! binary of their own. `std::env::set_var` is safe only while no other
//! thread reads the environment outside std's lock, and glibc's `getenv`
//! (called by `getaddrinfo`, for one) takes no lock; the `it` binary runs
//! tests that resolve names, start processes and link C libraries on other
//! threads, so these share a process only with each other.

// The fixtures of `it`, whose snapshot macro only `it` uses.
#[path = "../it/common/mod.rs"]
#[allow(unused_macros, unused_imports)]
mod common;

mod leaks;
mod probes;
