//! Stage 3: the validated model. No serde, no toml: what every renderer, the CLI's questions
//! and the derive macro work from. Items are in output order (permissions, roles and policies
//! by id, entities and legacy levels in file order); references are indices into those lists.

use std::collections::HashMap;

use crate::graph;
use crate::source::Span;

mod access;
mod chains;
mod index;
mod policy;
mod set;

pub use access::{Assignment, PathError};
pub use chains::Chains;
pub use index::{EntityIdx, LevelIdx, PermIdx, PolicyIdx, RoleIdx};
pub use policy::{DEFAULT_DENY, Decision, Facts, Rollout, RolloutMode};
pub use set::PermSet;

/// A validated roles.toml.
#[derive(Debug, Clone)]
pub struct Model {
    /// The source's file name, for `@generated` headers (never an absolute path).
    pub(crate) source_name: String,
    pub(crate) project: Project,
    pub(crate) output: OutputConfig,
    pub(crate) entities: Vec<Entity>,
    pub(crate) permissions: Vec<Permission>,
    pub(crate) roles: Vec<Role>,
    pub(crate) legacy_levels: Vec<LegacyLevel>,
    pub(crate) policies: Vec<Policy>,
    /// `[predicates.NAME]` declarations, in file order (predicates need not be declared).
    pub(crate) predicates: Vec<PredicateDecl>,
    pub(crate) reserved: Reserved,
    /// `[review] allow`: the `diff` findings accepted in the change that adds them.
    pub(crate) review: Vec<crate::review::Allowance>,
    pub(crate) tests: Vec<TestCase>,
    /// Name -> index, built once by [`Model::finish`] (lookups are O(1)).
    pub(crate) lookup: Lookup,
}

/// The name maps of a model, one per kind of thing looked up by name.
#[derive(Debug, Clone, Default)]
pub(crate) struct Lookup {
    permissions: HashMap<String, PermIdx>,
    roles: HashMap<String, RoleIdx>,
    entities: HashMap<String, EntityIdx>,
    policies: HashMap<String, PolicyIdx>,
}

impl Lookup {
    fn of(model: &Model) -> Lookup {
        fn map<T, I>(items: &[T], name: impl Fn(&T) -> &str, index: fn(usize) -> I) -> HashMap<String, I> {
            items.iter().enumerate().map(|(i, item)| (name(item).to_string(), index(i))).collect()
        }
        Lookup {
            permissions: map(&model.permissions, |p| &p.name, PermIdx::new),
            roles: map(&model.roles, |r| &r.name, RoleIdx::new),
            entities: map(&model.entities, |e| &e.name, EntityIdx::new),
            policies: map(&model.policies, |p| &p.name, PolicyIdx::new),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Project {
    pub name: String,
    pub proto_package: String,
}

/// A built-in generation target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    Rust,
    TypeScript,
    Proto,
    Json,
    Markdown,
    /// SQLite and PostgreSQL: tables, catalogue sync and the check query (SPEC section 8).
    Sql,
    /// Cedar schema and policies (SPEC section 8), for Amazon Verified Permissions.
    Cedar,
    /// An OpenFGA model and model tests (SPEC section 8).
    OpenFga,
    /// A SpiceDB schema and validation file (SPEC section 8).
    SpiceDb,
    /// A Python module (SPEC section 10): enums, `check_access`, the policies.
    Python,
    /// A Go package (SPEC section 10): the constants, the policies and `CheckAccess`.
    Go,
}

impl Target {
    /// Every built-in target, in the order outputs are listed.
    pub const ALL: [Target; 11] = [
        Target::Rust,
        Target::TypeScript,
        Target::Proto,
        Target::Json,
        Target::Markdown,
        Target::Sql,
        Target::Cedar,
        Target::OpenFga,
        Target::SpiceDb,
        Target::Python,
        Target::Go,
    ];

    /// What `[output]` without `targets` generates: the application targets. The engine
    /// targets of SPEC section 8 are opt-in (a project adopts an engine deliberately), and so are
    /// the languages of SPEC section 10 (a new default would change every project's outputs).
    pub const DEFAULT: [Target; 5] = [Target::Rust, Target::TypeScript, Target::Proto, Target::Json, Target::Markdown];

    /// The name used in `targets = […]` and `--target`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Target::Rust => "rust",
            Target::TypeScript => "typescript",
            Target::Proto => "proto",
            Target::Json => "json",
            Target::Markdown => "markdown",
            Target::Sql => "sql",
            Target::Cedar => "cedar",
            Target::OpenFga => "openfga",
            Target::SpiceDb => "spicedb",
            Target::Python => "python",
            Target::Go => "go",
        }
    }

    /// Parses a target name.
    pub fn from_name(name: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.as_str() == name)
    }

    /// Where the target writes, under the output folder: one path per file, in the order its
    /// renderer lists them (a target may write several files).
    pub fn paths(self, proto_package: &str) -> Vec<String> {
        let one = |p: &str| vec![p.to_string()];
        match self {
            Target::Rust => one("roles.rs"),
            Target::TypeScript => one("roles.ts"),
            Target::Proto => vec![format!("proto/{}/roles.proto", proto_package.replace('.', "/"))],
            Target::Json => one("roles.json"),
            Target::Markdown => one("ROLES.md"),
            Target::Sql => [
                "sql/roles.sqlite.sql",
                "sql/roles.postgres.sql",
                "sql/check_access.sqlite.sql",
                "sql/check_access.postgres.sql",
            ]
            .map(String::from)
            .to_vec(),
            Target::Cedar => vec!["cedar/roles.cedarschema".into(), "cedar/roles.cedar".into()],
            Target::OpenFga => vec!["openfga/model.fga".into(), "openfga/tests.fga.yaml".into()],
            Target::SpiceDb => vec!["spicedb/schema.zed".into(), "spicedb/validation.yaml".into()],
            Target::Python => one("python/roles.py"),
            Target::Go => one("go/roles.go"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct OutputConfig {
    /// Relative to roles.toml's folder, `/`-separated, never leaving it.
    pub dir: String,
    pub targets: Vec<Target>,
    pub rust_serde: bool,
    pub custom: Vec<CustomOutput>,
}

#[derive(Debug, Clone)]
pub struct CustomOutput {
    /// Relative to roles.toml's folder.
    pub template: String,
    pub template_span: Span,
    /// Relative to the output folder.
    pub path: String,
    pub path_span: Span,
}

#[derive(Debug, Clone)]
pub struct Entity {
    pub name: String,
    /// Its protobuf number: the `id` it was given, else its 1-based place in the file.
    pub id: u32,
    pub description: String,
    pub parent: Option<EntityIdx>,
    /// Where `parent` is written.
    pub parent_span: Option<Span>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Permission {
    pub name: String,
    pub id: u32,
    pub description: String,
    /// The entity types it is checked against (every entity when the file names none).
    pub entities: Vec<EntityIdx>,
    pub group: Option<String>,
    pub deprecated: Deprecated,
    pub span: Span,
}

/// Whether and why a permission is deprecated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deprecated {
    No,
    Yes,
    Because(String),
}

impl Deprecated {
    /// Whether it is deprecated at all.
    pub fn is_deprecated(&self) -> bool {
        !matches!(self, Deprecated::No)
    }

    /// The reason, if one was given.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Deprecated::Because(r) => Some(r),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Role {
    pub name: String,
    pub id: u32,
    pub description: String,
    /// Direct grants, in file order.
    pub permissions: Vec<PermIdx>,
    /// Spans of the direct grants, parallel to `permissions`.
    pub permission_spans: Vec<Span>,
    pub includes: Vec<RoleIdx>,
    /// Where each of `includes` is written.
    pub include_spans: Vec<Span>,
    /// The entity types it may be assigned on (every entity when the file names none).
    pub assignable_on: Vec<EntityIdx>,
    /// Direct grants plus everything included, transitively.
    pub effective: PermSet,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct LegacyLevel {
    pub name: String,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Policy {
    pub name: String,
    /// Its stable id, the protobuf number.
    pub id: u32,
    pub description: String,
    pub entity: EntityIdx,
    pub rules: Vec<Rule>,
    pub span: Span,
}

/// A `[predicates.NAME]` declaration: what a custom predicate means, for the generated docs.
#[derive(Debug, Clone)]
pub struct PredicateDecl {
    pub name: String,
    pub description: String,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub kind: RuleKind,
    pub span: Span,
}

/// One rule of a policy (SPEC section 5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleKind {
    DenyIfLegacy(Vec<LevelIdx>),
    AllowIfLegacyAtLeast(LevelIdx),
    AllowIfPermission(Vec<PermIdx>),
    AllowIf(String),
    DenyIf(String),
}

impl RuleKind {
    /// The key that names this kind in roles.toml.
    pub const fn key(&self) -> &'static str {
        match self {
            RuleKind::DenyIfLegacy(_) => "deny_if_legacy",
            RuleKind::AllowIfLegacyAtLeast(_) => "allow_if_legacy_at_least",
            RuleKind::AllowIfPermission(_) => "allow_if_permission",
            RuleKind::AllowIf(_) => "allow_if",
            RuleKind::DenyIf(_) => "deny_if",
        }
    }

    /// Whether the rule allows when it fires (`deny_if_legacy` and `deny_if` deny).
    pub const fn allows(&self) -> bool {
        !matches!(self, RuleKind::DenyIfLegacy(_) | RuleKind::DenyIf(_))
    }

    /// Whether the rule belongs to the legacy rules: every kind but `allow_if_permission`, the
    /// one that consults the (new) permission service. A dark rollout decides by these alone.
    pub const fn is_legacy(&self) -> bool {
        !matches!(self, RuleKind::AllowIfPermission(_))
    }

    /// The custom predicate it asks about, if any.
    pub fn predicate(&self) -> Option<&str> {
        match self {
            RuleKind::AllowIf(p) | RuleKind::DenyIf(p) => Some(p),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Reserved {
    pub permission_ids: Vec<u32>,
    pub permission_names: Vec<String>,
    pub role_ids: Vec<u32>,
    pub role_names: Vec<String>,
    pub policy_ids: Vec<u32>,
    pub policy_names: Vec<String>,
    /// Protobuf numbers of removed entity types.
    pub entity_ids: Vec<u32>,
    pub entity_names: Vec<String>,
}

/// A `[[tests]]` entry, names resolved.
#[derive(Debug, Clone)]
pub struct TestCase {
    pub name: Option<String>,
    /// The `[[tests]]` header, where a failure is reported.
    pub span: Span,
    /// The roles held together (empty when the test places roles on entities instead).
    pub roles: Vec<RoleIdx>,
    /// `assign` and `path`: roles held on entities, and the entity asked about (SPEC section 7).
    pub placement: Option<Placement>,
    pub kind: TestKind,
}

/// Where a test's roles are held: assignments on entities, and the path from the entity the
/// test asks about up to its root (already checked to follow the entity parents).
#[derive(Debug, Clone)]
pub struct Placement {
    pub assignments: Vec<Assignment<String>>,
    pub path: Vec<(EntityIdx, String)>,
}

#[derive(Debug, Clone)]
pub enum TestKind {
    /// The roles held together allow these, deny those, and cover these roles.
    Access { allow: Vec<PermIdx>, deny: Vec<PermIdx>, covers: Vec<RoleIdx> },
    /// A policy decision.
    Policy { policy: PolicyIdx, legacy: Option<LevelIdx>, predicates: Vec<(String, bool)>, expect_allow: bool },
}

impl Model {
    /// The source's file name, for `@generated` headers (never an absolute path).
    pub fn source_name(&self) -> &str {
        &self.source_name
    }

    /// `[project]`: the name and the protobuf package.
    pub fn project(&self) -> &Project {
        &self.project
    }

    /// `[output]`: where and what to generate.
    pub fn output(&self) -> &OutputConfig {
        &self.output
    }

    /// The entity types, in file order.
    pub fn entities(&self) -> &[Entity] {
        &self.entities
    }

    /// The permissions, by id.
    pub fn permissions(&self) -> &[Permission] {
        &self.permissions
    }

    /// The roles, by id.
    pub fn roles(&self) -> &[Role] {
        &self.roles
    }

    /// The legacy levels, lowest first.
    pub fn legacy_levels(&self) -> &[LegacyLevel] {
        &self.legacy_levels
    }

    /// The policies, by id.
    pub fn policies(&self) -> &[Policy] {
        &self.policies
    }

    /// `[predicates.NAME]` declarations, in file order (predicates need not be declared).
    pub fn predicates(&self) -> &[PredicateDecl] {
        &self.predicates
    }

    /// `[reserved]`: ids and names never to be used again.
    pub fn reserved(&self) -> &Reserved {
        &self.reserved
    }

    /// `[review] allow`: the `diff` findings a reviewer accepted.
    pub fn review(&self) -> &[crate::review::Allowance] {
        &self.review
    }

    /// The `[[tests]]`, names resolved.
    pub fn tests(&self) -> &[TestCase] {
        &self.tests
    }

    /// An empty model with `self`'s project and output settings: the old side of a diff when
    /// roles.toml did not exist yet, so that everything shows as new and nothing as breaking.
    pub fn empty_like(&self) -> Model {
        Model {
            source_name: self.source_name.clone(),
            project: self.project.clone(),
            output: self.output.clone(),
            entities: Vec::new(),
            permissions: Vec::new(),
            roles: Vec::new(),
            legacy_levels: Vec::new(),
            policies: Vec::new(),
            predicates: Vec::new(),
            reserved: Reserved::default(),
            review: Vec::new(),
            tests: Vec::new(),
            lookup: Lookup::default(),
        }
    }

    /// The permissions with their indices, in output order.
    pub fn indexed_permissions(&self) -> impl Iterator<Item = (PermIdx, &Permission)> {
        self.permissions.iter().enumerate().map(|(i, p)| (PermIdx::new(i), p))
    }

    /// The roles with their indices, in output order.
    pub fn indexed_roles(&self) -> impl Iterator<Item = (RoleIdx, &Role)> {
        self.roles.iter().enumerate().map(|(i, r)| (RoleIdx::new(i), r))
    }

    /// The entities with their indices, in file order.
    pub fn indexed_entities(&self) -> impl Iterator<Item = (EntityIdx, &Entity)> {
        self.entities.iter().enumerate().map(|(i, e)| (EntityIdx::new(i), e))
    }

    /// The legacy levels with their indices, lowest first.
    pub fn indexed_levels(&self) -> impl Iterator<Item = (LevelIdx, &LegacyLevel)> {
        self.legacy_levels.iter().enumerate().map(|(i, l)| (LevelIdx::new(i), l))
    }

    /// The policies with their indices, in output order (by id).
    pub fn indexed_policies(&self) -> impl Iterator<Item = (PolicyIdx, &Policy)> {
        self.policies.iter().enumerate().map(|(i, p)| (PolicyIdx::new(i), p))
    }

    /// Looks a permission up by name.
    pub fn permission(&self, name: &str) -> Option<PermIdx> {
        self.lookup.permissions.get(name).copied()
    }

    /// Looks a role up by name.
    pub fn role(&self, name: &str) -> Option<RoleIdx> {
        self.lookup.roles.get(name).copied()
    }

    /// Looks an entity up by name.
    pub fn entity(&self, name: &str) -> Option<EntityIdx> {
        self.lookup.entities.get(name).copied()
    }

    /// Looks a policy up by name.
    pub fn policy(&self, name: &str) -> Option<PolicyIdx> {
        self.lookup.policies.get(name).copied()
    }

    /// Whether entity `e` is `ancestor` or lies below it.
    pub fn is_within(&self, mut e: EntityIdx, ancestor: EntityIdx) -> bool {
        loop {
            if e == ancestor {
                return true;
            }
            match self.entities[e].parent {
                Some(p) => e = p,
                None => return false,
            }
        }
    }

    /// The union of the effective permissions of `roles`.
    pub fn effective_of(&self, roles: &[RoleIdx]) -> PermSet {
        let mut set = PermSet::with_capacity(self.permissions.len());
        for &r in roles {
            set.union_with(&self.roles[r].effective);
        }
        set
    }

    /// Every role after the roles it includes (a role's effective permissions can be built in
    /// this order from its direct grants and its includes' sets).
    pub fn include_order(&self) -> Vec<RoleIdx> {
        graph::post_order(&self.include_graph()).into_iter().map(RoleIdx::new).collect()
    }

    /// Each role's includes as positions, for the graph algorithms.
    pub(crate) fn include_graph(&self) -> Vec<Vec<usize>> {
        self.roles.iter().map(|r| r.includes.iter().map(|i| i.get()).collect()).collect()
    }

    /// Each entity's parent as a position, for the graph algorithms.
    pub(crate) fn parent_graph(&self) -> Vec<Vec<usize>> {
        self.entities.iter().map(|e| e.parent.iter().map(|p| p.get()).collect()).collect()
    }

    /// Fills in every role's effective permissions (each role after the roles it includes) and
    /// the name maps. On an include cycle the effective sets are partial; validation then runs
    /// no check that reads them.
    pub(crate) fn finish(mut self) -> Model {
        self.lookup = Lookup::of(&self);
        for r in graph::post_order(&self.include_graph()).into_iter().map(RoleIdx::new) {
            let mut set = PermSet::with_capacity(self.permissions.len());
            for &p in &self.roles[r].permissions {
                set.insert(p);
            }
            for &i in &self.roles[r].includes {
                set.union_with(&self.roles[i].effective);
            }
            self.roles[r].effective = set;
        }
        self
    }
}
