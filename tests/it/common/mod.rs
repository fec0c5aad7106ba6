//! Drives the real binary in a pseudo-terminal and reads its screen.

#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(dead_code)]

use std::io::{Read, Write};
use std::os::fd::{AsRawFd, BorrowedFd};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::thread::JoinHandle;
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
    /// The terminal's master side: the writer, the master and the reader
    /// each hold a descriptor of it; `hang_up` closes all three.
    writer: Option<Box<dyn Write + Send>>,
    output: Receiver<Vec<u8>>,
    master: Option<Box<dyn MasterPty + Send>>,
    reader: Option<(Arc<AtomicBool>, JoinHandle<()>)>,
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
        let fd = pair.master.as_raw_fd().expect("the pty's descriptor");
        // SAFETY: the master holds `fd` open for the length of this call.
        let own = unsafe { BorrowedFd::borrow_raw(fd) }
            .try_clone_to_owned()
            .expect("a descriptor of the pty to read from");
        let mut reader = std::fs::File::from(own);
        let writer = pair.master.take_writer().expect("pty writer");
        let (tx, output) = channel();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            // Ends when the program exits and the pty closes, or when told
            // to (which closes this descriptor of the master).
            while !stopped.load(Ordering::SeqCst) {
                let mut ready = libc::pollfd {
                    fd: reader.as_raw_fd(),
                    events: libc::POLLIN,
                    revents: 0,
                };
                // SAFETY: one valid pollfd, for 50 ms.
                match unsafe { libc::poll(&mut ready, 1, 50) } {
                    0 => continue,
                    n if n < 0 => {
                        if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted
                        {
                            continue;
                        }
                        break;
                    }
                    _ => {}
                }
                match reader.read(&mut buf) {
                    Ok(n) if n > 0 && tx.send(buf[..n].to_vec()).is_ok() => {}
                    _ => break,
                }
            }
        });
        Pty {
            child,
            writer: Some(writer),
            output,
            master: Some(pair.master),
            reader: Some((stop, thread)),
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
            Err(RecvTimeoutError::Timeout) => false,
            // Nothing more will come (the terminal is closed): wait as
            // long as a read would have.
            Err(RecvTimeoutError::Disconnected) => {
                std::thread::sleep(wait);
                false
            }
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

    /// Selects the first row of the focused list (Home) until the screen
    /// shows `selected` in the frame after the key: a row that sorts first
    /// for a moment (a workload with a problem) is not taken for it.
    pub fn select_first_row(&mut self, selected: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            self.send(b"\x1b[H");
            self.pump(Duration::from_millis(300));
            if self.screen_text().contains(selected) {
                return;
            }
            self.pump(Duration::from_millis(200));
        }
        panic!(
            "{selected:?} was never shown after Home; the screen shows:\n{}",
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
        let writer = self.writer.as_mut().expect("the terminal is open");
        writer.write_all(bytes).expect("write to the pty");
        writer.flush().expect("flush the pty");
    }

    /// Closes the terminal, as when its window is closed: every descriptor
    /// of the master side is closed, so the program's terminal hangs up
    /// (SIGHUP, and its reads and writes fail). What it wrote before stays
    /// in `raw` and on the screen.
    pub fn hang_up(&mut self) {
        if let Some((stop, thread)) = self.reader.take() {
            stop.store(true, Ordering::SeqCst);
            thread.join().expect("the pty reader");
        }
        while let Ok(bytes) = self.output.try_recv() {
            self.parser.process(&bytes);
            self.raw.extend_from_slice(&bytes);
        }
        // portable-pty's writer sends a newline and an end-of-file as it
        // closes; the program may read them before the hang-up.
        self.writer = None;
        self.master = None;
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
        self.master
            .as_ref()
            .expect("the terminal is open")
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
pub mod guides;
pub mod https;
pub mod leaky;
pub mod observations;
pub mod snapshots;
