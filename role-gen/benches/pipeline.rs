//! The cost of each stage on synthetic definitions (see `synthetic.rs`).
//!
//! Targets (10,000 permissions, 1,000 roles): validate < 100 ms, generate all five targets
//! < 500 ms. `toml_parse` is the floor: parsing the same text with the `toml` crate alone.

#[path = "synthetic.rs"]
mod synthetic;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

fn stages(c: &mut Criterion) {
    let mut group = c.benchmark_group("pipeline");
    group.sample_size(10);
    for permissions in [1_000, 10_000, 50_000] {
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
