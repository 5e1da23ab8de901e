//! The derive's cost: expanding a 100-variant enum against a 10,000-permission roles.toml,
//! the first time in a process (`first_expansion`: read, parse, validate, expand) and after
//! (`cached`), beside the floor measured in the same process: `toml_parse`, the bare `toml`
//! crate parsing the same text. Targets: the first expansion at most 1.2× the parse; a cached
//! one under 50 ms. Also proves that 200 derives in one process parse roles.toml once.
//!
//! The proc-macro crate cannot export functions, so the bench compiles its modules directly.

#[path = "../src/attrs.rs"]
mod attrs;
#[path = "../src/cache.rs"]
mod cache;
#[path = "../src/expand.rs"]
mod expand;
#[path = "../../role-gen/benches/synthetic.rs"]
mod synthetic;

use std::path::Path;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};

fn derive_input(file: &Path, variants: usize, offset: usize) -> syn::DeriveInput {
    let file = file.to_string_lossy();
    let arms =
        (0..variants).map(|i| format!("#[permission(perm_{})] V{i},", (i + offset) * 97 % 10_000)).collect::<String>();
    let source = format!("#[roles(file = {file:?})] enum Action {{ {arms} }}");
    syn::parse_str(&source).unwrap_or_else(|e| panic!("bench input: {e}"))
}

fn bench(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("role-macros-bench-{}", std::process::id()));
    let file = dir.join("roles.toml");
    std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(&file, synthetic::definition(10_000, 1_000)))
        .unwrap_or_else(|e| panic!("{e}"));

    let input = derive_input(&file, 100, 0);
    let before = cache::parse_count();
    let start = Instant::now();
    let first = expand::derive(&input);
    println!("first expansion, parse included: {:.1?}", start.elapsed());
    assert!(!first.to_string().contains("compile_error"), "the bench derive failed: {first}");

    for i in 0..200 {
        let _ = expand::derive(&derive_input(&file, 5, i));
    }
    assert_eq!(cache::parse_count() - before, 1, "201 derives must parse roles.toml once");

    c.bench_function("derive/100_variants_10k_permissions_cached", |b| b.iter(|| expand::derive(&input)));
    let text = synthetic::definition(10_000, 1_000);
    let mut group = c.benchmark_group("derive_first");
    group.sample_size(10);
    group.bench_function("toml_parse", |b| {
        b.iter(|| toml::from_str::<toml::Table>(&text).map(|t| t.len()).unwrap_or(0))
    });
    // Each expansion meets a roles.toml whose bytes changed (a comment appended), so the cache
    // misses and the file is read, parsed and validated again: what a first expansion costs.
    let mut edition = 0u64;
    group.bench_function("first_expansion", |b| {
        b.iter_batched(
            || {
                edition += 1;
                std::fs::write(&file, format!("{text}# {edition}\n")).unwrap_or_else(|e| panic!("{e}"));
            },
            |()| expand::derive(&input),
            criterion::BatchSize::PerIteration,
        )
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, bench);
criterion_main!(benches);
