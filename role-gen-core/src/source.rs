//! The text of a roles.toml and the positions inside it.

use std::ops::Range;
use std::path::{Path, PathBuf};

/// A byte range in a source file.
pub type Span = Range<usize>;

/// A loaded roles.toml: where it came from and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the user gave it (shown in diagnostics).
    pub path: PathBuf,
    /// The file's text (a file that is not UTF-8 has its bad bytes replaced).
    pub text: String,
    /// The folder relative paths in the file are resolved against (default: the file's).
    base: Option<PathBuf>,
}

impl SourceFile {
    /// A source from memory, shown in diagnostics under `path`.
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        SourceFile { path: path.into(), text: text.into(), base: None }
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
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (line, before[line_start..].chars().count() + 1)
    }

    /// The text of the line holding `offset`, without its line break.
    pub fn line_text(&self, offset: usize) -> &str {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let start = self.text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let end = self.text[offset..].find('\n').map_or(self.text.len(), |i| offset + i);
        self.text[start..end].trim_end_matches('\r')
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
}
