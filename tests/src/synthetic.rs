//! Random valid definitions, reproducible from a seed, for the properties that must hold for
//! every `roles.toml` and not only for the hand-written ones: names of every length up to the
//! limit (64), lists of every size, descriptions that are long, quoted, multi-line or wide
//! (CJK, emoji), permission groups of the same kinds of text, entity forests (roots and
//! parents at random), policies of every rule kind, and `[reserved]` ids and names.
//!
//! `[reserved]` covers permissions and roles; where the schema reserves more (policies,
//! entities), a definition that also reserves those is a line of [`reserved`] away.
//!
//! The formatter tests (`tests/formatters.rs`) generate each definition's outputs and run
//! rustfmt, prettier and `buf format` over them: a layout decision of the renderers that
//! disagrees with a formatter at some name length or list size shows up here.

use std::collections::BTreeSet;
use std::fmt::Write as _;

/// A small deterministic generator (xorshift64*): the same seed gives the same definitions on
/// every machine, so a failure names its seed and reproduces.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed` (any value; 0 is remapped).
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next 64 random bits.
    pub fn bits(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        let span = (hi - lo + 1) as u64;
        lo + (self.bits() % span) as usize
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.bits() % 100 < percent
    }

    /// A random subset of `0..n`, in order, of at most `max` elements.
    pub fn subset(&mut self, n: usize, max: usize) -> Vec<usize> {
        if n == 0 {
            return Vec::new();
        }
        let want = self.range(0, max.min(n));
        let mut picked = BTreeSet::new();
        while picked.len() < want {
            picked.insert(self.range(0, n - 1));
        }
        picked.into_iter().collect()
    }
}

/// Words a description is made of: plain, quoted, escaped, wide, and markup of every target.
const WORDS: &[&str] = &[
    "a",
    "role",
    "may",
    "archive",
    "the",
    "channel",
    "\\\"quoted\\\"",
    "back\\\\slash",
    "*/",
    "/*",
    "{{x}}",
    "`tick`",
    "|",
    "<b>",
    "权限管理",
    "日本語",
    "🔥",
    "👨\u{200d}👩\u{200d}👧",
    "é",
    "${x}",
    "#",
    "--",
];

/// A snake_case name of exactly `len` characters (1..=64): letters with single underscores,
/// never leading, trailing or doubled, and no digits (so no two names share an identifier).
fn name_of_len(rng: &mut Rng, len: usize) -> String {
    let mut name = String::with_capacity(len);
    while name.len() < len {
        let last = name.len() + 1 == len;
        let underscore_ok = !name.is_empty() && !name.ends_with('_') && !last;
        if underscore_ok && rng.chance(15) {
            name.push('_');
        } else {
            name.push(char::from(b'a' + (rng.bits() % 26) as u8));
        }
    }
    name
}

/// Names unique in the whole definition (none holds `unspecified`, which protobuf reserves).
/// How many: a number in `lo..=hi`.
fn names(rng: &mut Rng, (lo, hi): (usize, usize), taken: &mut BTreeSet<String>) -> Vec<String> {
    let count = rng.range(lo, hi);
    let mut out = Vec::with_capacity(count);
    while out.len() < count {
        // Every length is likely: short ones, the middle, and the 64 limit itself.
        let len = match rng.range(0, 9) {
            0 => 64,
            1 => rng.range(1, 4),
            _ => rng.range(1, 64),
        };
        let name = name_of_len(rng, len);
        if name.contains("unspecified") || !taken.insert(name.clone()) {
            continue;
        }
        out.push(name);
    }
    out
}

/// A description as a TOML basic string's inside: short, long, multi-line or wide.
fn description(rng: &mut Rng) -> String {
    let words = match rng.range(0, 5) {
        0 => 1,
        1 => rng.range(20, 60),
        _ => rng.range(2, 12),
    };
    let mut text = String::new();
    for i in 0..words {
        if i > 0 {
            text.push_str(if rng.chance(5) { "\\n" } else { " " });
        }
        text.push_str(WORDS[rng.range(0, WORDS.len() - 1)]);
    }
    text
}

/// A permission group (free text): empty, a word, or a description of any width.
fn group(rng: &mut Rng) -> String {
    match rng.range(0, 5) {
        0 => String::new(),
        1 => WORDS[rng.range(0, WORDS.len() - 1)].to_string(),
        _ => description(rng),
    }
}

/// `["a", "b"]` of the names at `indices`.
fn toml_list(all: &[String], indices: &[usize]) -> String {
    let quoted: Vec<String> = indices.iter().map(|&i| format!("\"{}\"", all[i])).collect();
    format!("[{}]", quoted.join(", "))
}

/// One random valid `roles.toml`. `policy_ids`: whether policies carry an `id` (the schema's
/// choice; see [`policies_have_ids`]).
pub fn definition(seed: u64, policy_ids: bool) -> String {
    let mut rng = Rng::new(seed);
    let mut taken = BTreeSet::new();
    let mut toml = String::new();
    let project = names(&mut rng, (1, 1), &mut taken).remove(0);
    let _ = writeln!(toml, "[project]\nname = \"{project}\"\nproto_package = \"synthetic.roles.v1\"\n");
    if rng.chance(30) {
        toml.push_str("[output]\nrust_serde = true\n\n");
    }

    let entities = names(&mut rng, (1, 5), &mut taken);
    for (i, e) in entities.iter().enumerate() {
        let _ = writeln!(toml, "[entities.{e}]\ndescription = \"{}\"", description(&mut rng));
        if i > 0 && rng.chance(60) {
            let _ = writeln!(toml, "parent = \"{}\"", entities[rng.range(0, i - 1)]);
        }
        toml.push('\n');
    }

    let permissions = names(&mut rng, (0, 12), &mut taken);
    // Groups draw from their own generator: the rest of each seed's definition stays as it was.
    let mut group_rng = Rng::new(seed ^ 0x6a09_e667_f3bc_c908);
    let groups: Vec<String> = (0..group_rng.range(0, 4)).map(|_| group(&mut group_rng)).collect();
    let mut next_id = 1;
    for p in &permissions {
        next_id += rng.range(0, 3) * rng.range(0, 40);
        let _ = writeln!(toml, "[permissions.{p}]\nid = {next_id}\ndescription = \"{}\"", description(&mut rng));
        next_id += 1;
        let on = rng.subset(entities.len(), entities.len());
        if !on.is_empty() {
            let _ = writeln!(toml, "entities = {}", toml_list(&entities, &on));
        }
        if rng.chance(10) {
            let _ = writeln!(toml, "deprecated = \"{}\"", description(&mut rng));
        }
        if !groups.is_empty() && group_rng.chance(70) {
            let _ = writeln!(toml, "group = \"{}\"", groups[group_rng.range(0, groups.len() - 1)]);
        }
        toml.push('\n');
    }

    let roles = names(&mut rng, (0, 8), &mut taken);
    for (i, r) in roles.iter().enumerate() {
        let _ = writeln!(toml, "[roles.{r}]\nid = {}\ndescription = \"{}\"", i + 1, description(&mut rng));
        let grants = rng.subset(permissions.len(), permissions.len());
        let _ = writeln!(toml, "permissions = {}", toml_list(&permissions, &grants));
        // Includes only earlier roles: no cycle.
        let includes = rng.subset(i, 4);
        if !includes.is_empty() {
            let _ = writeln!(toml, "includes = {}", toml_list(&roles, &includes));
        }
        let on = rng.subset(entities.len(), entities.len());
        if !on.is_empty() {
            let _ = writeln!(toml, "assignable_on = {}", toml_list(&entities, &on));
        }
        toml.push('\n');
    }

    let levels = if rng.chance(70) { names(&mut rng, (1, 6), &mut taken) } else { Vec::new() };
    if !levels.is_empty() {
        let all: Vec<usize> = (0..levels.len()).collect();
        let _ = writeln!(toml, "[legacy]\nlevels = {}\n", toml_list(&levels, &all));
    }

    reserved(&mut rng, &mut toml, next_id, roles.len(), &mut taken);

    let policies = names(&mut rng, (0, 4), &mut taken);
    let predicates = names(&mut rng, (4, 4), &mut taken);
    for (i, policy) in policies.iter().enumerate() {
        let _ = writeln!(toml, "[policies.{policy}]");
        if policy_ids {
            let _ = writeln!(toml, "id = {}", i + 1);
        }
        let entity = &entities[rng.range(0, entities.len() - 1)];
        let _ = writeln!(toml, "description = \"{}\"\nentity = \"{entity}\"\nrules = [", description(&mut rng));
        for rule in rules(&mut rng, &levels, &permissions, &predicates) {
            let _ = writeln!(toml, "  {rule},");
        }
        toml.push_str("]\n\n");
    }
    toml
}

/// `[reserved]` ids above every id in use and names no item has, sometimes none.
fn reserved(rng: &mut Rng, toml: &mut String, next_permission: usize, roles: usize, taken: &mut BTreeSet<String>) {
    if rng.chance(40) {
        return;
    }
    let ids = |rng: &mut Rng, from: usize| -> String {
        let list: Vec<String> = (0..rng.range(0, 12)).map(|i| (from + i * rng.range(1, 9)).to_string()).collect();
        format!("[{}]", list.join(", "))
    };
    let permission_names = names(rng, (0, 6), taken);
    let role_names = names(rng, (0, 6), taken);
    let all = |names: &[String]| toml_list(names, &(0..names.len()).collect::<Vec<_>>());
    let _ = writeln!(toml, "[reserved]\npermission_ids = {}", ids(rng, next_permission + 1));
    let _ = writeln!(toml, "permission_names = {}", all(&permission_names));
    let _ = writeln!(toml, "role_ids = {}", ids(rng, roles + 1));
    let _ = writeln!(toml, "role_names = {}\n", all(&role_names));
}

/// A policy's rules, valid and without a shadowed deny: the denies come first (a legacy deny
/// at most once, each predicate at most once), then the allows.
fn rules(rng: &mut Rng, levels: &[String], permissions: &[String], predicates: &[String]) -> Vec<String> {
    let mut denies = Vec::new();
    let mut allows = Vec::new();
    let mut asked = BTreeSet::new();
    for _ in 0..rng.range(1, 5) {
        match rng.range(0, 4) {
            0 if !levels.is_empty() && denies.iter().all(|d: &String| !d.contains("legacy")) => {
                let some = rng.subset(levels.len(), levels.len() - 1);
                denies.push(format!("{{ deny_if_legacy = {} }}", toml_list(levels, &some)));
            }
            1 if !levels.is_empty() => {
                let level = &levels[rng.range(0, levels.len() - 1)];
                allows.push(format!("{{ allow_if_legacy_at_least = \"{level}\" }}"));
            }
            2 if !permissions.is_empty() => {
                let mut some = rng.subset(permissions.len(), permissions.len());
                if some.is_empty() {
                    some.push(0);
                }
                allows.push(format!("{{ allow_if_permission = {} }}", toml_list(permissions, &some)));
            }
            kind => {
                let q = rng.range(0, predicates.len() - 1);
                if asked.insert(q) {
                    let verb = if kind == 3 { "deny_if" } else { "allow_if" };
                    let rule = format!("{{ {verb} = \"{}\" }}", predicates[q]);
                    if kind == 3 { denies.push(rule) } else { allows.push(rule) }
                }
            }
        }
    }
    denies.extend(allows);
    denies
}

/// Whether `[policies.NAME]` takes an `id` in this version of the schema.
pub fn policies_have_ids() -> bool {
    role_gen_core::schema::POLICY.knows("id")
}

/// Random definitions that can be asked about decisions on entities, written under `dir`
/// (`synthetic-SEED/roles.toml`): the seeds, from 0, whose definition has a permission, a role
/// and an entity type with a parent. Endless: take as many as a test needs.
pub fn with_entities(dir: &std::path::Path) -> impl Iterator<Item = (u64, std::path::PathBuf)> + '_ {
    let ids = policies_have_ids();
    (0..).filter_map(move |seed| {
        let path = dir.join(format!("synthetic-{seed}")).join("roles.toml");
        crate::write(&path, &definition(seed, ids));
        let model = crate::policies::model(&path);
        let decidable = !model.permissions().is_empty()
            && !model.roles().is_empty()
            && model.entities().iter().any(|e| e.parent.is_some());
        decidable.then_some((seed, path))
    })
}
