//! Actions on Deployments, through one path: a plan (the exact request) →
//! server-side dry run → confirmation → execution → outcome, each step in
//! the journal. Read-only mode is enforced here, where requests are sent,
//! not only in the UI.

use ::kube::Client;
use serde_json::{Value, json};

use crate::journal::{Entry, Journal, JournalError, Record, Step};

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
    pub path: String,
    pub content_type: &'static str,
    pub body: Value,
}

const MERGE: &str = "application/merge-patch+json";
const STRATEGIC: &str = "application/strategic-merge-patch+json";

/// A short unique id: the time and a random part.
pub(crate) fn new_id() -> String {
    format!(
        "{:x}-{:04x}",
        jiff::Timestamp::now().as_millisecond(),
        fastrand::u16(..)
    )
}

pub(crate) fn deployment_path(ns: &str, name: &str) -> String {
    format!("/apis/apps/v1/namespaces/{ns}/deployments/{name}")
}

impl Plan {
    /// Scale through the scale subresource, as `kubectl scale` does.
    pub fn scale(ns: &str, name: &str, from: i32, to: i32) -> Plan {
        Plan {
            id: new_id(),
            summary: format!("scale deployment/{name} from {from} to {to} replicas"),
            target: name.to_string(),
            verb: "PATCH",
            path: format!("{}/scale", deployment_path(ns, name)),
            content_type: MERGE,
            body: json!({"spec": {"replicas": to}}),
        }
    }

    /// `kubectl rollout restart`: a new restartedAt annotation on the pod
    /// template starts a rollout.
    pub fn restart(ns: &str, name: &str, at: &str) -> Plan {
        Plan {
            id: new_id(),
            summary: format!("restart deployment/{name} (a rollout of new pods)"),
            target: name.to_string(),
            verb: "PATCH",
            path: deployment_path(ns, name),
            content_type: STRATEGIC,
            body: json!({"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": at}}}}}),
        }
    }

    /// `kubectl rollout pause` / `resume`.
    pub fn pause(ns: &str, name: &str, paused: bool) -> Plan {
        let verb = if paused { "pause" } else { "resume" };
        Plan {
            id: new_id(),
            summary: format!("{verb} deployment/{name}"),
            target: name.to_string(),
            verb: "PATCH",
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
            id: new_id(),
            summary: format!(
                "switch service/{service} from {label}={from} to {label}={to} (deployment/{target})"
            ),
            target: target.to_string(),
            verb: "PATCH",
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
    client.request::<Value>(request).await.map_err(|e| match e {
        ::kube::Error::Api(s) => ActionError::Refused {
            code: s.code,
            reason: s.reason.clone(),
            message: s.message.clone(),
        },
        other => ActionError::Failed(other.to_string()),
    })
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
        self.journal
            .append(&self.record(Step::Outcome, Some(result.is_ok()), detail))?;
        result
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
}
