//! The `spicedb` target (SPEC section 8): `spicedb/schema.zed`, a SpiceDB schema, and
//! `spicedb/validation.yaml`, the `[[tests]]` with entities as a validation file (relationships
//! and `assertTrue` / `assertFalse`, as `zed validate` and the playground read it). The
//! relations are [`graph`](super::graph)'s; this module spells them: `parent->x`, `a & b`,
//! `a + b`, `nil`, caveats in CEL, `//` comments.

use serde::Serialize;

use super::common::comment_lines;
use super::graph::cases::{self, Case, Tuple, Value, yaml_comment, yaml_str};
use super::graph::policy::{Gate, Param};
use super::graph::{Atom, CONTEXT_TYPE, Expr, Graph, Kind, Limit, PARENT, Relation, SUBJECT};
use super::{RenderOptions, TargetView, Template};
use crate::model::Model;

/// SpiceDB's longest relation name (`^[a-z][a-z0-9_]{1,62}[a-z0-9]$`).
pub const RELATION_LIMIT: Limit = Limit(64);

/// SpiceDB's naming oracle: names are roles.toml's (validation keeps out what SpiceDB cannot
/// take), comments are `//` lines, relations are spelled in the schema language.
pub struct Zed;

impl Zed {
    /// A comment's lines, each escaped (`//` runs to the end of the line; `*/` broken up).
    fn comment(doc: &[String]) -> Vec<String> {
        doc.iter().flat_map(|l| if l.is_empty() { vec![String::new()] } else { comment_lines(l) }).collect()
    }

    fn atom(atom: &Atom) -> String {
        match atom {
            Atom::Here(x) => x.clone(),
            Atom::Parent(x) => format!("{PARENT}->{x}"),
            Atom::Context(x) => format!("{CONTEXT_TYPE}->{x}"),
        }
    }

    /// A permission's expression: `a + parent->b`, `(a & g) + c`; nobody: `nil`.
    fn expr(expr: &Expr) -> String {
        if expr.0.is_empty() {
            return "nil".into();
        }
        let several = expr.0.len() > 1;
        let term = |conj: &Vec<Atom>| {
            let atoms: Vec<String> = conj.iter().map(Zed::atom).collect();
            if atoms.len() > 1 && several { format!("({})", atoms.join(" & ")) } else { atoms.join(" & ") }
        };
        expr.0.iter().map(term).collect::<Vec<_>>().join(" + ")
    }

    /// `relation name: subject` or `permission name = expression`.
    fn line(r: &Relation) -> String {
        match &r.kind {
            Kind::Direct(subject) => format!("relation {}: {subject}", r.name),
            Kind::Gate(caveat) => format!("relation {}: {SUBJECT}:* with {caveat}", r.name),
            Kind::Computed(expr) => format!("permission {} = {}", r.name, Zed::expr(expr)),
        }
    }

    fn param(param: &Param) -> String {
        match param {
            Param::Legacy => format!("{} string", param.name()),
            Param::Predicate(p) => format!("{p} bool"),
        }
    }

    /// A relationship as the validation file writes it: `type:id#rel@type:id[caveat]`.
    pub fn relationship(t: &Tuple) -> String {
        let caveat = t.condition.as_ref().map(|c| format!("[{c}]")).unwrap_or_default();
        format!("{}:{}#{}@{}:{}{caveat}", t.object_type, t.object_id, t.relation, t.subject_type, t.subject_id)
    }
}

/// `spicedb/schema.zed`'s view.
#[derive(Serialize)]
pub struct ZedSchemaView {
    definitions: Vec<ZedDefinition>,
    caveats: Vec<ZedCaveat>,
}

#[derive(Serialize)]
struct ZedDefinition {
    comment: Vec<String>,
    name: String,
    lines: Vec<ZedLine>,
}

#[derive(Serialize)]
struct ZedLine {
    comment: Vec<String>,
    text: String,
}

#[derive(Serialize)]
struct ZedCaveat {
    comment: Vec<String>,
    name: String,
    params: String,
    body: String,
}

impl ZedCaveat {
    fn new(g: &Gate) -> Self {
        let params = g.params.iter().map(Zed::param).collect::<Vec<_>>().join(", ");
        ZedCaveat { comment: Zed::comment(&g.doc), name: g.name.clone(), params, body: g.cel.clone() }
    }
}

impl TargetView for ZedSchemaView {
    const TEMPLATE: Template =
        Template { name: "spicedb_schema", text: include_str!("../../templates/spicedb_schema.hbs") };

    fn new(model: &Model, _: &RenderOptions) -> Self {
        let graph = Graph::of(model, RELATION_LIMIT);
        let mut definitions = vec![ZedDefinition {
            comment: vec!["The subjects: the users who hold roles.".into()],
            name: SUBJECT.into(),
            lines: Vec::new(),
        }];
        for t in &graph.types {
            let entity = &model.entities()[t.entity];
            let lines = t.relations.iter().map(|r| ZedLine { comment: Zed::comment(&r.doc), text: Zed::line(r) });
            definitions.push(ZedDefinition {
                comment: Zed::comment(&[format!("{} (entity type {})", entity.description, entity.id)]),
                name: entity.name.clone(),
                lines: lines.collect(),
            });
        }
        if !graph.gates.is_empty() {
            definitions.push(context_definition(&graph));
        }
        ZedSchemaView { definitions, caveats: graph.gates.iter().map(ZedCaveat::new).collect() }
    }
}

/// The one object of the policies' context gates: a relation per gate, one wildcard
/// relationship each.
fn context_definition(graph: &Graph) -> ZedDefinition {
    let lines = graph
        .gates
        .iter()
        .map(|g| ZedLine {
            comment: Zed::comment(&g.doc),
            text: Zed::line(&Relation { name: g.name.clone(), kind: Kind::Gate(g.name.clone()), doc: Vec::new() }),
        })
        .collect();
    ZedDefinition {
        comment: vec![
            format!(
                "The policies' context gates. Write once, for each relation `g` below: \
                 {CONTEXT_TYPE}:all#g@user:*[g]."
            ),
            "Each root entity points here with one relationship per instance (relation `role_gen__policies`).".into(),
        ],
        name: CONTEXT_TYPE.into(),
        lines,
    }
}

/// `spicedb/validation.yaml`'s view.
#[derive(Serialize)]
pub struct ZedValidationView {
    others: String,
    /// Lines of the `relationships` block (relationships, and `//` comments).
    relationships: Vec<String>,
    assert_true: Vec<ZedAssertion>,
    assert_false: Vec<ZedAssertion>,
}

#[derive(Serialize)]
struct ZedAssertion {
    comment: Option<String>,
    text: String,
}

/// `{"legacy": "member", "p": false}`: the check's context as JSON.
fn context_json(context: &[(String, Value)]) -> String {
    let map: serde_json::Map<String, serde_json::Value> = context
        .iter()
        .map(|(k, v)| {
            let v = match v {
                Value::Str(s) => serde_json::Value::String(s.clone()),
                Value::Bool(b) => serde_json::Value::Bool(*b),
            };
            (k.clone(), v)
        })
        .collect();
    serde_json::Value::Object(map).to_string()
}

impl ZedValidationView {
    fn add(&mut self, c: &Case) {
        self.relationships.push(format!("// {}", yaml_comment(&format!("[[tests]] {}: {}", c.number, c.name))));
        for note in &c.unwritable {
            self.relationships.push(format!("// {}", yaml_comment(note)));
        }
        self.relationships.extend(c.tuples.iter().map(Zed::relationship));
        let with = if c.context.is_empty() { String::new() } else { format!(" with {}", context_json(&c.context)) };
        let label = yaml_comment(&format!("[[tests]] {}: {}", c.number, c.name));
        let (mut true_first, mut false_first) = (true, true);
        for (relation, allow) in &c.assertions {
            let text = yaml_str(&format!("{}:{}#{relation}@{SUBJECT}:{}{with}", c.object.0, c.object.1, c.user));
            let (list, first) = if *allow {
                (&mut self.assert_true, &mut true_first)
            } else {
                (&mut self.assert_false, &mut false_first)
            };
            let comment = std::mem::replace(first, false).then(|| label.clone());
            list.push(ZedAssertion { comment, text });
        }
    }
}

impl TargetView for ZedValidationView {
    const TEMPLATE: Template =
        Template { name: "spicedb_validation", text: include_str!("../../templates/spicedb_validation.hbs") };

    fn new(model: &Model, _: &RenderOptions) -> Self {
        let graph = Graph::of(model, RELATION_LIMIT);
        let (mut cases, others) = cases::cases(model, &graph);
        cases::isolate(&mut cases);
        let mut view = ZedValidationView {
            others: cases::others_note(others),
            relationships: cases::gate_tuples(&graph).iter().map(Zed::relationship).collect(),
            assert_true: Vec::new(),
            assert_false: Vec::new(),
        };
        let mut written = std::collections::HashSet::new();
        for c in &mut cases {
            // One set of relationships for the whole file: each is written once.
            c.tuples.retain(|t| written.insert(t.clone()));
            view.add(c);
        }
        view
    }
}
