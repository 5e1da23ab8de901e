//! A forgiving scan of roles.toml text: where the cursor is (in a header, at a key, in a value
//! of which key) and what the file declares, read from the text alone.
//!
//! While someone types, the file is usually not TOML: `permissions = ["arch` is an unclosed
//! string, and the TOML parser gives up on the whole file. Completion still has to know that
//! the cursor is in a role's `permissions`. So this scan reads the text the way a person does:
//! the last table header above, the dotted key before `=`, the arrays and inline tables open
//! around the cursor, strings, comments. It never fails; what it cannot read it skips, and a
//! new line outside any array starts afresh. Which key means what comes from the one schema
//! table ([`role_gen_core::schema`]), through [`resolve`].

use role_gen_core::schema::{self, Key, Table, Value};

use crate::source::Span;

/// Where the cursor is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spot {
    /// In a table header, typing one of its dotted parts; `parts` are the ones before it.
    Header { double: bool, parts: Vec<String> },
    /// Where a key goes, in the table at `table` (a path from the root); `written` are the
    /// keys it already has.
    Key { table: Vec<String>, written: Vec<String> },
    /// A value of the key at `path`; `listed` holds the strings already in the array the cursor
    /// is in (a name need not be offered twice).
    Value { path: Vec<String>, listed: Vec<String> },
    /// Nowhere a completion helps: a comment, after a value, past a key before its `=`.
    Nothing,
}

/// The cursor's spot, what a completion replaces there, and the quote it is inside, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub spot: Spot,
    /// The partial word at the cursor, inside any quotes: what a completion replaces.
    pub word: Span,
    /// The quote character when the cursor is inside a string.
    pub quote: Option<char>,
}

/// What the scan meets, in file order: for [`crate::lsp::outline`], which reads declarations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A table header's dotted parts; `span` runs from its `[` to the end of its line, `names`
    /// are where each part is written (inside any quotes).
    Header { parts: Vec<String>, names: Vec<Span>, span: Span },
    /// A key written, at its full path from the root (a test's predicate flags are keys).
    Key { path: Vec<String>, span: Span },
    /// A value that is not an array or a table, at its key's path; strings unquoted, `span`
    /// inside any quotes.
    Scalar { path: Vec<String>, text: String, string: bool, span: Span },
}

/// What the scan expects next in the table or array it is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Key,
    Value,
    After,
}

/// An array or inline table open around the place being read.
#[derive(Debug, Clone)]
struct Frame {
    /// The path of the key whose value it is (an array's elements share it).
    path: Vec<String>,
    inline: bool,
    /// An inline table's keys so far.
    written: Vec<String>,
    /// An array's strings so far.
    listed: Vec<String>,
}

/// The most nested arrays and inline tables the scan follows; deeper text is skipped as a
/// whole, so no input makes it use more than this much state.
const MAX_DEPTH: usize = 64;

struct Scanner<'t, 's> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    /// Where the cursor is (`usize::MAX`: read the whole file, for its events).
    stop: usize,
    header: Vec<String>,
    /// The keys written in the current table since its header.
    written: Vec<String>,
    frames: Vec<Frame>,
    mode: Mode,
    /// The dotted key being read, and whether its last part is done (a `.` not yet typed).
    key: Vec<String>,
    key_done: bool,
    /// The path of the value expected or being read.
    value_path: Vec<String>,
    sink: &'s mut dyn FnMut(Event),
}

/// Where `offset` of `text` is.
pub fn cursor(text: &str, offset: usize) -> Cursor {
    let offset = offset.min(text.len());
    let mut ignore = |_: Event| {};
    let mut scanner = Scanner::new(text, offset, &mut ignore);
    scanner.run().unwrap_or_else(|| scanner.at_stop())
}

/// Every header, key and scalar of `text`, in order, to `sink`.
pub fn events(text: &str, sink: &mut dyn FnMut(Event)) {
    let mut scanner = Scanner::new(text, usize::MAX, sink);
    let _ = scanner.run();
}

/// What a path from the root names in the schema.
#[derive(Debug, Clone, Copy)]
pub enum Place {
    /// A table of this shape (a section, an entry, an element of a list of tables).
    Table(&'static Table),
    /// A section of named entries: its keys are names.
    Names,
    /// A key of a table.
    Key(&'static Table, &'static Key),
    Unknown,
}

/// What `path` names: each part a key of the table before it, a section's part after it the
/// entry's name.
pub fn resolve(path: &[String]) -> Place {
    let mut table: &'static Table = &schema::ROOT;
    let mut i = 0;
    while i < path.len() {
        let Some(key) = table.key(&path[i]) else { return Place::Unknown };
        match key.value {
            Value::Named(_) if i + 1 == path.len() => return Place::Names,
            Value::Named(entry) => {
                table = entry;
                i += 1;
            }
            Value::Table(t) | Value::Tables(t) | Value::Inline(t) => table = t,
            _ if i + 1 == path.len() => return Place::Key(table, key),
            _ => return Place::Unknown,
        }
        i += 1;
    }
    Place::Table(table)
}

/// A name part of a key, a bare word: `[A-Za-z0-9_-]`.
pub fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

impl<'t, 's> Scanner<'t, 's> {
    fn new(text: &'t str, stop: usize, sink: &'s mut dyn FnMut(Event)) -> Self {
        Scanner {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            stop,
            header: Vec::new(),
            written: Vec::new(),
            frames: Vec::new(),
            mode: Mode::Key,
            key: Vec::new(),
            key_done: false,
            value_path: Vec::new(),
            sink,
        }
    }

    /// Reads up to the stop; `Some` when the stop fell inside a token (its own answer).
    fn run(&mut self) -> Option<Cursor> {
        while self.pos < self.bytes.len() && self.pos < self.stop {
            let b = self.bytes[self.pos];
            let found = match b {
                b' ' | b'\t' => {
                    self.pos += 1;
                    if self.mode == Mode::Key && !self.key.is_empty() {
                        self.key_done = true;
                    }
                    None
                }
                b'\n' | b'\r' => {
                    self.pos += 1;
                    self.new_line();
                    None
                }
                b'#' => self.comment(),
                _ => match self.mode {
                    Mode::Key => self.in_key(b),
                    Mode::Value => self.in_value(b),
                    Mode::After => {
                        self.after(b);
                        None
                    }
                },
            };
            if found.is_some() {
                return found;
            }
        }
        None
    }

    /// A line break: outside arrays and inline tables a statement ends. Inside them the value
    /// goes on (arrays span lines; TOML 1.1 inline tables too), unless the next line reads as
    /// a table header, or as `key =` inside an array: then the array was left open by someone
    /// still typing, and the scan closes it rather than read the rest of the file as its values
    /// (no key of roles.toml holds nested arrays, so `[word` starts no element).
    fn new_line(&mut self) {
        let rest = self.text.get(self.pos..).unwrap_or_default().trim_start_matches([' ', '\t']);
        let left_open =
            looks_like_header(rest) || (looks_like_key(rest) && self.frames.last().is_some_and(|f| !f.inline));
        if self.frames.is_empty() || left_open {
            self.frames.clear();
            self.mode = Mode::Key;
            self.key.clear();
            self.key_done = false;
        }
    }

    fn comment(&mut self) -> Option<Cursor> {
        let end = self.line_end(self.pos);
        if self.stop <= end {
            return Some(Cursor { spot: Spot::Nothing, word: self.stop..self.stop, quote: None });
        }
        self.pos = end;
        None
    }

    fn line_end(&self, from: usize) -> usize {
        self.bytes[from..].iter().position(|&b| b == b'\n' || b == b'\r').map_or(self.bytes.len(), |i| from + i)
    }

    /// The path keys are written under here: the header's, or the inline table's.
    fn base(&self) -> Vec<String> {
        self.frames.last().map_or_else(|| self.header.clone(), |f| f.path.clone())
    }

    fn in_key(&mut self, b: u8) -> Option<Cursor> {
        match b {
            b'[' if self.frames.is_empty() && self.key.is_empty() => return self.table_header(),
            b'"' | b'\'' => {
                let (value, quote, inner, end) = self.string();
                if inner.start <= self.stop && self.stop <= inner.end {
                    let word = inner.start..self.stop;
                    return Some(Cursor { spot: self.key_spot(), word, quote: Some(quote) });
                }
                self.key_part(value, inner.start..end);
            }
            b'.' => {
                self.pos += 1;
                self.key_done = false;
            }
            b'=' => {
                self.pos += 1;
                self.key_equals();
            }
            b',' if self.frames.last().is_some_and(|f| f.inline) => self.pos += 1,
            b'}' | b']' if !self.frames.is_empty() => self.close(b),
            _ if is_key_byte(b) => {
                let start = self.pos;
                let end = start + self.bytes[start..].iter().take_while(|&&b| is_key_byte(b)).count();
                if self.stop <= end && !self.key_done {
                    return Some(Cursor { spot: self.key_spot(), word: start..self.stop, quote: None });
                }
                self.pos = end;
                self.key_part(self.text[start..end].to_string(), start..end);
            }
            _ => self.skip(),
        }
        None
    }

    /// Past the character at `self.pos`, whole (a scan position is always a character boundary).
    fn skip(&mut self) {
        let width = match self.bytes[self.pos] {
            b if b < 0x80 => 1,
            b if b >= 0xF0 => 4,
            b if b >= 0xE0 => 3,
            _ => 2,
        };
        self.pos = (self.pos + width).min(self.bytes.len());
    }

    /// Where a key is being typed: the table its dotted parts so far lead to.
    fn key_spot(&self) -> Spot {
        if self.key_done {
            return Spot::Nothing;
        }
        let mut table = self.base();
        table.extend(self.key.iter().cloned());
        let written = match self.frames.last() {
            Some(frame) if self.key.is_empty() => frame.written.clone(),
            None if self.key.is_empty() => self.written.clone(),
            _ => Vec::new(),
        };
        Spot::Key { table, written }
    }

    fn key_part(&mut self, part: String, span: Span) {
        if self.key_done {
            // `a b = 1`: not a key; the line is skipped.
            self.mode = Mode::After;
            return;
        }
        self.key.push(part);
        self.key_done = true;
        let mut path = self.base();
        path.extend(self.key.iter().cloned());
        (self.sink)(Event::Key { path, span });
    }

    fn key_equals(&mut self) {
        let mut path = self.base();
        path.extend(self.key.iter().cloned());
        if let Some(first) = self.key.first().cloned() {
            match self.frames.last_mut() {
                Some(frame) => frame.written.push(first),
                None => self.written.push(first),
            }
        }
        self.value_path = path;
        self.key.clear();
        self.key_done = false;
        self.mode = Mode::Value;
    }

    fn in_value(&mut self, b: u8) -> Option<Cursor> {
        match b {
            b'"' | b'\'' => {
                let (value, quote, inner, _) = self.string();
                if inner.start <= self.stop && self.stop <= inner.end {
                    let word = inner.start..self.stop;
                    return Some(Cursor { spot: self.value_spot(), word, quote: Some(quote) });
                }
                self.scalar(value, true, inner);
            }
            b'[' | b'{' => self.open(b == b'{'),
            b']' | b'}' => self.close(b),
            b',' => self.pos += 1,
            _ => {
                let start = self.pos;
                let end = start + self.bytes[start..].iter().take_while(|&&b| !b",]}#\n\r \t".contains(&b)).count();
                if self.stop <= end {
                    return Some(Cursor { spot: self.value_spot(), word: start..self.stop, quote: None });
                }
                self.pos = end.max(start + 1);
                let text = self.text.get(start..end).unwrap_or_default().to_string();
                self.scalar(text, false, start..end);
            }
        }
        None
    }

    fn value_spot(&self) -> Spot {
        let listed = match self.frames.last() {
            Some(frame) if !frame.inline => frame.listed.clone(),
            _ => Vec::new(),
        };
        Spot::Value { path: self.value_path.clone(), listed }
    }

    fn scalar(&mut self, text: String, string: bool, span: Span) {
        if let Some(frame) = self.frames.last_mut().filter(|f| !f.inline && string) {
            frame.listed.push(text.clone());
        }
        (self.sink)(Event::Scalar { path: self.value_path.clone(), text, string, span });
        self.after_value();
    }

    /// After a value: in an array, the next element shares its path.
    fn after_value(&mut self) {
        self.mode = Mode::After;
        if let Some(frame) = self.frames.last() {
            self.value_path = frame.path.clone();
        }
    }

    fn open(&mut self, inline: bool) {
        self.pos += 1;
        if self.frames.len() >= MAX_DEPTH {
            self.skip_nested();
            return;
        }
        let path = self.value_path.clone();
        self.frames.push(Frame { path, inline, written: Vec::new(), listed: Vec::new() });
        self.mode = if inline { Mode::Key } else { Mode::Value };
        self.key.clear();
        self.key_done = false;
    }

    /// Past everything up to the bracket that closes the one just opened, strings and all.
    fn skip_nested(&mut self) {
        let mut depth = 1usize;
        while self.pos < self.bytes.len() && depth > 0 {
            match self.bytes[self.pos] {
                b'[' | b'{' => depth += 1,
                b']' | b'}' => depth -= 1,
                b'"' | b'\'' => {
                    self.string();
                    continue;
                }
                _ => {}
            }
            self.pos += 1;
        }
        self.after_value();
    }

    fn close(&mut self, b: u8) {
        self.pos += 1;
        let wanted_inline = b == b'}';
        if self.frames.last().is_some_and(|f| f.inline == wanted_inline) {
            self.frames.pop();
        }
        self.after_value();
    }

    fn after(&mut self, b: u8) {
        match b {
            b',' => {
                self.pos += 1;
                match self.frames.last() {
                    Some(f) if f.inline => {
                        self.mode = Mode::Key;
                        self.key.clear();
                        self.key_done = false;
                    }
                    Some(f) => {
                        self.value_path = f.path.clone();
                        self.mode = Mode::Value;
                    }
                    None => {}
                }
            }
            b']' | b'}' => self.close(b),
            _ => self.skip(),
        }
    }

    /// `[a.b]` or `[[a.b]]`, at `self.pos`.
    fn table_header(&mut self) -> Option<Cursor> {
        let open = self.pos;
        let double = self.bytes.get(self.pos + 1) == Some(&b'[');
        self.pos += if double { 2 } else { 1 };
        let mut parts: Vec<String> = Vec::new();
        let mut names: Vec<Span> = Vec::new();
        let end = self.line_end(self.pos);
        while self.pos < end {
            let b = self.bytes[self.pos];
            match b {
                b']' => break,
                b' ' | b'\t' | b'.' => self.pos += 1,
                b'"' | b'\'' => {
                    let (value, quote, inner, _) = self.string();
                    if inner.start <= self.stop && self.stop <= inner.end {
                        let spot = Spot::Header { double, parts };
                        return Some(Cursor { spot, word: inner.start..self.stop, quote: Some(quote) });
                    }
                    parts.push(value);
                    names.push(inner);
                }
                _ => {
                    let start = self.pos;
                    let word = self.bytes[start..end].iter().take_while(|&&b| is_key_byte(b)).count().max(1);
                    if self.stop <= start + word {
                        let spot = Spot::Header { double, parts };
                        return Some(Cursor { spot, word: start..self.stop, quote: None });
                    }
                    parts.push(self.text.get(start..start + word).unwrap_or_default().to_string());
                    names.push(start..start + word);
                    self.pos = start + word;
                }
            }
        }
        if self.stop <= self.pos {
            let spot = Spot::Header { double, parts };
            return Some(Cursor { spot, word: self.stop..self.stop, quote: None });
        }
        (self.sink)(Event::Header { parts: parts.clone(), names, span: open..end });
        self.header = parts;
        self.written.clear();
        self.mode = Mode::After;
        self.pos = end;
        None
    }

    /// A string at `self.pos`: its value (escapes decoded), its quote, the span inside its
    /// quotes (to the end of the line, or of the text for a multi-line one, when unclosed)
    /// and where it ends.
    fn string(&mut self) -> (String, char, Span, usize) {
        let quote = self.bytes[self.pos];
        let triple = self.bytes[self.pos..].starts_with(if quote == b'"' { b"\"\"\"" } else { b"'''" });
        let open = if triple { 3 } else { 1 };
        let inner_start = self.pos + open;
        let (inner_end, end) = if triple {
            let delimiter = if quote == b'"' { "\"\"\"" } else { "'''" };
            match self.text.get(inner_start..).and_then(|rest| rest.find(delimiter)) {
                Some(i) => (inner_start + i, inner_start + i + 3),
                None => (self.bytes.len(), self.bytes.len()),
            }
        } else {
            self.single_line_end(inner_start, quote)
        };
        self.pos = end.max(self.pos + 1);
        let raw = self.text.get(inner_start..inner_end).unwrap_or_default();
        let value = if quote == b'"' && raw.contains('\\') { unescape(raw) } else { raw.to_string() };
        (value, char::from(quote), inner_start..inner_end, end)
    }

    /// Where a one-line string's contents end and the string ends: at its closing quote (not
    /// an escaped one in a basic string), else at the end of the line.
    fn single_line_end(&self, from: usize, quote: u8) -> (usize, usize) {
        let mut i = from;
        while i < self.bytes.len() {
            match self.bytes[i] {
                b'\\' if quote == b'"' => i += 2,
                b'\n' | b'\r' => return (i, i),
                b if b == quote => return (i, i + 1),
                _ => i += 1,
            }
        }
        let end = self.bytes.len();
        (end, end)
    }

    /// The answer when the stop falls between tokens.
    fn at_stop(&self) -> Cursor {
        let at = self.stop.min(self.bytes.len());
        let spot = match self.mode {
            Mode::Key => self.key_spot(),
            Mode::Value => self.value_spot(),
            Mode::After => Spot::Nothing,
        };
        Cursor { spot, word: at..at, quote: None }
    }
}

/// `[name…` or `[[name…`: a table header, not an array.
fn looks_like_header(line: &str) -> bool {
    let rest = line.strip_prefix("[[").or_else(|| line.strip_prefix('[')).map(|r| r.trim_start_matches([' ', '\t']));
    rest.and_then(|r| r.bytes().next()).is_some_and(is_key_byte)
}

/// `name =` or `a.b =`: a key, not an array's element.
fn looks_like_key(line: &str) -> bool {
    let key = line.bytes().take_while(|&b| is_key_byte(b) || b == b'.' || b == b' ' || b == b'\t').count();
    key > 0 && line.as_bytes()[0] != b'.' && line[key..].starts_with('=') && !line[key..].starts_with("==")
}

/// A basic string's escapes decoded, as TOML decodes them (what the parser would give).
fn unescape(raw: &str) -> String {
    let literal = format!("v = \"{raw}\"");
    match literal.parse::<toml::Table>().ok().and_then(|t| t.get("v").and_then(|v| v.as_str().map(String::from))) {
        Some(value) => value,
        None => raw.to_string(),
    }
}

#[cfg(test)]
mod tests;
