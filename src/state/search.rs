//! What each list offers its filter ([`crate::filter`]): the fields a
//! `field:value` term may name, and each row's texts. A row's state is
//! words: its own word as the pane shows it, the word of the title's count
//! it falls in (`failing`, `progressing`, `held`, `breaching`...) and
//! ok/warn/fail, so `state:fail` finds what is failing in any list.

use std::borrow::Cow;

use crate::filter::{Field, Searchable, Texts};
use crate::kinds::WorkloadKind;
use crate::kube::cluster::RolloutRow;
use crate::kube::model::{ConditionRow, EventRow, PodPhase, PodRow};
use crate::kube::rollout::Rollout;
use crate::probe::ProbeResult;
use crate::prom::signal::{Reading, SignalState};
use crate::state::checklist::ItemState;
use crate::state::timeline::TimelineRow;
use crate::state::workload::RevisionRow;
use crate::status::Status;

const NAME: Field = Field::text("name");
const KIND: Field = Field::words("kind");
const STATE: Field = Field::words("state");
const NAMESPACE: Field = Field::text("ns").or(&["namespace"]);
const IMAGE: Field = Field::text("image");
const MESSAGE: Field = Field::text("message").or(&["msg"]);
const NODE: Field = Field::text("node");

/// Every spelling kubectl has for a kind: `StatefulSet statefulset
/// statefulsets sts`.
fn kind_words(kind: WorkloadKind) -> String {
    format!(
        "{} {} {} {}",
        kind.name(),
        kind.resource(),
        kind.plural(),
        kind.short()
    )
}

/// A status in words, as `state:` finds it.
fn status_words(status: Status) -> &'static str {
    match status {
        Status::Ok => "ok",
        Status::Warn => "warn",
        Status::Fail => "fail failing",
        Status::Unknown => "unknown",
    }
}

/// A workload's state in words: the Rollouts pane's word, the title's
/// count it falls in (failing, progressing, held) and its status.
pub fn rollout_words(rollout: Option<&Rollout>, listed: bool) -> &'static str {
    match rollout {
        None if !listed => "loading unknown",
        None => "missing failing fail",
        Some(Rollout::Complete(_)) => "complete ok",
        Some(Rollout::Failed(_)) => "failed failing fail",
        Some(Rollout::Paused(_)) => "paused held warn",
        Some(Rollout::OnDelete(_)) => "ondelete on-delete held warn",
        Some(Rollout::Running(_)) => "running progressing warn",
        Some(Rollout::Suspended(_)) => "suspended suspend held warn",
        Some(Rollout::Scheduled(_)) => "scheduled schedule ok",
        Some(Rollout::Waiting) => "waiting progressing warn",
        Some(Rollout::Progressing(_)) => "rolling progressing warn",
    }
}

/// A row of the Rollouts pane, with what its state depends on.
pub struct RolloutItem<'a> {
    pub row: &'a RolloutRow,
    /// Whether its kind has been listed (before, a missing one is loading).
    pub listed: bool,
    pub namespace: &'a str,
}

impl Searchable for RolloutItem<'_> {
    const FIELDS: &'static [Field] = &[NAME, KIND, STATE, NAMESPACE, IMAGE, MESSAGE];

    fn texts(&self) -> Texts<'_> {
        let r = self.row;
        let mut texts: Texts = vec![
            ("name", Cow::Borrowed(r.name.as_str())),
            ("kind", Cow::Owned(kind_words(r.kind))),
            (
                "state",
                Cow::Borrowed(rollout_words(r.rollout.as_ref(), self.listed)),
            ),
            ("ns", Cow::Borrowed(self.namespace)),
        ];
        if let Some(w) = &r.workload {
            texts.extend(
                w.images
                    .iter()
                    .map(|i| ("image", Cow::Borrowed(i.as_str()))),
            );
        }
        if let Some(rollout) = &r.rollout {
            texts.push(("message", Cow::Owned(rollout.message(r.kind))));
        }
        texts
    }
}

/// A probe of the Health pane.
pub struct ProbeItem<'a> {
    pub name: &'a str,
    pub url: &'a str,
    pub last: Option<&'a ProbeResult>,
    /// A burst probe: run only on demand.
    pub on_demand: bool,
}

impl Searchable for ProbeItem<'_> {
    const FIELDS: &'static [Field] = &[NAME, STATE, Field::text("url"), MESSAGE];

    fn texts(&self) -> Texts<'_> {
        let state = match self.last.map(crate::probe::status) {
            None if self.on_demand => "on-demand waiting unknown",
            None => "waiting unknown",
            Some(Status::Ok) => "ok",
            Some(Status::Warn) => "degraded warn",
            Some(Status::Fail) => "failing fail",
            Some(Status::Unknown) => "unknown",
        };
        let mut texts: Texts = vec![
            ("name", Cow::Borrowed(self.name)),
            ("state", Cow::Borrowed(state)),
            ("url", Cow::Borrowed(self.url)),
        ];
        if let Some(f) = self.last.and_then(|l| l.failure.as_ref()) {
            texts.push(("message", Cow::Owned(f.to_string())));
        }
        texts
    }
}

/// A signal of the Signals pane.
pub struct SignalItem<'a> {
    pub name: &'a str,
    pub query: &'a str,
    pub reading: Option<&'a Reading>,
}

impl Searchable for SignalItem<'_> {
    const FIELDS: &'static [Field] = &[NAME, STATE, Field::text("query")];

    fn texts(&self) -> Texts<'_> {
        let state = match self.reading.map(|r| &r.state) {
            None => "waiting unknown",
            Some(SignalState::Ok) => "ok",
            Some(SignalState::Warn) => "warn breaching",
            Some(SignalState::Fail) => "fail failing breaching",
            Some(SignalState::NoData) => "nodata no-data unknown",
            Some(SignalState::NaN | SignalState::Inf) => "nan inf unknown",
            Some(SignalState::Error(_)) => "error unknown",
            Some(SignalState::Unreachable(_)) => "unreachable unknown",
        };
        vec![
            ("name", Cow::Borrowed(self.name)),
            ("state", Cow::Borrowed(state)),
            ("query", Cow::Borrowed(self.query)),
        ]
    }
}

/// Whether a signal's reading breaches a threshold (warn or fail).
pub fn breaching(reading: Option<&Reading>) -> bool {
    matches!(
        reading.map(|r| &r.state),
        Some(SignalState::Warn | SignalState::Fail)
    )
}

/// An item of the Checklist pane.
pub struct ChecklistItem<'a> {
    pub id: &'a str,
    pub text: &'a str,
    /// Its phase's name.
    pub phase: &'a str,
    pub check: Option<&'a str>,
    pub state: Option<&'a ItemState>,
}

/// An item's state in words, as its mark says it.
pub fn item_words(state: Option<&ItemState>) -> &'static str {
    match state {
        None | Some(ItemState::Open) => "todo open",
        Some(ItemState::Done {
            stale: false,
            regressed: Some(_),
            ..
        }) => "regressed failing fail done",
        Some(ItemState::Done { stale: true, .. }) => "stale changed",
        Some(ItemState::Done {
            reason: Some(_), ..
        }) => "override overridden done",
        Some(ItemState::Done { verified: true, .. }) => "verified done ok",
        Some(ItemState::Done { .. }) => "done ok",
        Some(ItemState::Skipped { .. }) => "skipped",
    }
}

impl Searchable for ChecklistItem<'_> {
    const FIELDS: &'static [Field] = &[
        Field::text("text").or(&["name"]),
        Field::text("phase"),
        STATE,
        Field::text("check"),
        Field::text("id"),
    ];

    fn texts(&self) -> Texts<'_> {
        let mut texts: Texts = vec![
            ("text", Cow::Borrowed(self.text)),
            ("phase", Cow::Borrowed(self.phase)),
            ("state", Cow::Borrowed(item_words(self.state))),
            ("id", Cow::Borrowed(self.id)),
        ];
        if let Some(check) = self.check {
            texts.push(("check", Cow::Borrowed(check)));
        }
        texts
    }
}

/// An entry of the Timeline.
pub struct TimelineItem<'a>(pub &'a TimelineRow);

impl Searchable for TimelineItem<'_> {
    const FIELDS: &'static [Field] = &[
        Field::text("text").or(&["message", "msg"]),
        Field::words("kind"),
        STATE,
        Field::text("user").or(&["who"]),
        Field::text("time"),
    ];

    fn texts(&self) -> Texts<'_> {
        let r = self.0;
        let state = match r.ok {
            Some(true) => "ok",
            Some(false) => "failed fail",
            None => "pending",
        };
        vec![
            ("text", Cow::Borrowed(r.text.as_str())),
            ("kind", Cow::Borrowed(r.kind)),
            ("state", Cow::Borrowed(state)),
            ("user", Cow::Borrowed(r.user.as_str())),
            ("time", Cow::Borrowed(r.at.as_str())),
        ]
    }
}

/// A pod's status: ok when running and ready, failing in a crash loop or
/// failed, else on its way (warn).
pub fn pod_status(p: &PodRow) -> Status {
    match p.phase {
        PodPhase::Running if p.ready => Status::Ok,
        PodPhase::Failing | PodPhase::Failed => Status::Fail,
        _ => Status::Warn,
    }
}

impl Searchable for PodRow {
    const FIELDS: &'static [Field] = &[NAME, STATE, NODE, Field::text("container")];

    fn texts(&self) -> Texts<'_> {
        let phase = match self.phase {
            PodPhase::Pending => "pending",
            PodPhase::Running => "running",
            PodPhase::Failing => "crashing",
            PodPhase::Terminating => "terminating",
            PodPhase::Succeeded => "succeeded",
            PodPhase::Failed => "failed",
        };
        let mut texts: Texts = vec![
            ("name", Cow::Borrowed(self.name.as_str())),
            ("state", Cow::Borrowed(self.status.as_str())),
            ("state", Cow::Borrowed(phase)),
            ("state", Cow::Borrowed(status_words(pod_status(self)))),
        ];
        if let Some(node) = &self.node {
            texts.push(("node", Cow::Borrowed(node.as_str())));
        }
        if let Some(reason) = &self.last_termination {
            texts.push(("state", Cow::Borrowed(reason.as_str())));
        }
        texts.extend(
            self.containers
                .iter()
                .map(|c| ("container", Cow::Borrowed(c.as_str()))),
        );
        texts
    }
}

impl Searchable for RevisionRow {
    const FIELDS: &'static [Field] = &[NAME, Field::text("revision"), IMAGE, MESSAGE, STATE];

    fn texts(&self) -> Texts<'_> {
        let mut texts: Texts = vec![
            ("name", Cow::Borrowed(self.replicaset.as_str())),
            (
                "revision",
                Cow::Owned(format!("r{} {}", self.revision, self.revision)),
            ),
            (
                "state",
                Cow::Borrowed(if self.current {
                    "current newest"
                } else {
                    "old"
                }),
            ),
        ];
        texts.extend(
            self.images
                .iter()
                .map(|i| ("image", Cow::Borrowed(i.as_str()))),
        );
        if let Some(cause) = &self.change_cause {
            texts.push(("message", Cow::Borrowed(cause.as_str())));
        }
        texts
    }
}

/// Whether a condition is not as it should be: not true, or a Deployment
/// past its progress deadline.
pub fn condition_bad(c: &ConditionRow) -> bool {
    c.status != "True" || c.reason.as_deref() == Some("ProgressDeadlineExceeded")
}

impl Searchable for ConditionRow {
    const FIELDS: &'static [Field] = &[NAME, STATE, Field::text("reason"), MESSAGE];

    fn texts(&self) -> Texts<'_> {
        let mut texts: Texts = vec![
            ("name", Cow::Borrowed(self.type_.as_str())),
            ("state", Cow::Borrowed(self.status.as_str())),
            (
                "state",
                Cow::Borrowed(if condition_bad(self) {
                    "fail failing"
                } else {
                    "ok"
                }),
            ),
        ];
        if let Some(reason) = &self.reason {
            texts.push(("reason", Cow::Borrowed(reason.as_str())));
        }
        if let Some(message) = &self.message {
            texts.push(("message", Cow::Borrowed(message.as_str())));
        }
        texts
    }
}

impl Searchable for EventRow {
    const FIELDS: &'static [Field] = &[
        NAME,
        Field::words("type").or(&["state"]),
        Field::text("reason"),
        MESSAGE,
    ];

    fn texts(&self) -> Texts<'_> {
        vec![
            (
                "name",
                Cow::Owned(format!("{}/{}", self.kind.to_lowercase(), self.object)),
            ),
            (
                "type",
                Cow::Borrowed(if self.warning {
                    "warning warn"
                } else {
                    "normal"
                }),
            ),
            ("reason", Cow::Borrowed(self.reason.as_str())),
            ("message", Cow::Borrowed(self.message.as_str())),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::Filter;

    fn pod(name: &str, node: &str, phase: PodPhase, status: &str) -> PodRow {
        PodRow {
            name: name.into(),
            node: Some(node.into()),
            phase,
            ready: phase == PodPhase::Running,
            status: status.into(),
            containers: vec!["app".into()].into(),
            ..PodRow::default()
        }
    }

    #[test]
    fn pods_are_found_by_node_state_and_container() {
        let pods = [
            pod("api-1", "node-1", PodPhase::Running, "Running"),
            pod("api-2", "node-2", PodPhase::Failing, "CrashLoopBackOff"),
            pod("api-3", "node-12", PodPhase::Pending, "ContainerCreating"),
        ];
        let shown = |text: &str| -> Vec<&str> {
            let f = Filter::parse(text);
            pods.iter()
                .filter(|p| f.passes(*p))
                .map(|p| p.name.as_str())
                .collect()
        };
        assert_eq!(shown("node:node-2"), ["api-2"]);
        assert_eq!(shown("node:node-1"), ["api-1", "api-3"]);
        assert_eq!(shown("state:crash"), ["api-2"]);
        assert_eq!(shown("state:fail"), ["api-2"]);
        assert_eq!(shown("!state:ok"), ["api-2", "api-3"]);
        assert_eq!(shown("container:app").len(), 3);
    }

    #[test]
    fn a_rollouts_row_offers_every_kind_spelling_and_its_state_words() {
        let row = RolloutRow {
            kind: WorkloadKind::StatefulSet,
            name: "db".into(),
            workload: None,
            rollout: Some(Rollout::Failed("deadline".into())),
            hpa: None,
            pods: Default::default(),
            recent_restarts: 0,
            usage: None,
        };
        let item = RolloutItem {
            row: &row,
            listed: true,
            namespace: "payments",
        };
        for yes in [
            "kind:sts",
            "kind:statefulset",
            "kind:StatefulSets",
            "state:failed",
            "state:failing",
            "ns:pay",
            "namespace:payments",
            "db",
        ] {
            assert!(Filter::parse(yes).passes(&item), "{yes}");
        }
        for no in ["kind:deploy", "kind:ds", "state:complete", "image:db"] {
            assert!(!Filter::parse(no).passes(&item), "{no}");
        }
    }

    #[test]
    fn every_list_names_its_fields_once() {
        fn names(fields: &[Field]) -> Vec<&str> {
            fields
                .iter()
                .flat_map(|f| std::iter::once(f.name).chain(f.aliases.iter().copied()))
                .collect()
        }
        for fields in [
            RolloutItem::FIELDS,
            ProbeItem::FIELDS,
            SignalItem::FIELDS,
            ChecklistItem::FIELDS,
            TimelineItem::FIELDS,
            PodRow::FIELDS,
            RevisionRow::FIELDS,
            ConditionRow::FIELDS,
            EventRow::FIELDS,
        ] {
            let mut all = names(fields);
            let count = all.len();
            all.sort_unstable();
            all.dedup();
            assert_eq!(all.len(), count, "{fields:?}");
        }
    }
}
