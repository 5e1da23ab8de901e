//! One open roles.toml: the text the editor sent, and what is known about it, each part worked
//! out the first time a request needs it and kept until the next change.
//!
//! Validation is the one cost that grows with the file (a 2 MB file takes as long as `role-gen
//! validate` on it); it runs once per version, for the diagnostics, and everything else reuses
//! it. The parse for navigation and the scan for completion run only when asked for.

use std::cell::OnceCell;

use lsp_types::{Position, Range, Uri};

use super::index::Index;
use super::outline::Outline;
use super::position::Lines;
use crate::source::Span;
use crate::{Diagnostics, SOURCE_LIMIT, Validated, syntax};

/// An open document.
#[derive(Debug)]
pub struct Document {
    pub uri: Uri,
    pub version: i32,
    pub text: String,
    /// The name diagnostics and edits call it by (the last part of its URI): no file is read.
    pub name: String,
    pub lines: Lines,
    validated: OnceCell<Result<Validated, Diagnostics>>,
    parsed: OnceCell<Parsed>,
    outline: OnceCell<Outline>,
}

/// The core's tree of the text, and the names in it.
#[derive(Debug, Default)]
pub struct Parsed {
    pub file: syntax::File,
    pub index: Index,
    /// Whether the text is TOML (when not, the tree and the index are empty).
    pub toml: bool,
}

impl Document {
    /// A document holding `text` at `version`.
    pub fn new(uri: Uri, version: i32, text: String) -> Document {
        let name = file_name(&uri);
        let lines = Lines::new(&text);
        Document {
            uri,
            version,
            text,
            name,
            lines,
            validated: OnceCell::new(),
            parsed: OnceCell::new(),
            outline: OnceCell::new(),
        }
    }

    /// The same document holding `text` at `version`, everything known about the old text gone.
    pub fn changed(self, version: i32, text: String) -> Document {
        Document::new(self.uri, version, text)
    }

    /// Whether it is a roles.toml: named `roles.toml` or `*.roles.toml`, or starting with the
    /// `#:schema` line that names `roles.schema.json` (among the comments before the first key).
    pub fn is_roles(&self) -> bool {
        if self.name == "roles.toml" || self.name.ends_with(".roles.toml") {
            return true;
        }
        let leading = self.text.lines().map(str::trim).take_while(|l| l.is_empty() || l.starts_with('#'));
        leading.take(1000).any(|l| l.starts_with("#:schema") && l.contains("roles.schema.json"))
    }

    /// Whether the text is larger than role-gen reads ([`SOURCE_LIMIT`]): then it is not looked
    /// into at all.
    pub fn too_large(&self) -> bool {
        self.text.len() as u64 > SOURCE_LIMIT
    }

    /// The text validated as `role-gen validate` validates it (custom templates aside: they
    /// are files, and the server reads none).
    pub fn validated(&self) -> &Result<Validated, Diagnostics> {
        self.validated.get_or_init(|| {
            let text = if self.too_large() { "" } else { self.text.as_str() };
            role_gen_core::validate_text(self.name.as_str(), text)
        })
    }

    /// The valid model, when the text is valid.
    pub fn model(&self) -> Option<&crate::Model> {
        self.validated().as_ref().ok().map(Validated::model)
    }

    /// The tree and the index of names (empty when the text is not TOML).
    pub fn parsed(&self) -> &Parsed {
        self.parsed.get_or_init(|| {
            if self.too_large() {
                return Parsed::default();
            }
            let mut found = Vec::new();
            let file = syntax::parse(&self.text, &mut found);
            let index = Index::of(&file);
            let toml = !found.iter().any(|d| d.code == role_gen_core::Code::TomlSyntax);
            Parsed { file, index, toml }
        })
    }

    /// The names the text declares, read even when it is not TOML.
    pub fn outline(&self) -> &Outline {
        self.outline.get_or_init(|| if self.too_large() { Outline::default() } else { Outline::of(&self.text) })
    }

    /// The byte offset of a position.
    pub fn offset(&self, position: Position) -> usize {
        self.lines.offset(&self.text, position)
    }

    /// The LSP range of a byte span.
    pub fn range(&self, span: &Span) -> Range {
        self.lines.range(&self.text, span)
    }
}

/// The last part of a URI's path, percent-decoded, or `roles.toml`: what diagnostics name the
/// file by. Nothing is read from it.
fn file_name(uri: &Uri) -> String {
    let path = uri.path().as_str();
    let last = path.rsplit('/').next().unwrap_or_default();
    let decoded = percent_decode(last);
    if decoded.is_empty() { "roles.toml".to_string() } else { decoded }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_is_named_by_the_last_part_of_its_uri() {
        let name = |uri: &str| uri.parse::<Uri>().map(|u| file_name(&u)).unwrap_or_default();
        assert_eq!(name("file:///home/me/roles.toml"), "roles.toml");
        assert_eq!(name("file:///home/me/my%20roles.toml"), "my roles.toml");
        assert_eq!(name("untitled:Untitled-1"), "Untitled-1");
        assert_eq!(name("file:///"), "roles.toml");
    }
}
