//! What makes user text safe to show: which characters are invisible, text for a terminal or a
//! CI log ([`shown`]), and the inside of a double-quoted string literal ([`string_body`],
//! [`ts_str`], which diagnostics' JSON needs too). How each generated language spells text
//! (Rust strings, comments, Markdown cells) is the renderer's naming oracle, in `role-gen`.
//!
//! Descriptions may hold any Unicode. Printable text is kept as written, so non-English
//! descriptions stay readable; control characters, bidi overrides and invisible characters are
//! always written as escapes (rustc refuses raw bidi controls, and they can make code read
//! differently from how it compiles).

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

/// The inside of a double-quoted string literal of a C-family language: quotes, backslashes and
/// the common controls get their short escapes; other invisible characters go through
/// `unicode`, which writes the language's own escape.
pub fn string_body(s: &str, unicode: fn(&mut String, char)) -> String {
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

/// The inside of a TypeScript/JavaScript or JSON string literal, double-quoted: `\uXXXX`
/// escapes in UTF-16 units (valid in both languages).
pub fn ts_str(s: &str) -> String {
    string_body(s, |out, c| out.push_str(&utf16_escape(c)))
}

/// `\uXXXX` (two of them for a character outside the basic plane).
pub fn utf16_escape(c: char) -> String {
    let mut buf = [0u16; 2];
    c.encode_utf16(&mut buf).iter().map(|unit| format!("\\u{unit:04x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ts_strings_escape_line_separators_as_utf16() {
        assert_eq!(ts_str("\u{2028}\u{1F600}x"), "\\u2028\u{1F600}x");
    }

    #[test]
    fn shown_text_cannot_break_lines_or_steer_a_terminal() {
        let hostile = "a\n::error file=x::y\u{1b}[2J\u{7}\r\u{202e}\u{2028}\tz";
        assert_eq!(shown(hostile), "a\\u{a}::error file=x::y\\u{1b}[2J\\u{7}\\u{d}\\u{202e}\\u{2028} z");
        assert_eq!(shown("plain é"), "plain é");
    }
}
