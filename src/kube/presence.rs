//! Presence, where a journal is shared through the cluster: each
//! instance keeps a small Lease (coordination.k8s.io) per engineer and
//! environment, renewed while it runs, saying what it has open (a
//! walkthrough item, a workload); it reads the others' Leases to show who
//! else is on the environment now. A Lease not renewed within its
//! duration is someone who left.

use std::collections::BTreeMap;
use std::time::Duration;

use ::kube::Api;
use ::kube::api::{ListParams, ObjectMeta, PostParams};
use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime;
use tokio::sync::watch;

use crate::journal::segments::{Shared, label_value};
use crate::secrets::Secrets;

/// How long a Lease holds without renewal, and how often it is renewed.
pub const DURATION_SECS: i32 = 30;
const RENEW: Duration = Duration::from_secs(10);
/// How often the others' Leases are read.
const READ: Duration = Duration::from_secs(2);
const DEADLINE: Duration = Duration::from_secs(5);

/// The annotations a presence Lease carries.
pub const OPEN: &str = "ops-tui/open";
pub const OPEN_TEXT: &str = "ops-tui/open-text";

/// What an instance has open: a key (`item:ID`, `workload:KIND/NAME`)
/// and what the screen calls it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Open {
    pub key: String,
    pub text: String,
}

/// Another engineer on the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peer {
    pub user: String,
    /// When they opened it (RFC 3339).
    pub since: String,
    pub open: Option<Open>,
}

/// The others on the environment, or why they cannot be known.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PresenceStatus {
    pub peers: Vec<Peer>,
    pub error: Option<String>,
}

#[derive(Clone)]
pub struct PresenceSetup {
    pub client: ::kube::Client,
    pub namespace: String,
    pub shared: Shared,
    /// Who this instance is (the operating-system user).
    pub user: String,
    pub secrets: Secrets,
}

impl PresenceSetup {
    fn name(&self) -> String {
        format!(
            "ops-tui-presence-{}-{}-{}",
            self.shared.service,
            self.shared.env,
            label_value(&self.user)
        )
    }

    fn lease(&self, acquired: &MicroTime, open: &Open, rv: Option<String>) -> Lease {
        let mut labels = self.shared.labels("presence");
        labels.insert("ops-tui/engineer".into(), label_value(&self.user));
        let mut annotations = BTreeMap::new();
        if !open.key.is_empty() {
            annotations.insert(OPEN.to_string(), self.secrets.mask(&open.key).into_owned());
            annotations.insert(
                OPEN_TEXT.to_string(),
                self.secrets.mask(&open.text).into_owned(),
            );
        }
        Lease {
            metadata: ObjectMeta {
                name: Some(self.name()),
                namespace: Some(self.namespace.clone()),
                labels: Some(labels),
                annotations: Some(annotations),
                resource_version: rv,
                ..Default::default()
            },
            spec: Some(LeaseSpec {
                holder_identity: Some(self.secrets.mask(&self.user).into_owned()),
                lease_duration_seconds: Some(DURATION_SECS),
                acquire_time: Some(acquired.clone()),
                renew_time: Some(MicroTime(jiff::Timestamp::now())),
                ..Default::default()
            }),
        }
    }
}

async fn timed<T>(
    f: impl std::future::Future<Output = Result<T, ::kube::Error>>,
) -> Result<T, String> {
    super::within(DEADLINE, f).await
}

/// The others' live Leases, newest first.
fn peers(leases: Vec<Lease>, own: &str, now: jiff::Timestamp) -> Vec<Peer> {
    let mut peers: Vec<(jiff::Timestamp, Peer)> = leases
        .into_iter()
        .filter(|l| l.metadata.name.as_deref() != Some(own))
        .filter_map(|l| {
            let spec = l.spec?;
            let renewed = spec.renew_time?.0;
            let duration = i64::from(spec.lease_duration_seconds.unwrap_or(DURATION_SECS));
            if now.as_second() - renewed.as_second() > duration {
                return None;
            }
            let notes = l.metadata.annotations.unwrap_or_default();
            let open = notes.get(OPEN).filter(|k| !k.is_empty()).map(|k| Open {
                key: k.clone(),
                text: notes.get(OPEN_TEXT).cloned().unwrap_or_default(),
            });
            let since = spec.acquire_time.map(|t| t.0).unwrap_or(renewed);
            Some((
                since,
                Peer {
                    user: spec.holder_identity?,
                    since: since.to_string(),
                    open,
                },
            ))
        })
        .collect();
    peers.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.user.cmp(&b.1.user)));
    peers.into_iter().map(|(_, p)| p).collect()
}

/// Keeps this instance's Lease renewed (at once when what it has open
/// changes) and reads the others', until dropped; the Lease is deleted
/// when `open` closes (the dashboard quits).
pub async fn run(
    setup: PresenceSetup,
    mut open: watch::Receiver<Open>,
    report: impl Fn(PresenceStatus) -> bool,
) {
    let api: Api<Lease> = Api::namespaced(setup.client.clone(), &setup.namespace);
    let name = setup.name();
    let acquired = MicroTime(jiff::Timestamp::now());
    let params = ListParams::default().labels(&setup.shared.selector("presence"));
    let mut renewed_at: Option<tokio::time::Instant> = None;
    let mut read = tokio::time::interval(READ);
    let mut error: Option<String> = None;
    let mut dirty = true;
    loop {
        let due = renewed_at.is_none_or(|t| t.elapsed() >= RENEW);
        if dirty || due {
            let now_open = open.borrow_and_update().clone();
            error = renew(&api, &setup, &name, &acquired, &now_open).await.err();
            renewed_at = Some(tokio::time::Instant::now());
            dirty = false;
        }
        let status = match timed(api.list(&params)).await {
            Ok(list) => PresenceStatus {
                peers: peers(list.items, &name, jiff::Timestamp::now()),
                error: error.clone(),
            },
            Err(e) => PresenceStatus {
                peers: Vec::new(),
                error: Some(e),
            },
        };
        if !report(status) {
            return;
        }
        tokio::select! {
            _ = read.tick() => {}
            changed = open.changed() => {
                if changed.is_err() {
                    let _ = timed(api.delete(&name, &Default::default())).await;
                    return;
                }
                dirty = true;
            }
        }
    }
}

/// Creates or replaces this instance's Lease.
async fn renew(
    api: &Api<Lease>,
    setup: &PresenceSetup,
    name: &str,
    acquired: &MicroTime,
    open: &Open,
) -> Result<(), String> {
    let current = timed(api.get_opt(name)).await?;
    match current {
        None => timed(api.create(&PostParams::default(), &setup.lease(acquired, open, None)))
            .await
            .map(|_| ()),
        Some(l) => {
            let lease = setup.lease(acquired, open, l.metadata.resource_version);
            timed(api.replace(name, &PostParams::default(), &lease))
                .await
                .map(|_| ())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lease(name: &str, user: &str, renewed: jiff::Timestamp, open: Option<&str>) -> Lease {
        let mut annotations = BTreeMap::new();
        if let Some(o) = open {
            annotations.insert(OPEN.to_string(), o.to_string());
            annotations.insert(OPEN_TEXT.to_string(), "Smoke tests pass".to_string());
        }
        Lease {
            metadata: ObjectMeta {
                name: Some(name.into()),
                annotations: Some(annotations),
                ..Default::default()
            },
            spec: Some(LeaseSpec {
                holder_identity: Some(user.into()),
                lease_duration_seconds: Some(30),
                renew_time: Some(MicroTime(renewed)),
                acquire_time: Some(MicroTime(renewed)),
                ..Default::default()
            }),
        }
    }

    #[test]
    fn others_with_a_live_lease_are_present_and_a_lapsed_one_has_left() {
        let now: jiff::Timestamp = "2026-12-03T10:00:00Z".parse().unwrap();
        let ago = |s: i64| now - jiff::SignedDuration::from_secs(s);
        let leases = vec![
            lease("me", "ann", ago(1), None),
            lease("b", "bob", ago(5), Some("item:p/smoke")),
            lease("c", "cid", ago(31), None),
            lease("d", "dee", ago(20), None),
        ];
        let p = peers(leases, "me", now);
        let users: Vec<&str> = p.iter().map(|p| p.user.as_str()).collect();
        assert_eq!(users, ["bob", "dee"]);
        assert_eq!(
            p[0].open,
            Some(Open {
                key: "item:p/smoke".into(),
                text: "Smoke tests pass".into()
            })
        );
        assert_eq!(p[1].open, None);
    }
}
