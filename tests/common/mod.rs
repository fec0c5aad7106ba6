//! Drives the real binary in a pseudo-terminal and reads its screen.

#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::Path;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

fn nonzero(n: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(n).expect("a terminal size is not zero")
}

pub mod demo;
pub mod prometheus;
pub mod sim;

pub const BIN: &str = env!("CARGO_BIN_EXE_ops-tui");

pub struct Pty {
    child: Box<dyn Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    output: Receiver<Vec<u8>>,
    _master: Box<dyn MasterPty + Send>,
    pub parser: vt100::Parser,
    /// Every byte the program wrote, for checking escape sequences.
    pub raw: Vec<u8>,
}

impl Pty {
    /// Starts `ops-tui args` in `dir` with config and data directories of its
    /// own under `dir`, on a terminal of `cols` x `rows`.
    pub fn spawn(dir: &Path, args: &[&str], envs: &[(&str, &str)], cols: u16, rows: u16) -> Pty {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pseudo-terminal");
        let mut cmd = CommandBuilder::new(BIN);
        cmd.args(args);
        cmd.cwd(dir);
        cmd.env("TERM", "xterm-256color");
        cmd.env("OPS_TUI_CONFIG_DIR", dir.join("config"));
        cmd.env("OPS_TUI_DATA_DIR", dir.join("data"));
        // Never the developer's own clusters: no kubeconfig unless given.
        cmd.env("KUBECONFIG", dir.join("no-kubeconfig"));
        cmd.env_remove("NO_COLOR");
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).expect("start ops-tui");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let writer = pair.master.take_writer().expect("pty writer");
        let (tx, output) = channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            // Ends when the program exits and the pty closes.
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        Pty {
            child,
            writer,
            output,
            _master: pair.master,
            parser: vt100::Parser::new(nonzero(rows), nonzero(cols), 0),
            raw: Vec::new(),
        }
    }

    fn pump(&mut self, wait: Duration) -> bool {
        match self.output.recv_timeout(wait) {
            Ok(bytes) => {
                self.parser.process(&bytes);
                self.raw.extend_from_slice(&bytes);
                // Answer cursor-position queries as a terminal would.
                if bytes.windows(4).any(|w| w == b"\x1b[6n") {
                    let (row, col) = self.parser.screen().cursor_position();
                    let answer = format!("\x1b[{};{}R", row + 1, col + 1);
                    self.send(answer.as_bytes());
                }
                true
            }
            Err(_) => false,
        }
    }

    pub fn screen_text(&self) -> String {
        self.parser.screen().contents()
    }

    /// Waits until the screen shows `text`; panics with the screen if it
    /// does not within `timeout`.
    pub fn wait_for(&mut self, text: &str, timeout: Duration) {
        if self.shows_within(text, timeout) {
            return;
        }
        panic!(
            "timed out waiting for {text:?}; the screen shows:\n{}",
            self.screen_text()
        );
    }

    /// Whether the screen shows `text` within `timeout`.
    pub fn shows_within(&mut self, text: &str, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if self.screen_text().contains(text) {
                return true;
            }
            self.pump(Duration::from_millis(50));
        }
        false
    }

    /// Waits until the screen no longer shows `text`.
    pub fn wait_gone(&mut self, text: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if !self.screen_text().contains(text) {
                return;
            }
            self.pump(Duration::from_millis(50));
        }
        panic!("{text:?} is still on the screen:\n{}", self.screen_text());
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).expect("write to the pty");
        self.writer.flush().expect("flush the pty");
    }

    /// Waits for the program to exit, reading its output meanwhile.
    pub fn wait_exit(&mut self, timeout: Duration) -> portable_pty::ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("query the child") {
                // Read what is left (bounded: the reader ends when the pty closes).
                let drain_until = Instant::now() + Duration::from_secs(2);
                while Instant::now() < drain_until && self.pump(Duration::from_millis(100)) {}
                return status;
            }
            if Instant::now() >= deadline {
                let _ = self.child.kill();
                panic!(
                    "ops-tui did not exit; the screen shows:\n{}",
                    self.screen_text()
                );
            }
            self.pump(Duration::from_millis(50));
        }
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.process_id()
    }

    /// Resizes the terminal (the program gets SIGWINCH) and the parser.
    pub fn resize(&mut self, cols: u16, rows: u16) {
        self._master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resize the pty");
        self.parser.set_size(nonzero(rows), nonzero(cols));
    }

    pub fn raw_contains(&self, needle: &[u8]) -> bool {
        self.raw.windows(needle.len()).any(|w| w == needle)
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}
pub mod https;
pub mod leaky;
