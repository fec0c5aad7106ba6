//! Where things live, through `directories`. `OPS_TUI_CONFIG_DIR` and
//! `OPS_TUI_DATA_DIR` override the platform defaults.

use std::fmt::Write as _;
use std::path::PathBuf;

use directories::ProjectDirs;

#[derive(Debug, Clone, Default)]
pub struct Paths {
    /// config.toml, themes/, keymaps/
    pub config_dir: Option<PathBuf>,
    /// Journals.
    pub data_dir: Option<PathBuf>,
    /// ops-tui.<date>.log, a file a day, the last 7 kept.
    pub log_dir: Option<PathBuf>,
}

impl Paths {
    pub fn discover() -> Paths {
        let env_dir = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        let dirs = ProjectDirs::from("", "", "ops-tui");
        let config_dir = env_dir("OPS_TUI_CONFIG_DIR")
            .or_else(|| dirs.as_ref().map(|d| d.config_dir().to_path_buf()));
        let data_override = env_dir("OPS_TUI_DATA_DIR");
        let data_dir = data_override
            .clone()
            .or_else(|| dirs.as_ref().map(|d| d.data_dir().to_path_buf()));
        let log_dir = match data_override {
            Some(dir) => Some(dir.join("logs")),
            None => dirs.as_ref().map(|d| {
                d.state_dir()
                    .unwrap_or_else(|| d.data_local_dir())
                    .to_path_buf()
            }),
        };
        Paths {
            config_dir,
            data_dir,
            log_dir,
        }
    }

    /// The text `ops-tui paths` prints.
    pub fn describe(&self) -> String {
        let show = |p: &Option<PathBuf>| {
            p.as_ref()
                .map_or("(no home directory found)".to_string(), |p| {
                    p.display().to_string()
                })
        };
        let sub = |p: &Option<PathBuf>, s: &str| {
            p.as_ref()
                .map_or("-".to_string(), |p| p.join(s).display().to_string())
        };
        let mut out = String::new();
        let rows = [
            ("config dir", show(&self.config_dir)),
            ("config file", sub(&self.config_dir, "config.toml")),
            ("user themes", sub(&self.config_dir, "themes")),
            ("user keymaps", sub(&self.config_dir, "keymaps")),
            ("data dir", show(&self.data_dir)),
            ("log files", sub(&self.log_dir, "ops-tui.<date>.log")),
        ];
        for (label, value) in rows {
            let _ = writeln!(out, "{label:<13} {value}");
        }
        out.push_str(
            "\nOverride with OPS_TUI_CONFIG_DIR and OPS_TUI_DATA_DIR; set OPS_TUI_LOG=debug for more detail in the log.\n",
        );
        out
    }
}
