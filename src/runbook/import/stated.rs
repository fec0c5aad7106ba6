//! What a guide states in its prose, not its code, that a probe checks:
//! the security headers it names anywhere (`HSTS`, `X-Frame-Options`), and
//! how many days a certificate must stay valid ("certificate valid for
//! more than 30 days").

/// Security headers and the other names guides give them.
const HEADERS: &[(&str, &[&str])] = &[
    (
        "Strict-Transport-Security",
        &["strict-transport-security", "hsts"],
    ),
    (
        "Content-Security-Policy",
        &["content-security-policy", "csp"],
    ),
    ("X-Frame-Options", &["x-frame-options"]),
    ("X-Content-Type-Options", &["x-content-type-options"]),
    ("Referrer-Policy", &["referrer-policy"]),
    ("Permissions-Policy", &["permissions-policy"]),
];

/// Applies what the guide states to what its code gave: the headers it
/// names join its headers probe (one on its main host's `/` when it has
/// none and a host is known); its certificate days are kept.
pub fn apply(markdown: &str, found: &mut super::found::Found) {
    use super::found::{Probe, ProbeKind};
    found.cert_days = certificate_days(markdown);
    let named = headers(markdown);
    if named.is_empty() {
        return;
    }
    if let Some(ProbeKind::Headers(list)) = found
        .probes
        .iter_mut()
        .map(|p| &mut p.kind)
        .find(|k| matches!(k, ProbeKind::Headers(_)))
    {
        for h in named {
            if !list.contains(&h) {
                list.push(h);
            }
        }
        return;
    }
    let Some(host) = found.hosts.iter().find(|h| h.known) else {
        return;
    };
    let var = host.var.clone();
    let name = ["headers", "security-headers", "stated-headers"]
        .into_iter()
        .find(|n| !found.probes.iter().any(|p| p.name == *n))
        .unwrap_or("stated-headers")
        .to_string();
    found.probes.push(Probe {
        name,
        var,
        path: "/".into(),
        kind: ProbeKind::Headers(named),
        origin: "the headers the guide names".into(),
        expect: None,
        below_ms: None,
    });
}

/// Whether `word` appears in `lower` as a whole word (not inside another:
/// `csp` is not in `cspell`).
fn has_word(lower: &str, word: &str) -> bool {
    let bytes = lower.as_bytes();
    let edge = |i: Option<&u8>| i.is_none_or(|c| !(c.is_ascii_alphanumeric() || *c == b'-'));
    let mut from = 0;
    while let Some(at) = lower.get(from..).and_then(|rest| rest.find(word)) {
        let start = from + at;
        let end = start + word.len();
        if edge(start.checked_sub(1).and_then(|i| bytes.get(i))) && edge(bytes.get(end)) {
            return true;
        }
        from = end;
    }
    false
}

/// The security headers the guide names anywhere, in a fixed order.
pub fn headers(markdown: &str) -> Vec<String> {
    let lower = markdown.to_ascii_lowercase();
    HEADERS
        .iter()
        .filter(|(_, names)| names.iter().any(|n| has_word(&lower, n)))
        .map(|(h, _)| h.to_string())
        .collect()
}

/// The most days the guide says a certificate must stay valid: a number
/// before "day(s)" on a line that speaks of a certificate, TLS or SSL.
pub fn certificate_days(markdown: &str) -> Option<u32> {
    markdown
        .lines()
        .map(str::to_ascii_lowercase)
        .filter(|l| {
            ["certificate", "cert ", "tls", "ssl"]
                .iter()
                .any(|w| l.contains(w))
        })
        .flat_map(|l| {
            let words: Vec<String> = l
                .split(|c: char| {
                    c.is_whitespace() || matches!(c, '(' | ')' | ',' | ':' | '>' | '<' | '=')
                })
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect();
            let mut days = Vec::new();
            for (i, w) in words.iter().enumerate() {
                // "30 days", "30-day", "30d".
                let (number, rest) =
                    w.split_at(w.find(|c: char| !c.is_ascii_digit()).unwrap_or(w.len()));
                let Ok(n) = number.parse::<u32>() else {
                    continue;
                };
                let unit = match rest.trim_start_matches('-') {
                    "" => words.get(i + 1).map(String::as_str).unwrap_or(""),
                    r => r,
                };
                if unit.starts_with("day") || unit == "d" || unit == "d." {
                    days.push(n);
                }
            }
            days
        })
        .filter(|n| (1..=3650).contains(n))
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_named_anywhere_by_any_of_their_names() {
        assert_eq!(
            headers("- [ ] HSTS enabled\nX-Frame-Options: DENY everywhere\nA CSP is set"),
            [
                "Strict-Transport-Security",
                "Content-Security-Policy",
                "X-Frame-Options"
            ]
        );
        assert!(headers("we use cspell and hstsx").is_empty());
    }

    #[test]
    fn certificate_days_as_guides_write_them() {
        assert_eq!(
            certificate_days("- [ ] SSL certificate valid for more than 30 days"),
            Some(30)
        );
        assert_eq!(
            certificate_days("TLS cert expires in > 21d\ncertificate: 7-day warning"),
            Some(21)
        );
        assert_eq!(
            certificate_days("Rotate keys every 90 days"),
            None,
            "no certificate on the line"
        );
        assert_eq!(certificate_days("certificate valid"), None);
    }
}
