//! Overlays drawn on top of the panes.

pub mod help;
