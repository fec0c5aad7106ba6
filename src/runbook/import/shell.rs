//! Shell snippets: `curl` and `kubectl` commands, read with a small
//! shell-like tokenizer (quotes, line continuations, comments, pipes,
//! `for … in {1..N}; do … done` loops).

use super::JobKind;
use crate::kinds::WorkloadKind;

/// A `curl` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Curl {
    pub url: String,
    pub method: String,
    /// `-I`/`--head`/`-i`: the response headers are what it looks at.
    pub head: bool,
    /// The pattern of a `grep` it is piped to.
    pub grep: Option<String>,
    /// Run in a `for` loop of this many rounds.
    pub repeat: Option<u32>,
}

/// A `kubectl` command, as far as the importer cares.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Kubectl {
    pub namespace: Option<String>,
    /// `--context NAME`, or `kubectl config use-context NAME`.
    pub context: Option<String>,
    /// The context it runs in: its own `--context`, else the one the
    /// guide last switched to (`kubectl config use-context`, `kubectx`).
    pub in_context: Option<String>,
    /// The workloads it names (`deployment/NAME`, `sts NAME`, …), in order.
    pub workloads: Vec<(WorkloadKind, String)>,
    /// The Jobs and CronJobs it names (`job/NAME`, `cronjob NAME`, and for
    /// `create job NAME --from=cronjob/CRON` the CronJob), in order.
    pub jobs: Vec<(JobKind, String)>,
    /// The name a `job:` check takes from it when it runs a Job (`create
    /// job`) or looks at one (`wait`, `logs`, `get`, `describe`): its first
    /// Job or CronJob.
    pub watches_job: Option<String>,
    /// `kubectl create namespace NAME`.
    pub creates_namespace: Option<String>,
    /// `kubectl patch service NAME -p '{"spec":{"selector":{…}}}'`: the
    /// service and each (key, value) the patch sets.
    pub switches: Option<(String, Vec<(String, String)>)>,
}

#[derive(Debug, Clone, Default)]
pub struct Commands {
    pub curls: Vec<Curl>,
    pub kubectls: Vec<Kubectl>,
    /// Clusters whose credentials the guide fetches (`gcloud container
    /// clusters get-credentials NAME`, `aws eks update-kubeconfig --name
    /// NAME`, `az aks get-credentials --name NAME`), and `kubectx NAME`.
    pub clusters: Vec<String>,
    /// The context the guide last switched to, for the commands after.
    pub current_context: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    /// `|`
    Pipe,
    /// `;`, `&&`, `||`, `&`, a line end.
    End,
}

/// Splits shell text into words and separators. Redirections and their
/// targets are dropped; `#` at a word start comments out the line.
fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = text.chars().peekable();
    let flush = |word: &mut String, in_word: &mut bool, tokens: &mut Vec<Token>| {
        if *in_word {
            tokens.push(Token::Word(std::mem::take(word)));
            *in_word = false;
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('\n') => {}
                Some(next) => {
                    word.push(next);
                    in_word = true;
                }
                None => {}
            },
            '\'' => {
                in_word = true;
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    word.push(q);
                }
            }
            '"' => {
                in_word = true;
                while let Some(q) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' => {
                            if let Some(e) = chars.next() {
                                if !matches!(e, '"' | '\\' | '$' | '`') {
                                    word.push('\\');
                                }
                                word.push(e);
                            }
                        }
                        _ => word.push(q),
                    }
                }
            }
            '#' if !in_word => {
                for skipped in chars.by_ref() {
                    if skipped == '\n' {
                        break;
                    }
                }
                flush(&mut word, &mut in_word, &mut tokens);
                tokens.push(Token::End);
            }
            '\n' | ';' => {
                flush(&mut word, &mut in_word, &mut tokens);
                tokens.push(Token::End);
            }
            '|' | '&' => {
                flush(&mut word, &mut in_word, &mut tokens);
                let doubled = chars.next_if_eq(&c).is_some();
                tokens.push(if c == '|' && !doubled {
                    Token::Pipe
                } else {
                    Token::End
                });
            }
            '>' | '<' => {
                // A redirection: drop a file descriptor number before it
                // and the target after it.
                if in_word && word.chars().all(|d| d.is_ascii_digit()) {
                    word.clear();
                    in_word = false;
                }
                flush(&mut word, &mut in_word, &mut tokens);
                chars.next_if(|n| *n == '>' || *n == '&');
                while chars.next_if(|n| *n == ' ' || *n == '\t').is_some() {}
                while chars
                    .next_if(|n| !n.is_whitespace() && !matches!(n, ';' | '|' | '&'))
                    .is_some()
                {}
            }
            c if c.is_whitespace() => flush(&mut word, &mut in_word, &mut tokens),
            c => {
                word.push(c);
                in_word = true;
            }
        }
    }
    flush(&mut word, &mut in_word, &mut tokens);
    tokens
}

/// Reads the commands of one shell snippet into `out`.
pub fn scan(text: &str, out: &mut Commands) {
    // Commands: runs of words between separators; a pipe links a command
    // to the next.
    let mut commands: Vec<(Vec<String>, bool)> = Vec::new();
    let mut current: Vec<String> = Vec::new();
    for token in tokenize(text) {
        match token {
            Token::Word(w) => current.push(w),
            Token::Pipe => commands.push((std::mem::take(&mut current), true)),
            Token::End => {
                if !current.is_empty() {
                    commands.push((std::mem::take(&mut current), false));
                }
            }
        }
    }
    if !current.is_empty() {
        commands.push((current, false));
    }

    let mut repeat: Option<u32> = None;
    for i in 0..commands.len() {
        let (words, piped) = &commands[i];
        let mut words: &[String] = words;
        match words.first().map(String::as_str) {
            Some("for") => {
                repeat = loop_rounds(words);
                continue;
            }
            Some("done") => {
                repeat = None;
                continue;
            }
            Some("do") => words = &words[1..],
            _ => {}
        }
        let words = skip_prefix(words);
        match words.first().map(String::as_str) {
            Some("curl") => {
                let grep = if *piped {
                    commands.get(i + 1).and_then(|(next, _)| grep_pattern(next))
                } else {
                    None
                };
                if let Some(mut curl) = parse_curl(&words[1..]) {
                    curl.grep = grep;
                    curl.repeat = repeat;
                    out.curls.push(curl);
                }
            }
            Some("kubectl") => {
                let mut k = parse_kubectl(&words[1..]);
                let switches = words.get(1).is_some_and(|w| w == "config");
                if switches && k.context.is_some() {
                    out.current_context = k.context.clone();
                }
                k.in_context = k.context.clone().or_else(|| out.current_context.clone());
                out.kubectls.push(k);
            }
            Some("gcloud" | "aws" | "az" | "kubectx") => {
                let cluster = cluster_of(words);
                // `kubectx NAME` and `az aks get-credentials` switch to a
                // context of that name.
                if matches!(words.first().map(String::as_str), Some("kubectx" | "az")) {
                    out.current_context = cluster.clone().or(out.current_context.take());
                }
                out.clusters.extend(cluster);
            }
            _ => {}
        }
    }
}

/// The cluster a credentials command fetches, or `kubectx NAME` switches to.
fn cluster_of(words: &[String]) -> Option<String> {
    let w: Vec<&str> = words.iter().map(String::as_str).collect();
    let after = |flag: &str| {
        w.iter().enumerate().find_map(|(i, a)| {
            a.strip_prefix(&format!("{flag}="))
                .or_else(|| (*a == flag).then(|| w.get(i + 1).copied()).flatten())
        })
    };
    let name = match w.as_slice() {
        [
            "gcloud",
            "container",
            "clusters",
            "get-credentials",
            name,
            ..,
        ] => Some(*name),
        ["aws", "eks", "update-kubeconfig", ..] => after("--name"),
        ["az", "aks", "get-credentials", ..] => after("--name").or_else(|| after("-n")),
        ["kubectx", name] => Some(*name),
        _ => None,
    }?;
    (!name.starts_with('-') && !name.contains('$')).then(|| name.to_string())
}

/// `sudo`, `time`, `VAR=value` before the command itself.
fn skip_prefix(words: &[String]) -> &[String] {
    let mut rest = words;
    while let Some(first) = rest.first() {
        let assignment = first.split_once('=').is_some_and(|(k, _)| {
            !k.is_empty() && k.chars().all(|c| c.is_alphanumeric() || c == '_')
        });
        if first == "sudo" || first == "time" || assignment {
            rest = &rest[1..];
        } else {
            break;
        }
    }
    rest
}

/// The rounds of `for i in {1..N}` or `for i in $(seq 1 N)`.
fn loop_rounds(words: &[String]) -> Option<u32> {
    let after_in = words.iter().position(|w| w == "in")? + 1;
    let first = words.get(after_in)?;
    let (from, to) = if let Some(range) = first.strip_prefix('{').and_then(|r| r.strip_suffix('}'))
    {
        let (a, b) = range.split_once("..")?;
        (a.to_string(), b.to_string())
    } else if first == "$(seq" {
        let nums: Vec<&String> = words[after_in + 1..].iter().take(2).collect();
        match nums.as_slice() {
            [b] => ("1".to_string(), b.trim_end_matches(')').to_string()),
            [a, b] => (a.to_string(), b.trim_end_matches(')').to_string()),
            _ => return None,
        }
    } else {
        return None;
    };
    let (from, to): (u32, u32) = (from.parse().ok()?, to.parse().ok()?);
    to.checked_sub(from)?.checked_add(1)
}

fn grep_pattern(words: &[String]) -> Option<String> {
    let words = skip_prefix(words);
    if !matches!(words.first()?.as_str(), "grep" | "egrep" | "rg") {
        return None;
    }
    let mut rest = words[1..].iter();
    while let Some(w) = rest.next() {
        if w == "-e" || w == "--regexp" {
            return rest.next().cloned();
        }
        if !w.starts_with('-') {
            return Some(w.clone());
        }
    }
    None
}

fn parse_curl(args: &[String]) -> Option<Curl> {
    let mut url = None;
    let mut method: Option<String> = None;
    let mut head = false;
    let mut data = false;
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        match arg.as_str() {
            "-X" | "--request" => {
                method = args.get(i + 1).map(|m| m.to_uppercase());
                i += 1;
            }
            "-I" | "--head" | "-i" | "--include" => head = true,
            "-d" | "--data" | "--data-raw" | "--data-binary" | "--data-urlencode" | "--json"
            | "-F" | "--form" | "-T" | "--upload-file" => {
                data = true;
                i += 1;
            }
            a if a.starts_with("-X") && a.len() > 2 => method = Some(a[2..].to_uppercase()),
            a if (a.starts_with("http://") || a.starts_with("https://")) && url.is_none() => {
                url = Some(a.to_string());
            }
            a if a.starts_with("http://") || a.starts_with("https://") => {}
            a if a.starts_with("--") && takes_value(a) => i += 1,
            a if a.starts_with("--") => {}
            a if a.starts_with('-') => {
                // Bundled short options (`-fsSL`, `-sI`); one that takes a
                // value takes the next word.
                if a.contains('I') || a.contains('i') {
                    head = true;
                }
                if a.ends_with(['o', 'w', 'H', 'u', 'A', 'e', 'm', 'b', 'c', 'x', 'K', 'E']) {
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    let method = method.unwrap_or_else(|| if data { "POST" } else { "GET" }.to_string());
    Some(Curl {
        url: url?,
        method,
        head,
        grep: None,
        repeat: None,
    })
}

fn takes_value(long: &str) -> bool {
    !long.contains('=')
        && matches!(
            long,
            "--header"
                | "--output"
                | "--write-out"
                | "--user"
                | "--user-agent"
                | "--referer"
                | "--max-time"
                | "--connect-timeout"
                | "--retry"
                | "--retry-delay"
                | "--retry-max-time"
                | "--resolve"
                | "--cacert"
                | "--cert"
                | "--key"
                | "--cookie"
                | "--cookie-jar"
                | "--proxy"
                | "--config"
                | "--interface"
                | "--limit-rate"
                | "--oauth2-bearer"
                | "--connect-to"
        )
}

/// What a resource word of a `kubectl` command names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Resource {
    Workload(WorkloadKind),
    Job(JobKind),
    Service,
}

/// A resource type in any spelling kubectl accepts (`sts`,
/// `statefulsets.apps`, `cj`, `jobs.batch`, `svc`, …).
fn resource(word: &str) -> Option<Resource> {
    if matches!(word, "service" | "services" | "svc") {
        return Some(Resource::Service);
    }
    // Jobs and CronJobs are read as jobs (for `job:` checks), the kinds
    // that roll out as workloads.
    WorkloadKind::parse(word)
        .filter(|k| !k.is_batch())
        .map(Resource::Workload)
        .or_else(|| JobKind::parse(word).map(Resource::Job))
}

/// Options whose value is the next word when not written `--opt=value`.
fn kubectl_takes_value(option: &str) -> bool {
    matches!(
        option,
        "-l" | "--selector"
            | "-o"
            | "--output"
            | "-c"
            | "--container"
            | "--type"
            | "--context"
            | "--image"
            | "--timeout"
            | "--replicas"
            | "--schedule"
            | "--restart"
            | "--revision"
            | "--to-revision"
            | "--field-selector"
    )
}

fn parse_kubectl(args: &[String]) -> Kubectl {
    let mut k = Kubectl::default();
    let mut positional: Vec<&str> = Vec::new();
    let mut patch: Option<&str> = None;
    // `wait --for=…` and `create job --from=…`.
    let mut wait_for: Option<&str> = None;
    let mut from: Option<&str> = None;
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        let a = arg.as_str();
        if a == "--" {
            // What follows is a command run in the container.
            break;
        }
        if a == "-n" || a == "--namespace" {
            k.namespace = args.get(i + 1).cloned();
            i += 1;
        } else if let Some(ns) = a
            .strip_prefix("--namespace=")
            .or_else(|| a.strip_prefix("-n="))
        {
            k.namespace = Some(ns.to_string());
        } else if a == "--context" {
            k.context = args.get(i + 1).cloned();
            i += 1;
        } else if let Some(c) = a.strip_prefix("--context=") {
            k.context = Some(c.to_string());
        } else if a == "-p" || a == "--patch" {
            patch = args.get(i + 1).map(String::as_str);
            i += 1;
        } else if let Some(p) = a.strip_prefix("--patch=").or_else(|| a.strip_prefix("-p=")) {
            patch = Some(p);
        } else if a == "--for" || a == "--from" {
            let value = args.get(i + 1).map(String::as_str);
            if a == "--for" {
                wait_for = value;
            } else {
                from = value;
            }
            i += 1;
        } else if let Some(v) = a.strip_prefix("--for=") {
            wait_for = Some(v);
        } else if let Some(v) = a.strip_prefix("--from=") {
            from = Some(v);
        } else if a.starts_with('-') {
            // `-f` is a file for most verbs and `--follow` for `logs`.
            let file = matches!(a, "-f" | "--filename" | "-k" | "--kustomize")
                && positional.first() != Some(&"logs");
            if file || kubectl_takes_value(a) {
                i += 1;
            }
        } else {
            positional.push(a);
        }
        i += 1;
    }
    let mut service = None;
    // A resource is `TYPE/NAME`, or `TYPE NAME` after the verb.
    for (j, w) in positional.iter().enumerate() {
        let next = positional.get(j + 1).copied();
        let (slashed, word, name) = match w.split_once('/') {
            Some((kind, name)) => (true, kind, Some(name)),
            None if j >= 1 => (false, *w, next),
            None => continue,
        };
        match resource(word) {
            Some(Resource::Workload(kind)) => {
                k.workloads.extend(name.map(|n| (kind, n.to_string())));
            }
            Some(Resource::Job(kind)) => k.jobs.extend(name.map(|n| (kind, n.to_string()))),
            Some(Resource::Service) if slashed || service.is_none() => {
                service = name.map(str::to_string);
            }
            _ => {}
        }
    }
    let verb = positional.first().copied();
    let creates_job = verb == Some("create")
        && positional.get(1).and_then(|w| JobKind::parse(w)) == Some(JobKind::Job);
    if creates_job
        && let Some((kind, cron)) = from.and_then(|f| f.split_once('/'))
        && JobKind::parse(kind) == Some(JobKind::CronJob)
    {
        // A one-off run of the CronJob, under a name of its own: the
        // CronJob is what the guide runs.
        k.jobs = vec![(JobKind::CronJob, cron.to_string())];
    }
    let watches = match verb {
        Some("create") => creates_job,
        Some("wait") => !wait_for.is_some_and(|f| {
            f.eq_ignore_ascii_case("delete") || f.eq_ignore_ascii_case("condition=failed")
        }),
        Some("logs" | "get" | "describe") => true,
        _ => false,
    };
    if watches {
        k.watches_job = k.jobs.first().map(|(_, name)| name.clone());
    }
    if verb == Some("config") && positional.get(1) == Some(&"use-context") {
        k.context = positional.get(2).map(|s| s.to_string());
    }
    if verb == Some("create") && matches!(positional.get(1), Some(&"namespace" | &"ns")) {
        k.creates_namespace = positional.get(2).map(|s| s.to_string());
    }
    if verb == Some("patch")
        && let (Some(service), Some(labels)) = (service, patch.and_then(selector_labels))
    {
        k.switches = Some((service, labels));
    }
    k
}

/// The selector keys a Service patch sets, with their values.
fn selector_labels(patch: &str) -> Option<Vec<(String, String)>> {
    let value: serde_json::Value = serde_json::from_str(patch).ok()?;
    let selector = value.get("spec")?.get("selector")?.as_object()?;
    let labels: Vec<(String, String)> = selector
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                v.as_str().map_or_else(|| v.to_string(), String::from),
            )
        })
        .collect();
    (!labels.is_empty()).then_some(labels)
}
