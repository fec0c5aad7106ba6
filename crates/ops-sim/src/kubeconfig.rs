//! The kubeconfig `demo` writes: one cluster, the users `admin` and
//! `viewer`, and the contexts `demo` and `demo-viewer`.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::json;

use super::api::Tokens;

pub fn render(server: &str, ca_pem: &str, tokens: &Tokens, namespace: &str) -> String {
    use base64::Engine;
    let ca = base64::engine::general_purpose::STANDARD.encode(ca_pem);
    let config = json!({
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": "demo",
        "clusters": [{"name": "demo", "cluster": {"server": server, "certificate-authority-data": ca}}],
        "users": [
            {"name": "admin", "user": {"token": tokens.admin}},
            {"name": "viewer", "user": {"token": tokens.viewer}}
        ],
        "contexts": [
            {"name": "demo", "context": {"cluster": "demo", "user": "admin", "namespace": namespace}},
            {"name": "demo-viewer", "context": {"cluster": "demo", "user": "viewer", "namespace": namespace}}
        ]
    });
    serde_json::to_string_pretty(&config).unwrap_or_default()
}

/// Writes `kubeconfig` in `dir`, readable by its owner only (it holds tokens).
pub fn write(dir: &Path, text: &str) -> std::io::Result<PathBuf> {
    let path = dir.join("kubeconfig");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    Ok(path)
}
