//! Where each pane goes.

use ratatui::layout::{Constraint, Layout, Rect};

use crate::state::Pane;

/// The panes and their areas: the focused pane alone when zoomed, else
/// Rollouts and Checklist on top, Health, Signals and Timeline below.
pub fn panes(body: Rect, zoomed: bool, focus: Pane) -> Vec<(Pane, Rect)> {
    if zoomed {
        return vec![(focus, body)];
    }
    let [top, bottom] =
        Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(body);
    let [rollouts, checklist] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(top);
    let [health, signals, timeline] = Layout::horizontal([
        Constraint::Ratio(1, 3),
        Constraint::Ratio(1, 3),
        Constraint::Ratio(1, 3),
    ])
    .areas(bottom);
    vec![
        (Pane::Rollouts, rollouts),
        (Pane::Health, health),
        (Pane::Signals, signals),
        (Pane::Checklist, checklist),
        (Pane::Timeline, timeline),
    ]
}
