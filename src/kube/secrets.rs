//! The credentials of a kubeconfig, as secret values to mask: every
//! user's token (and the token file's content), password, client key
//! data, auth-provider tokens and secrets, and exec plugin environment
//! values with a sensitive name.

use std::path::Path;

use ::kube::config::Kubeconfig;
use serde_json::Value;

use crate::secrets::{Secrets, sensitive_header};

/// The credentials of `kubeconfig` (else the default kubeconfig); none
/// when it cannot be read.
pub fn credentials(kubeconfig: Option<&Path>) -> Secrets {
    let config = match kubeconfig {
        Some(path) => Kubeconfig::read_from(path),
        None => Kubeconfig::read(),
    };
    let mut secrets = Secrets::new();
    let Ok(config) = config else {
        return secrets;
    };
    for user in config
        .auth_infos
        .iter()
        .filter_map(|u| u.auth_info.as_ref())
    {
        // Serialising is the one way to the values kube keeps as secrets.
        let Ok(user) = serde_json::to_value(user) else {
            continue;
        };
        add_user(&mut secrets, &user);
    }
    secrets
}

/// Every secret ops-tui knows of: the runbook's (in every environment)
/// and the kubeconfig's credentials.
pub fn known(runbook: Option<&crate::runbook::Runbook>, kubeconfig: Option<&Path>) -> Secrets {
    let mut secrets = credentials(kubeconfig);
    if let Some(runbook) = runbook {
        secrets.extend(&crate::runbook::secrets::all(runbook));
    }
    secrets
}

/// Whether a credential field's name says it holds a secret.
fn secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["token", "secret", "password", "key-data", "key_data"]
        .iter()
        .any(|w| key.contains(w))
}

fn add_user(secrets: &mut Secrets, user: &Value) {
    let text = |v: &Value| v.as_str().map(str::to_string);
    for key in ["token", "password", "client-key-data"] {
        if let Some(value) = user.get(key).and_then(text) {
            secrets.add(&value);
            if key == "client-key-data" {
                add_key_data(secrets, &value);
            }
        }
    }
    if let Some(file) = user.get("tokenFile").and_then(text)
        && let Ok(token) = std::fs::read_to_string(file)
    {
        secrets.add(&token);
    }
    if let Some(Value::Object(config)) = user.get("auth-provider").and_then(|p| p.get("config")) {
        for (key, value) in config {
            if secret_key(key)
                && let Some(value) = text(value)
            {
                secrets.add(&value);
            }
        }
    }
    if let Some(Value::Array(env)) = user.get("exec").and_then(|e| e.get("env")) {
        for entry in env {
            let name = entry.get("name").and_then(Value::as_str).unwrap_or("");
            if (sensitive_header(name) || secret_key(name))
                && let Some(value) = entry.get("value").and_then(text)
            {
                secrets.add(&value);
            }
        }
    }
}

/// The lines of the PEM key inside base64 `client-key-data`.
fn add_key_data(secrets: &mut Secrets, data: &str) {
    use base64::Engine as _;
    let Ok(pem) = base64::engine::general_purpose::STANDARD.decode(data.trim()) else {
        return;
    };
    let pem = String::from_utf8_lossy(&pem);
    for line in pem.lines().filter(|l| !l.starts_with("-----")) {
        secrets.add(line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_credential_of_every_user() {
        let dir = tempfile::tempdir().unwrap();
        let token_file = dir.path().join("token");
        std::fs::write(&token_file, "file-token-5f1e2d\n").unwrap();
        use base64::Engine as _;
        let key = base64::engine::general_purpose::STANDARD
            .encode("-----BEGIN PRIVATE KEY-----\nkeyline-abcdef0123\n-----END PRIVATE KEY-----\n");
        let config = serde_json::json!({
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [],
            "contexts": [],
            "users": [
                {"name": "a", "user": {"token": "tok-a-0123456789"}},
                {"name": "b", "user": {"username": "bob", "password": "pw-b-0123456"}},
                {"name": "c", "user": {"client-key-data": key}},
                {"name": "d", "user": {"tokenFile": token_file.to_str().unwrap()}},
                {"name": "e", "user": {"auth-provider": {"name": "oidc", "config": {
                    "id-token": "id-tok-0123456", "client-secret": "cs-0123456", "idp-issuer-url": "https://idp.example.com"}}}},
                {"name": "f", "user": {"exec": {"apiVersion": "client.authentication.k8s.io/v1",
                    "command": "x", "env": [{"name": "API_TOKEN", "value": "exec-tok-0123"}, {"name": "REGION", "value": "eu-west-1"}]}}},
            ],
        });
        let path = dir.path().join("kubeconfig");
        std::fs::write(&path, config.to_string()).unwrap();
        let s = credentials(Some(&path));
        for secret in [
            "tok-a-0123456789",
            "pw-b-0123456",
            key.as_str(),
            "keyline-abcdef0123",
            "file-token-5f1e2d",
            "id-tok-0123456",
            "cs-0123456",
            "exec-tok-0123",
        ] {
            assert!(s.found_in(secret), "{secret}");
        }
        for public in ["bob", "https://idp.example.com", "eu-west-1"] {
            assert!(!s.found_in(public), "{public}");
        }
    }
}
