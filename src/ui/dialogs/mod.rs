//! Overlays drawn on top of the panes.

pub mod faults;
pub mod help;
