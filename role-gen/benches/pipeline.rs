//! The cost of each stage on the synthetic definitions (`synthetic.rs`: permissions with groups
//! and entity lists, 1,000 roles of 50 grants in include chains 8 deep, legacy levels, a
//! policy), against the floor measured in the same run: `toml_parse`, the bare `toml` crate
//! parsing the same text into a table.
//!
//! Targets, as ratios to `toml_parse` at 10,000 permissions: `validate` ≤ 1.5×, `generate`
//! (all five targets) ≤ 5×. `ROLE_GEN_BENCH_SIZES=1000,10000` picks the sizes (default 1,000,
//! 10,000, 50,000 and 65,535 permissions: ids stop at 65,535, so no definition holds more).

#[path = "synthetic.rs"]
mod synthetic;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

fn sizes() -> Vec<usize> {
    let given = std::env::var("ROLE_GEN_BENCH_SIZES").ok();
    let parsed = given.map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect::<Vec<usize>>());
    parsed.filter(|s| !s.is_empty()).unwrap_or_else(|| vec![1_000, 10_000, 50_000, 65_535])
}

fn stages(c: &mut Criterion) {
    let mut group = c.benchmark_group("pipeline");
    group.sample_size(10);
    for permissions in sizes() {
        let text = synthetic::definition(permissions, 1_000);
        group.bench_with_input(BenchmarkId::new("toml_parse", permissions), &text, |b, text| {
            b.iter(|| toml::from_str::<toml::Table>(text).map(|t| t.len()).unwrap_or(0));
        });
        group.bench_with_input(BenchmarkId::new("validate", permissions), &text, |b, text| {
            b.iter(|| {
                role_gen::Project::from_bytes("roles.toml", text.as_bytes())
                    .map(|p| p.model().roles().len())
                    .unwrap_or(0)
            });
        });
        let Ok(project) = role_gen::Project::from_bytes("roles.toml", text.as_bytes()) else {
            panic!("the synthetic definition is invalid");
        };
        group.bench_with_input(BenchmarkId::new("generate", permissions), &project, |b, project| {
            b.iter(|| project.generate().map(|o| o.len()).unwrap_or(0));
        });
    }
    group.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
