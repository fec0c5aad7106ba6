//! The Kubernetes Event an executed action leaves on the object it
//! changed (DESIGN.md section 4, the one mutation path), so that `kubectl
//! describe`, `kubectl get events`, k9s and Lens show what ops-tui did:
//! its reason (`OpsTuiScaled`), the action in words with from and to, the
//! engineer and the runbook. A core/v1 Event, as kubectl reads them.

use std::time::Duration;

use ::kube::Api;
use ::kube::api::{ObjectMeta, PostParams};
use k8s_openapi::api::core::v1::{Event, EventSource, ObjectReference};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, Time};
use serde_json::Value;

use super::actions::{Plan, object_path};
use crate::secrets::Secrets;

const DEADLINE: Duration = Duration::from_secs(5);

/// Who acted and from where, for the Event's message.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    /// The operating-system user, and the kubeconfig user when known.
    pub user: String,
    pub kube_user: Option<String>,
    /// The runbook's service and environment, when there is a runbook.
    pub runbook: Option<(String, String)>,
}

/// The path of the object an action changed: its own path, without a
/// subresource (`/scale`).
fn owner_path(plan: &Plan) -> String {
    let path = object_path(plan);
    let parts: Vec<&str> = path.split('/').collect();
    // /api/v1/namespaces/NS/PLURAL/NAME[/SUB] or
    // /apis/GROUP/VERSION/namespaces/NS/PLURAL/NAME[/SUB]
    let base = if path.starts_with("/apis/") { 8 } else { 7 };
    if parts.len() > base {
        parts[..base].join("/")
    } else {
        path
    }
}

/// The Event's message: the action in words and who did it.
pub fn message(plan: &Plan, actor: &Actor) -> String {
    let who = match &actor.kube_user {
        Some(k) if *k != actor.user => format!("{} (kube user {k})", actor.user),
        _ => actor.user.clone(),
    };
    let from = match &actor.runbook {
        Some((service, env)) => format!(", runbook {service}, environment {env}"),
        None => String::new(),
    };
    format!("{} by {who} with ops-tui{from}", plan.summary)
}

/// Creates the Event on the object `plan` changed, read back first for
/// its identity (kind, uid). Err: why it could not be made.
pub async fn record(
    client: &::kube::Client,
    plan: &Plan,
    actor: &Actor,
    secrets: &Secrets,
) -> Result<(), String> {
    let path = owner_path(plan);
    let request = http::Request::builder()
        .method("GET")
        .uri(&path)
        .body(Vec::new())
        .map_err(|e| e.to_string())?;
    let object: Value = match timed(client.request::<Value>(request)).await {
        Ok(o) => o,
        // A deleted object (a pod retried) has nothing left to carry it.
        Err(_) if plan.verb == "DELETE" => return Ok(()),
        Err(e) => return Err(e),
    };
    let meta = |p: &str| object.pointer(p).and_then(Value::as_str).map(String::from);
    let (Some(name), Some(namespace)) = (meta("/metadata/name"), meta("/metadata/namespace"))
    else {
        return Err(format!("{path} has no name and namespace"));
    };
    let now = jiff::Timestamp::now();
    let event = Event {
        metadata: ObjectMeta {
            // As client-go names them: the object's name and the time.
            name: Some(format!("{name}.{:x}", now.as_nanosecond())),
            namespace: Some(namespace.clone()),
            ..Default::default()
        },
        involved_object: ObjectReference {
            api_version: meta("/apiVersion"),
            kind: meta("/kind"),
            name: Some(name),
            namespace: Some(namespace.clone()),
            uid: meta("/metadata/uid"),
            resource_version: meta("/metadata/resourceVersion"),
            ..Default::default()
        },
        reason: Some(plan.reason.to_string()),
        message: Some(secrets.mask(&message(plan, actor)).into_owned()),
        type_: Some("Normal".into()),
        source: Some(EventSource {
            component: Some("ops-tui".into()),
            host: None,
        }),
        reporting_component: Some("ops-tui".into()),
        reporting_instance: Some(secrets.mask(&actor.user).into_owned()),
        action: Some(plan.reason.trim_start_matches("OpsTui").to_string()),
        first_timestamp: Some(Time(now)),
        last_timestamp: Some(Time(now)),
        event_time: Some(MicroTime(now)),
        count: Some(1),
        ..Default::default()
    };
    let api: Api<Event> = Api::namespaced(client.clone(), &namespace);
    timed(api.create(&PostParams::default(), &event))
        .await
        .map(|_| ())
}

async fn timed<T>(
    f: impl std::future::Future<Output = Result<T, ::kube::Error>>,
) -> Result<T, String> {
    super::within(DEADLINE, f).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_owner_is_the_object_without_its_subresource() {
        let plan = Plan::scale("shop", "api", 3, 5);
        assert_eq!(
            owner_path(&plan),
            "/apis/apps/v1/namespaces/shop/deployments/api"
        );
        let pause = Plan::pause("shop", "api", true);
        assert_eq!(
            owner_path(&pause),
            "/apis/apps/v1/namespaces/shop/deployments/api"
        );
        let actor = Actor {
            user: "ann".into(),
            kube_user: Some("admin".into()),
            runbook: Some(("shop-api".into(), "prod".into())),
        };
        assert_eq!(
            message(&plan, &actor),
            "scale deployment/api from 3 to 5 replicas by ann (kube user admin) with ops-tui, runbook shop-api, environment prod"
        );
        assert_eq!(plan.reason, "OpsTuiScaled");
        assert_eq!(pause.reason, "OpsTuiPaused");
    }
}
