//! Secret values ops-tui knows (kubeconfig credentials, tokens, values a
//! runbook takes from the process environment, sensitive header values,
//! URL userinfo and query values) and their masking in text that is shown
//! or written. Pure: the modules that read runbooks and kubeconfigs gather
//! the values; the doors (probe results, Prometheus errors, check output,
//! journal, report) mask with them.

use std::borrow::Cow;
use std::fmt;

/// What a secret is replaced with.
pub const MASK: &str = "••••";

/// Values shorter than this are not masked: they would mask everything.
pub const MIN_LEN: usize = 4;

/// A set of secret values.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secrets {
    values: Vec<String>,
}

// The values themselves are never printed.
impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secrets({} values)", self.values.len())
    }
}

impl Secrets {
    pub fn new() -> Secrets {
        Secrets::default()
    }

    /// Adds a value (trimmed); one shorter than [`MIN_LEN`] is ignored.
    pub fn add(&mut self, value: &str) {
        let value = value.trim();
        if value.chars().count() < MIN_LEN || self.values.iter().any(|v| v == value) {
            return;
        }
        self.values.push(value.to_string());
    }

    /// Adds every value of `other`.
    pub fn extend(&mut self, other: &Secrets) {
        for v in &other.values {
            self.add(v);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// `text` with every occurrence of every value replaced by [`MASK`].
    /// Overlapping occurrences are masked as one.
    pub fn mask<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if self.values.is_empty() || text.len() < MIN_LEN {
            return Cow::Borrowed(text);
        }
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        for value in &self.values {
            let mut from = 0;
            while let Some(i) = text.get(from..).and_then(|rest| rest.find(value.as_str())) {
                let start = from + i;
                ranges.push((start, start + value.len()));
                // The next search starts one character on: overlapping
                // occurrences of one value are found too.
                from = start + text[start..].chars().next().map_or(1, char::len_utf8);
            }
        }
        if ranges.is_empty() {
            return Cow::Borrowed(text);
        }
        ranges.sort_unstable();
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        let mut ranges = ranges.into_iter().peekable();
        while let Some((start, mut end)) = ranges.next() {
            while let Some(&(s, e)) = ranges.peek() {
                if s > end {
                    break;
                }
                end = end.max(e);
                ranges.next();
            }
            out.push_str(&text[at..start]);
            out.push_str(MASK);
            at = end;
        }
        out.push_str(&text[at..]);
        Cow::Owned(out)
    }

    /// Whether any value occurs in `text`.
    pub fn found_in(&self, text: &str) -> bool {
        matches!(self.mask(text), Cow::Owned(_))
    }

    /// Masks a string in place.
    pub fn mask_in_place(&self, text: &mut String) {
        if let Cow::Owned(masked) = self.mask(text) {
            *text = masked;
        }
    }

    /// Masks every string of a JSON value (keys are field names and stay).
    pub fn mask_json(&self, value: &mut serde_json::Value) {
        use serde_json::Value;
        match value {
            Value::String(s) => self.mask_in_place(s),
            Value::Array(items) => items.iter_mut().for_each(|v| self.mask_json(v)),
            Value::Object(map) => map.values_mut().for_each(|v| self.mask_json(v)),
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }

    /// `value` as JSON, every string in it masked.
    pub fn to_json<T: serde::Serialize>(&self, value: &T) -> serde_json::Result<Vec<u8>> {
        if self.values.is_empty() {
            return serde_json::to_vec(value);
        }
        let mut json = serde_json::to_value(value)?;
        self.mask_json(&mut json);
        serde_json::to_vec(&json)
    }

    /// A value read from JSON, every string in it masked: in the text when
    /// that still reads (the mask is plain text inside a JSON string),
    /// else in the value read.
    pub fn from_json<T: serde::de::DeserializeOwned>(&self, text: &str) -> serde_json::Result<T> {
        if self.values.is_empty() {
            return serde_json::from_str(text);
        }
        let masked = match self.mask(text) {
            Cow::Borrowed(_) => return serde_json::from_str(text),
            Cow::Owned(masked) => masked,
        };
        if let Ok(value) = serde_json::from_str(&masked) {
            return Ok(value);
        }
        let mut json: serde_json::Value = serde_json::from_str(text)?;
        self.mask_json(&mut json);
        serde_json::from_value(json)
    }

    /// Adds a header's value: the whole value and, after an
    /// authentication scheme (`Bearer x`, `Basic x`), the credentials, and
    /// for `Basic` the decoded `user:password` and its password.
    pub fn add_header_value(&mut self, value: &str) {
        self.add(value);
        let Some((scheme, credentials)) = value.trim().split_once(' ') else {
            return;
        };
        let credentials = credentials.trim();
        self.add(credentials);
        if scheme.eq_ignore_ascii_case("basic") {
            use base64::Engine as _;
            if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(credentials)
                && let Ok(pair) = String::from_utf8(bytes)
            {
                self.add(&pair);
                if let Some((_, password)) = pair.split_once(':') {
                    self.add(password);
                }
            }
        }
    }

    /// Adds a URL's userinfo (user and password) and the values of its
    /// query, each as written and percent-decoded.
    pub fn add_url(&mut self, url: &str) {
        let parts = UrlParts::of(url);
        if let Some(userinfo) = parts.userinfo {
            // With a password the user name is not secret (and masking it
            // would mask the word everywhere); alone it may be a token.
            self.add_encoded(userinfo);
            if let Some((_, password)) = userinfo.split_once(':') {
                self.add_encoded(password);
            }
        }
        if let Some(query) = parts.query {
            for pair in query.split('&') {
                let value = pair.split_once('=').map_or(pair, |(_, v)| v);
                self.add_encoded(value);
            }
        }
    }

    /// Adds a value as written and percent-decoded.
    fn add_encoded(&mut self, value: &str) {
        self.add(value);
        let decoded = percent_decode(value);
        if decoded != value {
            self.add(&decoded);
        }
    }
}

/// Where the userinfo and the query of a URL are (text positions, no
/// parsing of the rest), so that a URL with `${NAME}` in it still splits.
struct UrlParts<'a> {
    /// Everything up to and including `://`.
    scheme: &'a str,
    userinfo: Option<&'a str>,
    /// Host and port, then the path.
    rest: &'a str,
    query: Option<&'a str>,
    /// `#…`, when there is one.
    fragment: &'a str,
}

impl<'a> UrlParts<'a> {
    fn of(url: &'a str) -> UrlParts<'a> {
        let (scheme, after) = match url.find("://") {
            Some(i) => url.split_at(i + 3),
            None => ("", url),
        };
        let (before_fragment, fragment) = match after.find('#') {
            Some(i) => after.split_at(i),
            None => (after, ""),
        };
        let (before_query, query) = match before_fragment.split_once('?') {
            Some((b, q)) => (b, Some(q)),
            None => (before_fragment, None),
        };
        let authority_end = before_query.find('/').unwrap_or(before_query.len());
        let (userinfo, rest) = match before_query[..authority_end].rfind('@') {
            Some(i) if !scheme.is_empty() => (Some(&before_query[..i]), &before_query[i + 1..]),
            _ => (None, before_query),
        };
        UrlParts {
            scheme,
            userinfo,
            rest,
            query,
            fragment,
        }
    }
}

/// A URL as it may be shown: its userinfo and every query value masked,
/// except values that only name variables (`${NAME}`: the value is not
/// in the text) and values too short to be secrets.
pub fn shown_url(url: &str) -> String {
    let parts = UrlParts::of(url);
    let mut out = String::with_capacity(url.len());
    out.push_str(parts.scheme);
    if let Some(userinfo) = parts.userinfo {
        out.push_str(&shown_value(userinfo));
        out.push('@');
    }
    out.push_str(parts.rest);
    if let Some(query) = parts.query {
        out.push('?');
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, v)) => format!("{k}={}", shown_value(v)),
                None => shown_value(pair).into_owned(),
            })
            .collect();
        out.push_str(&pairs.join("&"));
    }
    out.push_str(parts.fragment);
    out
}

/// A value as it may be shown: as written when it only names variables
/// (`${NAME}`, `Bearer ${TOKEN}`: no literal letters or digits besides
/// them) or is shorter than [`MIN_LEN`], else [`MASK`].
pub fn shown_value(value: &str) -> Cow<'_, str> {
    let mut literal = String::new();
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        literal.push_str(&rest[..start]);
        match rest[start..].find('}') {
            Some(end) => rest = &rest[start + end + 1..],
            None => {
                literal.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    literal.push_str(rest);
    let letters = literal.chars().filter(|c| c.is_alphanumeric()).count();
    if letters == 0 || value.chars().count() < MIN_LEN {
        Cow::Borrowed(value)
    } else {
        Cow::Owned(MASK.to_string())
    }
}

/// Whether a header's value is a secret by its name: credentials, cookies,
/// keys, tokens, signatures.
pub fn sensitive_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    matches!(
        name.as_str(),
        "authorization" | "proxy-authorization" | "cookie" | "set-cookie"
    ) || [
        "token",
        "key",
        "secret",
        "auth",
        "passw",
        "session",
        "signature",
        "credential",
    ]
    .iter()
    .any(|word| name.contains(word))
}

/// A sensitive header's value as it may be shown: an authentication
/// scheme stays (`Bearer ••••`), the rest follows [`shown_value`].
pub fn shown_header_value(value: &str) -> String {
    let trimmed = value.trim();
    match trimmed.split_once(' ') {
        Some((scheme, rest))
            if !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphabetic()) =>
        {
            format!("{scheme} {}", shown_value(rest.trim()))
        }
        _ => shown_value(trimmed).into_owned(),
    }
}

/// `%XX` sequences decoded (as UTF-8, lossily); `+` stays.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                let value = hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0);
                out.push(value as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(values: &[&str]) -> Secrets {
        let mut s = Secrets::new();
        for v in values {
            s.add(v);
        }
        s
    }

    #[test]
    fn masks_every_occurrence_and_ignores_short_values() {
        let s = set(&["s3cr3t-token", "abc", "  padded-value  "]);
        assert_eq!(s.len(), 2, "a value under four characters is ignored");
        assert_eq!(
            s.mask("a s3cr3t-token and s3cr3t-token; abc; padded-value"),
            format!("a {MASK} and {MASK}; abc; {MASK}")
        );
        assert!(matches!(s.mask("nothing here"), Cow::Borrowed(_)));
        assert!(matches!(
            Secrets::new().mask("s3cr3t-token"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn overlapping_values_are_masked_as_one() {
        let s = set(&["abcdef", "cdefgh"]);
        assert_eq!(s.mask("xxabcdefghyy"), format!("xx{MASK}yy"));
        let s = set(&["aaaa"]);
        assert_eq!(s.mask("aaaaaa!"), format!("{MASK}!"));
        // Multi-byte text around and inside a value.
        let s = set(&["ключ-секрет"]);
        assert_eq!(s.mask("«ключ-секрет»"), format!("«{MASK}»"));
    }

    #[test]
    fn json_strings_are_masked() {
        let s = set(&["hunter22", "kind"]);
        let mut v = serde_json::json!({"a": ["x hunter22", 1, null], "kind": {"b": "hunter22"}});
        s.mask_json(&mut v);
        assert_eq!(
            v,
            serde_json::json!({"a": [format!("x {MASK}"), 1, null], "kind": {"b": MASK}})
        );
        let bytes = s
            .to_json(&serde_json::json!({"note": "hunter22\"x"}))
            .unwrap();
        let back: serde_json::Value = s.from_json(std::str::from_utf8(&bytes).unwrap()).unwrap();
        assert_eq!(back, serde_json::json!({"note": format!("{MASK}\"x")}));
        // A value written before the secret was known is masked when read.
        let read: serde_json::Value = s.from_json(r#"{"note": "a hunter22"}"#).unwrap();
        assert_eq!(read, serde_json::json!({"note": format!("a {MASK}")}));
    }

    #[test]
    fn header_values_add_their_credentials() {
        let mut s = Secrets::new();
        // "user:pa55word" in base64.
        s.add_header_value("Basic dXNlcjpwYTU1d29yZA==");
        assert_eq!(s.mask("pa55word"), MASK);
        assert_eq!(s.mask("user:pa55word"), MASK);
        assert_eq!(s.mask("got dXNlcjpwYTU1d29yZA=="), format!("got {MASK}"));
        let mut s = Secrets::new();
        s.add_header_value("Bearer tok-123456");
        assert_eq!(s.mask("token tok-123456"), format!("token {MASK}"));
    }

    #[test]
    fn url_userinfo_and_query_values() {
        let mut s = Secrets::new();
        s.add_url("https://bob:pa%24%24word@example.com:8443/x?token=abc%2Fdef&page=2#frag");
        for secret in [
            "pa$$word",
            "pa%24%24word",
            "abc/def",
            "abc%2Fdef",
            "bob:pa$$word",
        ] {
            assert_eq!(s.mask(secret), MASK, "{secret}");
        }
        assert_eq!(s.mask("page 2, bob"), "page 2, bob");
        let mut token = Secrets::new();
        token.add_url("https://ghp_0123456789@example.com/");
        assert!(token.found_in("ghp_0123456789"));
        let mut none = Secrets::new();
        none.add_url("https://example.com/a@b/c");
        assert!(none.is_empty(), "an @ in the path is no userinfo");
    }

    #[test]
    fn shown_urls_keep_variable_names_and_mask_literals() {
        assert_eq!(
            shown_url("https://bob:secret@example.com/health?token=abcdef&v=1&key=${API_KEY}#top"),
            format!("https://{MASK}@example.com/health?token={MASK}&v=1&key=${{API_KEY}}#top")
        );
        assert_eq!(
            shown_url("http://127.0.0.1:8080/health"),
            "http://127.0.0.1:8080/health"
        );
        assert_eq!(
            shown_url("${base}/x?flag"),
            format!("${{base}}/x?{MASK}"),
            "a bare query word is masked too"
        );
    }

    #[test]
    fn sensitive_headers_by_name() {
        for name in [
            "Authorization",
            "proxy-authorization",
            "Cookie",
            "X-Api-Key",
            "X-Auth-Token",
            "X-Client-Secret",
            "X-Session-Id",
        ] {
            assert!(sensitive_header(name), "{name}");
        }
        for name in [
            "Origin",
            "Accept",
            "Content-Type",
            "Keep-Alive",
            "X-Request-Id",
        ] {
            assert!(!sensitive_header(name), "{name}");
        }
        assert_eq!(
            shown_header_value("Bearer abc123xyz"),
            format!("Bearer {MASK}")
        );
        assert_eq!(
            shown_header_value("Bearer ${OPS_TOKEN}"),
            "Bearer ${OPS_TOKEN}"
        );
        assert_eq!(shown_header_value("k-${SUFFIX}x9"), MASK);
        assert_eq!(shown_header_value("plainkey"), MASK);
    }
}
