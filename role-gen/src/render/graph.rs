//! What the `openfga` and `spicedb` targets share (SPEC section 8): the relation graph of the
//! model, engine-neutral. Each target module only spells it (`x from parent` or `parent->x`).
//!
//! One type per entity type, `user` for subjects, and on each type:
//! - `parent`, to the parent type (a tuple per entity instance that has a parent);
//! - a relation per role assignable there (an assignment is the tuple `<type>:<id>#<role>@user:<u>`);
//! - a computed relation per permission checked there: the roles assignable there that hold it,
//!   or the same permission held on the parent (`from parent` follows one level);
//! - where a permission is checked below a type but not on it, a helper that carries it down:
//!   `<permission>__held` (roles.toml names never hold `__`, so no helper can take a user's name);
//! - a computed relation per policy on it (see [`policy`]), and the helpers that bring its
//!   context gates down from the one `role_gen__policies:all` object (a tuple per root instance).
//!
//! A role not assignable on a type has no relation there, so a stored assignment that breaks
//! `assignable_on` cannot even be written: it grants nothing, as in `check_access`.

pub mod cases;
pub mod policy;

use crate::model::{EntityIdx, Model, PermIdx, PermSet, RoleIdx};

/// The subjects' type.
pub const SUBJECT: &str = "user";
/// The relation from an entity to its parent entity.
pub const PARENT: &str = "parent";
/// The type of the one object holding the policies' context gates, and the relation on each
/// root type that points at it.
pub const CONTEXT_TYPE: &str = "role_gen__policies";
/// The id of that one object.
pub const CONTEXT_ID: &str = "all";

/// One operand of a computed relation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Atom {
    /// A relation of the same object.
    Here(String),
    /// A relation of the parent object (`x from parent`, `parent->x`).
    Parent(String),
    /// A relation of the policies' context object (`x from role_gen__policies`).
    Context(String),
}

/// A computed relation: a union of intersections of atoms. No term at all: nobody holds it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Expr(pub Vec<Vec<Atom>>);

impl Expr {
    fn union(atoms: impl IntoIterator<Item = Atom>) -> Expr {
        Expr(atoms.into_iter().map(|a| vec![a]).collect())
    }
}

/// What a relation is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// Written as tuples whose subject is of this type (`user` for roles, the parent type for
    /// `parent`, the context type for the pointer at it).
    Direct(String),
    /// One wildcard `user:*` tuple carrying the condition / caveat of this name.
    Gate(String),
    /// Computed from other relations.
    Computed(Expr),
}

/// One relation of a type, with what it stands for (for the comment above it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relation {
    pub name: String,
    pub kind: Kind,
    /// Raw text (each target escapes it for its comments); empty lines separate paragraphs.
    pub doc: Vec<String>,
}

/// The relations of one entity type, in output order: `parent`, the pointer at the policies'
/// context, roles, permissions and policies (each by id), then the helpers.
#[derive(Debug, Clone)]
pub struct TypeGraph {
    pub entity: EntityIdx,
    pub relations: Vec<Relation>,
}

/// The whole graph: a type per entity (file order), and the policies' context gates.
#[derive(Debug, Clone)]
pub struct Graph {
    pub types: Vec<TypeGraph>,
    /// Every context gate of every policy, by policy id then rule.
    pub gates: Vec<policy::Gate>,
    /// The root types that carry the pointer at the context object (a tuple per instance).
    pub pointer_roots: Vec<EntityIdx>,
}

/// How long a relation name may be in the target engine (OpenFGA: 50, SpiceDB: 64): a helper
/// whose readable name would be longer takes its short form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit(pub usize);

/// `<name>__<suffix>` when it fits, else `<suffix>__<kind><id>`. Both hold `__`, which no
/// roles.toml name does; the readable form ends with a fixed suffix and the short form starts
/// with one, so no two helpers share a name.
pub fn helper_name(name: &str, suffix: &str, kind: &str, id: u32, limit: Limit) -> String {
    let readable = format!("{name}__{suffix}");
    if readable.len() <= limit.0 { readable } else { format!("{suffix}__{kind}{id}") }
}

/// Facts about one permission across the forest, computed once.
struct Reach {
    /// Per entity: the permissions some role assignable there holds.
    granted_here: Vec<PermSet>,
    /// Per entity: the permissions some role assignable there or above holds.
    granted_at_or_above: Vec<PermSet>,
    /// Per entity: the permissions checked on it or on a type below it.
    checked_at_or_below: Vec<PermSet>,
}

impl Reach {
    fn of(model: &Model) -> Reach {
        let n = model.entities().len();
        let empty = || PermSet::with_capacity(model.permissions().len());
        let mut granted_here: Vec<PermSet> = (0..n).map(|_| empty()).collect();
        for role in model.roles() {
            for &e in &role.assignable_on {
                granted_here[e.get()].union_with(&role.effective);
            }
        }
        let mut checked: Vec<PermSet> = (0..n).map(|_| empty()).collect();
        for (p, perm) in model.indexed_permissions() {
            for &e in &perm.entities {
                checked[e.get()].insert(p);
            }
        }
        let order = parents_first(model);
        let mut above: Vec<PermSet> = granted_here.clone();
        for &e in &order {
            if let Some(parent) = model.entities()[e].parent {
                let inherited = above[parent.get()].clone();
                above[e.get()].union_with(&inherited);
            }
        }
        let mut below = checked;
        for &e in order.iter().rev() {
            if let Some(parent) = model.entities()[e].parent {
                let from_child = below[e.get()].clone();
                below[parent.get()].union_with(&from_child);
            }
        }
        Reach { granted_here, granted_at_or_above: above, checked_at_or_below: below }
    }
}

/// Every entity after its parent (entities form a forest in a valid model).
fn parents_first(model: &Model) -> Vec<EntityIdx> {
    let depth = |e: EntityIdx| model.ancestors(e).count();
    let mut order: Vec<EntityIdx> = model.indexed_entities().map(|(e, _)| e).collect();
    order.sort_by_key(|&e| (depth(e), e));
    order
}

/// Walks an entity's ancestors, parent first.
trait Ancestors {
    fn ancestors(&self, e: EntityIdx) -> impl Iterator<Item = EntityIdx> + '_;
}

impl Ancestors for Model {
    fn ancestors(&self, e: EntityIdx) -> impl Iterator<Item = EntityIdx> + '_ {
        let limit = self.entities().len();
        std::iter::successors(self.entities()[e].parent, move |&p| self.entities()[p].parent).take(limit)
    }
}

impl Graph {
    /// The graph of `model`, helper names fitting `limit`.
    pub fn of(model: &Model, limit: Limit) -> Graph {
        let reach = Reach::of(model);
        let policies = policy::compile_all(model, limit);
        let mut pointer_roots: Vec<EntityIdx> = Vec::new();
        let mut chains: Vec<Vec<Relation>> = vec![Vec::new(); model.entities().len()];
        for compiled in &policies {
            for gate in &compiled.gates {
                let entity = model.policies()[compiled.policy].entity;
                let root = add_chain(model, entity, &gate.name, &mut chains);
                if !pointer_roots.contains(&root) {
                    pointer_roots.push(root);
                }
            }
        }
        pointer_roots.sort_unstable();
        let types = model
            .indexed_entities()
            .map(|(e, _)| TypeGraph {
                entity: e,
                relations: type_relations(model, &reach, e, &policies, &pointer_roots, &chains[e.get()], limit),
            })
            .collect();
        Graph { types, gates: policies.into_iter().flat_map(|p| p.gates).collect(), pointer_roots }
    }
}

/// The helpers that bring gate `gate` from the context object down to `entity`: on the root,
/// `gate from role_gen__policies`; below it, `gate from parent`. Returns the root.
fn add_chain(model: &Model, entity: EntityIdx, gate: &str, chains: &mut [Vec<Relation>]) -> EntityIdx {
    let mut at = entity;
    loop {
        let doc = vec![format!("Helper: the policies' context gate `{gate}`, reached from here.")];
        match model.entities()[at].parent {
            Some(parent) => {
                chains[at.get()].push(computed(gate, Expr::union([Atom::Parent(gate.to_string())]), doc));
                at = parent;
            }
            None => {
                chains[at.get()].push(computed(gate, Expr::union([Atom::Context(gate.to_string())]), doc));
                return at;
            }
        }
    }
}

fn computed(name: &str, expr: Expr, doc: Vec<String>) -> Relation {
    Relation { name: name.to_string(), kind: Kind::Computed(expr), doc }
}

/// Every relation of entity `e`, in output order.
fn type_relations(
    model: &Model,
    reach: &Reach,
    e: EntityIdx,
    policies: &[policy::Compiled],
    pointer_roots: &[EntityIdx],
    chain: &[Relation],
    limit: Limit,
) -> Vec<Relation> {
    let entity = &model.entities()[e];
    let mut out = Vec::new();
    if let Some(parent) = entity.parent {
        let doc = vec![format!("The `{}` this one is in: one tuple per instance.", model.entities()[parent].name)];
        out.push(Relation { name: PARENT.into(), kind: Kind::Direct(model.entities()[parent].name.clone()), doc });
    }
    if pointer_roots.contains(&e) {
        let doc = vec![format!(
            "Points at `{CONTEXT_TYPE}:{CONTEXT_ID}`, where the policies' context gates are: one tuple per instance."
        )];
        out.push(Relation { name: CONTEXT_TYPE.into(), kind: Kind::Direct(CONTEXT_TYPE.into()), doc });
    }
    for (r, role) in model.indexed_roles().filter(|(_, role)| role.assignable_on.contains(&e)) {
        out.push(Relation { name: role.name.clone(), kind: Kind::Direct(SUBJECT.into()), doc: role_doc(model, r) });
    }
    for (p, perm) in model.indexed_permissions().filter(|(_, perm)| perm.entities.contains(&e)) {
        let doc = vec![format!("{} (permission {})", perm.description, perm.id)];
        out.push(computed(&perm.name, permission_expr(model, reach, e, p, limit), doc));
    }
    for compiled in policies.iter().filter(|c| model.policies()[c.policy].entity == e) {
        let policy = &model.policies()[compiled.policy];
        let doc = vec![format!("{} (policy {})", policy.description, policy.id)];
        out.push(computed(&policy.name, compiled.expr.clone(), doc));
    }
    for (p, perm) in model.indexed_permissions().filter(|&(p, _)| needs_helper(model, reach, e, p)) {
        let doc = vec![format!(
            "Helper: `{}` held through roles here or above, for the types below that check it.",
            perm.name
        )];
        out.push(computed(&held_name(model, p, limit), permission_expr(model, reach, e, p, limit), doc));
    }
    out.extend(chain.iter().cloned());
    out
}

fn role_doc(model: &Model, r: RoleIdx) -> Vec<String> {
    let role = &model.roles()[r];
    vec![format!("{} (role {})", role.description, role.id)]
}

/// Whether `e` carries the `held` helper of `p`: `p` is not checked on `e`, some role assignable
/// on `e` or above holds it, and a type below `e` checks it.
fn needs_helper(model: &Model, reach: &Reach, e: EntityIdx, p: PermIdx) -> bool {
    let perm = &model.permissions()[p];
    !perm.entities.contains(&e)
        && reach.granted_at_or_above[e.get()].contains(p)
        && model
            .indexed_entities()
            .any(|(c, child)| child.parent == Some(e) && reach.checked_at_or_below[c.get()].contains(p))
}

/// The name `p` goes by on `e`: its own where it is checked, else its `held` helper.
fn name_on(model: &Model, e: EntityIdx, p: PermIdx, limit: Limit) -> String {
    let perm = &model.permissions()[p];
    if perm.entities.contains(&e) { perm.name.clone() } else { held_name(model, p, limit) }
}

/// The name of the helper that carries `p` down through types that do not check it.
pub fn held_name(model: &Model, p: PermIdx, limit: Limit) -> String {
    let perm = &model.permissions()[p];
    helper_name(&perm.name, "held", "permission", perm.id, limit)
}

/// `p` on `e`: the roles assignable on `e` that hold it, or `p` held on the parent.
fn permission_expr(model: &Model, reach: &Reach, e: EntityIdx, p: PermIdx, limit: Limit) -> Expr {
    let mut atoms: Vec<Atom> = Vec::new();
    if reach.granted_here[e.get()].contains(p) {
        let holders = model.indexed_roles().filter(|(_, r)| r.assignable_on.contains(&e) && r.effective.contains(p));
        atoms.extend(holders.map(|(_, r)| Atom::Here(r.name.clone())));
    }
    if let Some(parent) = model.entities()[e].parent
        && reach.granted_at_or_above[parent.get()].contains(p)
    {
        atoms.push(Atom::Parent(name_on(model, parent, p, limit)));
    }
    Expr::union(atoms)
}
