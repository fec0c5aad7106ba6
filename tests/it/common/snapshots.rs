//! Snapshot files where they were written when each area was a test binary
//! of its own. insta names a file after the module path and keeps it beside
//! the test's source (`tests/it/screens/snapshots/it__screens__health__….snap`);
//! [`assert_snapshot!`] keeps the names and folders the files already have
//! (`tests/snapshots/snapshots__<name>.snap`, `tests/snapshots/report__….snap`,
//! `tests/screens/snapshots/snapshots__width__….snap`), so they and their
//! history stay where they are.

use std::fmt::Display;
use std::path::Path;

use insta::Settings;
use insta::internals::SettingsBindDropGuard;

/// Where a module's snapshot files are: a folder of the package and the
/// start of each file's name (the name insta gave the module in the test
/// binary it was written by).
pub struct Place {
    dir: &'static str,
    prefix: &'static str,
}

impl Place {
    pub const fn new(dir: &'static str, prefix: &'static str) -> Place {
        Place { dir, prefix }
    }

    /// insta's settings for this place, bound to the thread until the guard
    /// is dropped.
    pub fn bind(&self) -> SettingsBindDropGuard {
        let mut settings = Settings::clone_current();
        settings.set_snapshot_path(Path::new(env!("CARGO_MANIFEST_DIR")).join(self.dir));
        settings.set_prepend_module_to_snapshot(false);
        settings.bind_to_scope()
    }

    /// The snapshot's name, file name without `.snap`.
    pub fn name(&self, name: impl Display) -> String {
        format!("{}__{name}", self.prefix)
    }
}

/// The snapshot name insta gives an unnamed assertion: the test function's
/// name without a `test_` prefix. `path` is the type name of a function
/// item declared in the test (`crate::module::test::f`).
pub fn test_name(path: &str) -> &str {
    let mut path = path.strip_suffix("::f").unwrap_or(path);
    while let Some(rest) = path.strip_suffix("::{{closure}}") {
        path = rest;
    }
    let name = path.rsplit("::").next().unwrap_or(path);
    name.strip_prefix("test_").unwrap_or(name)
}

/// `insta::assert_snapshot!` with the file at `SNAPSHOTS`, the [`Place`]
/// that the calling module names so: `assert_snapshot!(name, value)`, or
/// `assert_snapshot!(value)` named after the test function as insta names
/// it (one unnamed snapshot per function).
macro_rules! assert_snapshot {
    ($name:expr, $value:expr $(,)?) => {{
        let _place = SNAPSHOTS.bind();
        ::insta::assert_snapshot!(SNAPSHOTS.name($name), $value);
    }};
    ($value:expr $(,)?) => {
        $crate::common::snapshots::assert_snapshot!(
            $crate::common::snapshots::test_name({
                fn f() {}
                ::std::any::type_name_of_val(&f)
            }),
            $value
        )
    };
}
pub(crate) use assert_snapshot;
