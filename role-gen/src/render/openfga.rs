//! The `openfga` target (SPEC section 8): `openfga/model.fga`, an OpenFGA model in the DSL
//! (schema 1.1), and `openfga/tests.fga.yaml`, the `[[tests]]` with entities as the model tests
//! `fga model test` runs. The relations are [`graph`](super::graph)'s; this module spells them:
//! `x from parent`, `a and b`, `a or b`, conditions in CEL, `#` comments.

use serde::Serialize;

use super::common::comment_lines;
use super::graph::cases::{self, Case, Tuple, Value, yaml_comment, yaml_str};
use super::graph::policy::{Gate, Param};
use super::graph::{Atom, CONTEXT_TYPE, Expr, Graph, Kind, Limit, PARENT, Relation, SUBJECT};
use super::{RenderOptions, TargetView, Template};
use crate::model::Model;

/// OpenFGA's longest relation name (`^[^:#@\s]{1,50}$`).
pub const RELATION_LIMIT: Limit = Limit(50);
/// The condition a relation nobody may hold is restricted with (`false`, whatever the context):
/// OpenFGA has no empty relation, and a direct relation whose every tuple needs this
/// condition can never hold.
pub const NEVER: &str = "role_gen__never";

/// OpenFGA's naming oracle: names are roles.toml's (validation keeps out what the DSL cannot
/// take), comments start with `#`, relations are spelled in the DSL's words.
pub struct Fga;

impl Fga {
    /// A comment's lines, each escaped (`#` runs to the end of the line).
    fn comment(doc: &[String]) -> Vec<String> {
        doc.iter().flat_map(|l| if l.is_empty() { vec![String::new()] } else { comment_lines(l) }).collect()
    }

    fn atom(atom: &Atom) -> String {
        match atom {
            Atom::Here(x) => x.clone(),
            Atom::Parent(x) => format!("{x} from {PARENT}"),
            Atom::Context(x) => format!("{x} from {CONTEXT_TYPE}"),
        }
    }

    /// A computed relation: `a or b from parent`, `(a and g) or c`; nobody: a relation whose
    /// tuples would need the `role_gen__never` condition.
    fn expr(expr: &Expr) -> String {
        if expr.0.is_empty() {
            return format!("[{SUBJECT} with {NEVER}]");
        }
        let several = expr.0.len() > 1;
        let term = |conj: &Vec<Atom>| {
            let atoms: Vec<String> = conj.iter().map(Fga::atom).collect();
            if atoms.len() > 1 && several { format!("({})", atoms.join(" and ")) } else { atoms.join(" and ") }
        };
        expr.0.iter().map(term).collect::<Vec<_>>().join(" or ")
    }

    fn definition(kind: &Kind) -> String {
        match kind {
            Kind::Direct(subject) => format!("[{subject}]"),
            Kind::Gate(condition) => format!("[{SUBJECT}:* with {condition}]"),
            Kind::Computed(expr) => Fga::expr(expr),
        }
    }

    fn param(param: &Param) -> String {
        match param {
            Param::Legacy => format!("{}: string", param.name()),
            Param::Predicate(p) => format!("{p}: bool"),
        }
    }
}

/// `openfga/model.fga`'s view.
#[derive(Serialize)]
pub struct FgaModelView {
    types: Vec<FgaType>,
    conditions: Vec<FgaCondition>,
}

#[derive(Serialize)]
struct FgaType {
    comment: Vec<String>,
    name: String,
    relations: Vec<FgaRelation>,
}

#[derive(Serialize)]
struct FgaRelation {
    comment: Vec<String>,
    name: String,
    definition: String,
}

#[derive(Serialize)]
struct FgaCondition {
    comment: Vec<String>,
    name: String,
    params: String,
    body: String,
}

impl FgaRelation {
    fn new(r: &Relation) -> Self {
        FgaRelation { comment: Fga::comment(&r.doc), name: r.name.clone(), definition: Fga::definition(&r.kind) }
    }
}

impl FgaCondition {
    fn new(g: &Gate) -> Self {
        let params = g.params.iter().map(Fga::param).collect::<Vec<_>>().join(", ");
        FgaCondition { comment: Fga::comment(&g.doc), name: g.name.clone(), params, body: g.cel.clone() }
    }
}

impl TargetView for FgaModelView {
    const TEMPLATE: Template =
        Template { name: "openfga_model", text: include_str!("../../templates/openfga_model.hbs") };

    fn new(model: &Model, _: &RenderOptions) -> Self {
        let graph = Graph::of(model, RELATION_LIMIT);
        let mut types = vec![FgaType {
            comment: vec!["The subjects: the users who hold roles.".into()],
            name: SUBJECT.into(),
            relations: Vec::new(),
        }];
        for t in &graph.types {
            let entity = &model.entities()[t.entity];
            types.push(FgaType {
                comment: Fga::comment(&[format!("{} (entity type {})", entity.description, entity.id)]),
                name: entity.name.clone(),
                relations: t.relations.iter().map(FgaRelation::new).collect(),
            });
        }
        if !graph.gates.is_empty() {
            types.push(context_type(&graph));
        }
        let mut conditions: Vec<FgaCondition> = graph.gates.iter().map(FgaCondition::new).collect();
        if uses_never(&graph) {
            conditions.push(FgaCondition {
                comment: vec!["Never true: the relations nobody may hold only take tuples with it.".into()],
                name: NEVER.into(),
                params: "unused: bool".into(),
                body: "false".into(),
            });
        }
        FgaModelView { types, conditions }
    }
}

/// The one object of the policies' context gates: a relation per gate, one wildcard tuple each.
fn context_type(graph: &Graph) -> FgaType {
    let relations = graph
        .gates
        .iter()
        .map(|g| FgaRelation {
            comment: Fga::comment(&g.doc),
            name: g.name.clone(),
            definition: Fga::definition(&Kind::Gate(g.name.clone())),
        })
        .collect();
    FgaType {
        comment: vec![
            format!(
                "The policies' context gates. Write once, for each relation `g` below: \
                 {CONTEXT_TYPE}:all#g@user:* with condition `g`."
            ),
            "Each root entity points here with one tuple per instance (relation `role_gen__policies`).".into(),
        ],
        name: CONTEXT_TYPE.into(),
        relations,
    }
}

fn uses_never(graph: &Graph) -> bool {
    graph.types.iter().flat_map(|t| &t.relations).any(|r| matches!(&r.kind, Kind::Computed(e) if e.0.is_empty()))
}

/// `openfga/tests.fga.yaml`'s view: the `[[tests]]` with entities, each its own test.
#[derive(Serialize)]
pub struct FgaTestsView {
    name: String,
    tuples: Vec<FgaTuple>,
    tests: Vec<FgaTest>,
    /// A note on the `[[tests]]` left out (they place no role on an entity).
    others: String,
}

#[derive(Serialize)]
struct FgaTuple {
    user: String,
    relation: String,
    object: String,
    condition: Option<String>,
}

#[derive(Serialize)]
struct FgaTest {
    name: String,
    comment: Vec<String>,
    tuples: Vec<FgaTuple>,
    user: String,
    object: String,
    context: Vec<KeyValue>,
    assertions: Vec<KeyValue>,
}

/// One `key: value` line, both already spelled for YAML.
#[derive(Serialize)]
struct KeyValue {
    key: String,
    value: String,
}

impl FgaTuple {
    fn new(t: &Tuple) -> Self {
        FgaTuple {
            user: yaml_str(&format!("{}:{}", t.subject_type, t.subject_id)),
            relation: yaml_str(&t.relation),
            object: yaml_str(&format!("{}:{}", t.object_type, t.object_id)),
            condition: t.condition.as_deref().map(yaml_str),
        }
    }
}

impl FgaTest {
    fn new(c: &Case) -> Self {
        let value = |v: &Value| match v {
            Value::Str(s) => yaml_str(s),
            Value::Bool(b) => b.to_string(),
        };
        FgaTest {
            name: yaml_str(&format!("[[tests]] {}: {}", c.number, c.name)),
            comment: c.unwritable.iter().map(|u| yaml_comment(u)).collect(),
            tuples: c.tuples.iter().map(FgaTuple::new).collect(),
            user: yaml_str(&format!("{SUBJECT}:{}", c.user)),
            object: yaml_str(&format!("{}:{}", c.object.0, c.object.1)),
            context: c.context.iter().map(|(k, v)| KeyValue { key: yaml_str(k), value: value(v) }).collect(),
            assertions: c.assertions.iter().map(|(r, b)| KeyValue { key: yaml_str(r), value: b.to_string() }).collect(),
        }
    }
}

impl TargetView for FgaTestsView {
    const TEMPLATE: Template =
        Template { name: "openfga_tests", text: include_str!("../../templates/openfga_tests.hbs") };

    fn new(model: &Model, _: &RenderOptions) -> Self {
        let graph = Graph::of(model, RELATION_LIMIT);
        let (cases, others) = cases::cases(model, &graph);
        FgaTestsView {
            name: yaml_str(&format!("{}: [[tests]] with entities", model.project().name)),
            tuples: cases::gate_tuples(&graph).iter().map(FgaTuple::new).collect(),
            tests: cases.iter().map(FgaTest::new).collect(),
            others: cases::others_note(others),
        }
    }
}
