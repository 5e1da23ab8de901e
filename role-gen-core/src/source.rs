//! The text of a roles.toml and the positions inside it.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// A byte range in a source file.
pub type Span = Range<usize>;

/// A loaded roles.toml: where it came from and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the user gave it (shown in diagnostics).
    pub path: PathBuf,
    /// The file's text (a file that is not UTF-8 has its bad bytes replaced).
    text: String,
    /// The folder relative paths in the file are resolved against (default: the file's).
    base: Option<PathBuf>,
    /// Where each line starts, built on the first position asked for: a file with thousands of
    /// diagnostics then costs a binary search each, not a scan from the start.
    lines: OnceLock<Box<LineIndex>>,
}

impl SourceFile {
    /// A source from memory, shown in diagnostics under `path`.
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        SourceFile { path: path.into(), text: text.into(), base: None, lines: OnceLock::new() }
    }

    /// The file's text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text as a `String` (what miette reads a snippet from).
    #[cfg(feature = "miette")]
    pub(crate) fn text_string(&self) -> &String {
        &self.text
    }

    /// The same file holding `text` instead (a re-read, a decoded version).
    pub fn with_text(self, text: impl Into<String>) -> Self {
        SourceFile { text: text.into(), lines: OnceLock::new(), ..self }
    }

    /// Resolves the file's relative paths against `dir` instead of the file's own folder.
    pub fn with_base(mut self, dir: impl Into<PathBuf>) -> Self {
        self.base = Some(dir.into());
        self
    }

    /// The file name alone (`roles.toml`): what generated files name as their source, so that
    /// outputs never carry an absolute path.
    pub fn file_name(&self) -> String {
        self.path.file_name().map_or_else(|| "roles.toml".into(), |n| n.to_string_lossy().into_owned())
    }

    /// The folder relative paths in the file are resolved against.
    pub fn dir(&self) -> &Path {
        if let Some(base) = &self.base {
            return base;
        }
        match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new(""),
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        self.lines().line_col(&self.text, offset)
    }

    /// The byte offset where the line holding `offset` starts.
    pub fn line_start(&self, offset: usize) -> usize {
        self.lines().line_start(&self.text, offset)
    }

    /// The text of the line holding `offset`, without its line break.
    pub fn line_text(&self, offset: usize) -> &str {
        self.lines().line_text(&self.text, offset)
    }

    fn lines(&self) -> &LineIndex {
        self.lines.get_or_init(|| Box::new(LineIndex::new(&self.text)))
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Where each line of a text starts, so that a position is a binary search rather than a scan
/// from the start of the text: a file with thousands of diagnostics (or all on one long line)
/// would otherwise take quadratic time to report. [`SourceFile`] keeps one, built on first use.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    /// The byte offset each line starts at, the first at 0.
    starts: Vec<usize>,
    /// Whether each line is ASCII (its columns are then byte distances).
    ascii: Vec<bool>,
}

impl LineIndex {
    /// The index of `text`.
    pub fn new(text: &str) -> Self {
        let starts: Vec<usize> = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        let ends = starts.iter().skip(1).copied().chain(std::iter::once(text.len()));
        let ascii = starts.iter().zip(ends).map(|(&s, e)| text.as_bytes()[s..e].is_ascii()).collect();
        LineIndex { starts, ascii }
    }

    /// The 0-based line holding `offset`, and where it starts.
    fn line_of(&self, offset: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|&s| s <= offset).saturating_sub(1);
        (line, self.starts.get(line).copied().unwrap_or(0))
    }

    /// 1-based line and column (in characters) of a byte offset of `text`.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let (line, start) = self.line_of(offset);
        let column = match self.ascii.get(line) {
            Some(true) => offset - start,
            _ => text[start..offset].chars().count(),
        };
        (line + 1, column + 1)
    }

    /// Where the line holding `offset` starts.
    pub fn line_start(&self, text: &str, offset: usize) -> usize {
        self.line_of(floor_char_boundary(text, offset.min(text.len()))).1
    }

    /// The text of the line holding `offset`, without its line break.
    pub fn line_text<'t>(&self, text: &'t str, offset: usize) -> &'t str {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let (line, start) = self.line_of(offset);
        let end = self.starts.get(line + 1).map_or(text.len(), |next| next - 1);
        text[start..end].trim_end_matches('\r')
    }
}

/// `./a/../b//c` -> `b/c`.
pub fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let src = SourceFile::new("roles.toml", "a = 1\nb = \"é\" x\n");
        assert_eq!(src.line_col(0), (1, 1));
        assert_eq!(src.line_col(6), (2, 1));
        assert_eq!(src.line_col(14), (2, 8));
        assert_eq!(src.line_text(8), "b = \"é\" x");
    }

    #[test]
    fn the_line_index_agrees_with_a_scan_at_every_offset() {
        for text in [
            "",
            "\n",
            "a",
            "a = 1\r\nb = \"é€😀\" x\r\n\r\nlast",
            "é\n\né",
            "x\n",
            "[a]\r\nx = \"é\"\n\n\ny = 1 # ü\nlast",
        ] {
            let src = SourceFile::new("roles.toml", text);
            for offset in 0..=text.len() + 2 {
                let at = floor_char_boundary(text, offset.min(text.len()));
                let before = &text[..at];
                let start = before.rfind('\n').map_or(0, |i| i + 1);
                let expected = (before.matches('\n').count() + 1, before[start..].chars().count() + 1);
                assert_eq!(src.line_col(offset), expected, "{text:?} at {offset}");
                assert_eq!(src.line_start(offset), start, "{text:?} at {offset}");
                let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
                assert_eq!(src.line_text(offset), text[start..end].trim_end_matches('\r'), "{text:?} at {offset}");
            }
        }
    }
}
