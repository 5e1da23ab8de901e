//! Policy semantics (SPEC section 5): the facts an evaluation knows, how ordered rules decide,
//! rollouts, and the names rules are shown by.

use super::*;

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

    /// Whether some policy reads the actor's legacy level: then the facts have a legacy level.
    pub fn policies_use_legacy(&self) -> bool {
        self.policies.iter().any(Policy::uses_legacy)
    }

    /// Whether some policy asks about a permission: then the facts answer for permissions.
    pub fn policies_use_permissions(&self) -> bool {
        self.policies.iter().any(Policy::uses_permissions)
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
        let text = include_str!("../../../definitions/slack/roles.toml");
        match crate::validate_text("roles.toml", text) {
            Ok(project) => project.model().clone(),
            Err(d) => panic!("{d}"),
        }
    }

    #[test]
    fn rollout_dark_decides_by_the_legacy_rules_and_reports_disagreements() {
        let model = slack();
        let archive = &model.policies[0];
        let member = model.legacy_levels.iter().position(|l| l.name == "member").map(LevelIdx::new);
        let held = model.effective_of(&[model.role("channels_admin").unwrap_or(RoleIdx::new(0))]);
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
        let admin = model.legacy_levels.iter().position(|l| l.name == "admin").map(LevelIdx::new);
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
