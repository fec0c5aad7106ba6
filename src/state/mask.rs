//! Every text a message carries from outside (pod log lines, API errors,
//! dry-run and action refusals, notices) passes the known secrets' mask
//! before it reaches the state, so the screen never shows one: a server or
//! a container that echoes a credential back shows `••••`.

use super::Msg;
use super::logs::LogEvent;
use crate::kube::{KubeMsg, WatchState};
use crate::secrets::Secrets;

/// The message with every known secret masked in its texts.
pub fn masked(secrets: &Secrets, msg: Msg) -> Msg {
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
        Msg::Injected(fault, r) => Msg::Injected(fault, result(r)),
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
}
