//! The blue-green switch: which Deployment each value of the colour label
//! points at, whether it is fully ready, and which one the Service selects
//! now. Pure functions over the watched projections.

use super::cluster::ClusterState;
use crate::kube::model::{WorkloadKind, WorkloadRow};
use crate::kube::rollout::{Rollout, status};

/// One colour the Service could select.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Colour {
    /// The label's value, e.g. `green`.
    pub value: String,
    /// The Deployment whose pods carry it.
    pub deployment: String,
    pub desired: i32,
    pub available: i32,
    /// Every replica updated and available, and the rollout complete.
    pub ready: bool,
    /// Why it is not fully ready, in words (None when it is).
    pub why_not: Option<String>,
    /// The Service selects this colour now.
    pub current: bool,
}

/// The switch of one workload's Service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Switch {
    pub service: String,
    pub label: String,
    /// The colour the Service selects now, if any.
    pub current: Option<String>,
    pub colours: Vec<Colour>,
}

/// Whether a Deployment can take all the traffic.
pub fn fully_ready(d: &WorkloadRow) -> bool {
    not_ready(d).is_none()
}

/// Why a Deployment cannot take all the traffic, the first reason that
/// holds: no replicas wanted, too few updated, too few available, or a
/// rollout that is not complete (with kubectl's words for it).
pub fn not_ready(d: &WorkloadRow) -> Option<String> {
    if d.desired <= 0 {
        return Some("it runs no replicas".into());
    }
    if d.updated < d.desired {
        return Some(format!("{} of {} replicas updated", d.updated, d.desired));
    }
    if d.available < d.desired {
        return Some(format!(
            "{} of {} replicas available",
            d.available, d.desired
        ));
    }
    match status(d) {
        Rollout::Complete(_) => None,
        other => Some(format!(
            "its rollout is not complete: {}",
            other.message(d.kind)
        )),
    }
}

/// The switch for a Service and label: every Deployment whose pods carry the
/// label and match the rest of the Service's selector is one colour.
pub fn switch(cluster: &ClusterState, service: &str, label: &str) -> Result<Switch, String> {
    // In a view of every namespace: the runbook's namespace's Service, and
    // the Deployments beside it.
    let key = cluster.qualify(service);
    let home = crate::kube::model::split(&key).0;
    let svc = cluster.services.get(&key).ok_or_else(|| {
        format!(
            "service/{service} is not in namespace {}",
            cluster.namespace.as_deref().unwrap_or("?")
        )
    })?;
    let current = svc.selector.get(label).cloned();
    let mut colours: Vec<Colour> = cluster
        .workloads
        .values()
        .filter(|d| d.kind == WorkloadKind::Deployment)
        .filter(|d| crate::kube::model::split(&d.name).0 == home)
        .filter_map(|d| {
            let value = d.template_labels.get(label)?;
            let rest_matches = svc
                .selector
                .iter()
                .filter(|(k, _)| k.as_str() != label)
                .all(|(k, v)| d.template_labels.get(k) == Some(v));
            rest_matches.then(|| Colour {
                value: value.clone(),
                deployment: crate::kube::model::split(&d.name).1.to_string(),
                desired: d.desired,
                available: d.available,
                ready: fully_ready(d),
                why_not: not_ready(d),
                current: current.as_deref() == Some(value.as_str()),
            })
        })
        .collect();
    colours.sort_by(|a, b| {
        a.value
            .cmp(&b.value)
            .then_with(|| a.deployment.cmp(&b.deployment))
    });
    if colours.is_empty() {
        return Err(format!(
            "no Deployment's pods carry the label {label} and match service/{service}'s selector"
        ));
    }
    Ok(Switch {
        service: service.to_string(),
        label: label.to_string(),
        current,
        colours,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::kube::model::ServiceRow;
    use crate::kube::{Change, KubeMsg};

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn deployment(name: &str, colour: &str, available: i32) -> WorkloadRow {
        WorkloadRow {
            name: name.into(),
            generation: 1,
            observed_generation: 1,
            desired: 3,
            replicas: 3,
            updated: 3,
            ready: available,
            available,
            template_labels: labels(&[("app", "web"), ("version", colour)]),
            ..WorkloadRow::default()
        }
    }

    fn cluster() -> ClusterState {
        let mut c = ClusterState::new(Vec::new());
        let mut other = deployment("api", "blue", 3);
        other.template_labels = labels(&[("app", "api"), ("version", "blue")]);
        c.update(
            KubeMsg::Workloads(
                crate::kinds::WorkloadKind::Deployment,
                Change::Reset(vec![
                    deployment("web-blue", "blue", 3),
                    deployment("web-green", "green", 1),
                    other,
                ]),
            ),
            0,
        );
        c.update(
            KubeMsg::Services(Change::Reset(vec![ServiceRow {
                name: "web".into(),
                selector: labels(&[("app", "web"), ("version", "blue")]),
            }])),
            0,
        );
        c
    }

    #[test]
    fn each_colour_names_its_deployment_readiness_and_the_current_one() {
        let s = switch(&cluster(), "web", "version").unwrap();
        assert_eq!(s.current.as_deref(), Some("blue"));
        let seen: Vec<(&str, &str, bool, bool)> = s
            .colours
            .iter()
            .map(|c| (c.value.as_str(), c.deployment.as_str(), c.ready, c.current))
            .collect();
        assert_eq!(
            seen,
            [
                ("blue", "web-blue", true, true),
                ("green", "web-green", false, false)
            ],
            "api's pods carry the label but not the Service's app=web"
        );
    }

    #[test]
    fn a_missing_service_or_label_is_said_plainly() {
        let c = cluster();
        assert!(
            switch(&c, "nope", "version")
                .unwrap_err()
                .contains("service/nope")
        );
        assert!(
            switch(&c, "web", "colour")
                .unwrap_err()
                .contains("label colour")
        );
    }

    #[test]
    fn a_rolling_or_empty_deployment_is_not_fully_ready() {
        let mut d = deployment("web-green", "green", 3);
        assert!(fully_ready(&d));
        d.updated = 2;
        assert!(!fully_ready(&d));
        let mut zero = deployment("web-green", "green", 0);
        zero.desired = 0;
        assert!(!fully_ready(&zero), "no pods cannot take the traffic");
    }

    #[test]
    fn not_ready_says_the_true_reason() {
        let d = WorkloadRow {
            name: "web-green".into(),
            generation: 2,
            observed_generation: 2,
            desired: 2,
            replicas: 3,
            updated: 1,
            ready: 2,
            available: 2,
            ..WorkloadRow::default()
        };
        assert_eq!(not_ready(&d).as_deref(), Some("1 of 2 replicas updated"));
        let waiting = WorkloadRow {
            updated: 2,
            observed_generation: 1,
            ..d.clone()
        };
        let why = not_ready(&waiting).unwrap();
        assert!(why.starts_with("its rollout is not complete"), "{why}");
        let none = WorkloadRow {
            desired: 0,
            ..d.clone()
        };
        assert_eq!(not_ready(&none).as_deref(), Some("it runs no replicas"));
        let done = WorkloadRow {
            updated: 2,
            replicas: 2,
            ..d
        };
        assert_eq!(not_ready(&done), None);
    }
}
