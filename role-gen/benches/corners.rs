//! The corners where validation once grew faster than its input, each at two sizes (the second
//! twice the first, so near-linear growth reads as about 2× the time):
//!
//! - `did_you_mean`: ten unknown names 20,000 characters long against N permissions;
//! - `duplicate_id` and `unknown_key`: N errors of one kind, validated and rendered (human and
//!   JSON: every position looked up);
//! - `errors_after_comment`: 1,000 errors after a comment of N bytes;
//! - `explain`: every chain of a role including N roles (what `role-gen explain` prints);
//! - `who_can`: every holder of a permission N roles include;
//! - `include_chain`: validating an include chain N roles deep;
//! - `policy_rules`: validating a policy of N rules of every kind;
//! - `warnings`: rendering N `ungranted-permission` warnings.

use std::fmt::Write as _;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

/// A corner: its name, the definition at a size, and the two sizes.
type Corner = (&'static str, fn(usize) -> String, [usize; 2]);

const HEAD: &str = "[project]\nname = \"corners\"\n\n[entities.org]\ndescription = \"O\"\n\n";

fn permissions(n: usize, id: impl Fn(usize) -> usize) -> String {
    let mut out = String::new();
    for p in 0..n {
        let _ = writeln!(out, "[permissions.permission_{p}]\nid = {}\ndescription = \"p\"\n", id(p));
    }
    out
}

fn did_you_mean(n: usize) -> String {
    let unknown: Vec<String> = (0..10).map(|i| format!("\"{}{i}\"", "x".repeat(20_000))).collect();
    format!(
        "{HEAD}{}[roles.r]\nid = 1\ndescription = \"r\"\npermissions = [{}]\n",
        permissions(n, |p| p + 1),
        unknown.join(", ")
    )
}

fn duplicate_id(n: usize) -> String {
    format!("{HEAD}{}", permissions(n, |_| 1))
}

fn unknown_key(n: usize) -> String {
    format!("{HEAD}{}", permissions(n, |p| p + 1).replace("description = \"p\"\n", "description = \"p\"\ncolour = 1\n"))
}

fn errors_after_comment(n: usize) -> String {
    format!("{HEAD}# {}\n{}", "x".repeat(n), permissions(1_000, |_| 0))
}

/// Roles `r0 … r{n-1}`, each including the next; the last grants `permission_0`.
fn chain(n: usize) -> String {
    let mut out = format!("{HEAD}{}", permissions(10, |p| p + 1));
    for r in 0..n {
        let next =
            if r + 1 < n { format!("includes = [\"r{}\"]", r + 1) } else { "permissions = [\"permission_0\"]".into() };
        let _ = writeln!(out, "[roles.r{r}]\nid = {}\ndescription = \"r\"\n{next}\n", r + 1);
    }
    out
}

fn policy_rules(n: usize) -> String {
    let mut out = format!(
        "{HEAD}{}[roles.r]\nid = 1\ndescription = \"r\"\npermissions = [\"permission_0\"]\n\n[legacy]\nlevels = [\"a\", \"b\", \"c\", \"d\"]\n\n\
         [policies.p]\nid = 1\ndescription = \"p\"\nentity = \"org\"\nrules = [\n",
        permissions(100, |p| p + 1)
    );
    let levels = ["a", "b", "c", "d"];
    for i in 0..n {
        let rule = match i % 5 {
            0 => format!("{{ deny_if_legacy = [\"{}\"] }}", levels[i % 4]),
            1 => format!("{{ allow_if_legacy_at_least = \"{}\" }}", levels[(i / 5) % 4]),
            2 => format!("{{ allow_if_permission = [\"permission_{}\", \"permission_{}\"] }}", i % 100, (i * 7) % 100),
            3 => format!("{{ allow_if = \"pred_{}\" }}", i % 50),
            _ => format!("{{ deny_if = \"pred_{}\" }}", i % 70),
        };
        let _ = writeln!(out, "  {rule},");
    }
    out.push_str("]\n");
    out
}

/// Role `granter` grants `permission_0`; roles `r0 … r{n-1}` each include it: `who-can` lists
/// every one (a chain of N roles would list N chains of up to N roles: an answer of N² names).
fn fan(n: usize) -> String {
    let mut out = format!("{HEAD}{}", permissions(10, |p| p + 1));
    out.push_str("[roles.granter]\nid = 1\ndescription = \"g\"\npermissions = [\"permission_0\"]\n\n");
    for r in 0..n {
        let _ = writeln!(out, "[roles.r{r}]\nid = {}\ndescription = \"r\"\nincludes = [\"granter\"]\n", r + 2);
    }
    out
}

/// Validates and renders every diagnostic, as `validate` does in human and JSON output.
fn validate_and_render(text: &str) -> usize {
    match role_gen::Project::from_bytes("roles.toml", text.as_bytes()) {
        Ok(project) => project.diagnostics().render_human(false).len() + project.diagnostics().to_json().len(),
        Err(d) => d.render_human(false).len() + d.to_json().len(),
    }
}

fn model(text: &str) -> role_gen::Model {
    role_gen::Project::from_bytes("roles.toml", text.as_bytes()).expect("valid").model().clone()
}

fn corners(c: &mut Criterion) {
    let mut group = c.benchmark_group("corners");
    group.sample_size(10);
    let cases: [Corner; 6] = [
        ("did_you_mean", did_you_mean, [2_000, 4_000]),
        ("duplicate_id", duplicate_id, [5_000, 10_000]),
        ("unknown_key", unknown_key, [5_000, 10_000]),
        ("errors_after_comment", errors_after_comment, [1_000_000, 2_000_000]),
        ("include_chain", chain, [15_000, 30_000]),
        ("policy_rules", policy_rules, [5_000, 10_000]),
    ];
    for (name, make, sizes) in cases {
        for n in sizes {
            let text = make(n);
            group.bench_with_input(BenchmarkId::new(name, n), &text, |b, text| b.iter(|| validate_and_render(text)));
        }
    }
    for n in [2_500, 5_000] {
        let model = model(&chain(n));
        let root = model.role("r0").expect("r0");
        group.bench_with_input(BenchmarkId::new("explain", n), &model, |b, model| {
            b.iter(|| {
                let chains = model.chains(root);
                model.roles()[root].effective.iter().filter_map(|p| chains.to(p)).map(|c| c.len()).sum::<usize>()
            })
        });
        let model = self::model(&fan(n));
        let p = model.permission("permission_0").expect("permission_0");
        group.bench_with_input(BenchmarkId::new("who_can", n), &model, |b, model| {
            b.iter(|| model.holders(p).iter().map(|(_, chain)| chain.len()).sum::<usize>())
        });
    }
    for n in [5_000, 10_000] {
        let text = format!("{HEAD}{}", permissions(n, |p| p + 1));
        let project = role_gen::Project::from_bytes("roles.toml", text.as_bytes()).expect("valid");
        group.bench_with_input(BenchmarkId::new("warnings", n), &project, |b, project| {
            b.iter(|| project.diagnostics().render_human(false).len())
        });
    }
    group.finish();
}

criterion_group!(benches, corners);
criterion_main!(benches);
