//! The name under the cursor in text that does not parse as TOML, read by the forgiving
//! [`scan`](super::scan) as completion reads it: go to definition still works while a line
//! elsewhere in the file is half typed.

use super::completion::refers;
use super::index::Sym;
use super::outline::sym_of_section;
use super::scan::{self, Place, Spot, is_key_byte};

/// A name the cursor is on, and its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Typed {
    pub sym: Sym,
    pub name: String,
}

/// The name at `offset` of `text` and what kind of name the place holds, if it holds one.
pub fn at(text: &str, offset: usize) -> Option<Typed> {
    let offset = offset.min(text.len());
    let cursor = scan::cursor(text, offset);
    let end = offset + text.get(offset..)?.bytes().take_while(|&b| is_key_byte(b)).count();
    let name = text.get(cursor.word.start..end).filter(|n| !n.is_empty())?;
    let sym = sym_at(&cursor.spot)?;
    Some(Typed { sym, name: name.to_string() })
}

/// What kind of name is written at `spot`: a reference in a value, or a declaration in a
/// header (`[roles.NAME]`) or a key of a section (`[roles]` then `NAME.id = 1`).
fn sym_at(spot: &Spot) -> Option<Sym> {
    match spot {
        Spot::Value { path, .. } => match scan::resolve(path) {
            Place::Key(table, key) => refers(table, key.name),
            _ => None,
        },
        Spot::Header { parts, .. } | Spot::Key { table: parts, .. } => match parts.as_slice() {
            [section] => sym_of_section(section),
            _ => None,
        },
        Spot::Nothing => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_found_in_values_headers_and_keys_of_text_that_is_not_toml() {
        let text = "[roles.viewer]\npermissions = [\"read\", \"ed\n[roles]\nadmin.includes = ['viewer']\n\
                    [permissions.read]\n";
        assert!(text.parse::<toml::Table>().is_err());
        let found = |needle: &str, skip: usize| at(text, text.find(needle).map(|i| i + skip).unwrap_or(0));
        let typed = |sym, name: &str| Some(Typed { sym, name: name.to_string() });
        assert_eq!(found("\"read\"", 3), typed(Sym::Permission, "read"));
        assert_eq!(found("'viewer'", 1), typed(Sym::Role, "viewer"));
        assert_eq!(found("viewer]", 0), typed(Sym::Role, "viewer"));
        assert_eq!(found("admin.", 2), typed(Sym::Role, "admin"));
        assert_eq!(found("read]", 4), typed(Sym::Permission, "read"));
        assert_eq!(found("permissions =", 2), None, "a key is not a name");
        assert_eq!(found("[roles]", 0), None);
    }
}
