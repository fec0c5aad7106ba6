//! A real Prometheus server for tests (Debian's `prometheus` package, or
//! `$OPS_TUI_PROMETHEUS`), on 127.0.0.1, scraping the simulator's
//! `/metrics` every second, with its data in a temporary directory. It is
//! killed when dropped.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ops_tui::prom::Prom;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Rules for a server that needs none.
pub const NO_RULES: &str = "groups: []\n";

/// How long Prometheus may take to become ready (a loaded CI machine).
const READY_WITHIN: Duration = Duration::from_secs(60);
/// Attempts at starting, each on a fresh port (another process may take
/// the free port between choosing it and Prometheus binding it).
const START_ATTEMPTS: usize = 3;

/// The Prometheus to test with: `$OPS_TUI_PROMETHEUS`, else `prometheus`
/// on PATH, else Debian's `/usr/bin/prometheus`.
pub fn binary() -> PathBuf {
    if let Some(p) = std::env::var_os("OPS_TUI_PROMETHEUS") {
        let p = PathBuf::from(p);
        assert!(
            p.is_file(),
            "OPS_TUI_PROMETHEUS is {}, which is not a file: point it at a prometheus binary, \
             or unset it and run `.ci/run` as root or `apt-get install prometheus` (Debian)",
            p.display()
        );
        return p;
    }
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("prometheus"))
            .find(|p| p.is_file())
    });
    let debian = PathBuf::from("/usr/bin/prometheus");
    on_path
        .or_else(|| debian.is_file().then_some(debian))
        .unwrap_or_else(|| {
            panic!(
                "the Prometheus tests need the real Prometheus server, which is not installed: \
                 run `.ci/run` as root, or `apt-get install prometheus` (Debian), \
                 or set OPS_TUI_PROMETHEUS to a prometheus binary"
            )
        })
}

pub struct PromServer {
    process: Process,
    pub port: u16,
    /// `http://127.0.0.1:PORT`
    pub url: String,
    dir: tempfile::TempDir,
    /// The configuration and data directory, for a restart.
    config: PathBuf,
    data: PathBuf,
}

/// The Prometheus process, killed on drop (also when a test panics).
struct Process(Option<Child>);

impl Process {
    fn kill(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    l.local_addr().expect("local address").port()
}

fn config(targets: &[u16], rules: &Path) -> String {
    let targets: Vec<String> = targets.iter().map(|p| format!("'127.0.0.1:{p}'")).collect();
    format!(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n\
         rule_files:\n  - '{}'\n\
         scrape_configs:\n  - job_name: sim\n    static_configs:\n      - targets: [{}]\n",
        rules.display(),
        targets.join(", ")
    )
}

impl PromServer {
    /// Starts Prometheus scraping `127.0.0.1:PORT/metrics` for each of
    /// `targets`, with `rules` as its rule file, and waits until it is
    /// ready. Panics (with Prometheus's log) if it does not become ready.
    pub async fn start(targets: &[u16], rules: &str) -> PromServer {
        let bin = binary();
        let dir = tempfile::tempdir().expect("a temporary directory");
        let rules_path = dir.path().join("rules.yml");
        std::fs::write(&rules_path, rules).expect("write the rule file");
        let config_path = dir.path().join("prometheus.yml");
        std::fs::write(&config_path, config(targets, &rules_path)).expect("write the config");
        let mut failures = Vec::new();
        for attempt in 0..START_ATTEMPTS {
            let port = free_port();
            let log_path = dir.path().join(format!("prometheus-{attempt}.log"));
            let data = dir.path().join(format!("data-{attempt}"));
            let mut process = spawn(&config_path, &data, port, &log_path);
            match wait_ready(&mut process, port, &data).await {
                Ok(()) => {
                    return PromServer {
                        process,
                        port,
                        url: format!("http://127.0.0.1:{port}"),
                        dir,
                        config: config_path,
                        data,
                    };
                }
                Err(why) => {
                    process.kill();
                    failures.push(format!(
                        "attempt {}: {why}\n{}",
                        attempt + 1,
                        std::fs::read_to_string(&log_path).unwrap_or_default()
                    ));
                }
            }
        }
        panic!(
            "Prometheus ({}) did not become ready:\n{}",
            bin.display(),
            failures.join("\n")
        );
    }

    /// A client for this server.
    pub fn client(&self) -> Prom {
        Prom::new(&self.url, None, Duration::from_secs(5)).expect("a Prometheus client")
    }

    /// Waits until Prometheus has scraped every target successfully
    /// (`up == 1` for `count` targets).
    pub async fn wait_targets_up(&self, count: usize) {
        let client = self.client();
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut last = String::new();
        for _ in 0..300 {
            match client.instant("up").await {
                Ok(up) if up.len() == count && up.iter().all(|(_, v)| *v == 1.0) => return,
                Ok(up) => last = format!("{up:?}"),
                Err(e) => last = e.to_string(),
            }
            if Instant::now() >= deadline {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!(
            "Prometheus did not scrape all {count} targets: up = {last}\n{}",
            self.log()
        );
    }

    /// Prometheus's output so far.
    pub fn log(&self) -> String {
        (0..=START_ATTEMPTS)
            .filter_map(|i| {
                std::fs::read_to_string(self.dir.path().join(format!("prometheus-{i}.log"))).ok()
            })
            .collect()
    }

    /// Kills the server now (it is killed on drop anyway).
    pub fn stop(&mut self) {
        self.process.kill();
    }

    /// Starts the stopped server again on the same port with the same data
    /// directory, and waits until it is ready. Panics (with its log) if it
    /// does not become ready.
    pub async fn restart(&mut self) {
        self.process.kill();
        let log_path = self
            .dir
            .path()
            .join(format!("prometheus-{START_ATTEMPTS}.log"));
        let mut failures = Vec::new();
        // The port was just released; another process could take it in
        // between, so a failed start is retried a few times.
        for _ in 0..START_ATTEMPTS {
            self.process = spawn(&self.config, &self.data, self.port, &log_path);
            match wait_ready(&mut self.process, self.port, &self.data).await {
                Ok(()) => return,
                Err(why) => {
                    self.process.kill();
                    failures.push(why);
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
        }
        panic!(
            "Prometheus did not start again on port {}: {}\n{}",
            self.port,
            failures.join("; "),
            self.log()
        );
    }
}

/// Starts Prometheus with `config` and its data in `data`, listening on
/// 127.0.0.1:`port`, its output appended to `log`.
fn spawn(config: &Path, data: &Path, port: u16, log: &Path) -> Process {
    let bin = binary();
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .expect("open the log file");
    let child = Command::new(&bin)
        .arg(format!("--config.file={}", config.display()))
        .arg(format!("--storage.tsdb.path={}", data.display()))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("clone the log file"))
        .stderr(log)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
    Process(Some(child))
}

/// Polls `/-/ready` until it answers 200 and checks that the server on the
/// port is this one (its data directory is `data`); an error if the
/// process exits or the time runs out.
async fn wait_ready(process: &mut Process, port: u16, data: &Path) -> Result<(), String> {
    let deadline = Instant::now() + READY_WITHIN;
    let mut last = String::from("no answer yet");
    for _ in 0..(READY_WITHIN.as_millis() / 100) {
        if let Some(child) = process.0.as_mut()
            && let Ok(Some(status)) = child.try_wait()
        {
            return Err(format!("prometheus exited ({status}) before it was ready"));
        }
        match get_status(port, "/-/ready").await {
            Ok(200) => {
                let flags = get(port, "/api/v1/status/flags").await?;
                return if flags.contains(&data.display().to_string()) {
                    Ok(())
                } else {
                    Err(format!("another server answers on port {port}"))
                };
            }
            Ok(code) => last = format!("/-/ready answered {code}"),
            Err(e) => last = e,
        }
        if Instant::now() >= deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(format!("not ready within {READY_WITHIN:?}: {last}"))
}

/// The status code of `GET path` on 127.0.0.1:port, within two seconds.
pub async fn get_status(port: u16, path: &str) -> Result<u16, String> {
    let text = get(port, path).await?;
    text.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| format!("not an HTTP answer: {text:?}"))
}

/// The whole answer (status line, headers, body) to `GET path` on
/// 127.0.0.1:port, within two seconds.
pub async fn get(port: u16, path: &str) -> Result<String, String> {
    let exchange = async {
        let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .map_err(|e| e.to_string())?;
        let request = format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n");
        s.write_all(request.as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        let mut buf = Vec::new();
        s.take(4 << 20)
            .read_to_end(&mut buf)
            .await
            .map_err(|e| e.to_string())?;
        Ok::<_, String>(String::from_utf8_lossy(&buf).into_owned())
    };
    tokio::time::timeout(Duration::from_secs(2), exchange)
        .await
        .map_err(|_| format!("GET {path}: no answer within 2s"))?
}
