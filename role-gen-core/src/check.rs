//! The rules of SPEC section 1, one function each, each headed by the rule it enforces.
//!
//! Errors on the file as written (names, ids, reserved, paths) run on the syntax tree, before
//! lowering; cycles run on the resolved graph; warnings run on the finished model.

use std::collections::{HashMap, HashSet};

use crate::diagnostic::{Code, Diagnostic};
use crate::graph;
use crate::model::{EntityIdx, Model, PermIdx, PermSet, Target};
use crate::names;
use crate::source::Span;
use crate::suggest::did_you_mean;
use crate::syntax::{File, Sp};

pub mod engines;
mod go;
mod paths;
mod repeats;

pub use paths::output_path_problem;

/// Every check on the file as written.
pub fn syntax_rules(file: &File, source_name: &str, diags: &mut Vec<Diagnostic>) {
    names_are_snake_case(file, diags);
    proto_package_is_versioned(file, diags);
    legacy_levels_are_unique(file, diags);
    ids_are_in_range(file, diags);
    ids_are_unique(file, diags);
    reserved_stays_reserved(file, diags);
    identifiers_do_not_collide(file, diags);
    targets_are_known(file, diags);
    review_allows_known_codes(file, diags);
    paths::stay_inside(file, source_name, diags);
    repeats::lists_hold_no_repeats(file, diags);
}

fn defined_names(file: &File) -> Vec<(&'static str, &Sp<String>)> {
    let mut out: Vec<(&'static str, &Sp<String>)> = Vec::new();
    out.extend(file.project.iter().filter_map(|p| p.name.as_ref()).map(|n| ("project", n)));
    out.extend(file.entities.iter().map(|e| ("entity", &e.name)));
    out.extend(file.permissions.iter().map(|p| ("permission", &p.name)));
    out.extend(file.roles.iter().map(|r| ("role", &r.name)));
    out.extend(file.legacy.iter().flat_map(|l| &l.levels).map(|l| ("legacy level", l)));
    out.extend(file.policies.iter().map(|p| ("policy", &p.name)));
    out.extend(file.predicates.iter().map(|p| ("predicate", &p.name)));
    for policy in &file.policies {
        for rule in &policy.rules {
            if let crate::syntax::RuleKindDef::AllowIf(p) | crate::syntax::RuleKindDef::DenyIf(p) = &rule.kind {
                out.push(("predicate", p));
            }
        }
    }
    out
}

// Rule: every name (project, entity, permission, role, legacy level, policy, predicate) is ASCII
// snake_case, `[a-z][a-z0-9]*(_[a-z0-9]+)*`, at most 64 characters.
fn names_are_snake_case(file: &File, diags: &mut Vec<Diagnostic>) {
    for (kind, name) in defined_names(file) {
        if !names::is_valid_name(name.get_ref()) {
            let mut hint = names::name_problem(name.get_ref()).to_string();
            if let Some((c, ascii)) = names::first_non_ascii(name.get_ref()) {
                let mimics = ascii.map(|a| format!(", which looks like ASCII `{a}`")).unwrap_or_default();
                hint.push_str(&format!(": it holds `{c}` (U+{:04X}){mimics}", c as u32));
            }
            if let Some(s) = names::suggest_valid(name.get_ref()) {
                hint.push_str(&format!("; try `{s}`"));
            }
            diags.push(
                Diagnostic::new(Code::InvalidName, name.span(), format!("invalid {kind} name `{}`", name.get_ref()))
                    .label("not ASCII snake_case")
                    .help(hint),
            );
        }
    }
}

// Rule: `proto_package` is dot-separated lowercase identifiers whose last part is a version
// (`v1`, `v2beta1`), as `buf lint` requires.
fn proto_package_is_versioned(file: &File, diags: &mut Vec<Diagnostic>) {
    let Some(package) = file.project.as_ref().and_then(|p| p.proto_package.as_ref()) else { return };
    if !is_versioned_package(package.get_ref()) {
        diags.push(
            Diagnostic::new(
                Code::InvalidName,
                package.span(),
                format!("invalid `proto_package` `{}`", package.get_ref()),
            )
            .label("not a versioned protobuf package")
            .help("use lowercase parts separated by dots, ending in a version: `acme.roles.v1`"),
        );
    }
}

/// Whether `package` is like `acme.roles.v1` or `acme.v2beta1`.
pub fn is_versioned_package(package: &str) -> bool {
    let parts: Vec<&str> = package.split('.').collect();
    let part_ok = |p: &str| {
        p.starts_with(|c: char| c.is_ascii_lowercase())
            && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    };
    let Some((version, rest)) = parts.split_last() else { return false };
    !rest.is_empty() && parts.iter().all(|p| part_ok(p)) && is_version(version)
}

fn is_version(part: &str) -> bool {
    let Some(rest) = part.strip_prefix('v') else { return false };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let (major, tail) = rest.split_at(digits);
    if major.is_empty() || major.starts_with('0') {
        return false;
    }
    let stability =
        tail.strip_prefix("alpha").or_else(|| tail.strip_prefix("beta")).or_else(|| tail.strip_prefix("test"));
    tail.is_empty() || stability.is_some_and(|n| n.is_empty() || n.bytes().all(|b| b.is_ascii_digit()))
}

// Rule: legacy levels are unique (each is one rung of one ladder). An error, not the warning a
// repeat in another list gets: a level listed twice sits both below and above the levels
// between, so `allow_if_legacy_at_least` and its protobuf number (its place) are ambiguous.
fn legacy_levels_are_unique(file: &File, diags: &mut Vec<Diagnostic>) {
    let Some(legacy) = &file.legacy else { return };
    let mut seen: HashMap<&str, &Sp<String>> = HashMap::new();
    for level in &legacy.levels {
        if let Some(first) = seen.get(level.get_ref().as_str()) {
            diags.push(
                Diagnostic::new(
                    Code::DuplicateName,
                    level.span(),
                    format!("legacy level `{}` is listed twice", level.get_ref()),
                )
                .label("listed again here")
                .related(first.span(), "first listed here")
                .help("each level appears once, lowest first: the order is what a level means"),
            );
        } else {
            seen.insert(level.get_ref(), level);
        }
    }
}

/// Every id written in the file: permissions', roles', policies', and the entities' that pin
/// their number.
fn ids(file: &File) -> impl Iterator<Item = (&'static str, &str, &Sp<i64>)> {
    let perms = file.permissions.iter().filter_map(|p| Some(("permission", p.name.get_ref().as_str(), p.id.as_ref()?)));
    let roles = file.roles.iter().filter_map(|r| Some(("role", r.name.get_ref().as_str(), r.id.as_ref()?)));
    let policies = file.policies.iter().filter_map(|p| Some(("policy", p.name.get_ref().as_str(), p.id.as_ref()?)));
    let entities = file.entities.iter().filter_map(|e| Some(("entity", e.name.get_ref().as_str(), e.id.as_ref()?)));
    perms.chain(roles).chain(policies).chain(entities)
}

/// An item's wire number as the checks see it: where it is written, and whether the file wrote
/// it (`false`: an entity without `id`, numbered by its place in the file).
struct Numbered<'f> {
    kind: &'static str,
    name: &'f str,
    number: i64,
    span: Span,
    written: bool,
}

/// Every wire number the file gives: the ids, and the place of each entity without one (SPEC
/// section 1: "without it the number is the 1-based file order").
fn numbers(file: &File) -> Vec<Numbered<'_>> {
    let mut out: Vec<Numbered<'_>> = ids(file)
        .map(|(kind, name, id)| Numbered { kind, name, number: *id.get_ref(), span: id.span(), written: true })
        .collect();
    for (i, e) in file.entities.iter().enumerate().filter(|(_, e)| e.id.is_none()) {
        let (name, number) = (e.name.get_ref().as_str(), i as i64 + 1);
        out.push(Numbered { kind: "entity", name, number, span: e.name.span(), written: false });
    }
    out.sort_by_key(|n| n.span.start);
    out
}

// Rule: ids are 1..=65535 (0 is protobuf's UNSPECIFIED; 65535 keeps bitsets and wire small).
fn ids_are_in_range(file: &File, diags: &mut Vec<Diagnostic>) {
    for (kind, name, id) in ids(file) {
        if !(1..=65535).contains(id.get_ref()) {
            diags.push(
                Diagnostic::new(
                    Code::IdOutOfRange,
                    id.span(),
                    format!("{kind} `{name}` has id {}, outside 1..=65535", id.get_ref()),
                )
                .label("out of range")
                .help(if *id.get_ref() == 0 {
                    "id 0 is the protobuf UNSPECIFIED value; start at 1"
                } else {
                    "ids are 1..=65535"
                }),
            );
        }
    }
}

/// The smallest id of `kind` above every one in use or reserved.
fn next_free(file: &File, kind: &str) -> i64 {
    let used = numbers(file).into_iter().filter(|n| n.kind == kind).map(|n| n.number);
    let reserved = reserved_ids(file, kind).iter().map(|i| *i.get_ref());
    used.chain(reserved).max().unwrap_or(0).max(0) + 1
}

fn reserved_ids<'f>(file: &'f File, kind: &str) -> &'f [Sp<i64>] {
    let r = &file.reserved;
    match kind {
        "permission" => &r.permission_ids,
        "role" => &r.role_ids,
        "policy" => &r.policy_ids,
        _ => &r.entity_ids,
    }
}

// Rule: ids are unique among permissions, among roles, among policies and among entities (an
// entity without `id` has its place in the file as its number, and no written id may take
// it); the later one is reported.
fn ids_are_unique(file: &File, diags: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<(&str, i64), &Numbered<'_>> = HashMap::new();
    let all = numbers(file);
    // The next free id of each kind, worked out once: a file of 10,000 duplicates would
    // otherwise scan every number for each of them.
    let mut next_of: HashMap<&str, i64> = HashMap::new();
    for n in &all {
        let Some(first) = seen.insert((n.kind, n.number), n) else { continue };
        let kind = n.kind;
        let next = *next_of.entry(kind).or_insert_with(|| next_free(file, kind));
        let (message, help) = match (n.written, first.written) {
            (true, true) => (
                format!("{kind} `{}` reuses id {} of {kind} `{}`", n.name, n.number, first.name),
                format!("the next free {kind} id is {next}"),
            ),
            (true, false) => (
                format!(
                    "{kind} `{}` takes id {}, the number entity `{}` has by its place in the file",
                    n.name, n.number, first.name
                ),
                format!("entities without `id` are numbered by their place; the next free entity id is {next}"),
            ),
            (false, _) => (
                format!(
                    "entity `{}` has no `id`, so its number is its place in the file, {}, which entity `{}` already has",
                    n.name, n.number, first.name
                ),
                format!("give it `id = {next}`, the next free entity id"),
            ),
        };
        let label = if n.written { "already taken" } else { "numbered by its place" };
        let first_label = if first.written {
            format!("{kind} `{}` has id {} here", first.name, first.number)
        } else {
            format!("entity `{}` is number {} by its place here", first.name, first.number)
        };
        diags.push(
            Diagnostic::new(Code::DuplicateId, n.span.clone(), message)
                .label(label)
                .related(first.span.clone(), first_label)
                .help(help),
        );
    }
}

// Rule: ids and names in `[reserved]` are never used again (clients may still hold them),
// nor the numbers entities take by their place in the file.
fn reserved_stays_reserved(file: &File, diags: &mut Vec<Diagnostic>) {
    let reserved: HashSet<(&str, i64)> = ["permission", "role", "policy", "entity"]
        .into_iter()
        .flat_map(|kind| reserved_ids(file, kind).iter().map(move |x| (kind, *x.get_ref())))
        .collect();
    for n in numbers(file) {
        if !reserved.contains(&(n.kind, n.number)) {
            continue;
        }
        let (message, help) = if n.written {
            (
                format!("{} `{}` uses reserved id {}", n.kind, n.name, n.number),
                "a reserved id belonged to something removed; pick a new id".to_string(),
            )
        } else {
            (
                format!(
                    "entity `{}` has no `id`, so its number is its place in the file, {}, which is reserved",
                    n.name, n.number
                ),
                format!(
                    "a removed entity type held number {}; give this one `id = {}`, the next free entity id",
                    n.number,
                    next_free(file, "entity")
                ),
            )
        };
        diags.push(Diagnostic::new(Code::ReservedId, n.span.clone(), message).label("reserved").help(help));
    }
    let r = &file.reserved;
    let check_names = |kind: &str, names: Vec<&Sp<String>>, reserved: &[Sp<String>], diags: &mut Vec<Diagnostic>| {
        for name in names {
            if reserved.iter().any(|x| x.get_ref() == name.get_ref()) {
                diags.push(
                    Diagnostic::new(
                        Code::ReservedName,
                        name.span(),
                        format!("{kind} name `{}` is reserved", name.get_ref()),
                    )
                    .label("reserved")
                    .help("the name belonged to something removed; choose another name"),
                );
            }
        }
    };
    check_names("permission", file.permissions.iter().map(|p| &p.name).collect(), &r.permission_names, diags);
    check_names("role", file.roles.iter().map(|r| &r.name).collect(), &r.role_names, diags);
    check_names("policy", file.policies.iter().map(|p| &p.name).collect(), &r.policy_names, diags);
    check_names("entity", file.entities.iter().map(|e| &e.name).collect(), &r.entity_names, diags);
}

// Rule: two names of one kind never become the same identifier in a target (`level_2` and
// `level2` are both Rust's `Level2`), and no name becomes protobuf's `…_UNSPECIFIED`.
fn identifiers_do_not_collide(file: &File, diags: &mut Vec<Diagnostic>) {
    let kinds: [(&str, Vec<&Sp<String>>); 5] = [
        ("entity", file.entities.iter().map(|e| &e.name).collect()),
        ("permission", file.permissions.iter().map(|p| &p.name).collect()),
        ("role", file.roles.iter().map(|r| &r.name).collect()),
        ("legacy level", file.legacy.iter().flat_map(|l| &l.levels).collect()),
        ("policy", file.policies.iter().map(|p| &p.name).collect()),
    ];
    for (kind, mut list) in kinds {
        list.sort_by_key(|n| n.span().start);
        let mut seen: HashMap<String, &str> = HashMap::new();
        for name in list {
            if name.get_ref() == "unspecified" {
                diags.push(
                    Diagnostic::new(
                        Code::IdentifierCollision,
                        name.span(),
                        format!("{kind} name `unspecified` collides with protobuf's zero value"),
                    )
                    .label("becomes `…_UNSPECIFIED`")
                    .help("protobuf enums reserve `_UNSPECIFIED` for 0; choose another name"),
                );
            }
            let ident = names::rust_variant(name.get_ref());
            match seen.get(&ident) {
                Some(first) if *first != name.get_ref() => diags.push(
                    Diagnostic::new(
                        Code::IdentifierCollision,
                        name.span(),
                        format!("{kind} `{}` and `{first}` both become the Rust identifier `{ident}`", name.get_ref()),
                    )
                    .label(format!("also `{ident}`"))
                    .help("rename one of them: role-gen never renames silently"),
                ),
                _ => {
                    seen.insert(ident, name.get_ref());
                }
            }
        }
    }
}

// Rule: `targets` names built-in targets only.
fn targets_are_known(file: &File, diags: &mut Vec<Diagnostic>) {
    let Some(targets) = file.output.as_ref().and_then(|o| o.targets.as_ref()) else { return };
    for t in targets {
        if Target::from_name(t.get_ref()).is_none() {
            let names = Target::ALL.map(Target::as_str);
            let help = did_you_mean(t.get_ref(), names)
                .unwrap_or_else(|| format!("built-in targets are {}", names.join(", ")));
            diags.push(
                Diagnostic::new(Code::UnknownKey, t.span(), format!("unknown target `{}`", t.get_ref()))
                    .label("not a built-in target")
                    .help(help),
            );
        }
    }
}

// Rule: `[review] allow` names `diff` codes that can fail a diff, each with an optional name.
fn review_allows_known_codes(file: &File, diags: &mut Vec<Diagnostic>) {
    for entry in &file.review {
        let Err(e) = crate::review::Allowance::parse(entry.get_ref()) else { continue };
        let (code, label) =
            if e.in_code { (Code::UnknownKey, "not a diff code to allow") } else { (Code::InvalidName, "not a name") };
        diags.push(Diagnostic::new(code, entry.span(), e.message).label(label).help(e.help));
    }
}

/// The rules on the shape of the lowered model, run whatever else failed: roles never include
/// themselves, directly or through others, and entities form a forest.
pub fn structure_rules(model: &Model, diags: &mut Vec<Diagnostic>) {
    for cycle in graph::cycles(&model.include_graph(), |r| model.roles[r].span.start) {
        let names: Vec<&str> = cycle.iter().map(|&r| model.roles[r].name.as_str()).collect();
        // The include written in role `from` that names role `to`.
        let edge = |from: usize, to: usize| {
            let role = &model.roles[from];
            let at = role.includes.iter().position(|i| i.get() == to);
            at.and_then(|k| role.include_spans.get(k)).cloned()
        };
        if let Some(error) = cycle_error(Code::IncludeCycle, &cycle, &names, edge) {
            diags.push(error);
        }
    }
    for cycle in graph::cycles(&model.parent_graph(), |e| e) {
        let names: Vec<&str> = cycle.iter().map(|&e| model.entities[e].name.as_str()).collect();
        let edge = |from: usize, _to: usize| model.entities[from].parent_span.clone();
        if let Some(error) = cycle_error(Code::EntityCycle, &cycle, &names, edge) {
            diags.push(error);
        }
    }
}

/// A cycle (`start, …, start`), reported once at the reference leaving the member that comes
/// first in the file, every other reference of the cycle a related place (`edge` finds where
/// the reference from one member to the next is written).
fn cycle_error(
    code: Code,
    cycle: &[usize],
    names: &[&str],
    edge: impl Fn(usize, usize) -> Option<Span>,
) -> Option<Diagnostic> {
    let span = edge(*cycle.first()?, *cycle.get(1)?)?;
    let verb = if code == Code::IncludeCycle { "includes" } else { "has parent" };
    let mut error = cycle_message(code, span, names);
    for (i, pair) in cycle.windows(2).enumerate().skip(1) {
        if let Some(place) = edge(pair[0], pair[1]) {
            error = error.related(place, format!("`{}` {verb} `{}`", names[i], names[i + 1]));
        }
    }
    Some(error)
}

/// The message of a cycle, at the reference that closes it.
fn cycle_message(code: Code, span: Span, names: &[&str]) -> Diagnostic {
    let shown: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    let (what, verb, help) = if code == Code::IncludeCycle {
        ("include", "includes", "a role cannot include itself, even through others; remove one include")
    } else {
        ("entity", "has parent", "entities form a forest: remove one `parent`")
    };
    Diagnostic::new(code, span, format!("{what} cycle: {}", shown.join(&format!(" {verb} "))))
        .label("closes the cycle")
        .help(help)
}

/// The warnings of SPEC section 1, on a valid model.
pub fn model_rules(model: &Model, diags: &mut Vec<Diagnostic>) {
    every_permission_is_granted(model, diags);
    no_role_is_empty(model, diags);
    no_two_roles_are_the_same(model, diags);
    no_grant_is_redundant(model, diags);
    deprecated_permissions_are_not_granted(model, diags);
    granted_permissions_are_reachable(model, diags);
}

fn granted_anywhere(model: &Model) -> PermSet {
    let mut set = PermSet::with_capacity(model.permissions.len());
    for role in &model.roles {
        set.union_with(&role.effective);
    }
    set
}

// Warning: every permission is granted by some role (else only legacy rules can allow it).
fn every_permission_is_granted(model: &Model, diags: &mut Vec<Diagnostic>) {
    let granted = granted_anywhere(model);
    for (i, p) in model.indexed_permissions() {
        if !granted.contains(i) && !p.deprecated.is_deprecated() {
            diags.push(
                Diagnostic::new(
                    Code::UngrantedPermission,
                    p.span.clone(),
                    format!("no role grants permission `{}`", p.name),
                )
                .label("granted by no role")
                .help(format!("grant it: `role-gen grant ROLE {}`", p.name)),
            );
        }
    }
}

// Warning: every role grants something, directly or through its includes.
fn no_role_is_empty(model: &Model, diags: &mut Vec<Diagnostic>) {
    for r in model.roles.iter().filter(|r| r.effective.is_empty()) {
        diags.push(
            Diagnostic::new(Code::EmptyRole, r.span.clone(), format!("role `{}` grants no permission", r.name))
                .label("empty")
                .help(format!("grant it something: `role-gen grant {} PERMISSION`", r.name)),
        );
    }
}

// Warning: no two roles have the same effective permissions (one of them is redundant).
fn no_two_roles_are_the_same(model: &Model, diags: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<&PermSet, &str> = HashMap::new();
    for r in model.roles.iter().filter(|r| !r.effective.is_empty()) {
        if let Some(first) = seen.insert(&r.effective, &r.name) {
            diags.push(
                Diagnostic::new(
                    Code::DuplicateRole,
                    r.span.clone(),
                    format!("role `{}` has the same effective permissions as role `{first}`", r.name),
                )
                .label("same as another role")
                .help("merge them, or grant one of them what sets it apart"),
            );
        }
    }
}

// Warning: a direct grant is not already inherited through the role's includes.
fn no_grant_is_redundant(model: &Model, diags: &mut Vec<Diagnostic>) {
    for role in &model.roles {
        let inherited = model.effective_of(&role.includes);
        for (&p, span) in role.permissions.iter().zip(&role.permission_spans) {
            if inherited.contains(p) {
                let via = role
                    .includes
                    .iter()
                    .find(|&&i| model.roles[i].effective.contains(p))
                    .map_or("", |&i| model.roles[i].name.as_str());
                diags.push(
                    Diagnostic::new(
                        Code::RedundantGrant,
                        span.clone(),
                        format!(
                            "role `{}` already inherits `{}` through `{via}`",
                            role.name, model.permissions[p].name
                        ),
                    )
                    .label("redundant")
                    .help(format!(
                        "remove it with `role-gen revoke {} {}`; the role keeps it through `{via}`",
                        role.name, model.permissions[p].name
                    )),
                );
            }
        }
    }
}

// Warning: deprecated permissions are not granted directly (plan their removal instead).
fn deprecated_permissions_are_not_granted(model: &Model, diags: &mut Vec<Diagnostic>) {
    for role in &model.roles {
        for (&p, span) in role.permissions.iter().zip(&role.permission_spans) {
            let perm = &model.permissions[p];
            if perm.deprecated.is_deprecated() {
                let reason = perm.deprecated.reason().map(|r| format!(": {r}")).unwrap_or_default();
                diags.push(
                    Diagnostic::new(
                        Code::DeprecatedGranted,
                        span.clone(),
                        format!("role `{}` grants deprecated permission `{}`{reason}", role.name, perm.name),
                    )
                    .label("deprecated")
                    .help(format!("revoke it: `role-gen revoke {} {}`", role.name, perm.name)),
                );
            }
        }
    }
}

// Warning: a granted permission can be used: some role granting it may be assigned on an
// entity the permission applies to, or on an ancestor of one. (Without entities there is
// nothing to assign on, and nothing to check.)
fn granted_permissions_are_reachable(model: &Model, diags: &mut Vec<Diagnostic>) {
    if model.entities.is_empty() {
        return;
    }
    // One pass over every role's grants (not every permission × every role): a permission is
    // reachable once some granting role may be assigned above one of its entities.
    let mut reachable = PermSet::with_capacity(model.permissions.len());
    for role in &model.roles {
        for p in role.effective.iter() {
            let entities = &model.permissions[p].entities;
            if !reachable.contains(p)
                && role.assignable_on.iter().any(|&a| entities.iter().any(|&e| model.is_within(e, a)))
            {
                reachable.insert(p);
            }
        }
    }
    let granted = granted_anywhere(model);
    for (i, _) in model.indexed_permissions().filter(|(i, _)| granted.contains(*i)) {
        if !reachable.contains(i) {
            diags.push(unreachable_permission(model, i));
        }
    }
}

/// Where permission `p` is checked, which roles grant it and where each may be assigned, and
/// the two ways to meet: assign a role higher, or check the permission lower.
fn unreachable_permission(model: &Model, p: PermIdx) -> Diagnostic {
    let perm = &model.permissions[p];
    let granting: Vec<&crate::model::Role> = model.roles.iter().filter(|r| r.effective.contains(p)).collect();
    let mut assignable: Vec<EntityIdx> = granting.iter().flat_map(|r| r.assignable_on.iter().copied()).collect();
    assignable.sort_unstable();
    assignable.dedup();
    let entities = |list: &[EntityIdx]| match list {
        [] => "no entity type".to_string(),
        list => list.iter().map(|&e| format!("`{}`", model.entities[e].name)).collect::<Vec<_>>().join(", "),
    };
    let roles: Vec<String> = granting
        .iter()
        .take(5)
        .map(|r| format!("`{}` (assignable on {})", r.name, entities(&r.assignable_on)))
        .collect();
    let more = granting.len().saturating_sub(5);
    let more = if more > 0 { format!(" and {more} more") } else { String::new() };
    let mut found = Diagnostic::new(
        Code::UnreachablePermission,
        perm.span.clone(),
        format!(
            "permission `{}` is checked on {}, but the roles granting it may be assigned only on {}",
            perm.name,
            entities(&perm.entities),
            entities(&assignable)
        ),
    )
    .label("no role granting it can be assigned where it is checked")
    .note(format!("granted by {}{more}", roles.join(", ")))
    .note("a role assigned on an entity applies there and to everything inside it");
    if let (Some(&checked), Some(role), Some(&on)) = (perm.entities.first(), granting.first(), assignable.first()) {
        found = found.help(format!(
            "add `{}` (or an entity containing it) to the `assignable_on` of `{}`, or add `{}` to the `entities` of \
             `{}`",
            model.entities[checked].name, role.name, model.entities[on].name, perm.name
        ));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreachable_permission_names_its_roles_and_where_each_may_be_assigned() {
        let text = "[project]\nname = \"x\"\n[entities.org]\ndescription = \"O\"\n[entities.team]\ndescription = \"T\"\n\
                    parent = \"org\"\n[entities.doc]\ndescription = \"D\"\nparent = \"team\"\n\
                    [permissions.bill]\nid = 1\ndescription = \"B\"\nentities = [\"org\"]\n\
                    [roles.lead]\nid = 1\ndescription = \"L\"\npermissions = [\"bill\"]\nassignable_on = [\"team\"]\n\
                    [roles.editor]\nid = 2\ndescription = \"E\"\nincludes = [\"lead\"]\nassignable_on = [\"doc\", \"team\"]\n";
        let validated = crate::validate_text("roles.toml", text).expect("valid");
        let found: Vec<&Diagnostic> =
            validated.diagnostics().iter().filter(|d| d.code == Code::UnreachablePermission).collect();
        let [d] = found.as_slice() else { panic!("{found:?}") };
        assert_eq!(
            d.message,
            "permission `bill` is checked on `org`, but the roles granting it may be assigned only on `team`, `doc`"
        );
        assert_eq!(d.notes()[0], "granted by `lead` (assignable on `team`), `editor` (assignable on `team`, `doc`)");
        assert_eq!(
            d.help.as_deref(),
            Some(
                "add `org` (or an entity containing it) to the `assignable_on` of `lead`, or add `team` to the `entities` of `bill`"
            )
        );
    }

    #[test]
    fn packages_need_a_version() {
        for ok in ["slack.roles.v1", "a.v2beta1", "a_b.c.v10alpha"] {
            assert!(is_versioned_package(ok), "{ok}");
        }
        for bad in ["slack", "Slack.Roles.v1", "slack.roles", "a.v0", "a..v1", "v1", "a.v1x"] {
            assert!(!is_versioned_package(bad), "{bad}");
        }
    }
}
