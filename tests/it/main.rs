//! The integration tests, in one test binary: one link of ops-tui and its
//! dependencies instead of one per file. Each module is an area of
//! behaviour; `cargo test --test it <module>::` runs one area (for example
//! `screens::` or `props::`). Tests that set variables in this process's
//! environment are in `tests/setenv/`, a binary of their own.

mod common;

mod actions;
mod cli;
mod cluster;
mod config;
mod journal;
mod probes;
mod prometheus;
mod props;
mod resilience;
mod runbook;
mod screens;
mod security;
mod sim;
mod terminal;
