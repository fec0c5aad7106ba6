//! The terminal: raw mode and the alternate screen on the way in; restored on
//! the way out, on error (the guard's drop) and on panic (the hook restores
//! first, then reports). A terminal that has gone away (its window closed,
//! the session hung up) ends the dashboard quietly: nothing is written
//! where it would fail, and a failed write is never a panic.

use std::io::{self, Stdout, stdout};
use std::mem::ManuallyDrop;

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
    /// Dropped by the guard, and only while the terminal is there: see
    /// `drop`.
    pub terminal: ManuallyDrop<Tui>,
}

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
        // ratatui's Terminal shows the cursor it hid when it is dropped,
        // and reports a failure with eprintln!, which panics when stderr is
        // gone as well (a closed pseudo-terminal, a hung-up session). Shown
        // through it, the cursor is known to be shown, and dropping it
        // writes nothing. If that fails the terminal is gone, and the
        // Terminal is left as it is: it holds only its screen buffers, and
        // the dashboard is on its way out.
        if self.terminal.show_cursor().is_ok() {
            // SAFETY: the field is dropped here, once, as the guard itself
            // is dropped; nothing uses it afterwards.
            unsafe { ManuallyDrop::drop(&mut self.terminal) };
        }
    }
}

/// Whether an error of the terminal means it has gone away: a pseudo-
/// terminal whose other end was closed, a hung-up line, a closed pipe.
pub fn is_gone(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::BrokenPipe | io::ErrorKind::UnexpectedEof
    ) || matches!(e.raw_os_error(), Some(code) if code == libc::EIO || code == libc::ENXIO)
}

/// What the event loop makes of a terminal error: the end, quietly, when
/// the terminal has gone away (there is nobody to tell), else the error.
pub fn ended(e: io::Error) -> io::Result<()> {
    if is_gone(&e) {
        tracing::info!("the terminal has gone away ({e}): leaving");
        Ok(())
    } else {
        Err(e)
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
        Ok(terminal) => Ok(Guard {
            terminal: ManuallyDrop::new(terminal),
        }),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_terminal_is_gone_other_errors_are_not() {
        assert!(is_gone(&io::Error::from_raw_os_error(libc::EIO)));
        assert!(is_gone(&io::Error::from_raw_os_error(libc::ENXIO)));
        assert!(is_gone(&io::Error::from(io::ErrorKind::BrokenPipe)));
        assert!(ended(io::Error::from_raw_os_error(libc::EIO)).is_ok());
        let other = io::Error::from(io::ErrorKind::InvalidData);
        assert!(!is_gone(&other));
        assert!(ended(other).is_err());
    }
}
