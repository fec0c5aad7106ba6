//! Actions on Deployments, StatefulSets and DaemonSets, through one path: a plan (the exact request) →
//! server-side dry run → confirmation → execution → outcome, each step in
//! the journal. Read-only mode is enforced here, where requests are sent,
//! not only in the UI.

use ::kube::Client;
use serde_json::{Value, json};

use crate::journal::{Entry, Journal, JournalError, Record, Step};
use crate::kinds::WorkloadKind;

/// The exact request an action sends.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Ties the journal entries of one action together.
    pub id: String,
    /// In words: "scale deployment/api from 3 to 5".
    pub summary: String,
    /// The Deployment it acts on (what a protected environment asks to type).
    pub target: String,
    pub verb: &'static str,
    /// The reason of the Kubernetes Event it leaves on the object it
    /// changed (`OpsTuiScaled`).
    pub reason: &'static str,
    pub path: String,
    pub content_type: &'static str,
    pub body: Value,
}

const MERGE: &str = "application/merge-patch+json";
const STRATEGIC: &str = "application/strategic-merge-patch+json";

pub(crate) fn deployment_path(ns: &str, name: &str) -> String {
    workload_path(WorkloadKind::Deployment, ns, name)
}

pub(crate) fn workload_path(kind: WorkloadKind, ns: &str, name: &str) -> String {
    kind.path(ns, name)
}

impl Plan {
    /// Scale a Deployment through the scale subresource, as `kubectl
    /// scale` does.
    pub fn scale(ns: &str, name: &str, from: i32, to: i32) -> Plan {
        Plan::scale_workload(WorkloadKind::Deployment, ns, name, from, to)
    }

    /// Scale a Deployment or StatefulSet (a DaemonSet has no replica
    /// count) through its scale subresource.
    pub fn scale_workload(kind: WorkloadKind, ns: &str, name: &str, from: i32, to: i32) -> Plan {
        Plan {
            id: crate::journal::new_id(),
            summary: format!(
                "scale {}/{name} from {from} to {to} replicas",
                kind.resource()
            ),
            target: name.to_string(),
            verb: "PATCH",
            reason: "OpsTuiScaled",
            path: format!("{}/scale", workload_path(kind, ns, name)),
            content_type: MERGE,
            body: json!({"spec": {"replicas": to}}),
        }
    }

    /// A new range for a HorizontalPodAutoscaler (a merge patch of
    /// minReplicas and maxReplicas).
    pub fn hpa_range(ns: &str, name: &str, from: (i32, i32), to: (i32, i32)) -> Plan {
        Plan {
            id: crate::journal::new_id(),
            summary: format!(
                "change hpa/{name} from {}-{} to {}-{} replicas",
                from.0, from.1, to.0, to.1
            ),
            target: name.to_string(),
            verb: "PATCH",
            reason: "OpsTuiScaled",
            path: format!("/apis/autoscaling/v2/namespaces/{ns}/horizontalpodautoscalers/{name}"),
            content_type: MERGE,
            body: json!({"spec": {"minReplicas": to.0, "maxReplicas": to.1}}),
        }
    }

    /// Suspend or resume a CronJob (no new Jobs while suspended) or a Job
    /// (its pods stop while suspended).
    pub fn suspend(kind: WorkloadKind, ns: &str, name: &str, suspend: bool) -> Plan {
        let what = if suspend { "suspend" } else { "resume" };
        let effect = match (kind, suspend) {
            (WorkloadKind::CronJob, true) => " (no new Jobs until resumed)",
            (WorkloadKind::CronJob, false) => " (Jobs on its schedule again)",
            (_, true) => " (its running pods are stopped)",
            (_, false) => " (its pods start again)",
        };
        Plan {
            id: crate::journal::new_id(),
            summary: format!("{what} {}/{name}{effect}", kind.resource()),
            target: name.to_string(),
            verb: "PATCH",
            reason: if suspend {
                "OpsTuiSuspended"
            } else {
                "OpsTuiResumed"
            },
            path: workload_path(kind, ns, name),
            content_type: MERGE,
            body: json!({"spec": {"suspend": suspend}}),
        }
    }

    /// `kubectl create job NAME --from=cronjob/CRONJOB`: a Job made from the
    /// CronJob's job template, owned by it and marked as started by hand.
    pub fn trigger(ns: &str, cronjob: &str, uid: &str, template: &Value, suffix: &str) -> Plan {
        // A Job's name goes into a label: at most 63 characters.
        let stem: String = cronjob
            .chars()
            .take(63 - "-manual-".len() - suffix.len())
            .collect();
        let name = format!("{stem}-manual-{suffix}");
        let mut annotations = template
            .pointer("/metadata/annotations")
            .cloned()
            .unwrap_or_else(|| json!({}));
        if let Some(a) = annotations.as_object_mut() {
            a.insert(
                "cronjob.kubernetes.io/instantiate".into(),
                Value::String("manual".into()),
            );
        }
        let labels = template
            .pointer("/metadata/labels")
            .cloned()
            .unwrap_or_else(|| json!({}));
        Plan {
            id: crate::journal::new_id(),
            summary: format!("run cronjob/{cronjob} now: create job/{name} from its job template"),
            target: cronjob.to_string(),
            verb: "POST",
            reason: "OpsTuiTriggered",
            path: format!("/apis/batch/v1/namespaces/{ns}/jobs"),
            content_type: "application/json",
            body: json!({
                "apiVersion": "batch/v1",
                "kind": "Job",
                "metadata": {
                    "name": name,
                    "namespace": ns,
                    "annotations": annotations,
                    "labels": labels,
                    "ownerReferences": [{
                        "apiVersion": "batch/v1",
                        "kind": "CronJob",
                        "name": cronjob,
                        "uid": uid,
                        "controller": true
                    }]
                },
                "spec": template.get("spec").cloned().unwrap_or_else(|| json!({}))
            }),
        }
    }

    /// Delete a pod of an active Job whose container is in a crash loop:
    /// the Job's controller makes a new pod at once, as it does for any
    /// pod it loses.
    pub fn retry_pod(ns: &str, job: &str, pod: &str) -> Plan {
        Plan {
            id: crate::journal::new_id(),
            summary: format!("delete pod/{pod} of job/{job} (its controller starts a new pod)"),
            target: job.to_string(),
            verb: "DELETE",
            reason: "OpsTuiRetried",
            path: format!("/api/v1/namespaces/{ns}/pods/{pod}"),
            content_type: "application/json",
            body: json!({}),
        }
    }

    /// `kubectl delete pod`: the pod gets its grace period to stop, and its
    /// controller (`owner`, "deployment/api") makes a new one. The pod's uid
    /// is a precondition, so a new pod that took its name in the meantime
    /// (a StatefulSet's) is left alone.
    pub fn delete_pod(
        ns: &str,
        pod: &crate::kube::model::PodRow,
        owner: &str,
        batch: bool,
    ) -> Plan {
        let grace = match pod.grace_seconds {
            Some(0) => "at once (grace period 0 s)".to_string(),
            Some(s) => format!("after its grace period of {s} s"),
            None => "after its grace period".to_string(),
        };
        let mut body = json!({
            "kind": "DeleteOptions",
            "apiVersion": "v1",
            "propagationPolicy": "Background"
        });
        if !pod.uid.is_empty() {
            body["preconditions"] = json!({"uid": pod.uid.to_string()});
        }
        Plan {
            id: crate::journal::new_id(),
            summary: if batch {
                format!(
                    "delete pod/{} ({owner}): it stops {grace}; a Job still running makes a new pod, a finished one does not",
                    pod.name
                )
            } else {
                format!(
                    "delete pod/{} ({owner}): it stops {grace}; {owner} makes a new pod",
                    pod.name
                )
            },
            target: pod.name.to_string(),
            verb: "DELETE",
            reason: "OpsTuiDeleted",
            path: format!("/api/v1/namespaces/{ns}/pods/{}", pod.name),
            content_type: "application/json",
            body,
        }
    }

    /// `kubectl rollout restart` of a Deployment.
    pub fn restart(ns: &str, name: &str, at: &str) -> Plan {
        Plan::restart_workload(WorkloadKind::Deployment, ns, name, at)
    }

    /// `kubectl rollout restart`: a new restartedAt annotation on the pod
    /// template starts a rollout (of any of the three kinds).
    pub fn restart_workload(kind: WorkloadKind, ns: &str, name: &str, at: &str) -> Plan {
        Plan {
            id: crate::journal::new_id(),
            summary: format!("restart {}/{name} (a rollout of new pods)", kind.resource()),
            target: name.to_string(),
            verb: "PATCH",
            reason: "OpsTuiRestarted",
            path: workload_path(kind, ns, name),
            content_type: STRATEGIC,
            body: json!({"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": at}}}}}),
        }
    }

    /// `kubectl rollout pause` / `resume`.
    pub fn pause(ns: &str, name: &str, paused: bool) -> Plan {
        let verb = if paused { "pause" } else { "resume" };
        Plan {
            id: crate::journal::new_id(),
            summary: format!("{verb} deployment/{name}"),
            target: name.to_string(),
            verb: "PATCH",
            reason: if paused {
                "OpsTuiPaused"
            } else {
                "OpsTuiResumed"
            },
            path: deployment_path(ns, name),
            content_type: STRATEGIC,
            body: json!({"spec": {"paused": paused}}),
        }
    }

    /// The blue-green switch: the Service's selector label moves to the
    /// other colour (a strategic merge patch touches only that key).
    pub fn switch(
        ns: &str,
        service: &str,
        label: &str,
        from: &str,
        to: &str,
        target: &str,
    ) -> Plan {
        Plan {
            id: crate::journal::new_id(),
            summary: format!(
                "switch service/{service} from {label}={from} to {label}={to} (deployment/{target})"
            ),
            target: target.to_string(),
            verb: "PATCH",
            reason: "OpsTuiSwitched",
            path: format!("/api/v1/namespaces/{ns}/services/{service}"),
            content_type: STRATEGIC,
            body: json!({"spec": {"selector": {label: to}}}),
        }
    }

    /// The request as the journal and the confirm dialog show it.
    pub fn request(&self) -> Value {
        json!({"verb": self.verb, "path": self.path, "content_type": self.content_type, "body": self.body})
    }
}

/// A range typed for an HPA, `MIN-MAX` (or `MIN..MAX`, `MIN MAX`): None
/// when the text is not a range at all (a single count), else the range
/// or why it is refused.
pub fn parse_range(text: &str) -> Option<Result<(i32, i32), String>> {
    let text = text.trim();
    let (a, b) = text
        .split_once("..")
        .or_else(|| text.split_once('-'))
        .or_else(|| text.split_once(' '))?;
    let number = |s: &str| -> Result<i32, String> {
        let s = s.trim();
        s.parse::<i32>()
            .map_err(|_| format!("\"{s}\" in \"{text}\" is not a number of replicas"))
    };
    Some((|| {
        let (min, max) = (number(a)?, number(b)?);
        if min < 1 {
            return Err("an HPA's minimum is at least 1".into());
        }
        if max < min {
            return Err(format!("the maximum {max} is below the minimum {min}"));
        }
        Ok((min, max))
    })())
}

/// Checks the replica count typed for a scale: the number, and a warning
/// worth a second look (0, or more than ten times the current count).
pub fn parse_replicas(text: &str, current: i32) -> Result<(i32, Option<String>), String> {
    let text = text.trim();
    let n: i64 = text
        .parse()
        .map_err(|_| format!("\"{text}\" is not a number of replicas"))?;
    if n < 0 {
        return Err("replicas cannot be negative".into());
    }
    let n = i32::try_from(n).map_err(|_| format!("{n} replicas is more than Kubernetes allows"))?;
    let warning = if n == 0 {
        Some("0 replicas stops every pod: the service will not answer".to_string())
    } else if current > 0 && n > current.saturating_mul(10) {
        Some(format!("{n} is more than ten times the current {current}"))
    } else {
        None
    };
    Ok((n, warning))
}

/// Why an action did not happen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActionError {
    #[error(
        "read-only: actions are off (--read-only, or the environment is read_only without --write)"
    )]
    ReadOnly,
    /// The API server refused it (RBAC 403, 422 Invalid, 409 Conflict...).
    #[error("{message} ({code} {reason})")]
    Refused {
        code: u16,
        reason: String,
        message: String,
    },
    #[error("{0}")]
    Failed(String),
    #[error("{0}")]
    Journal(String),
    /// The request went out and no answer came within its deadline.
    #[error(
        "no answer within {0} s: the request was sent, and whether it applied is not known yet"
    )]
    Unanswered(u64),
    /// A request that changes nothing got no answer within its deadline.
    #[error("the API server did not answer within {0} s")]
    TimedOut(u64),
}

/// How long each kind of request may take. A dry run or a read that has
/// no answer by then failed; a mutation that has none is "sent, outcome
/// unknown" until the object is read back.
pub const DRY_RUN_DEADLINE: std::time::Duration = std::time::Duration::from_secs(15);
pub const EXECUTE_DEADLINE: std::time::Duration = std::time::Duration::from_secs(20);
pub const READ_DEADLINE: std::time::Duration = std::time::Duration::from_secs(10);

/// Whether `object` (read back from the plan's path) holds the change the
/// plan sends: every value of a merge patch, every `add`/`replace` of a
/// JSON patch (fields the server adds, such as defaults, are ignored), no
/// value a `remove` removed. A JSON patch's `/metadata` operations are not
/// compared: controllers rewrite annotations such as the revision.
pub fn applied(plan: &Plan, object: &Value) -> bool {
    // A deletion still in view is applied once it is under way.
    // A new object that took the name (the uid the deletion named is not
    // its uid) means the one deleted is gone.
    if plan.verb == "DELETE" {
        let named = plan
            .body
            .pointer("/preconditions/uid")
            .and_then(Value::as_str);
        let uid = object.pointer("/metadata/uid").and_then(Value::as_str);
        let replaced = named.is_some_and(|n| uid.is_some_and(|u| u != n));
        return replaced || object.pointer("/metadata/deletionTimestamp").is_some();
    }
    match &plan.body {
        Value::Array(ops) => ops.iter().all(|op| {
            let path = op.get("path").and_then(Value::as_str).unwrap_or("");
            if path.starts_with("/metadata") {
                return true;
            }
            let at = object.pointer(path);
            match op.get("op").and_then(Value::as_str) {
                Some("add" | "replace") => op
                    .get("value")
                    .is_some_and(|v| at.is_some_and(|a| contains(a, v))),
                Some("remove") => at.is_none(),
                _ => true,
            }
        }),
        body => contains(object, body),
    }
}

/// Whether `actual` holds every value of `wanted` (a merge patch: `null`
/// means absent; an absent `false` or `0`-like default is not assumed; a
/// strategic merge directive such as `$patch` is not a field).
fn contains(actual: &Value, wanted: &Value) -> bool {
    match wanted {
        Value::Object(fields) => {
            fields
                .iter()
                .filter(|(k, _)| !k.starts_with('$'))
                .all(|(k, v)| match (actual.get(k), v) {
                    (None | Some(Value::Null), Value::Null) => true,
                    // `paused: false` is how a resumed Deployment reads when the
                    // server drops the field.
                    (None, Value::Bool(false)) => true,
                    (Some(a), v) => contains(a, v),
                    (None, _) => false,
                })
        }
        Value::Array(items) => actual.as_array().is_some_and(|a| {
            a.len() == items.len() && a.iter().zip(items).all(|(a, w)| contains(a, w))
        }),
        other => actual == other,
    }
}

impl From<JournalError> for ActionError {
    fn from(e: JournalError) -> ActionError {
        ActionError::Journal(format!("{e}; nothing was changed"))
    }
}

/// Sends a plan (with `dryRun=All` when `dry_run`). Refuses in read-only
/// mode before anything is sent.
pub async fn send(
    client: &Client,
    plan: &Plan,
    dry_run: bool,
    read_only: bool,
) -> Result<Value, ActionError> {
    if read_only {
        return Err(ActionError::ReadOnly);
    }
    let uri = if dry_run {
        format!("{}?dryRun=All", plan.path)
    } else {
        plan.path.clone()
    };
    let body = serde_json::to_vec(&plan.body).map_err(|e| ActionError::Failed(e.to_string()))?;
    let request = http::Request::builder()
        .method(plan.verb)
        .uri(uri)
        .header(http::header::CONTENT_TYPE, plan.content_type)
        .body(body)
        .map_err(|e| ActionError::Failed(e.to_string()))?;
    let deadline = if dry_run {
        DRY_RUN_DEADLINE
    } else {
        EXECUTE_DEADLINE
    };
    match tokio::time::timeout(deadline, client.request::<Value>(request)).await {
        Ok(answer) => answer.map_err(api_error),
        Err(_) if dry_run => Err(ActionError::TimedOut(deadline.as_secs())),
        Err(_) => Err(ActionError::Unanswered(deadline.as_secs())),
    }
}

fn api_error(e: ::kube::Error) -> ActionError {
    match e {
        ::kube::Error::Api(s) => ActionError::Refused {
            code: s.code,
            reason: s.reason.clone(),
            message: s.message.clone(),
        },
        other => ActionError::Failed(other.to_string()),
    }
}

/// Where the plan's object is read back: its path, or for a creation the
/// path of the object it names.
pub fn object_path(plan: &Plan) -> String {
    match (
        plan.verb,
        plan.body.pointer("/metadata/name").and_then(Value::as_str),
    ) {
        ("POST", Some(name)) => format!("{}/{name}", plan.path),
        _ => plan.path.clone(),
    }
}

/// Reads the plan's object back (GET on its path), within `READ_DEADLINE`.
pub async fn read(client: &Client, plan: &Plan) -> Result<Value, ActionError> {
    let request = http::Request::builder()
        .method("GET")
        .uri(object_path(plan))
        .body(Vec::new())
        .map_err(|e| ActionError::Failed(e.to_string()))?;
    match tokio::time::timeout(READ_DEADLINE, client.request::<Value>(request)).await {
        Ok(answer) => answer.map_err(api_error),
        Err(_) => Err(ActionError::TimedOut(READ_DEADLINE.as_secs())),
    }
}

/// One action on its way through the journal.
pub struct Action<'a> {
    pub plan: Plan,
    pub journal: &'a Journal,
    pub kube_user: Option<String>,
}

impl Action<'_> {
    fn record(&self, step: Step, ok: Option<bool>, detail: Option<String>) -> Record {
        Record::now(
            self.kube_user.clone(),
            Entry::Action {
                id: self.plan.id.clone(),
                step,
                summary: self.plan.summary.clone(),
                request: Some(self.plan.request()),
                ok,
                detail,
            },
        )
    }

    /// Journals the preview, runs the server-side dry run and journals its
    /// result. A refusal (403, 422) comes back here, before any confirm
    /// button is shown.
    pub async fn dry_run(&self, client: &Client, read_only: bool) -> Result<Value, ActionError> {
        self.journal
            .append(&self.record(Step::Preview, None, None))?;
        let result = send(client, &self.plan, true, read_only).await;
        let detail = result.as_ref().err().map(|e| e.to_string());
        self.journal
            .append(&self.record(Step::DryRun, Some(result.is_ok()), detail))?;
        result
    }

    /// Journals the confirmation (if that fails, nothing is sent), executes,
    /// and journals the outcome before returning it.
    pub async fn execute(&self, client: &Client, read_only: bool) -> Result<Value, ActionError> {
        if read_only {
            return Err(ActionError::ReadOnly);
        }
        self.journal
            .append(&self.record(Step::Confirmed, None, None))?;
        let result = send(client, &self.plan, false, read_only).await;
        let detail = result.as_ref().err().map(|e| e.to_string());
        let step = match &result {
            Err(ActionError::Unanswered(_)) => Step::Unanswered,
            _ => Step::Outcome,
        };
        let ok = (step == Step::Outcome).then_some(result.is_ok());
        self.journal.append(&self.record(step, ok, detail))?;
        result
    }

    /// After an unanswered execution: reads the object back until the
    /// server answers (every `pause`, at most `attempts` times), journals
    /// whether the change is in it, and returns that. None: no answer at
    /// all (the journal keeps "outcome unknown").
    pub async fn read_back(
        &self,
        client: &Client,
        attempts: u32,
        pause: std::time::Duration,
    ) -> Option<bool> {
        for attempt in 0..attempts {
            if attempt > 0 {
                tokio::time::sleep(pause).await;
            }
            let (ok, detail) = match read(client, &self.plan).await {
                Ok(object) => {
                    let ok = applied(&self.plan, &object);
                    let detail = if ok {
                        "read back: applied"
                    } else {
                        "read back: not applied (the object does not hold the change)"
                    };
                    (ok, detail.to_string())
                }
                // Gone: a deletion went through; any other change cannot
                // be in it.
                Err(ActionError::Refused { code: 404, .. }) if self.plan.verb == "DELETE" => {
                    (true, "read back: applied (the object is gone)".to_string())
                }
                Err(ActionError::Refused { code: 404, .. }) => {
                    (false, "read back: the object no longer exists".to_string())
                }
                Err(_) => continue,
            };
            let _ = self
                .journal
                .append(&self.record(Step::ReadBack, Some(ok), Some(detail)));
            return Some(ok);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replica_input_is_checked() {
        assert_eq!(parse_replicas(" 5 ", 3), Ok((5, None)));
        assert!(
            parse_replicas("five", 3)
                .unwrap_err()
                .contains("not a number")
        );
        assert!(parse_replicas("-1", 3).unwrap_err().contains("negative"));
        assert!(
            parse_replicas("0", 3)
                .unwrap()
                .1
                .unwrap()
                .contains("stops every pod")
        );
        assert!(
            parse_replicas("31", 3)
                .unwrap()
                .1
                .unwrap()
                .contains("ten times")
        );
        assert_eq!(parse_replicas("30", 3), Ok((30, None)));
        assert!(parse_replicas("99999999999", 3).is_err());
    }

    #[test]
    fn a_read_back_object_holds_the_change_or_not() {
        let scale = Plan::scale("shop", "api", 3, 5);
        assert!(applied(
            &scale,
            &json!({"kind": "Scale", "spec": {"replicas": 5}})
        ));
        assert!(!applied(&scale, &json!({"spec": {"replicas": 3}})));
        let restart = Plan::restart("shop", "api", "2026-12-02T10:00:00Z");
        let with = |at: &str| {
            json!({"spec": {"replicas": 2, "template": {"metadata": {"annotations": {
                "kubectl.kubernetes.io/restartedAt": at, "other": "x"}}}}})
        };
        assert!(applied(&restart, &with("2026-12-02T10:00:00Z")));
        assert!(!applied(&restart, &with("2026-12-01T09:00:00Z")));
        // A resumed Deployment may not carry `paused` at all.
        assert!(applied(
            &Plan::pause("shop", "api", false),
            &json!({"spec": {}})
        ));
        assert!(!applied(
            &Plan::pause("shop", "api", true),
            &json!({"spec": {}})
        ));
        // A JSON patch: its replaced values, with what the server adds.
        let mut rollback = Plan::pause("shop", "api", true);
        rollback.body = json!([
            {"op": "replace", "path": "/spec/template", "value": {"spec": {"containers": [{"name": "api", "image": "api:1"}]}}},
            {"op": "replace", "path": "/metadata/annotations", "value": {"deployment.kubernetes.io/revision": "1"}}
        ]);
        let object = |image: &str| {
            json!({"metadata": {"annotations": {}}, "spec": {"template": {"spec": {"containers": [
                {"name": "api", "image": image, "imagePullPolicy": "IfNotPresent"}]}}}})
        };
        assert!(applied(&rollback, &object("api:1")));
        assert!(!applied(&rollback, &object("api:2")));
        // A StatefulSet's rollback: the revision's template, with the
        // strategic merge directive that is not a field of the object.
        let mut undo = Plan::restart_workload(WorkloadKind::StatefulSet, "shop", "db", "x");
        undo.body = json!({"spec": {"template": {"$patch": "replace",
            "spec": {"containers": [{"name": "api", "image": "api:1"}]}}}});
        assert!(applied(&undo, &object("api:1")));
        assert!(!applied(&undo, &object("api:2")));
    }

    #[test]
    fn plans_are_the_requests_kubectl_sends() {
        let p = Plan::scale("shop", "api", 3, 5);
        assert_eq!(
            p.path,
            "/apis/apps/v1/namespaces/shop/deployments/api/scale"
        );
        assert_eq!(p.body, json!({"spec": {"replicas": 5}}));
        assert_eq!(p.summary, "scale deployment/api from 3 to 5 replicas");
        let r = Plan::restart("shop", "api", "2026-11-23T06:00:00Z");
        assert_eq!(
            r.body["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"],
            "2026-11-23T06:00:00Z"
        );
        assert_eq!(r.content_type, "application/strategic-merge-patch+json");
        assert_eq!(
            Plan::pause("shop", "api", false).body,
            json!({"spec": {"paused": false}})
        );
    }

    #[test]
    fn batch_and_autoscaler_plans_are_the_requests_kubectl_sends() {
        let suspend = Plan::suspend(WorkloadKind::CronJob, "shop", "report", true);
        assert_eq!(
            suspend.path,
            "/apis/batch/v1/namespaces/shop/cronjobs/report"
        );
        assert_eq!(suspend.body, json!({"spec": {"suspend": true}}));
        assert_eq!(
            suspend.summary,
            "suspend cronjob/report (no new Jobs until resumed)"
        );
        let range = Plan::hpa_range("shop", "worker", (2, 6), (3, 8));
        assert_eq!(
            range.path,
            "/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers/worker"
        );
        assert_eq!(
            range.body,
            json!({"spec": {"minReplicas": 3, "maxReplicas": 8}})
        );
        assert_eq!(range.summary, "change hpa/worker from 2-6 to 3-8 replicas");
        let template = json!({
            "metadata": {"labels": {"app": "report"}},
            "spec": {"backoffLimit": 2, "template": {"spec": {"restartPolicy": "Never",
                "containers": [{"name": "report", "image": "report:1"}]}}}
        });
        let run = Plan::trigger("shop", "report", "uid-cj", &template, "x2k9q");
        assert_eq!(
            (run.verb, run.path.as_str()),
            ("POST", "/apis/batch/v1/namespaces/shop/jobs")
        );
        assert_eq!(run.body["metadata"]["name"], "report-manual-x2k9q");
        assert_eq!(
            run.body["metadata"]["annotations"]["cronjob.kubernetes.io/instantiate"],
            "manual"
        );
        assert_eq!(run.body["metadata"]["labels"]["app"], "report");
        assert_eq!(run.body["metadata"]["ownerReferences"][0]["uid"], "uid-cj");
        assert_eq!(run.body["spec"], template["spec"]);
        assert_eq!(
            object_path(&run),
            "/apis/batch/v1/namespaces/shop/jobs/report-manual-x2k9q"
        );
        // A long CronJob name is cut so that the Job's name fits a label.
        let long = Plan::trigger("shop", &"r".repeat(80), "u", &template, "x2k9q");
        assert_eq!(long.body["metadata"]["name"].as_str().unwrap().len(), 63);
        // Read back: a created Job holds what was sent; a deleted pod is
        // gone or going.
        let mut created = run.body.clone();
        created["status"] = json!({"active": 1});
        created["metadata"]["uid"] = json!("j1");
        assert!(applied(&run, &created));
        let delete = Plan::retry_pod("shop", "db-migrate", "db-migrate-x7k2p");
        assert_eq!(delete.path, "/api/v1/namespaces/shop/pods/db-migrate-x7k2p");
        assert!(!applied(
            &delete,
            &json!({"metadata": {"name": "db-migrate-x7k2p"}})
        ));
        assert!(applied(
            &delete,
            &json!({"metadata": {"deletionTimestamp": "2026-12-03T06:00:00Z"}})
        ));
    }

    #[test]
    fn a_pod_is_deleted_by_uid_and_a_new_pod_of_its_name_reads_back_as_applied() {
        let pod = crate::kube::model::PodRow {
            name: "db-0".into(),
            uid: "u-1".into(),
            grace_seconds: Some(0),
            ..Default::default()
        };
        let plan = Plan::delete_pod("shop", &pod, "statefulset/db", false);
        assert_eq!((plan.verb, plan.target.as_str()), ("DELETE", "db-0"));
        assert_eq!(plan.path, "/api/v1/namespaces/shop/pods/db-0");
        assert_eq!(
            plan.body,
            json!({"kind": "DeleteOptions", "apiVersion": "v1",
                   "propagationPolicy": "Background", "preconditions": {"uid": "u-1"}})
        );
        assert_eq!(
            plan.summary,
            "delete pod/db-0 (statefulset/db): it stops at once (grace period 0 s); statefulset/db makes a new pod"
        );
        // The same pod, not yet terminating: not applied.
        let same = json!({"metadata": {"name": "db-0", "uid": "u-1"}});
        assert!(!applied(&plan, &same));
        // Its StatefulSet made a new db-0 already: the one deleted is gone.
        let new = json!({"metadata": {"name": "db-0", "uid": "u-2"}});
        assert!(applied(&plan, &new));
        // Without a uid (an old server's pod) there is no precondition.
        let bare = Plan::delete_pod(
            "shop",
            &crate::kube::model::PodRow::default(),
            "job/y",
            true,
        );
        assert!(
            bare.summary.contains("a finished one does not"),
            "{}",
            bare.summary
        );
        assert!(bare.body.get("preconditions").is_none());
    }

    #[test]
    fn a_range_is_min_dash_max_and_a_single_number_is_not_a_range() {
        assert_eq!(parse_range("3-8"), Some(Ok((3, 8))));
        assert_eq!(parse_range(" 3 .. 8 "), Some(Ok((3, 8))));
        assert_eq!(parse_range("3 8"), Some(Ok((3, 8))));
        assert_eq!(parse_range("5"), None);
        assert!(
            parse_range("0-4")
                .unwrap()
                .unwrap_err()
                .contains("at least 1")
        );
        assert!(
            parse_range("6-2")
                .unwrap()
                .unwrap_err()
                .contains("below the minimum")
        );
        assert!(
            parse_range("a-2")
                .unwrap()
                .unwrap_err()
                .contains("\"a\" in \"a-2\"")
        );
    }
}
