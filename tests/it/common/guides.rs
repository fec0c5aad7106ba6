//! The deployment guides in `../shared/guides`, beside the repository (they
//! are other projects' text and are not copied into it). A clone on its own
//! has no `../shared`: the tests that read the guides then pass without
//! doing anything, and the test binary says so in one line, unless
//! `OPS_TUI_REQUIRE_SHARED=1` (CI sets it) makes the absence a failure.
//! `OPS_TUI_SHARED_DIR` names another directory to use as `../shared`.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{LazyLock, Once};

/// Set to `1`, a missing guides directory fails the tests instead of
/// skipping them.
pub const REQUIRE: &str = "OPS_TUI_REQUIRE_SHARED";
/// The directory that holds `guides/`, instead of `../shared`.
pub const SHARED_DIR: &str = "OPS_TUI_SHARED_DIR";
/// How many guides the directory holds.
pub const COUNT: usize = 5;

/// Where the guides are looked for.
pub fn path() -> PathBuf {
    std::env::var_os(SHARED_DIR)
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"))
        .join("guides")
}

fn required() -> bool {
    std::env::var(REQUIRE).is_ok_and(|v| v.trim() == "1")
}

/// The guides directory; `None` when it is absent and not required (the
/// first such call in the test binary writes the one line that says so).
/// Panics when it is absent and required, or is there but unreadable.
pub fn dir() -> Option<PathBuf> {
    let dir = path();
    match std::fs::metadata(&dir) {
        Ok(meta) if meta.is_dir() => return Some(dir),
        Ok(_) => panic!("{} is not a directory", dir.display()),
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            panic!("{} cannot be read: {e}", dir.display())
        }
        Err(_) => {}
    }
    if required() {
        panic!(
            "{} is absent, and {REQUIRE}=1 requires the deployment guides there",
            dir.display()
        );
    }
    static SAID: Once = Once::new();
    SAID.call_once(|| {
        // Straight to the process's stderr: libtest holds back what a
        // passing test prints with eprintln!.
        let _ = writeln!(
            std::io::stderr(),
            "skipped: {} is absent (set {REQUIRE}=1 to require it)",
            shown(&dir)
        );
    });
    None
}

/// `../shared/guides` for the usual place, else the path as given.
fn shown(dir: &Path) -> String {
    if std::env::var_os(SHARED_DIR).is_none() {
        "../shared/guides".to_string()
    } else {
        dir.display().to_string()
    }
}

/// The text of one guide, or `None` when the tests skip (see [`dir`]).
pub fn read(name: &str) -> Option<String> {
    let path = dir()?.join(name);
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) => panic!("guide {} cannot be read: {e}", path.display()),
    }
}

/// Every guide as (file name, text), sorted by name, or `None` when the
/// tests skip (see [`dir`]).
pub fn all() -> Option<&'static [(String, String)]> {
    // Read once per test binary; the reading reports its errors as a value
    // so that one failure does not poison the lock for every later test.
    static ALL: LazyLock<Result<Vec<(String, String)>, String>> = LazyLock::new(|| load(&path()));
    dir()?;
    match &*ALL {
        Ok(guides) => Some(guides),
        Err(e) => panic!("{e}"),
    }
}

fn load(dir: &Path) -> Result<Vec<(String, String)>, String> {
    let cannot = |e: std::io::Error| format!("the guides in {} cannot be read: {e}", dir.display());
    let mut guides = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(cannot)? {
        let path = entry.map_err(cannot)?.path();
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let bytes = std::fs::read(&path).map_err(cannot)?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        guides.push((name, String::from_utf8_lossy(&bytes).into_owned()));
    }
    guides.sort();
    if guides.len() != COUNT {
        return Err(format!(
            "expected the {COUNT} guides in {}, found {:?}",
            dir.display(),
            guides.iter().map(|(n, _)| n).collect::<Vec<_>>()
        ));
    }
    Ok(guides)
}

/// Runs the named tests of `module` (the caller's `module_path!()`) again,
/// in a child process of this test binary, with the guides looked for in a
/// directory that does not exist: they must pass with exactly one
/// `skipped:` line and no panic, and with `OPS_TUI_REQUIRE_SHARED=1` they
/// must fail and say why.
pub fn assert_skip_and_require(module: &str, tests: &[&str]) {
    // A test's name is its path in the crate, without the crate's name.
    let module = module.split_once("::").map_or("", |(_, path)| path);
    let tests: Vec<String> = tests.iter().map(|t| format!("{module}::{t}")).collect();
    let exe = std::env::current_exe().expect("the test binary's path");
    let nowhere = tempfile::tempdir().expect("a temporary directory");
    let missing = nowhere.path().join("no-shared");
    let run = |require: Option<&str>| {
        let mut cmd = Command::new(&exe);
        cmd.arg("--exact")
            .args(&tests)
            .env(SHARED_DIR, &missing)
            .env_remove(REQUIRE)
            .env_remove("RUST_BACKTRACE");
        if let Some(value) = require {
            cmd.env(REQUIRE, value);
        }
        let out = cmd.output().expect("run the test binary");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        (out.status, stdout, stderr)
    };

    let (status, stdout, stderr) = run(None);
    let said = format!("stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(
        status.success(),
        "without the guides the tests skip:\n{said}"
    );
    assert!(
        stdout.contains(&format!("{} passed", tests.len())),
        "every test named ran:\n{said}"
    );
    let skips: Vec<&str> = stderr.lines().filter(|l| l.contains("skipped:")).collect();
    assert_eq!(
        skips,
        vec![format!(
            "skipped: {} is absent (set {REQUIRE}=1 to require it)",
            missing.join("guides").display()
        )],
        "one line says why:\n{said}"
    );
    assert!(!said.contains("panicked"), "{said}");

    let (status, stdout, stderr) = run(Some("1"));
    let said = format!("stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(!status.success(), "required, the absence fails:\n{said}");
    assert!(
        stdout.contains(&format!("{} failed", tests.len())),
        "every test named fails:\n{said}"
    );
    assert!(
        said.contains(&format!("{REQUIRE}=1 requires")),
        "the failure says why:\n{said}"
    );
    assert!(!said.contains("poisoned"), "{said}");
}
