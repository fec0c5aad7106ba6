//! Unit tests of the pieces: the parsed form, globs, durations, the
//! evidence's formatting.

use super::ast::{CountKey, Kind, Op, Operand, Placeholder, Segment, duration_ms, number};
use super::eval::{glob, short, span};
use super::parse::parse;

fn left(text: &str) -> Operand {
    parse(text).unwrap().left.operand
}

#[test]
fn body_paths_parse_into_keys_and_indexes() {
    assert_eq!(
        left(r#"[BODY].data.items[0]["a.b"][-1].name == x"#),
        Operand::Placeholder(Placeholder::Body(vec![
            Segment::Key("data".into()),
            Segment::Key("items".into()),
            Segment::Index(0),
            Segment::Key("a.b".into()),
            Segment::Index(-1),
            Segment::Key("name".into()),
        ]))
    );
    assert_eq!(
        left("[BODY][2] == x"),
        Operand::Placeholder(Placeholder::Body(vec![Segment::Index(2)]))
    );
    // A key ends at an operator written without spaces.
    let e = parse("[BODY].status==UP").unwrap();
    assert_eq!(
        e.left.operand,
        Operand::Placeholder(Placeholder::Body(vec![Segment::Key("status".into())]))
    );
    assert_eq!(e.op, Op::Eq);
}

#[test]
fn status_counts_take_a_code_or_a_class() {
    assert_eq!(
        left("[STATUS_COUNT].429 > 0"),
        Operand::Placeholder(Placeholder::StatusCount(CountKey::Code(429)))
    );
    assert_eq!(
        left("[STATUS_COUNT].5XX > 0"),
        Operand::Placeholder(Placeholder::StatusCount(CountKey::Class(5)))
    );
    assert!(parse("[STATUS_COUNT].600 > 0").is_err());
    assert!(parse("[STATUS_COUNT].6xx > 0").is_err());
    assert!(parse("[STATUS_COUNT].0429 > 0").is_err());
}

#[test]
fn a_lone_boolean_means_true() {
    let e = parse("has([HEADER].X-Frame-Options)").unwrap();
    assert_eq!(e.left.kind(), Some(Kind::Bool));
    assert_eq!(e.op, Op::Eq);
    match e.right.operand {
        Operand::Literal(l) => assert_eq!(l.text, "true"),
        other => panic!("expected the literal true, got {other:?}"),
    }
    assert!(parse("[CONNECTED]").is_ok());
    assert!(
        parse("len([BODY])").is_err(),
        "a length is not true or false"
    );
}

#[test]
fn literals_read_as_what_they_are_compared_with() {
    let e = parse("[RESPONSE_TIME] < 1s").unwrap();
    match e.right.operand {
        Operand::Literal(l) => assert_eq!(l.ms, Some(1000.0)),
        other => panic!("{other:?}"),
    }
    let e = parse("[HEALTH] == PASS").unwrap();
    match e.right.operand {
        Operand::Literal(l) => assert_eq!(l.text, "pass"),
        other => panic!("{other:?}"),
    }
    let e = parse("[STATUS] == any(200, pat(3*))").unwrap();
    match e.right.operand {
        Operand::Any(values) => {
            assert_eq!(values.len(), 2);
            assert_eq!(values[1], Operand::Pat("3*".into()));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn numbers_are_plain_decimal() {
    assert_eq!(number("200"), Some(200.0));
    assert_eq!(number("-1.5"), Some(-1.5));
    assert_eq!(number("1e3"), Some(1000.0));
    for not in ["", "inf", "NaN", "1.2.3", "e", "12ms", "0x10"] {
        assert_eq!(number(not), None, "{not}");
    }
}

#[test]
fn durations_in_milliseconds() {
    let cases = [
        ("300", 300.0),
        ("300ms", 300.0),
        ("1s", 1000.0),
        ("5m", 300_000.0),
        ("1h30m", 5_400_000.0),
        ("48h", 172_800_000.0),
        ("14d", 1_209_600_000.0),
        ("-1d", -86_400_000.0),
    ];
    for (text, ms) in cases {
        assert_eq!(duration_ms(text), Ok(ms), "{text}");
    }
    // The offset points at the bad part.
    let (at, message) = duration_ms("1h30x").unwrap_err();
    assert_eq!(at, 4);
    assert!(message.contains("unknown unit \"x\""), "{message}");
    assert_eq!(duration_ms("-2q").unwrap_err().0, 2);
    assert!(duration_ms("soon").is_err());
}

#[test]
fn globs_match_stars_and_question_marks() {
    let cases = [
        ("*ok*", "all ok here", true),
        ("*ok*", "fine", false),
        ("application/json*", "application/json; charset=utf-8", true),
        ("application/json*", "text/json", false),
        ("2??", "204", true),
        ("2??", "2045", false),
        ("a*b*c", "aXbYbZc", true),
        ("a*b*c", "aXbYcZ", false),
        ("*", "", true),
        ("", "", true),
        ("", "x", false),
        ("é?", "éé", true),
        ("**x", "abx", true),
    ];
    for (pattern, text, want) in cases {
        assert_eq!(glob(pattern, text), want, "{pattern:?} on {text:?}");
    }
}

#[test]
fn spans_show_two_units() {
    let h = 3_600_000.0;
    assert_eq!(span(12.0 * 24.0 * h + 3.0 * h + 59_000.0), "12d 3h");
    assert_eq!(span(14.0 * 24.0 * h), "14d");
    assert_eq!(span(5.0 * h + 20.0 * 60_000.0), "5h 20m");
    assert_eq!(span(45_000.0), "45s");
    assert_eq!(span(842.0), "842ms");
    assert_eq!(span(-2.0 * 24.0 * h - 4.0 * h), "-2d 4h");
}

#[test]
fn evidence_is_cut_short() {
    assert_eq!(short("abc", 5), "abc");
    assert_eq!(short("abcdefgh", 5), "abcde…");
    assert_eq!(short("ééééééé", 3), "ééé…");
}
