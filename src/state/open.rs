//! What a key starts: action dialogs, the workload and log views, a switch
//! of environment, checklist entries' dialogs, the picker.

use super::*;
use crate::kube::model::{PodPhase, PodRow, WorkloadKind};

impl AppState {
    /// Where a (possibly qualified) name is: its namespace (its own, in a
    /// view of every namespace; else the connection's) and its short name.
    pub(super) fn place(&self, name: &str) -> (String, String) {
        match crate::kube::model::split(name) {
            (Some(ns), short) => (ns.to_string(), short.to_string()),
            (None, short) => (self.namespace(), short.to_string()),
        }
    }

    /// The namespace actions go to: the connection's, else the target's.
    pub fn namespace(&self) -> String {
        self.cluster
            .namespace
            .clone()
            .or_else(|| self.target.namespace.clone())
            .unwrap_or_else(|| "default".into())
    }

    /// The workload an action acts on: `explicit`, else the open workload
    /// view's, else the Rollouts pane's selection.
    fn action_workload(
        &self,
        action: Action,
        explicit: Option<cluster::WorkloadKey>,
    ) -> Result<WorkloadRow, String> {
        let (kind, name) = match (explicit, self.workload()) {
            (Some(key), _) => key,
            (None, Some(view)) => (view.kind, view.name.clone()),
            (None, None) if self.focus == Pane::Rollouts => self.picked_key()?,
            (None, None) => {
                return Err(format!(
                    "{}: select a workload in the Rollouts pane first",
                    action.hint()
                ));
            }
        };
        self.cluster.workload(kind, &name).cloned().ok_or_else(|| {
            format!(
                "{}/{name} does not exist in namespace {}",
                kind.resource(),
                self.namespace()
            )
        })
    }

    /// Opens the dialog of a keyed action on the selected workload.
    pub(super) fn open_action(&mut self, action: Action) {
        self.open_action_for(action, None);
    }

    /// Opens the dialog of a keyed action on `explicit`, else on the
    /// selected workload.
    pub(super) fn open_action_for(
        &mut self,
        action: Action,
        explicit: Option<cluster::WorkloadKey>,
    ) {
        if self.target.read_only {
            self.notice = Some("read-only: actions are off (--read-only, or the environment is read_only without --write)".into());
            return;
        }
        let d = match self.action_workload(action, explicit) {
            Ok(d) => d,
            Err(why) => {
                self.notice = Some(why);
                return;
            }
        };
        if action == Action::BlueGreen {
            self.open_switch(&d);
            return;
        }
        let at = jiff::Timestamp::from_second(self.now)
            .map(|t| t.to_string())
            .unwrap_or_default();
        self.next_request += 1;
        if action == Action::Restart && d.kind == WorkloadKind::Job {
            self.open_job_retry(&d);
            return;
        }
        let hpa = self
            .cluster
            .hpas
            .values()
            .find(|h| h.target_kind == d.kind.name() && h.target == d.name)
            .cloned();
        // Requests name the workload in its own namespace.
        let (ns, short) = self.place(&d.name);
        let qualified = d.name.clone();
        let d = WorkloadRow { name: short, ..d };
        match actions::Dialog::open(action, &d, hpa, &ns, &at, self.next_request) {
            Ok((dialog, request)) => {
                self.dialog_open(dialog);
                self.dialog_namespace = Some(ns);
                let request = request.map(|r| match r {
                    actions::Request::Revisions(id, kind, _) => {
                        actions::Request::Revisions(id, kind, qualified)
                    }
                    other => other,
                });
                self.effects.extend(request.map(Effect::Act));
            }
            Err(why) => self.notice = Some(why),
        }
    }

    /// `r` on a Job: a finished Job does not run again; an active one whose
    /// pod is in a crash loop gets that pod deleted, and its controller
    /// makes a new one at once.
    fn open_job_retry(&mut self, d: &WorkloadRow) {
        let finished = d
            .conditions
            .iter()
            .find(|c| (c.type_ == "Complete" || c.type_ == "Failed") && c.status == "True");
        if let Some(c) = finished {
            self.notice = Some(format!(
                "job/{} has finished ({}): Kubernetes does not run a finished Job again; run its CronJob now (r on the CronJob), or create a new Job from the same spec",
                d.name, c.type_
            ));
            return;
        }
        let looping = self
            .cluster
            .pods
            .values()
            .filter(|p| p.owner == d.uid && p.phase == PodPhase::Failing)
            .map(|p| p.name.clone())
            .min();
        let Some(pod) = looping else {
            let limit = d.batch.as_ref().map_or(6, |b| b.backoff_limit);
            self.notice = Some(format!(
                "job/{} has no pod in a crash loop: its controller retries failed pods itself, up to its backoff limit ({limit})",
                d.name
            ));
            return;
        };
        self.next_request += 1;
        let (ns, job) = self.place(&d.name);
        let pod = self.place(&pod).1;
        let plan = crate::kube::actions::Plan::retry_pod(&ns, &job, &pod);
        let (dialog, request) = actions::Dialog::checked(plan, self.next_request);
        self.dialog_open(dialog);
        self.effects.extend(request.map(Effect::Act));
    }

    /// The blue-green switch of a workload the runbook gives `blue_green`.
    pub(super) fn open_switch(&mut self, d: &WorkloadRow) {
        let config = self
            .runbook
            .as_ref()
            .and_then(|r| r.workloads().find(|w| w.name.get_ref() == &d.name))
            .and_then(|w| w.blue_green.clone());
        let Some(bg) = config else {
            self.notice = Some(format!(
                "{}/{} has no blue_green in the runbook: add blue_green = {{ service = \"NAME\", label = \"LABEL\" }} to its [[workload]]",
                d.kind.resource(),
                d.name
            ));
            return;
        };
        match bluegreen::switch(&self.cluster, &bg.service, &bg.label) {
            Ok(switch) => self.dialog_open(actions::Dialog::pick_colour(switch)),
            Err(why) => self.notice = Some(why),
        }
    }

    /// Opens the workload view of the selected Rollouts row.
    pub(super) fn open_workload(&mut self) -> bool {
        match self.picked_key() {
            Ok((kind, name)) => {
                self.screen =
                    screen::Screen::Workload(Box::new(workload::WorkloadView::new(kind, name)));
                true
            }
            Err(why) => {
                self.notice = Some(why);
                false
            }
        }
    }

    /// The name of the workload selected in the Rollouts pane, or why none
    /// is (never another row's: a selection that is gone says so, and
    /// never one the filter hides).
    pub(super) fn picked_key(&self) -> Result<cluster::WorkloadKey, String> {
        if let Some(why) = self.no_match(Pane::Rollouts) {
            return Err(why);
        }
        match &self.picked {
            Some(id) if self.picked_gone => Err(format!(
                "{} is no longer in namespace {} (deleted?): select another with up/down",
                id, id.namespace
            )),
            Some(id) => {
                let at = self
                    .cluster
                    .rows
                    .iter()
                    .position(|r| r.name == id.name && r.kind == id.kind);
                match at {
                    Some(at) if !self.visible(Pane::Rollouts).contains(&at) => Err(format!(
                        "{id} does not match the filter {}: select a row it shows",
                        self.filter_words(Pane::Rollouts)
                    )),
                    _ => Ok((id.kind, id.name.clone())),
                }
            }
            // Nothing picked since the rows arrived: the row in view.
            None => self
                .rollout_rows()
                .get(self.selected[Pane::Rollouts.index()])
                .map(|r| (r.kind, r.name.clone()))
                .ok_or_else(|| "no workload selected".into()),
        }
    }

    /// Whether the workload the keyed actions would act on now is paused
    /// or suspended (the footer offers "resume" rather than "pause").
    pub fn target_paused(&self) -> bool {
        self.target_workload().is_some_and(|d| d.paused)
    }

    /// The workload the keyed actions would act on now, if any.
    pub fn target_workload(&self) -> Option<&WorkloadRow> {
        let (kind, name) = match self.workload() {
            Some(view) => (view.kind, view.name.clone()),
            None if self.focus == Pane::Rollouts => self.picked_key().ok()?,
            None => return None,
        };
        self.cluster.workload(kind, &name)
    }

    /// Opens the log view of a pod of the workload view: the selected one
    /// in the Pods section, else the first (problems sort first) of those
    /// its filter shows.
    pub(super) fn selected_pod(&self) -> Result<&PodRow, String> {
        let view = self.workload().ok_or("open a workload first")?;
        let pods = workload::Section::Pods;
        let index = if view.section == pods {
            view.selected[pods.index()]
        } else {
            0
        };
        let derived = workload::view_of(&self.cluster, view);
        if let Some(why) = view.no_match(&derived, pods) {
            return Err(why);
        }
        let shown = view.visible(&derived, pods);
        shown
            .get(index)
            .and_then(|i| derived.pods.get(*i))
            .copied()
            .ok_or_else(|| format!("{}/{} has no pods", view.kind.resource(), view.name))
    }

    pub(super) fn open_logs(&mut self) {
        let pod = match self.selected_pod() {
            Ok(pod) => pod,
            Err(why) => {
                self.notice = Some(format!("logs: {why}"));
                return;
            }
        };
        if pod.containers.is_empty() {
            self.notice = Some(format!("pod {} has no containers yet", pod.name));
            return;
        }
        let (name, containers) = (
            pod.name.to_string(),
            pod.containers.iter().map(|c| c.to_string()).collect(),
        );
        self.next_stream += 1;
        let mut logs = logs::LogView::new(name, containers, self.next_stream);
        let request = logs.restart(self.next_stream);
        if let Some(view) = self.workload_mut() {
            view.logs = Some(logs);
        }
        self.effects.push(Effect::Logs(Some(request)));
    }

    /// Deleting the selected pod of the workload view (the classic fix for
    /// a stuck pod): its controller makes a new one.
    pub(super) fn open_delete_pod(&mut self) {
        if self.target.read_only {
            self.notice = Some("read-only: actions are off (--read-only, or the environment is read_only without --write)".into());
            return;
        }
        if self
            .workload()
            .is_some_and(|v| v.section != workload::Section::Pods)
        {
            self.notice = Some("delete pod: select a pod in the Pods section first (tab)".into());
            return;
        }
        let plan = match self.selected_pod() {
            Ok(pod) => {
                let Some(view) = self.workload() else { return };
                let (ns, short) = self.place(&pod.name);
                let pod = PodRow {
                    name: short.into(),
                    ..pod.clone()
                };
                crate::kube::actions::Plan::delete_pod(
                    &ns,
                    &pod,
                    &format!("{}/{}", view.kind.resource(), self.place(&view.name).1),
                    view.kind.is_batch(),
                )
            }
            Err(why) => {
                self.notice = Some(why);
                return;
            }
        };
        self.next_request += 1;
        let (dialog, request) = actions::Dialog::checked(plan, self.next_request);
        self.dialog_open(dialog);
        self.effects.extend(request.map(Effect::Act));
    }

    /// Starts the log stream again (another container, or previous).
    pub(super) fn restart_logs(&mut self) {
        self.next_stream += 1;
        let stream = self.next_stream;
        if let Some(logs) = self.log_view_mut() {
            let request = logs.restart(stream);
            self.effects.push(Effect::Logs(Some(request)));
        }
    }

    pub(super) fn close_workload(&mut self) {
        if self.log_view().is_some() {
            self.effects.push(Effect::Logs(None));
        }
        if self.workload().is_some() {
            self.close_view();
        }
    }

    /// Re-targets the console: the header changes at once, the cluster state
    /// starts empty, and the loop re-establishes every watch and the journal.
    pub(super) fn switch_to(&mut self, choice: &picker::Choice) {
        let target = match picker::target_for(
            self.runbook.as_ref(),
            &self.overrides,
            &self.target,
            choice,
        ) {
            Ok(t) => t,
            Err(e) => {
                self.notice = Some(e.to_string());
                return;
            }
        };
        if target == self.target {
            self.notice = Some("already there: nothing changed".into());
            return;
        }
        self.close_workload();
        let wanted = std::mem::take(&mut self.cluster.wanted);
        let generation = self.cluster.generation + 1;
        self.cluster = cluster::ClusterState::new(wanted);
        self.cluster.all_namespaces = target.all_namespaces;
        self.cluster.generation = generation;
        self.cluster.context = target.context.clone();
        self.cluster.namespace = target.namespace.clone();
        // Another environment's rollouts start afresh.
        self.guard = crate::checks::regress::Guard::new(self.guard.rules.clone());
        self.probe_urls = self
            .runbook
            .as_ref()
            .map(|r| probe_urls(r, &target))
            .unwrap_or_default();
        self.timeline.clear();
        self.check_statuses.clear();
        self.journal = journal_view::JournalView::default();
        // Nothing is journaled on its own until that journal is read.
        self.auto = verify::Auto::default();
        self.auto.ready = false;
        self.team = super::team::Team {
            waiting_since: self.now,
            ..Default::default()
        };
        self.items.clear();
        self.item_notes.clear();
        self.health = health::Health::default();
        self.signals = signals::Signals::default();
        self.close_view();
        self.selected = [0; 5];
        self.row_picks = [None; 5];
        self.picked = None;
        self.picked_gone = false;
        self.timeline_pick = None;
        self.warnings.extend(target.warning.clone());
        self.notice = Some(format!(
            "switched to {}: reconnecting",
            match choice {
                picker::Choice::Env(e) => format!("environment {e}"),
                picker::Choice::Context(c) => format!("context {c}"),
                picker::Choice::AllNamespaces(true) => "every namespace".to_string(),
                picker::Choice::AllNamespaces(false) => format!(
                    "namespace {}",
                    target.namespace.as_deref().unwrap_or("of the context")
                ),
            }
        ));
        self.target = target.clone();
        self.effects.push(Effect::Switch(target, generation));
    }

    pub(super) fn open_milestone(&mut self) {
        use crate::journal::Milestone;
        let next = match self.incident() {
            None => Milestone::Detected,
            Some((_, Milestone::Detected)) => Milestone::Acknowledged,
            Some((_, Milestone::Acknowledged)) => Milestone::Mitigated,
            Some((_, _)) => Milestone::Resolved,
        };
        self.dialog_open(actions::Dialog::text(
            actions::TextPurpose::Milestone {
                milestone: next,
                now: self.now,
            },
            format!(" Incident {} ", next.word()),
            format!(
                "Record the incident as {}: enter for now, or type @HH:MM or @-10m for when it happened.",
                next.word()
            ),
        ));
    }

    pub(super) fn open_note(&mut self) {
        let item = self.selected_item().map(|(id, ..)| id);
        let prompt = match &item {
            Some(id) => format!("A note on {id} (start with @HH:MM or @-15m to backdate it):"),
            None => "A note for the timeline (start with @HH:MM or @-15m to backdate it):".into(),
        };
        self.dialog_open(actions::Dialog::text(
            actions::TextPurpose::Note {
                item,
                now: self.now,
            },
            " Note ".into(),
            prompt,
        ));
    }

    /// The confirmation of the selected (or detailed) probe's burst.
    pub(super) fn open_burst(&mut self) {
        if self.target.read_only {
            self.notice = Some(
                "read-only: a burst sends requests to the service, so it is off (--read-only, or the environment is read_only without --write)"
                    .into(),
            );
            return;
        }
        let name = match self.detail() {
            Some(Detail::Probe(name)) => Some(name.clone()),
            Some(Detail::Signal(_)) => None,
            None if self.focus == Pane::Health => self
                .runbook
                .as_ref()
                .zip(self.selected_row(Pane::Health))
                .and_then(|(r, i)| r.probes().nth(i))
                .map(|p| p.name.get_ref().clone()),
            None => None,
        };
        let Some(name) = name else {
            self.notice = Some("run burst: select a probe in the Health pane first".into());
            return;
        };
        let probe = self.runbook.as_ref().and_then(|r| {
            r.probes()
                .position(|p| p.name.get_ref() == &name)
                .map(|i| (r, i))
        });
        let Some((runbook, index)) = probe else {
            return;
        };
        let Some(p) = runbook.probes().nth(index) else {
            return;
        };
        let Some(requests) = p.burst.as_ref().map(|b| *b.get_ref()) else {
            self.notice = Some(format!(
                "probe {name} has no burst: add burst = N to its [[probe]] for a rate-limit test"
            ));
            return;
        };
        self.dialog_open(actions::Dialog::Burst {
            url: self.probe_urls.get(index).cloned().unwrap_or_default(),
            requests: requests.min(crate::probe::MAX_BURST),
            type_to_confirm: self.target.protected.then(|| name.clone()),
            typed: String::new(),
            probe: name,
        });
    }

    pub(super) fn open_picker(&mut self) {
        let picker = picker::Picker::new(self.runbook.as_ref(), &self.contexts, &self.target);
        if picker.entries.is_empty() {
            self.notice =
                Some("no environments in the runbook and no contexts in the kubeconfig".into());
            return;
        }
        self.overlay = Some(screen::Overlay::Picker(picker));
    }

    /// Whether the open dialog's confirm button is armed now; a key that
    /// finds it unarmed starts the wait again.
    pub(super) fn armed(&mut self) -> bool {
        let quiet_since = self.dialog_since.max(self.dialog_early_key);
        if self.mono_ms.saturating_sub(quiet_since) >= self.arm_ms.max(ARM_MS) {
            return true;
        }
        self.dialog_early_key = self.mono_ms;
        false
    }
}
