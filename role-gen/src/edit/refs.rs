//! What refers to a permission, role, entity type or policy, and dropping those references
//! (`remove --force`).
//!
//! References are found on the raw document so that `remove` can list them with their lines
//! (from a parse that kept spans) and drop the very same ones from the editable document.

use std::collections::BTreeSet;
use std::ops::Range;

use toml_edit::{Array, DocumentMut, Item, Table, TableLike, Value};

use super::entries::{self, Emptied, Kind};
use super::{array, layout};

/// One place that names the item being removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// Where it is, when the document came from text.
    pub span: Option<Range<usize>>,
    /// What it is, for people: "granted by role `admin`".
    pub what: String,
    site: Site,
}

impl Reference {
    /// Whether `--force` cannot drop it: a policy needs the entity type it decides on.
    pub fn blocks(&self) -> bool {
        matches!(self.site, Site::PolicyEntity)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Site {
    /// In list `key` of a role (`permissions` grants, `includes`).
    RoleList { role: String, key: &'static str },
    /// In list `key` of an entry of `kind` (a permission's `entities`, a role's `assignable_on`).
    List { kind: Kind, entry: String, key: &'static str },
    /// The `parent` of an entity type.
    Parent { entity: String },
    /// The `entity` a policy decides on: never dropped.
    PolicyEntity,
    /// The `index`th test asks the removed policy: it goes with it.
    TestPolicy { index: usize },
    /// In rule `index` of a policy (`allow_if_permission`).
    Rule { policy: String, index: usize },
    /// In list `key` of the `index`th test.
    TestList { index: usize, key: &'static str },
    /// The `index`th test is about the removed role (`role = …`) or places something on the
    /// removed entity type (`assign`, `path`): it goes with it.
    TestRole { index: usize },
    /// Entries of the `index`th test's `assign` give the removed role (others remain).
    TestAssign { index: usize },
}

/// The `[[tests]]` entries, whether written as tables or as an array of inline tables.
fn tests(root: &Table) -> Vec<&dyn TableLike> {
    match root.get("tests") {
        Some(Item::ArrayOfTables(a)) => a.iter().map(|t| t as &dyn TableLike).collect(),
        Some(Item::Value(Value::Array(a))) => {
            a.iter().filter_map(|v| v.as_inline_table().map(|t| t as &dyn TableLike)).collect()
        }
        _ => Vec::new(),
    }
}

/// The span of the first element of list `key` equal to `name`, if the list holds it.
fn find_in_list(table: &dyn TableLike, key: &str, name: &str) -> Option<Option<Range<usize>>> {
    let list = table.get(key)?.as_array()?;
    list.iter().find(|v| v.as_str() == Some(name)).map(Value::span)
}

/// Every reference to `name` of `kind`.
pub fn find(root: &Table, kind: Kind, name: &str) -> Vec<Reference> {
    match kind {
        Kind::Entity => entity_references(root, name),
        Kind::Policy => test_references(root, kind, name),
        Kind::Permission | Kind::Role => grant_references(root, kind, name),
    }
}

/// References to a permission or role: grants and includes, policy rules, tests.
fn grant_references(root: &Table, kind: Kind, name: &str) -> Vec<Reference> {
    let mut found = Vec::new();
    let list_key = if kind == Kind::Permission { "permissions" } else { "includes" };
    for role in entries::names(root, Kind::Role) {
        let Some(entry) = entries::entry(root, Kind::Role, &role) else { continue };
        if let Some(span) = find_in_list(entry, list_key, name) {
            let what = match kind {
                Kind::Permission => format!("granted by role `{role}`"),
                _ => format!("included by role `{role}`"),
            };
            found.push(Reference { span, what, site: Site::RoleList { role, key: list_key } });
        }
    }
    if kind == Kind::Permission {
        found.extend(rule_references(root, name));
    }
    found.extend(test_references(root, kind, name));
    found
}

/// References to an entity type: where permissions are checked and roles assigned, parents,
/// and the policies deciding on it.
fn entity_references(root: &Table, name: &str) -> Vec<Reference> {
    let mut found = Vec::new();
    for (kind, key, what) in [
        (Kind::Permission, "entities", "checked on by permission"),
        (Kind::Role, "assignable_on", "assignable on by role"),
    ] {
        for entry in entries::names(root, kind) {
            let Some(table) = entries::entry(root, kind, &entry) else { continue };
            if let Some(span) = find_in_list(table, key, name) {
                let what = format!("{what} `{entry}` (`{key}`)");
                found.push(Reference { span, what, site: Site::List { kind, entry, key } });
            }
        }
    }
    for (kind, key) in [(Kind::Entity, "parent"), (Kind::Policy, "entity")] {
        for entry in entries::names(root, kind) {
            let Some(value) = entries::entry(root, kind, &entry).and_then(|t| t.get(key)) else { continue };
            if value.as_str() != Some(name) {
                continue;
            }
            let (what, site) = match kind {
                Kind::Entity => (format!("parent of entity `{entry}`"), Site::Parent { entity: entry }),
                _ => {
                    (format!("decided on by policy `{entry}` (remove or change the policy first)"), Site::PolicyEntity)
                }
            };
            found.push(Reference { span: value.span(), what, site });
        }
    }
    found.extend(test_references(root, Kind::Entity, name));
    found
}

fn rule_references(root: &Table, name: &str) -> Vec<Reference> {
    let mut found = Vec::new();
    let Some(policies) = root.get("policies").and_then(Item::as_table_like) else { return found };
    for (policy, item) in policies.iter() {
        let Some(rules) = item.get("rules").and_then(Item::as_array) else { continue };
        for (index, rule) in rules.iter().enumerate() {
            let Some(value) = rule.as_inline_table().and_then(|t| t.get("allow_if_permission")) else { continue };
            let names = match value {
                Value::String(s) => vec![s.value().clone()],
                Value::Array(a) => array::strings(a),
                _ => Vec::new(),
            };
            if names.iter().any(|n| n == name) {
                found.push(Reference {
                    span: rule.span(),
                    what: format!("rule {} of policy `{policy}` (allow_if_permission)", index + 1),
                    site: Site::Rule { policy: policy.to_string(), index },
                });
            }
        }
    }
    found
}

/// The `assign` entries (`{ role, entity, id }`) and `path` entries (`{ entity, id }`) of a test
/// whose `field` is `name`, with their spans.
fn placements(test: &dyn TableLike, key: &str, field: &str, name: &str) -> Vec<Option<Range<usize>>> {
    let Some(list) = test.get(key).and_then(Item::as_array) else { return Vec::new() };
    let named = |v: &&Value| v.as_inline_table().and_then(|t| t.get(field)).and_then(Value::as_str) == Some(name);
    list.iter().filter(named).map(Value::span).collect()
}

/// A test's placements naming a removed role (its `assign` entries go; the test too when they
/// were all of that role) or a removed entity type (the test goes: its path or assignments no
/// longer exist).
fn placement_references(test: &dyn TableLike, index: usize, kind: Kind, name: &str) -> Vec<Reference> {
    let n = index + 1;
    match kind {
        Kind::Role => {
            let hits = placements(test, "assign", "role", name);
            let all = test.get("assign").and_then(Item::as_array).is_some_and(|a| a.len() == hits.len());
            let (what, site) = if all {
                (
                    format!("test {n} (`assign`; the test held only this role and is dropped with it)"),
                    Site::TestRole { index },
                )
            } else {
                (format!("test {n} (`assign`)"), Site::TestAssign { index })
            };
            hits.into_iter().take(1).map(|span| Reference { span, what: what.clone(), site: site.clone() }).collect()
        }
        Kind::Entity => {
            let hits = [placements(test, "assign", "entity", name), placements(test, "path", "entity", name)].concat();
            let what = format!("test {n} (`assign` or `path`; the test is dropped with the entity type)");
            hits.into_iter()
                .take(1)
                .map(|span| Reference { span, what: what.clone(), site: Site::TestRole { index } })
                .collect()
        }
        _ => Vec::new(),
    }
}

fn test_references(root: &Table, kind: Kind, name: &str) -> Vec<Reference> {
    let mut found = Vec::new();
    for (index, test) in tests(root).into_iter().enumerate() {
        if kind == Kind::Policy {
            if let Some(policy) = test.get("policy").filter(|p| p.as_str() == Some(name)) {
                let what = format!("test {} (`policy`; the test is dropped with the policy)", index + 1);
                found.push(Reference { span: policy.span(), what, site: Site::TestPolicy { index } });
            }
            continue;
        }
        if kind == Kind::Role
            && let Some(role) = test.get("role").filter(|r| r.as_str() == Some(name))
        {
            let what = format!("test {} (`role`; the test is dropped with the role)", index + 1);
            found.push(Reference { span: role.span(), what, site: Site::TestRole { index } });
        }
        found.extend(placement_references(test, index, kind, name));
        let keys: &[&'static str] = match kind {
            Kind::Permission => &["allow", "deny"],
            Kind::Role => &["roles", "covers"],
            _ => &[],
        };
        for &key in keys {
            let Some(span) = find_in_list(test, key, name) else { continue };
            // `roles = []` would test an actor holding nothing: a test that held the removed
            // role alone is about it, and goes with it.
            let (what, site) = if key == "roles" && entries::str_list(test, key).iter().all(|r| r == name) {
                let what = format!("test {} (`roles`; the test held only this role and is dropped with it)", index + 1);
                (what, Site::TestRole { index })
            } else {
                (format!("test {} (`{key}`)", index + 1), Site::TestList { index, key })
            };
            found.push(Reference { span, what, site });
        }
    }
    found
}

/// Drops every reference in `refs` to `name` from the document: the name leaves the lists,
/// each keeping `fmt`'s layout. A role's `includes` or a test's `allow`, `deny` or `covers` left
/// empty goes too, since absent means the same, unless a comment is written on it: then it
/// stays, and a note says so. A role's `permissions` stays even empty: it is where `grant`
/// adds, and `add role` writes it empty too, so that grant then revoke gives back the same text.
/// A rule left without permissions, a test left asserting nothing, and a test about a removed
/// role are dropped whole. Returns the notes.
pub fn drop_all(doc: &mut DocumentMut, name: &str, refs: &[Reference]) -> Vec<String> {
    let mut rules: Vec<(&str, usize)> = Vec::new();
    let mut touched_tests = BTreeSet::new();
    let mut dropped_tests = BTreeSet::new();
    let mut notes = Vec::new();
    for r in refs {
        match &r.site {
            Site::RoleList { role, key } => {
                entries::edit_entry_list(doc, Kind::Role, role, key, false, |list| array::remove_str(list, name));
                let entry = entries::entry_item_mut(doc, Kind::Role, role).and_then(Item::as_table_like_mut);
                let entry = entry.filter(|_| *key == "includes");
                if entry.is_some_and(|e| entries::drop_emptied(e, key) == Emptied::KeptForComment) {
                    notes.push(kept_note(key, &format!("role {role}")));
                }
            }
            Site::Rule { policy, index } => rules.push((policy, *index)),
            Site::TestList { index, key } => {
                edit_test_list(doc, *index, key, |list| array::remove_str(list, name));
                if test_mut(doc, *index).is_some_and(|t| entries::drop_emptied(t, key) == Emptied::KeptForComment) {
                    notes.push(kept_note(key, &format!("test {}", index + 1)));
                }
                touched_tests.insert(*index);
            }
            Site::TestRole { index } | Site::TestPolicy { index } => {
                dropped_tests.insert(*index);
            }
            Site::TestAssign { index } => {
                edit_test_list(doc, *index, "assign", |list| drop_placements(list, "role", name));
            }
            Site::List { kind, entry, key } => {
                let list = entries::entry_item_mut(doc, *kind, entry).and_then(|e| e.get_mut(key));
                if let Some(list) = list.and_then(Item::as_array_mut) {
                    array::remove_str(list, name);
                }
            }
            Site::Parent { entity } => {
                if let Some(table) =
                    entries::entry_item_mut(doc, Kind::Entity, entity).and_then(Item::as_table_like_mut)
                {
                    table.remove("parent");
                }
            }
            Site::PolicyEntity => {}
        }
    }
    rules.sort_unstable_by(|a, b| b.cmp(a));
    for (policy, index) in rules {
        drop_from_rule(doc, policy, index, name);
    }
    let empty = touched_tests.into_iter().filter(|&i| test_mut(doc, i).is_some_and(|t| asserts_nothing(t)));
    dropped_tests.extend(empty);
    for index in dropped_tests.into_iter().rev() {
        remove_test(doc, index);
    }
    notes
}

/// Removes every inline table of `list` whose `field` is `name`.
fn drop_placements(list: &mut Array, field: &str, name: &str) {
    let named = |v: &Value| v.as_inline_table().and_then(|t| t.get(field)).and_then(Value::as_str) == Some(name);
    loop {
        let Some(at) = list.iter().position(named) else { return };
        array::remove(list, at);
    }
}

/// The note for an emptied list kept for its comment.
fn kept_note(key: &str, owner: &str) -> String {
    format!("kept the empty `{key}` of {owner}: a comment is written on it; delete the line if it says nothing now")
}

/// [`entries::keep_layout`] on list `key` of the `index`th test.
fn edit_test_list<R>(doc: &mut DocumentMut, index: usize, key: &str, f: impl FnOnce(&mut Array) -> R) -> Option<R> {
    match doc.get_mut("tests")? {
        Item::ArrayOfTables(a) => {
            let list = a.get_mut(index)?.get_mut(key)?.as_array_mut()?;
            Some(entries::keep_layout(list, Some(key.len()), f))
        }
        Item::Value(Value::Array(a)) => {
            let list = a.get_mut(index)?.as_inline_table_mut()?.get_mut(key)?.as_array_mut()?;
            Some(f(list))
        }
        _ => None,
    }
}

fn drop_from_rule(doc: &mut DocumentMut, policy: &str, index: usize, name: &str) {
    let Some(policies) = doc.get_mut("policies") else { return };
    let lead = entries::dotted_lead(policies.get(policy), policy);
    let Some(policy) = policies.as_table_like_mut().and_then(|p| p.get_mut(policy)) else { return };
    entries::edit_list(policy, "rules", lead, |rules| {
        let value =
            rules.get_mut(index).and_then(Value::as_inline_table_mut).and_then(|t| t.get_mut("allow_if_permission"));
        let now_empty = match value {
            Some(Value::Array(list)) => {
                array::remove_str(list, name);
                list.is_empty()
            }
            Some(Value::String(_)) => true,
            _ => false,
        };
        if now_empty {
            array::remove(rules, index);
        }
    });
}

fn test_mut(doc: &mut DocumentMut, index: usize) -> Option<&mut dyn TableLike> {
    match doc.get_mut("tests")? {
        Item::ArrayOfTables(a) => a.get_mut(index).map(|t| t as &mut dyn TableLike),
        Item::Value(Value::Array(a)) => a.get_mut(index)?.as_inline_table_mut().map(|t| t as &mut dyn TableLike),
        _ => None,
    }
}

/// An access test whose lists are all empty checks nothing any more.
fn asserts_nothing(test: &dyn TableLike) -> bool {
    !test.contains_key("policy") && ["allow", "deny", "covers"].iter().all(|k| entries::str_list(test, k).is_empty())
}

fn remove_test(doc: &mut DocumentMut, index: usize) {
    match doc.get_mut("tests") {
        Some(Item::ArrayOfTables(_)) => layout::remove_array_table(doc, "tests", index),
        Some(Item::Value(Value::Array(a))) => array::remove(a, index),
        _ => {}
    }
}
