//! Keys in the object view (scroll, YAML or describe, search, the related
//! objects), and where `y` and `d` open it from.

use crate::action::Action;
use crate::kinds::WorkloadKind;
use crate::kube::object::ObjectRef;
use crate::state::object::{ObjectMode, ObjectView};
use crate::state::screen::{Layer, Screen};
use crate::state::{AppState, Effect, Pane, View, actions::Request, workload};

impl AppState {
    pub(super) fn object_key(&mut self, action: Action) {
        let page = usize::from(self.size.1.saturating_sub(6)).max(1);
        let Some(view) = self.object_view_mut() else {
            return;
        };
        let editing = view.editor.is_some();
        let count = view.lines().len();
        match action {
            Action::Submit if editing => {
                view.end_search(true);
                if let Some(at) = view.next_match(view.lines()) {
                    view.scroll = at;
                }
            }
            Action::Cancel if editing => view.end_search(false),
            Action::Quit => self.quit = true,
            Action::Help => self.open_help(),
            Action::Back | Action::Cancel => {
                if let Screen::Object(view) = std::mem::take(&mut self.screen) {
                    self.screen = *view.back;
                }
            }
            Action::MoveUp => view.scroll = view.scroll.saturating_sub(1),
            Action::MoveDown => view.scroll += 1,
            Action::PageUp => view.scroll = view.scroll.saturating_sub(page),
            Action::PageDown => view.scroll += page,
            Action::Top => view.scroll = 0,
            Action::Bottom => view.scroll = count.saturating_sub(page),
            Action::Yaml => view.mode = ObjectMode::Yaml,
            Action::Describe => view.mode = ObjectMode::Describe,
            Action::Filter => view.start_search(),
            Action::Open => match view.next_match(view.lines()) {
                Some(at) => view.scroll = at,
                None if view.query.is_empty() => {
                    self.notice = Some("search first: / and the text".into());
                }
                None => self.notice = Some(format!("\"{}\" is not in it", view.query)),
            },
            Action::FocusNext | Action::FocusPrev if view.targets.len() > 1 => {
                let n = view.targets.len();
                view.index = if action == Action::FocusNext {
                    (view.index + 1) % n
                } else {
                    (view.index + n - 1) % n
                };
                view.scroll = 0;
                self.fetch_object();
            }
            _ => {}
        }
        if let Some(view) = self.object_view_mut() {
            view.scroll = view.scroll.min(view.lines().len().saturating_sub(1));
        }
    }

    /// The workload, then its HorizontalPodAutoscaler and the Services
    /// that select its pods.
    fn workload_targets(&self, kind: WorkloadKind, name: &str) -> Vec<ObjectRef> {
        let ns = self.namespace();
        let mut targets = vec![ObjectRef::workload(kind, &ns, name)];
        targets.extend(
            self.cluster
                .hpas
                .values()
                .filter(|h| h.target_kind == kind.name() && h.target == name)
                .map(|h| ObjectRef::hpa(&ns, &h.name)),
        );
        if let Some(w) = self.cluster.workload(kind, name) {
            targets.extend(
                self.cluster
                    .services
                    .values()
                    .filter(|s| {
                        !s.selector.is_empty()
                            && s.selector
                                .iter()
                                .all(|(k, v)| w.template_labels.get(k) == Some(v))
                    })
                    .map(|s| ObjectRef::service(&ns, &s.name)),
            );
        }
        targets
    }

    /// What `y` or `d` shows: the selected node, pod, revision or workload.
    fn selected_object(&self) -> Result<Vec<ObjectRef>, String> {
        let ns = self.namespace();
        match self.layer() {
            Layer::Nodes => {
                let index = self.nodes_view().map_or(0, |v| v.selected);
                self.cluster
                    .nodes
                    .keys()
                    .nth(index)
                    .map(|n| vec![ObjectRef::node(n)])
                    .ok_or_else(|| "no node listed".to_string())
            }
            Layer::View(View::Workload, _) => {
                let Some(view) = self.workload() else {
                    return Err("no workload open".into());
                };
                let section = view.section;
                let index = view.selected[section.index()];
                let w = workload::view_of(&self.cluster, view);
                // The selection is a place among the rows the filter shows.
                let row = view.visible(&w, section).get(index).copied();
                match section {
                    workload::Section::Pods => {
                        let pod = row.and_then(|i| w.pods.get(i)).ok_or("no pod selected")?;
                        Ok(vec![ObjectRef::pod(&ns, &pod.name)])
                    }
                    workload::Section::History => {
                        let row = row
                            .and_then(|i| w.history.get(i))
                            .ok_or("no revision selected")?;
                        Ok(vec![match view.kind {
                            WorkloadKind::Deployment => ObjectRef::replicaset(&ns, &row.replicaset),
                            WorkloadKind::CronJob => {
                                ObjectRef::workload(WorkloadKind::Job, &ns, &row.replicaset)
                            }
                            _ => ObjectRef::controller_revision(&ns, &row.replicaset),
                        }])
                    }
                    _ => Ok(self.workload_targets(view.kind, &view.name)),
                }
            }
            Layer::Dashboard { .. } if self.focus == Pane::Rollouts => {
                let (kind, name) = self.picked_key()?;
                Ok(self.workload_targets(kind, &name))
            }
            _ => Err(
                "yaml/describe: select a workload (Rollouts), a pod or revision (workload view) or a node (N)"
                    .into(),
            ),
        }
    }

    /// Opens the object view of the selected object, in place of the
    /// screen (and over any overlay, which it closes).
    pub(super) fn open_object(&mut self, mode: ObjectMode) {
        let targets = match self.selected_object() {
            Ok(t) => t,
            Err(why) => {
                self.notice = Some(why);
                return;
            }
        };
        self.overlay = None;
        let back = std::mem::take(&mut self.screen);
        self.screen = Screen::Object(Box::new(ObjectView::new(targets, mode, back)));
        self.fetch_object();
    }

    /// Asks for the object view's current object.
    fn fetch_object(&mut self) {
        let id = self.next_request + 1;
        let Some(view) = self.object_view_mut() else {
            return;
        };
        let Some(path) = view.target().map(|t| t.path.clone()) else {
            return;
        };
        view.pending = Some(id);
        view.text = None;
        self.next_request = id;
        self.effects.push(Effect::Act(Request::Object(id, path)));
    }
}
