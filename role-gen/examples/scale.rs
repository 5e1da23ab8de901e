//! Validates and generates synthetic definitions of growing size once each, printing wall time
//! and the process's peak memory (Linux `VmHWM`). For the README's performance table:
//!
//! ```text
//! cargo run --release -p role-gen --example scale -- 10000 1000 [DEPTH]
//! WRITE=/tmp/roles.toml cargo run --release -p role-gen --example scale -- 10000 1000
//! FLOORS=/tmp/floors cargo run --release -p role-gen --example scale -- 10000 1000
//! ```

#[path = "../benches/floor.rs"]
mod floor;
#[path = "../benches/synthetic.rs"]
mod synthetic;

use std::time::Instant;

fn peak_memory_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<usize>());
    let permissions = args.next().transpose()?.unwrap_or(10_000);
    let roles = args.next().transpose()?.unwrap_or(1_000);
    let depth = args.next().transpose()?.unwrap_or(8);
    let text = synthetic::text(synthetic::Shape::new(permissions, roles).deep(depth));
    // `WRITE=path`: also write the definition, to time whole processes on it.
    if let Some(path) = std::env::var_os("WRITE") {
        std::fs::write(path, &text)?;
    }
    let start = Instant::now();
    let _: toml::Table = toml::from_str(&text)?;
    let parse = start.elapsed();
    let start = Instant::now();
    let project = role_gen::Project::from_bytes("roles.toml", text.as_bytes())?;
    let validate = start.elapsed();
    let start = Instant::now();
    let outputs = project.generate()?;
    let generate = start.elapsed();
    let bytes: usize = outputs.iter().map(|(_, t)| t.len()).sum();
    println!(
        "{permissions} permissions, {roles} roles ({} KiB roles.toml): toml parse {parse:.1?}, validate {validate:.1?}, generate {generate:.1?} ({} KiB out), peak memory {:.0} MiB",
        text.len() / 1024,
        bytes / 1024,
        peak_memory_mb().unwrap_or(f64::NAN)
    );
    // `FLOORS=dir`: the compile-time floors (see benches/floor.rs) and roles.rs / roles.ts.
    if let Some(dir) = std::env::var_os("FLOORS").map(std::path::PathBuf::from) {
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join("floor.rs"), floor::rust(project.model()))?;
        std::fs::write(dir.join("floor.ts"), floor::typescript(project.model()))?;
        for (path, text) in outputs.iter().filter(|(p, _)| *p == "roles.rs" || *p == "roles.ts") {
            std::fs::write(dir.join(path), text)?;
        }
    }
    if std::env::var_os("PER_TARGET").is_some() {
        per_target(&project);
    }
    Ok(())
}

fn per_target(project: &role_gen::Project) {
    for t in role_gen::Target::ALL {
        let start = Instant::now();
        let o = project
            .generate_with(&role_gen::render::RenderOptions::only(project.model(), &[t]))
            .map(|o| o.iter().map(|(_, t)| t.len()).sum::<usize>())
            .unwrap_or(0);
        println!("  {:<10} {:>8.1?} {:>6} KiB", t.as_str(), start.elapsed(), o / 1024);
    }
}
