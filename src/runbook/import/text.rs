//! Text clean-up for imported guides: mis-encoded characters (UTF-8 read as
//! Windows-1252 or Mac Roman), decorative symbols, white space, and the
//! service name.

use crate::runbook::slug;

/// Windows-1252 characters for the bytes 0x80..=0x9F (None: undefined).
const CP1252_HIGH: [Option<char>; 32] = [
    Some('€'),
    None,
    Some('‚'),
    Some('ƒ'),
    Some('„'),
    Some('…'),
    Some('†'),
    Some('‡'),
    Some('ˆ'),
    Some('‰'),
    Some('Š'),
    Some('‹'),
    Some('Œ'),
    None,
    Some('Ž'),
    None,
    None,
    Some('‘'),
    Some('’'),
    Some('“'),
    Some('”'),
    Some('•'),
    Some('–'),
    Some('—'),
    Some('˜'),
    Some('™'),
    Some('š'),
    Some('›'),
    Some('œ'),
    None,
    Some('ž'),
    Some('Ÿ'),
];

/// Mac Roman characters for the bytes 0x80..=0xFF.
const MAC_ROMAN_HIGH: &str = "ÄÅÇÉÑÖÜáàâäãåçéèêëíìîïñóòôöõúùûü†°¢£§•¶ß®©™´¨≠ÆØ∞±≤≥¥µ∂∑∏π∫ªºΩæø\
¿¡¬√ƒ≈∆«»…\u{a0}ÀÃÕŒœ–—“”‘’÷◊ÿŸ⁄€‹›ﬁﬂ‡·‚„‰ÂÊÁËÈÍÎÏÌÓÔ\u{f8ff}ÒÚÛÙıˆ˜¯˘˙˚¸˝˛ˇ";

/// The byte a character stands for when UTF-8 was read as Windows-1252
/// (undefined bytes may have come through as C1 controls).
fn cp1252_byte(c: char) -> Option<u8> {
    let code = u32::from(c);
    if (0x80..=0xFF).contains(&code) {
        return u8::try_from(code).ok();
    }
    let at = CP1252_HIGH.iter().position(|x| *x == Some(c))?;
    u8::try_from(0x80 + at).ok()
}

/// The byte a character stands for when UTF-8 was read as Mac Roman.
fn mac_roman_byte(c: char) -> Option<u8> {
    let at = MAC_ROMAN_HIGH.chars().position(|x| x == c)?;
    u8::try_from(0x80 + at).ok()
}

fn is_continuation(b: u8) -> bool {
    (0x80..=0xBF).contains(&b)
}

/// How many continuation bytes follow a UTF-8 lead byte (None: not a lead
/// byte of a multi-byte sequence).
fn continuation_count(lead: u8) -> Option<usize> {
    match lead {
        0xC2..=0xDF => Some(1),
        0xE0..=0xEF => Some(2),
        0xF0..=0xF4 => Some(3),
        _ => None,
    }
}

/// What mis-encoded text plausibly stood for: Latin letters and signs,
/// punctuation, arrows and symbols, emoji; not (say) CJK, which a run of
/// accented letters and quotes could spell by chance.
fn plausible(c: char) -> bool {
    matches!(u32::from(c), 0x80..=0x7FF | 0x2000..=0x2BFF | 0xFE00..=0xFE0F | 0x1F000..)
}

fn decode(bytes: &[u8]) -> Option<char> {
    std::str::from_utf8(bytes).ok()?.chars().next()
}

/// One mis-encoded sequence at the start of `chars`, read with `byte`:
/// the characters it spans and what it decodes to (None: a sequence cut
/// short, to be dropped).
fn sequence(chars: &[char], byte: fn(char) -> Option<u8>) -> Option<(usize, Option<char>)> {
    let lead = byte(*chars.first()?)?;
    let need = continuation_count(lead)?;
    let mut bytes = vec![lead];
    for c in chars.iter().skip(1).take(need) {
        match byte(*c) {
            Some(b) if is_continuation(b) => bytes.push(b),
            _ => break,
        }
    }
    let len = bytes.len();
    if len == need + 1 {
        return decode(&bytes)
            .filter(|d| plausible(*d))
            .map(|d| (len, Some(d)));
    }
    if len < 2 {
        return None;
    }
    // A byte was lost: the sequence is dropped when what it could have
    // been is a decorative symbol.
    bytes.resize(need + 1, 0x80);
    decode(&bytes)
        .filter(|d| is_decorative(*d))
        .map(|_| (len, None))
}

/// Mac Roman loses the 0xF0 lead of four-byte emoji (it shows as the Apple
/// logo, often dropped): `ü` and two continuation characters.
fn orphan_emoji(chars: &[char]) -> Option<(usize, Option<char>)> {
    let bytes: Vec<u8> = chars
        .iter()
        .take(3)
        .map(|c| mac_roman_byte(*c))
        .collect::<Option<_>>()?;
    if bytes.len() != 3 || bytes[0] != 0x9F || !bytes.iter().all(|b| is_continuation(*b)) {
        return None;
    }
    let d = decode(&[0xF0, bytes[0], bytes[1], bytes[2]])?;
    ('\u{1F000}'..='\u{1FAFF}')
        .contains(&d)
        .then_some((3, Some(d)))
}

/// Repairs UTF-8 that was read as Windows-1252 or Mac Roman ("âœ…",
/// "‚úÖ" → "✅"). Sequences cut short that stood for decorative symbols
/// are dropped; anything else is kept as it is.
pub fn repair(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        // An ASCII character is never part of a mis-encoded sequence.
        if chars[i].is_ascii() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let rest = &chars[i..];
        let mac = || {
            sequence(rest, mac_roman_byte)
                .filter(|(_, d)| d.is_some_and(|d| u32::from(d) >= 0x2000))
                .or_else(|| orphan_emoji(rest))
        };
        match sequence(rest, cp1252_byte).or_else(mac) {
            Some((len, decoded)) => {
                out.extend(decoded);
                i += len;
            }
            None => {
                out.push(chars[i]);
                i += 1;
            }
        }
    }
    out
}

/// Emoji, check marks, dingbats, variation selectors and the like.
pub fn is_decorative(c: char) -> bool {
    matches!(u32::from(c),
        0x1F000..=0x1FAFF
        | 0x2600..=0x27BF
        | 0x2B00..=0x2BFF
        | 0x25A0..=0x25FF
        | 0x231A..=0x231B
        | 0x23E9..=0x23FA
        | 0xFE00..=0xFE0F
        | 0x200D
        | 0x20E3
        | 0xE0020..=0xE007F
        | 0xF8FF)
}

/// Symbols that mark a list line as done, pending or failed.
pub fn is_status_symbol(c: char) -> bool {
    matches!(
        c,
        '✅' | '✔'
            | '✓'
            | '☑'
            | '✗'
            | '✘'
            | '❌'
            | '❎'
            | '✖'
            | '⏳'
            | '⌛'
            | '🔲'
            | '🔳'
            | '☐'
            | '⬜'
            | '⬛'
            | '🟢'
            | '🔴'
            | '🟡'
            | '🟠'
            | '🟩'
            | '🟥'
            | '🟨'
            | '⚠'
            | '🚧'
            | '⭕'
    )
}

/// Whether a (repaired) line starts or ends with a status symbol.
pub fn has_status_mark(repaired: &str) -> bool {
    let t = repaired.trim();
    t.chars().next().is_some_and(is_status_symbol)
        || t.chars()
            .rev()
            .find(|c| !matches!(*c, '\u{FE0F}' | '\u{FE0E}'))
            .is_some_and(is_status_symbol)
}

/// Display text: repaired, decorative symbols and control characters
/// dropped, white space collapsed.
pub fn clean(raw: &str) -> String {
    let repaired = repair(raw);
    let kept: String = repaired
        .chars()
        .filter(|c| !is_decorative(*c))
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let collapsed = kept.split_whitespace().collect::<Vec<_>>().join(" ");
    collapsed
        .trim_matches(|c: char| c == ':' || c == '-' || c.is_whitespace())
        .to_string()
}

/// A heading as a phase name: cleaned, without a leading "1." or "2)".
pub fn heading_name(raw: &str) -> String {
    let text = clean(raw);
    // "Step 3: Canary", "Phase 2 - Cutover": the name after the number.
    let lower = text.to_lowercase();
    for word in ["step ", "phase ", "stage ", "part "] {
        if let Some(rest) = lower.strip_prefix(word) {
            let digits = rest.chars().take_while(char::is_ascii_digit).count();
            let after = rest[digits..].trim_start();
            if digits > 0
                && let Some(name) = after
                    .strip_prefix([':', '.', ')', '-', '—', '–'])
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
            {
                // The same characters of the original text.
                let skip = lower.chars().count() - name.chars().count();
                return text.chars().skip(skip).collect();
            }
        }
    }
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 {
        let rest = &text[digits..];
        if let Some(after) = rest.strip_prefix(['.', ')'])
            && after.starts_with(' ')
        {
            return after.trim().to_string();
        }
    }
    text
}

/// Words that say what kind of document it is, not which service.
const GENERIC: &[&str] = &[
    "a",
    "and",
    "deploy",
    "deployment",
    "deployments",
    "dev",
    "development",
    "docs",
    "documentation",
    "for",
    "go-live",
    "guide",
    "handbook",
    "how",
    "manual",
    "of",
    "ops",
    "operations",
    "prod",
    "production",
    "readiness",
    "release",
    "runbook",
    "staging",
    "the",
    "to",
    "checklist",
    "cutover",
    "launch",
    "playbook",
    "plan",
    "rollout",
];

fn service_words(text: &str) -> String {
    // "Go-Live", "go live": one generic word.
    let lower = clean(text).to_lowercase();
    let text = lower.replace("go-live", " ").replace("go live", " ");
    let words: Vec<String> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '-'))
        .flat_map(|w| w.split('-'))
        .map(str::to_lowercase)
        .filter(|w| !w.is_empty() && !GENERIC.contains(&w.as_str()))
        .collect();
    slug(&words.join(" "))
}

/// The service name: the first H1 without generic words ("Production
/// Deployment Guide" says nothing), else the file name likewise, else the
/// file name's slug.
pub fn service_name(h1: Option<&str>, source: &str) -> String {
    let stem = std::path::Path::new(source)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or(source);
    let from_h1 = h1.map(service_words).unwrap_or_default();
    if !from_h1.is_empty() {
        return from_h1;
    }
    let from_file = service_words(&stem.replace(['_', '.'], " "));
    if !from_file.is_empty() {
        return from_file;
    }
    let fallback = slug(stem);
    if fallback.is_empty() {
        "service".into()
    } else {
        fallback
    }
}

/// A CamelCase name as a slug: `CredLinkAPIHighErrorRate` →
/// `cred-link-api-high-error-rate`.
pub fn camel_slug(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut spaced = String::with_capacity(name.len() + 8);
    for (i, c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).and_then(|p| chars.get(p));
        let next = chars.get(i + 1);
        let boundary = c.is_uppercase()
            && prev.is_some_and(|p| {
                p.is_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_uppercase() && next.is_some_and(|n| n.is_lowercase()))
            });
        if boundary {
            spaced.push(' ');
        }
        spaced.push(*c);
    }
    slug(&spaced)
}

/// A comment line's text: control characters (not allowed in TOML
/// comments) become spaces.
pub fn comment_safe(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}
