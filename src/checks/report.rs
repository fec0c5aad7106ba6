//! `check` output: a table for people, JSON for scripts, JUnit XML for CI.

use serde_json::json;

use super::Outcome;
use crate::printable::printable_line;
use crate::status::Status;

pub fn status_word(s: Status) -> &'static str {
    match s {
        Status::Ok => "ok",
        Status::Warn => "warn",
        Status::Fail => "fail",
        Status::Unknown => "unknown",
    }
}

/// Whether the outcomes fail the gate: any failure or unknown; with
/// `strict`, any warning too.
pub fn fails(outcomes: &[Outcome], strict: bool) -> bool {
    outcomes.iter().any(|o| {
        matches!(o.status, Status::Fail | Status::Unknown) || (strict && o.status == Status::Warn)
    })
}

fn counts(outcomes: &[Outcome]) -> [usize; 4] {
    let n = |s: Status| outcomes.iter().filter(|o| o.status == s).count();
    [
        n(Status::Ok),
        n(Status::Warn),
        n(Status::Fail),
        n(Status::Unknown),
    ]
}

/// The table: one line per check, then the verdict. Names, values and
/// reasons come from runbooks and servers: their control characters are
/// written as visible escapes, so the table stays one line per check and
/// nothing in it acts on the terminal.
pub fn text(outcomes: &[Outcome], heading: &str, strict: bool, skipped: &[String]) -> String {
    let safe: Vec<Outcome> = outcomes
        .iter()
        .map(|o| Outcome {
            name: printable_line(&o.name).into_owned(),
            value: printable_line(&o.value).into_owned(),
            detail: o.detail.as_deref().map(|d| printable_line(d).into_owned()),
            ..o.clone()
        })
        .collect();
    let name_w = safe
        .iter()
        .map(|o| o.name.chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    let value_w = safe
        .iter()
        .map(|o| o.value.chars().count())
        .max()
        .unwrap_or(5)
        .clamp(5, 40);
    let mut out = format!("{}\n\n", printable_line(heading));
    out.push_str(&format!(
        "  {:<7} {:<8} {:<name_w$} {:<value_w$} {}\n",
        "STATE", "KIND", "NAME", "VALUE", "WHY"
    ));
    for o in &safe {
        out.push_str(&format!(
            "{} {:<7} {:<8} {:<name_w$} {:<value_w$} {}\n",
            o.status.symbol(),
            status_word(o.status),
            o.kind.word(),
            o.name,
            o.value,
            o.detail.as_deref().unwrap_or("")
        ));
    }
    for name in skipped {
        let name = printable_line(name);
        out.push_str(&format!(
            "· skipped probe    {name}: a burst (rate-limit test) runs only with --include-bursts\n"
        ));
    }
    let [ok, warn, fail, unknown] = counts(outcomes);
    let verdict = if fails(outcomes, strict) {
        "NO-GO"
    } else {
        "GO"
    };
    out.push_str(&format!(
        "\n{verdict}: {ok} ok, {warn} warn, {fail} fail, {unknown} unknown{}\n",
        if strict {
            " (strict: warnings fail)"
        } else {
            ""
        }
    ));
    out
}

/// The JSON document (see docs/checks.md for its shape).
pub fn json(
    outcomes: &[Outcome],
    service: &str,
    env: &str,
    strict: bool,
    skipped: &[String],
) -> String {
    json_text(&json_doc(outcomes, service, env, strict, skipped))
}

/// The JSON document as a value, for a command that adds to it.
pub fn json_doc(
    outcomes: &[Outcome],
    service: &str,
    env: &str,
    strict: bool,
    skipped: &[String],
) -> serde_json::Value {
    let [ok, warn, fail, unknown] = counts(outcomes);
    let checks: Vec<_> = outcomes
        .iter()
        .map(|o| {
            json!({
                "kind": o.kind.word(),
                "name": o.name,
                "status": status_word(o.status),
                "value": o.value,
                "detail": o.detail,
            })
        })
        .collect();
    json!({
        "service": service,
        "env": env,
        "passed": !fails(outcomes, strict),
        "strict": strict,
        "summary": {"ok": ok, "warn": warn, "fail": fail, "unknown": unknown},
        "checks": checks,
        "skipped": skipped,
    })
}

/// A JSON document as text, pretty, every character a terminal could
/// take as a control escaped.
pub fn json_text(doc: &serde_json::Value) -> String {
    let text = serde_json::to_string_pretty(doc).unwrap_or_default();
    // serde_json escapes C0 controls only: DEL, C1 controls and the
    // bidirectional overrides (found only inside strings) are escaped too.
    let mut out = String::with_capacity(text.len() + 1);
    for c in text.chars() {
        if c == '\u{7f}' || ('\u{80}'..='\u{9f}').contains(&c) || bidi(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out.push('\n');
    out
}

/// The bidirectional overrides and isolates, which reorder what a
/// terminal shows.
fn bidi(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Kept as references: raw, a carriage return would move a
            // terminal's cursor, and an attribute would lose them.
            '\t' | '\n' | '\r' => out.push_str(&format!("&#x{:x};", c as u32)),
            c if (c as u32) < 0x20 => {}
            // Allowed in XML but not as raw characters on a terminal.
            c if c == '\u{7f}' || ('\u{80}'..='\u{9f}').contains(&c) || bidi(c) => {
                out.push_str(&format!("&#x{:x};", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

/// JUnit XML: one testcase per check; a failure (with the evidence) for
/// each that fails the gate; warnings as system-out.
pub fn junit(
    outcomes: &[Outcome],
    service: &str,
    env: &str,
    strict: bool,
    skipped: &[String],
) -> String {
    junit_of("ops-tui check", outcomes, service, env, strict, skipped)
}

/// JUnit XML as `junit` writes it, under the name of the command that
/// judged.
pub fn junit_of(
    command: &str,
    outcomes: &[Outcome],
    service: &str,
    env: &str,
    strict: bool,
    skipped: &[String],
) -> String {
    let failing = |o: &Outcome| {
        matches!(o.status, Status::Fail | Status::Unknown) || (strict && o.status == Status::Warn)
    };
    let failures = outcomes.iter().filter(|o| failing(o)).count();
    let suite = xml(&format!("{service}/{env}"));
    let tests = outcomes.len() + skipped.len();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">\n",
        xml(command)
    ));
    out.push_str(&format!(
        "  <testsuite name=\"{suite}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{}\">\n",
        skipped.len()
    ));
    for o in outcomes {
        let evidence = match &o.detail {
            Some(d) => format!("{}: {} ({d})", status_word(o.status), o.value),
            None => format!("{}: {}", status_word(o.status), o.value),
        };
        out.push_str(&format!(
            "    <testcase classname=\"{}\" name=\"{}\">",
            o.kind.word(),
            xml(&o.name)
        ));
        if failing(o) {
            out.push_str(&format!(
                "\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n    ",
                status_word(o.status),
                xml(&evidence),
                xml(&evidence)
            ));
        } else if o.status == Status::Warn {
            out.push_str(&format!(
                "\n      <system-out>{}</system-out>\n    ",
                xml(&evidence)
            ));
        }
        out.push_str("</testcase>\n");
    }
    for name in skipped {
        out.push_str(&format!(
            "    <testcase classname=\"probe\" name=\"{}\">\n      <skipped message=\"a burst runs only with --include-bursts\"/>\n    </testcase>\n",
            xml(name)
        ));
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::super::Kind;
    use super::*;

    fn o(name: &str, status: Status) -> Outcome {
        Outcome {
            kind: Kind::Probe,
            name: name.into(),
            status,
            value: "503 in 4ms".into(),
            detail: (status != Status::Ok).then(|| "[STATUS] == 200 (<503>)".into()),
        }
    }

    #[test]
    fn warnings_fail_only_when_strict_and_unknown_always_fails() {
        assert!(!fails(&[o("a", Status::Ok), o("b", Status::Warn)], false));
        assert!(fails(&[o("a", Status::Ok), o("b", Status::Warn)], true));
        assert!(fails(&[o("a", Status::Unknown)], false));
    }

    #[test]
    fn junit_escapes_and_reports_failures_with_evidence() {
        let x = junit(
            &[o("a&b", Status::Fail), o("c", Status::Warn)],
            "shop",
            "prod",
            false,
            &["burst".into()],
        );
        assert!(x.contains("tests=\"3\"") && x.contains("<skipped "));
        assert!(x.contains("failures=\"1\""));
        assert!(x.contains("name=\"a&amp;b\""));
        assert!(x.contains("message=\"fail: 503 in 4ms ([STATUS] == 200 (&lt;503&gt;))\""));
        assert!(x.contains("<system-out>warn:"));
    }

    #[test]
    fn no_format_carries_a_raw_control_character() {
        let hostile = "api\x1b]0;pwned\x07\x1b[31m\u{9b}2J\u{202e}\r\nnext";
        let mut outcome = o(hostile, Status::Fail);
        outcome.detail = Some(hostile.into());
        outcome.value = hostile.into();
        let skipped = [hostile.to_string()];
        let outcomes = [outcome];
        for (format, text) in [
            ("text", text(&outcomes, hostile, false, &skipped)),
            ("json", json(&outcomes, hostile, hostile, false, &skipped)),
            ("junit", junit(&outcomes, hostile, hostile, false, &skipped)),
        ] {
            let bad: Vec<char> = text
                .chars()
                .filter(|c| (c.is_control() && *c != '\n') || bidi(*c))
                .collect();
            assert!(bad.is_empty(), "{format}: {bad:?} in {text}");
        }
        let doc: serde_json::Value =
            serde_json::from_str(&json(&outcomes, "s", "e", false, &[])).unwrap();
        assert_eq!(
            doc["checks"][0]["detail"], hostile,
            "JSON keeps the text exactly"
        );
    }
}
