//! The journal: concurrent writers, a SIGKILL mid-write, a year-long
//! journal opened within bounded memory, and the demo's journal of its own.

mod demo;
mod share;
mod size;
mod stress;
