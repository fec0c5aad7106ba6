//! Condition text to an expression. Every error carries the character
//! offset where it was found.

use super::ConditionError;
use super::ast::{CountKey, Expr, Kind, Literal, Op, Operand, Placeholder, Segment, Side};
use super::check::check;
use super::error::{Result, fail};

const PLACEHOLDERS: &[&str] = &[
    "STATUS",
    "RESPONSE_TIME",
    "BODY",
    "HEADER",
    "CERTIFICATE_EXPIRATION",
    "CONNECTED",
    "HEALTH",
    "STATUS_COUNT",
];
const FUNCTIONS: &[&str] = &["len", "has", "pat", "any"];
const OPERATORS: &str = "==, !=, <, <=, >, >=";

pub(crate) fn parse(text: &str) -> Result<Expr> {
    let mut p = Parser {
        chars: text.chars().collect(),
        pos: 0,
    };
    p.skip_ws();
    if p.peek().is_none() {
        return fail(p.pos, "empty condition: expected e.g. [STATUS] == 200");
    }
    let mut left = p.operand(false)?;
    p.skip_ws();
    let op_at = p.pos;
    let (op, mut right) = if p.peek().is_none() {
        if left.kind() != Some(Kind::Bool) {
            return fail(
                p.pos,
                format!("expected an operator ({OPERATORS}) after {}", left.shown),
            );
        }
        let at = p.pos;
        let truth = Literal {
            text: "true".into(),
            quoted: false,
            at,
            ms: None,
        };
        let shown = "true".into();
        let operand = Operand::Literal(truth);
        (Op::Eq, Side { operand, at, shown })
    } else {
        let op = p.operator()?;
        p.skip_ws();
        if p.peek().is_none() {
            return fail(p.pos, format!("expected a value after {op}"));
        }
        let right = p.operand(false)?;
        p.skip_ws();
        if p.peek().is_some() {
            let at = p.pos;
            let rest = p.word(false);
            return fail(
                at,
                format!(
                    "unexpected \"{rest}\" after the condition (quote a value that contains spaces)"
                ),
            );
        }
        (op, right)
    };
    check(&mut left, op, op_at, &mut right)?;
    Ok(Expr { left, op, right })
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> String {
        let start = self.pos;
        while self.peek().is_some_and(&keep) {
            self.pos += 1;
        }
        self.chars[start..self.pos].iter().collect()
    }

    /// A bare word: up to white space, and in a list also `,` and `)`.
    fn word(&mut self, in_list: bool) -> String {
        self.take_while(|c| !c.is_whitespace() && !(in_list && (c == ',' || c == ')')))
    }

    fn expect(&mut self, want: char, message: &str) -> Result<()> {
        if self.peek() == Some(want) {
            self.pos += 1;
            Ok(())
        } else {
            fail(self.pos, self.found(message))
        }
    }

    /// `message`, and what is at the current position instead.
    fn found(&self, message: &str) -> String {
        match self.peek() {
            None => format!("{message}, found the end of the condition"),
            Some(c) => format!("{message}, found \"{c}\""),
        }
    }

    fn operand(&mut self, in_list: bool) -> Result<Side> {
        let at = self.pos;
        let operand = match self.peek() {
            Some('[') => Operand::Placeholder(self.placeholder()?),
            Some('"' | '\'') => Operand::Literal(self.quoted()?),
            _ => {
                let ident: String = self.chars[at..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == '_')
                    .collect();
                let after = at + ident.chars().count();
                if !ident.is_empty() && self.chars.get(after) == Some(&'(') {
                    self.pos = after + 1;
                    self.function(&ident, at, in_list)?
                } else {
                    let text = self.word(in_list);
                    if text.is_empty() {
                        return fail(at, self.found("expected a value"));
                    }
                    Operand::Literal(Literal {
                        text,
                        quoted: false,
                        at,
                        ms: None,
                    })
                }
            }
        };
        let shown = self.chars[at..self.pos].iter().collect();
        Ok(Side { operand, at, shown })
    }

    fn quoted(&mut self) -> Result<Literal> {
        let at = self.pos;
        let quote = self.chars[at];
        self.pos += 1;
        let mut text = String::new();
        loop {
            match self.peek() {
                None => return fail(at, format!("string is not closed: expected {quote}")),
                Some('\\') if self.chars.get(self.pos + 1).is_some() => {
                    text.push(self.chars[self.pos + 1]);
                    self.pos += 2;
                }
                Some(c) => {
                    self.pos += 1;
                    if c == quote {
                        break;
                    }
                    text.push(c);
                }
            }
        }
        Ok(Literal {
            text,
            quoted: true,
            at,
            ms: None,
        })
    }

    fn function(&mut self, name: &str, at: usize, in_list: bool) -> Result<Operand> {
        match name {
            "len" | "has" => {
                self.skip_ws();
                let arg_at = self.pos;
                let takes = if name == "len" {
                    "len() takes [BODY], [BODY].path or [HEADER].Name"
                } else {
                    "has() takes [BODY].path or [HEADER].Name"
                };
                if self.peek() != Some('[') {
                    return fail(arg_at, self.found(takes));
                }
                let p = self.placeholder()?;
                let fits = match &p {
                    Placeholder::Body(path) => name == "len" || !path.is_empty(),
                    Placeholder::Header(_) => true,
                    _ => false,
                };
                if !fits {
                    return fail(arg_at, takes);
                }
                self.skip_ws();
                self.expect(')', &format!("expected ) to close {name}("))?;
                Ok(if name == "len" {
                    Operand::Len(p)
                } else {
                    Operand::Has(p)
                })
            }
            "pat" => {
                self.skip_ws();
                let pattern = if matches!(self.peek(), Some('"' | '\'')) {
                    let lit = self.quoted()?;
                    self.skip_ws();
                    lit.text
                } else {
                    let raw = self.take_while(|c| c != ')');
                    raw.trim_end().to_string()
                };
                if self.peek().is_none() {
                    return fail(self.pos, "pat( is not closed: expected )");
                }
                if pattern.is_empty() {
                    return fail(self.pos, "pat() needs a pattern, such as pat(*ok*)");
                }
                self.pos += 1;
                Ok(Operand::Pat(pattern))
            }
            "any" if in_list => fail(at, "any() cannot be nested"),
            "any" => self.any(),
            _ => {
                let lower = name.to_ascii_lowercase();
                let hint = closest(&lower, FUNCTIONS)
                    .map_or(String::new(), |f| format!(": did you mean {f}()?"));
                fail(
                    at,
                    format!("unknown function {name}() (known: len, has, pat, any){hint}"),
                )
            }
        }
    }

    fn any(&mut self) -> Result<Operand> {
        let mut values = Vec::new();
        loop {
            self.skip_ws();
            let at = self.pos;
            match self.peek() {
                Some(')') if values.is_empty() => {
                    return fail(at, "any() needs at least one value, such as any(200, 204)");
                }
                Some(')' | ',') => return fail(at, self.found("expected a value after the comma")),
                Some('[') => return fail(at, "any() takes values, not placeholders"),
                None => return fail(at, "any( is not closed: expected )"),
                _ => {}
            }
            let value = self.operand(true)?;
            if matches!(value.operand, Operand::Len(_) | Operand::Has(_)) {
                return fail(at, "any() takes values and pat(), not len() or has()");
            }
            values.push(value.operand);
            self.skip_ws();
            match self.peek() {
                Some(',') => self.pos += 1,
                Some(')') => {
                    self.pos += 1;
                    return Ok(Operand::Any(values));
                }
                None => return fail(self.pos, "any( is not closed: expected )"),
                Some(_) => return fail(self.pos, self.found("expected , or ) in any()")),
            }
        }
    }

    fn placeholder(&mut self) -> Result<Placeholder> {
        let at = self.pos;
        self.pos += 1;
        let name = self.take_while(|c| c.is_ascii_alphanumeric() || c == '_');
        if self.peek() != Some(']') {
            return fail(
                self.pos,
                self.found(&format!("expected ] to close [{name}")),
            );
        }
        self.pos += 1;
        let simple = match name.as_str() {
            "STATUS" => Some(Placeholder::Status),
            "RESPONSE_TIME" => Some(Placeholder::ResponseTime),
            "CERTIFICATE_EXPIRATION" => Some(Placeholder::CertificateExpiration),
            "CONNECTED" => Some(Placeholder::Connected),
            "HEALTH" => Some(Placeholder::Health),
            _ => None,
        };
        if let Some(p) = simple {
            if matches!(self.peek(), Some('.' | '[')) {
                return fail(
                    self.pos,
                    format!("[{name}] takes no path (only [BODY], [HEADER] and [STATUS_COUNT] do)"),
                );
            }
            return Ok(p);
        }
        match name.as_str() {
            "BODY" => Ok(Placeholder::Body(self.path()?)),
            "HEADER" => {
                self.expect('.', "[HEADER] needs a name, as in [HEADER].Content-Type")?;
                let name_at = self.pos;
                let header =
                    self.take_while(|c| c.is_ascii_alphanumeric() || "-_.~'*+#$%&^|`".contains(c));
                if header.is_empty() {
                    return fail(
                        name_at,
                        self.found("expected a header name after [HEADER]."),
                    );
                }
                Ok(Placeholder::Header(header))
            }
            "STATUS_COUNT" => {
                let message =
                    "[STATUS_COUNT] needs a status, as in [STATUS_COUNT].429 or [STATUS_COUNT].5xx";
                self.expect('.', message)?;
                let key_at = self.pos;
                let key = self.take_while(|c| c.is_ascii_alphanumeric());
                count_key(&key).map(Placeholder::StatusCount).ok_or(ConditionError {
                    at: key_at,
                    message: format!(
                        "expected a status code (100 to 599) or a class (1xx to 5xx) after [STATUS_COUNT]., found \"{key}\""
                    ),
                })
            }
            _ => {
                let hint = closest(&name.to_ascii_uppercase(), PLACEHOLDERS).map_or_else(
                    || format!(" (known: [{}])", PLACEHOLDERS.join("], [")),
                    |p| format!(": did you mean [{p}]?"),
                );
                fail(at, format!("unknown placeholder [{name}]{hint}"))
            }
        }
    }

    fn path(&mut self) -> Result<Vec<Segment>> {
        let mut path = Vec::new();
        loop {
            match self.peek() {
                Some('.') => {
                    self.pos += 1;
                    let key_at = self.pos;
                    let key = self.take_while(|c| !c.is_whitespace() && !".[]()=<>!,".contains(c));
                    if key.is_empty() {
                        return fail(
                            key_at,
                            self.found("expected a key after . in the [BODY] path (quote odd keys: [\"a.b\"])"),
                        );
                    }
                    path.push(Segment::Key(key));
                }
                Some('[') => {
                    self.pos += 1;
                    let at = self.pos;
                    let segment = if matches!(self.peek(), Some('"' | '\'')) {
                        Segment::Key(self.quoted()?.text)
                    } else {
                        let digits = self.take_while(|c| c.is_ascii_digit() || c == '-');
                        match digits.parse::<i64>() {
                            Ok(i) => Segment::Index(i),
                            Err(_) => {
                                return fail(
                                    at,
                                    "expected an index such as [0] or [-1], or a quoted key such as [\"a b\"]",
                                );
                            }
                        }
                    };
                    self.expect(']', "expected ] to close the index")?;
                    path.push(segment);
                }
                _ => return Ok(path),
            }
        }
    }

    fn operator(&mut self) -> Result<Op> {
        let at = self.pos;
        let run = self.take_while(|c| "=!<>".contains(c));
        match run.as_str() {
            "==" => Ok(Op::Eq),
            "!=" => Ok(Op::Ne),
            "<" => Ok(Op::Lt),
            "<=" => Ok(Op::Le),
            ">" => Ok(Op::Gt),
            ">=" => Ok(Op::Ge),
            "=" => fail(at, "single \"=\": use == to compare"),
            "" => {
                let word = self.word(false);
                fail(
                    at,
                    format!("expected an operator ({OPERATORS}), found \"{word}\""),
                )
            }
            other => fail(
                at,
                format!("unknown operator \"{other}\": expected one of {OPERATORS}"),
            ),
        }
    }
}

fn count_key(key: &str) -> Option<CountKey> {
    let b = key.as_bytes();
    if b.len() == 3 && (b'1'..=b'5').contains(&b[0]) && key[1..].eq_ignore_ascii_case("xx") {
        return Some(CountKey::Class(u16::from(b[0] - b'0')));
    }
    key.parse::<u16>()
        .ok()
        .filter(|c| (100..=599).contains(c) && b.len() == 3)
        .map(CountKey::Code)
}

/// The known name closest to a misspelt one, if close enough.
fn closest<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    let name = name.to_ascii_lowercase();
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(&name, &k.to_ascii_lowercase()), *k))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}
