//! The one description of the roles.toml format: every table, its keys in their canonical
//! order, whether each is required, what its value is, and a line of docs (SPEC section 1).
//!
//! [`crate::syntax`] reads the known keys (and their did-you-means) from here, `role-gen`'s
//! editing commands and `fmt` read the section order and the key order, and a JSON Schema for
//! editors can be generated from it. Before this table the format was written three times, and
//! the copies disagreed on the order of a `[[tests]]` entry's keys; the order kept is the one
//! `fmt` wrote (`name`, the policy keys, the role keys, then `predicates` and `expect`), which
//! the committed roles.toml files are formatted in.
//!
//! The table says what the decoder accepts, not every rule: which names may be referenced and
//! which values are in range is [`crate::check`]'s work. Each key's [`Form`] says what its value
//! must look like beyond its type (a name, an id, non-empty text), as those checks enforce it,
//! so that `role-gen schema` can tell an editor; [`EXAMPLE`] is a whole valid file that gives
//! every key an example.

/// What a key's value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    String,
    Integer,
    Boolean,
    /// An array of strings.
    Strings,
    /// An array of integers.
    Integers,
    /// A string, or an array of strings (`allow_if_permission`).
    OneOrMany,
    /// `true`, `false`, or a reason string (`deprecated`).
    TrueOrReason,
    /// `"allow"` or `"deny"` (`expect`).
    Decision,
    /// A table of booleans, keyed by name (`predicates = { actor_created_channel = true }`).
    Flags,
    /// One table of this shape (`[project]`).
    Table(&'static Table),
    /// An array of tables of this shape (`[[output.custom]]`, `[[tests]]`).
    Tables(&'static Table),
    /// A table of named entries of this shape (`[permissions.NAME]`).
    Named(&'static Table),
    /// An array of inline tables of this shape (a policy's `rules`).
    Inline(&'static Table),
}

impl Value {
    /// The shape of the table(s) it holds, if it holds tables.
    pub const fn table(self) -> Option<&'static Table> {
        match self {
            Value::Table(t) | Value::Tables(t) | Value::Named(t) | Value::Inline(t) => Some(t),
            _ => None,
        }
    }
}

/// What a key's value must look like beyond its type: a claim about the checks (a value of
/// another form is an error of `validate`), which the JSON Schema of `role-gen schema` states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// Any value of the type.
    Any,
    /// A snake_case name (SPEC section 1); for [`Value::Flags`], each key is one. A name that
    /// refers to something must be one too, since everything named has a valid name.
    Name,
    /// An id, 1..=65535.
    Id,
    /// Text with something besides whitespace (an empty description is `missing-key`).
    Text,
    /// A versioned protobuf package (`acme.roles.v1`).
    ProtoPackage,
    /// A built-in target's name ([`crate::Target`]).
    Target,
    /// A `diff` code that can fail a diff, optionally with `:` and what it is about.
    DiffCode,
}

/// One key of a table.
#[derive(Debug, PartialEq, Eq)]
pub struct Key {
    pub name: &'static str,
    pub value: Value,
    /// Whether a table without it is a `missing-key` error.
    pub required: bool,
    /// What it means, in one line.
    pub doc: &'static str,
    /// What its value must look like beyond its type.
    pub form: Form,
}

impl Key {
    /// The key with its value's form.
    const fn form(self, form: Form) -> Key {
        Key { form, ..self }
    }
}

/// One kind of table: the file itself, a section, an entry, an element of an array of tables.
#[derive(Debug, PartialEq, Eq)]
pub struct Table {
    /// How it is written: `[project]`, `[[output.custom]]`, `[permissions.NAME]`, ….
    pub header: &'static str,
    /// Its keys, in the canonical order (`fmt` sorts by it; an edit inserts by it).
    pub keys: &'static [Key],
    /// Whether exactly one of its keys is written (a policy rule: the key is the rule's kind).
    pub one_of: bool,
    /// For the entries of a section: whether they are listed by id (outputs, `fmt`) rather
    /// than in file order.
    pub by_id: bool,
    /// What it is, in one line.
    pub doc: &'static str,
}

impl Table {
    /// The key named `name`.
    pub fn key(&self, name: &str) -> Option<&Key> {
        self.keys.iter().find(|k| k.name == name)
    }

    /// Whether the table knows a key named `name`.
    pub fn knows(&self, name: &str) -> bool {
        self.key(name).is_some()
    }

    /// The key names, in order.
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.keys.iter().map(|k| k.name)
    }

    /// Where `name` sorts: its place in the order, unknown keys after every known one.
    pub fn rank(&self, name: &str) -> usize {
        self.keys.iter().position(|k| k.name == name).unwrap_or(self.keys.len())
    }
}

/// A key; `required` and `doc` spelled out once per key, its form [`Form::Any`] unless given.
const fn key(name: &'static str, value: Value, required: bool, doc: &'static str) -> Key {
    Key { name, value, required, doc, form: Form::Any }
}

/// A whole roles.toml that holds every key of the format, valid and without warnings: where
/// `role-gen schema` takes each key's example.
pub const EXAMPLE: &str = include_str!("schema_example.toml");

const REQUIRED: bool = true;
const OPTIONAL: bool = false;

/// The file: its sections, in the canonical order.
pub static ROOT: Table = Table {
    header: "roles.toml",
    doc: "one roles.toml: the single source of truth",
    one_of: false,
    by_id: false,
    keys: &[
        key("project", Value::Table(&PROJECT), REQUIRED, "the project the definitions are for"),
        key("output", Value::Table(&OUTPUT), OPTIONAL, "what is generated, and where"),
        key("entities", Value::Named(&ENTITY), OPTIONAL, "the entity types roles are assigned on"),
        key("permissions", Value::Named(&PERMISSION), OPTIONAL, "what may be done"),
        key("roles", Value::Named(&ROLE), OPTIONAL, "named sets of permissions, which may include other roles"),
        key("legacy", Value::Table(&LEGACY), OPTIONAL, "the fixed account levels of an older access model"),
        key("policies", Value::Named(&POLICY), OPTIONAL, "ordered rules deciding one action on an entity"),
        key("predicates", Value::Named(&PREDICATE), OPTIONAL, "the custom predicates policies ask about"),
        key("reserved", Value::Table(&RESERVED), OPTIONAL, "ids and names that may never be used again"),
        key("review", Value::Table(&REVIEW), OPTIONAL, "the breaking changes a reviewer accepted, for `role-gen diff`"),
        key("tests", Value::Tables(&TEST), OPTIONAL, "what must stay true, checked by `role-gen test`"),
    ],
};

pub static PROJECT: Table = Table {
    header: "[project]",
    doc: "the project",
    one_of: false,
    by_id: false,
    keys: &[
        key("name", Value::String, REQUIRED, "the project's snake_case name").form(Form::Name),
        key("proto_package", Value::String, OPTIONAL, "the protobuf package; default `<name>.roles.v1`")
            .form(Form::ProtoPackage),
    ],
};

pub static OUTPUT: Table = Table {
    header: "[output]",
    doc: "what is generated, and where",
    one_of: false,
    by_id: false,
    keys: &[
        key("dir", Value::String, OPTIONAL, "the output folder, relative to roles.toml's; default `gen`"),
        key("targets", Value::Strings, OPTIONAL, "the built-in targets to generate; default the five application targets (rust, typescript, proto, json, markdown), the others are opt-in")
            .form(Form::Target),
        key("rust_serde", Value::Boolean, OPTIONAL, "whether the generated Rust derives serde traits"),
        key("custom", Value::Tables(&CUSTOM), OPTIONAL, "outputs rendered from a team's own templates"),
    ],
};

pub static CUSTOM: Table = Table {
    header: "[[output.custom]]",
    doc: "an output rendered from a custom template",
    one_of: false,
    by_id: false,
    keys: &[
        key("template", Value::String, REQUIRED, "a handlebars template, relative to roles.toml's folder"),
        key("path", Value::String, REQUIRED, "where it is written, relative to the output folder"),
    ],
};

pub static ENTITY: Table = Table {
    header: "[entities.NAME]",
    doc: "an entity type: its protobuf number is its `id`, else its place in the file",
    one_of: false,
    by_id: false,
    keys: &[
        key(
            "id",
            Value::Integer,
            OPTIONAL,
            "1..=65535, unique among entities, never reused; default its 1-based place",
        )
        .form(Form::Id),
        key("description", Value::String, REQUIRED, "what it is; not empty").form(Form::Text),
        key("parent", Value::String, OPTIONAL, "the entity type it lies inside; parents form a forest")
            .form(Form::Name),
    ],
};

pub static PERMISSION: Table = Table {
    header: "[permissions.NAME]",
    doc: "a permission",
    one_of: false,
    by_id: true,
    keys: &[
        key("id", Value::Integer, REQUIRED, "1..=65535, unique among permissions, never reused").form(Form::Id),
        key("description", Value::String, REQUIRED, "what it allows; not empty").form(Form::Text),
        key("entities", Value::Strings, OPTIONAL, "the entity types it is checked against; default every one")
            .form(Form::Name),
        key("group", Value::String, OPTIONAL, "a heading for the docs"),
        key("deprecated", Value::TrueOrReason, OPTIONAL, "`true`, or the reason it is deprecated"),
    ],
};

pub static ROLE: Table = Table {
    header: "[roles.NAME]",
    doc: "a role",
    one_of: false,
    by_id: true,
    keys: &[
        key("id", Value::Integer, REQUIRED, "1..=65535, unique among roles, never reused").form(Form::Id),
        key("description", Value::String, REQUIRED, "what the role is for; not empty").form(Form::Text),
        key("permissions", Value::Strings, OPTIONAL, "the permissions it grants directly").form(Form::Name),
        key("includes", Value::Strings, OPTIONAL, "roles whose effective permissions it inherits").form(Form::Name),
        key("assignable_on", Value::Strings, OPTIONAL, "the entity types it may be assigned on; default all")
            .form(Form::Name),
    ],
};

pub static LEGACY: Table = Table {
    header: "[legacy]",
    doc: "the fixed account levels, lowest first",
    one_of: false,
    by_id: false,
    keys: &[key("levels", Value::Strings, REQUIRED, "the level names, lowest first").form(Form::Name)],
};

pub static POLICY: Table = Table {
    header: "[policies.NAME]",
    doc: "ordered rules deciding one action (SPEC section 5)",
    one_of: false,
    by_id: true,
    keys: &[
        key("id", Value::Integer, REQUIRED, "1..=65535, unique among policies, never reused (its protobuf number)")
            .form(Form::Id),
        key("description", Value::String, OPTIONAL, "what it decides").form(Form::Text),
        key("entity", Value::String, REQUIRED, "the entity type it decides on").form(Form::Name),
        key("rules", Value::Inline(&RULE), REQUIRED, "the rules, in order: the first that fires decides"),
    ],
};

pub static RULE: Table = Table {
    header: "{ KIND = … }",
    doc: "one rule of a policy: exactly one kind",
    one_of: true,
    by_id: false,
    keys: &[
        key("deny_if_legacy", Value::Strings, OPTIONAL, "denies an actor at one of these legacy levels")
            .form(Form::Name),
        key("allow_if_legacy_at_least", Value::String, OPTIONAL, "allows an actor at this legacy level or above")
            .form(Form::Name),
        key("allow_if_permission", Value::OneOrMany, OPTIONAL, "allows an actor holding one of these permissions")
            .form(Form::Name),
        key("allow_if", Value::String, OPTIONAL, "allows when this custom predicate holds").form(Form::Name),
        key("deny_if", Value::String, OPTIONAL, "denies when this custom predicate holds").form(Form::Name),
    ],
};

pub static PREDICATE: Table = Table {
    header: "[predicates.NAME]",
    doc: "a custom predicate, documented",
    one_of: false,
    by_id: false,
    keys: &[key("description", Value::String, REQUIRED, "what the application's predicate means; not empty")
        .form(Form::Text)],
};

pub static RESERVED: Table = Table {
    header: "[reserved]",
    doc: "ids and names that may never be used again",
    one_of: false,
    by_id: false,
    keys: &[
        key("permission_ids", Value::Integers, OPTIONAL, "ids of removed permissions"),
        key("permission_names", Value::Strings, OPTIONAL, "names of removed permissions"),
        key("role_ids", Value::Integers, OPTIONAL, "ids of removed roles"),
        key("role_names", Value::Strings, OPTIONAL, "names of removed roles"),
        key("policy_ids", Value::Integers, OPTIONAL, "ids of removed policies"),
        key("policy_names", Value::Strings, OPTIONAL, "names of removed policies"),
        key("entity_ids", Value::Integers, OPTIONAL, "protobuf numbers of removed entity types"),
        key("entity_names", Value::Strings, OPTIONAL, "names of removed entity types"),
    ],
};

pub static REVIEW: Table = Table {
    header: "[review]",
    doc: "the breaking changes a reviewer accepted, for `role-gen diff`",
    one_of: false,
    by_id: false,
    keys: &[key(
        "allow",
        Value::Strings,
        OPTIONAL,
        "`diff` codes accepted in the change that adds them: `code` or `code:name`",
    )
    .form(Form::DiffCode)],
};

pub static TEST: Table = Table {
    header: "[[tests]]",
    doc: "what must stay true (SPEC section 6)",
    one_of: false,
    by_id: false,
    keys: &[
        key("name", Value::String, OPTIONAL, "what the test is called in reports"),
        key("policy", Value::String, OPTIONAL, "the policy a decision test asks").form(Form::Name),
        key("legacy", Value::String, OPTIONAL, "the actor's legacy level in a decision test").form(Form::Name),
        key("role", Value::String, OPTIONAL, "the role whose effective permissions are tested").form(Form::Name),
        key("roles", Value::Strings, OPTIONAL, "roles held together").form(Form::Name),
        key(
            "assign",
            Value::Inline(&ASSIGNMENT),
            OPTIONAL,
            "roles held on entities (SPEC section 7), instead of `roles`",
        ),
        key("path", Value::Inline(&ENTITY_REF), OPTIONAL, "the entity asked about, then each ancestor up to a root"),
        key("allow", Value::Strings, OPTIONAL, "permissions the roles must hold").form(Form::Name),
        key("deny", Value::Strings, OPTIONAL, "permissions the roles must not hold").form(Form::Name),
        key("covers", Value::Strings, OPTIONAL, "roles whose effective permissions the role must include")
            .form(Form::Name),
        key("predicates", Value::Flags, OPTIONAL, "the custom predicates of a decision test; unset ones are false")
            .form(Form::Name),
        key("expect", Value::Decision, OPTIONAL, "the decision a policy test expects"),
    ],
};

pub static ASSIGNMENT: Table = Table {
    header: "{ role = …, entity = …, id = … }",
    doc: "a role held on one entity: an element of a test's `assign`",
    one_of: false,
    by_id: false,
    keys: &[
        key("role", Value::String, REQUIRED, "the role held").form(Form::Name),
        key("entity", Value::String, REQUIRED, "the entity type it is held on").form(Form::Name),
        key("id", Value::String, REQUIRED, "the entity it is held on (any text)"),
    ],
};

pub static ENTITY_REF: Table = Table {
    header: "{ entity = …, id = … }",
    doc: "one entity of a test's `path`",
    one_of: false,
    by_id: false,
    keys: &[
        key("entity", Value::String, REQUIRED, "its entity type").form(Form::Name),
        key("id", Value::String, REQUIRED, "which one (any text)"),
    ],
};

/// The top-level section `name`.
pub fn section(name: &str) -> Option<&'static Key> {
    ROOT.keys.iter().find(|k| k.name == name)
}

/// The top-level sections, in the canonical order.
pub fn sections() -> impl Iterator<Item = &'static Key> {
    ROOT.keys.iter()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_table() -> Vec<&'static Table> {
        let mut tables = vec![&ROOT];
        let mut i = 0;
        while let Some(table) = tables.get(i).copied() {
            tables.extend(table.keys.iter().filter_map(|k| k.value.table()));
            i += 1;
        }
        tables
    }

    #[test]
    fn every_table_is_reachable_documented_and_names_each_key_once() {
        let tables = every_table();
        assert_eq!(tables.len(), 16, "roles.toml, eleven sections or entries, custom outputs, rules, assign, path");
        for table in tables {
            assert!(!table.doc.is_empty(), "{}", table.header);
            for (i, key) in table.keys.iter().enumerate() {
                assert!(!key.doc.is_empty() && !key.doc.ends_with('.'), "{} {}", table.header, key.name);
                assert_eq!(table.rank(key.name), i, "{} names `{}` twice", table.header, key.name);
            }
        }
    }

    /// Every instance of the tables `key` holds, in `parents` (tables of its parent's shape).
    fn children<'v>(parents: &[&'v toml::Value], key: &Key) -> Vec<&'v toml::Value> {
        let values = parents.iter().filter_map(|p| p.get(key.name));
        match key.value {
            Value::Named(_) => values.filter_map(toml::Value::as_table).flat_map(|t| t.values()).collect(),
            Value::Tables(_) | Value::Inline(_) => values.filter_map(toml::Value::as_array).flatten().collect(),
            _ => values.collect(),
        }
    }

    fn every_key_appears(table: &Table, instances: &[&toml::Value]) {
        for key in table.keys {
            let found = children(instances, key);
            assert!(!found.is_empty(), "schema::EXAMPLE has no `{}` in {}", key.name, table.header);
            if let Some(inner) = key.value.table() {
                every_key_appears(inner, &found);
            }
        }
    }

    #[test]
    fn the_example_is_a_valid_file_without_warnings_that_gives_every_key_an_example() {
        let validated = crate::validate_text("roles.toml", EXAMPLE).expect("schema::EXAMPLE is valid");
        assert!(validated.diagnostics().is_empty(), "{}", validated.diagnostics());
        let root: toml::Value = toml::from_str(EXAMPLE).expect("TOML");
        every_key_appears(&ROOT, &[&root]);
    }

    #[test]
    fn sections_are_in_the_spec_order_and_unknown_keys_sort_last() {
        let names: Vec<&str> = sections().map(|s| s.name).collect();
        assert_eq!(
            names,
            [
                "project",
                "output",
                "entities",
                "permissions",
                "roles",
                "legacy",
                "policies",
                "predicates",
                "reserved",
                "review",
                "tests"
            ]
        );
        assert_eq!(TEST.rank("nope"), TEST.keys.len());
        assert_eq!(section("roles").and_then(|k| k.value.table()).map(|t| t.by_id), Some(true));
    }
}
