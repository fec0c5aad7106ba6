//! `ops-tui demo --serve` as a child process, and kubectl against it.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::BIN;

pub struct Demo {
    child: Child,
    pub kubeconfig: PathBuf,
    pub control: String,
    pub prometheus: String,
    /// `service name` → http URL.
    pub services: Vec<(String, String)>,
    /// The temporary directory the demo writes to.
    pub dir: PathBuf,
    pub banner: String,
}

impl Demo {
    /// Starts `ops-tui demo --serve --port 0` with `args` and waits for its
    /// banner (bounded).
    pub fn start(args: &[&str]) -> Demo {
        let mut child = Command::new(BIN)
            .args(["demo", "--serve", "--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start ops-tui demo --serve");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut banner = String::new();
        while !banner.contains("Ctrl-C stops") {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => {
                    banner.push_str(&line);
                    banner.push('\n');
                }
                Err(_) => {
                    let _ = child.kill();
                    panic!("demo --serve printed no banner; so far:\n{banner}");
                }
            }
        }
        let field = |label: &str| {
            banner
                .lines()
                .find_map(|l| {
                    l.trim_start()
                        .strip_prefix(label)
                        .map(|r| r.split_whitespace().next().unwrap_or("").to_string())
                })
                .unwrap_or_else(|| panic!("no {label} line in:\n{banner}"))
        };
        let kubeconfig = PathBuf::from(field("kubeconfig "));
        let services = banner
            .lines()
            .filter_map(|l| {
                let rest = l.trim_start().strip_prefix("service ")?;
                let mut words = rest.split_whitespace();
                Some((words.next()?.to_string(), words.next()?.to_string()))
            })
            .collect();
        Demo {
            dir: kubeconfig.parent().expect("kubeconfig dir").to_path_buf(),
            control: field("control "),
            prometheus: field("prometheus "),
            kubeconfig,
            services,
            child,
            banner,
        }
    }

    pub fn service(&self, name: &str) -> &str {
        &self
            .services
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no service {name}"))
            .1
    }

    /// Runs kubectl with this demo's kubeconfig; every call is bounded by
    /// kubectl's own request timeout.
    pub fn kubectl(&self, args: &[&str]) -> Output {
        Command::new(kubectl())
            .env("KUBECONFIG", &self.kubeconfig)
            .arg("--request-timeout=20s")
            .args(args)
            .output()
            .expect("run kubectl")
    }

    /// One request to the control endpoint; the whole HTTP answer.
    fn control_request(&self, method: &str, path: &str) -> String {
        use std::io::{Read, Write};
        let addr = self
            .control
            .strip_prefix("http://")
            .expect("an http control address")
            .trim_end_matches('/');
        let mut stream = std::net::TcpStream::connect(addr).expect("connect to control");
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .expect("a read timeout");
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
        .expect("send the request");
        let mut response = String::new();
        stream
            .read_to_string(&mut response)
            .expect("read the answer");
        response
    }

    /// POSTs to the fault control endpoint (e.g. `/faults/refuse?service=worker`).
    pub fn fault(&self, path: &str) {
        let response = self.control_request("POST", path);
        assert!(response.starts_with("HTTP/1.1 200"), "{path}: {response}");
    }

    /// The demo's process id (to stop and continue it as a frozen server).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends a signal to the demo process (SIGSTOP freezes every server in
    /// it; SIGCONT resumes them).
    pub fn signal(&self, signal: libc::c_int) {
        // SAFETY: signals the child this test started.
        unsafe { libc::kill(self.child.id() as libc::pid_t, signal) };
        if signal == libc::SIGSTOP {
            // Every thread stopped before the test goes on (on a loaded
            // machine one may still be finishing a request), bounded.
            let status = format!("/proc/{}/status", self.child.id());
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                let stopped = std::fs::read_to_string(&status).is_ok_and(|s| {
                    s.lines()
                        .any(|l| l.starts_with("State:") && l.contains('T'))
                });
                if stopped {
                    break;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            // A request already accepted is answered or not; new ones wait.
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Every write request (anything but a GET) the simulated API server
    /// has seen, as "METHOD path?query", from the control endpoint.
    pub fn writes(&self) -> Vec<String> {
        let response = self.control_request("GET", "/");
        let body = response
            .split_once("\r\n\r\n")
            .map(|(_, b)| b)
            .expect("an HTTP answer");
        let value: serde_json::Value = serde_json::from_str(body).expect("JSON from control");
        value["writes"]
            .as_array()
            .expect("a writes list")
            .iter()
            .map(|w| w.as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// Every write request with its body, as ("METHOD path?query", body),
    /// from the control endpoint.
    pub fn write_bodies(&self) -> Vec<(String, String)> {
        let response = self.control_request("GET", "/");
        let body = response
            .split_once("\r\n\r\n")
            .map(|(_, b)| b)
            .expect("an HTTP answer");
        let value: serde_json::Value = serde_json::from_str(body).expect("JSON from control");
        value["write_bodies"]
            .as_array()
            .expect("a write_bodies list")
            .iter()
            .map(|w| {
                (
                    w["request"].as_str().unwrap_or_default().to_string(),
                    w["body"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    }

    /// Waits (bounded) until the API server holds exactly `spec.replicas`
    /// pods of Deployment `name`, none of them being deleted: the previous
    /// revision's pods are gone.
    pub fn wait_only_current_pods(&self, name: &str, timeout: Duration) {
        let deadline = std::time::Instant::now() + timeout;
        let prefix = format!("{name}-");
        loop {
            let wanted = self.ok(&[
                "get",
                &format!("deploy/{name}"),
                "-o",
                "jsonpath={.spec.replicas}",
            ]);
            let pods = self.ok(&[
                "get",
                "pods",
                "-o",
                "jsonpath={range .items[*]}{.metadata.name} {.metadata.deletionTimestamp}{\"\\n\"}{end}",
            ]);
            let ours: Vec<&str> = pods.lines().filter(|l| l.starts_with(&prefix)).collect();
            let settled = ours.len().to_string() == wanted.trim()
                && ours.iter().all(|l| l.trim_end().split(' ').count() == 1);
            if settled {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{name} never settled at {wanted} pods:\n{pods}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// kubectl that must succeed; returns its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.kubectl(args);
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(
            out.status.success(),
            "kubectl {args:?} failed:\n{stdout}\n{stderr}"
        );
        stdout
    }

    /// Stops the demo with SIGTERM and waits for it (bounded).
    pub fn stop(&mut self) -> std::process::ExitStatus {
        // SAFETY: signals the child this test started.
        unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(Instant::now() < deadline, "demo did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            // SIGTERM first, so the demo removes its temporary files.
            // SAFETY: signals the child this test started.
            unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM) };
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline && matches!(self.child.try_wait(), Ok(None)) {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The kubectl to test with: `$OPS_TUI_KUBECTL`, else `kubectl` on PATH.
pub fn kubectl() -> PathBuf {
    if let Some(p) = std::env::var_os("OPS_TUI_KUBECTL") {
        return PathBuf::from(p);
    }
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("kubectl"))
            .find(|p| p.is_file())
    });
    found.unwrap_or_else(|| panic!("kubectl is not on PATH: install it (Debian: apt-get install kubernetes-client; .ci/run does) or set OPS_TUI_KUBECTL"))
}
