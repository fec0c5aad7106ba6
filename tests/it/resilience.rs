//! Probes stay bounded against hostile endpoints: a 10 MB body, and one
//! that trickles a byte at a time.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::time::{Duration, Instant};

use common::https::probes;
use ops_tui::probe::{Failure, MAX_BODY};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Serves one kind of answer to every connection: `body` bytes of 'x' after
/// the headers, written in chunks of `chunk`, `pause` between chunks.
async fn serve(len: usize, chunk: usize, pause: Duration) -> (String, tokio::task::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        for _ in 0..20 {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                // Read the request's head before answering.
                let mut request = Vec::new();
                let mut buf = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 65536 {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-length: {len}\r\ncontent-type: text/plain\r\n\r\n"
                );
                if stream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let block = vec![b'x'; chunk];
                let mut sent = 0;
                while sent < len {
                    let n = chunk.min(len - sent);
                    if stream.write_all(&block[..n]).await.is_err() {
                        return;
                    }
                    sent += n;
                    if !pause.is_zero() {
                        tokio::time::sleep(pause).await;
                    }
                }
            });
        }
    });
    (url, task)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ten_megabyte_body_is_read_only_as_far_as_the_limit() {
    let (url, server) = serve(10 << 20, 64 << 10, Duration::ZERO).await;
    let (_dir, specs) = probes(
        &[("base", url)],
        "[[probe]]\nname = \"big\"\nurl = \"${base}/\"\ntimeout = \"10s\"\nfail = [\"[STATUS] == 200\", \"len([BODY]) > 0\"]\n",
    );
    let started = Instant::now();
    let result = common::https::run(&specs[0]).await;
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(result.observed.status, Some(200));
    assert!(
        result.observed.body.len() <= MAX_BODY,
        "{}",
        result.observed.body.len()
    );
    assert!(
        result.observed.body.len() >= MAX_BODY / 2,
        "the body up to the limit is kept"
    );
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trickling_endpoint_times_out_on_time() {
    let (url, server) = serve(1000, 1, Duration::from_millis(100)).await;
    let (_dir, specs) = probes(
        &[("base", url)],
        "[[probe]]\nname = \"trickle\"\nurl = \"${base}/\"\ntimeout = \"500ms\"\n",
    );
    let started = Instant::now();
    let result = common::https::run(&specs[0]).await;
    let took = started.elapsed();
    assert_eq!(
        result.failure,
        Some(Failure::Timeout),
        "{:?}",
        result.failure
    );
    assert!(took < Duration::from_secs(3), "took {took:?}");
    server.abort();
}

/// The dashboard's state fed by the real pollers, drawn at 160x48.
struct Dashboard {
    state: ops_tui::state::AppState,
    rx: tokio::sync::mpsc::Receiver<ops_tui::state::Msg>,
    _polls: ops_tui::prom::plan::PollTasks,
}

impl Dashboard {
    fn screen(&self) -> String {
        let mut terminal =
            ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 48)).unwrap();
        terminal
            .draw(|f| ops_tui::ui::draw(f, &self.state))
            .unwrap();
        let buffer = terminal.backend().buffer();
        let mut text = String::new();
        for y in 0..buffer.area.height {
            for x in 0..buffer.area.width {
                text.push_str(buffer[(x, y)].symbol());
            }
            text.push('\n');
        }
        text
    }

    /// Applies the pollers' messages (and a clock tick each second) until
    /// `done` holds for the state and the screen, or panics after `within`.
    async fn until(
        &mut self,
        what: &str,
        within: Duration,
        done: impl Fn(&ops_tui::state::AppState, &str) -> bool,
    ) -> String {
        let deadline = Instant::now() + within;
        loop {
            let now = jiff::Timestamp::now().as_second();
            ops_tui::state::update(
                &mut self.state,
                ops_tui::state::Msg::Tick("12:00:00 UTC".into(), now),
            );
            let screen = self.screen();
            if done(&self.state, &screen) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "{what}: not within {within:?}:\n{screen}"
            );
            if let Ok(Some(msg)) =
                tokio::time::timeout(Duration::from_secs(1), self.rx.recv()).await
            {
                ops_tui::state::update(&mut self.state, msg);
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_stopped_then_restarted_is_unreachable_with_the_age_of_the_last_values_then_live()
 {
    use common::prometheus::{NO_RULES, PromServer};
    use ops_tui::runbook::Runbook;

    let mut server = PromServer::start(&[], NO_RULES).await;
    let text = format!(
        "[service]\nname = \"s\"\n\n[env.prod]\nprometheus = \"{}\"\n\n\
         [[signal]]\nname = \"error-rate\"\nquery = \"vector(0.002)\"\nunit = \"percent\"\n\
         every = \"1s\"\nwarn = \"> 0.005\"\nfail = \"> 0.01\"\n",
        server.url
    );
    let runbook = Runbook::parse(std::path::Path::new("t.toml"), &text).unwrap();
    let overrides = ops_tui::runbook::select::Overrides {
        env: Some("prod".into()),
        ..Default::default()
    };
    let target = ops_tui::runbook::select::select(Some(&runbook), &overrides).unwrap();
    let plan = ops_tui::prom::plan::plan(&runbook, Some("prod")).unwrap();
    let (tx, rx) = tokio::sync::mpsc::channel(256);
    let polls = ops_tui::prom::plan::spawn(
        &plan,
        0,
        ops_tui::sink::Sink {
            tx,
            wrap: ops_tui::state::Msg::Signal,
        },
    )
    .unwrap();
    let state = ops_tui::state::AppState::new(
        target,
        Some(runbook),
        ops_tui::config::theme::Theme::builtin("default"),
        ops_tui::config::keymap::Keymap::load("default", None).0,
    );
    let mut dash = Dashboard {
        state,
        rx,
        _polls: polls,
    };
    let reading = |s: &ops_tui::state::AppState| {
        s.signals
            .signals
            .get("error-rate")
            .and_then(|s| s.reading.clone())
    };

    // Live: the value is read and judged.
    let screen = dash
        .until(
            "a value from Prometheus",
            Duration::from_secs(30),
            |s, _| reading(s).is_some_and(|r| r.value == Some(0.002)),
        )
        .await;
    assert!(
        screen.contains("error-rate") && !screen.contains("retrying"),
        "{screen}"
    );

    // Stopped: unreachable, with how old the values shown are; never a pass.
    server.stop();
    let port = server.port;
    let screen = dash
        .until(
            "unreachable with the age of the last values",
            Duration::from_secs(30),
            |_, s| {
                s.contains(&format!("cannot connect to 127.0.0.1:{port}"))
                    && s.contains("values shown are from")
                    && s.contains("retrying")
            },
        )
        .await;
    assert!(
        matches!(
            reading(&dash.state).map(|r| r.state),
            Some(ops_tui::prom::signal::SignalState::Unreachable(_))
        ),
        "{screen}"
    );
    // The age grows while it stays down.
    dash.until(
        "an age of a few seconds",
        Duration::from_secs(30),
        |_, s| {
            s.lines().any(|l| {
                l.contains("values shown are from")
                    && ["3s", "4s", "5s", "6s", "7s", "8s", "9s"]
                        .iter()
                        .any(|a| l.contains(a))
            })
        },
    )
    .await;

    // Restarted: live again by itself (the backoff is at most a few seconds
    // after so short an outage).
    server.restart().await;
    dash.until("live again", Duration::from_secs(60), |st, s| {
        !s.contains("retrying") && reading(st).is_some_and(|r| r.value == Some(0.002))
    })
    .await;
}
