//! Diagnostics are data: a stable code, a message, the span it points at, an optional help.
//! The codes and their severities are in the one registry, [`crate::codes`].
//!
//! Every stage pushes into one [`Diagnostics`] and goes on, so a file's errors are all reported
//! in one run. Rendering (human, JSON, GitHub annotations) is separate from collecting.

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
}

impl Diagnostic {
    /// A diagnostic with `code` at `span`.
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Self {
        Diagnostic { code, message: message.into(), span: Some(span), label: None, help: None }
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
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let span = self.span.clone()?;
        let label = miette::LabeledSpan::new_with_span(self.label.clone(), span);
        Some(Box::new(std::iter::once(label)))
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
        diagnostic.span.as_ref().map_or((1, 1), |s| self.source.line_col(s.start))
    }

    /// The rustc-like text for a terminal or a log.
    pub fn render_human(&self, color: bool) -> String {
        let mut out = String::new();
        for d in &self.items {
            self.render_one(&mut out, d, color);
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
        let gutter = " ".repeat(line.to_string().len());
        let _ = writeln!(out, "{gutter}{} {}:{line}:{col}", paint.wrap("1;34", "-->"), self.shown_path());
        if let Some(span) = &d.span {
            self.render_snippet(out, d, span, line, &gutter, paint, kind_color);
        }
        if let Some(help) = &d.help {
            let _ = writeln!(out, "{gutter} {} {}", paint.wrap("1;34", "= help:"), shown(help));
        }
        out.push('\n');
    }

    #[allow(clippy::too_many_arguments)]
    fn render_snippet(
        &self,
        out: &mut String,
        d: &Diagnostic,
        span: &Span,
        line: usize,
        gutter: &str,
        paint: Paint,
        kind_color: &str,
    ) {
        let text = self.source.line_text(span.start);
        let line_start = self.source.line_start(span.start);
        let start = span.start.saturating_sub(line_start).min(text.len());
        let end = span.end.saturating_sub(line_start).clamp(start, text.len());
        let (before, marked) = (shown(&text[..floor(text, start)]), shown(&text[floor(text, start)..floor(text, end)]));
        let bar = paint.wrap("1;34", "|");
        let _ = writeln!(out, "{gutter} {bar}");
        let _ = writeln!(out, "{} {bar} {}", paint.wrap("1;34", &line.to_string()), shown(text));
        let carets = "^".repeat(marked.chars().count().max(1));
        let label = d.label.as_deref().map(|l| format!(" {}", shown(l))).unwrap_or_default();
        let _ = writeln!(
            out,
            "{gutter} {bar} {}{}",
            " ".repeat(before.chars().count()),
            paint.wrap(kind_color, &format!("{carets}{label}"))
        );
    }

    /// `{"errors":[…],"warnings":[…]}`, each with `code`, `message`, `line`, `column`.
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
        format!(
            "{{\"code\":{},\"message\":{},\"file\":{},\"line\":{line},\"column\":{column},\"label\":{},\"help\":{}}}",
            json_string(d.code.as_str()),
            json_string(&d.message),
            json_string(&self.source.path.to_string_lossy()),
            opt(&d.label),
            opt(&d.help)
        )
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
            let mut message = shown(&d.message);
            if let Some(help) = &d.help {
                message.push_str("\nhelp: ");
                message.push_str(&shown(help));
            }
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
        Some(&self.source.text)
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        Some(Box::new(self.items.iter().map(|d| d as &dyn miette::Diagnostic)))
    }
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
