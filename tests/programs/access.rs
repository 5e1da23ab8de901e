// Decisions on entities (SPEC section 7): the generated `check_access` and `permissions_on` on
// every scenario of `<dir>/access.tsv` (written by `role_gen_tests::access::write_tsv`), and the
// helpers they rest on, for `tests/compilers/rust_access.rs` to compare with role-gen's model.
//
// Not a crate root: the test's `main.rs` includes it once per definition, in a module beside
// that definition's `roles` module (`mod d0 { mod roles { include!("d0/roles.rs"); }
// include!("access.rs"); }`), so that one rustc run builds every definition of a test. Hence
// plain comments here: an included file has no inner attributes or docs.
//
// It prints, one a line, tab-separated:
// - `answer  <line>`: per scenario, in order, what `access::expected` says the model answers
//   (`allow N`, `deny`, `holds P,Q`, `error KIND`);
// - `detail  <i>  <text>`: per scenario that is an error, the error's `Display`;
// - `ancestors|within|checked  <entity>  <entities or permissions>`, `applies|group|deprecated
//   <permission>  …`, `assignable  <role>  <entities>`, `algebra  <role>  <role>  <a & b>
//   <a - b>  <a | b>  <a ⊆ b>`: the helpers, for every entity, permission, role, pair of roles;
// - `problem  <text>`: what the program finds inconsistent on its own (the same scenario with
//   borrowed ids, `permissions_on` against `check_access`, operators against methods, the
//   `const fn`s in a const context).

use std::fmt::Write as _;

use roles::{Assignment, EntityType, PathError, Permission, PermissionSet, Role};

/// Every line for the definition whose scenarios are `<dir>/access.tsv`.
pub fn run(dir: &str) -> String {
    let mut out = String::new();
    statics(&mut out);
    let path = format!("{dir}/access.tsv");
    let table = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    for (i, line) in table.lines().enumerate() {
        scenario(&mut out, i, line);
    }
    out
}

fn parse<T: std::str::FromStr>(name: &str) -> T
where
    T::Err: std::fmt::Display,
{
    name.parse().unwrap_or_else(|e| panic!("{name:?}: {e}"))
}

/// The items of a comma-separated field (none when it is empty).
fn items(field: &str) -> impl Iterator<Item = &str> {
    field.split(',').filter(|s| !s.is_empty())
}

/// `ENTITY#ID`.
fn entity_ref(text: &str) -> (EntityType, String) {
    let (entity, id) = text.split_once('#').unwrap_or_else(|| panic!("no `#` in {text:?}"));
    (parse(entity), id.to_string())
}

/// `ROLE@ENTITY#ID`.
fn assignment(text: &str) -> Assignment<String> {
    let (role, place) = text.split_once('@').unwrap_or_else(|| panic!("no `@` in {text:?}"));
    let (entity, id) = entity_ref(place);
    Assignment { role: parse(role), entity, id }
}

fn scenario(out: &mut String, i: usize, line: &str) {
    let fields: Vec<&str> = line.split('\t').collect();
    let assignments: Vec<Assignment<String>> = items(fields[1]).map(assignment).collect();
    let path: Vec<(EntityType, String)> = items(fields[2]).map(entity_ref).collect();
    // The same scenario with borrowed ids (`Assignment<&str>` is `Copy`): the same answer.
    let borrowed: Vec<Assignment<&str>> =
        assignments.iter().map(|a| Assignment { role: a.role, entity: a.entity, id: a.id.as_str() }).collect();
    let borrowed_path: Vec<(EntityType, &str)> = path.iter().map(|(e, id)| (*e, id.as_str())).collect();
    let (answer, again) = match (fields[0], fields.get(3)) {
        ("check", Some(p)) => {
            let p: Permission = parse(p);
            (check(&assignments, &path, p), check(&borrowed, &borrowed_path, p))
        }
        ("on", None) => (on(&assignments, &path), on(&borrowed, &borrowed_path)),
        _ => panic!("line {}: {line:?}", i + 1),
    };
    if answer != again {
        let _ = writeln!(out, "problem\tscenario {i}: {answer:?} with String ids, {again:?} with &str ids");
    }
    match answer {
        Ok(line) => {
            let _ = writeln!(out, "answer\t{line}");
        }
        Err(e) => {
            let _ = writeln!(out, "answer\terror {}\ndetail\t{i}\t{e}", kind(&e));
        }
    }
    if fields[0] == "on" {
        if let Some(problem) = agreement(&assignments, &path) {
            let _ = writeln!(out, "problem\tscenario {i}: {problem}");
        }
    }
}

/// `check_access`'s answer: `allow N` (N the deciding assignment's index), or `deny`.
fn check<Id: PartialEq>(
    assignments: &[Assignment<Id>],
    path: &[(EntityType, Id)],
    permission: Permission,
) -> Result<String, PathError> {
    Ok(match roles::check_access(assignments, path, permission)? {
        Some(decided) => match assignments.iter().position(|a| std::ptr::eq(a, decided)) {
            Some(n) => format!("allow {n}"),
            None => "allow outside the assignments".to_string(),
        },
        None => "deny".to_string(),
    })
}

/// `permissions_on`'s answer: `holds P,Q,…`.
fn on<Id: PartialEq>(assignments: &[Assignment<Id>], path: &[(EntityType, Id)]) -> Result<String, PathError> {
    roles::permissions_on(assignments, path).map(|set| format!("holds {}", names(set)))
}

/// Where `permissions_on` and `check_access` disagree, if they do: on a valid path, a
/// permission is held exactly when it is allowed (and one not checked against the target is
/// neither); on a bad one, both give the same error.
fn agreement(assignments: &[Assignment<String>], path: &[(EntityType, String)]) -> Option<String> {
    let held = match roles::permissions_on(assignments, path) {
        Ok(held) => held,
        Err(e) => {
            let first = Permission::ALL.first()?;
            return match roles::check_access(assignments, path, *first) {
                Err(again) if again == e => None,
                other => Some(format!("permissions_on: {e:?}; check_access: {other:?}")),
            };
        }
    };
    for &p in Permission::ALL {
        let allowed = match roles::check_access(assignments, path, p) {
            Ok(decided) => decided.is_some(),
            Err(PathError::NotApplicable { .. }) => false,
            Err(e) => return Some(format!("check_access({p}): {e:?} on a path permissions_on takes")),
        };
        if held.contains(p) != allowed {
            return Some(format!("permissions_on holds {p}: {}, check_access allows it: {allowed}", held.contains(p)));
        }
    }
    None
}

/// The kind of a path error, as `access::error_kind` spells it.
fn kind(error: &PathError) -> &'static str {
    match error {
        PathError::Empty => "empty",
        PathError::NotParent { .. } => "not-parent",
        PathError::Incomplete { .. } => "incomplete",
        PathError::PastRoot { .. } => "past-root",
        PathError::NotApplicable { .. } => "not-applicable",
    }
}

fn names(set: PermissionSet) -> String {
    set.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(",")
}

fn entities(keep: impl Fn(EntityType) -> bool) -> String {
    EntityType::ALL.iter().filter(|e| keep(**e)).map(|e| e.as_str()).collect::<Vec<_>>().join(",")
}

/// The helpers, for every entity type, permission, role and pair of roles.
fn statics(out: &mut String) {
    for &e in EntityType::ALL {
        let ancestors: Vec<&str> = e.ancestors().iter().map(|a| a.as_str()).collect();
        let _ = writeln!(out, "ancestors\t{e}\t{}", ancestors.join(","));
        let _ = writeln!(out, "within\t{e}\t{}", entities(|other| e.is_within(other)));
        let _ = writeln!(out, "checked\t{e}\t{}", names(e.permissions()));
    }
    for &p in Permission::ALL {
        let _ = writeln!(out, "applies\t{p}\t{}", entities(|e| p.applies_to(e)));
        let group = p.group().map_or("none".to_string(), |g| format!("some {g:?}"));
        let _ = writeln!(out, "group\t{p}\t{group}");
        let _ = writeln!(out, "deprecated\t{p}\t{}", p.is_deprecated());
    }
    for &r in Role::ALL {
        let _ = writeln!(out, "assignable\t{r}\t{}", entities(|e| r.assignable_to(e)));
        for &other in Role::ALL {
            algebra(out, r, other);
        }
    }
    if CONST_COUNTS != counts() {
        let _ = writeln!(out, "problem\tconst fns in a const context: {CONST_COUNTS:?}, at run time {:?}", counts());
    }
}

/// The set algebra on two roles' permissions, and the operators against the methods.
fn algebra(out: &mut String, a: Role, b: Role) {
    let (x, y) = (a.permissions(), b.permissions());
    let (and, minus, or) = (x.intersection(y), x.difference(y), x.union(y));
    let _ = writeln!(out, "algebra\t{a}\t{b}\t{}\t{}\t{}\t{}", names(and), names(minus), names(or), x.is_subset(y));
    let (mut and_assign, mut minus_assign, mut or_assign) = (x, x, x);
    and_assign &= y;
    minus_assign -= y;
    or_assign |= y;
    if [x & y, x - y, x | y] != [and, minus, or] || [and_assign, minus_assign, or_assign] != [and, minus, or] {
        let _ = writeln!(out, "problem\t{a}, {b}: an operator disagrees with its method");
    }
}

/// Counts of true answers, as the `const fn`s give them: (entity, other) within, (permission,
/// entity) applies, (role, entity) assignable, deprecated permissions, grouped permissions,
/// (role, role) subsets, permissions in all intersections and all differences.
type Counts = [usize; 8];

/// [`Counts`] evaluated at compile time.
const CONST_COUNTS: Counts = {
    let mut counts = [0; 8];
    let (entities, permissions, roles) = (EntityType::ALL, Permission::ALL, Role::ALL);
    let mut i = 0;
    while i < entities.len() {
        let mut j = 0;
        while j < entities.len() {
            counts[0] += entities[i].is_within(entities[j]) as usize;
            j += 1;
        }
        let mut p = 0;
        while p < permissions.len() {
            counts[1] += permissions[p].applies_to(entities[i]) as usize;
            p += 1;
        }
        let mut r = 0;
        while r < roles.len() {
            counts[2] += roles[r].assignable_to(entities[i]) as usize;
            r += 1;
        }
        i += 1;
    }
    let mut p = 0;
    while p < permissions.len() {
        counts[3] += permissions[p].is_deprecated() as usize;
        counts[4] += permissions[p].group().is_some() as usize;
        p += 1;
    }
    let mut a = 0;
    while a < roles.len() {
        let mut b = 0;
        while b < roles.len() {
            let (x, y) = (roles[a].permissions(), roles[b].permissions());
            counts[5] += x.is_subset(y) as usize;
            counts[6] += x.intersection(y).len();
            counts[7] += x.difference(y).len();
            b += 1;
        }
        a += 1;
    }
    counts
};

/// [`Counts`] at run time.
fn counts() -> Counts {
    let (entities, permissions, roles) = (EntityType::ALL, Permission::ALL, Role::ALL);
    let pairs = |n: usize| (0..n).flat_map(move |i| (0..n).map(move |j| (i, j)));
    let count = |it: &mut dyn Iterator<Item = bool>| it.filter(|b| *b).count();
    let sum = |it: &mut dyn Iterator<Item = usize>| it.sum::<usize>();
    [
        count(&mut pairs(entities.len()).map(|(i, j)| entities[i].is_within(entities[j]))),
        count(&mut entities.iter().flat_map(|&e| permissions.iter().map(move |p| p.applies_to(e)))),
        count(&mut entities.iter().flat_map(|&e| roles.iter().map(move |r| r.assignable_to(e)))),
        count(&mut permissions.iter().map(|p| p.is_deprecated())),
        count(&mut permissions.iter().map(|p| p.group().is_some())),
        count(&mut pairs(roles.len()).map(|(a, b)| roles[a].permissions().is_subset(roles[b].permissions()))),
        sum(&mut pairs(roles.len()).map(|(a, b)| (roles[a].permissions() & roles[b].permissions()).len())),
        sum(&mut pairs(roles.len()).map(|(a, b)| (roles[a].permissions() - roles[b].permissions()).len())),
    ]
}
