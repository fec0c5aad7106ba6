//! The state's own tests: keys, views, dialogs, the checklist and the
//! journal's fold, driven through `update`.

use crossterm::event::{KeyCode, KeyEvent, KeyEventState, KeyModifiers};

use super::*;
use crate::runbook::select::select;

pub(crate) fn state() -> AppState {
    let rb = Runbook::load(std::path::Path::new("runbooks/example.toml")).unwrap();
    let target = select(Some(&rb), &Overrides::default()).unwrap();
    AppState::new(
        target,
        Some(rb),
        Theme::builtin("default"),
        Keymap::load("default", None).0,
    )
}

pub(crate) fn key(code: KeyCode, mods: KeyModifiers) -> Msg {
    Msg::Input(Event::Key(KeyEvent::new(code, mods)))
}

/// A key pressed by a person: a second after the one before, so every
/// confirm button is armed.
pub(crate) fn press(s: &mut AppState, code: KeyCode) -> bool {
    s.mono_ms += 1000;
    update(s, key(code, KeyModifiers::NONE))
}

#[test]
fn tab_cycles_every_pane_and_shift_tab_goes_back() {
    let mut s = state();
    let mut seen = vec![s.focus];
    for _ in 0..5 {
        press(&mut s, KeyCode::Tab);
        seen.push(s.focus);
    }
    assert_eq!(
        seen,
        [
            Pane::Rollouts,
            Pane::Health,
            Pane::Signals,
            Pane::Checklist,
            Pane::Timeline,
            Pane::Rollouts
        ]
    );
    update(&mut s, key(KeyCode::BackTab, KeyModifiers::SHIFT));
    assert_eq!(s.focus, Pane::Timeline);
    press(&mut s, KeyCode::Char('3'));
    assert_eq!(s.focus, Pane::Signals);
}

#[test]
fn zoom_toggles_and_esc_leaves_it_then_hides_warnings() {
    let mut s = state();
    s.warnings.push("w".into());
    press(&mut s, KeyCode::Char('z'));
    assert!(s.zoomed);
    press(&mut s, KeyCode::Esc);
    assert!(!s.zoomed && !s.warnings_hidden);
    press(&mut s, KeyCode::Esc);
    assert!(s.warnings_hidden);
}

#[test]
fn help_takes_keys_while_open() {
    let mut s = state();
    press(&mut s, KeyCode::Char('?'));
    assert!(s.help().is_some());
    // Tab is not a dialog key: focus does not move behind the overlay.
    assert!(!press(&mut s, KeyCode::Tab));
    assert_eq!(s.focus, Pane::Rollouts);
    press(&mut s, KeyCode::Down);
    assert_eq!(s.help().unwrap().scroll, 1);
    press(&mut s, KeyCode::Esc);
    assert!(s.help().is_none() && !s.quit);
    assert!(s.hints().iter().any(|h| h.1 == "quit"));
}

#[test]
fn selection_stays_within_the_rows() {
    let mut s = state();
    press(&mut s, KeyCode::Char('4'));
    press(&mut s, KeyCode::End);
    assert_eq!(s.selected[Pane::Checklist.index()], s.checklist.len() - 1);
    for _ in 0..100 {
        press(&mut s, KeyCode::Down);
    }
    assert_eq!(s.selected[Pane::Checklist.index()], s.checklist.len() - 1);
    press(&mut s, KeyCode::Home);
    assert_eq!(s.selected[Pane::Checklist.index()], 0);
}

/// The example runbook's staging environment with payments-api (and
/// its blue and green Deployments) on the cluster.
pub(crate) fn with_cluster() -> AppState {
    use crate::kube::model::{PodRow, ReplicaSetRow, ServiceRow};
    use crate::kube::{Change, KubeMsg};
    let rb = Runbook::load(std::path::Path::new("runbooks/example.toml")).unwrap();
    let overrides = Overrides {
        env: Some("staging".into()),
        ..Overrides::default()
    };
    let target = select(Some(&rb), &overrides).unwrap();
    let mut s = AppState::new(
        target,
        Some(rb),
        Theme::builtin("default"),
        Keymap::load("default", None).0,
    );
    s.overrides = overrides;
    s.contexts = vec!["staging".into(), "prod".into(), "kind-local".into()];
    let labels = |colour: &str| {
        [("app", "payments-api"), ("version", colour)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let d = |name: &str, uid: &str, colour: &str, available: i32| WorkloadRow {
        name: name.into(),
        uid: uid.into(),
        generation: 1,
        observed_generation: 1,
        desired: 2,
        replicas: 2,
        updated: 2,
        ready: available,
        available,
        revision: 1,
        template_labels: labels(colour),
        ..WorkloadRow::default()
    };
    let msgs = [
        KubeMsg::Workloads(
            crate::kinds::WorkloadKind::Deployment,
            Change::Reset(vec![
                d("payments-api", "d1", "blue", 2),
                d("payments-api-green", "d2", "green", 1),
            ]),
        ),
        KubeMsg::ReplicaSets(Change::Reset(vec![ReplicaSetRow {
            name: "payments-api-1".into(),
            uid: "r1".into(),
            owner: "d1".into(),
            revision: 1,
            ..ReplicaSetRow::default()
        }])),
        KubeMsg::Pods(Change::Reset(vec![PodRow {
            name: "payments-api-1-abcde".into(),
            owner: "r1".into(),
            containers: vec!["api".into(), "proxy".into()].into(),
            ..PodRow::default()
        }])),
        KubeMsg::Services(Change::Reset(vec![ServiceRow {
            name: "payments-api".into(),
            selector: labels("blue"),
        }])),
    ];
    for m in msgs {
        update(&mut s, Msg::Kube(0, m));
    }
    s.cluster.refresh(0);
    s
}

pub(crate) fn char(s: &mut AppState, c: char) -> bool {
    press(s, KeyCode::Char(c))
}

#[test]
fn enter_opens_the_workload_view_and_l_its_pods_logs_which_stream_until_closed() {
    let mut s = with_cluster();
    let row = s
        .cluster
        .rows
        .iter()
        .position(|r| r.name == "payments-api")
        .unwrap();
    s.selected[0] = row;
    press(&mut s, KeyCode::Enter);
    assert_eq!(s.workload().unwrap().name, "payments-api");
    press(&mut s, KeyCode::Tab);
    assert_eq!(s.workload().unwrap().section, workload::Section::History);
    char(&mut s, 'l');
    let Some(Effect::Logs(Some(req))) = s.effects.pop() else {
        panic!("no log stream asked for")
    };
    assert_eq!(
        (req.pod.as_str(), req.container.as_str(), req.follow),
        ("payments-api-1-abcde", "api", true)
    );
    // Lines of this stream show; a late line of an older one does not.
    assert!(update(
        &mut s,
        Msg::Log(req.stream, logs::LogEvent::Lines(vec!["hello".into()]))
    ));
    assert!(!update(
        &mut s,
        Msg::Log(req.stream - 1, logs::LogEvent::Lines(vec!["stale".into()]))
    ));
    assert_eq!(s.log_view().unwrap().visible(), ["hello"]);
    // Previous, then the next container: each a new stream.
    char(&mut s, 'P');
    let Some(Effect::Logs(Some(prev))) = s.effects.pop() else {
        panic!("no stream for the previous container")
    };
    assert!(prev.previous && !prev.follow && prev.stream > req.stream);
    char(&mut s, 'c');
    let Some(Effect::Logs(Some(next))) = s.effects.pop() else {
        panic!("no stream for the next container")
    };
    assert_eq!(next.container, "proxy");
    // The filter is typed: q is text here, not quit.
    char(&mut s, '/');
    char(&mut s, 'q');
    assert!(!s.quit);
    press(&mut s, KeyCode::Enter);
    assert_eq!(s.log_view().unwrap().filter, "q");
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.effects.pop(), Some(Effect::Logs(None)));
    assert!(s.log_view().is_none() && s.workload().is_some());
    press(&mut s, KeyCode::Esc);
    assert!(s.workload().is_none());
}

#[test]
fn blue_green_picks_the_other_colour_and_an_unready_one_needs_it_typed() {
    let mut s = with_cluster();
    s.selected[0] = s
        .cluster
        .rows
        .iter()
        .position(|r| r.name == "payments-api")
        .unwrap();
    char(&mut s, 'b');
    let Some(actions::Dialog::PickColour { switch, selected }) = s.dialog() else {
        panic!("no colour picker: {:?}", s.notice)
    };
    assert_eq!(switch.colours[*selected].value, "green");
    press(&mut s, KeyCode::Enter);
    let Some(Effect::Act(actions::Request::DryRun(id, plan))) = s.effects.pop() else {
        panic!("no dry run")
    };
    assert_eq!(
        plan.path,
        "/api/v1/namespaces/payments-staging/services/payments-api"
    );
    assert_eq!(plan.body["spec"]["selector"]["version"], "green");
    update(&mut s, Msg::DryRun(id, Ok(())));
    press(&mut s, KeyCode::Enter);
    assert!(
        matches!(s.dialog(), Some(actions::Dialog::Unready { .. })),
        "one enter is not enough for a target that is not ready"
    );
    assert!(s.effects.is_empty());
    for c in "gree".chars() {
        char(&mut s, c);
    }
    press(&mut s, KeyCode::Enter);
    assert!(s.effects.is_empty(), "a wrong word does nothing");
    char(&mut s, 'n');
    press(&mut s, KeyCode::Enter);
    assert!(matches!(
        s.effects.pop(),
        Some(Effect::Act(actions::Request::Execute(..)))
    ));
}

#[test]
fn a_late_answer_to_a_cancelled_dialog_leaves_the_dialog_opened_since() {
    use crate::kube::{Change, KubeMsg};
    use actions::{Dialog, Request, RevisionChoice};
    let mut s = with_cluster();
    let worker = WorkloadRow {
        name: "payments-worker".into(),
        uid: "d3".into(),
        desired: 1,
        ..WorkloadRow::default()
    };
    update(
        &mut s,
        Msg::Kube(
            0,
            KubeMsg::Workloads(
                crate::kinds::WorkloadKind::Deployment,
                Change::Upsert(worker),
            ),
        ),
    );
    s.cluster.refresh(0);
    let select = |s: &mut AppState, name: &str| {
        s.selected[0] = s.cluster.rows.iter().position(|r| r.name == name).unwrap();
    };
    // A restart's dry run is asked for, then the dialog is cancelled.
    select(&mut s, "payments-api");
    char(&mut s, 'r');
    let Some(Effect::Act(Request::DryRun(stale, _))) = s.effects.pop() else {
        panic!("no dry run: {:?}", s.notice)
    };
    press(&mut s, KeyCode::Esc);
    assert!(s.dialog().is_none());
    // Another action is opened: its own dry run is under way.
    select(&mut s, "payments-worker");
    char(&mut s, 'p');
    let Some(Effect::Act(Request::DryRun(fresh, _))) = s.effects.pop() else {
        panic!("no dry run")
    };
    assert_ne!(stale, fresh);
    let checking = |s: &AppState| {
        matches!(s.dialog(), Some(Dialog::Checking { plan, .. })
            if plan.summary == "pause deployment/payments-worker")
    };
    // The restart's answers, passed or refused, change nothing.
    update(&mut s, Msg::DryRun(stale, Ok(())));
    assert!(checking(&s), "a stale dry run confirmed: {:?}", s.dialog());
    update(&mut s, Msg::DryRun(stale, Err("forbidden".into())));
    assert!(checking(&s), "a stale refusal refused: {:?}", s.dialog());
    update(&mut s, Msg::DryRun(fresh, Ok(())));
    assert!(
        matches!(s.dialog(), Some(Dialog::Confirm { plan, .. })
            if plan.summary == "pause deployment/payments-worker"),
        "{:?}",
        s.dialog()
    );
    // Executed, then the running dialog closed and a rollback opened:
    // the execution's late failure is a notice, not the new dialog.
    press(&mut s, KeyCode::Enter);
    let Some(Effect::Act(Request::Execute(running, _))) = s.effects.pop() else {
        panic!("not executed: {:?}", s.dialog())
    };
    press(&mut s, KeyCode::Esc);
    select(&mut s, "payments-api");
    char(&mut s, 'u');
    let Some(Effect::Act(Request::Revisions(first, _, name))) = s.effects.pop() else {
        panic!("no revisions asked for")
    };
    assert_eq!(name, "payments-api");
    update(&mut s, Msg::Acted(running, Err("conflict".into())));
    assert!(
        matches!(s.dialog(), Some(Dialog::Loading { deployment, .. }) if deployment == "payments-api")
    );
    assert!(s.notice.as_deref().unwrap().contains("conflict"));
    // Cancelled, and the other Deployment's rollback opened: the first
    // one's revisions do not load into it.
    press(&mut s, KeyCode::Esc);
    select(&mut s, "payments-worker");
    char(&mut s, 'u');
    let Some(Effect::Act(Request::Revisions(second, _, _))) = s.effects.pop() else {
        panic!("no revisions asked for")
    };
    let choice = RevisionChoice {
        revision: 1,
        images: vec!["payments/api:1".into()],
        change_cause: None,
        current: false,
        diff: Vec::new(),
        plan: Err("for payments-api".into()),
    };
    update(&mut s, Msg::Revisions(first, Ok(vec![choice])));
    assert!(
        matches!(s.dialog(), Some(Dialog::Loading { deployment, .. }) if deployment == "payments-worker"),
        "{:?}",
        s.dialog()
    );
    update(&mut s, Msg::Revisions(second, Err("no history".into())));
    assert!(matches!(s.dialog(), Some(Dialog::Refused { .. })));
}

#[test]
fn an_action_on_a_runbook_workload_missing_from_the_cluster_says_so() {
    let mut s = with_cluster();
    s.selected[0] = s
        .cluster
        .rows
        .iter()
        .position(|r| r.name == "payments-worker")
        .unwrap();
    char(&mut s, 'b');
    assert!(s.dialog().is_none());
    assert!(s.notice.as_deref().unwrap().contains("does not exist"));
}

#[test]
fn switching_environment_retargets_at_once_and_drops_the_old_connections_messages() {
    use crate::kube::{Change, KubeMsg};
    let mut s = with_cluster();
    char(&mut s, 'C');
    let picker = s.picker().unwrap();
    let labels: Vec<&str> = picker.entries.iter().map(|e| e.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "env staging",
            "env prod",
            "context kind-local",
            "all namespaces"
        ]
    );
    assert_eq!(picker.selected, 0, "the current one is preselected");
    press(&mut s, KeyCode::Down);
    press(&mut s, KeyCode::Enter);
    assert_eq!(s.target.env.as_deref(), Some("prod"));
    assert_eq!(s.target.context.as_deref(), Some("prod"));
    assert!(s.target.read_only && s.target.protected);
    assert!(s.cluster.workloads.is_empty());
    let Some(Effect::Switch(target, generation)) = s.effects.pop() else {
        panic!("no switch effect")
    };
    assert_eq!((target, generation), (s.target.clone(), 1));
    let old = KubeMsg::Workloads(
        crate::kinds::WorkloadKind::Deployment,
        Change::Reset(vec![WorkloadRow {
            name: "stale".into(),
            ..WorkloadRow::default()
        }]),
    );
    assert!(!update(&mut s, Msg::Kube(0, old.clone())));
    assert!(s.cluster.workloads.is_empty());
    assert!(update(&mut s, Msg::Kube(1, old)));
    assert!(
        s.cluster
            .workload(crate::kinds::WorkloadKind::Deployment, "stale")
            .is_some()
    );
}

#[test]
fn t_in_the_timeline_cycles_its_kind_and_slash_filters_its_text_with_it() {
    let mut s = with_cluster();
    let row = |kind, text: &str, ok| timeline::TimelineRow {
        id: String::new(),
        kind,
        at: String::new(),
        key: Some(text.into()),
        starred: false,
        time: "10:00:00".into(),
        user: "u".into(),
        text: text.into(),
        ok,
    };
    s.timeline = vec![
        row("action", "scale api", Some(true)),
        row("note", "api is slow", None),
        row("action", "restart worker", Some(false)),
    ];
    char(&mut s, '5');
    char(&mut s, 't');
    assert_eq!(s.timeline_filter.as_deref(), Some("action"));
    assert_eq!(s.row_count(Pane::Timeline), 2);
    // The text filter narrows the kind's rows further.
    char(&mut s, '/');
    for c in "api".chars() {
        char(&mut s, c);
    }
    press(&mut s, KeyCode::Enter);
    let texts: Vec<&str> = s.timeline_rows().map(|r| r.text.as_str()).collect();
    assert_eq!(texts, ["scale api"]);
    char(&mut s, 't');
    char(&mut s, 't');
    assert_eq!(s.timeline_filter.as_deref(), Some(timeline::FAILED));
    assert_eq!(s.row_count(Pane::Timeline), 0);
    assert!(
        s.no_match(Pane::Timeline)
            .is_some_and(|m| m.contains("state:failed /api")),
        "{:?}",
        s.no_match(Pane::Timeline)
    );
    // Starring nothing says why.
    char(&mut s, '*');
    assert!(s.effects.is_empty());
    assert!(s.notice.as_deref().is_some_and(|n| n.contains("no match")));
    char(&mut s, 't');
    assert_eq!(s.timeline_filter, None);
    assert_eq!(s.row_count(Pane::Timeline), 2);
    // Esc clears the text filter.
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.row_count(Pane::Timeline), 3);
    // Nothing failed: the kind alone matches nothing, and t changes it.
    s.timeline.retain(|r| r.ok != Some(false));
    char(&mut s, 't');
    char(&mut s, 't');
    char(&mut s, 't');
    assert_eq!(s.timeline_filter.as_deref(), Some(timeline::FAILED));
    assert_eq!(
        s.no_match(Pane::Timeline).as_deref(),
        Some("no match for state:failed (t shows the next kind)")
    );
}

fn recorded(s: &mut AppState) -> crate::journal::Entry {
    match s.effects.pop() {
        Some(Effect::Act(actions::Request::Record(entry))) => entry,
        other => panic!("nothing to record: {other:?} ({:?})", s.notice),
    }
}

fn type_text(s: &mut AppState, text: &str) {
    for c in text.chars() {
        char(s, c);
    }
    press(s, KeyCode::Enter);
}

#[test]
fn ticking_records_evidence_overrides_need_a_reason_and_the_journal_folds_back() {
    use crate::journal::{Entry, Record};
    let mut s = state();
    s.now = 1_000_000;
    char(&mut s, '4');
    // The first item of the first phase: manual.
    char(&mut s, 'j');
    char(&mut s, ' ');
    let tick = recorded(&mut s);
    let Entry::Tick {
        item,
        reason: None,
        evidence,
        ..
    } = &tick
    else {
        panic!("not a plain tick: {tick:?}")
    };
    assert_eq!(
        item,
        "pre-deployment/change-approved-and-announced-in-deploys"
    );
    assert!(evidence.is_empty(), "a manual item has no evidence");
    let at = |e: Entry| Record {
        entry_id: String::new(),
        at: "2026-11-23T06:00:00Z".into(),
        user: "ann".into(),
        kube_user: None,
        entry: e,
    };
    update(&mut s, Msg::Journal(vec![at(tick.clone())]));
    assert!(matches!(
        s.items.get(item.as_str()),
        Some(checklist::ItemState::Done { .. })
    ));
    // Space again: not done after all.
    char(&mut s, ' ');
    assert!(matches!(recorded(&mut s), Entry::Untick { .. }));
    // "Staging rollout complete (rollout:*)" cannot pass: not connected.
    char(&mut s, 'j');
    char(&mut s, 'j');
    char(&mut s, ' ');
    assert!(
        matches!(s.dialog(), Some(actions::Dialog::Text { .. })),
        "{:?}",
        s.notice
    );
    press(&mut s, KeyCode::Enter);
    assert!(s.effects.is_empty(), "an empty reason is refused");
    type_text(&mut s, "verified by hand in the staging console");
    let Entry::Tick {
        reason: Some(why),
        evidence,
        ..
    } = recorded(&mut s)
    else {
        panic!("not an override")
    };
    assert_eq!(why, "verified by hand in the staging console");
    assert!(
        evidence
            .iter()
            .all(|e| e.status == "unknown" && e.kind == "rollout")
    );
    // Skip with a reason; a backdated note.
    char(&mut s, 'x');
    type_text(&mut s, "no schema change");
    assert!(matches!(recorded(&mut s), Entry::Skip { reason, .. } if reason == "no schema change"));
    char(&mut s, 'n');
    type_text(&mut s, "@-15m support saw 502s");
    let Entry::Note {
        text,
        happened_at: Some(when),
        item: Some(_),
        ..
    } = recorded(&mut s)
    else {
        panic!("not a backdated note on the item")
    };
    assert_eq!(text, "support saw 502s");
    assert_eq!(
        when,
        jiff::Timestamp::from_second(1_000_000 - 900)
            .unwrap()
            .to_string()
    );
}

#[test]
fn milestones_go_in_order_and_the_incident_closes_when_resolved() {
    use crate::journal::{Entry, Milestone, Record};
    let mut s = state();
    s.now = 1_000_000;
    let mut journal = Vec::new();
    for (expected, typed) in [
        (Milestone::Detected, "@-10m"),
        (Milestone::Acknowledged, ""),
        (Milestone::Mitigated, ""),
        (Milestone::Resolved, ""),
    ] {
        char(&mut s, 'M');
        type_text(&mut s, typed);
        let entry = recorded(&mut s);
        let Entry::Milestone {
            milestone,
            happened_at,
        } = &entry
        else {
            panic!("not a milestone: {entry:?}")
        };
        assert_eq!(*milestone, expected);
        assert_eq!(happened_at.is_some(), !typed.is_empty());
        journal.push(Record {
            entry_id: String::new(),
            at: jiff::Timestamp::from_second(s.now).unwrap().to_string(),
            user: "ann".into(),
            kube_user: None,
            entry,
        });
        update(&mut s, Msg::Journal(journal.clone()));
        if expected != Milestone::Resolved {
            assert_eq!(s.incident(), Some((1_000_000 - 600, expected)));
        }
    }
    assert_eq!(s.incident(), None, "resolved closes it");
}

#[test]
fn the_walkthrough_resumes_at_the_first_open_item_and_moves_on_when_it_is_done() {
    use crate::journal::{Entry, Record};
    let mut s = state();
    let rec = |entry: Entry| Record {
        entry_id: String::new(),
        at: "2026-11-23T06:00:00Z".into(),
        user: "ann".into(),
        kube_user: None,
        entry,
    };
    let first = "pre-deployment/change-approved-and-announced-in-deploys";
    let journal = vec![rec(Entry::Tick {
        item: first.into(),
        text: "Change approved and announced in #deploys".into(),
        run: None,
        evidence: Vec::new(),
        reason: None,
    })];
    update(&mut s, Msg::Journal(journal.clone()));
    char(&mut s, 'w');
    assert!(s.walkthrough().is_some());
    let (id, ..) = s.selected_item().unwrap();
    assert_eq!(
        id, "pre-deployment/database-migrations-reviewed",
        "resumes after the done one"
    );
    char(&mut s, ' ');
    let tick = recorded(&mut s);
    let mut journal = journal;
    journal.push(rec(tick));
    update(&mut s, Msg::Journal(journal));
    let (next, ..) = s.selected_item().unwrap();
    assert_eq!(next, "pre-deployment/staging-rollout-complete", "moved on");
    char(&mut s, 'k');
    assert_eq!(s.selected_item().unwrap().0, id);
    press(&mut s, KeyCode::Esc);
    assert!(s.walkthrough().is_none());
}

#[test]
fn stars_are_journaled_and_checks_that_change_state_join_the_timeline() {
    use crate::journal::{Entry, Record};
    let mut s = state();
    let note = Record {
        entry_id: String::new(),
        at: "2026-11-23T06:00:00Z".into(),
        user: "ann".into(),
        kube_user: None,
        entry: Entry::Note {
            text: "paged".into(),
            item: None,
            happened_at: None,
            starred: false,
        },
    };
    update(&mut s, Msg::Journal(vec![note.clone()]));
    char(&mut s, '5');
    char(&mut s, '*');
    let star = recorded(&mut s);
    assert_eq!(
        star,
        Entry::Star {
            key: note.key(),
            on: true
        }
    );
    let starred = Record {
        at: "2026-11-23T06:01:00Z".into(),
        entry: star,
        ..note.clone()
    };
    update(&mut s, Msg::Journal(vec![note.clone(), starred.clone()]));
    assert!(s.timeline[0].starred, "{:?}", s.timeline);
    let result = |status: u16, at: i64| {
        let observed = crate::condition::Observed {
            connected: true,
            status: Some(status),
            ..Default::default()
        };
        let fail = [crate::condition::Condition::parse("[STATUS] == 200").unwrap()];
        Box::new(crate::probe::ProbeResult {
            name: "health".into(),
            at,
            verdict: crate::condition::judge(&fail, &[], &observed),
            observed,
            failure: None,
            cert_not_after: None,
            requests: 1,
        })
    };
    // A probe's state is journaled when it differs from the last one
    // journaled: its first answer, then a change, never a repeat.
    update(&mut s, Msg::Probe(0, result(200, 1_795_400_000)));
    assert_eq!(
        recorded(&mut s),
        Entry::Check {
            check: "probe:health".into(),
            status: "ok".into(),
            text: "probe health: ok".into(),
        }
    );
    update(&mut s, Msg::Probe(0, result(200, 1_795_400_010)));
    assert!(s.effects.is_empty(), "no change, nothing recorded");
    update(&mut s, Msg::Probe(0, result(503, 1_795_500_000)));
    let change = recorded(&mut s);
    assert_eq!(
        change,
        Entry::Check {
            check: "probe:health".into(),
            status: "fail".into(),
            text: "probe health: failing".into(),
        }
    );
    // Read back from the journal: a Timeline row that can be starred.
    let journal = vec![
        note.clone(),
        starred.clone(),
        Record {
            at: "2026-11-23T06:02:00Z".into(),
            user: "bob".into(),
            entry: change,
            ..note.clone()
        },
    ];
    update(&mut s, Msg::Journal(journal.clone()));
    assert_eq!(s.timeline[0].kind, "check");
    assert_eq!(s.timeline[0].text, "probe health: failing");
    assert_eq!(s.timeline[0].ok, Some(false));
    s.selected[Pane::Timeline.index()] = 0;
    char(&mut s, '*');
    assert!(
        matches!(recorded(&mut s), Entry::Star { key, on: true } if key == journal[2].key()),
        "{:?}",
        s.notice
    );
    // Another instance (or a restart) that has read the journal does
    // not record the same state again, only a new one.
    let mut other = state();
    update(&mut other, Msg::Journal(journal));
    update(&mut other, Msg::Probe(0, result(503, 1_795_500_005)));
    assert!(other.effects.is_empty(), "{:?}", other.effects);
    update(&mut other, Msg::Probe(0, result(200, 1_795_500_010)));
    assert!(matches!(
        recorded(&mut other),
        Entry::Check { status, .. } if status == "ok"
    ));
}

#[test]
fn a_runbook_workload_that_is_missing_is_journaled_as_a_failing_rollout_check() {
    use crate::journal::Entry;
    use crate::kube::{Change, KubeMsg};
    let mut s = state();
    let tick = |s: &mut AppState, now: i64| update(s, Msg::Tick(format!("{now}"), now));
    let worker = WorkloadRow {
        name: "payments-worker".into(),
        uid: "u1".into(),
        desired: 2,
        replicas: 2,
        updated: 2,
        ready: 2,
        available: 2,
        ..WorkloadRow::default()
    };
    update(
        &mut s,
        Msg::Kube(
            0,
            KubeMsg::Connected {
                context: "prod".into(),
                namespace: "payments".into(),
                user: "ann".into(),
            },
        ),
    );
    // Not listed yet: nothing is known, nothing is journaled.
    tick(&mut s, 1_795_400_000);
    assert!(s.effects.is_empty(), "{:?}", s.effects);
    update(
        &mut s,
        Msg::Kube(
            0,
            KubeMsg::Workloads(
                crate::kinds::WorkloadKind::Deployment,
                Change::Reset(vec![worker.clone()]),
            ),
        ),
    );
    tick(&mut s, 1_795_400_001);
    let mut entries: Vec<Entry> = std::iter::from_fn(|| match s.effects.pop() {
        Some(Effect::Act(actions::Request::Record(e))) => Some(e),
        _ => None,
    })
    .collect();
    entries.reverse();
    assert_eq!(
        entries,
        vec![
            Entry::Check {
                check: "rollout:payments-api".into(),
                status: "fail".into(),
                text: "rollout payments-api: missing (deployment/payments-api missing in namespace payments)".into(),
            },
            Entry::Check {
                check: "rollout:payments-worker".into(),
                status: "ok".into(),
                text: "rollout payments-worker: complete · 2/2 available".into(),
            },
        ]
    );
    // No change, nothing more; deleted, a failure again.
    tick(&mut s, 1_795_400_002);
    assert!(s.effects.is_empty(), "{:?}", s.effects);
    update(
        &mut s,
        Msg::Kube(
            0,
            KubeMsg::Workloads(
                crate::kinds::WorkloadKind::Deployment,
                Change::Delete(worker.name.clone()),
            ),
        ),
    );
    tick(&mut s, 1_795_400_003);
    assert_eq!(
        recorded(&mut s),
        Entry::Check {
            check: "rollout:payments-worker".into(),
            status: "fail".into(),
            text: "rollout payments-worker: missing (deployment/payments-worker missing in namespace payments)".into(),
        }
    );
}

#[test]
fn backdating_refuses_the_future_and_nonsense() {
    assert!(actions::backdate("@-5m x", 1_000_000).unwrap().0.is_some());
    assert_eq!(
        actions::backdate("plain", 1_000_000).unwrap(),
        (None, "plain".into())
    );
    assert!(actions::backdate("@25:00 x", 1_000_000).is_err());
    assert!(actions::backdate("@-5m", 1_000_000).is_err(), "no text");
    assert!(actions::backdate("@-soon x", 1_000_000).is_err());
}

#[test]
fn releases_and_unchanged_ticks_do_not_redraw() {
    let mut s = state();
    let mut release = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
    release.kind = KeyEventKind::Release;
    release.state = KeyEventState::NONE;
    assert!(!update(&mut s, Msg::Input(Event::Key(release))));
    assert!(!s.quit);
    assert!(update(&mut s, Msg::Tick("10:00:00 UTC".into(), 36000)));
    assert!(!update(&mut s, Msg::Tick("10:00:00 UTC".into(), 36000)));
    assert_eq!(s.now, 36000);
    assert!(update(&mut s, Msg::Input(Event::Resize(100, 40))));
    assert_eq!(s.size, (100, 40));
    press(&mut s, KeyCode::Char('q'));
    assert!(s.quit);
}

#[test]
fn the_picker_switches_to_every_namespace_and_back() {
    let mut s = with_cluster();
    char(&mut s, 'C');
    press(&mut s, KeyCode::End);
    press(&mut s, KeyCode::Enter);
    let Some(Effect::Switch(target, _)) = s.effects.pop() else {
        panic!("no switch: {:?}", s.effects)
    };
    assert!(target.all_namespaces && s.target.all_namespaces);
    assert!(s.cluster.all_namespaces);
    assert_eq!(target.env, Some("staging".into()), "the same environment");
    char(&mut s, 'C');
    let last = s.picker().unwrap().entries.last().unwrap().label.clone();
    assert!(last.starts_with("namespace "), "{last}");
    press(&mut s, KeyCode::End);
    press(&mut s, KeyCode::Enter);
    let Some(Effect::Switch(target, _)) = s.effects.pop() else {
        panic!("no switch back")
    };
    assert!(!target.all_namespaces && !s.cluster.all_namespaces);
}
