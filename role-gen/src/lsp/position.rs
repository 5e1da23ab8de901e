//! Positions as LSP counts them: a line, and a column in UTF-16 code units.
//!
//! role-gen's spans are byte ranges; an editor names a place by line and UTF-16 column (the
//! protocol's default encoding, and the only one every client supports). An emoji before an
//! error on its line is 4 bytes, 2 UTF-16 units and 1 character: counting any of the other two
//! puts the squiggle in the wrong place. Lines end at `\n`, `\r\n` or a lone `\r`, as the
//! protocol says (TOML knows only the first two, but a file being typed may hold the third).

use lsp_types::{Position, Range};

use crate::source::Span;

/// Where each line of one text starts, for conversions both ways in a binary search.
#[derive(Debug, Clone, Default)]
pub struct Lines {
    /// The byte offset each line starts at, the first at 0.
    starts: Vec<usize>,
    /// Whether each line is ASCII (its UTF-16 columns are then byte distances).
    ascii: Vec<bool>,
}

impl Lines {
    /// The index of `text`.
    pub fn new(text: &str) -> Lines {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => starts.push(i + 1),
                b'\r' if bytes.get(i + 1) != Some(&b'\n') => starts.push(i + 1),
                _ => {}
            }
            i += 1;
        }
        let ends = starts.iter().skip(1).copied().chain(std::iter::once(bytes.len()));
        let ascii = starts.iter().zip(ends).map(|(&s, e)| bytes[s..e].is_ascii()).collect();
        Lines { starts, ascii }
    }

    /// The LSP position of byte `offset` of `text` (clamped to the text, rounded down to a
    /// character boundary).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = floor_boundary(text, offset);
        let line = self.starts.partition_point(|&s| s <= offset).saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let column = match self.ascii.get(line) {
            Some(true) => offset - start,
            _ => text[start..offset].encode_utf16().count(),
        };
        Position { line: saturate(line), character: saturate(column) }
    }

    /// The LSP range of a byte span of `text`.
    pub fn range(&self, text: &str, span: &Span) -> Range {
        Range { start: self.position(text, span.start), end: self.position(text, span.end.max(span.start)) }
    }

    /// The byte offset of an LSP position in `text`: a line past the end is the end of the text,
    /// a column past its line's end is the line's end, and a column inside a surrogate pair
    /// is the character's start.
    pub fn offset(&self, text: &str, position: Position) -> usize {
        let Some(&start) = self.starts.get(position.line as usize) else { return text.len() };
        let end = self.line_end(text, position.line as usize);
        let want = position.character as usize;
        if self.ascii.get(position.line as usize) == Some(&true) {
            return start + want.min(end - start);
        }
        let mut units = 0;
        for (i, c) in text[start..end].char_indices() {
            units += c.len_utf16();
            if units > want {
                return start + i;
            }
        }
        end
    }

    /// The byte offset where `line` ends, before its line break (`\n`, `\r\n` or `\r`).
    fn line_end(&self, text: &str, line: usize) -> usize {
        let start = self.starts.get(line).copied().unwrap_or(text.len());
        let Some(&next) = self.starts.get(line + 1) else { return text.len() };
        let bytes = text.as_bytes();
        let mut end = next;
        if end > start && bytes.get(end - 1) == Some(&b'\n') {
            end -= 1;
        }
        if end > start && bytes.get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        end
    }
}

fn floor_boundary(text: &str, offset: usize) -> usize {
    let mut i = offset.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// A count as the protocol's `u32` (a line or column past 4 billion cannot be shown anyway).
fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: u32, character: u32) -> Position {
        Position { line, character }
    }

    #[test]
    fn columns_count_utf16_units_not_bytes_or_characters() {
        // 😀 is 4 bytes, 2 UTF-16 units; é is 2 bytes, 1 unit.
        let text = "a = 1\n# 😀é x\r\nlast";
        let lines = Lines::new(text);
        let x = text.find('x').unwrap_or(0);
        assert_eq!(lines.position(text, x), at(1, 6));
        assert_eq!(lines.offset(text, at(1, 6)), x);
        // Inside the surrogate pair: the emoji's start.
        assert_eq!(lines.offset(text, at(1, 3)), text.find('😀').unwrap_or(0));
        // Past the line's end: the end of the line, before `\r\n`.
        assert_eq!(lines.offset(text, at(1, 99)), text.find("\r\n").unwrap_or(0));
        assert_eq!(lines.position(text, text.len()), at(2, 4));
        assert_eq!(lines.offset(text, at(9, 0)), text.len());
    }

    #[test]
    fn every_offset_round_trips_whatever_the_line_breaks() {
        for text in ["", "\n", "x", "a\r\nb\rc\nd", "é\n\n😀", "\r\r\n\n", "x\n", "ab\r", "😀\r"] {
            let lines = Lines::new(text);
            for offset in (0..=text.len()).filter(|&o| text.is_char_boundary(o)) {
                let position = lines.position(text, offset);
                let back = lines.offset(text, position);
                // A line break's own bytes map to the end of their line, before the break.
                let expected = if text[..offset].ends_with('\r') && text[offset..].starts_with('\n') {
                    offset - 1
                } else {
                    offset
                };
                assert_eq!(back, expected, "{text:?} at {offset}: {position:?}");
            }
        }
    }
}
