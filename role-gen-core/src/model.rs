//! Stage 3: the validated model. No serde, no toml: what every renderer, the CLI's questions
//! and the derive macro work from. Items are in output order (permissions and roles by id,
//! entities and legacy levels in file order); references are indices into those lists.

use crate::graph;
use crate::source::Span;

/// Index of an entity in [`Model::entities`].
pub type EntityIdx = usize;
/// Index of a permission in [`Model::permissions`] (its bit in a [`PermSet`]).
pub type PermIdx = usize;
/// Index of a role in [`Model::roles`].
pub type RoleIdx = usize;
/// Index of a legacy level in [`Model::legacy_levels`] (higher is more privileged).
pub type LevelIdx = usize;

/// A validated roles.toml.
#[derive(Debug, Clone)]
pub struct Model {
    /// The source's file name, for `@generated` headers (never an absolute path).
    pub source_name: String,
    pub project: Project,
    pub output: OutputConfig,
    pub entities: Vec<Entity>,
    pub permissions: Vec<Permission>,
    pub roles: Vec<Role>,
    pub legacy_levels: Vec<LegacyLevel>,
    pub policies: Vec<Policy>,
    /// `[predicates.NAME]` declarations, in file order (predicates need not be declared).
    pub predicates: Vec<PredicateDecl>,
    pub reserved: Reserved,
    pub tests: Vec<TestCase>,
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
}

impl Target {
    /// Every built-in target, in the order outputs are listed.
    pub const ALL: [Target; 5] = [Target::Rust, Target::TypeScript, Target::Proto, Target::Json, Target::Markdown];

    /// The name used in `targets = […]` and `--target`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Target::Rust => "rust",
            Target::TypeScript => "typescript",
            Target::Proto => "proto",
            Target::Json => "json",
            Target::Markdown => "markdown",
        }
    }

    /// Parses a target name.
    pub fn from_name(name: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.as_str() == name)
    }

    /// Where the target writes, under the output folder.
    pub fn path(self, proto_package: &str) -> String {
        match self {
            Target::Rust => "roles.rs".into(),
            Target::TypeScript => "roles.ts".into(),
            Target::Proto => format!("proto/{}/roles.proto", proto_package.replace('.', "/")),
            Target::Json => "roles.json".into(),
            Target::Markdown => "ROLES.md".into(),
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
}

/// A `[[tests]]` entry, names resolved.
#[derive(Debug, Clone)]
pub struct TestCase {
    pub name: Option<String>,
    /// The `[[tests]]` header, where a failure is reported.
    pub span: Span,
    pub roles: Vec<RoleIdx>,
    pub kind: TestKind,
}

#[derive(Debug, Clone)]
pub enum TestKind {
    /// The roles held together allow these, deny those, and cover these roles.
    Access { allow: Vec<PermIdx>, deny: Vec<PermIdx>, covers: Vec<RoleIdx> },
    /// A policy decision.
    Policy { policy: usize, legacy: Option<LevelIdx>, predicates: Vec<(String, bool)>, expect_allow: bool },
}

/// A set of permissions, one bit per permission index.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct PermSet {
    words: Vec<u64>,
}

impl PermSet {
    /// The empty set sized for `n` permissions.
    pub fn with_capacity(n: usize) -> Self {
        PermSet { words: vec![0; n.div_ceil(64)] }
    }

    /// Adds a permission.
    pub fn insert(&mut self, p: PermIdx) {
        self.words[p / 64] |= 1 << (p % 64);
    }

    /// Whether it holds `p`.
    pub fn contains(&self, p: PermIdx) -> bool {
        self.words.get(p / 64).is_some_and(|w| w & (1 << (p % 64)) != 0)
    }

    /// Adds every permission of `other`.
    pub fn union_with(&mut self, other: &PermSet) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a |= b;
        }
    }

    /// Whether every permission of `other` is in `self`.
    pub fn is_superset(&self, other: &PermSet) -> bool {
        self.words.iter().zip(&other.words).all(|(a, b)| a & b == *b)
    }

    /// The permission indices, ascending (that is, by id).
    pub fn iter(&self) -> impl Iterator<Item = PermIdx> + '_ {
        self.words.iter().enumerate().flat_map(|(i, &w)| SetBits(w).map(move |b| i * 64 + b))
    }

    /// How many it holds.
    pub fn len(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|&w| w == 0)
    }

    /// The raw words, least significant bit = lowest permission index.
    pub fn words(&self) -> &[u64] {
        &self.words
    }
}

/// The positions of a word's set bits, lowest first (one step per set bit, not per bit).
struct SetBits(u64);

impl Iterator for SetBits {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        if self.0 == 0 {
            return None;
        }
        let bit = self.0.trailing_zeros() as usize;
        self.0 &= self.0 - 1;
        Some(bit)
    }
}

impl Model {
    /// Looks a permission up by name.
    pub fn permission(&self, name: &str) -> Option<PermIdx> {
        self.permissions.iter().position(|p| p.name == name)
    }

    /// Looks a role up by name.
    pub fn role(&self, name: &str) -> Option<RoleIdx> {
        self.roles.iter().position(|r| r.name == name)
    }

    /// Looks an entity up by name.
    pub fn entity(&self, name: &str) -> Option<EntityIdx> {
        self.entities.iter().position(|e| e.name == name)
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

    /// The shortest include chain from `role` to a role granting `perm` directly, both ends
    /// included; ties broken by id (SPEC section 3, `explain` and `who-can`).
    pub fn via(&self, role: RoleIdx, perm: PermIdx) -> Option<Vec<RoleIdx>> {
        self.chains(role).to(perm)
    }

    /// Every include chain of `role`, from one walk: ask it for many permissions at once.
    pub fn chains(&self, role: RoleIdx) -> Chains<'_> {
        let includes: Vec<Vec<usize>> = self.roles.iter().map(|r| r.includes.clone()).collect();
        Chains { model: self, walk: graph::Walk::from(&includes, role) }
    }

    /// Fills in every role's effective permissions, each role after the roles it includes.
    /// Called once the model is known to be valid (the include graph is acyclic).
    pub(crate) fn finish(mut self) -> Model {
        let includes: Vec<Vec<usize>> = self.roles.iter().map(|r| r.includes.clone()).collect();
        for r in graph::post_order(&includes) {
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

/// The include chains of one role (see [`Model::chains`]).
#[derive(Debug, Clone)]
pub struct Chains<'a> {
    model: &'a Model,
    walk: graph::Walk,
}

impl Chains<'_> {
    /// The chain from the role to the first role (in walk order) that grants `perm` directly,
    /// both ends included: the shortest, ties broken by id. `None` when the role lacks it.
    pub fn to(&self, perm: PermIdx) -> Option<Vec<RoleIdx>> {
        let granter = self.walk.order.iter().find(|&&r| self.model.roles[r].permissions.contains(&perm))?;
        Some(self.walk.path_to(*granter))
    }
}

/// What a policy evaluation knows about the actor (SPEC section 5).
#[derive(Clone, Copy)]
pub struct Facts<'a> {
    /// The actor's legacy level, if it has one.
    pub legacy: Option<LevelIdx>,
    /// The permissions the actor holds on the entity (through roles assigned on it or above).
    pub permissions: &'a PermSet,
    /// The application's custom predicates, by name.
    pub predicate: &'a dyn Fn(&str) -> bool,
}

impl std::fmt::Debug for Facts<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Facts")
            .field("legacy", &self.legacy)
            .field("permissions", &self.permissions)
            .finish_non_exhaustive()
    }
}

/// The name of the "rule" that decides when none fires (the answer is then deny).
pub const DEFAULT_DENY: &str = "default deny";

/// A policy's answer and the rule that gave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// Whether the action is allowed.
    pub allow: bool,
    /// The index of the rule that fired; `None` when none did (and the answer is deny).
    pub rule: Option<usize>,
}

/// How a policy is rolled out (the seed's dark and light modes), chosen at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RolloutMode {
    /// The legacy rules alone decide ([`Policy::evaluate_legacy`]); the full policy is
    /// evaluated beside them and every disagreement is reported.
    Dark,
    /// The full policy decides ([`Policy::evaluate`]); nothing else is evaluated.
    Light,
}

/// What a rollout decided, and the disagreement a dark rollout found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rollout {
    /// The decision to act on.
    pub decision: Decision,
    /// In dark mode, when the legacy rules and the full policy disagree on allow/deny:
    /// `(legacy, full)`. Always `None` in light mode.
    pub disagreement: Option<(Decision, Decision)>,
}

impl Rule {
    /// What this rule decides for `facts`: `Some(allow)` when it fires, `None` when it passes.
    pub fn decide(&self, facts: &Facts<'_>) -> Option<bool> {
        let fires = match &self.kind {
            RuleKind::DenyIfLegacy(levels) => facts.legacy.is_some_and(|l| levels.contains(&l)),
            RuleKind::AllowIfLegacyAtLeast(level) => facts.legacy.is_some_and(|l| l >= *level),
            RuleKind::AllowIfPermission(perms) => perms.iter().any(|&p| facts.permissions.contains(p)),
            RuleKind::AllowIf(name) | RuleKind::DenyIf(name) => (facts.predicate)(name),
        };
        fires.then_some(self.kind.allows())
    }
}

impl Policy {
    /// Runs the rules in order; the first that fires decides; none firing means deny.
    pub fn evaluate(&self, facts: &Facts<'_>) -> Decision {
        self.evaluate_where(facts, |_| true)
    }

    /// The legacy rules alone: [`Policy::evaluate`] with every `allow_if_permission` rule
    /// skipped. Rule indices still count every rule.
    pub fn evaluate_legacy(&self, facts: &Facts<'_>) -> Decision {
        self.evaluate_where(facts, RuleKind::is_legacy)
    }

    fn evaluate_where(&self, facts: &Facts<'_>, runs: impl Fn(&RuleKind) -> bool) -> Decision {
        self.rules
            .iter()
            .enumerate()
            .filter(|(_, rule)| runs(&rule.kind))
            .find_map(|(i, rule)| rule.decide(facts).map(|allow| Decision { allow, rule: Some(i) }))
            .unwrap_or(Decision { allow: false, rule: None })
    }

    /// Dark mode: the legacy rules decide, and a different allow/deny from the full policy is
    /// the disagreement. Light mode: the full policy decides.
    pub fn rollout(&self, mode: RolloutMode, facts: &Facts<'_>) -> Rollout {
        match mode {
            RolloutMode::Light => Rollout { decision: self.evaluate(facts), disagreement: None },
            RolloutMode::Dark => {
                let legacy = self.evaluate_legacy(facts);
                let full = self.evaluate(facts);
                Rollout { decision: legacy, disagreement: (legacy.allow != full.allow).then_some((legacy, full)) }
            }
        }
    }

    /// The custom predicates its rules ask about, in rule order, each once.
    pub fn predicates(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for p in self.rules.iter().filter_map(|r| r.kind.predicate()) {
            if !names.contains(&p) {
                names.push(p);
            }
        }
        names
    }

    /// Whether any rule reads the actor's legacy level (a `deny_if_legacy = []` reads nothing).
    pub fn uses_legacy(&self) -> bool {
        self.rules.iter().any(|r| match &r.kind {
            RuleKind::DenyIfLegacy(levels) => !levels.is_empty(),
            RuleKind::AllowIfLegacyAtLeast(_) => true,
            _ => false,
        })
    }

    /// Whether any rule asks about a permission (an `allow_if_permission = []` asks nothing).
    pub fn uses_permissions(&self) -> bool {
        self.rules.iter().any(|r| matches!(&r.kind, RuleKind::AllowIfPermission(ps) if !ps.is_empty()))
    }
}

impl Model {
    /// A rule as audit logs and reports name it: its kind and its operand, e.g.
    /// `deny_if_legacy [guest]`, `allow_if_legacy_at_least admin`,
    /// `allow_if_permission [archive_channel]`, `allow_if actor_created_channel`.
    pub fn rule_name(&self, kind: &RuleKind) -> String {
        let list = |names: Vec<&str>| format!("[{}]", names.join(", "));
        let operand = match kind {
            RuleKind::DenyIfLegacy(levels) => {
                list(levels.iter().map(|&l| self.legacy_levels[l].name.as_str()).collect())
            }
            RuleKind::AllowIfLegacyAtLeast(l) => self.legacy_levels[*l].name.clone(),
            RuleKind::AllowIfPermission(ps) => list(ps.iter().map(|&p| self.permissions[p].name.as_str()).collect()),
            RuleKind::AllowIf(p) | RuleKind::DenyIf(p) => p.clone(),
        };
        format!("{} {operand}", kind.key())
    }

    /// The name of what decided: the rule's name, or [`DEFAULT_DENY`] when none fired.
    pub fn decided_by(&self, policy: &Policy, decision: Decision) -> String {
        decision.rule.map_or_else(|| DEFAULT_DENY.to_string(), |i| self.rule_name(&policy.rules[i].kind))
    }

    /// Every custom predicate some policy asks about, in order of first use.
    pub fn used_predicates(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for p in self.policies.iter().flat_map(|p| p.rules.iter().filter_map(|r| r.kind.predicate())) {
            if !names.contains(&p) {
                names.push(p);
            }
        }
        names
    }

    /// The description a `[predicates.NAME]` declaration gives, if any.
    pub fn predicate_description(&self, name: &str) -> Option<&str> {
        self.predicates.iter().find(|p| p.name == name).map(|p| p.description.as_str())
    }

    /// The policies asking about a predicate, each with the indices of the rules that do.
    pub fn predicate_uses(&self, name: &str) -> Vec<(usize, Vec<usize>)> {
        self.policies
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let rules = p.rules.iter().enumerate().filter(|(_, r)| r.kind.predicate() == Some(name));
                (i, rules.map(|(j, _)| j).collect::<Vec<_>>())
            })
            .filter(|(_, rules)| !rules.is_empty())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slack() -> Model {
        let text = include_str!("../../definitions/slack/roles.toml");
        match crate::validate_text("roles.toml", text) {
            Ok(project) => project.model().clone(),
            Err(d) => panic!("{d}"),
        }
    }

    #[test]
    fn rollout_dark_decides_by_the_legacy_rules_and_reports_disagreements() {
        let model = slack();
        let archive = &model.policies[0];
        let member = model.legacy_levels.iter().position(|l| l.name == "member");
        let held = model.effective_of(&[model.role("channels_admin").unwrap_or(0)]);
        let no = |_: &str| false;
        let facts = Facts { legacy: member, permissions: &held, predicate: &no };

        let full = Decision { allow: true, rule: Some(2) };
        let legacy = Decision { allow: false, rule: None };
        assert_eq!(archive.evaluate(&facts), full);
        assert_eq!(archive.evaluate_legacy(&facts), legacy);
        assert_eq!(
            archive.rollout(RolloutMode::Dark, &facts),
            Rollout { decision: legacy, disagreement: Some((legacy, full)) }
        );
        assert_eq!(archive.rollout(RolloutMode::Light, &facts), Rollout { decision: full, disagreement: None });
        assert_eq!(model.decided_by(archive, full), "allow_if_permission [archive_channel]");
        assert_eq!(model.decided_by(archive, legacy), DEFAULT_DENY);

        // Where the legacy rules already decide, both modes agree and nothing is reported.
        let admin = model.legacy_levels.iter().position(|l| l.name == "admin");
        let facts = Facts { legacy: admin, ..facts };
        assert_eq!(archive.rollout(RolloutMode::Dark, &facts).disagreement, None);
        assert_eq!(archive.rollout(RolloutMode::Dark, &facts).decision, Decision { allow: true, rule: Some(1) });
    }

    #[test]
    fn rule_names_read_like_the_file() {
        let model = slack();
        let names: Vec<String> = model.policies[2].rules.iter().map(|r| model.rule_name(&r.kind)).collect();
        assert_eq!(
            names,
            [
                "deny_if_legacy [guest]",
                "deny_if channel_is_general",
                "allow_if_legacy_at_least admin",
                "allow_if_permission [convert_channel_to_private]"
            ]
        );
    }
}
