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

/// User text made safe for a terminal or a CI log: every character [`is_invisible`] holds
/// (controls, ESC, BEL, CR, LF, bidi controls, line separators) is shown as a `\u{…}` escape and
/// a tab as a space, so quoted text can never start a line, move the cursor, forge a GitHub
/// workflow command or read differently from what it is. Every piece of user text in human and
/// GitHub output goes through this one function.
pub fn shown(text: &str) -> String {
    Shown(text).to_string()
}

/// [`shown`] line by line, keeping the line breaks: for a block role-gen lays out itself (a diff)
/// whose lines hold user text.
pub fn shown_lines(text: &str) -> String {
    text.split_inclusive('\n')
        .map(|line| match line.strip_suffix('\n') {
            Some(line) => format!("{}\n", Shown(line)),
            None => shown(line),
        })
        .collect()
}

/// [`shown`] as a `Display` value, for `format!` without an intermediate `String`.
#[derive(Debug, Clone, Copy)]
pub struct Shown<'a>(pub &'a str);

impl std::fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut rest = self.0;
        while let Some(at) = rest.find(|c: char| c == '\t' || is_invisible(c)) {
            f.write_str(&rest[..at])?;
            let c = rest[at..].chars().next().unwrap_or(' ');
            if c == '\t' {
                f.write_str(" ")?
            } else {
                write!(f, "\\u{{{:x}}}", c as u32)?
            }
            rest = &rest[at + c.len_utf8()..];
        }
        f.write_str(rest)
    }
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
    let mut out = out.replace("*/", "*\\/").replace("/*", "/\\*");
    // A line ending in a backslash continues onto the next one in C, C++ and Go (even with
    // spaces between): the generated code on the next line would become part of the comment.
    if out.trim_end().ends_with('\\') {
        let end = out.trim_end().len();
        out.replace_range(end - 1..end, "\\u{5c}");
    }
    out
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
    fn comment_lines_never_end_in_a_line_continuation() {
        assert_eq!(comment_lines("path C:\\\nnext"), vec!["path C:\\u{5c}", "next"]);
        assert_eq!(comment_lines("a\\ "), vec!["a\\u{5c}"]);
    }

    #[test]
    fn shown_text_cannot_break_lines_or_steer_a_terminal() {
        let hostile = "a\n::error file=x::y\u{1b}[2J\u{7}\r\u{202e}\u{2028}\tz";
        assert_eq!(shown(hostile), "a\\u{a}::error file=x::y\\u{1b}[2J\\u{7}\\u{d}\\u{202e}\\u{2028} z");
        assert_eq!(shown("plain é"), "plain é");
    }

    #[test]
    fn markdown_cells_stay_in_their_cell() {
        assert_eq!(markdown_cell("a|b\n<i>"), "a\\|b<br>&lt;i&gt;");
    }
}
