//! The names a file declares, read by the forgiving [`scan`](super::scan): what completion
//! offers, also while the file is not TOML (a half-typed line does not hide the other 10,000
//! permissions) and the editor's outline of the file. Each name keeps its `id` and
//! `description` as written, for the completion's detail, and where it is written.

use std::collections::HashMap;

use super::index::Sym;
use super::scan::{self, Event};
use crate::source::Span;

/// One declared name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    pub sym: Sym,
    pub name: String,
    pub id: Option<String>,
    pub description: Option<String>,
    /// The name where it is declared (inside any quotes); for a predicate no `[predicates]`
    /// entry describes, where it is first named.
    pub at: Span,
    /// Whether the file declares it (a predicate only named by rules and tests is not).
    pub declared: bool,
    /// The text its entry takes: from its header or first key to the last line before the next
    /// entry, header or key of another table (trailing blank lines left out); its first
    /// stretch when it is written in several places.
    pub extent: Span,
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
        let mut reader = Reader { text, outline: Outline::default(), open: None };
        scan::events(text, &mut |event| reader.read(event));
        reader.close(text.len());
        reader.outline
    }

    /// The names of one kind, in file order.
    pub fn names(&self, sym: Sym) -> impl Iterator<Item = &Named> {
        self.names.iter().filter(move |n| n.sym == sym)
    }

    /// The entry of `name` as a `sym`.
    pub fn get(&self, sym: Sym, name: &str) -> Option<&Named> {
        self.by_name.get(&(sym, name.to_string())).map(|&i| &self.names[i])
    }

    /// Every declared name, in file order.
    pub fn all(&self) -> &[Named] {
        &self.names
    }
}

/// Builds an [`Outline`] from the scan's events.
struct Reader<'a> {
    text: &'a str,
    outline: Outline,
    /// The entry whose text is being read, and where this stretch of it started.
    open: Option<(usize, usize)>,
}

impl Reader<'_> {
    fn read(&mut self, event: Event) {
        match event {
            Event::Header { parts, names, span } => {
                let at = names.get(1).cloned().unwrap_or(span.clone());
                let entry = self.entry(&parts, at);
                self.switch(entry, span.start);
            }
            Event::Key { path, span } => match path.as_slice() {
                [tests, predicates, name] if tests == "tests" && predicates == "predicates" => {
                    self.mention(Sym::Predicate, name, span);
                }
                _ => {
                    let line = line_start(self.text, span.start);
                    let entry = self.entry(&path, span);
                    self.switch(entry, line);
                }
            },
            Event::Scalar { path, text, string, span } => self.scalar(&path, text, string, span),
        }
    }

    /// The text from `at` on belongs to `entry` (or to none): the open entry ends before it.
    fn switch(&mut self, entry: Option<usize>, at: usize) {
        if entry.is_some() && entry == self.open.map(|(i, _)| i) {
            return;
        }
        self.close(at);
        self.open = entry.map(|i| (i, at));
    }

    /// Ends the open entry's stretch before `at`, trailing blank lines left out. Its first
    /// stretch is its extent, grown by the stretches that follow it with nothing in between.
    fn close(&mut self, at: usize) {
        let Some((i, start)) = self.open.take() else { return };
        let end = start + self.text.get(start..at).unwrap_or_default().trim_end().len();
        let named = &mut self.outline.names[i];
        if named.extent == named.at {
            named.extent = start..end;
        } else if self.text.get(named.extent.end..start).is_some_and(|between| between.trim().is_empty()) {
            named.extent.end = named.extent.end.max(end);
        }
    }

    /// Declares the entry a path from the root lies in (`[permissions.NAME]`, `roles.NAME.id`),
    /// written at `at` if it is new.
    fn entry(&mut self, path: &[String], at: Span) -> Option<usize> {
        let [section, name, ..] = path else { return None };
        let sym = sym_of_section(section)?;
        Some(self.declare(sym, name, at))
    }

    /// Declares `name` as a `sym` at `at`, unless declared already; a predicate named before
    /// its `[predicates]` entry moves to the entry.
    fn declare(&mut self, sym: Sym, name: &str, at: Span) -> usize {
        let i = self.mention(sym, name, at.clone());
        let named = &mut self.outline.names[i];
        if !named.declared {
            (named.at, named.extent, named.declared) = (at.clone(), at, true);
        }
        i
    }

    fn scalar(&mut self, path: &[String], text: String, string: bool, span: Span) {
        match path {
            [legacy, levels] if legacy == "legacy" && levels == "levels" && string => {
                self.declare(Sym::Level, &text, span);
            }
            [policies, _, rules, kind]
                if policies == "policies"
                    && rules == "rules"
                    && string
                    && (kind == "allow_if" || kind == "deny_if") =>
            {
                self.mention(Sym::Predicate, &text, span);
            }
            [_, _, key] if key == "id" || key == "description" => {
                if let Some(i) = self.entry(path, span) {
                    let named = &mut self.outline.names[i];
                    let slot = if key == "id" { &mut named.id } else { &mut named.description };
                    slot.get_or_insert(text);
                }
            }
            _ => {}
        }
    }

    /// The entry of `name` as a `sym`, added (undeclared, at `at`) when it is new.
    fn mention(&mut self, sym: Sym, name: &str, at: Span) -> usize {
        let Outline { names, by_name } = &mut self.outline;
        let next = names.len();
        *by_name.entry((sym, name.to_string())).or_insert_with(|| {
            let extent = at.clone();
            let (id, description, declared) = (None, None, false);
            names.push(Named { sym, name: name.to_string(), id, description, at, extent, declared });
            next
        })
    }
}

/// Where the line holding `offset` starts.
fn line_start(text: &str, offset: usize) -> usize {
    text.get(..offset).and_then(|before| before.rfind('\n')).map_or(0, |i| i + 1)
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

    #[test]
    fn each_entry_spans_its_text_and_points_at_its_name() {
        let text = "[project]\nname = \"p\"\n\n[permissions.read]\nid = 1\n# about it\n\n\
                    [roles]\nadmin.id = 2\nadmin.permissions = [\n  \"read\",\n]\n\n\
                    viewer = { id = 3 }\n[legacy]\nlevels = [\"guest\", 'owner']\n[[tests]]\nrole = \"admin\"\n";
        let outline = Outline::of(text);
        let shown = |sym, name| {
            let named = outline.get(sym, name).expect(name);
            (&text[named.at.clone()], &text[named.extent.clone()])
        };
        assert_eq!(shown(Sym::Permission, "read"), ("read", "[permissions.read]\nid = 1\n# about it"));
        let admin = "admin.id = 2\nadmin.permissions = [\n  \"read\",\n]";
        assert_eq!(shown(Sym::Role, "admin"), ("admin", admin));
        assert_eq!(shown(Sym::Role, "viewer"), ("viewer", "viewer = { id = 3 }"));
        assert_eq!(shown(Sym::Level, "owner"), ("owner", "owner"));
    }

    /// Typing a file from its first character (and cutting it anywhere), every place the
    /// outline gives lies inside the text, on character boundaries, its name inside its extent.
    #[test]
    fn every_prefix_of_a_file_being_typed_gives_places_inside_the_text() {
        for text in
            [include_str!("../../../definitions/slack/roles.toml"), include_str!("../../../tests/hostile/roles.toml")]
        {
            // About 150 cuts a file, a prime apart where it is short.
            let cuts = (0..=text.len()).filter(|&i| text.is_char_boundary(i)).step_by((text.len() / 150).max(97));
            for text in cuts.map(|i| &text[..i]) {
                for named in Outline::of(text).all() {
                    for span in [&named.at, &named.extent] {
                        assert!(text.get(span.clone()).is_some(), "{span:?} of {text:?}");
                    }
                    let inside = named.extent.start <= named.at.start && named.at.end <= named.extent.end;
                    assert!(inside || !named.declared, "{named:?} in {text:?}");
                }
            }
        }
    }

    #[test]
    fn a_predicate_is_declared_by_its_entry_not_by_the_rules_naming_it() {
        let text = "[policies.p]\nrules = [{ allow_if = \"is_owner\" }, { deny_if = \"is_bot\" }]\n\n\
                    [predicates.is_owner]\ndescription = \"Owns it\"\n";
        let outline = Outline::of(text);
        let owner = outline.get(Sym::Predicate, "is_owner").expect("is_owner");
        assert!(owner.declared);
        assert_eq!(&text[owner.extent.clone()], "[predicates.is_owner]\ndescription = \"Owns it\"");
        assert_eq!(owner.at.start, text.rfind("is_owner").unwrap_or(0));
        let bot = outline.get(Sym::Predicate, "is_bot").expect("is_bot");
        assert_eq!((bot.declared, &text[bot.at.clone()]), (false, "is_bot"));
    }
}
