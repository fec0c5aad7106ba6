//! Actions on the cluster (scale, restart, rollback, pause, blue/green,
//! bursts): each one's dry run, confirmation, execution and journal
//! entries, and that nothing but a deliberate, confirmed keystroke sends
//! one.

mod events;
mod executor;
mod find;
mod kinds;
mod pods;
mod safety;
