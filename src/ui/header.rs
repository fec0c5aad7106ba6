//! The header: service, environment, context and namespace, RW/RO and
//! PROTECTED badges, the clock. Badges and clock always fit; when the
//! terminal is narrow the labels go first, then long values are shortened
//! with an ellipsis. The namespace is never shortened.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use crate::kube::cluster::Link;
use crate::state::AppState;
use crate::status::Status;

/// (label, value, may be shortened)
type Field = (&'static str, String, bool);

const SEPARATOR: &str = " │ ";

fn width(fields: &[Field], labels: bool) -> usize {
    let text: usize = fields
        .iter()
        .map(|(l, v, _)| if labels { l.width() } else { 0 } + v.width())
        .sum();
    1 + text + SEPARATOR.width() * fields.len().saturating_sub(1)
}

/// Shortens `s` to `max` columns, ending with an ellipsis.
fn shorten(s: &str, max: usize) -> String {
    super::fit::fit(s, max).into_owned()
}

/// Shortens the longest shortenable value above `floor` by one column;
/// false when none is left to shorten.
fn shorten_longest(fields: &mut [Field], floor: usize) -> bool {
    let longest = fields
        .iter()
        .enumerate()
        .filter(|(_, (_, v, shortenable))| *shortenable && v.width() > floor)
        .max_by_key(|(_, (_, v, _))| v.width())
        .map(|(i, _)| i);
    let Some(i) = longest else { return false };
    let w = fields[i].1.width();
    fields[i].1 = shorten(&fields[i].1, w - 1);
    true
}

/// The fields that fit in `room` columns, and whether labels still fit:
/// labels go first, then the service's name shrinks to 2 columns, then it
/// goes; only when even environment, context and namespace alone do not
/// fit are the context and environment shortened, the longest first, down
/// to 6 columns (the namespace never is).
fn fit(mut fields: Vec<Field>, room: usize) -> (Vec<Field>, bool) {
    if width(&fields, true) <= room {
        return (fields, true);
    }
    // Bounded: every step removes a column or a field.
    for _ in 0..512 {
        if width(&fields, false) <= room || !shorten_longest(&mut fields, 2) {
            break;
        }
    }
    if width(&fields, false) > room && fields.len() > 1 {
        fields.remove(0);
    }
    // The namespace last of all: the context and environment shrink first.
    for f in &mut fields {
        f.2 = f.0 != "ns ";
    }
    for _ in 0..2048 {
        if width(&fields, false) <= room || !shorten_longest(&mut fields, 6) {
            break;
        }
    }
    (fields, false)
}

/// The verb an API server refused, from its message ("pods is forbidden:
/// User \"x\" cannot list resource \"pods\" ..."); "list/watch" when the
/// message does not say.
fn forbidden_verb(message: &str) -> &str {
    message
        .split_once("cannot ")
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .filter(|verb| verb.chars().all(|c| c.is_ascii_alphabetic()))
        .unwrap_or("list/watch")
}

/// The gist of a connection error for the header: its last clause
/// ("Connection refused (os error 111)" out of a chain of causes), at most
/// 32 characters.
fn short_error(error: &str) -> String {
    let last = error
        .rsplit(": ")
        .map(str::trim)
        .find(|part| !part.is_empty())
        .unwrap_or("");
    let last = last.split(" (os error").next().unwrap_or(last);
    super::fit::fit(last, 32).into_owned()
}

/// How much the badges on the right give up for the names on the left:
/// the clock goes first, then the badges' words shrink.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Full,
    NoClock,
    Compact,
}

/// The badges: connection, mutations in flight, incident, protection,
/// read/write, and the clock, at a level of compactness.
fn badges(state: &AppState, level: Level) -> Line<'static> {
    let theme = &state.theme;
    let t = &state.target;
    let compact = level == Level::Compact;
    let mut right = Vec::new();
    let cluster = &state.cluster;
    let age = crate::human::age;
    let (link, link_status) = match (&cluster.link, cluster.trouble()) {
        (Link::Connecting, _) if compact => (" CONN ".to_string(), Status::Unknown),
        (Link::Connecting, _) => (" CONNECTING ".to_string(), Status::Unknown),
        (Link::Failed(_), _) => (" NO CLUSTER ".to_string(), Status::Fail),
        (Link::Connected, Some(_)) if compact && cluster.trouble().is_some_and(|t| t.2) => {
            (" FORBIDDEN ".to_string(), Status::Fail)
        }
        (Link::Connected, Some((resource, error, true, _))) => (
            format!(" FORBIDDEN: {} {} ", forbidden_verb(error), resource.name()),
            Status::Fail,
        ),
        (Link::Connected, Some((_, _, false, since))) if compact => {
            (format!(" RECONN {} ", age(state.now - since)), Status::Warn)
        }
        (Link::Connected, Some((_, error, false, since))) => (
            format!(
                " RECONNECTING {}: {} ",
                age(state.now - since),
                short_error(error)
            ),
            Status::Warn,
        ),
        (Link::Connected, None) => match cluster.stale_for(state.now) {
            // Silent past the threshold: what the screen shows is that old.
            Some(silent) => (format!(" STALE {} ", age(silent)), Status::Fail),
            None => (" LIVE ".to_string(), Status::Ok),
        },
    };
    right.push(Span::styled(
        link,
        theme.status(link_status).add_modifier(Modifier::REVERSED),
    ));
    right.push(Span::styled(" ", theme.header()));
    // A mutation sent and not yet answered, whatever dialog is open.
    if let Some(oldest) = state.in_flight.values().min_by_key(|f| f.since) {
        let more = match state.in_flight.len() {
            1 => String::new(),
            n => format!(" ×{n}"),
        };
        let (text, status) = match (state.in_flight.values().any(|f| f.unanswered), compact) {
            (true, false) => (format!(" OUTCOME UNKNOWN{more} "), Status::Fail),
            (true, true) => (format!(" UNKNOWN{more} "), Status::Fail),
            (false, false) => (
                format!(" SENDING {}{more} ", age(state.now - oldest.since)),
                Status::Warn,
            ),
            (false, true) => (format!(" SENDING{more} "), Status::Warn),
        };
        right.push(Span::styled(
            text,
            theme.status(status).add_modifier(Modifier::REVERSED),
        ));
        right.push(Span::styled(" ", theme.header()));
    }
    if let Some((detected, stage)) = state.incident() {
        let text = if compact {
            format!(" INCIDENT {} ", stage.word())
        } else {
            format!(
                " INCIDENT {} · {} since detected ",
                stage.word(),
                age(state.now - detected)
            )
        };
        right.push(Span::styled(text, theme.danger()));
        right.push(Span::styled(" ", theme.header()));
    }
    // Others on the environment (the header names them where it has room).
    if !state.team.peers.is_empty() {
        right.push(Span::styled(
            format!(" +{} ", state.team.peers.len()),
            theme.accent().add_modifier(Modifier::REVERSED),
        ));
        right.push(Span::styled(" ", theme.header()));
    }
    if let Some((text, trouble)) = state.team.badge(compact) {
        let status = if trouble { Status::Warn } else { Status::Ok };
        right.push(Span::styled(
            text,
            theme.status(status).add_modifier(Modifier::REVERSED),
        ));
        right.push(Span::styled(" ", theme.header()));
    }
    if t.protected {
        let text = if compact { " PROT " } else { " PROTECTED " };
        right.push(Span::styled(text, theme.danger()));
        right.push(Span::styled(" ", theme.header()));
    }
    let (badge, status) = if t.read_only {
        (" RO ", Status::Ok)
    } else {
        (" RW ", Status::Warn)
    };
    right.push(Span::styled(
        badge,
        theme.status(status).add_modifier(Modifier::REVERSED),
    ));
    if level == Level::Full {
        right.push(Span::styled(format!(" {} ", state.clock), theme.header()));
    } else {
        right.push(Span::styled(" ", theme.header()));
    }
    Line::from(right)
}

pub fn draw(frame: &mut Frame, state: &AppState, area: Rect) {
    let theme = &state.theme;
    let t = &state.target;
    let cluster = &state.cluster;

    let mut fields: Vec<Field> = vec![(
        "",
        t.service.clone().unwrap_or_else(|| "no runbook".into()),
        true,
    )];
    // Where the console acts is never shortened: environment, context and
    // namespace stay whole while anything else can give way.
    if let Some(env) = &t.env {
        fields.push(("env ", env.clone(), false));
    }
    // Once connected, what the connection resolved to.
    let ctx = cluster.context.clone().or_else(|| t.context.clone());
    let ns = cluster.namespace.clone().or_else(|| t.namespace.clone());
    // Every namespace: all, with the runbook's in brackets.
    let ns = if t.all_namespaces {
        Some(match ns {
            Some(home) => format!("all ({home})"),
            None => "all".to_string(),
        })
    } else {
        ns
    };
    fields.push(("ctx ", ctx.unwrap_or_else(|| "(current)".into()), false));
    fields.push((
        "ns ",
        ns.unwrap_or_else(|| "(context default)".into()),
        false,
    ));
    // The names without labels, the service at its shortest.
    let essential = width(&fields[1..], false) + 2 + SEPARATOR.width();
    let right = [Level::Full, Level::NoClock, Level::Compact]
        .into_iter()
        .map(|level| badges(state, level))
        .find(|line| essential + line.width() < usize::from(area.width))
        .unwrap_or_else(|| badges(state, Level::Compact));
    let room = usize::from(area.width.saturating_sub(right.width() as u16 + 1));
    // Who else is on the environment, where it fits readably beside the
    // labelled fields; it gives way before anything else (the badges
    // count them: "+2").
    let left = room.saturating_sub(width(&fields, true) + SEPARATOR.width() + "with ".width());
    let (fields, labels) = match state.team.others() {
        Some(others) if left >= 12 => {
            let mut with = fields;
            with.push(("with ", shorten(&others, left.min(160)), true));
            fit(with, room)
        }
        _ => fit(fields, room),
    };
    let right_width = right.width() as u16;

    let mut left = vec![Span::styled(" ", theme.header())];
    for (i, (label, value, _)) in fields.into_iter().enumerate() {
        if i > 0 {
            left.push(Span::styled(SEPARATOR, theme.header()));
        }
        if labels {
            left.push(Span::styled(label, theme.header()));
        }
        left.push(Span::styled(
            value,
            theme.header().add_modifier(Modifier::BOLD),
        ));
    }
    let [left_area, right_area] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(right_width)]).areas(area);
    frame.render_widget(
        Paragraph::new(Line::from(left)).style(theme.header()),
        left_area,
    );
    frame.render_widget(Paragraph::new(right).style(theme.header()), right_area);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_lose_labels_then_columns_but_never_the_namespace() {
        let fields = vec![
            ("", "credlink-api".to_string(), true),
            ("env ", "production".to_string(), true),
            ("ctx ", "gke-prod-eu-west1".to_string(), true),
            ("ns ", "credlink-production".to_string(), false),
        ];
        let (fitted, labels) = fit(fields.clone(), 200);
        assert!(labels);
        assert_eq!(fitted, fields);
        let (fitted, labels) = fit(fields, 50);
        assert!(!labels);
        assert!(width(&fitted, false) <= 50, "{fitted:?}");
        assert_eq!(fitted[3].1, "credlink-production");
        assert!(fitted[2].1.ends_with('…'), "{fitted:?}");
    }

    #[test]
    fn the_badge_names_the_refused_verb_and_the_gist_of_the_error() {
        assert_eq!(
            forbidden_verb(
                "pods is forbidden: User \"viewer\" cannot watch resource \"pods\" in API group \"\""
            ),
            "watch"
        );
        assert_eq!(forbidden_verb("forbidden"), "list/watch");
        assert_eq!(
            short_error(
                "error trying to connect: tcp connect error: Connection refused (os error 111)"
            ),
            "Connection refused"
        );
        let long = short_error(&"x".repeat(100));
        assert_eq!(long.chars().count(), 32);
        assert!(long.ends_with('…'));
    }
}
