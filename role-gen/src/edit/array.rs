//! Adding to and removing from TOML arrays the way a person would.
//!
//! toml_edit keeps every comment and line break of an array in the decor of its elements: what
//! follows an element's comma up to the next element is that next element's prefix, and what
//! follows the last comma is the array's `trailing`. So a comment beside `"a",` lives in the
//! prefix of `"b"`. Plain `push` and `remove` would carry such a comment off with the wrong
//! element, or put a new element on the line of a comment; these functions move the decor so
//! that each comment stays beside the element it was written for.
//!
//! The one layout rule for arrays lives here too ([`lay_out`]): `fmt` applies it to every array
//! of a table, and an edit applies it to the array it changed when that array was laid out so
//! before. An edit of a formatted file therefore leaves it formatted, and an array a person laid
//! out otherwise keeps their layout.

use toml_edit::{Array, RawString, Value};

/// The widest `key = [ … ]` line kept on one line.
pub const MAX_WIDTH: usize = 100;

/// The text of a decor part (`None`, the default, reads as empty).
fn text(raw: Option<&RawString>) -> String {
    raw.and_then(RawString::as_str).unwrap_or_default().to_string()
}

/// An element's prefix.
fn prefix(value: &Value) -> String {
    text(value.decor().prefix())
}

/// An element's suffix.
fn suffix(value: &Value) -> String {
    text(value.decor().suffix())
}

/// The first line of `s`, its line break included ("" when `s` has none): what stands beside
/// the element before it.
fn head(s: &str) -> &str {
    s.find('\n').map_or("", |i| &s[..=i])
}

/// Everything after the first line of `s` (all of `s` when it has no line break).
fn tail(s: &str) -> &str {
    s.find('\n').map_or(s, |i| &s[i + 1..])
}

/// Whether any element or the array's end spans lines: then new elements go on lines of their own.
pub fn is_multiline(array: &Array) -> bool {
    array.iter().any(|v| prefix(v).contains('\n') || suffix(v).contains('\n'))
        || text(Some(array.trailing())).contains('\n')
}

/// The indentation of the array's elements, read from the last one on a line of its own.
fn indentation(array: &Array) -> String {
    let prefixes: Vec<String> = array.iter().map(prefix).collect();
    prefixes
        .into_iter()
        .rev()
        .find_map(|p| p.rfind('\n').map(|i| p[i + 1..].to_string()))
        .filter(|indent| indent.chars().all(|c| c == ' ' || c == '\t'))
        .unwrap_or_else(|| "  ".to_string())
}

/// Appends `value` in the style of the array: on one line after a comma, or on a line of its
/// own with the others' indentation; a comment beside the old last element stays beside it.
pub fn push(array: &mut Array, value: impl Into<Value>) {
    let mut value: Value = value.into();
    value.decor_mut().clear();
    let n = array.len();
    if n == 0 {
        value.decor_mut().set_prefix("");
        value.decor_mut().set_suffix("");
        array.push_formatted(value);
        return;
    }
    if is_multiline(array) {
        push_on_own_line(array, value);
    } else {
        let last_suffix = array.get_mut(n - 1).map(|v| suffix(v)).unwrap_or_default();
        if let Some(last) = array.get_mut(n - 1) {
            last.decor_mut().set_suffix("");
        }
        value.decor_mut().set_prefix(" ");
        value.decor_mut().set_suffix(last_suffix);
        array.push_formatted(value);
    }
}

fn push_on_own_line(array: &mut Array, mut value: Value) {
    let indent = indentation(array);
    let n = array.len();
    let (new_prefix, new_suffix) = if array.trailing_comma() {
        let trailing = text(Some(array.trailing()));
        if trailing.contains('\n') {
            array.set_trailing(format!("\n{}", tail(&trailing)));
            (format!("{}{indent}", head(&trailing)), String::new())
        } else {
            (format!("\n{indent}"), String::new())
        }
    } else {
        let last_suffix = array.get(n - 1).map(suffix).unwrap_or_default();
        if let Some(last) = array.get_mut(n - 1) {
            last.decor_mut().set_suffix("");
        }
        if last_suffix.contains('\n') {
            (format!("{}{indent}", head(&last_suffix)), format!("\n{}", tail(&last_suffix)))
        } else {
            (format!("\n{indent}"), last_suffix)
        }
    };
    value.decor_mut().set_prefix(new_prefix);
    value.decor_mut().set_suffix(new_suffix);
    array.push_formatted(value);
}

/// Removes the element at `index`. A comment beside the element before it stays there; the
/// comments beside and right above the removed element go with it.
pub fn remove(array: &mut Array, index: usize) {
    if index >= array.len() {
        return;
    }
    let removed = array.remove(index);
    let (p, s) = (prefix(&removed), suffix(&removed));
    if index < array.len() {
        let next_prefix = array.get(index).map(prefix).unwrap_or_default();
        let merged = match (p.contains('\n'), next_prefix.contains('\n')) {
            (true, true) => format!("{}{}", head(&p), tail(&next_prefix)),
            (true, false) => p,
            (false, _) if index == 0 => p,
            (false, _) => next_prefix,
        };
        if let Some(next) = array.get_mut(index) {
            next.decor_mut().set_prefix(merged);
        }
    } else if array.trailing_comma() || array.is_empty() {
        let trailing = text(Some(array.trailing()));
        let end = if p.contains('\n') { format!("{}{}", head(&p), tail(&trailing)) } else { trailing };
        array.set_trailing(end);
    } else if let Some(last) = array.get_mut(index - 1) {
        let end = if p.contains('\n') { format!("{}{}", head(&p), tail(&s)) } else { s };
        let joined = format!("{}{end}", suffix(last));
        last.decor_mut().set_suffix(joined);
    }
    if array.is_empty() {
        tidy_empty(array);
    }
}

/// An array emptied by [`remove`] prints as `[]`, unless a comment is left inside it.
fn tidy_empty(array: &mut Array) {
    array.set_trailing_comma(false);
    if !text(Some(array.trailing())).contains('#') {
        array.set_trailing("");
    }
}

/// Removes every string element equal to `name`; returns how many.
pub fn remove_str(array: &mut Array, name: &str) -> usize {
    let found: Vec<usize> =
        array.iter().enumerate().filter(|(_, v)| v.as_str() == Some(name)).map(|(i, _)| i).collect();
    for &i in found.iter().rev() {
        remove(array, i);
    }
    found.len()
}

/// The string elements of an array (others are skipped: validation reports them).
pub fn strings(array: &Array) -> Vec<String> {
    array.iter().filter_map(Value::as_str).map(str::to_string).collect()
}

/// Whether an array holds a comment anywhere (then `fmt` leaves its layout as written: joining
/// its lines would lose them).
pub fn has_comments(array: &Array) -> bool {
    array.iter().any(|v| prefix(v).contains('#') || suffix(v).contains('#'))
        || text(Some(array.trailing())).contains('#')
}

/// The layout of the array of `key = [ … ]`, `key_width` being the printed width of `key`: one
/// line when the line fits in [`MAX_WIDTH`] columns and holds at most one inline table, else one
/// element per line, indented two spaces, with a trailing comma. An array holding a comment is
/// left as written.
pub fn lay_out(key_width: usize, array: &mut Array) {
    if has_comments(array) {
        return;
    }
    let tables = array.iter().filter(|v| v.is_inline_table()).count();
    for (i, value) in array.iter_mut().enumerate() {
        value.decor_mut().set_prefix(if i == 0 { "" } else { " " });
        value.decor_mut().set_suffix("");
    }
    array.set_trailing("");
    array.set_trailing_comma(false);
    let mut bare = array.clone();
    bare.decor_mut().clear();
    let width = key_width + " = ".len() + bare.to_string().chars().count();
    if width <= MAX_WIDTH && tables <= 1 {
        return;
    }
    for value in array.iter_mut() {
        value.decor_mut().set_prefix("\n  ");
    }
    array.set_trailing("\n");
    array.set_trailing_comma(true);
}

/// Whether the array is laid out as [`lay_out`] would lay it out.
pub fn is_laid_out(key_width: usize, array: &Array) -> bool {
    let mut laid = array.clone();
    lay_out(key_width, &mut laid);
    laid.to_string() == array.to_string()
}

/// A string or an integer, compared by value (`"a"` and `'a'` are the same entry).
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum Scalar {
    Str(String),
    Int(i64),
}

/// Drops the repeats of a string or an integer, the first occurrence staying; returns how many
/// were dropped. A repeat's comments are not dropped with it: they stay where they were, on
/// lines of their own.
pub fn dedup(array: &mut Array) -> usize {
    let mut seen = std::collections::BTreeSet::new();
    let (mut i, mut dropped) = (0, 0);
    while let Some(value) = array.get(i) {
        let scalar = match value {
            Value::String(s) => Some(Scalar::Str(s.value().clone())),
            Value::Integer(n) => Some(Scalar::Int(*n.value())),
            _ => None,
        };
        if scalar.is_some_and(|s| !seen.insert(s)) {
            remove_keeping_comments(array, i);
            dropped += 1;
        } else {
            i += 1;
        }
    }
    dropped
}

/// The comment lines of a piece of decor, trimmed, in order.
fn comment_lines(s: &str) -> impl Iterator<Item = &str> {
    s.split('\n').map(str::trim).filter(|l| l.starts_with('#'))
}

/// What follows the last line break of `s` (the indentation before the next element or `]`).
fn last_segment(s: &str) -> &str {
    s.rfind('\n').map_or(s, |i| &s[i + 1..])
}

/// Removes the element at `index` (not the first: [`dedup`] keeps first occurrences), keeping
/// every comment around it: the one beside the element before stays there; those above and
/// beside the removed element become lines of their own in its place.
fn remove_keeping_comments(array: &mut Array, index: usize) {
    let Some(removed) = array.get(index) else { return };
    let (p, s) = (prefix(removed), suffix(removed));
    let is_last = index + 1 == array.len();
    let after = match array.get(index + 1) {
        Some(next) => prefix(next),
        None if array.trailing_comma() => text(Some(array.trailing())),
        None => String::new(),
    };
    let rest = format!("{s}{after}");
    if index == 0 || !(p.contains('#') || rest.contains('#')) {
        remove(array, index);
        return;
    }
    let indent = indentation(array);
    let beside_previous = if p.contains('\n') { head(&p) } else { "\n" };
    let above = if p.contains('\n') { tail(&p) } else { "" };
    let lines: String = comment_lines(above).chain(comment_lines(&rest)).map(|c| format!("{indent}{c}\n")).collect();
    let end = if rest.contains('\n') { last_segment(&rest) } else { indent.as_str() };
    let gap = format!("{beside_previous}{lines}{end}");
    array.remove(index);
    if !is_last {
        if let Some(next) = array.get_mut(index) {
            next.decor_mut().set_prefix(gap);
        }
    } else if array.trailing_comma() {
        array.set_trailing(gap);
    } else if let Some(previous) = array.get_mut(index - 1) {
        let joined = format!("{}{gap}", suffix(previous));
        previous.decor_mut().set_suffix(joined);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Applies `edit` to the array value of `key = …` and returns the re-printed line(s).
    fn edit(src: &str, edit: impl FnOnce(&mut Array)) -> String {
        let mut doc: toml_edit::DocumentMut = src.parse().expect("toml");
        let array = doc["a"].as_array_mut().expect("array");
        edit(array);
        doc.to_string()
    }

    #[test]
    fn push_follows_one_line_style() {
        assert_eq!(edit("a = []\n", |a| push(a, "x")), "a = [\"x\"]\n");
        assert_eq!(edit("a = [\"a\", \"b\"]\n", |a| push(a, "x")), "a = [\"a\", \"b\", \"x\"]\n");
        assert_eq!(edit("a = [ \"a\" ] # c\n", |a| push(a, "x")), "a = [ \"a\", \"x\" ] # c\n");
    }

    #[test]
    fn push_follows_multiline_style_and_keeps_beside_comments() {
        let src = "a = [\n    \"a\", # about a\n]\n";
        assert_eq!(edit(src, |a| push(a, "x")), "a = [\n    \"a\", # about a\n    \"x\",\n]\n");
        let src = "a = [\n  \"a\"  # about a\n]\n";
        assert_eq!(edit(src, |a| push(a, "x")), "a = [\n  \"a\",  # about a\n  \"x\"\n]\n");
    }

    #[test]
    fn remove_keeps_the_neighbours_comments() {
        let src = "a = [\n  \"a\", # about a\n  # above b\n  \"b\", # about b\n  \"c\",\n]\n";
        assert_eq!(edit(src, |a| remove(a, 1)), "a = [\n  \"a\", # about a\n  \"c\",\n]\n");
        assert_eq!(edit(src, |a| remove(a, 2)), "a = [\n  \"a\", # about a\n  # above b\n  \"b\", # about b\n]\n");
        assert_eq!(edit("a = [\"a\", \"b\", \"c\"]\n", |a| remove(a, 0)), "a = [\"b\", \"c\"]\n");
        assert_eq!(edit("a = [\"a\", \"b\", \"c\"]\n", |a| remove(a, 2)), "a = [\"a\", \"b\"]\n");
        assert_eq!(edit("a = [\n  \"a\",\n]\n", |a| remove(a, 0)), "a = []\n");
        let src = "a = [\n  \"a\",  # about a\n  \"b\"  # about b\n]\n";
        assert_eq!(edit(src, |a| remove(a, 1)), "a = [\n  \"a\"  # about a\n]\n");
    }

    #[test]
    fn lay_out_joins_what_fits_and_splits_what_does_not() {
        let lay = |src: &str| edit(src, |a| lay_out(1, a));
        assert_eq!(lay("a = [\n  \"x\",\n  \"y\",\n]\n"), "a = [\"x\", \"y\"]\n");
        let long: Vec<String> = (0..10).map(|i| format!("\"element_number_{i}\"")).collect();
        let laid = lay(&format!("a = [{}]\n", long.join(", ")));
        assert_eq!(laid, format!("a = [\n{}]\n", long.iter().map(|e| format!("  {e},\n")).collect::<String>()));
        let commented = "a = [ \"x\", # why\n \"y\" ]\n";
        assert_eq!(lay(commented), commented, "an array holding a comment is left as written");
    }

    #[test]
    fn dedup_keeps_first_occurrences_and_every_comment() {
        let dedup = |src: &str| edit(src, |a| assert!(dedup(a) > 0, "{src}"));
        assert_eq!(dedup("a = [\"x\", \"y\", \"x\", 'y']\n"), "a = [\"x\", \"y\"]\n");
        assert_eq!(dedup("a = [9, 2, 9]\n"), "a = [9, 2]\n");
        let src = "a = [\n  \"x\", # first\n  \"y\",\n  \"x\", # again\n  \"z\",\n]\n";
        assert_eq!(dedup(src), "a = [\n  \"x\", # first\n  \"y\",\n  # again\n  \"z\",\n]\n");
        let src = "a = [\n  \"x\", # first\n  # above the repeat\n  \"x\", # again\n]\n";
        assert_eq!(dedup(src), "a = [\n  \"x\", # first\n  # above the repeat\n  # again\n]\n");
        let src = "a = [\n  \"x\",\n  \"x\"  # again\n]\n";
        assert_eq!(dedup(src), "a = [\n  \"x\"\n  # again\n]\n");
        let src = "a = [\"x\", \"x\", # again\n  \"y\"]\n";
        assert_eq!(dedup(src), "a = [\"x\",\n  # again\n  \"y\"]\n");
    }
}
