//! The `[[tests]]` that place roles on entities (`assign` + `path`, SPEC sections 6 and 7) as
//! tuples and checks an engine can run: each test its own user (`user:test_<n>`), the
//! assignments it makes, a `parent` tuple for each step of its path, the pointer at the
//! policies' context on its root, and one check per permission (or the policy) it asks about.
//!
//! Tests holding roles without entities (`roles = [...]`, `covers`) have nothing to load into
//! an engine: `role-gen test` runs them.

use super::{CONTEXT_ID, CONTEXT_TYPE, Graph, PARENT, SUBJECT};
use crate::model::{Model, Placement, TestCase, TestKind};
use role_gen_core::testing;

/// One relationship to write.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tuple {
    pub object_type: String,
    pub object_id: String,
    pub relation: String,
    pub subject_type: String,
    pub subject_id: String,
    /// The condition / caveat it carries (the policies' gates).
    pub condition: Option<String>,
}

/// A value of the check's context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Str(String),
    Bool(bool),
}

/// One `[[tests]]` entry, ready for an engine.
#[derive(Debug, Clone)]
pub struct Case {
    /// 1-based, among every `[[tests]]` entry of the file.
    pub number: usize,
    /// Its `name`, or what it checks.
    pub name: String,
    /// `test_<number>`.
    pub user: String,
    pub tuples: Vec<Tuple>,
    /// Assignments that cannot be written (the role is not assignable there), as prose.
    pub unwritable: Vec<String>,
    /// The object checked: (type, id).
    pub object: (String, String),
    /// The request context (policy tests only).
    pub context: Vec<(String, Value)>,
    /// Relation asked, expected answer.
    pub assertions: Vec<(String, bool)>,
}

/// Every test with `assign` + `path`, in file order; and how many others there are.
pub fn cases(model: &Model, graph: &Graph) -> (Vec<Case>, usize) {
    let mut out = Vec::new();
    let mut others = 0;
    for (i, test) in model.tests().iter().enumerate() {
        match &test.placement {
            Some(placement) => out.push(case(model, graph, i + 1, test, placement)),
            None => others += 1,
        }
    }
    (out, others)
}

/// The wildcard tuples of the policies' context gates: written once.
pub fn gate_tuples(graph: &Graph) -> Vec<Tuple> {
    graph
        .gates
        .iter()
        .map(|g| Tuple {
            object_type: CONTEXT_TYPE.into(),
            object_id: CONTEXT_ID.into(),
            relation: g.name.clone(),
            subject_type: SUBJECT.into(),
            subject_id: "*".into(),
            condition: Some(g.name.clone()),
        })
        .collect()
}

fn case(model: &Model, graph: &Graph, number: usize, test: &TestCase, placement: &Placement) -> Case {
    let user = format!("test_{number}");
    let entity = |e: crate::model::EntityIdx| model.entities()[e].name.clone();
    let mut tuples = Vec::new();
    let mut unwritable = Vec::new();
    for a in &placement.assignments {
        let role = &model.roles()[a.role];
        if role.assignable_on.contains(&a.entity) {
            tuples.push(Tuple {
                object_type: entity(a.entity),
                object_id: a.id.clone(),
                relation: role.name.clone(),
                subject_type: SUBJECT.into(),
                subject_id: user.clone(),
                condition: None,
            });
        } else {
            unwritable.push(format!(
                "`{}` is not assignable on `{}`: no relation there, so `{}` `{}` gets no tuple (it grants nothing)",
                role.name,
                entity(a.entity),
                entity(a.entity),
                a.id
            ));
        }
    }
    tuples.extend(path_tuples(model, graph, placement));
    let mut seen = std::collections::HashSet::new();
    tuples.retain(|t| seen.insert(t.clone()));
    let (target, target_id) = placement.path.first().map(|(e, id)| (entity(*e), id.clone())).unwrap_or_default();
    let (assertions, context) = asks(model, test);
    Case {
        number,
        name: testing::describe(model, test),
        user,
        tuples,
        unwritable,
        object: (target, target_id),
        context,
        assertions,
    }
}

/// A `parent` tuple for each step of the path, and the pointer on its root.
fn path_tuples(model: &Model, graph: &Graph, placement: &Placement) -> Vec<Tuple> {
    let entity = |e: crate::model::EntityIdx| model.entities()[e].name.clone();
    let mut out: Vec<Tuple> = placement
        .path
        .windows(2)
        .map(|pair| Tuple {
            object_type: entity(pair[0].0),
            object_id: pair[0].1.clone(),
            relation: PARENT.into(),
            subject_type: entity(pair[1].0),
            subject_id: pair[1].1.clone(),
            condition: None,
        })
        .collect();
    if let Some((root, id)) = placement.path.last()
        && graph.pointer_roots.contains(root)
    {
        out.push(Tuple {
            object_type: entity(*root),
            object_id: id.clone(),
            relation: CONTEXT_TYPE.into(),
            subject_type: CONTEXT_TYPE.into(),
            subject_id: CONTEXT_ID.into(),
            condition: None,
        });
    }
    out
}

/// The relations a test asks about with the answers it expects, and the request context.
type Asks = (Vec<(String, bool)>, Vec<(String, Value)>);

/// The relations a test asks about with the answers it expects, and the request context.
fn asks(model: &Model, test: &TestCase) -> Asks {
    match &test.kind {
        TestKind::Access { allow, deny, .. } => {
            let name = |p: &crate::model::PermIdx| model.permissions()[*p].name.clone();
            let asked = allow.iter().map(|p| (name(p), true)).chain(deny.iter().map(|p| (name(p), false)));
            (asked.collect(), Vec::new())
        }
        TestKind::Policy { policy, legacy, predicates, expect_allow } => {
            let policy = &model.policies()[*policy];
            (vec![(policy.name.clone(), *expect_allow)], context(model, policy, *legacy, predicates))
        }
    }
}

/// What a check on `policy` passes: `legacy` (the level's name, `""` for none) when the policy
/// reads it, and every predicate it asks (`false` when the test leaves it out, as `role-gen
/// test` does).
pub fn context(
    model: &Model,
    policy: &crate::model::Policy,
    legacy: Option<crate::model::LevelIdx>,
    predicates: &[(String, bool)],
) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    if policy.uses_legacy() {
        let level = legacy.map(|l| model.legacy_levels()[l].name.clone()).unwrap_or_default();
        out.push((super::policy::LEGACY.to_string(), Value::Str(level)));
    }
    for p in policy.predicates() {
        let value = predicates.iter().any(|(name, v)| name == p && *v);
        out.push((p.to_string(), Value::Bool(value)));
    }
    out
}

/// The note on the `[[tests]]` an engine's test file leaves out.
pub fn others_note(others: usize) -> String {
    match others {
        0 => String::new(),
        1 => "1 [[tests]] entry holds roles without entities: `role-gen test` runs it.".into(),
        n => format!("{n} [[tests]] entries hold roles without entities: `role-gen test` runs them."),
    }
}

/// Whether YAML may hold `c` as it is: printable ASCII (quotes and backslashes aside), or a
/// printable non-ASCII character that is not invisible (YAML 1.1 reads U+0085, U+2028 and
/// U+2029 as line breaks; U+FFFE and U+FFFF are not printable at all).
fn yaml_plain(c: char) -> bool {
    match c {
        ' '..='~' => true,
        '\u{a0}'..='\u{fffd}' | '\u{10000}'.. => !crate::escape::is_invisible(c),
        _ => false,
    }
}

/// A YAML double-quoted string: `"` and `\` escaped, every other character YAML could misread
/// as `\u`/`\U` escapes.
pub fn yaml_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if yaml_plain(c) => out.push(c),
            c if (c as u32) <= 0xffff => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// Text on one YAML comment line (or one `//` line inside a block of relationships): every
/// character YAML could misread shown as a `\u{…}` escape.
pub fn yaml_comment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if yaml_plain(c) {
            out.push(c);
        } else {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        }
    }
    out.trim_end().to_string()
}

/// SpiceDB's validation file holds one set of relationships for every test: when two tests
/// give one entity different parents, each test's entity ids get the prefix `t<number>-`, so
/// that no test sees another's entities.
pub fn isolate(cases: &mut [Case]) {
    let mut parents = std::collections::HashMap::new();
    let conflict = cases.iter().flat_map(|c| &c.tuples).filter(|t| t.relation == PARENT).any(|t| {
        let child = (t.object_type.clone(), t.object_id.clone());
        let parent = (t.subject_type.clone(), t.subject_id.clone());
        parents.insert(child, parent.clone()).is_some_and(|old| old != parent)
    });
    if !conflict {
        return;
    }
    for c in cases {
        let prefix = format!("t{}-", c.number);
        for t in &mut c.tuples {
            t.object_id.insert_str(0, &prefix);
            if t.subject_type != SUBJECT && t.subject_type != CONTEXT_TYPE {
                t.subject_id.insert_str(0, &prefix);
            }
        }
        c.object.1.insert_str(0, &prefix);
    }
}
