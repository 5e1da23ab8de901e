//! The test programs of `tests/programs/` and the compilers that build and run them.
//!
//! A program is copied next to the generated code in a scratch folder (it `include!`s
//! `roles.rs` or imports `./roles.js` from there), compiled with every warning an error, and run;
//! what it prints is compared with the oracle by the test. Programs hold no placeholders: what
//! differs between definitions reaches them as arguments, as a data file the test writes, or (in
//! Rust, where an item exists only for some definitions) as a `--cfg`.
//!
//! - Rust: `roles_check.rs` (every answer of `roles.rs`), `policies.rs` (the policy evaluators on
//!   `table.tsv`), `roles_lib.rs` (`roles.rs` as a library, with the policy scaffold under
//!   `--cfg scaffold`).
//! - TypeScript: `roles_check.ts`, `policies.ts` and `policies_none.ts`, built with
//!   `tsconfig.json` (what the contract promises) and `node.d.ts` (the node API they use);
//!   `tsconfig.strictest.json` holds the options real projects turn on, for `roles.ts` alone.
//! - Protobuf: `buf.yaml`, the lint rules `roles.proto` must pass.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::{copy, run, rustc, tool, workspace_root};

/// Strings a name lookup must not be fooled by (prototype members, empty, case variants); the
/// check programs get them as arguments.
pub const PROBES: [&str; 12] = [
    "",
    "toString",
    "__proto__",
    "constructor",
    "hasOwnProperty",
    "valueOf",
    "prototype",
    "length",
    "name",
    "self",
    "Self",
    "none",
];

/// `tests/programs/<name>`.
pub fn program(name: &str) -> PathBuf {
    workspace_root().join("tests").join("programs").join(name)
}

/// Copies `tests/programs/<name>` to `<dir>/<as_name>`.
pub fn install(name: &str, dir: &Path, as_name: &str) {
    copy(&program(name), &dir.join(as_name));
}

/// A `--cfg` a Rust program tests: its name, and whether it is set for this definition.
pub type Cfg<'a> = (&'a str, bool);

/// `rustc --edition <edition> -D warnings` in `dir`, declaring every one of `cfgs` (so that an
/// unset one does not warn) and setting those that are set.
fn rustc_in(dir: &Path, edition: &str, cfgs: &[Cfg<'_>]) -> Command {
    let mut cmd = Command::new(rustc());
    cmd.current_dir(dir).args(["--edition", edition, "-D", "warnings"]);
    for &(name, set) in cfgs {
        cmd.arg("--check-cfg").arg(format!("cfg({name})"));
        if set {
            cmd.args(["--cfg", name]);
        }
    }
    cmd
}

/// Compiles `<dir>/<source>` into the binary `<dir>/<crate_name>` (edition 2021, every warning
/// an error) and returns its path. One rustc invocation.
pub fn rust_binary(dir: &Path, source: &str, crate_name: &str, cfgs: &[Cfg<'_>]) -> PathBuf {
    let exe = dir.join(if cfg!(windows) { format!("{crate_name}.exe") } else { crate_name.to_string() });
    run(rustc_in(dir, "2021", cfgs)
        .args(["-C", "debuginfo=0", "--crate-name", crate_name])
        .arg("-o")
        .arg(&exe)
        .arg(source));
    exe
}

/// Compiles `<dir>/<source>` as a library of `edition`, every warning an error; `emit` is
/// `metadata` (quick) or `link`.
pub fn rust_library(dir: &Path, source: &str, crate_name: &str, edition: &str, emit: &str, cfgs: &[Cfg<'_>]) {
    run(rustc_in(dir, edition, cfgs)
        .args(["--crate-type", "lib", "--emit", emit, "--crate-name", crate_name])
        .arg("-o")
        .arg(format!("lib{crate_name}.out"))
        .arg(source));
}

/// Writes `roles.ts` (copied from `roles_ts`), `tests/programs/<program>` as `check.ts` and the
/// project files (`tsconfig.json`, `node.d.ts`, `package.json`) into `dir`, and compiles them
/// with the pinned `tsc` into `<dir>/out`.
pub fn typescript_project(dir: &Path, roles_ts: &Path, program: &str) {
    let tsc = tool("tsc");
    copy(roles_ts, &dir.join("roles.ts"));
    install(program, dir, "check.ts");
    for file in ["tsconfig.json", "node.d.ts", "package.json"] {
        install(file, dir, file);
    }
    run(Command::new(&tsc).current_dir(dir).args(["-p", "tsconfig.json"]));
}

/// Runs the compiled `check.js` of a [`typescript_project`] with node, in `dir`, with `args`,
/// and reads the one JSON document it prints.
pub fn node_report(dir: &Path, args: &[&str]) -> Value {
    let stdout = run(Command::new("node").current_dir(dir).arg("out/check.js").args(args));
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("check.js printed no JSON ({e}):\n{stdout}"))
}
