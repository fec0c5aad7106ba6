//! The walkthrough of the checklist: an item with a live check, and notes
//! with a long guide that scrolls at 80x24.

use super::*;

#[test]
fn walkthrough_of_an_item_with_a_live_check() {
    let mut s = with_probes(false);
    press(&mut s, KeyCode::Char('w'));
    // The first item with a check in Post-Deployment: all health endpoints.
    for _ in 0..3 {
        press(&mut s, KeyCode::Down);
    }
    assert_snapshot!("walkthrough_live_check", render(&s, 120, 24));
}

#[test]
fn walkthrough_with_notes_and_a_long_guide_scrolls_at_80x24() {
    use ops_tui::journal::{Entry, Record};
    let guide: Vec<String> = (1..=40)
        .map(|i| format!("{i:02}. kubectl -n shop get pods  # step {i}"))
        .collect();
    let toml = format!(
        "[service]\nname = \"shop\"\n\n[env.prod]\ncontext = \"prod\"\n\n[[phase]]\nname = \"Go-live\"\nitems = [\n  {{ text = \"Pods running\", guide = {} }},\n  \"Announce the release\",\n]\n",
        serde_json::to_string(&guide.join("\n")).unwrap()
    );
    let rb = Runbook::parse(Path::new("ops-tui.toml"), &toml).unwrap();
    let mut s = state(Some(rb), Some("prod"), "default", "default");
    let note = |at: &str, user: &str, text: &str, happened_at: Option<&str>| Record {
        entry_id: String::new(),
        at: at.into(),
        user: user.into(),
        kube_user: None,
        entry: Entry::Note {
            text: text.into(),
            item: Some("go-live/pods-running".into()),
            happened_at: happened_at.map(String::from),
            starred: false,
        },
    };
    update(
        &mut s,
        Msg::Journal(vec![
            note(
                "2026-11-23T06:10:00Z",
                "ann",
                "two pods pending on node-3",
                None,
            ),
            note(
                "2026-11-23T06:12:00Z",
                "bob",
                "node-3 was cordoned",
                Some("2026-11-23T06:05:00Z"),
            ),
        ]),
    );
    press(&mut s, KeyCode::Char('w'));
    let first = render(&s, 80, 24);
    assert!(
        first.contains("2026-11-23 06:05 bob node-3 was cordoned"),
        "{first}"
    );
    assert!(first.contains("more lines (pgdown)"), "{first}");
    assert!(!first.contains("40. kubectl"), "{first}");
    assert_snapshot!("walkthrough_notes_and_guide_80x24", first);
    for _ in 0..5 {
        press(&mut s, KeyCode::PageDown);
    }
    let end = render(&s, 80, 24);
    assert!(
        end.contains("40. kubectl -n shop get pods  # step 40"),
        "{end}"
    );
    assert!(!end.contains("more lines"), "{end}");
    assert_snapshot!("walkthrough_guide_scrolled_to_the_end_80x24", end);
    // From the end, one page up moves at once.
    press(&mut s, KeyCode::PageUp);
    let up = render(&s, 80, 24);
    assert!(!up.contains("# step 40"), "{up}");
    assert!(up.contains("more lines (pgdown)"), "{up}");
    // The next item starts at its top.
    press(&mut s, KeyCode::Down);
    assert_eq!(s.walkthrough(), Some(0));
}
