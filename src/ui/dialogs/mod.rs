//! Overlays drawn on top of the panes.

pub mod action;
pub mod faults;
pub mod help;
pub mod nodes;
pub mod picker;

use ratatui::layout::{Constraint, Layout, Rect};

/// A `width` x `height` box in the middle of `body` (smaller if `body` is).
pub fn centered(body: Rect, width: u16, height: u16) -> Rect {
    let [_, column, _] = Layout::horizontal([
        Constraint::Fill(1),
        Constraint::Length(width.min(body.width)),
        Constraint::Fill(1),
    ])
    .areas(body);
    let [_, area, _] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(height.min(body.height)),
        Constraint::Fill(1),
    ])
    .areas(column);
    area
}
