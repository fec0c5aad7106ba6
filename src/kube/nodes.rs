//! What each node runs, as `kubectl describe node` sums it under
//! "Allocated resources": the requests of its pods in every namespace that
//! have not finished. Read on demand (the nodes overlay), a page at a time.

use std::collections::BTreeMap;

use ::kube::Api;
use ::kube::api::ListParams;
use k8s_openapi::api::core::v1::Pod;

use super::model::{NodeLoad, Resources};

/// Pods read per request.
const PAGE: u32 = 500;
/// Pages read at most (500,000 pods): the loop is bounded.
const MAX_PAGES: usize = 1_000;

/// Each node's pods' requests, by node name.
pub async fn load(client: &::kube::Client) -> Result<BTreeMap<String, NodeLoad>, ::kube::Error> {
    let api: Api<Pod> = Api::all(client.clone());
    let mut params = ListParams::default()
        .fields("status.phase!=Succeeded,status.phase!=Failed")
        .limit(PAGE);
    let mut load: BTreeMap<String, NodeLoad> = BTreeMap::new();
    for _ in 0..MAX_PAGES {
        let page = api.list(&params).await?;
        for pod in &page.items {
            let Some(node) = pod.spec.as_ref().and_then(|s| s.node_name.as_ref()) else {
                continue;
            };
            let r = Resources::of(pod.spec.as_ref());
            let entry = load.entry(node.clone()).or_default();
            entry.cpu_requests += r.cpu_request.unwrap_or(0);
            entry.memory_requests += r.memory_request.unwrap_or(0);
            entry.pods += 1;
        }
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(token) => params = params.continue_token(&token),
            None => break,
        }
    }
    Ok(load)
}
