//! Every `--format json` output goes through here: `#[derive(Serialize)]` views encoded by
//! serde_json, compact, with role-gen's string escaping; and the view of [`Diagnostics`].
//!
//! serde_json escapes only what JSON requires (quotes, backslashes, C0 controls, `\b` and `\f` as
//! short escapes). role-gen's JSON has always written strings as [`escape::ts_str`] does: also
//! DEL, C1 controls, bidi controls, line separators and invisible characters as `\uXXXX`, and
//! backspace and form feed as `\u0008` and `\u000c`, so a report piped to a terminal or pasted
//! into a script cannot hide or reorder text. [`Escaping`] keeps serde's structure and layout and
//! hands every string to that one escaper, so the bytes are those of the hand-rolled JSON before.

use std::io;

use serde::Serialize;
use serde_json::ser::{CharEscape, Formatter};

use super::Failure;
use super::output::outln;
use crate::diagnostic::{Diagnostic, Diagnostics, Severity};
use crate::escape;

/// serde_json's compact layout with [`escape::ts_str`]'s string escaping.
#[derive(Debug, Clone, Copy, Default)]
struct Escaping;

impl Formatter for Escaping {
    /// A run serde leaves as it is: still escape what `ts_str` escapes (bidi, DEL, separators).
    fn write_string_fragment<W: ?Sized + io::Write>(&mut self, writer: &mut W, fragment: &str) -> io::Result<()> {
        writer.write_all(escape::ts_str(fragment).as_bytes())
    }

    /// A character serde would escape: escaped as `ts_str` escapes it.
    fn write_char_escape<W: ?Sized + io::Write>(&mut self, writer: &mut W, escape: CharEscape) -> io::Result<()> {
        let c = match escape {
            CharEscape::Quote => '"',
            CharEscape::ReverseSolidus => '\\',
            CharEscape::Solidus => '/',
            CharEscape::Backspace => '\u{8}',
            CharEscape::FormFeed => '\u{c}',
            CharEscape::LineFeed => '\n',
            CharEscape::CarriageReturn => '\r',
            CharEscape::Tab => '\t',
            CharEscape::AsciiControl(byte) => char::from(byte),
        };
        writer.write_all(escape::ts_str(c.encode_utf8(&mut [0; 4])).as_bytes())
    }
}

/// `value` as one line of JSON.
pub fn to_string(value: &impl Serialize) -> Result<String, Failure> {
    let mut bytes = Vec::new();
    let encoded = value.serialize(&mut serde_json::Serializer::with_formatter(&mut bytes, Escaping));
    let cannot = |e: &dyn std::fmt::Display| Failure::Usage(format!("cannot encode the JSON output: {e}"));
    encoded.map_err(|e| cannot(&e))?;
    String::from_utf8(bytes).map_err(|e| cannot(&e))
}

/// Prints `value` as one line of JSON on stdout.
pub fn print(value: &impl Serialize) -> Result<(), Failure> {
    outln!("{}", to_string(value)?);
    Ok(())
}

/// `{"errors":[…],"warnings":[…]}`: `validate --format json`.
#[derive(Debug, Serialize)]
pub struct DiagnosticsView<'a> {
    errors: Vec<DiagnosticView<'a>>,
    warnings: Vec<DiagnosticView<'a>>,
}

/// One diagnostic: where it is, its code and what it says. `related` and `notes` appear only
/// when it has some, so the reports of the diagnostics without them read as they always did.
#[derive(Debug, Serialize)]
struct DiagnosticView<'a> {
    code: &'static str,
    message: &'a str,
    file: String,
    line: usize,
    column: usize,
    label: Option<&'a str>,
    help: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<RelatedView<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notes: Vec<&'a str>,
}

/// Another place a diagnostic points at ("first defined here").
#[derive(Debug, Serialize)]
struct RelatedView<'a> {
    line: usize,
    column: usize,
    label: &'a str,
}

impl<'a> DiagnosticsView<'a> {
    /// The errors and the warnings, each in report order.
    pub fn new(diagnostics: &'a Diagnostics) -> Self {
        let of = |severity: Severity| {
            let matching = diagnostics.iter().filter(|d| d.severity() == severity);
            matching.map(|d| DiagnosticView::new(diagnostics, d)).collect()
        };
        DiagnosticsView { errors: of(Severity::Error), warnings: of(Severity::Warning) }
    }
}

impl<'a> DiagnosticView<'a> {
    fn new(all: &Diagnostics, d: &'a Diagnostic) -> Self {
        let (line, column) = all.position(d);
        DiagnosticView {
            code: d.code.as_str(),
            message: &d.message,
            file: all.source().path.to_string_lossy().into_owned(),
            line,
            column,
            label: d.label.as_deref(),
            help: d.help.as_deref(),
            related: d
                .related_places()
                .iter()
                .map(|r| {
                    let (line, column) = all.line_col(r.span.start);
                    RelatedView { line, column, label: &r.label }
                })
                .collect(),
            notes: d.notes().iter().map(String::as_str).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(s: &str) -> String {
        match to_string(&s) {
            Ok(text) => text,
            Err(Failure::Usage(e)) => e,
            Err(Failure::Checked) => String::new(),
        }
    }

    /// What the hand-rolled JSON wrote for a string.
    fn before(s: &str) -> String {
        format!("\"{}\"", escape::ts_str(s))
    }

    #[test]
    fn every_character_is_escaped_as_before() {
        let all: String = (0..=0x10_ffff).filter_map(char::from_u32).collect();
        assert_eq!(encoded(&all), before(&all));
        for c in (0..0x3000).filter_map(char::from_u32) {
            let s = format!("a{c}b{c}");
            assert_eq!(encoded(&s), before(&s), "{:x}", c as u32);
        }
    }

    #[test]
    fn views_are_compact_in_field_order() {
        #[derive(Serialize)]
        struct View<'a> {
            b: Option<&'a str>,
            a: Vec<usize>,
            ok: bool,
        }
        let view = View { b: None, a: vec![1, 2], ok: true };
        assert_eq!(to_string(&view).ok().as_deref(), Some(r#"{"b":null,"a":[1,2],"ok":true}"#));
    }
}
