//! Probes stay bounded against hostile endpoints: a 10 MB body, and one
//! that trickles a byte at a time.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

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
