//! The journal shared through the cluster: replicas on different data
//! directories (different machines) against the simulator over real
//! HTTP through kube-rs: entries reach each other, concurrent writers
//! lose nothing, an outage and RBAC refusals lose nothing, and no secret
//! reaches a ConfigMap.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::{Api, Client};
use ops_tui::journal::segments::{DATA_KEY, MAX_SEGMENT_BYTES, Shared};
use ops_tui::journal::{Entry, Journal, Record};
use ops_tui::kube::share::{Replica, ShareSetup, ShareState, ShareStatus};
use ops_tui::secrets::Secrets;
use tokio::sync::Notify;

use crate::common::sim::{self, NS};

async fn namespace(client: &Client) {
    let namespaces: Api<Namespace> = Api::all(client.clone());
    if namespaces.get_opt(NS).await.unwrap().is_none() {
        let ns: Namespace =
            serde_json::from_value(serde_json::json!({"metadata": {"name": NS}})).unwrap();
        namespaces.create(&Default::default(), &ns).await.unwrap();
    }
}

/// One machine: its data directory's journal, its replica running.
struct Machine {
    journal: Journal,
    wake: Arc<Notify>,
    status: Arc<Mutex<Option<ShareStatus>>>,
    warnings: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
    _dir: tempfile::TempDir,
}

impl Drop for Machine {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn journal_in(dir: &std::path::Path, secrets: Secrets) -> Journal {
    Journal::for_env(dir, "shop-api", "prod").with_secrets(secrets)
}

fn machine(client: &Client, max_bytes: usize, secrets: Secrets) -> Machine {
    let dir = tempfile::tempdir().unwrap();
    let journal = journal_in(dir.path(), secrets);
    let setup = ShareSetup {
        client: client.clone(),
        namespace: NS.into(),
        shared: Shared::new("shop-api", "prod"),
        journal: journal.clone(),
        max_bytes,
    };
    let wake = Arc::new(Notify::new());
    let status = Arc::new(Mutex::new(None));
    let warnings = Arc::new(Mutex::new(Vec::new()));
    let task = {
        let (wake, status, warnings) = (wake.clone(), status.clone(), warnings.clone());
        tokio::spawn(async move {
            Replica::new(setup)
                .run(
                    wake,
                    || {},
                    move |s, w| {
                        *status.lock().unwrap() = Some(s);
                        warnings.lock().unwrap().extend(w);
                        true
                    },
                )
                .await;
        })
    };
    Machine {
        journal,
        wake,
        status,
        warnings,
        task,
        _dir: dir,
    }
}

impl Machine {
    fn write(&self, user: &str, entry: Entry) -> Record {
        let mut r = Record::now(None, entry);
        r.user = user.into();
        self.journal.append(&r).unwrap();
        self.wake.notify_one();
        r
    }

    fn ids(&self) -> Vec<String> {
        self.journal
            .read()
            .unwrap()
            .records
            .iter()
            .map(|r| r.id().into_owned())
            .collect()
    }

    fn status(&self) -> Option<ShareStatus> {
        self.status.lock().unwrap().clone()
    }

    async fn until(&self, what: &str, limit: Duration, cond: impl Fn(&Machine) -> bool) {
        let deadline = tokio::time::Instant::now() + limit;
        while !cond(self) {
            assert!(
                tokio::time::Instant::now() < deadline,
                "{what}: not within {limit:?}; status {:?}; warnings {:?}; journal {:?}",
                self.status(),
                self.warnings.lock().unwrap(),
                self.ids()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

fn note(text: &str) -> Entry {
    Entry::Note {
        text: text.into(),
        item: None,
        happened_at: None,
        starred: false,
    }
}

fn tick(item: &str) -> Entry {
    Entry::Tick {
        item: item.into(),
        text: item.into(),
        run: None,
        evidence: Vec::new(),
        reason: None,
    }
}

/// Every entry of the cluster's copy, by segment, as kubectl would read
/// them: the ConfigMaps' data.
async fn cluster_lines(client: &Client) -> Vec<(String, Vec<Record>)> {
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), NS);
    let list = api
        .list(&kube::api::ListParams::default().labels("app.kubernetes.io/managed-by=ops-tui"))
        .await
        .unwrap();
    let mut out: Vec<(String, Vec<Record>)> = list
        .items
        .into_iter()
        .map(|cm| {
            let name = cm.metadata.name.clone().unwrap();
            let text = cm
                .data
                .unwrap_or_default()
                .remove(DATA_KEY)
                .unwrap_or_default();
            let records = text
                .lines()
                .map(|l| serde_json::from_str::<Record>(l).unwrap())
                .collect();
            (name, records)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_machines_see_each_others_entries_within_two_seconds_and_a_third_reads_them_all() {
    let sim = sim::start().await;
    let admin = sim::client(&sim, "demo").await;
    namespace(&admin).await;
    let ann = machine(&admin, MAX_SEGMENT_BYTES, Secrets::new());
    let bob = machine(&admin, MAX_SEGMENT_BYTES, Secrets::new());
    for m in [&ann, &bob] {
        m.until("shared", Duration::from_secs(10), |m| {
            m.status().is_some_and(|s| s.state == ShareState::Shared)
        })
        .await;
    }
    let written = [
        ann.write("ann", tick("go-live/smoke-tests")),
        ann.write(
            "ann",
            Entry::Milestone {
                milestone: ops_tui::journal::Milestone::Detected,
                happened_at: None,
            },
        ),
        bob.write("bob", note("db failover done")),
        bob.write("bob", tick("go-live/dns-switched")),
    ];
    for (m, name) in [(&ann, "ann"), (&bob, "bob")] {
        m.until(
            &format!("{name} holds all four entries"),
            Duration::from_secs(2),
            |m| {
                let ids = m.ids();
                written.iter().all(|r| ids.contains(&r.entry_id))
            },
        )
        .await;
    }
    // Each once, and imported with who wrote it.
    for m in [&ann, &bob] {
        let records = m.journal.read().unwrap().records;
        assert_eq!(records.len(), 4, "{records:?}");
        let bobs = records
            .iter()
            .find(|r| r.entry_id == written[2].entry_id)
            .unwrap();
        assert_eq!(bobs, &written[2]);
    }
    // A machine that never ran the dashboard reads the cluster's copy.
    let (records, warnings) = ops_tui::kube::share::read_all(
        admin.clone(),
        NS,
        &Shared::new("shop-api", "prod"),
        &journal_in(tempfile::tempdir().unwrap().path(), Secrets::new()),
    )
    .await
    .unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let mut got: Vec<&str> = records.iter().map(|r| r.entry_id.as_str()).collect();
    let mut want: Vec<&str> = written.iter().map(|r| r.entry_id.as_str()).collect();
    got.sort_unstable();
    want.sort_unstable();
    assert_eq!(got, want);
    // Replicas started again (the next morning) send and import nothing new.
    let segments = cluster_lines(&admin).await;
    assert_eq!(segments.len(), 1);
    assert_eq!(segments[0].1.len(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_writers_of_a_hundred_entries_each_lose_nothing_across_segment_rollovers() {
    let sim = sim::start().await;
    let admin = sim::client(&sim, "demo").await;
    namespace(&admin).await;
    // Small segments, so that they fill while the writers race.
    let max = 6 * 1024;
    let writers: Vec<Machine> = (0..10)
        .map(|_| machine(&admin, max, Secrets::new()))
        .collect();
    for m in &writers {
        m.until("listed", Duration::from_secs(10), |m| m.status().is_some())
            .await;
    }
    let mut all = Vec::new();
    for round in 0..100 {
        for (i, m) in writers.iter().enumerate() {
            all.push(m.write(&format!("w{i}"), note(&format!("writer {i} entry {round}"))));
        }
        if round % 10 == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    let want: std::collections::HashSet<&str> = all.iter().map(|r| r.entry_id.as_str()).collect();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let segments = loop {
        let segments = cluster_lines(&admin).await;
        let n: usize = segments.iter().map(|(_, r)| r.len()).sum();
        if n >= all.len() || tokio::time::Instant::now() > deadline {
            break segments;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let mut count: HashMap<&str, usize> = HashMap::new();
    for (_, records) in &segments {
        for r in records {
            *count.entry(r.entry_id.as_str()).or_default() += 1;
        }
    }
    let twice: Vec<_> = count.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "entries kept twice: {twice:?}");
    let missing: Vec<_> = want.iter().filter(|id| !count.contains_key(*id)).collect();
    assert!(missing.is_empty(), "{} entries lost", missing.len());
    assert_eq!(count.len(), 1_000);
    assert!(
        segments.len() > 5,
        "segments did not roll over: {}",
        segments.len()
    );
    for (name, records) in &segments {
        let bytes: usize = records
            .iter()
            .map(|r| ops_tui::journal::segments::line(r).len())
            .sum();
        assert!(bytes <= max, "{name} holds {bytes} bytes");
    }
    // Each writer's own entries in its order.
    let flat: Vec<&Record> = segments.iter().flat_map(|(_, r)| r).collect();
    for i in 0..10 {
        let mine: Vec<&str> = flat
            .iter()
            .filter(|r| r.user == format!("w{i}"))
            .map(|r| match &r.entry {
                Entry::Note { text, .. } => text.as_str(),
                _ => "",
            })
            .collect();
        let expected: Vec<String> = (0..100).map(|n| format!("writer {i} entry {n}")).collect();
        assert_eq!(mine, expected);
    }
    // And every machine ends up holding all of them, once.
    for m in &writers {
        m.until("holds all", Duration::from_secs(20), |m| {
            m.ids().len() >= 1_000
        })
        .await;
        let ids = m.ids();
        let unique: std::collections::HashSet<&String> = ids.iter().collect();
        assert_eq!(ids.len(), unique.len());
        assert_eq!(ids.len(), 1_000);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_written_while_the_cluster_is_down_are_replicated_after_in_order_once() {
    let sim = sim::start().await;
    let admin = sim::client(&sim, "demo").await;
    namespace(&admin).await;
    let ann = machine(&admin, MAX_SEGMENT_BYTES, Secrets::new());
    ann.until("shared", Duration::from_secs(10), |m| {
        m.status().is_some_and(|s| s.state == ShareState::Shared)
    })
    .await;
    let before = ann.write("ann", note("before"));
    ann.until("sent", Duration::from_secs(5), |m| {
        m.status().is_some_and(|s| s.pending == 0 && s.entries == 1)
    })
    .await;
    sim.stop_api_for(Duration::from_secs(4));
    tokio::time::sleep(Duration::from_millis(200)).await;
    let during: Vec<Record> = (0..5)
        .map(|i| ann.write("ann", note(&format!("during {i}"))))
        .collect();
    ann.until("local only, said", Duration::from_secs(10), |m| {
        m.status()
            .is_some_and(|s| matches!(s.state, ShareState::Offline(_)) && s.pending == 5)
    })
    .await;
    let status = ann.status().unwrap();
    assert_eq!(
        status.local_only,
        during
            .iter()
            .map(|r| r.entry_id.clone())
            .collect::<Vec<_>>()
    );
    ann.until("replicated after", Duration::from_secs(30), |m| {
        m.status()
            .is_some_and(|s| s.state == ShareState::Shared && s.pending == 0)
    })
    .await;
    let segments = cluster_lines(&admin).await;
    let ids: Vec<&str> = segments
        .iter()
        .flat_map(|(_, r)| r)
        .map(|r| r.entry_id.as_str())
        .collect();
    let mut want = vec![before.entry_id.as_str()];
    want.extend(during.iter().map(|r| r.entry_id.as_str()));
    assert_eq!(ids, want);
    // The local file holds each once too.
    assert_eq!(ann.ids().len(), 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_viewer_reads_everyones_entries_and_keeps_its_own_and_no_access_is_local() {
    let sim = sim::start().await;
    let admin = sim::client(&sim, "demo").await;
    let viewer = sim::client(&sim, "demo-viewer").await;
    namespace(&admin).await;
    let ann = machine(&admin, MAX_SEGMENT_BYTES, Secrets::new());
    let vic = machine(&viewer, MAX_SEGMENT_BYTES, Secrets::new());
    let anns = ann.write("ann", tick("go-live/smoke-tests"));
    let vics = vic.write("vic", note("watching the error rate"));
    vic.until("read ann's entry", Duration::from_secs(5), |m| {
        m.ids().contains(&anns.entry_id)
    })
    .await;
    vic.until("says its own stay here", Duration::from_secs(5), |m| {
        m.status().is_some_and(|s| {
            matches!(&s.state, ShareState::ReadOnly(why) if why.contains("forbidden"))
                && s.local_only == vec![vics.entry_id.clone()]
        })
    })
    .await;
    // Ann never gets it, and nothing was lost on Vic's machine.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert!(!ann.ids().contains(&vics.entry_id));
    assert!(vic.ids().contains(&vics.entry_id));

    // No access to ConfigMaps at all: local, with the reason.
    let control = reqwest::Client::new();
    let answer = control
        .post(format!(
            "{}/faults/forbid?resource=configmaps",
            sim.control_url
        ))
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success());
    let lone = machine(&admin, MAX_SEGMENT_BYTES, Secrets::new());
    let mine = lone.write("lou", note("local only"));
    lone.until("local with the reason", Duration::from_secs(5), |m| {
        m.status().is_some_and(
            |s| matches!(&s.state, ShareState::Local(why) if why.contains("configmaps")),
        )
    })
    .await;
    assert_eq!(lone.ids(), vec![mine.entry_id.clone()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_a_configmap() {
    let sim = sim::start().await;
    let admin = sim::client(&sim, "demo").await;
    namespace(&admin).await;
    let secret = "hunter2-s3cr3t-t0ken";
    let mut secrets = Secrets::new();
    secrets.add(secret);
    let ann = machine(&admin, MAX_SEGMENT_BYTES, secrets);
    // Written by this version (masked on append) and by an older one
    // that did not know the secret yet (masked when read).
    std::fs::create_dir_all(ann.journal.path.parent().unwrap()).unwrap();
    let old = format!(
        "{{\"at\":\"2026-12-01T10:00:00Z\",\"user\":\"ann\",\"kind\":\"note\",\"text\":\"token {secret} rotated\"}}\n"
    );
    use std::io::Write;
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(&ann.journal.path)
        .unwrap()
        .write_all(old.as_bytes())
        .unwrap();
    ann.write(
        "ann",
        note(&format!("curl -H 'Authorization: Bearer {secret}'")),
    );
    ann.until("sent", Duration::from_secs(10), |m| {
        m.status().is_some_and(|s| s.entries == 2 && s.pending == 0)
    })
    .await;
    let api: Api<ConfigMap> = Api::namespaced(admin.clone(), NS);
    let all = serde_json::to_string(&api.list(&Default::default()).await.unwrap().items).unwrap();
    assert!(!all.contains(secret), "{all}");
    assert!(all.contains("token"), "{all}");
}

/// `ops-tui report` on a machine that never ran the dashboard (an empty
/// data directory) reports the team's entries from the ConfigMaps, which
/// hold the same JSON Lines as a local journal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_on_a_fresh_machine_reads_the_clusters_copy() {
    let sim = sim::start().await;
    let admin = sim::client(&sim, "demo").await;
    namespace(&admin).await;
    let ann = machine(&admin, MAX_SEGMENT_BYTES, Secrets::new());
    ann.write(
        "ann",
        Entry::Tick {
            item: "go-live/smoke-tests-pass".into(),
            text: "Smoke tests pass".into(),
            run: None,
            evidence: Vec::new(),
            reason: None,
        },
    );
    ann.write("ann", note("canary at 5%, error rate flat"));
    ann.until("sent", Duration::from_secs(10), |m| {
        m.status().is_some_and(|s| s.entries == 2 && s.pending == 0)
    })
    .await;
    // The segment's data is the local file's lines.
    let segments = cluster_lines(&admin).await;
    assert_eq!(segments[0].1, ann.journal.read().unwrap().records);

    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = sim::write_kubeconfig(&sim, dir.path());
    let runbook = dir.path().join("shop.toml");
    std::fs::write(
        &runbook,
        format!(
            "[service]\nname = \"shop-api\"\n\n[env.prod]\ncontext = \"demo\"\nnamespace = \"{NS}\"\n\n[env.prod.journal]\nshare = \"cluster\"\n\n[[phase]]\nname = \"Go-live\"\nitems = [\"Smoke tests pass\"]\n"
        ),
    )
    .unwrap();
    let data = dir.path().join("fresh-data");
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(crate::common::BIN)
            .args(["report", "--runbook"])
            .arg(&runbook)
            .arg("--kubeconfig")
            .arg(&kubeconfig)
            .env("OPS_TUI_DATA_DIR", &data)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("read 2 entries of the team's journal"),
        "{stderr}"
    );
    assert!(
        stdout.contains("[x] Smoke tests pass") && stdout.contains("ann"),
        "{stdout}"
    );
    assert!(stdout.contains("canary at 5%, error rate flat"), "{stdout}");
}

/// Presence: each engineer's Lease (which kubectl lists) tells the other
/// who is on and what they have open, within seconds; leaving deletes it;
/// a secret in what is open never reaches the Lease.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_engineer_sees_who_else_is_on_and_what_they_have_open() {
    use ops_tui::kube::presence::{Open, PresenceSetup, PresenceStatus, run};
    let sim = sim::start().await;
    let admin = sim::client(&sim, "demo").await;
    namespace(&admin).await;
    let secret = "p4ssw0rd-in-an-item";
    let mut secrets = Secrets::new();
    secrets.add(secret);
    let start = |user: &str| {
        let setup = PresenceSetup {
            client: admin.clone(),
            namespace: NS.into(),
            shared: Shared::new("shop-api", "prod"),
            user: user.into(),
            secrets: secrets.clone(),
        };
        let (open, rx) = tokio::sync::watch::channel(Open::default());
        let seen: Arc<Mutex<PresenceStatus>> = Arc::default();
        let told = seen.clone();
        let task = tokio::spawn(run(setup, rx, move |s| {
            *told.lock().unwrap() = s;
            true
        }));
        (open, seen, task)
    };
    let (ann_open, ann_sees, ann_task) = start("ann");
    let (bob_open, bob_sees, bob_task) = start("bob");
    bob_open
        .send(Open {
            key: "item:go-live/rotate-db-password".into(),
            text: format!("Rotate {secret}"),
        })
        .unwrap();
    let until = |sees: Arc<Mutex<PresenceStatus>>,
                 what: &'static str,
                 f: fn(&PresenceStatus) -> bool| async move {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            if f(&sees.lock().unwrap()) {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{what}: {:?}",
                sees.lock().unwrap()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    until(ann_sees.clone(), "ann sees bob on the item", |s| {
        s.peers.len() == 1
            && s.peers[0].user == "bob"
            && s.peers[0]
                .open
                .as_ref()
                .is_some_and(|o| o.key == "item:go-live/rotate-db-password")
    })
    .await;
    until(bob_sees.clone(), "bob sees ann", |s| {
        s.peers.len() == 1 && s.peers[0].user == "ann" && s.peers[0].open.is_none()
    })
    .await;
    let leases: Api<k8s_openapi::api::coordination::v1::Lease> = Api::namespaced(admin.clone(), NS);
    let all = leases.list(&Default::default()).await.unwrap().items;
    assert_eq!(all.len(), 2);
    let text = serde_json::to_string(&all).unwrap();
    assert!(!text.contains(secret), "{text}");
    assert!(text.contains("Rotate"), "{text}");
    // Bob quits: his Lease goes, and ann sees him gone.
    drop(bob_open);
    tokio::time::timeout(Duration::from_secs(5), bob_task)
        .await
        .unwrap()
        .unwrap();
    until(ann_sees.clone(), "bob gone", |s| s.peers.is_empty()).await;
    assert_eq!(
        leases.list(&Default::default()).await.unwrap().items.len(),
        1
    );
    drop(ann_open);
    let _ = ann_task.await;
}
