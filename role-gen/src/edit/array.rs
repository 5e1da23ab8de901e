//! Adding to and removing from TOML arrays the way a person would.
//!
//! toml_edit keeps every comment and line break of an array in the decor of its elements: what
//! follows an element's comma up to the next element is that next element's prefix, and what
//! follows the last comma is the array's `trailing`. So a comment beside `"a",` lives in the
//! prefix of `"b"`. Plain `push` and `remove` would carry such a comment off with the wrong
//! element, or put a new element on the line of a comment; these functions move the decor so
//! that each comment stays beside the element it was written for.

use toml_edit::{Array, RawString, Value};

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
}
