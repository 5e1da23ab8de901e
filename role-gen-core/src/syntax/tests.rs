//! The decoder on hand-made inputs, and its agreement with [`crate::schema`]: every key the
//! schema lists is accepted with a value of its kind and refused with another, and every key it
//! calls required is reported missing when left out.

use super::*;
use crate::schema::{self, Table, Value};

fn first_error(text: &str) -> Diagnostic {
    let mut diags = Vec::new();
    parse(text, &mut diags);
    diags.into_iter().next().unwrap_or_else(|| panic!("no error for {text:?}"))
}

#[test]
fn a_too_deep_key_is_found_among_multi_byte_characters() {
    let deep = vec!["\"ü\""; 100].join(".");
    let text = format!("[project]\nname = \"ä€😀\"\n\n[\"é\".{deep}]\n");
    let error = first_error(&text);
    assert_eq!(error.code, Code::TomlSyntax);
    // `["é"` then 79 parts `."ü"`; the dot before the 81st part is where the limit is met.
    let at = "[project]\nname = \"ä€😀\"\n\n[\"é\"".len() + 79 * ".\"ü\"".len();
    assert_eq!(error.span, Some(at..at + 1));
}

#[test]
fn every_id_too_large_for_64_bits_is_reported_as_written() {
    let text = "[project]\nname = \"x\"\n[reserved]\nrole_ids = [0o7777777777777777777777777]\n";
    let error = first_error(text);
    assert_eq!(error.code, Code::IdOutOfRange);
    assert_eq!(error.message, "`[reserved] role_ids` has id 0o7777777777777777777777777, outside 1..=65535");
}

/// Where each table of the schema is written, `{}` standing for its keys.
const PLACES: &[(&Table, &str)] = &[
    (&schema::PROJECT, "[project]\n{}"),
    (&schema::OUTPUT, "[project]\nname = \"x\"\n[output]\n{}"),
    (&schema::CUSTOM, "[project]\nname = \"x\"\n[[output.custom]]\n{}"),
    (&schema::ENTITY, "[project]\nname = \"x\"\n[entities.e]\n{}"),
    (&schema::PERMISSION, "[project]\nname = \"x\"\n[permissions.p]\n{}"),
    (&schema::ROLE, "[project]\nname = \"x\"\n[roles.r]\n{}"),
    (&schema::LEGACY, "[project]\nname = \"x\"\n[legacy]\n{}"),
    (&schema::POLICY, "[project]\nname = \"x\"\n[policies.p]\n{}"),
    (&schema::RULE, "[project]\nname = \"x\"\n[policies.p]\nid = 1\nentity = \"e\"\nrules = [{ {} }]"),
    (&schema::PREDICATE, "[project]\nname = \"x\"\n[predicates.p]\n{}"),
    (&schema::RESERVED, "[project]\nname = \"x\"\n[reserved]\n{}"),
    (&schema::REVIEW, "[project]\nname = \"x\"\n[review]\n{}"),
    (&schema::TEST, "[project]\nname = \"x\"\n[[tests]]\n{}"),
    (&schema::ASSIGNMENT, "[project]\nname = \"x\"\n[[tests]]\npath = []\nassign = [{ {} }]"),
    (&schema::ENTITY_REF, "[project]\nname = \"x\"\n[[tests]]\nassign = []\npath = [{ {} }]"),
];

/// A value of `kind`, and a value of another kind.
fn samples(kind: Value) -> Option<(&'static str, &'static str)> {
    Some(match kind {
        Value::String | Value::OneOrMany => ("\"x\"", "1"),
        Value::Integer => ("1", "\"x\""),
        Value::Boolean | Value::TrueOrReason => ("true", "1"),
        Value::Strings => ("[\"x\"]", "1"),
        Value::Integers => ("[1]", "[\"x\"]"),
        Value::Decision => ("\"allow\"", "true"),
        Value::Flags => ("{ x = true }", "1"),
        Value::Inline(t) if t.one_of => ("[{ allow_if = \"x\" }]", "1"),
        // A test's `assign` and `path`: every key of the element, a string each.
        Value::Inline(t) if *t == schema::ASSIGNMENT => ("[{ role = \"x\", entity = \"x\", id = \"x\" }]", "1"),
        Value::Inline(_) => ("[{ entity = \"x\", id = \"x\" }]", "1"),
        Value::Table(_) | Value::Tables(_) | Value::Named(_) => return None,
    })
}

/// The codes `parse` reports for `table` written with `keys` (name, value).
fn codes_for(table: &Table, keys: &[(&str, &str)]) -> Vec<(Code, String)> {
    let place =
        PLACES.iter().find(|(t, _)| *t == table).map_or_else(|| panic!("{} has no place", table.header), |p| p.1);
    let separator = if place.contains("{ {} }") { ", " } else { "\n" };
    let written: Vec<String> = keys.iter().map(|(k, v)| format!("{k} = {v}")).collect();
    let mut diags = Vec::new();
    parse(&place.replace("{}", &written.join(separator)), &mut diags);
    diags.into_iter().map(|d| (d.code, d.message)).collect()
}

/// The keys of `table` that hold plain values, each with a good value.
fn leaf_keys(table: &Table) -> Vec<(&'static str, &'static str)> {
    table.keys.iter().filter_map(|k| samples(k.value).map(|(good, _)| (k.name, good))).collect()
}

#[test]
fn every_table_of_the_schema_has_a_place() {
    let tables = PLACES.iter().map(|(t, _)| *t);
    let nested: Vec<&Table> = schema::sections().filter_map(|s| s.value.table()).collect();
    assert!(nested.iter().all(|t| tables.clone().any(|p| p == *t)), "a section has no place");
    assert!(tables.clone().any(|t| t == &schema::CUSTOM) && tables.clone().any(|t| t == &schema::RULE));
}

#[test]
fn every_key_is_accepted_with_a_value_of_its_kind() {
    for (table, _) in PLACES {
        let keys = leaf_keys(table);
        let sets: Vec<Vec<(&str, &str)>> =
            if table.one_of { keys.iter().map(|k| vec![*k]).collect() } else { vec![keys.clone()] };
        for set in sets {
            assert_eq!(codes_for(table, &set), [], "{} with {set:?}", table.header);
        }
    }
}

#[test]
fn every_key_is_refused_with_a_value_of_another_kind() {
    for (table, _) in PLACES {
        for key in table.keys {
            let Some((_, bad)) = samples(key.value) else { continue };
            let mut keys: Vec<(&str, &str)> = if table.one_of { Vec::new() } else { leaf_keys(table) };
            keys.retain(|(k, _)| *k != key.name);
            keys.push((key.name, bad));
            let codes = codes_for(table, &keys);
            assert!(
                codes.iter().any(|(c, _)| *c == Code::WrongType),
                "{} `{}` = {bad}: {codes:?}",
                table.header,
                key.name
            );
        }
    }
}

#[test]
fn exactly_the_required_keys_are_reported_missing() {
    for (table, _) in PLACES {
        for key in table.keys.iter().filter(|k| samples(k.value).is_some() && !table.one_of) {
            let keys: Vec<(&str, &str)> = leaf_keys(table).into_iter().filter(|(k, _)| *k != key.name).collect();
            let missing = codes_for(table, &keys)
                .into_iter()
                .any(|(c, m)| c == Code::MissingKey && m.contains(&format!("required key `{}`", key.name)));
            assert_eq!(missing, key.required, "{} without `{}`", table.header, key.name);
        }
    }
    let mut diags = Vec::new();
    parse("", &mut diags);
    assert!(schema::section("project").is_some_and(|p| p.required));
    assert!(diags.iter().any(|d| d.code == Code::MissingKey && d.message.contains("`[project]`")));
}

#[test]
fn an_unknown_key_far_from_every_known_one_lists_them_in_the_canonical_order() {
    let mut diags = Vec::new();
    parse("[project]\nname = \"x\"\n[[tests]]\nzzzzzz = 1\n", &mut diags);
    let help = diags.iter().find(|d| d.code == Code::UnknownKey).and_then(|d| d.help.clone());
    let keys = "`name`, `policy`, `legacy`, `role`, `roles`, `assign`, `path`, `allow`, `deny`, `covers`, `predicates`, `expect`";
    assert_eq!(help, Some(format!("`[[tests]]` takes the keys {keys}")));
}

/// The message of the first error, and the line of its place and of its related place.
fn duplicate(text: &str) -> (String, usize, Option<usize>) {
    let error = first_error(text);
    assert_eq!(error.code, Code::TomlSyntax);
    let source = crate::SourceFile::new("roles.toml", text);
    let line = |span: &Span| source.line_col(span.start).0;
    (error.message.clone(), error.span.as_ref().map_or(0, line), error.related_places().first().map(|r| line(&r.span)))
}

#[test]
fn a_table_defined_twice_is_named_and_its_first_definition_shown() {
    let text = "[project]\nname = \"x\"\n[permissions.a]\nid = 1\n[permissions.b]\nid = 2\n[permissions.a]\nid = 3\n";
    assert_eq!(duplicate(text), ("table `[permissions.a]` is defined twice".into(), 7, Some(3)));
    let text = "[project]\nname = \"x\"\n\n[project]\nname = \"y\"\n";
    assert_eq!(duplicate(text), ("table `[project]` is defined twice".into(), 4, Some(1)));
    // First defined by a dotted key, then by a header.
    let text = "permissions.a.id = 1\n[permissions.a]\nid = 2\n";
    assert_eq!(duplicate(text), ("table `[permissions.a]` is defined twice".into(), 2, Some(1)));
    // Quoted as written.
    let text = "[permissions.\"a\"]\nid = 1\n[permissions.\"a\"]\n";
    assert_eq!(duplicate(text), ("table `[permissions.\"a\"]` is defined twice".into(), 3, Some(1)));
}

#[test]
fn a_key_given_twice_is_named_with_its_table_and_first_place() {
    let text = "[project]\nname = \"x\"\n[permissions.a]\nid = 1\ndescription = \"A\"\nid = 2\n";
    assert_eq!(duplicate(text), ("key `id` is given twice in `[permissions.a]`".into(), 6, Some(4)));
    let text = "a = 1\nb.c = 2\nb.c = 3\n";
    assert_eq!(duplicate(text), ("key `b.c` is given twice at the top level".into(), 3, Some(2)));
    let text = "[project]\nname = \"x\"\n[[tests]]\nrole = \"r\"\n[[tests]]\nrole = \"r\"\nallow = []\nrole = \"s\"\n";
    assert_eq!(duplicate(text), ("key `role` is given twice in `[[tests]]`".into(), 8, Some(6)));
}

#[test]
fn a_key_repeated_inside_an_inline_table_is_still_named() {
    let text = "[policies.p]\nentity = \"e\"\nrules = [\n  { allow_if = \"q\", allow_if = \"r\" },\n]\n";
    assert_eq!(duplicate(text), ("duplicate key `allow_if`".into(), 4, None));
}
