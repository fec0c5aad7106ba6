//! What probes might observe: nothing, JSON, HTML, mangled bytes and
//! extreme numbers. Shared by the condition property test (tests/it/props/condition.rs)
//! and the condition fuzz target (fuzz/fuzz_targets/condition.rs).

use std::collections::BTreeMap;
use std::sync::LazyLock;

use jiff::SignedDuration;
use ops_tui::condition::Observed;

/// What probes might observe: nothing, JSON, HTML, mangled bytes, and
/// extreme numbers.
pub static OBSERVATIONS: LazyLock<Vec<Observed>> = LazyLock::new(|| {
    let json = r#"{"status":"UP","a":{"b":[1,2,{"c":"x"}]},"items":[],"n":1e308,
        "big":123456789012345678901234567890,"neg":-9223372036854775809,"s":"ümlaut\u0000",
        "odd.key":true,"":null,"nested":[[[[[[[[[[]]]]]]]]]],"STATUS":"down"}"#;
    let headers = vec![
        ("Content-Type".to_string(), "application/json".to_string()),
        ("X-Frame-Options".to_string(), " DENY ".to_string()),
        ("x-frame-options".to_string(), "SAMEORIGIN".to_string()),
        (String::new(), String::new()),
        ("X-Odd".to_string(), "\u{FFFD}\u{0}é".to_string()),
    ];
    vec![
        Observed::default(),
        Observed {
            connected: true,
            status: Some(200),
            response_time_ms: Some(120.4),
            headers: headers.clone(),
            body: json.to_string(),
            certificate_expiration: Some(SignedDuration::from_hours(20 * 24)),
            status_counts: BTreeMap::from([(200, 3), (429, 1), (503, 2)]),
            body_cut: false,
        },
        Observed {
            connected: true,
            status: Some(503),
            response_time_ms: Some(0.0),
            headers: vec![("content-type".into(), "text/html".into())],
            body: "<!DOCTYPE html><html><body><h1>503 Service Unavailable</h1>status: UP</body></html>"
                .into(),
            certificate_expiration: None,
            status_counts: BTreeMap::new(),
            body_cut: false,
        },
        Observed {
            connected: true,
            status: Some(0),
            response_time_ms: Some(f64::NAN),
            headers: Vec::new(),
            body: String::from_utf8_lossy(b"\xff\xfe{\"status\":\xc3(\"UP\"}\x00\x1b[31m\xe2\x82")
                .into_owned(),
            certificate_expiration: Some(SignedDuration::from_secs(-1)),
            status_counts: BTreeMap::from([(0, 1)]),
            body_cut: false,
        },
        Observed {
            connected: true,
            status: Some(u16::MAX),
            response_time_ms: Some(f64::MAX),
            headers,
            body: "   ok   ".into(),
            certificate_expiration: Some(SignedDuration::MAX),
            // Counts whose sum passes u32::MAX.
            status_counts: BTreeMap::from([(599, u32::MAX), (100, 1)]),
            body_cut: false,
        },
        Observed {
            connected: true,
            status: Some(429),
            response_time_ms: Some(f64::NEG_INFINITY),
            headers: Vec::new(),
            body: format!("[{}]", vec!["\"x\""; 20_000].join(",")),
            certificate_expiration: Some(SignedDuration::MIN),
            status_counts: BTreeMap::from([(429, 7)]),
            body_cut: false,
        },
        Observed {
            connected: false,
            status: Some(200),
            response_time_ms: Some(1.0),
            headers: Vec::new(),
            body: "a".repeat(65_536),
            certificate_expiration: None,
            status_counts: BTreeMap::new(),
            body_cut: false,
        },
    ]
});
