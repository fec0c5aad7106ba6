//! `${name}` expansion. `$$` is a literal `$`.

/// An expansion failure and its byte offset within the string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarError {
    pub offset: usize,
    pub message: String,
    /// The undefined variable, when that is the failure.
    pub name: Option<String>,
}

/// Expands every `${name}` with `lookup`.
pub fn expand(text: &str, lookup: impl Fn(&str) -> Option<String>) -> Result<String, VarError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(idx) = rest.find('$') {
        out.push_str(&rest[..idx]);
        let offset = text.len() - rest.len() + idx;
        let after = &rest[idx + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(tail) = after.strip_prefix('{') {
            let Some(end) = tail.find('}') else {
                return Err(VarError {
                    offset,
                    message: "unterminated \"${\": expected \"}\" after the variable name".into(),
                    name: None,
                });
            };
            let name = tail[..end].trim();
            if name.is_empty() {
                return Err(VarError {
                    offset,
                    message: "empty variable name in \"${}\"".into(),
                    name: None,
                });
            }
            match lookup(name) {
                Some(value) => out.push_str(&value),
                None => {
                    return Err(VarError {
                        offset,
                        message: format!("undefined variable \"{name}\""),
                        name: Some(name.to_string()),
                    });
                }
            }
            rest = &tail[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// The names `text` refers to with `${name}`, in order (as [`expand`]
/// reads them, up to the first malformed reference).
pub fn references(text: &str) -> Vec<String> {
    let names = std::cell::RefCell::new(Vec::new());
    let _ = expand(text, |name| {
        names.borrow_mut().push(name.to_string());
        Some(String::new())
    });
    names.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(name: &str) -> Option<String> {
        match name {
            "base" => Some("https://example.com".into()),
            "ns" => Some("prod".into()),
            _ => None,
        }
    }

    #[test]
    fn expands_and_escapes() {
        assert_eq!(
            expand("${base}/health", vars).unwrap(),
            "https://example.com/health"
        );
        assert_eq!(expand("a ${ns} b ${ns}", vars).unwrap(), "a prod b prod");
        assert_eq!(expand("cost $$5 and $x", vars).unwrap(), "cost $5 and $x");
        assert_eq!(expand("plain", vars).unwrap(), "plain");
    }

    #[test]
    fn lists_the_names_referred_to() {
        assert_eq!(references("$${not} ${a}/x?k=${ b }&${a}"), ["a", "b", "a"]);
        assert!(references("plain").is_empty());
    }

    #[test]
    fn reports_where_it_failed() {
        let e = expand("x ${nope}/y", vars).unwrap_err();
        assert_eq!(e.offset, 2);
        assert_eq!(e.name.as_deref(), Some("nope"));
        assert!(
            expand("${base", vars)
                .unwrap_err()
                .message
                .contains("unterminated")
        );
        assert!(expand("${}", vars).unwrap_err().message.contains("empty"));
    }
}
