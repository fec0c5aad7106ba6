//! Secrets never leak and printed text is safe: every place a secret can
//! come from, searched for in everything ops-tui wrote or showed.

mod leaks;
mod objects;
mod secrets;
