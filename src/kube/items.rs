//! A Kubernetes list (`{"kind": ..., "items": [...]}`) read as it
//! arrives: the bytes are fed in pieces of any size and each element of
//! `items` is handed over, whole, as soon as its last byte is in. Only the
//! element being read is held, so a list of 100,000 objects never sits in
//! memory at once.
//!
//! The splitter knows JSON's strings, escapes and nesting and nothing
//! more: each element is parsed by its consumer (serde_json), and the
//! document around the list is checked for its shape (one object, closed,
//! nothing after it).

/// An element larger than this is refused: no object of a list this
/// reads comes near it, and a server that never closes one must not make
/// the buffer grow without end.
pub const MAX_ITEM: usize = 1 << 20;

/// Feeds pieces of a list and hands over its items.
#[derive(Debug, Default)]
pub struct Splitter {
    /// Bytes not consumed yet: from the start of the element being read,
    /// or nothing between elements.
    buf: Vec<u8>,
    /// Nesting depth at the scan position (objects and arrays open), and
    /// which bracket opened each level.
    depth: u32,
    open: Vec<u8>,
    in_string: bool,
    escaped: bool,
    /// The text of the string being read at depth 1, while it may still
    /// be `items` (a key of the list object).
    key: Vec<u8>,
    /// The last string at depth 1 was `items`: an array opened next at
    /// depth 1 is the list.
    after_items_key: bool,
    /// Inside the `items` array (at depth 2 between its elements).
    in_items: bool,
    /// Where the element being read starts in `buf`.
    start: Option<usize>,
    /// The top-level object opened, and closed.
    opened: bool,
    closed: bool,
    /// Bytes seen, for the position in an error.
    offset: usize,
    /// Items handed over.
    count: usize,
}

/// Why a list could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SplitError {
    #[error("not a JSON object (byte {0})")]
    NotAnObject(usize),
    #[error("a bracket closes what it did not open (byte {0})")]
    Mismatched(usize),
    #[error("text after the end of the list (byte {0})")]
    Trailing(usize),
    #[error("item {0} of the list is not an object")]
    ItemNotObject(usize),
    #[error("item {0} of the list is larger than {max} bytes", max = MAX_ITEM)]
    ItemTooLarge(usize),
    #[error("the list ends early, after {0} bytes")]
    Truncated(usize),
    #[error("item {item} of the list: {error}")]
    Item { item: usize, error: String },
}

impl Splitter {
    pub fn new() -> Splitter {
        Splitter::default()
    }

    /// How many items were handed over.
    pub fn count(&self) -> usize {
        self.count
    }

    /// Scans `piece`, calling `item` with each element of `items` that
    /// ends in it (with the bytes of the element, from `{` to `}`). An
    /// error of `item` stops the read.
    pub fn feed<E: std::fmt::Display>(
        &mut self,
        piece: &[u8],
        item: &mut impl FnMut(&[u8]) -> Result<(), E>,
    ) -> Result<(), SplitError> {
        if self.buf.is_empty() {
            // Between elements: the piece is scanned where it is, and only
            // an element that it does not finish is copied.
            if let Some(from) = self.scan(piece, 0, item)? {
                self.buf.extend_from_slice(&piece[from..]);
                self.start = Some(0);
            }
        } else {
            // The element begun before: every byte of `buf` is scanned.
            let mut buf = std::mem::take(&mut self.buf);
            let scanned = buf.len();
            buf.extend_from_slice(piece);
            let result = self.scan(&buf, scanned, item);
            match result {
                Ok(Some(from)) => {
                    buf.drain(..from);
                    self.start = Some(0);
                    self.buf = buf;
                }
                Ok(None) => {
                    buf.clear();
                    self.buf = buf;
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Scans `data` from `from`; returns where the element that does not
    /// end in it starts.
    fn scan<E: std::fmt::Display>(
        &mut self,
        data: &[u8],
        from: usize,
        item: &mut impl FnMut(&[u8]) -> Result<(), E>,
    ) -> Result<Option<usize>, SplitError> {
        let mut i = from;
        while i < data.len() {
            let b = data[i];
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                    if self.depth == 1 {
                        // An escape in a key: not a plain `items`.
                        self.key.push(b'\\');
                    }
                    i += 1;
                    continue;
                }
                // The rest of the string up to a quote or a backslash.
                let rest = &data[i..];
                let n = memchr::memchr2(b'"', b'\\', rest).unwrap_or(rest.len());
                if self.depth == 1 && self.key.len() <= 8 {
                    self.key.extend_from_slice(&rest[..n.min(9)]);
                }
                i += n;
                if i < data.len() {
                    if data[i] == b'\\' {
                        self.escaped = true;
                    } else {
                        self.in_string = false;
                        if self.depth == 1 {
                            self.after_items_key = self.key == b"items";
                        }
                    }
                    i += 1;
                }
                continue;
            }
            let at = self.offset + (i - from);
            match b {
                b' ' | b'\t' | b'\n' | b'\r' => {}
                _ if self.closed => return Err(SplitError::Trailing(at)),
                _ if !self.opened => {
                    if b != b'{' {
                        return Err(SplitError::NotAnObject(at));
                    }
                    self.opened = true;
                    self.open.push(b'{');
                    self.depth = 1;
                }
                b'"' => {
                    self.in_string = true;
                    if self.depth == 1 {
                        self.key.clear();
                    }
                    self.not_an_item()?;
                }
                b'{' | b'[' => {
                    self.open.push(b);
                    if self.in_items && self.depth == 2 {
                        if b != b'{' {
                            return Err(SplitError::ItemNotObject(self.count + 1));
                        }
                        self.start = Some(i);
                    } else if b == b'[' && self.depth == 1 && self.after_items_key {
                        self.in_items = true;
                    }
                    self.depth += 1;
                }
                b'}' | b']' => {
                    let opener = if b == b'}' { b'{' } else { b'[' };
                    if self.open.pop() != Some(opener) {
                        return Err(SplitError::Mismatched(at));
                    }
                    self.depth -= 1;
                    if self.in_items && self.depth == 2 {
                        if let Some(start) = self.start.take() {
                            self.count += 1;
                            item(&data[start..=i]).map_err(|e| SplitError::Item {
                                item: self.count,
                                error: e.to_string(),
                            })?;
                        }
                    } else if self.in_items && self.depth == 1 {
                        self.in_items = false;
                    } else if self.depth == 0 {
                        self.closed = true;
                    }
                    if self.depth == 1 {
                        self.after_items_key = false;
                    }
                }
                b',' | b':' => {}
                _ => self.not_an_item()?,
            }
            i += 1;
        }
        self.offset += data.len() - from;
        match self.start {
            Some(start) if data.len() - start > MAX_ITEM => {
                Err(SplitError::ItemTooLarge(self.count + 1))
            }
            start => Ok(start),
        }
    }

    /// A value begins: at depth 2 of `items` it is an element that is not
    /// an object.
    fn not_an_item(&self) -> Result<(), SplitError> {
        if self.in_items && self.depth == 2 {
            return Err(SplitError::ItemNotObject(self.count + 1));
        }
        Ok(())
    }

    /// The end of the body: the list must be closed.
    pub fn finish(&self) -> Result<(), SplitError> {
        if self.closed {
            Ok(())
        } else if !self.opened {
            Err(SplitError::NotAnObject(self.offset))
        } else {
            Err(SplitError::Truncated(self.offset))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The items of `body` fed in pieces cut at `cuts`.
    fn split(body: &[u8], cuts: &[usize]) -> Result<Vec<String>, SplitError> {
        let mut s = Splitter::new();
        let mut got = Vec::new();
        let mut at = 0;
        let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (body.len() + 1)).collect();
        cuts.sort_unstable();
        cuts.push(body.len());
        for cut in cuts {
            s.feed(&body[at..cut], &mut |item: &[u8]| {
                got.push(String::from_utf8_lossy(item).into_owned());
                Ok::<(), String>(())
            })?;
            at = cut;
        }
        s.finish()?;
        assert_eq!(s.count(), got.len());
        Ok(got)
    }

    const LIST: &str = r#" {"kind":"PodMetricsList","metadata":{"items":[{"no":1}]},
        "note":"items [ { \" } ] \\",
        "items": [ {"metadata":{"name":"a]}"},"x":[1,{"y":"}"}]} ,
                   {"metadata":{"name":"b \"q\" \\"}} ],
        "after":[{"z":1}]} "#;

    #[test]
    fn each_item_of_the_list_is_handed_over_whole_and_nothing_else_is() {
        let got = split(LIST.as_bytes(), &[]).unwrap();
        assert_eq!(
            got,
            [
                r#"{"metadata":{"name":"a]}"},"x":[1,{"y":"}"}]}"#,
                r#"{"metadata":{"name":"b \"q\" \\"}}"#,
            ]
        );
        for body in [
            r#"{"items":[]}"#,
            r#"{"items":null}"#,
            "{}",
            r#"{"kind":"items"}"#,
        ] {
            assert_eq!(
                split(body.as_bytes(), &[]).unwrap(),
                Vec::<String>::new(),
                "{body}"
            );
        }
        // A key that only looks like `items`.
        let got = split(br#"{"items2":[{"a":1}],"\u0069tems":[{"b":2}]}"#, &[]).unwrap();
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn a_body_that_is_not_a_list_says_what_and_where() {
        let err = |body: &str| split(body.as_bytes(), &[]).unwrap_err();
        assert_eq!(err("<html>"), SplitError::NotAnObject(0));
        assert_eq!(err(""), SplitError::NotAnObject(0));
        assert_eq!(err(r#"{"items":[]} {"#), SplitError::Trailing(13));
        assert_eq!(err(r#"{"items":[}"#), SplitError::Mismatched(10));
        assert_eq!(
            err(r#"{"items":[{"a":1}, 7]}"#),
            SplitError::ItemNotObject(2)
        );
        assert_eq!(err(r#"{"items":["x"]}"#), SplitError::ItemNotObject(1));
        assert_eq!(err(r#"{"items":[{"a":"#), SplitError::Truncated(15));
        assert_eq!(err(r#"{"items":[{"a":"\"}]}"#), SplitError::Truncated(21));
        // An element that never ends stops the read once it is too large.
        let mut s = Splitter::new();
        let mut fed = Ok(());
        let piece = [b' '; 4096];
        s.feed(br#"{"items":[{"a":"#, &mut |_: &[u8]| Ok::<(), String>(()))
            .unwrap();
        for _ in 0..(MAX_ITEM / piece.len() + 2) {
            fed = s.feed(&piece, &mut |_: &[u8]| Ok::<(), String>(()));
            if fed.is_err() {
                break;
            }
        }
        assert_eq!(fed, Err(SplitError::ItemTooLarge(1)));
        // The consumer's error names the item.
        let mut s = Splitter::new();
        let e = s
            .feed(br#"{"items":[{},{}]}"#, &mut |_: &[u8]| Err("bad"))
            .unwrap_err();
        assert_eq!(
            e,
            SplitError::Item {
                item: 1,
                error: "bad".into()
            }
        );
    }

    proptest! {
        /// However the body is cut into pieces, the same items come out,
        /// and the same error.
        #[test]
        fn pieces_of_any_size_read_as_the_whole(cuts in proptest::collection::vec(0usize..400, 0..12)) {
            let whole = split(LIST.as_bytes(), &[]);
            prop_assert_eq!(split(LIST.as_bytes(), &cuts), whole);
            let bad = br#"{"items":[{"a":"[\"}"}, {"b":[1,2]}],"c":1} x"#;
            prop_assert_eq!(split(bad, &cuts), split(bad, &[]));
        }
    }
}
