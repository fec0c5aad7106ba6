//! The terminal: raw mode and the alternate screen on the way in; restored on
//! the way out, on error (the guard's drop) and on panic (the hook restores
//! first, then reports).

use std::io::{self, Stdout, stdout};

use crossterm::cursor::{Hide, Show};
use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::execute;
use crossterm::terminal::{
    Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

pub type Tui = Terminal<CrosstermBackend<Stdout>>;

/// Restores the terminal when dropped.
pub struct Guard {
    pub terminal: Tui,
}

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

/// Enters raw mode and the alternate screen. The panic hook is installed
/// first, so that a panic at any later point leaves a usable terminal.
pub fn enter() -> io::Result<Guard> {
    install_panic_hook();
    enable_raw_mode()?;
    // Clearing through crossterm rather than `Terminal::clear`, which asks
    // the terminal for the cursor position and waits for the answer.
    // Bracketed paste: a paste arrives as one event of text, never as keys
    // (a pasted newline cannot confirm anything).
    let setup = execute!(
        stdout(),
        EnterAlternateScreen,
        EnableBracketedPaste,
        Clear(ClearType::All),
        Hide
    )
    .and_then(|()| Terminal::new(CrosstermBackend::new(stdout())));
    match setup {
        Ok(terminal) => Ok(Guard { terminal }),
        Err(e) => {
            restore();
            Err(e)
        }
    }
}

/// Leaves raw mode and the alternate screen and shows the cursor. Safe to
/// call more than once.
pub fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(stdout(), DisableBracketedPaste, LeaveAlternateScreen, Show);
}

fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        tracing::error!("panic: {info}");
        previous(info);
    }));
}
