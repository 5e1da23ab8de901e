//! Escaping for every language a string lands in. Views call these; templates never escape.
//!
//! Descriptions may hold any Unicode. Printable text is kept as written, so non-English
//! descriptions stay readable; control characters, bidi overrides and invisible characters are
//! always written as escapes (rustc refuses raw bidi controls, and they can make code read
//! differently from how it compiles).

use std::fmt::Write as _;

/// Characters that must never appear raw in generated code or on a terminal.
pub fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{00ad}' | '\u{061c}' | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}'
            | '\u{feff}' | '\u{fff9}'..='\u{fffb}'
            | '\u{e0000}'..='\u{e007f}')
}

/// The inside of a double-quoted string literal: quotes, backslashes and the common controls
/// get their short escapes; other invisible characters go through `unicode`.
fn quoted(s: &str, unicode: fn(&mut String, char)) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_invisible(c) => unicode(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// The inside of a Rust string literal (`"…"`): `\u{…}` escapes.
pub fn rust_str(s: &str) -> String {
    quoted(s, |out, c| {
        let _ = write!(out, "\\u{{{:x}}}", c as u32);
    })
}

/// The inside of a TypeScript/JavaScript or JSON string literal, double-quoted: `\uXXXX`
/// escapes in UTF-16 units (valid in both languages).
pub fn ts_str(s: &str) -> String {
    quoted(s, |out, c| out.push_str(&utf16_escape(c)))
}

/// `\uXXXX` (two of them for a character outside the basic plane).
pub fn utf16_escape(c: char) -> String {
    let mut buf = [0u16; 2];
    c.encode_utf16(&mut buf).iter().map(|unit| format!("\\u{unit:04x}")).collect()
}

/// Text made safe for one line of a comment in any C-like or `#` language: newlines, control
/// and invisible characters become visible escapes, and comment terminators are broken up.
fn comment_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\t' => out.push(' '),
            c if is_invisible(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.replace("*/", "*\\/").replace("/*", "/\\*")
}

/// A description as the lines of a comment: one entry per source line, each escaped and
/// trimmed at the end (no trailing whitespace in generated files); none for an empty text.
pub fn comment_lines(s: &str) -> Vec<String> {
    if s.is_empty() {
        return Vec::new();
    }
    s.split('\n').map(|l| comment_line(l).trim_end().to_string()).collect()
}

/// A Markdown table cell: one line, pipes and HTML escaped.
pub fn markdown_cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("<br>"),
            '\r' => {}
            c if is_invisible(c) => {
                let _ = write!(out, "&#x{:x};", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// A mermaid node label inside `["…"]`.
pub fn mermaid_label(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            c if c.is_ascii_alphanumeric() || c == '_' || c == ' ' => out.push(c),
            c => {
                let _ = write!(out, "#{};", c as u32);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_strings_escape_quotes_controls_and_bidi() {
        assert_eq!(rust_str("a\"b\\c\nd\u{0}\u{202e}é"), "a\\\"b\\\\c\\nd\\u{0}\\u{202e}é");
    }

    #[test]
    fn ts_strings_escape_line_separators_as_utf16() {
        assert_eq!(ts_str("\u{2028}\u{1F600}x"), "\\u2028\u{1F600}x");
    }

    #[test]
    fn comments_cannot_be_closed_early() {
        assert_eq!(comment_lines("a */ b\nc /* d"), vec!["a *\\/ b", "c /\\* d"]);
    }

    #[test]
    fn markdown_cells_stay_in_their_cell() {
        assert_eq!(markdown_cell("a|b\n<i>"), "a\\|b<br>&lt;i&gt;");
    }
}
