//! The nodes overlay: every node with its health and what it offers, what
//! its pods request (read on demand, from every namespace) and use.

use std::collections::BTreeMap;

use crate::kube::model::NodeLoad;

/// How often the pods' requests are read again while the overlay is open.
pub const LOAD_EVERY: i64 = 30;

/// The open nodes overlay.
#[derive(Debug, Clone, Default)]
pub struct NodesView {
    pub selected: usize,
    /// The number of the request whose answer is awaited, if any.
    pub pending: Option<u64>,
    /// What each node's pods request, by node name, or why it is not
    /// known; None until the first answer.
    pub load: Option<Result<BTreeMap<String, NodeLoad>, String>>,
    /// When the last answer came (seconds since the epoch).
    pub loaded_at: Option<i64>,
}
