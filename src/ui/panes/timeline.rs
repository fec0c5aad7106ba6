use super::{Content, heading, note};
use crate::state::AppState;

pub fn content(state: &AppState) -> Content {
    let theme = &state.theme;
    Content {
        rows: Vec::new(),
        notes: vec![
            heading(theme, "Nothing recorded yet."),
            note(
                theme,
                "Actions taken, items ticked, notes and checks that change state appear here, newest first.",
            ),
        ],
    }
}
