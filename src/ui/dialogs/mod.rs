//! Overlays drawn on top of the panes.

pub mod action;
pub mod faults;
pub mod help;
