//! Diagnostics are data: a stable code, a message, the span it points at, an optional help.
//! The codes and their severities are in the one registry, [`crate::codes`].
//!
//! Every stage pushes into one [`Diagnostics`] and goes on, so a file's errors are all reported
//! in one run. Rendering (human, JSON, GitHub annotations) is separate from collecting; each
//! rendering shows every part of a diagnostic (its other places and notes too), so none of them
//! says less than another.

use std::collections::HashMap;
use std::fmt::{self, Write as _};

pub use crate::codes::{Code, Severity};
use crate::escape::shown;
use crate::source::{SourceFile, Span};

/// One finding, pointing into roles.toml.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The stable code.
    pub code: Code,
    /// Lowercase, user input in backticks.
    pub message: String,
    /// What it points at (`None`: the whole file, reported at 1:1).
    pub span: Option<Span>,
    /// A short note under the marked span.
    pub label: Option<String>,
    /// What to do about it, often a did-you-mean.
    pub help: Option<String>,
    /// Its other places and notes, boxed: most diagnostics have none, and a diagnostic travels
    /// in every `Result` of validation.
    extra: Option<Box<Extra>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Extra {
    related: Vec<Related>,
    notes: Vec<String>,
}

/// A second place a diagnostic points at, with what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    pub span: Span,
    pub label: String,
}

impl Diagnostic {
    /// A diagnostic with `code` at `span`.
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Self {
        Diagnostic { code, message: message.into(), span: Some(span), label: None, help: None, extra: None }
    }

    /// The other places it concerns, each with its own note ("first defined here").
    pub fn related_places(&self) -> &[Related] {
        self.extra.as_deref().map_or(&[], |e| &e.related)
    }

    /// What else the reader should know (what was left unreported because of it).
    pub fn notes(&self) -> &[String] {
        self.extra.as_deref().map_or(&[], |e| &e.notes)
    }

    /// Adds a note to it where it stands.
    pub fn push_note(&mut self, note: impl Into<String>) {
        self.extra.get_or_insert_default().notes.push(note.into());
    }

    /// Moves it to `span`.
    pub fn with_span(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }

    /// Sets the note under the marked span.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Sets the help line.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Sets the help line when there is one.
    pub fn maybe_help(mut self, help: Option<String>) -> Self {
        self.help = help.or(self.help);
        self
    }

    /// Points at a second place too, saying what it is there.
    pub fn related(mut self, span: Span, label: impl Into<String>) -> Self {
        self.extra.get_or_insert_default().related.push(Related { span, label: label.into() });
        self
    }

    /// Adds a note.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.push_note(note);
        self
    }

    /// Error or warning, from the code.
    pub fn severity(&self) -> Severity {
        self.code.severity()
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}

#[cfg(feature = "miette")]
impl miette::Diagnostic for Diagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity() {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        // miette has no notes: they lead the help, as the other renderings show them first.
        let lines: Vec<&str> = self.notes().iter().map(String::as_str).chain(self.help.as_deref()).collect();
        (!lines.is_empty()).then(|| Box::new(lines.join("\n")) as Box<dyn fmt::Display>)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let span = self.span.clone()?;
        let primary = miette::LabeledSpan::new_primary_with_span(self.label.clone(), span);
        let related = self
            .related_places()
            .iter()
            .map(|r| miette::LabeledSpan::new_with_span(Some(r.label.clone()), r.span.clone()));
        Some(Box::new(std::iter::once(primary).chain(related)))
    }
}

/// Every diagnostic of one roles.toml, with the text they point into.
#[derive(Debug, Clone)]
pub struct Diagnostics {
    source: SourceFile,
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// An empty collection for `source`.
    pub fn new(source: SourceFile) -> Self {
        Diagnostics { source, items: Vec::new() }
    }

    /// `items` for `source`, in report order.
    pub fn collected(source: SourceFile, items: Vec<Diagnostic>) -> Self {
        let mut diagnostics = Diagnostics { source, items };
        diagnostics.sort();
        diagnostics
    }

    /// These and `more`, in report order (a later stage's findings joining the earlier ones).
    pub fn extended(mut self, more: Vec<Diagnostic>) -> Self {
        self.items.extend(more);
        self.sort();
        self
    }

    /// Keeps the ones `keep` says to.
    pub fn retain(&mut self, keep: impl FnMut(&Diagnostic) -> bool) {
        self.items.retain(keep);
    }

    /// Adds one.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    /// The source file they point into.
    pub fn source(&self) -> &SourceFile {
        &self.source
    }

    /// All of them, in the order they were found (errors before warnings once sorted).
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// Whether any is an error.
    pub fn has_errors(&self) -> bool {
        self.errors().next().is_some()
    }

    /// The errors.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter().filter(|d| d.severity() == Severity::Error)
    }

    /// The warnings.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter().filter(|d| d.severity() == Severity::Warning)
    }

    /// Whether there are none at all.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Orders them by position, errors first, so output is stable whatever order stages ran in.
    pub(crate) fn sort(&mut self) {
        self.items.sort_by_key(|d| (d.severity(), d.span.as_ref().map(|s| s.start), d.code));
        self.items.dedup();
    }

    /// The file's path, escaped for a terminal (a path is user text too).
    pub fn shown_path(&self) -> String {
        shown(&self.source.path.to_string_lossy())
    }

    /// Where a diagnostic points: 1-based (line, column).
    pub fn position(&self, diagnostic: &Diagnostic) -> (usize, usize) {
        diagnostic.span.as_ref().map_or((1, 1), |s| self.line_col(s.start))
    }

    /// 1-based (line, column) of a byte offset of the source.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        self.source.line_col(offset)
    }

    /// The rustc-like text for a terminal or a log.
    pub fn render_human(&self, color: bool) -> String {
        self.render_human_capped(color, usize::MAX)
    }

    /// [`Diagnostics::render_human`] with at most `per_code` warnings of each code shown, and
    /// a line counting the rest: a file with 3,000 `redundant-grant` warnings is read, not
    /// scrolled. Errors are always shown, every one.
    pub fn render_human_capped(&self, color: bool, per_code: usize) -> String {
        let mut out = String::new();
        let mut shown: HashMap<Code, usize> = HashMap::new();
        for d in &self.items {
            let seen = shown.entry(d.code).or_insert(0);
            *seen += 1;
            if d.severity() == Severity::Error || *seen <= per_code {
                self.render_one(&mut out, d, color);
            }
        }
        let mut hidden: Vec<(Code, usize)> =
            shown.into_iter().filter(|&(_, n)| n > per_code).map(|(code, n)| (code, n - per_code)).collect();
        hidden.retain(|(code, _)| code.severity() == Severity::Warning);
        hidden.sort_unstable();
        for (code, n) in hidden {
            let s = if n == 1 { "" } else { "s" };
            let _ = writeln!(out, "… {n} more `{code}` warning{s} not shown (`--verbose` shows every one)\n");
        }
        out
    }

    fn render_one(&self, out: &mut String, d: &Diagnostic, color: bool) {
        let paint = Paint(color);
        let kind_color = match d.severity() {
            Severity::Error => "1;31",
            Severity::Warning => "1;33",
        };
        let head = format!("{}[{}]", d.severity().as_str(), d.code);
        let _ =
            writeln!(out, "{}{}", paint.wrap(kind_color, &head), paint.wrap("1", &format!(": {}", shown(&d.message))));
        let (line, col) = self.position(d);
        let marks = self.marks(d);
        let width = marks.iter().map(|m| m.line).max().unwrap_or(line).to_string().len();
        let gutter = " ".repeat(width);
        let _ = writeln!(out, "{gutter}{} {}:{line}:{col}", paint.wrap("1;34", "-->"), self.shown_path());
        if !marks.is_empty() {
            self.render_snippet(out, &marks, width, paint, kind_color);
        }
        for note in d.notes() {
            let _ = writeln!(out, "{gutter} {} {}", paint.wrap("1;34", "= note:"), shown(note));
        }
        if let Some(help) = &d.help {
            let _ = writeln!(out, "{gutter} {} {}", paint.wrap("1;34", "= help:"), shown(help));
        }
        out.push('\n');
    }

    /// The places a diagnostic marks, its own and its related ones, in the order of the file.
    fn marks<'d>(&self, d: &'d Diagnostic) -> Vec<Mark<'d>> {
        let line = |span: &Span| self.line_col(span.start).0;
        let own = d.span.as_ref().map(|span| Mark { span, line: line(span), label: d.label.as_deref(), primary: true });
        let related = d.related_places().iter().map(|r| Mark {
            span: &r.span,
            line: line(&r.span),
            label: Some(&r.label),
            primary: false,
        });
        let mut marks: Vec<Mark<'d>> = own.into_iter().chain(related).collect();
        marks.sort_by_key(|m| (m.span.start, !m.primary));
        marks
    }

    /// Each marked line once, in file order (`...` where lines are skipped), each mark underlined
    /// on a row of its own: `^` for the diagnostic's own place, `-` for a related one.
    fn render_snippet(&self, out: &mut String, marks: &[Mark<'_>], width: usize, paint: Paint, kind_color: &str) {
        let bar = paint.wrap("1;34", "|");
        let gutter = " ".repeat(width);
        let _ = writeln!(out, "{gutter} {bar}");
        let mut last_line = None;
        for mark in marks {
            let text = self.source.line_text(mark.span.start);
            if last_line != Some(mark.line) {
                if last_line.is_some_and(|last| mark.line > last + 1) {
                    let _ = writeln!(out, "{}", paint.wrap("1;34", "..."));
                }
                let number = format!("{:<width$}", mark.line);
                let _ = writeln!(out, "{} {bar} {}", paint.wrap("1;34", &number), shown(text));
                last_line = Some(mark.line);
            }
            let line_start = self.source.line_start(mark.span.start);
            let start = mark.span.start.saturating_sub(line_start).min(text.len());
            let end = mark.span.end.saturating_sub(line_start).clamp(start, text.len());
            let (before, marked) =
                (shown(&text[..floor(text, start)]), shown(&text[floor(text, start)..floor(text, end)]));
            let (sign, style) = if mark.primary { ("^", kind_color) } else { ("-", "1;34") };
            let underline = sign.repeat(marked.chars().count().max(1));
            let label = mark.label.map(|l| format!(" {}", shown(l))).unwrap_or_default();
            let indent = " ".repeat(before.chars().count());
            let _ = writeln!(out, "{gutter} {bar} {indent}{}", paint.wrap(style, &format!("{underline}{label}")));
        }
    }

    /// `{"errors":[…],"warnings":[…]}`, each with `code`, `message`, `file`, `line`, `column`,
    /// `label`, `help`, and `related` (`line`, `column`, `label`) and `notes` when it has any.
    pub fn to_json(&self) -> String {
        let list = |sev: Severity| -> String {
            let items: Vec<String> =
                self.items.iter().filter(|d| d.severity() == sev).map(|d| self.json_one(d)).collect();
            format!("[{}]", items.join(","))
        };
        format!("{{\"errors\":{},\"warnings\":{}}}", list(Severity::Error), list(Severity::Warning))
    }

    fn json_one(&self, d: &Diagnostic) -> String {
        let (line, column) = self.position(d);
        let opt = |s: &Option<String>| s.as_deref().map_or("null".to_string(), json_string);
        let mut extra = String::new();
        if !d.related_places().is_empty() {
            let related: Vec<String> = d
                .related_places()
                .iter()
                .map(|r| {
                    let (line, column) = self.line_col(r.span.start);
                    format!("{{\"line\":{line},\"column\":{column},\"label\":{}}}", json_string(&r.label))
                })
                .collect();
            let _ = write!(extra, ",\"related\":[{}]", related.join(","));
        }
        if !d.notes().is_empty() {
            let notes: Vec<String> = d.notes().iter().map(|n| json_string(n)).collect();
            let _ = write!(extra, ",\"notes\":[{}]", notes.join(","));
        }
        format!(
            "{{\"code\":{},\"message\":{},\"file\":{},\"line\":{line},\"column\":{column},\"label\":{},\"help\":{}{extra}}}",
            json_string(d.code.as_str()),
            json_string(&d.message),
            json_string(&self.source.path.to_string_lossy()),
            opt(&d.label),
            opt(&d.help)
        )
    }

    /// What a one-line annotation adds under the message: each related place (`line 5: first
    /// defined here`), each note, then the help.
    fn annotation_lines(&self, d: &Diagnostic) -> String {
        let mut out = String::new();
        for r in d.related_places() {
            let (line, column) = self.line_col(r.span.start);
            let _ = write!(out, "\nline {line}, column {column}: {}", shown(&r.label));
        }
        for note in d.notes() {
            let _ = write!(out, "\nnote: {}", shown(note));
        }
        if let Some(help) = &d.help {
            let _ = write!(out, "\nhelp: {}", shown(help));
        }
        out
    }

    /// GitHub Actions workflow commands: one `::error`/`::warning` annotation a line, naming the
    /// file by the path it was read from.
    pub fn to_github(&self) -> String {
        self.to_github_as(&self.source.path.to_string_lossy())
    }

    /// [`Diagnostics::to_github`] naming the file `file`: GitHub finds an annotation's file
    /// relative to the repository root, which the caller knows and the path read from may not
    /// say (`role-gen validate` run in a subfolder).
    pub fn to_github_as(&self, file: &str) -> String {
        let file = github_property(&shown(file));
        let mut out = String::new();
        for d in &self.items {
            let (line, col) = self.position(d);
            let kind = d.severity().as_str();
            // Escaped for the log first (ESC, bidi), then for the workflow command (CR, LF, %).
            let message = shown(&d.message) + &self.annotation_lines(d);
            let _ =
                writeln!(out, "::{kind} file={file},line={line},col={col},title={}::{}", d.code, github_data(&message));
        }
        out
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render_human(false))
    }
}

impl std::error::Error for Diagnostics {}

#[cfg(feature = "miette")]
impl miette::Diagnostic for Diagnostics {
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(self.source.text_string())
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        Some(Box::new(self.items.iter().map(|d| d as &dyn miette::Diagnostic)))
    }
}

/// One place a snippet marks.
struct Mark<'d> {
    span: &'d Span,
    /// 1-based.
    line: usize,
    label: Option<&'d str>,
    /// The diagnostic's own place, rather than a related one.
    primary: bool,
}

#[derive(Clone, Copy)]
struct Paint(bool);

impl Paint {
    fn wrap(self, style: &str, text: &str) -> String {
        if self.0 { format!("\x1b[{style}m{text}\x1b[0m") } else { text.to_string() }
    }
}

fn floor(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A JSON string literal.
pub fn json_string(s: &str) -> String {
    format!("\"{}\"", crate::escape::ts_str(s))
}

/// Escapes a workflow command's message (`%`, CR, LF).
pub fn github_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a workflow command's property value (also `:` and `,`).
pub fn github_property(s: &str) -> String {
    github_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn twice() -> Diagnostics {
        let text = "[a]\nx = 1\n\n[b]\ny = [\"p\", \"q\", \"p\"]\n\n\n[a]\n";
        let mut d = Diagnostics::new(SourceFile::new("roles.toml", text));
        let second = text.rfind("[a]").map_or(0, |i| i + 1);
        d.push(
            Diagnostic::new(Code::TomlSyntax, second..second + 1, "table `[a]` is defined twice")
                .label("defined again here")
                .related(1..2, "first defined here")
                .note("a table is defined once")
                .help("merge them"),
        );
        let repeat = text.rfind("\"p\"").unwrap_or(0);
        let first = text.find("\"p\"").unwrap_or(0);
        d.push(
            Diagnostic::new(Code::DuplicateEntry, repeat..repeat + 3, "`p` is listed twice")
                .label("listed again here")
                .related(first..first + 3, "first listed here"),
        );
        d
    }

    #[test]
    fn related_places_show_in_file_order_with_skipped_lines_elided() {
        let human = twice().render_human(false);
        let expected = "\
error[toml-syntax]: table `[a]` is defined twice
 --> roles.toml:8:2
  |
1 | [a]
  |  - first defined here
...
8 | [a]
  |  ^ defined again here
  = note: a table is defined once
  = help: merge them

warning[duplicate-entry]: `p` is listed twice
 --> roles.toml:5:16
  |
5 | y = [\"p\", \"q\", \"p\"]
  |      --- first listed here
  |                ^^^ listed again here

";
        assert_eq!(human, expected);
    }

    #[test]
    fn json_and_github_carry_the_related_places_and_notes_too() {
        let d = twice();
        let json = d.to_json();
        assert!(
            json.contains(
                r#""related":[{"line":1,"column":2,"label":"first defined here"}],"notes":["a table is defined once"]"#
            ),
            "{json}"
        );
        let github = d.to_github();
        assert!(
            github.contains("defined twice%0Aline 1, column 2: first defined here%0Anote: a table is defined once%0Ahelp: merge them"),
            "{github}"
        );
        // A diagnostic without them keeps the fields it always had, and nothing more.
        let plain = Diagnostics::collected(
            SourceFile::new("roles.toml", "x"),
            vec![Diagnostic::new(Code::UnknownKey, 0..1, "m")],
        );
        assert!(!plain.to_json().contains("related") && !plain.to_json().contains("notes"));
    }
}
