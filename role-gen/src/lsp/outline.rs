//! The names a file declares, read by the forgiving [`scan`](super::scan): what completion
//! offers, also while the file is not TOML (a half-typed line does not hide the other 10,000
//! permissions). Each name keeps its `id` and `description` as written, for the completion's
//! detail.

use std::collections::HashMap;

use super::index::Sym;
use super::scan::{self, Event};

/// One declared name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    pub sym: Sym,
    pub name: String,
    pub id: Option<String>,
    pub description: Option<String>,
}

/// The declared names of one text, in file order, each once.
#[derive(Debug, Clone, Default)]
pub struct Outline {
    names: Vec<Named>,
    by_name: HashMap<(Sym, String), usize>,
}

impl Outline {
    /// The outline of `text`, whatever state it is in.
    pub fn of(text: &str) -> Outline {
        let mut outline = Outline::default();
        scan::events(text, &mut |event| outline.read(event));
        outline
    }

    /// The names of one kind, in file order.
    pub fn names(&self, sym: Sym) -> impl Iterator<Item = &Named> {
        self.names.iter().filter(move |n| n.sym == sym)
    }

    /// The entry of `name` as a `sym`.
    pub fn get(&self, sym: Sym, name: &str) -> Option<&Named> {
        self.by_name.get(&(sym, name.to_string())).map(|&i| &self.names[i])
    }

    fn read(&mut self, event: Event) {
        match event {
            Event::Header { parts } => {
                self.entry(&parts);
            }
            Event::Key { path, .. } => match path.as_slice() {
                [tests, predicates, name] if tests == "tests" && predicates == "predicates" => {
                    self.declare(Sym::Predicate, name);
                }
                _ => {
                    self.entry(&path);
                }
            },
            Event::Scalar { path, text, string } => self.scalar(&path, text, string),
        }
    }

    /// Declares the entry a path from the root lies in (`[permissions.NAME]`, `roles.NAME.id`).
    fn entry(&mut self, path: &[String]) -> Option<usize> {
        let [section, name, ..] = path else { return None };
        let sym = sym_of_section(section)?;
        Some(self.declare(sym, name))
    }

    fn scalar(&mut self, path: &[String], text: String, string: bool) {
        match path {
            [legacy, levels] if legacy == "legacy" && levels == "levels" && string => {
                self.declare(Sym::Level, &text);
            }
            [policies, _, rules, kind]
                if policies == "policies"
                    && rules == "rules"
                    && string
                    && (kind == "allow_if" || kind == "deny_if") =>
            {
                self.declare(Sym::Predicate, &text);
            }
            [_, _, key] if key == "id" || key == "description" => {
                if let Some(i) = self.entry(path) {
                    let slot = if key == "id" { &mut self.names[i].id } else { &mut self.names[i].description };
                    slot.get_or_insert(text);
                }
            }
            _ => {}
        }
    }

    fn declare(&mut self, sym: Sym, name: &str) -> usize {
        let next = self.names.len();
        *self.by_name.entry((sym, name.to_string())).or_insert_with(|| {
            self.names.push(Named { sym, name: name.to_string(), id: None, description: None });
            next
        })
    }
}

/// The kind of entry a section holds.
pub fn sym_of_section(section: &str) -> Option<Sym> {
    [Sym::Entity, Sym::Permission, Sym::Role, Sym::Policy, Sym::Predicate]
        .into_iter()
        .find(|s| s.section() == Some(section))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_read_from_a_file_that_is_not_toml() {
        let text = "[project]\nname = \"p\"\n[permissions.read]\nid = 1\ndescription = \"Read \\\"it\\\"\"\n\
                    [roles.viewer]\npermissions = [\"re\n[legacy]\nlevels = [\"guest\", 'owner']\n\
                    [policies.x]\nrules = [{ allow_if = \"is_author\" }]\n[roles]\nadmin.id = 2\n";
        assert!(text.parse::<toml::Table>().is_err());
        let outline = Outline::of(text);
        let names = |sym| outline.names(sym).map(|n| n.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(Sym::Permission), ["read"]);
        assert_eq!(names(Sym::Role), ["viewer", "admin"]);
        assert_eq!(names(Sym::Level), ["guest", "owner"]);
        assert_eq!(names(Sym::Predicate), ["is_author"]);
        let read = outline.get(Sym::Permission, "read");
        assert_eq!(read.and_then(|r| r.description.as_deref()), Some("Read \"it\""));
        assert_eq!(read.and_then(|r| r.id.as_deref()), Some("1"));
    }
}
