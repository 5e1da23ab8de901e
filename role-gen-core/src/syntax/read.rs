//! Reading one table or value of roles.toml: a table's keys checked against the schema (every
//! unknown one reported, with a did-you-mean), each value checked for its type, required keys
//! reported at their table's header. Every reader reports its problem and returns `None`, so
//! the decoder goes on past it.

use std::borrow::Cow;

use toml::de::{DeArray, DeTable, DeValue};

use super::{Deprecation, Hidden, Sp};
use crate::diagnostic::{Code, Diagnostic};
use crate::names::NameKind;
use crate::schema;
use crate::source::Span;
use crate::suggest::closest;

pub(super) struct Cx<'d> {
    /// The whole text, for values that must be quoted as written (a number too large to hold).
    pub(super) text: &'d str,
    pub(super) diags: &'d mut Vec<Diagnostic>,
    /// Names declared where they could not be read, found on the way.
    pub(super) hidden: Vec<Hidden>,
    /// Entries whose meaning was not read as written.
    pub(super) damaged: Vec<(NameKind, Option<String>)>,
}

/// The entries of one table, after its unknown keys were reported.
pub(super) struct Fields<'t, 'i> {
    table: &'t DeTable<'i>,
    pub(super) header: Span,
    /// Each unknown key that looks like a known one: (the known key, the entry as written).
    misspelt: Vec<(&'static str, Entry<'t, 'i>)>,
}

impl<'t, 'i> Fields<'t, 'i> {
    pub(super) fn get(&self, key: &str) -> Option<&'t Sp<DeValue<'i>>> {
        self.table.get(key)
    }

    /// The entry written for `key` under another, close spelling (`level` for `levels`).
    pub(super) fn misspelling_of(&self, key: &str) -> Option<Entry<'t, 'i>> {
        self.misspelt.iter().find(|(meant, _)| *meant == key).map(|(_, entry)| *entry)
    }

    /// The unknown keys that look like known ones, with the known key each looks like.
    pub(super) fn misspellings(&self) -> impl Iterator<Item = (&'static str, Entry<'t, 'i>)> + '_ {
        self.misspelt.iter().copied()
    }
}

pub(super) type Entry<'t, 'i> = (&'t Sp<Cow<'i, str>>, &'t Sp<DeValue<'i>>);

/// Entries in file order (toml's map is sorted by key).
pub(super) fn in_file_order<'t, 'i>(table: &'t DeTable<'i>) -> Vec<Entry<'t, 'i>> {
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    entries
}

pub(super) fn spanned<T>(span: Span, value: T) -> Sp<T> {
    Sp::new(span, value)
}

impl Cx<'_> {
    pub(super) fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// Opens a table, reporting every key it does not know (in file order).
    pub(super) fn fields<'t, 'i>(
        &mut self,
        table: &'t DeTable<'i>,
        header: Span,
        what: &str,
        shape: &schema::Table,
    ) -> Fields<'t, 'i> {
        let mut misspelt = Vec::new();
        // Most tables hold only known keys: sort (and allocate) only when some are not.
        if table.keys().any(|key| !shape.knows(key.get_ref())) {
            for entry in in_file_order(table) {
                if !shape.knows(entry.0.get_ref()) {
                    misspelt.extend(self.unknown_key(entry.0, what, shape).map(|meant| (meant, entry)));
                }
            }
        }
        Fields { table, header, misspelt }
    }

    /// Reports an unknown key; returns the known key it looks like, if one is close.
    fn unknown_key(&mut self, key: &Sp<Cow<'_, str>>, what: &str, shape: &schema::Table) -> Option<&'static str> {
        let name = key.get_ref();
        let meant = closest(name, shape.names());
        let help = meant.map_or_else(
            || {
                format!(
                    "{what} takes the keys {}",
                    shape.names().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                )
            },
            |k| format!("did you mean `{k}`?"),
        );
        self.push(
            Diagnostic::new(Code::UnknownKey, key.span(), format!("unknown key `{name}` in {what}"))
                .label("not a known key")
                .help(help),
        );
        meant
    }

    pub(super) fn wrong_type(&mut self, value: &Sp<DeValue<'_>>, expected: &str) {
        let found = value.get_ref().type_str();
        self.push(
            Diagnostic::new(Code::WrongType, value.span(), format!("expected {expected}, found {}", article(found)))
                .label(format!("this is {}", article(found))),
        );
    }

    /// Reports a required key as missing, unless an unknown key already reported is a
    /// misspelling of it: that report is the cause, and says what to write.
    pub(super) fn missing(&mut self, fields: &Fields<'_, '_>, key: &str, what: &str) {
        if fields.misspelling_of(key).is_some() {
            return;
        }
        self.push(
            Diagnostic::new(
                Code::MissingKey,
                fields.header.clone(),
                format!("{what} is missing the required key `{key}`"),
            )
            .label(format!("`{key}` missing here"))
            .help(format!("add `{key} = …` to this table")),
        );
    }

    pub(super) fn table<'t, 'i>(&mut self, value: &'t Sp<DeValue<'i>>) -> Option<&'t DeTable<'i>> {
        match value.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => {
                self.wrong_type(value, "a table");
                None
            }
        }
    }

    pub(super) fn string(&mut self, value: &Sp<DeValue<'_>>) -> Option<Sp<String>> {
        match value.get_ref() {
            DeValue::String(s) => Some(spanned(value.span(), s.to_string())),
            _ => {
                self.wrong_type(value, "a string");
                None
            }
        }
    }

    /// An id; `owner` says whose in the message for one too large to hold ("permission `x`").
    pub(super) fn integer(&mut self, value: &Sp<DeValue<'_>>, owner: &str) -> Option<Sp<i64>> {
        match value.get_ref() {
            DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
                Ok(n) => Some(spanned(value.span(), n)),
                Err(_) => {
                    self.huge_id(value, owner);
                    None
                }
            },
            _ => {
                self.wrong_type(value, "an integer");
                None
            }
        }
    }

    /// An id beyond 64 bits, reported here with its digits as written: the range check after
    /// this stage sees only numbers, and would print a clamped one.
    pub(super) fn huge_id(&mut self, value: &Sp<DeValue<'_>>, owner: &str) {
        let written = self.text.get(value.span()).unwrap_or("the number").trim();
        self.push(
            Diagnostic::new(Code::IdOutOfRange, value.span(), format!("{owner} has id {written}, outside 1..=65535"))
                .label("out of range")
                .help("ids are 1..=65535; this number does not even fit in 64 bits"),
        );
    }

    pub(super) fn boolean(&mut self, value: &Sp<DeValue<'_>>) -> Option<Sp<bool>> {
        match value.get_ref() {
            DeValue::Boolean(b) => Some(spanned(value.span(), *b)),
            _ => {
                self.wrong_type(value, "a boolean");
                None
            }
        }
    }

    pub(super) fn array<'t, 'i>(&mut self, value: &'t Sp<DeValue<'i>>, expected: &str) -> Option<&'t DeArray<'i>> {
        match value.get_ref() {
            DeValue::Array(a) => Some(a),
            _ => {
                self.wrong_type(value, expected);
                None
            }
        }
    }

    pub(super) fn strings(&mut self, value: &Sp<DeValue<'_>>) -> Option<Vec<Sp<String>>> {
        let array = self.array(value, "an array of strings")?;
        Some(array.iter().filter_map(|v| self.string(v)).collect())
    }

    pub(super) fn integers(&mut self, value: &Sp<DeValue<'_>>, owner: &str) -> Vec<Sp<i64>> {
        let Some(array) = self.array(value, "an array of integers") else { return Vec::new() };
        array.iter().filter_map(|v| self.integer(v, owner)).collect()
    }

    /// A required, non-empty description. Empty counts as missing (SPEC section 1).
    pub(super) fn description(&mut self, f: &Fields<'_, '_>, what: &str, required: bool) -> Option<Sp<String>> {
        let Some(value) = f.get("description") else {
            if required {
                self.missing(f, "description", what);
            }
            return None;
        };
        let description = self.string(value)?;
        if description.get_ref().trim().is_empty() {
            self.push(
                Diagnostic::new(Code::MissingKey, description.span(), format!("{what} has an empty `description`"))
                    .label("empty")
                    .help("say in a few words what it allows: it lands in every generated file's docs"),
            );
        }
        Some(description)
    }

    pub(super) fn opt_string(&mut self, f: &Fields<'_, '_>, key: &str) -> Option<Sp<String>> {
        f.get(key).and_then(|v| self.string(v))
    }

    pub(super) fn req_string(&mut self, f: &Fields<'_, '_>, key: &str, what: &str) -> Option<Sp<String>> {
        match f.get(key) {
            Some(v) => self.string(v),
            None => {
                self.missing(f, key, what);
                None
            }
        }
    }

    pub(super) fn req_id(&mut self, f: &Fields<'_, '_>, what: &str) -> Option<Sp<i64>> {
        match f.get("id") {
            Some(v) => self.integer(v, what),
            None => {
                self.missing(f, "id", what);
                None
            }
        }
    }

    pub(super) fn opt_strings(&mut self, f: &Fields<'_, '_>, key: &str) -> Option<Vec<Sp<String>>> {
        f.get(key).and_then(|v| self.strings(v))
    }

    pub(super) fn deprecation(&mut self, value: &Sp<DeValue<'_>>) -> Deprecation {
        match value.get_ref() {
            DeValue::Boolean(true) => Deprecation::Yes,
            DeValue::Boolean(false) => Deprecation::No,
            DeValue::String(reason) => Deprecation::Reason(reason.to_string()),
            _ => {
                self.wrong_type(value, "`true` or a reason string");
                Deprecation::No
            }
        }
    }

    pub(super) fn one_or_many(&mut self, value: &Sp<DeValue<'_>>) -> Option<Vec<Sp<String>>> {
        match value.get_ref() {
            DeValue::String(s) => Some(vec![spanned(value.span(), s.to_string())]),
            DeValue::Array(_) => self.strings(value),
            _ => {
                self.wrong_type(value, "a string or an array of strings");
                None
            }
        }
    }

    pub(super) fn predicates(&mut self, value: &Sp<DeValue<'_>>) -> Vec<(Sp<String>, Sp<bool>)> {
        let Some(table) = self.table(value) else { return Vec::new() };
        let entries = in_file_order(table);
        entries
            .into_iter()
            .filter_map(|(k, v)| Some((spanned(k.span(), k.get_ref().to_string()), self.boolean(v)?)))
            .collect()
    }

    pub(super) fn expectation(&mut self, value: &Sp<DeValue<'_>>) -> Option<Sp<bool>> {
        match value.get_ref() {
            DeValue::String(s) if s == "allow" => Some(spanned(value.span(), true)),
            DeValue::String(s) if s == "deny" => Some(spanned(value.span(), false)),
            _ => {
                self.push(
                    Diagnostic::new(Code::WrongType, value.span(), "expected `\"allow\"` or `\"deny\"`")
                        .label("not a decision")
                        .help("write `expect = \"allow\"` or `expect = \"deny\"`"),
                );
                None
            }
        }
    }
}

fn article(type_name: &str) -> String {
    let vowel = type_name.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {type_name}", if vowel { "an" } else { "a" })
}
