//! Fixtures of the leak tests: canary secrets, a service and a
//! Prometheus that echo what they are sent, and a runbook and a
//! kubeconfig that hold the canaries.

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use super::https::{Seen, Server, respond};

pub const KEY: &str = "env-key-canary-3f9a1c";
pub const LITERAL_AUTH: &str = "literal-auth-canary-8d2e4b";
pub const QUERY: &str = "env-query-canary-6b7c2a";
pub const PASSWORD: &str = "url-pass-canary-1e5f9d";
pub const PROM_TOKEN: &str = "prom-token-canary-4a8b3c";
pub const SIGNAL: &str = "signal-canary-9c0d7e";
pub const KUBE: &str = "kube-token-canary-2d6f8a";
pub const ALL: [&str; 7] = [KEY, LITERAL_AUTH, QUERY, PASSWORD, PROM_TOKEN, SIGNAL, KUBE];
/// The environment the runbook reads its secrets from.
pub const ENV: [(&str, &str); 4] = [
    ("OPS_LEAK_KEY", KEY),
    ("OPS_LEAK_QUERY", QUERY),
    ("OPS_LEAK_PROM_TOKEN", PROM_TOKEN),
    ("OPS_LEAK_SIGNAL", SIGNAL),
];
pub const HOSTILE: &str = "\x1b]0;pwned\x07\x1b[31m";
pub const WAIT: Duration = Duration::from_secs(30);

/// A service that refuses every request, quoting what it was sent.
pub fn echo(seen: &Seen) -> super::https::Resp {
    let header = |name: &str| seen.header(name).unwrap_or("").to_string();
    let said = match seen.path.as_str() {
        "/key" => header("x-api-key"),
        "/auth" => header("authorization"),
        "/query" => seen.query.clone().unwrap_or_default(),
        "/userinfo" => {
            use base64::Engine as _;
            let basic = header("authorization");
            let encoded = basic.strip_prefix("Basic ").unwrap_or("");
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .unwrap_or_default();
            String::from_utf8_lossy(&decoded).into_owned()
        }
        "/kube" => format!("the token {KUBE} is not allowed here"),
        _ => String::new(),
    };
    respond(401, &[("x-echo", &said)], &format!("denied: {said}"))
}

/// A Prometheus that rejects every query quoting it (and the token, and
/// escape sequences), and reports an alert that quotes them too.
pub fn prometheus(seen: &Seen) -> super::https::Resp {
    let url = format!("http://x/?{}", seen.query.clone().unwrap_or_default());
    let query = reqwest::Url::parse(&url)
        .ok()
        .and_then(|u| {
            u.query_pairs()
                .find(|(k, _)| k == "query")
                .map(|(_, v)| v.into_owned())
        })
        .unwrap_or_default();
    let auth = seen.header("authorization").unwrap_or("").to_string();
    let json = [("content-type", "application/json")];
    match seen.path.as_str() {
        "/api/v1/query" | "/api/v1/query_range" => {
            let error = format!("{HOSTILE}parse error in {query} (sent with {auth})");
            let body =
                serde_json::json!({"status": "error", "errorType": "bad_data", "error": error});
            respond(400, &json, &body.to_string())
        }
        "/api/v1/alerts" => {
            let body = serde_json::json!({"status": "success", "data": {"alerts": [{
                "labels": {"alertname": "Leak", "severity": "critical", "query": query},
                "annotations": {"summary": format!("{HOSTILE}leaked {SIGNAL} with {auth}")},
                "state": "firing",
                "activeAt": "2026-01-01T00:00:00Z",
                "value": "1e+00"
            }]}});
            respond(200, &json, &body.to_string())
        }
        _ => respond(404, &[], "not found"),
    }
}

/// The servers, a runbook and a kubeconfig holding the canaries.
pub struct Setup {
    pub rt: tokio::runtime::Runtime,
    pub echo: Server,
    pub prom: Server,
    pub dir: tempfile::TempDir,
    pub runbook: std::path::PathBuf,
    pub kubeconfig: std::path::PathBuf,
}

pub fn setup(names_prefix: &str) -> Setup {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (echo, prom) = rt.block_on(async {
        (
            Server::start(echo, None).await,
            Server::start(prometheus, None).await,
        )
    });
    let dir = tempfile::tempdir().unwrap();
    let e = echo.port();
    let probe = |name: &str, url: &str, headers: &str| {
        format!(
            "[[probe]]\nname = \"{names_prefix}{name}\"\nurl = \"{url}\"\nheaders = {{ {headers} }}\n\
             every = \"1s\"\nfail = [\"[BODY] == ok\", \"[HEADER].X-Echo == ok\"]\n"
        )
    };
    let text = [
        format!(
            "[service]\nname = \"{names_prefix}leaky\"\n\n[env.prod]\ncontext = \"leaky\"\n\
             namespace = \"leaky\"\nprometheus = \"http://127.0.0.1:{}\"\n\
             prometheus_token = \"${{OPS_LEAK_PROM_TOKEN}}\"\n",
            prom.port()
        ),
        probe(
            "auth",
            &format!("http://127.0.0.1:{e}/auth"),
            &format!("Authorization = \"Bearer {LITERAL_AUTH}\""),
        ),
        probe(
            "key",
            &format!("http://127.0.0.1:{e}/key"),
            "X-Api-Key = \"${OPS_LEAK_KEY}\"",
        ),
        probe(
            "query",
            &format!("http://127.0.0.1:{e}/query?token=${{OPS_LEAK_QUERY}}"),
            "",
        ),
        probe(
            "userinfo",
            &format!("http://probe:{PASSWORD}@127.0.0.1:{e}/userinfo"),
            "",
        ),
        probe("kube", &format!("http://127.0.0.1:{e}/kube"), ""),
        format!(
            "[[signal]]\nname = \"{names_prefix}errors\"\n\
             query = 'sum(rate(http_requests_total{{token=\"${{OPS_LEAK_SIGNAL}}\"}}[5m]))'\n\
             fail = \"> 1\"\n"
        ),
        format!(
            "[[phase]]\nname = \"{names_prefix}Go-live\"\nitems = [\n\
             {{ text = \"Endpoints healthy\", check = \"probe:*\" }},\n\
             {{ text = \"Errors low\", check = \"signal:*\" }},\n\
             {{ text = \"No alerts\", check = \"alerts\" }},\n]\n"
        ),
    ]
    .join("\n");
    let runbook = dir.path().join("ops-tui.toml");
    std::fs::write(&runbook, text).unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    let config = serde_json::json!({
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": "leaky",
        "clusters": [{"name": "c", "cluster": {"server": "https://127.0.0.1:9"}}],
        "users": [{"name": "u", "user": {"token": KUBE}}],
        "contexts": [{"name": "leaky", "context": {"cluster": "c", "user": "u", "namespace": "leaky"}}],
    });
    std::fs::write(&kubeconfig, config.to_string()).unwrap();
    Setup {
        rt,
        echo,
        prom,
        dir,
        runbook,
        kubeconfig,
    }
}

impl Setup {
    pub fn run(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(super::BIN);
        cmd.args(args)
            .current_dir(self.dir.path())
            .env("OPS_TUI_DATA_DIR", self.dir.path().join("data"))
            .env("OPS_TUI_CONFIG_DIR", self.dir.path().join("config"))
            .env("KUBECONFIG", &self.kubeconfig)
            .env("OPS_TUI_LOG", "trace");
        for (k, v) in ENV {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    }

    /// The canaries reached the servers: what follows is not vacuous.
    pub fn assert_sent(&self) {
        let echo = self.echo.seen();
        let sent = |secret: &str| {
            echo.iter().chain(self.prom.seen().iter()).any(|s| {
                s.query.as_deref().is_some_and(|q| q.contains(secret))
                    || s.headers
                        .values()
                        .any(|v| v.to_str().is_ok_and(|v| v.contains(secret)))
            })
        };
        for secret in [KEY, LITERAL_AUTH, QUERY, PROM_TOKEN, SIGNAL] {
            assert!(sent(secret), "{secret} was never sent");
        }
        assert!(
            echo.iter()
                .any(|s| s.path == "/userinfo" && s.header("authorization").is_some())
        );
    }
}

/// Every file under `dir`.
pub fn files(dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else if let Ok(bytes) = std::fs::read(&p) {
            out.push((p.display().to_string(), bytes));
        }
    }
}

pub fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

pub fn assert_no_secret(written: &[(String, Vec<u8>)]) {
    for (name, bytes) in written {
        for secret in ALL {
            assert!(
                !contains(bytes, secret),
                "{secret} is in {name}:\n{}",
                String::from_utf8_lossy(bytes)
            );
        }
    }
}
