//! Every text a message carries from outside (pod log lines, API errors,
//! dry-run and action refusals, notices) passes the known secrets' mask
//! before it reaches the state, so the screen never shows one: a server or
//! a container that echoes a credential back shows `••••`. What Prometheus
//! says (alerts' names, labels and summaries, a query's error) is also made
//! printable on one line here: it becomes Timeline events and journaled
//! checks, which must not carry a terminal's control sequences.

use super::Msg;
use super::logs::LogEvent;
use super::signals::SignalMsg;
use crate::kube::{KubeMsg, WatchState};
use crate::printable::printable_line;
use crate::prom::alerts::Alert;
use crate::prom::signal::SignalState;
use crate::secrets::Secrets;

/// `s` masked and on one printable line.
fn safe_line(secrets: &Secrets, s: &mut String) {
    secrets.mask_in_place(s);
    if let std::borrow::Cow::Owned(p) = printable_line(s) {
        *s = p;
    }
}

/// A Prometheus message with its texts masked and printable.
fn signal(secrets: &Secrets, msg: SignalMsg) -> SignalMsg {
    let line = |mut s: String| {
        safe_line(secrets, &mut s);
        s
    };
    match msg {
        SignalMsg::Reading {
            name,
            at,
            mut reading,
        } => {
            safe_line(secrets, &mut reading.worst_labels);
            if let SignalState::Error(e) | SignalState::Unreachable(e) = &mut reading.state {
                safe_line(secrets, e);
            }
            SignalMsg::Reading { name, at, reading }
        }
        SignalMsg::Alerts { at, result } => {
            let alert = |mut a: Alert| {
                safe_line(secrets, &mut a.name);
                if let Some(s) = &mut a.severity {
                    safe_line(secrets, s);
                }
                if let Some(s) = &mut a.summary {
                    safe_line(secrets, s);
                }
                a.labels = std::mem::take(&mut a.labels)
                    .into_iter()
                    .map(|(k, v)| (line(k), line(v)))
                    .collect();
                a
            };
            let result = result
                .map(|alerts| alerts.into_iter().map(alert).collect())
                .map_err(line);
            SignalMsg::Alerts { at, result }
        }
        SignalMsg::AlertRules { at, result } => SignalMsg::AlertRules {
            at,
            result: result
                .map(|names| names.into_iter().map(line).collect())
                .map_err(line),
        },
        range @ SignalMsg::Range { .. } => range,
    }
}

/// The message with every known secret masked in its texts (and what
/// Prometheus says made printable).
pub fn masked(secrets: &Secrets, msg: Msg) -> Msg {
    let msg = match msg {
        Msg::Signal(generation, m) => Msg::Signal(generation, signal(secrets, m)),
        other => other,
    };
    if secrets.is_empty() {
        return msg;
    }
    let text = |mut s: String| {
        secrets.mask_in_place(&mut s);
        s
    };
    let result = |r: Result<String, String>| r.map(text).map_err(text);
    match msg {
        Msg::Warning(w) => Msg::Warning(text(w)),
        Msg::Notice(n) => Msg::Notice(text(n)),
        Msg::Log(stream, LogEvent::Lines(lines)) => Msg::Log(
            stream,
            LogEvent::Lines(lines.into_iter().map(text).collect()),
        ),
        Msg::Log(stream, LogEvent::Failed(e)) => Msg::Log(stream, LogEvent::Failed(text(e))),
        Msg::Kube(generation, KubeMsg::NoConnection(e)) => {
            Msg::Kube(generation, KubeMsg::NoConnection(text(e)))
        }
        Msg::Kube(
            generation,
            KubeMsg::Watch {
                resource,
                state: WatchState::Failing { error, forbidden },
            },
        ) => Msg::Kube(
            generation,
            KubeMsg::Watch {
                resource,
                state: WatchState::Failing {
                    error: text(error),
                    forbidden,
                },
            },
        ),
        Msg::DryRun(id, r) => Msg::DryRun(id, r.map_err(text)),
        Msg::Acted(id, r) => Msg::Acted(id, result(r)),
        Msg::Revisions(id, r) => Msg::Revisions(id, r.map_err(text)),
        Msg::NodeLoad(id, r) => Msg::NodeLoad(id, r.map_err(text)),
        Msg::Object(id, r) => Msg::Object(
            id,
            r.map(|t| crate::state::object::ObjectText {
                yaml: t.yaml.into_iter().map(text).collect(),
                describe: t.describe.into_iter().map(text).collect(),
            })
            .map_err(text),
        ),
        Msg::Injected(fault, r) => Msg::Injected(fault, result(r)),
        Msg::Share(generation, mut status) => {
            use crate::kube::share::ShareState;
            status.state = match status.state {
                ShareState::ReadOnly(w) => ShareState::ReadOnly(text(w)),
                ShareState::Local(w) => ShareState::Local(text(w)),
                ShareState::Offline(w) => ShareState::Offline(text(w)),
                other => other,
            };
            Msg::Share(generation, status)
        }
        Msg::Presence(generation, mut status) => {
            status.error = status.error.map(text);
            for p in &mut status.peers {
                p.user = text(std::mem::take(&mut p.user));
                if let Some(o) = &mut p.open {
                    o.text = text(std::mem::take(&mut o.text));
                    o.key = text(std::mem::take(&mut o.key));
                }
            }
            Msg::Presence(generation, status)
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_from_outside_are_masked_before_the_state_sees_them() {
        let mut secrets = Secrets::new();
        secrets.add("s3cr3t-t0ken-canary");
        let lines = Msg::Log(
            1,
            LogEvent::Lines(vec!["auth with Bearer s3cr3t-t0ken-canary ok".into()]),
        );
        let Msg::Log(_, LogEvent::Lines(lines)) = masked(&secrets, lines) else {
            panic!("not lines")
        };
        assert_eq!(lines, ["auth with Bearer •••• ok"]);
        let refused = Msg::DryRun(3, Err("token s3cr3t-t0ken-canary is not allowed".into()));
        let Msg::DryRun(3, Err(e)) = masked(&secrets, refused) else {
            panic!("not a refusal")
        };
        assert!(!e.contains("canary"), "{e}");
        let watch = Msg::Kube(
            0,
            KubeMsg::Watch {
                resource: crate::kube::Resource::Pods,
                state: WatchState::Failing {
                    error: "401: token s3cr3t-t0ken-canary expired".into(),
                    forbidden: false,
                },
            },
        );
        assert!(!format!("{:?}", masked(&secrets, watch)).contains("canary"));
    }

    #[test]
    fn what_prometheus_says_is_masked_and_printable() {
        let mut secrets = Secrets::new();
        secrets.add("s3cr3t-t0ken-canary");
        let hostile = "\x1b]0;pwned\x07\x1b[31m";
        let alert = Alert {
            name: format!("Leak{hostile}"),
            state: crate::prom::alerts::AlertState::Firing,
            severity: Some("critical".into()),
            labels: [("query".to_string(), format!("{hostile}s3cr3t-t0ken-canary"))].into(),
            summary: Some(format!("{hostile}leaked s3cr3t-t0ken-canary\nagain")),
            active_at: None,
            value: 1.0,
        };
        let msg = Msg::Signal(
            0,
            SignalMsg::Alerts {
                at: 0,
                result: Ok(vec![alert]),
            },
        );
        let Msg::Signal(_, SignalMsg::Alerts { result: Ok(a), .. }) = masked(&secrets, msg) else {
            panic!("not alerts")
        };
        assert_eq!(
            a[0].summary.as_deref(),
            Some("\\x1b]0;pwned\\x07\\x1b[31mleaked ••••\\x0aagain")
        );
        assert_eq!(a[0].name, "Leak\\x1b]0;pwned\\x07\\x1b[31m");
        assert!(!format!("{a:?}").contains("canary"));
        let reading = crate::prom::signal::Reading::failed(
            &crate::prom::client::PromError::Rejected(format!("{hostile}parse error")),
        );
        // With no secret known, still printable.
        let msg = Msg::Signal(
            0,
            SignalMsg::Reading {
                name: "errors".into(),
                at: 0,
                reading,
            },
        );
        let Msg::Signal(_, SignalMsg::Reading { reading, .. }) = masked(&Secrets::new(), msg)
        else {
            panic!("not a reading")
        };
        let SignalState::Error(e) = reading.state else {
            panic!("not an error")
        };
        assert!(!e.chars().any(char::is_control), "{e:?}");
    }
}
