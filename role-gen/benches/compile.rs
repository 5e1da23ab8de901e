//! What the generated code costs the compilers that read it, against floors written from the
//! same model in the cheapest shape (`floor.rs`), measured in the same run:
//!
//! - `rustc/generated` and `rustc/floor`: a debug build of `roles.rs` as a library. Target:
//!   generated ≤ 2× floor.
//! - `tsc/generated` and `tsc/floor`: `tsc --strict --noEmit` on `roles.ts`. Target: ≤ 2×.
//!
//! The definition is the synthetic one (`synthetic.rs`) at `ROLE_GEN_BENCH_PERMISSIONS`
//! permissions (default 10,000) and 1,000 roles. tsc comes from `tests/tools` (`npm ci --prefix
//! tests/tools`); without it the tsc pair is skipped with a message.

#[path = "floor.rs"]
mod floor;
#[path = "synthetic.rs"]
mod synthetic;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use role_gen::Target;

fn permissions() -> usize {
    std::env::var("ROLE_GEN_BENCH_PERMISSIONS").ok().and_then(|n| n.parse().ok()).unwrap_or(10_000)
}

/// The generated `roles.rs` and `roles.ts` and their floors, written into `dir`.
fn sources(dir: &Path) -> [(String, PathBuf); 4] {
    let text = synthetic::definition(permissions(), 1_000);
    let project =
        role_gen::Project::from_bytes("roles.toml", text.as_bytes()).expect("the synthetic definition is valid");
    let options = role_gen::render::RenderOptions::only(project.model(), &[Target::Rust, Target::TypeScript]);
    let outputs = project.generate_with(&options).expect("generates");
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write");
        path
    };
    let get = |rel: &str| outputs.get(rel).expect("generated").to_string();
    [
        ("rustc/generated".into(), write("roles.rs", &get("roles.rs"))),
        ("rustc/floor".into(), write("floor.rs", &floor::rust(project.model()))),
        ("tsc/generated".into(), write("roles.ts", &get("roles.ts"))),
        ("tsc/floor".into(), write("floor.ts", &floor::typescript(project.model()))),
    ]
}

fn rustc(file: &Path, out: &Path) -> bool {
    Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .args(["--edition", "2024", "--crate-type", "lib", "--crate-name", "roles", "-C", "opt-level=0", "-o"])
        .arg(out)
        .arg(file)
        .status()
        .is_ok_and(|s| s.success())
}

fn tsc_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/tools/node_modules/.bin/tsc")
}

fn tsc(file: &Path) -> bool {
    Command::new(tsc_path())
        .args(["--strict", "--noEmit", "--skipLibCheck", "--target", "es2020", "--lib", "es2020"])
        .arg(file)
        .status()
        .is_ok_and(|s| s.success())
}

fn compile(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let files = sources(dir.path());
    let mut group = c.benchmark_group("compile");
    group.sample_size(10).measurement_time(Duration::from_secs(60));
    for (name, file) in &files {
        let is_ts = name.starts_with("tsc");
        if is_ts && !tsc_path().exists() {
            eprintln!("{name}: skipped, no tsc in tests/tools (run `npm ci --prefix tests/tools`)");
            continue;
        }
        let out = dir.path().join(format!("{}.rlib", name.replace('/', "-")));
        group.bench_function(name.as_str(), |b| {
            b.iter(|| assert!(if is_ts { tsc(file) } else { rustc(file, &out) }, "{name} does not compile"))
        });
    }
    group.finish();
}

criterion_group!(benches, compile);
criterion_main!(benches);
