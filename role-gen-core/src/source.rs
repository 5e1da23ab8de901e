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
    lines: OnceLock<Box<[usize]>>,
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
        let (line, start, offset) = self.locate(offset);
        (line + 1, self.text[start..offset].chars().count() + 1)
    }

    /// The byte offset where the line holding `offset` starts.
    pub fn line_start(&self, offset: usize) -> usize {
        self.locate(offset).1
    }

    /// The text of the line holding `offset`, without its line break.
    pub fn line_text(&self, offset: usize) -> &str {
        let (line, start, _) = self.locate(offset);
        let end = self.line_starts().get(line + 1).map_or(self.text.len(), |next| next - 1);
        self.text[start..end].trim_end_matches('\r')
    }

    /// `(0-based line, its start, offset)` for `offset` clamped to the text and floored to a
    /// character boundary.
    fn locate(&self, offset: usize) -> (usize, usize, usize) {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let starts = self.line_starts();
        let line = starts.partition_point(|&s| s <= offset).saturating_sub(1);
        (line, starts[line], offset)
    }

    fn line_starts(&self) -> &[usize] {
        self.lines.get_or_init(|| {
            let breaks = self.text.bytes().enumerate().filter(|&(_, b)| b == b'\n').map(|(i, _)| i + 1);
            std::iter::once(0).chain(breaks).collect()
        })
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
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
        let text = "[a]\r\nx = \"é\"\n\n\ny = 1 # ü\nlast";
        let src = SourceFile::new("roles.toml", text);
        for offset in 0..=text.len() + 2 {
            let at = floor_char_boundary(text, offset.min(text.len()));
            let before = &text[..at];
            let start = before.rfind('\n').map_or(0, |i| i + 1);
            let expected = (before.matches('\n').count() + 1, before[start..].chars().count() + 1);
            assert_eq!(src.line_col(offset), expected, "offset {offset}");
            assert_eq!(src.line_start(offset), start, "offset {offset}");
            let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
            assert_eq!(src.line_text(offset), text[start..end].trim_end_matches('\r'), "offset {offset}");
        }
    }
}
