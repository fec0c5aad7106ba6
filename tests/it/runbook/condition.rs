//! The condition language of probes: every placeholder, operator and
//! function judged against hand-made observations, malformed conditions
//! with the exact column of the error, missing data (false, with the
//! reason), judging a probe, and conditions checked when a runbook loads.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::Path;

use jiff::SignedDuration;
use ops_tui::condition::{Condition, Observed, State, Tier, judge};
use ops_tui::runbook::Runbook;

/// A JSON health response over HTTPS.
fn ok_json(body: &str) -> Observed {
    Observed {
        connected: true,
        status: Some(200),
        response_time_ms: Some(120.4),
        headers: vec![
            (
                "content-type".into(),
                "application/json; charset=utf-8".into(),
            ),
            (
                "Strict-Transport-Security".into(),
                "max-age=63072000".into(),
            ),
            ("X-Frame-Options".into(), "DENY".into()),
            ("Vary".into(), "Origin".into()),
            ("vary".into(), "Accept-Encoding".into()),
        ],
        body: body.into(),
        certificate_expiration: Some(SignedDuration::from_hours(20 * 24)),
        status_counts: BTreeMap::from([(200, 1)]),
        body_cut: false,
    }
}

fn with_status(status: u16, body: &str) -> Observed {
    Observed {
        status: Some(status),
        status_counts: BTreeMap::from([(status, 1)]),
        body_cut: false,
        ..ok_json(body)
    }
}

/// Nothing came back (refused, timed out, DNS).
fn no_response() -> Observed {
    Observed::default()
}

/// Whether the condition holds; a condition that holds has no error.
fn holds(condition: &str, o: &Observed) -> bool {
    let e = Condition::parse(condition)
        .unwrap_or_else(|e| panic!("{condition:?} should parse: {e}"))
        .evaluate(o);
    assert_eq!(e.condition, condition);
    assert!(!(e.ok && e.error.is_some()), "{e:?}");
    e.ok
}

/// The evaluation of a condition that must be false: (resolved, error).
fn false_with(condition: &str, o: &Observed) -> (String, Option<String>) {
    let e = Condition::parse(condition).unwrap().evaluate(o);
    assert!(!e.ok, "{condition:?} should be false: {e:?}");
    (e.resolved, e.error)
}

const BODY: &str = r#"{"status":"UP","data":{"items":[{"name":"x y"},{"name":"b"}],"count":2,"ratio":0.25},"ok":true,"empty":[],"odd.key":"v"}"#;

#[test]
fn status_and_its_operators() {
    let o = with_status(204, "");
    for (condition, want) in [
        ("[STATUS] == 204", true),
        ("[STATUS] == 200", false),
        ("[STATUS] != 200", true),
        ("[STATUS] != 204", false),
        ("[STATUS] < 300", true),
        ("[STATUS] < 204", false),
        ("[STATUS] <= 204", true),
        ("[STATUS] <= 203", false),
        ("[STATUS] > 203", true),
        ("[STATUS] > 204", false),
        ("[STATUS] >= 204", true),
        ("[STATUS] >= 205", false),
        ("[STATUS]==204", true),
        ("  [STATUS]   ==   204  ", true),
        ("300 > [STATUS]", true),
        ("[STATUS] == any(200, 201, 204)", true),
        ("[STATUS] == any(200, 201)", false),
        ("[STATUS] != any(500, 503)", true),
        ("[STATUS] == pat(2*)", true),
        ("[STATUS] == pat(5??)", false),
    ] {
        assert_eq!(holds(condition, &o), want, "{condition}");
    }
    let e = Condition::parse("[STATUS] == 200")
        .unwrap()
        .evaluate(&with_status(503, ""));
    assert_eq!(e.resolved, "[STATUS] = 503");
    assert_eq!(e.error, None);
}

#[test]
fn response_time_in_milliseconds_or_durations() {
    let o = Observed {
        response_time_ms: Some(842.0),
        ..ok_json("")
    };
    for (condition, want) in [
        ("[RESPONSE_TIME] < 900", true),
        ("[RESPONSE_TIME] < 300", false),
        ("[RESPONSE_TIME] < 900ms", true),
        ("[RESPONSE_TIME] < 1s", true),
        ("[RESPONSE_TIME] > 1s", false),
        ("[RESPONSE_TIME] >= 842ms", true),
        ("[RESPONSE_TIME] <= 0.8s", false),
        ("[RESPONSE_TIME] <= 0.85s", true),
    ] {
        assert_eq!(holds(condition, &o), want, "{condition}");
    }
    assert_eq!(
        false_with("[RESPONSE_TIME] < 300", &o).0,
        "[RESPONSE_TIME] = 842ms"
    );
}

#[test]
fn certificate_expiration_as_a_duration() {
    let o = Observed {
        certificate_expiration: Some(SignedDuration::from_hours(12 * 24 + 3)),
        ..ok_json("")
    };
    for (condition, want) in [
        ("[CERTIFICATE_EXPIRATION] > 48h", true),
        ("[CERTIFICATE_EXPIRATION] > 14d", false),
        ("[CERTIFICATE_EXPIRATION] > 336h", false),
        ("[CERTIFICATE_EXPIRATION] > 12d", true),
        ("[CERTIFICATE_EXPIRATION] > 1h30m", true),
        ("[CERTIFICATE_EXPIRATION] > 0", true),
        ("[CERTIFICATE_EXPIRATION] < 292h", true),
        ("[CERTIFICATE_EXPIRATION] < 291h", false),
    ] {
        assert_eq!(holds(condition, &o), want, "{condition}");
    }
    assert_eq!(
        false_with("[CERTIFICATE_EXPIRATION] > 14d", &o).0,
        "[CERTIFICATE_EXPIRATION] = 12d 3h"
    );
    let expired = Observed {
        certificate_expiration: Some(SignedDuration::from_hours(-50)),
        ..ok_json("")
    };
    assert!(!holds("[CERTIFICATE_EXPIRATION] > 0", &expired));
    assert!(holds("[CERTIFICATE_EXPIRATION] > -3d", &expired));
    assert_eq!(
        false_with("[CERTIFICATE_EXPIRATION] > 0", &expired).0,
        "[CERTIFICATE_EXPIRATION] = -2d 2h"
    );
}

#[test]
fn body_as_text_and_as_json() {
    let text = ok_json("all systems ok\n");
    assert!(holds("[BODY] == pat(*ok*)", &text));
    assert!(holds("pat(*ok*) == [BODY]", &text));
    assert!(holds("[BODY] == \"all systems ok\"", &text));
    assert!(!holds("[BODY] == pat(*down*)", &text));
    assert!(holds("[BODY] != pat(*down*)", &text));
    assert!(holds("len([BODY]) == 15", &text));
    assert!(holds("len([BODY]) < 1000", &text));

    let o = ok_json(BODY);
    for (condition, want) in [
        ("[BODY].status == UP", true),
        ("[BODY].status == 'UP'", true),
        ("[BODY].status == healthy", false),
        ("[BODY].status != DOWN", true),
        ("[BODY].status == any(UP, pat(HEALTH*))", true),
        ("[BODY].data.items[0].name == \"x y\"", true),
        ("[BODY].data.items[-1].name == b", true),
        ("[BODY].data.items.1.name == b", true),
        ("[BODY][\"odd.key\"] == v", true),
        ("[BODY].data.count == 2", true),
        ("[BODY].data.count == 2.0", true),
        ("[BODY].data.count > 1", true),
        ("[BODY].data.ratio < 0.5", true),
        ("[BODY].data.count == \"2\"", true),
        ("[BODY].ok == true", true),
        ("len([BODY].data.items) > 0", true),
        ("len([BODY].data.items) == 2", true),
        ("len([BODY].empty) > 0", false),
        ("len([BODY].data) == 3", true),
        ("len([BODY].status) == 2", true),
        ("has([BODY].errors) == false", true),
        ("has([BODY].data.items[1])", true),
        ("has([BODY].data.items[2])", false),
        ("has([BODY].errors)", false),
    ] {
        assert_eq!(holds(condition, &o), want, "{condition}");
    }
    let down = ok_json(r#"{"status":"DOWN"}"#);
    assert_eq!(
        false_with("[BODY].status == UP", &down).0,
        "[BODY].status = \"DOWN\""
    );
}

#[test]
fn headers_by_name_in_any_case() {
    let o = ok_json("");
    for (condition, want) in [
        ("[HEADER].Content-Type == pat(application/json*)", true),
        ("[HEADER].CONTENT-TYPE == pat(application/json*)", true),
        ("[HEADER].content-type == pat(text/*)", false),
        ("has([HEADER].Strict-Transport-Security)", true),
        ("has([HEADER].strict-transport-security) == true", true),
        ("has([HEADER].Content-Security-Policy)", false),
        ("has([HEADER].Content-Security-Policy) == false", true),
        ("[HEADER].X-Frame-Options == DENY", true),
        ("[HEADER].X-Frame-Options == deny", false),
        ("[HEADER].Vary == \"Origin, Accept-Encoding\"", true),
        ("len([HEADER].X-Frame-Options) == 4", true),
    ] {
        assert_eq!(holds(condition, &o), want, "{condition}");
    }
    let cors = Observed {
        headers: vec![(
            "access-control-allow-origin".into(),
            "https://evil.example.com".into(),
        )],
        ..ok_json("")
    };
    let (resolved, error) = false_with(
        "[HEADER].Access-Control-Allow-Origin == https://shop.example.com",
        &cors,
    );
    assert_eq!(
        resolved,
        "[HEADER].Access-Control-Allow-Origin = \"https://evil.example.com\""
    );
    assert_eq!(error, None);
}

#[test]
fn connected_health_and_status_counts() {
    assert!(holds("[CONNECTED] == true", &ok_json("")));
    assert!(holds("[CONNECTED]", &ok_json("")));
    assert!(!holds("[CONNECTED] == true", &no_response()));
    assert!(holds("[CONNECTED] == false", &no_response()));

    assert!(holds("[HEALTH] == pass", &ok_json(r#"{"status":"UP"}"#)));
    assert!(holds(
        "[HEALTH] == warn",
        &ok_json(r#"{"status":"degraded"}"#)
    ));
    assert!(holds("[HEALTH] != fail", &ok_json(r#"{"status":"warn"}"#)));
    assert!(holds("[HEALTH] == pass", &ok_json("ok")));
    let (resolved, _) = false_with(
        "[HEALTH] == pass",
        &with_status(503, r#"{"status":"DOWN"}"#),
    );
    assert_eq!(resolved, "[HEALTH] = fail (body status \"DOWN\", HTTP 503)");
    assert!(holds("[HEALTH] == fail", &no_response()));
    assert!(holds("[HEALTH] == warn", &with_status(429, "")));
    assert!(holds("[HEALTH] == any(pass, warn)", &with_status(204, "")));

    let burst = Observed {
        status_counts: BTreeMap::from([(200, 30), (429, 9), (503, 1)]),
        body_cut: false,
        ..ok_json("")
    };
    for (condition, want) in [
        ("[STATUS_COUNT].429 > 0", true),
        ("[STATUS_COUNT].429 == 9", true),
        ("[STATUS_COUNT].404 == 0", true),
        ("[STATUS_COUNT].2xx == 30", true),
        ("[STATUS_COUNT].4xx >= 9", true),
        ("[STATUS_COUNT].5xx == 0", false),
    ] {
        assert_eq!(holds(condition, &burst), want, "{condition}");
    }
    let none_limited = Observed {
        status_counts: BTreeMap::from([(200, 40)]),
        body_cut: false,
        ..ok_json("")
    };
    assert_eq!(
        false_with("[STATUS_COUNT].429 > 0", &none_limited).0,
        "[STATUS_COUNT].429 = 0 of 40 responses"
    );
}

#[test]
fn missing_data_is_false_with_the_reason() {
    let plain_http = Observed {
        certificate_expiration: None,
        ..ok_json("")
    };
    let bare = Observed {
        headers: vec![],
        status_counts: BTreeMap::new(),
        body_cut: false,
        ..ok_json("")
    };
    let none = no_response();
    let (html, empty, other) = (
        ok_json("<html>up</html>"),
        ok_json(""),
        ok_json("{\"state\":1}"),
    );
    let body = ok_json(BODY);
    #[rustfmt::skip]
    let cases: &[(&str, &Observed, &str)] = &[
        ("[STATUS] == 200", &none, "no response"),
        // Negations must not pass on nothing either.
        ("[STATUS] != 500", &none, "no response"),
        ("[RESPONSE_TIME] < 300", &none, "no response"),
        ("[BODY] == pat(*)", &none, "no response"),
        ("[BODY].status == UP", &html, "body is not JSON: \"<html>up</html>\""),
        ("[BODY].status == UP", &empty, "body is empty, not JSON"),
        ("[BODY].status != DOWN", &other, "path not found: [BODY] has no .status"),
        ("[BODY].data.items[5].name == x", &body, "[BODY].data.items has 2 elements"),
        ("[BODY].status.code == 1", &body, "[BODY].status is a string, not an object"),
        ("len([BODY].nope) == 0", &body, "path not found"),
        ("has([BODY].errors) == false", &none, "no response"),
        ("has([BODY].errors) == false", &html, "body is not JSON"),
        ("[HEADER].X-Frame-Options != SAMEORIGIN", &bare, "no X-Frame-Options header in the response"),
        ("has([HEADER].X-Frame-Options) == false", &none, "no response"),
        ("[CERTIFICATE_EXPIRATION] > 48h", &plain_http, "no certificate: plain HTTP"),
        ("[CERTIFICATE_EXPIRATION] > 48h", &none, "no certificate: no TLS connection"),
        ("[STATUS_COUNT].5xx == 0", &bare, "no status counts"),
    ];
    for (condition, o, reason) in cases {
        let (resolved, error) = false_with(condition, o);
        let error = error.unwrap_or_else(|| panic!("{condition}: no reason given"));
        assert!(
            error.contains(reason),
            "{condition}: {error:?} lacks {reason:?}"
        );
        assert!(
            resolved.contains(&error),
            "{condition}: {resolved:?} lacks the reason"
        );
    }
    // An expired certificate on a failed handshake is still read.
    let expired = Observed {
        certificate_expiration: Some(SignedDuration::from_hours(-1)),
        ..no_response()
    };
    assert!(holds("[CERTIFICATE_EXPIRATION] < 0", &expired));
}

#[test]
fn ordering_text_is_an_evaluation_error() {
    let o = ok_json(r#"{"version":"v2","n":"7"}"#);
    let (resolved, error) = false_with("[BODY].version > 1", &o);
    assert_eq!(resolved, "[BODY].version = \"v2\"");
    assert_eq!(
        error.as_deref(),
        Some("> compares numbers, and \"v2\" is not a number")
    );
    // A string that reads as a number compares as one.
    assert!(holds("[BODY].n > 5", &o));
}

#[test]
fn long_bodies_are_cut_in_the_evidence() {
    let body = "x".repeat(5000);
    let (resolved, _) = false_with("[BODY] == pat(*ok*)", &ok_json(&body));
    assert!(resolved.starts_with("[BODY] = \"xxx"), "{resolved}");
    assert!(resolved.ends_with("…\""), "{resolved}");
    assert!(resolved.chars().count() < 140, "{}", resolved.len());
}

#[test]
fn malformed_conditions_say_exactly_where() {
    // (condition, 0-based character offset, part of the message)
    #[rustfmt::skip]
    let cases = [
        ("[STATUS] = 200", 9, "single \"=\": use =="),
        ("[STAUTS] == 200", 0, "unknown placeholder [STAUTS]: did you mean [STATUS]?"),
        ("[status] == 200", 0, "did you mean [STATUS]?"),
        ("[STATUS] ==", 11, "expected a value after =="),
        ("len([BODY] > 0", 11, "expected ) to close len(, found \">\""),
        ("pat(", 4, "pat( is not closed"),
        ("[BODY].a..b == 1", 9, "expected a key after ."),
        ("[BODY]. == 1", 7, "expected a key after ."),
        ("[HEADER]. == x", 9, "expected a header name"),
        ("[HEADER] == x", 8, "[HEADER] needs a name"),
        ("[CERTIFICATE_EXPIRATION] > 48x", 29, "invalid duration \"48x\": unknown unit \"x\""),
        ("[RESPONSE_TIME] < soon", 18, "invalid duration"),
        ("any() == 1", 4, "any() needs at least one value"),
        ("[STATUS] == any(200,)", 20, "expected a value after the comma"),
        ("[STATUS] == any(200", 19, "any( is not closed"),
        ("[STATUS] == 200 extra", 16, "unexpected \"extra\""),
        ("foo([BODY])", 0, "unknown function foo()"),
        ("Len([BODY]) > 0", 0, "did you mean len()?"),
        ("", 0, "empty condition"),
        ("[STATUS]", 8, "expected an operator"),
        ("[STATUS] 200", 9, "expected an operator (==, !=, <, <=, >, >=), found \"200\""),
        ("[STATUS] => 200", 9, "unknown operator \"=>\""),
        ("[STATUS == 200", 7, "expected ] to close [STATUS"),
        ("[STATUS] == OK", 12, "[STATUS] is a number, and \"OK\" is not"),
        ("[HEALTH] == ok", 12, "[HEALTH] is pass, warn or fail"),
        ("[CONNECTED] == yes", 15, "true or false"),
        ("[BODY].name < abc", 14, "< compares numbers"),
        ("[STATUS] < pat(2*)", 9, "work with == and !="),
        ("[HEALTH] > pass", 9, "compared with == or !="),
        ("200 == 200", 0, "compares a placeholder"),
        ("[STATUS_COUNT].42 > 0", 15, "expected a status code"),
        ("[STATUS].code == 1", 8, "[STATUS] takes no path"),
        ("has([STATUS])", 4, "has() takes [BODY].path or [HEADER].Name"),
        ("len([CONNECTED]) > 1", 4, "len() takes"),
        ("[BODY] == \"open", 10, "string is not closed"),
        ("[BODY][x] == 1", 7, "expected an index"),
        ("[BODY] == any([STATUS])", 14, "any() takes values"),
        ("[RESPONSE_TIME] == pat(1*)", 19, "pat() cannot match the duration"),
    ];
    for (condition, at, needle) in cases {
        let err = Condition::parse(condition)
            .err()
            .unwrap_or_else(|| panic!("{condition:?} should not parse"));
        assert_eq!(err.at, at, "{condition:?}: {err}");
        assert!(err.message.contains(needle), "{condition:?}: {err}");
        assert_eq!(
            err.to_string(),
            format!("at column {}: {}", at + 1, err.message)
        );
    }
}

#[test]
fn judging_a_probe_fail_then_warn() {
    let parse =
        |list: &[&str]| -> Vec<Condition> { list.iter().map(|c| c.parse().unwrap()).collect() };
    let fail = parse(&["[STATUS] == 200", "[BODY].status == UP"]);
    let warn = parse(&["[RESPONSE_TIME] < 300", "[CERTIFICATE_EXPIRATION] > 14d"]);

    let good = ok_json(r#"{"status":"UP"}"#);
    let v = judge(&fail, &warn, &good);
    assert_eq!(v.state, State::Pass);
    assert_eq!(v.first_failing, None);
    assert!(v.first_failing().is_none());
    let tiers: Vec<Tier> = v.evaluations.iter().map(|(t, _)| *t).collect();
    assert_eq!(tiers, [Tier::Fail, Tier::Fail, Tier::Warn, Tier::Warn]);

    let slow = Observed {
        response_time_ms: Some(900.0),
        certificate_expiration: Some(SignedDuration::from_hours(24)),
        ..good.clone()
    };
    let v = judge(&fail, &warn, &slow);
    assert_eq!(v.state, State::Warn);
    assert_eq!(v.first_failing, Some(2));
    assert_eq!(
        v.first_failing().unwrap().resolved,
        "[RESPONSE_TIME] = 900ms"
    );

    let down = Observed {
        body: r#"{"status":"DOWN"}"#.into(),
        ..slow
    };
    let v = judge(&fail, &warn, &down);
    assert_eq!(v.state, State::Fail);
    assert_eq!(v.first_failing, Some(1));
    assert_eq!(v.first_failing().unwrap().condition, "[BODY].status == UP");
    assert_eq!(v.evaluations.iter().filter(|(_, e)| !e.ok).count(), 3);

    let v = judge(&fail, &warn, &no_response());
    assert_eq!((v.state, v.first_failing), (State::Fail, Some(0)));
    assert_eq!(judge(&[], &[], &no_response()).state, State::Pass);
}

const RUNBOOK: &str = r#"[service]
name = "api"

[env.prod]
context = "prod"
namespace = "api"
vars = { base = "https://api.example.com" }

[[probe]]
name = "health"
url = "${base}/health"
"#;

fn load_probe(lines: &str) -> Result<Runbook, ops_tui::runbook::RunbookError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, format!("{RUNBOOK}{lines}")).unwrap();
    Runbook::load(&path)
}

/// The (line, column, message) of each error.
fn errors(lines: &str) -> Vec<(usize, usize, String)> {
    let err = load_probe(lines).expect_err("the runbook should be refused");
    err.diagnostics()
        .iter()
        .map(|d| (d.line, d.column, d.message.clone()))
        .collect()
}

#[test]
fn runbook_conditions_are_checked_when_it_loads() {
    // Line 12, after the probe's name and url.
    let found = errors("fail = [\"[STATUS] == 200\", \"[STAUTS] == 200\"]\n");
    assert_eq!(found.len(), 1, "{found:?}");
    let (line, column, message) = &found[0];
    // `fail = ["[STATUS] == 200", "` is 28 characters: the placeholder is
    // at column 29.
    assert_eq!((*line, *column), (12, 29));
    assert_eq!(
        message,
        "invalid condition \"[STAUTS] == 200\": unknown placeholder [STAUTS]: did you mean [STATUS]?"
    );

    // Every bad condition is reported, in fail and warn.
    let found = errors(
        "fail = [\"[STATUS] = 200\"]\nwarn = [\n  \"[RESPONSE_TIME] < 300\",\n  \"[CERTIFICATE_EXPIRATION] > 48x\",\n]\n",
    );
    let at: Vec<(usize, usize)> = found.iter().map(|(l, c, _)| (*l, *c)).collect();
    assert_eq!(at, [(12, 19), (15, 33)], "{found:?}");
    assert!(found[1].2.contains("unknown unit \"x\""), "{found:?}");

    // Escapes before the error do not shift it: `\"x y\"` is two raw
    // characters per quote, and `\u00e9` six for one.
    let found = errors(
        "fail = [\"[BODY].name == \\\"x y\\\" extra\", '[HEADER]. == x', \"[BODY].caf\\u00e9..x == 1\"]\n",
    );
    let at: Vec<(usize, usize)> = found.iter().map(|(l, c, _)| (*l, *c)).collect();
    assert_eq!(at, [(12, 33), (12, 51), (12, 77)], "{found:?}");

    // A multi-line string: the error is on the line where it is.
    let found = errors("fail = [\"\"\"\n[STATUS] \\\n  == 200 )\"\"\"]\n");
    let at: Vec<(usize, usize)> = found.iter().map(|(l, c, _)| (*l, *c)).collect();
    assert_eq!(at, [(14, 10)], "{found:?}");
}

#[test]
fn the_example_runbooks_conditions_all_parse() {
    for path in ["runbooks/example.toml", "runbooks/demo.toml"] {
        let rb = Runbook::load(Path::new(path)).unwrap_or_else(|e| panic!("{e}"));
        let count: usize = rb
            .probes()
            .map(|p| {
                for c in p.fail.iter().chain(&p.warn) {
                    Condition::parse(c.get_ref()).unwrap();
                }
                p.fail.len() + p.warn.len()
            })
            .sum();
        assert!(count > 3, "{path}: {count} conditions");
    }
}
