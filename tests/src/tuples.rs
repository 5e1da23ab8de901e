//! The differential scenarios of [`engines`](crate::engines) as relationship tuples and checks,
//! for the relation engines of SPEC section 8 (OpenFGA, SpiceDB): what
//! `tests/engines_openfga.rs` and `tests/engines_spicedb.rs` load and ask.
//!
//! Written as the README tells an application to: a `parent` tuple per entity instance that has
//! a parent, an assignment tuple `<type>:<id>#<role>@user:<user>` per assignment whose role is
//! assignable there (any other cannot be written: the engine has no such relation, and the
//! model says it grants nothing), and, when the model has policies, the wildcard tuple of each
//! context gate on `role_gen__policies:all` and the pointer at it from every root instance.
//! Which gates and which root types the generated model has is read from the generated model
//! itself ([`Deploy`]), as a user reads it.
//!
//! Every scenario check asks `<type>:<id>#<permission>@user:<user>` and expects
//! `Model::check_access`'s answer; every policy check asks `<type>:<id>#<policy>@user:<user>`
//! with the context `legacy` (the level's name, `""` for none) and each predicate, and expects
//! `Policy::evaluate`'s decision.

use role_gen::model::{Model, Policy};
use serde_json::{Map, Value};

use crate::engines::Scenario;

/// The type and id of the policies' context object, and the relation pointing at it.
pub const CONTEXT: &str = "role_gen__policies";

/// One relationship: `object#relation@subject`, objects as `type:id`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Tuple {
    pub object: String,
    pub relation: String,
    pub subject: String,
    /// The condition (OpenFGA) / caveat (SpiceDB) it carries.
    pub condition: Option<String>,
}

/// One question and the oracle's answer.
#[derive(Debug, Clone)]
pub struct Ask {
    pub object: String,
    pub relation: String,
    pub subject: String,
    /// The request context (policy checks only).
    pub context: Map<String, Value>,
    pub allow: bool,
}

impl Ask {
    /// `object#relation@subject with {context}`, for failure messages.
    pub fn describe(&self) -> String {
        let with = if self.context.is_empty() {
            String::new()
        } else {
            format!(" with {}", Value::Object(self.context.clone()))
        };
        format!("{}#{}@{}{with}", self.object, self.relation, self.subject)
    }
}

/// One user's assignments and questions.
#[derive(Debug, Clone)]
pub struct UserWorld {
    pub id: String,
    pub tuples: Vec<Tuple>,
    pub asks: Vec<Ask>,
}

/// A scenario ready for an engine.
#[derive(Debug, Clone)]
pub struct World {
    /// Parents, pointers and gates: what every user's questions need.
    pub shared: Vec<Tuple>,
    pub users: Vec<UserWorld>,
}

impl World {
    /// Every tuple, shared first.
    pub fn tuples(&self) -> impl Iterator<Item = &Tuple> {
        self.shared.iter().chain(self.users.iter().flat_map(|u| &u.tuples))
    }

    /// Every question, user by user.
    pub fn asks(&self) -> impl Iterator<Item = &Ask> {
        self.users.iter().flat_map(|u| &u.asks)
    }
}

/// What the generated model asks an application to write besides assignments and parents.
#[derive(Debug, Clone, Default)]
pub struct Deploy {
    /// The relations of `role_gen__policies` (each also the name of its condition / caveat).
    pub gates: Vec<String>,
    /// The root entity types that point at `role_gen__policies:all`.
    pub pointer_roots: Vec<String>,
}

/// The scenario of `model` as tuples and questions.
pub fn world(model: &Model, scenario: &Scenario, deploy: &Deploy) -> World {
    let object = |node: usize| {
        let n = &scenario.forest.nodes[node];
        format!("{}:{}", model.entities()[n.entity].name, n.id)
    };
    let mut shared = Vec::new();
    for (i, n) in scenario.forest.nodes.iter().enumerate() {
        match n.parent {
            Some(p) => shared.push(tuple(object(i), "parent", object(p))),
            None if deploy.pointer_roots.contains(&model.entities()[n.entity].name) => {
                shared.push(tuple(object(i), CONTEXT, format!("{CONTEXT}:all")));
            }
            None => {}
        }
    }
    for gate in &deploy.gates {
        shared.push(Tuple { condition: Some(gate.clone()), ..tuple(format!("{CONTEXT}:all"), gate, "user:*".into()) });
    }
    let mut users: Vec<UserWorld> = scenario
        .users
        .iter()
        .map(|u| {
            let mut tuples: Vec<Tuple> = Vec::new();
            for a in u.assignments.iter().filter(|a| model.roles()[a.role].assignable_on.contains(&a.entity)) {
                let t = tuple(
                    format!("{}:{}", model.entities()[a.entity].name, a.id),
                    &model.roles()[a.role].name,
                    format!("user:{}", u.id),
                );
                if !tuples.contains(&t) {
                    tuples.push(t);
                }
            }
            UserWorld { id: u.id.clone(), tuples, asks: Vec::new() }
        })
        .collect();
    for c in &scenario.checks {
        let relation = model.permissions()[c.permission].name.clone();
        let subject = format!("user:{}", users[c.user].id);
        users[c.user].asks.push(Ask { object: object(c.node), relation, subject, context: Map::new(), allow: c.allow });
    }
    for c in &scenario.policy_checks {
        let policy = &model.policies()[c.policy];
        let legacy = c.legacy.map(|l| model.legacy_levels()[l].name.clone());
        let subject = format!("user:{}", users[c.user].id);
        let context = context(policy, legacy.as_deref(), &c.predicates);
        let ask =
            Ask { object: object(c.node), relation: policy.name.clone(), subject, context, allow: c.expected.allow };
        users[c.user].asks.push(ask);
    }
    World { shared, users }
}

fn tuple(object: String, relation: &str, subject: String) -> Tuple {
    Tuple { object, relation: relation.to_string(), subject, condition: None }
}

/// A policy check's context: `legacy` when the policy reads it (`""` for no level), and every
/// predicate it asks.
pub fn context(policy: &Policy, legacy: Option<&str>, predicates: &[(String, bool)]) -> Map<String, Value> {
    let mut out = Map::new();
    if policy.uses_legacy() {
        out.insert("legacy".into(), Value::String(legacy.unwrap_or_default().to_string()));
    }
    for (name, value) in predicates {
        out.insert(name.clone(), Value::Bool(*value));
    }
    out
}

/// The names `line` holds after `prefix` and before `stop`, for reading a generated model.
pub fn between<'a>(line: &'a str, prefix: &str, stop: char) -> Option<&'a str> {
    let rest = line.trim_start().strip_prefix(prefix)?;
    rest.split(stop).next().map(str::trim)
}

/// Writes the files of `target` for `roles_toml` under `dir` (whatever `[output] targets` says:
/// the engine targets are opt-in), failing with the diagnostics when the file is invalid for it.
pub fn generate_target(roles_toml: &std::path::Path, target: role_gen::Target, dir: &std::path::Path) {
    let project =
        role_gen::Project::load(roles_toml).unwrap_or_else(|e| panic!("{} does not load:\n{e}", roles_toml.display()));
    let options = role_gen::render::RenderOptions::only(project.model(), &[target]);
    let outputs = project
        .generate_with(&options)
        .unwrap_or_else(|d| panic!("{} does not generate `{}`:\n{d}", roles_toml.display(), target.as_str()));
    for (path, text) in outputs.iter() {
        crate::write(&dir.join(path), text);
    }
}

/// Every policy question of `world` that passes a legacy level, asked again with a level the
/// model does not have (`Admin`, a typo of `admin`): the engine must deny. Meant for a model
/// where every policy rule that could allow comes after a rule reading the level (the Slack
/// example: each policy starts with `deny_if_legacy = ["guest"]`), so that denying is the answer
/// of a gate that refuses unknown levels.
pub fn unknown_legacy(world: &World) -> World {
    let users = world
        .users
        .iter()
        .map(|u| {
            let asks = u
                .asks
                .iter()
                .filter(|a| a.context.get("legacy").is_some_and(|l| l != ""))
                .map(|a| {
                    let mut context = a.context.clone();
                    context.insert("legacy".into(), Value::String("Admin".into()));
                    Ask { context, allow: false, ..a.clone() }
                })
                .collect();
            UserWorld { asks, ..u.clone() }
        })
        .collect();
    World { shared: world.shared.clone(), users }
}
