//! The names the relation engines take (SPEC section 8), checked only when their target is on:
//! `openfga` and `spicedb` turn each entity type into a type / definition, each role, permission
//! and policy into a relation of the types it is on, each predicate into a parameter of a CEL
//! condition / caveat, and each id of a `[[tests]]` entry with entities into an object id.
//!
//! - `engine-name`: a name or id the engine refuses (a keyword of its language, too short, too
//!   long, a character its ids do not take). Each rule is what the pinned engine itself refused
//!   when tried (tests/engines_*.rs run it);
//! - `identifier-collision`: two names that become one relation of one type (a role and a
//!   permission of one name assignable / checked there, or one of them named `parent` on a type
//!   with a parent), an entity named `user` (the subjects' type), a predicate named `legacy` in
//!   a policy that reads the legacy level (both are context parameters).
//!
//! Helper relations (`__held`, `__context`, `__reaches_<n>`, `role_gen__policies`) hold `__`,
//! which no roles.toml name does: they never collide.

use std::collections::HashMap;

use crate::diagnostic::{Code, Diagnostic};
use crate::model::{EntityIdx, Model, Target};
use crate::names;
use crate::source::Span;
use crate::trust::Trust;

/// What one engine takes.
struct Engine {
    target: Target,
    name: &'static str,
    /// Words its schema language keeps: no type or relation may be one.
    keywords: &'static [&'static str],
    /// Type and relation names hold at least this many characters.
    min_len: usize,
    /// Relation names hold at most this many characters.
    max_relation: usize,
    /// Words CEL keeps (reserved words, type names): no condition parameter may be one.
    cel_reserved: &'static [&'static str],
    /// Whether it takes `id` as an object id of a type named `entity`.
    takes_id: fn(&str, &str) -> bool,
    /// What its object ids may hold, for the help.
    ids: &'static str,
}

const OPENFGA: Engine = Engine {
    target: Target::OpenFga,
    name: "OpenFGA",
    keywords: &[
        "and",
        "condition",
        "define",
        "false",
        "from",
        "in",
        "null",
        "or",
        "relations",
        "self",
        "this",
        "true",
        "with",
    ],
    min_len: 1,
    max_relation: 50,
    cel_reserved: &[
        "as",
        "bool",
        "break",
        "const",
        "continue",
        "double",
        "duration",
        "else",
        "for",
        "function",
        "if",
        "import",
        "in",
        "int",
        "ipaddress",
        "let",
        "list",
        "loop",
        "map",
        "namespace",
        "null",
        "package",
        "return",
        "string",
        "timestamp",
        "uint",
        "var",
        "void",
        "while",
    ],
    takes_id: openfga_id,
    ids: "no whitespace, `#` or `:`, not `*`, and `type:id` at most 256 characters",
};

const SPICEDB: Engine = Engine {
    target: Target::SpiceDb,
    name: "SpiceDB",
    keywords: &["caveat", "definition", "nil", "permission", "relation", "with"],
    min_len: 3,
    max_relation: 64,
    cel_reserved: &[
        "as",
        "bool",
        "break",
        "bytes",
        "const",
        "continue",
        "double",
        "else",
        "false",
        "for",
        "function",
        "if",
        "import",
        "in",
        "int",
        "let",
        "list",
        "loop",
        "map",
        "namespace",
        "null",
        "null_type",
        "package",
        "return",
        "string",
        "true",
        "type",
        "uint",
        "var",
        "void",
        "while",
    ],
    takes_id: spicedb_id,
    ids: "ASCII letters, digits and `/_|-=+` only, at most 1000 characters",
};

fn openfga_id(entity: &str, id: &str) -> bool {
    !id.is_empty()
        && id != "*"
        && !id.chars().any(|c| c.is_whitespace() || c == '#' || c == ':')
        && entity.chars().count() + 1 + id.chars().count() <= 256
}

/// SpiceDB's `[a-zA-Z0-9/_|\-=+]{1,1024}`, with room for the `t<n>-` prefix its validation
/// file may give a test's ids.
fn spicedb_id(_: &str, id: &str) -> bool {
    !id.is_empty() && id.len() <= 1000 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"/_|-=+".contains(&b))
}

/// The relation to the parent type, and the subjects' type.
const PARENT: &str = "parent";
const SUBJECT: &str = "user";
/// The context parameter of the legacy level.
const LEGACY: &str = "legacy";

/// Every rule of this module for the engine targets among `targets`, on what `trust` vouches
/// for (everything in a valid file).
pub(crate) fn run(model: &Model, targets: &[Target], trust: &Trust, diags: &mut Vec<Diagnostic>) {
    // The names the language targets take are checked at the same points (`check::go`).
    super::go::run(model, targets, trust, diags);
    let on: Vec<&Engine> = [&OPENFGA, &SPICEDB].into_iter().filter(|e| targets.contains(&e.target)).collect();
    if on.is_empty() {
        return;
    }
    // The relations are the same in both engines: a collision is reported once.
    let engines = On(on.iter().map(|e| e.name).collect(), on.iter().map(|e| e.target.as_str()).collect());
    entity_is_not_the_subject(model, &engines, diags);
    for engine in &on {
        entity_names(model, engine, diags);
        if trust.access() {
            relation_names(model, engine, diags);
            test_ids(model, engine, diags);
        }
        predicate_names(model, engine, trust, diags);
    }
    if trust.access() {
        one_relation_per_name(model, &engines, diags);
    }
    legacy_is_not_a_predicate(model, &engines, trust, diags);
}

/// The engines whose targets are on: their names (`OpenFGA and SpiceDB`) and targets.
struct On(Vec<&'static str>, Vec<&'static str>);

impl On {
    fn names(&self) -> String {
        self.0.join(" and ")
    }

    /// `(the `openfga` target is on)`.
    fn why(&self) -> String {
        let targets: Vec<String> = self.1.iter().map(|t| format!("`{t}`")).collect();
        match targets.as_slice() {
            [one] => format!("the {one} target is on"),
            many => format!("the {} targets are on", many.join(" and ")),
        }
    }
}

/// The errors `targets` would meet on a valid model: what `generate --target openfga` checks
/// when `[output] targets` did not name the target.
pub fn target_rules(model: &Model, targets: &[Target]) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    run(model, targets, &Trust::everything(), &mut diags);
    diags
}

/// What is wrong with `name` as a type or relation name of `engine`, if anything.
fn name_problem(engine: &Engine, name: &str, max: usize) -> Option<(String, String)> {
    if !names::is_valid_name(name) {
        return None; // `invalid-name` already says so
    }
    let e = engine.name;
    if engine.keywords.contains(&name) {
        let all = engine.keywords.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
        return Some((format!("a keyword of {e}'s schema language"), format!("{e} keeps {all}; choose another name")));
    }
    if name.len() < engine.min_len {
        let help = format!("{e} names have at least {} characters; choose a longer name", engine.min_len);
        return Some((format!("too short for {e}"), help));
    }
    (name.len() > max).then(|| {
        let help =
            format!("{e} relation names have at most {max} characters (this one has {}); shorten it", name.len());
        (format!("too long for {e}"), help)
    })
}

fn engine_name(engine: &Engine, kind: &str, name: &str, span: Span, (label, help): (String, String)) -> Diagnostic {
    Diagnostic::new(
        Code::EngineName,
        span,
        format!("{kind} `{name}` cannot be a name in the `{}` target: {label}", engine.target.as_str()),
    )
    .label(label)
    .help(help)
}

// Rule: no entity type is named `user`, the subjects' type.
fn entity_is_not_the_subject(model: &Model, on: &On, diags: &mut Vec<Diagnostic>) {
    for entity in model.entities.iter().filter(|e| e.name == SUBJECT) {
        diags.push(
            Diagnostic::new(
                Code::IdentifierCollision,
                entity.span.clone(),
                format!("entity `user` collides with the subject type `user` of {}", on.names()),
            )
            .label("also the type of the users who hold roles")
            .help(format!("rename the entity type ({})", on.why())),
        );
    }
}

// Rule: an entity type's name is a type name the engine takes.
fn entity_names(model: &Model, engine: &Engine, diags: &mut Vec<Diagnostic>) {
    for entity in model.entities.iter().filter(|e| e.name != SUBJECT) {
        if let Some(problem) = name_problem(engine, &entity.name, usize::MAX) {
            diags.push(engine_name(engine, "entity", &entity.name, entity.span.clone(), problem));
        }
    }
}

/// Every relation a user's name becomes: (kind, name, where it is written, the types it is on).
fn relations(model: &Model) -> Vec<Named<'_>> {
    let mut out: Vec<Named<'_>> = Vec::new();
    out.extend(model.roles.iter().map(|r| ("role", r.name.as_str(), &r.span, r.assignable_on.clone())));
    out.extend(model.permissions.iter().map(|p| ("permission", p.name.as_str(), &p.span, p.entities.clone())));
    out.extend(model.policies.iter().map(|p| ("policy", p.name.as_str(), &p.span, vec![p.entity])));
    out.retain(|(_, _, _, on)| !on.is_empty());
    out
}

// Rule: a role, permission or policy on some type is a relation name the engine takes.
fn relation_names(model: &Model, engine: &Engine, diags: &mut Vec<Diagnostic>) {
    for (kind, name, span, _) in relations(model) {
        if let Some(problem) = name_problem(engine, name, engine.max_relation) {
            diags.push(engine_name(engine, kind, name, span.clone(), problem));
        }
    }
}

// Rule: on each type, the roles assignable there, the permissions checked there, the policies
// on it and `parent` (when it has a parent) are distinct relations. Each pair is reported once,
// at the one written later, with every type they meet on.
fn one_relation_per_name(model: &Model, on: &On, diags: &mut Vec<Diagnostic>) {
    let mut relations = relations(model);
    relations.sort_by_key(|(_, _, span, _)| span.start);
    let mut met: Vec<(Meeting, Vec<&str>)> = Vec::new();
    for (e, entity) in model.indexed_entities() {
        let mut seen: HashMap<&str, Option<usize>> = HashMap::new();
        if entity.parent.is_some() {
            seen.insert(PARENT, None);
        }
        for (i, (_, name, _, on)) in relations.iter().enumerate() {
            if !on.contains(&e) {
                continue;
            }
            match seen.get(name) {
                Some(&first) => match met.iter_mut().find(|(key, _)| *key == (i, first)) {
                    Some((_, types)) => types.push(&entity.name),
                    None => met.push(((i, first), vec![&entity.name])),
                },
                None => {
                    seen.insert(name, Some(i));
                }
            }
        }
    }
    for ((i, first), types) in met {
        diags.push(collision(on, &relations[i], first.map(|f| &relations[f]), &types));
    }
}

/// Two relations of one name: the later one, and the earlier one (`None`: `parent`).
type Meeting = (usize, Option<usize>);

type Named<'m> = (&'static str, &'m str, &'m Span, Vec<EntityIdx>);

fn collision(on: &On, (kind, name, span, _): &Named<'_>, first: Option<&Named<'_>>, types: &[&str]) -> Diagnostic {
    let other = match first {
        Some((first_kind, ..)) => format!("the {first_kind} `{name}`"),
        None => "the relation to the parent entity".to_string(),
    };
    let types: Vec<String> = types.iter().map(|t| format!("`{t}`")).collect();
    let found = Diagnostic::new(
        Code::IdentifierCollision,
        (*span).clone(),
        format!("{kind} `{name}` and {other} are one relation of {} in {}", types.join(", "), on.names()),
    )
    .label(format!("also a relation of {}", types.join(", ")))
    .help(format!(
        "each role, permission and policy is a relation of the types it is on ({}): rename one of them",
        on.why()
    ));
    match first {
        Some((first_kind, _, first_span, _)) => found.related((*first_span).clone(), format!("the {first_kind}")),
        None => found,
    }
}

// Rule: the ids of the `[[tests]]` with entities are object ids the engine takes.
fn test_ids(model: &Model, engine: &Engine, diags: &mut Vec<Diagnostic>) {
    for test in &model.tests {
        let Some(placement) = &test.placement else { continue };
        let ids = placement
            .assignments
            .iter()
            .map(|a| (a.entity, &a.id))
            .chain(placement.path.iter().map(|(e, id)| (*e, id)));
        let mut bad: Vec<&str> = Vec::new();
        for (e, id) in ids {
            if !(engine.takes_id)(&model.entities[e].name, id) && !bad.contains(&id.as_str()) {
                bad.push(id);
            }
        }
        if let Some(first) = bad.first() {
            diags.push(
                Diagnostic::new(
                    Code::EngineName,
                    test.span.clone(),
                    format!("this test's id `{first}` cannot be an object id in {}", engine.name),
                )
                .label(format!("{} of its ids are not {} object ids", bad.len(), engine.name))
                .help(format!(
                    "the `{}` target writes this test's tuples; {} object ids take {}",
                    engine.target.as_str(),
                    engine.name,
                    engine.ids
                )),
            );
        }
    }
}

// Rule: a predicate is a CEL parameter the engine takes.
fn predicate_names(model: &Model, engine: &Engine, trust: &Trust, diags: &mut Vec<Diagnostic>) {
    let mut reported: Vec<&str> = Vec::new();
    for policy in model.policies.iter().filter(|p| trust.policy(&p.name)) {
        for rule in &policy.rules {
            let Some(p) = rule.kind.predicate() else { continue };
            if engine.cel_reserved.contains(&p) && !reported.contains(&p) {
                reported.push(p);
                let label = format!("reserved in CEL, the language of {}'s conditions", engine.name);
                let help = format!("rename the predicate (the `{}` target is on)", engine.target.as_str());
                diags.push(engine_name(engine, "predicate", p, rule.span.clone(), (label, help)));
            }
        }
    }
}

// Rule: no predicate is named `legacy` in a policy that reads the legacy level (the level is
// the context parameter `legacy`).
fn legacy_is_not_a_predicate(model: &Model, on: &On, trust: &Trust, diags: &mut Vec<Diagnostic>) {
    for policy in model.policies.iter().filter(|p| trust.policy(&p.name) && p.uses_legacy()) {
        let Some(rule) = policy.rules.iter().find(|r| r.kind.predicate() == Some(LEGACY)) else { continue };
        diags.push(
            Diagnostic::new(
                Code::IdentifierCollision,
                rule.span.clone(),
                format!("predicate `legacy` collides with the legacy level in policy `{}`'s context", policy.name),
            )
            .label("both are the context parameter `legacy`")
            .help(format!("rename the predicate ({})", on.why())),
        );
    }
}

#[cfg(test)]
mod tests {
    /// The (code, message) of every error of `text`, with `[output] targets` set to `targets`.
    fn errors(targets: &str, body: &str) -> Vec<(String, String)> {
        let text = format!("[project]\nname = \"x\"\n[output]\ntargets = [{targets}]\n{body}");
        match crate::validate_text("roles.toml", &text) {
            Ok(_) => Vec::new(),
            Err(d) => d
                .iter()
                .filter(|f| f.severity() == crate::Severity::Error)
                .map(|f| (f.code.as_str().to_string(), f.message.clone()))
                .collect(),
        }
    }

    const TREE: &str = "[entities.org]\ndescription = \"O\"\n[entities.team]\ndescription = \"T\"\nparent = \"org\"\n";

    fn role(name: &str, on: &str) -> String {
        format!("[roles.{name}]\nid = {}\ndescription = \"R\"\nassignable_on = [{on}]\n", name.len())
    }

    fn permission(name: &str, on: &str) -> String {
        format!("[permissions.{name}]\nid = {}\ndescription = \"P\"\nentities = [{on}]\n", name.len())
    }

    #[test]
    fn a_role_and_a_permission_of_one_name_collide_only_on_one_type_and_only_when_an_engine_is_on() {
        let same = format!("{TREE}{}{}", permission("audit", "\"team\""), role("audit", "\"team\", \"org\""));
        let found = errors("\"openfga\", \"spicedb\"", &same);
        assert_eq!(
            found,
            [(
                "identifier-collision".into(),
                "role `audit` and the permission `audit` are one relation of `team` in OpenFGA and SpiceDB".into()
            )]
        );
        assert_eq!(errors("\"rust\"", &same), []);
        let apart = format!("{TREE}{}{}", permission("audit", "\"team\""), role("audit", "\"org\""));
        assert_eq!(errors("\"openfga\"", &apart), []);
    }

    #[test]
    fn parent_is_taken_only_on_types_with_a_parent() {
        assert_eq!(errors("\"spicedb\"", &format!("{TREE}{}", role("parent", "\"org\""))), []);
        let found = errors("\"spicedb\"", &format!("{TREE}{}", role("parent", "\"team\"")));
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].1.contains("the relation to the parent entity"), "{found:?}");
    }

    #[test]
    fn each_engine_refuses_its_own_names() {
        let body = |name: &str| format!("{TREE}{}", role(name, "\"org\""));
        // OpenFGA: DSL keywords, relation names up to 50 characters; SpiceDB: at least 3.
        assert_eq!(errors("\"openfga\"", &body("define"))[0].0, "engine-name");
        assert_eq!(errors("\"spicedb\"", &body("define")), []);
        assert_eq!(errors("\"spicedb\"", &body("caveat"))[0].0, "engine-name");
        assert_eq!(errors("\"openfga\"", &body("caveat")), []);
        assert_eq!(errors("\"spicedb\"", &body("ab"))[0].0, "engine-name");
        assert_eq!(errors("\"openfga\"", &body("ab")), []);
        let fifty = "a".repeat(50);
        assert_eq!(errors("\"openfga\"", &body(&fifty)), []);
        assert_eq!(errors("\"openfga\"", &body(&format!("{fifty}b")))[0].0, "engine-name");
        assert_eq!(errors("\"spicedb\"", &body(&format!("{fifty}b"))), []);
    }

    #[test]
    fn an_entity_named_user_collides_with_the_subjects() {
        let found = errors("\"openfga\"", "[entities.user]\ndescription = \"U\"\n");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "identifier-collision");
    }

    #[test]
    fn predicates_are_cel_parameters() {
        let policy = |rules: &str| {
            format!(
                "{TREE}[legacy]\nlevels = [\"a\", \"b\"]\n[policies.ppp]\nid = 1\ndescription = \"P\"\nentity = \"org\"\n\
                 rules = [{rules}]\n"
            )
        };
        let found = errors("\"spicedb\"", &policy("{ allow_if = \"string\" }"));
        assert_eq!(found.iter().map(|f| f.0.as_str()).collect::<Vec<_>>(), ["engine-name"], "{found:?}");
        // `legacy` is the level's parameter only where the policy reads the level.
        assert_eq!(errors("\"openfga\"", &policy("{ allow_if = \"legacy\" }")), []);
        let found = errors("\"openfga\"", &policy("{ allow_if = \"legacy\" }, { deny_if_legacy = [\"a\"] }"));
        assert_eq!(found.iter().map(|f| f.0.as_str()).collect::<Vec<_>>(), ["identifier-collision"]);
    }

    #[test]
    fn test_ids_are_object_ids() {
        let test = |id: &str| {
            format!(
                "{TREE}{}[[tests]]\nassign = [{{ role = \"lead\", entity = \"org\", id = \"{id}\" }}]\n\
                 path = [{{ entity = \"org\", id = \"{id}\" }}]\ndeny = [\"view\"]\n{}",
                role("lead", "\"org\""),
                permission("view", "\"org\"")
            )
        };
        assert_eq!(errors("\"openfga\", \"spicedb\"", &test("a/b|c=d+e-f_g")), []);
        assert_eq!(errors("\"openfga\"", &test("ü")), []);
        assert_eq!(errors("\"spicedb\"", &test("ü"))[0].0, "engine-name");
        assert_eq!(errors("\"openfga\"", &test("a b"))[0].0, "engine-name");
        assert_eq!(errors("\"openfga\"", &test("a:b"))[0].0, "engine-name");
    }
}
