//! The `sql` target (SPEC section 8): for SQLite and PostgreSQL, the tables and the catalogue's
//! sync (`sql/roles.<dialect>.sql`, both through `sql_schema.hbs`) and the check query
//! (`sql/check_access.<dialect>.sql`, one template each). [`Dialect`] is the naming oracle:
//! how each spells a string literal and "differs from". The check query reads only tables, so
//! its text is the same for every roles.toml; the schema file carries the catalogue.
//!
//! No user text becomes an identifier (table and column names are fixed), and every user text
//! lands in a string literal that holds it exactly, whatever it is: quotes doubled, control,
//! bidi and invisible characters as escapes (PostgreSQL: the whole file ASCII, so no client
//! encoding can misread it), and NUL, which neither database stores in `TEXT`, as U+FFFD.

use std::fmt::Write as _;

use serde::Serialize;

use super::common::joined;
use super::{RenderOptions, TargetView, Template};
use crate::escape::is_invisible;
use crate::model::{EntityIdx, Model};

/// What a NUL becomes: neither SQLite (C strings in its API) nor PostgreSQL (`TEXT` refuses
/// it) keeps a NUL in text.
const NUL_STORED_AS: char = '\u{fffd}';
/// The most pieces one `||` chain of a SQLite literal holds before it is nested: SQLite
/// refuses expressions deeper than 1000 (`SQLITE_MAX_EXPR_DEPTH`).
const CHAIN: usize = 64;
/// The most arguments of one `char(…)` call (`SQLITE_MAX_FUNCTION_ARG` was 127 before 3.48).
const CHAR_ARGS: usize = 100;
/// How many ids one line of a delete's key list holds.
const KEYS_PER_LINE: usize = 16;

/// A SQL dialect's spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// A string literal holding exactly `s` (a NUL as U+FFFD, see [`NUL_STORED_AS`]).
    pub fn string(self, s: &str) -> String {
        match self {
            Dialect::Sqlite => sqlite_string(s),
            Dialect::Postgres => postgres_string(s),
        }
    }

    /// `a` and `b` differ, NULL being a value (SQLite's `IS NOT` predates its
    /// `IS DISTINCT FROM`, which came in 3.39).
    fn differ(self, a: &str, b: &str) -> String {
        match self {
            Dialect::Sqlite => format!("{a} IS NOT {b}"),
            Dialect::Postgres => format!("{a} IS DISTINCT FROM {b}"),
        }
    }

    fn optional(self, s: Option<&str>) -> String {
        s.map_or_else(|| "NULL".to_string(), |s| self.string(s))
    }
}

/// PostgreSQL: printable ASCII without a backslash as a plain `'…'`; anything else as an escape
/// string (`E'…'`, read the same whatever `standard_conforming_strings` says), ASCII only:
/// other characters as `\uXXXX` / `\UXXXXXXXX`.
fn postgres_string(s: &str) -> String {
    if s.chars().all(|c| matches!(c, ' '..='~') && c != '\\') {
        return format!("'{}'", s.replace('\'', "''"));
    }
    let mut out = String::with_capacity(s.len() + 3);
    out.push_str("E'");
    for c in s.chars() {
        let c = if c == '\0' { NUL_STORED_AS } else { c };
        match c {
            '\'' => out.push_str("''"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            ' '..='~' => out.push(c),
            c if u32::from(c) <= 0xffff => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => {
                let _ = write!(out, "\\U{:08X}", u32::from(c));
            }
        }
    }
    out.push('\'');
    out
}

/// SQLite has no escapes inside a literal: printable text stays in `'…'` (quotes doubled),
/// each run of invisible characters becomes `char(…)`, and the pieces are joined by `||`.
fn sqlite_string(s: &str) -> String {
    let mut pieces = Vec::new();
    let (mut text, mut codes) = (String::new(), Vec::<u32>::new());
    for c in s.chars() {
        if c == '\0' || is_invisible(c) {
            if !text.is_empty() {
                pieces.push(format!("'{}'", std::mem::take(&mut text)));
            }
            codes.push(u32::from(if c == '\0' { NUL_STORED_AS } else { c }));
        } else {
            pieces.extend(char_calls(&mut codes));
            if c == '\'' {
                text.push('\'');
            }
            text.push(c);
        }
    }
    pieces.extend(char_calls(&mut codes));
    if !text.is_empty() || pieces.is_empty() {
        pieces.push(format!("'{text}'"));
    }
    chain(pieces)
}

/// `char(10, 13)` calls for the pending code points (emptied).
fn char_calls(codes: &mut Vec<u32>) -> Vec<String> {
    let calls = codes
        .chunks(CHAR_ARGS)
        .map(|chunk| format!("char({})", chunk.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")));
    let calls = calls.collect();
    codes.clear();
    calls
}

/// Pieces joined by `||`, nested in parentheses every [`CHAIN`] pieces so the expression stays
/// shallow however many there are.
fn chain(pieces: Vec<String>) -> String {
    if pieces.len() <= CHAIN {
        return pieces.join(" || ");
    }
    let groups = pieces.chunks(CHAIN).map(|group| format!("({})", group.join(" || "))).collect();
    chain(groups)
}

/// One catalogue table and its rows, synced by `sql_schema.hbs`: an upsert of every row, then
/// a delete of every row whose key is not among them.
#[derive(Serialize)]
struct Synced {
    name: &'static str,
    /// What the table holds (a comment line).
    doc: &'static str,
    columns: &'static str,
    /// The primary key's columns.
    key: &'static str,
    /// `DO NOTHING`, or `DO UPDATE SET … WHERE <a column differs>`.
    conflict: String,
    /// Rows, each `(…)`; a table of pairs holds all of one first key on one line.
    rows: Vec<String>,
    /// Their keys, laid out as the rows.
    keys: Vec<String>,
}

impl Synced {
    /// A table keyed by `id`, one row per line.
    fn by_id(
        name: &'static str,
        doc: &'static str,
        columns: &'static str,
        rows: Vec<(u32, String)>,
        d: Dialect,
    ) -> Self {
        let updated: Vec<&str> = columns.split(", ").filter(|c| *c != "id").collect();
        let set = updated.iter().map(|c| format!("{c} = excluded.{c}")).collect::<Vec<_>>().join(",\n    ");
        let changed = updated.iter().map(|c| d.differ(&format!("{name}.{c}"), &format!("excluded.{c}")));
        let conflict = format!("DO UPDATE SET\n    {set}\nWHERE {}", changed.collect::<Vec<_>>().join("\n   OR "));
        let keys = rows.chunks(KEYS_PER_LINE).map(|line| joined(line, |(id, _)| format!("({id})"))).collect();
        let rows = rows.into_iter().map(|(id, rest)| format!("({id}, {rest})")).collect();
        Synced { name, doc, columns, key: "id", conflict, rows, keys }
    }

    /// A table of pairs `(first, second)`, both its key: a line per first.
    fn pairs(name: &'static str, doc: &'static str, columns: &'static str, pairs: Vec<(u32, Vec<u32>)>) -> Self {
        let line = |first: u32, seconds: &[u32]| {
            seconds.iter().map(|s| format!("({first}, {s})")).collect::<Vec<_>>().join(", ")
        };
        let rows: Vec<String> = pairs.iter().filter(|(_, s)| !s.is_empty()).map(|(f, s)| line(*f, s)).collect();
        Synced { name, doc, columns, key: columns, conflict: "DO NOTHING".into(), keys: rows.clone(), rows }
    }
}

/// `sql_schema.hbs`'s view: the catalogue tables' rows in one dialect.
#[derive(Serialize)]
pub struct SchemaView {
    dialect: &'static str,
    sqlite: bool,
    project: String,
    tables: Vec<Synced>,
}

fn entity_ids(model: &Model, entities: &[EntityIdx]) -> Vec<u32> {
    let mut ids: Vec<u32> = entities.iter().map(|&e| model.entities()[e].id).collect();
    ids.sort_unstable();
    ids
}

impl SchemaView {
    fn new(model: &Model, d: Dialect) -> Self {
        let entity = |e: &crate::model::Entity| {
            let parent = e.parent.map_or_else(|| "NULL".to_string(), |p| model.entities()[p].id.to_string());
            (e.id, format!("{}, {}, {parent}", d.string(&e.name), d.string(&e.description)))
        };
        let permission = |p: &crate::model::Permission| {
            let deprecated = if p.deprecated.is_deprecated() { "TRUE" } else { "FALSE" };
            let reason = d.optional(p.deprecated.reason());
            let group = d.optional(p.group.as_deref());
            (p.id, format!("{}, {}, {group}, {deprecated}, {reason}", d.string(&p.name), d.string(&p.description)))
        };
        let mut entities: Vec<(u32, String)> = model.entities().iter().map(entity).collect();
        entities.sort_by_key(|(id, _)| *id);
        let tables = vec![
            Synced::by_id(
                "role_gen_entity_type",
                "Entity types: what roles are assigned on and permissions checked against (id: the protobuf number).",
                "id, name, description, parent_id",
                entities,
                d,
            ),
            Synced::by_id(
                "role_gen_permission",
                "Permissions (id: the protobuf number, never reused).",
                "id, name, description, group_name, deprecated, deprecation_reason",
                model.permissions().iter().map(permission).collect(),
                d,
            ),
            Synced::by_id(
                "role_gen_role",
                "Roles (id: the protobuf number, never reused).",
                "id, name, description",
                model
                    .roles()
                    .iter()
                    .map(|r| (r.id, format!("{}, {}", d.string(&r.name), d.string(&r.description))))
                    .collect(),
                d,
            ),
            Synced::pairs(
                "role_gen_role_permission",
                "Each role's effective permissions: its own grants and those of the roles it includes.",
                "role_id, permission_id",
                model
                    .roles()
                    .iter()
                    .map(|r| (r.id, r.effective.iter().map(|p| model.permissions()[p].id).collect()))
                    .collect(),
            ),
            Synced::pairs(
                "role_gen_role_entity_type",
                "The entity types each role may be assigned on (an assignment elsewhere grants nothing).",
                "role_id, entity_type_id",
                model.roles().iter().map(|r| (r.id, entity_ids(model, &r.assignable_on))).collect(),
            ),
            Synced::pairs(
                "role_gen_permission_entity_type",
                "The entity types each permission is checked against.",
                "permission_id, entity_type_id",
                model.permissions().iter().map(|p| (p.id, entity_ids(model, &p.entities))).collect(),
            ),
        ];
        SchemaView {
            dialect: match d {
                Dialect::Sqlite => "SQLite",
                Dialect::Postgres => "PostgreSQL",
            },
            sqlite: d == Dialect::Sqlite,
            // A valid name: ASCII snake_case, safe in a comment.
            project: model.project().name.clone(),
            tables,
        }
    }
}

/// The check query's view: the same query for every roles.toml (it reads the catalogue), so
/// only the project's name, for its comment.
#[derive(Serialize)]
pub struct CheckView {
    project: String,
}

impl CheckView {
    fn new(model: &Model) -> Self {
        CheckView { project: model.project().name.clone() }
    }
}

const SCHEMA_TEXT: &str = include_str!("../../templates/sql_schema.hbs");

/// `sql/roles.sqlite.sql`.
#[derive(Serialize)]
#[serde(transparent)]
pub struct SqliteSchema(SchemaView);

/// `sql/roles.postgres.sql`.
#[derive(Serialize)]
#[serde(transparent)]
pub struct PostgresSchema(SchemaView);

/// `sql/check_access.sqlite.sql`.
#[derive(Serialize)]
#[serde(transparent)]
pub struct SqliteCheck(CheckView);

/// `sql/check_access.postgres.sql`.
#[derive(Serialize)]
#[serde(transparent)]
pub struct PostgresCheck(CheckView);

impl TargetView for SqliteSchema {
    const TEMPLATE: Template = Template { name: "sql_sqlite", text: SCHEMA_TEXT };

    fn new(model: &Model, _: &RenderOptions) -> Self {
        SqliteSchema(SchemaView::new(model, Dialect::Sqlite))
    }
}

impl TargetView for PostgresSchema {
    const TEMPLATE: Template = Template { name: "sql_postgres", text: SCHEMA_TEXT };

    fn new(model: &Model, _: &RenderOptions) -> Self {
        PostgresSchema(SchemaView::new(model, Dialect::Postgres))
    }
}

impl TargetView for SqliteCheck {
    const TEMPLATE: Template =
        Template { name: "sql_check_sqlite", text: include_str!("../../templates/sql_check_sqlite.hbs") };

    fn new(model: &Model, _: &RenderOptions) -> Self {
        SqliteCheck(CheckView::new(model))
    }
}

impl TargetView for PostgresCheck {
    const TEMPLATE: Template =
        Template { name: "sql_check_postgres", text: include_str!("../../templates/sql_check_postgres.hbs") };

    fn new(model: &Model, _: &RenderOptions) -> Self {
        PostgresCheck(CheckView::new(model))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_strings_are_ascii_escape_strings() {
        let cases = [
            ("", "''"),
            ("it's", "'it''s'"),
            ("it's C:\\", "E'it''s C:\\\\'"),
            ("a\nb\r\tc", "E'a\\nb\\r\\tc'"),
            ("nul\0", "E'nul\\uFFFD'"),
            ("é\u{202e}🔥", "E'\\u00E9\\u202E\\U0001F525'"),
        ];
        for (text, literal) in cases {
            assert_eq!(Dialect::Postgres.string(text), literal, "{text:?}");
        }
    }

    #[test]
    fn sqlite_strings_spell_invisible_characters_with_char() {
        let cases = [
            ("", "''"),
            ("it's é", "'it''s é'"),
            ("a\n\rb", "'a' || char(10, 13) || 'b'"),
            ("\u{202e}", "char(8238)"),
            ("\0x", "char(65533) || 'x'"),
            ("back\\slash", "'back\\slash'"),
        ];
        for (text, literal) in cases {
            assert_eq!(Dialect::Sqlite.string(text), literal, "{text:?}");
        }
    }

    #[test]
    fn long_sqlite_chains_nest_instead_of_deepening() {
        // 10000 pieces: 157 chains of 64, nested in 3 chains, joined in one; SQLite itself
        // loads it in tests/engines_sql.rs.
        let literal = Dialect::Sqlite.string(&"a\n".repeat(5000));
        assert!(literal.starts_with("(('a' || char(10) || 'a'"), "{}", &literal[..40]);
        assert_eq!(literal.matches(" || ").count(), 9999);
    }
}
