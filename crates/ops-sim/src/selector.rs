//! Label selectors (`app=api`, `app!=x`, `app in (a,b)`, `app notin (a)`,
//! `app`, `!app`) and field selectors (`metadata.name=x`, `!=`), as the API
//! server parses them.

use std::collections::BTreeMap;

use super::store::Obj;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Req {
    Eq(String, String),
    NotEq(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
}

/// A parsed label selector; empty matches everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelSelector(Vec<Req>);

impl LabelSelector {
    pub fn parse(text: &str) -> Result<LabelSelector, String> {
        let mut reqs = Vec::new();
        for part in split_top_level(text) {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            reqs.push(parse_req(part)?);
        }
        Ok(LabelSelector(reqs))
    }

    pub fn matches(&self, labels: Option<&BTreeMap<String, String>>) -> bool {
        let get = |k: &str| labels.and_then(|l| l.get(k));
        self.0.iter().all(|r| match r {
            Req::Eq(k, v) => get(k) == Some(v),
            Req::NotEq(k, v) => get(k) != Some(v),
            Req::In(k, vs) => get(k).is_some_and(|x| vs.contains(x)),
            Req::NotIn(k, vs) => get(k).is_none_or(|x| !vs.contains(x)),
            Req::Exists(k) => get(k).is_some(),
            Req::NotExists(k) => get(k).is_none(),
        })
    }

    /// A selector from a matchLabels map.
    pub fn from_map(map: &BTreeMap<String, String>) -> LabelSelector {
        LabelSelector(
            map.iter()
                .map(|(k, v)| Req::Eq(k.clone(), v.clone()))
                .collect(),
        )
    }
}

/// Splits on commas that are not inside parentheses.
fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

fn parse_req(part: &str) -> Result<Req, String> {
    if let Some(key) = part.strip_prefix('!') {
        return Ok(Req::NotExists(key.trim().to_string()));
    }
    if let Some((k, v)) = part.split_once("!=") {
        return Ok(Req::NotEq(k.trim().into(), v.trim().into()));
    }
    if let Some((k, v)) = part.split_once("==").or_else(|| part.split_once('=')) {
        return Ok(Req::Eq(k.trim().into(), v.trim().into()));
    }
    let words: Vec<&str> = part.splitn(2, char::is_whitespace).collect();
    if let [key, rest] = words.as_slice() {
        let rest = rest.trim();
        let (op, list) = rest
            .split_once('(')
            .ok_or_else(|| format!("unable to parse requirement: {part:?}"))?;
        let list = list
            .strip_suffix(')')
            .ok_or_else(|| format!("unable to parse requirement: {part:?}: missing ')'"))?;
        let values = list.split(',').map(|v| v.trim().to_string()).collect();
        return match op.trim() {
            "in" => Ok(Req::In(key.to_string(), values)),
            "notin" => Ok(Req::NotIn(key.to_string(), values)),
            other => Err(format!(
                "unable to parse requirement: unknown operator {other:?}"
            )),
        };
    }
    if part
        .chars()
        .all(|c| c.is_alphanumeric() || "-_./".contains(c))
    {
        return Ok(Req::Exists(part.to_string()));
    }
    Err(format!("unable to parse requirement: {part:?}"))
}

/// A parsed field selector: (field, value, equal?).
#[derive(Debug, Clone, Default)]
pub struct FieldSelector(Vec<(String, String, bool)>);

impl FieldSelector {
    pub fn parse(text: &str) -> Result<FieldSelector, String> {
        let mut reqs = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            if let Some((k, v)) = part.split_once("!=") {
                reqs.push((k.trim().to_string(), v.trim().to_string(), false));
            } else if let Some((k, v)) = part.split_once("==").or_else(|| part.split_once('=')) {
                reqs.push((k.trim().to_string(), v.trim().to_string(), true));
            } else {
                return Err(format!("invalid selector: {part:?}; can't understand it"));
            }
        }
        Ok(FieldSelector(reqs))
    }

    /// The first field the resource does not support, if any.
    pub fn unsupported(&self, sample: &Obj) -> Option<String> {
        self.0
            .iter()
            .find(|(field, _, _)| sample.field(field).is_none())
            .map(|(f, _, _)| f.clone())
    }

    pub fn matches(&self, obj: &Obj) -> bool {
        self.0
            .iter()
            .all(|(field, value, eq)| (obj.field(field).as_deref() == Some(value.as_str())) == *eq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn label_selectors_match_like_the_api_server() {
        let api = labels(&[("app", "api"), ("tier", "backend")]);
        let web = labels(&[("app", "web")]);
        let cases = [
            ("app=api", true, false),
            ("app==api", true, false),
            ("app!=api", false, true),
            ("app in (api, worker)", true, false),
            ("app notin (api)", false, true),
            ("tier", true, false),
            ("!tier", false, true),
            ("app in (api,web),tier", true, false),
            ("", true, true),
        ];
        for (sel, on_api, on_web) in cases {
            let s = LabelSelector::parse(sel).unwrap();
            assert_eq!(s.matches(Some(&api)), on_api, "{sel} on api");
            assert_eq!(s.matches(Some(&web)), on_web, "{sel} on web");
        }
        assert!(LabelSelector::parse("app in api").is_err());
        assert!(LabelSelector::parse("app ~ x").is_err());
    }
}
