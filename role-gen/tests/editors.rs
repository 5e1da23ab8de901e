//! Editors and shells (SPEC section 9), through the real programs:
//!
//! - shell completion in bash, zsh and fish: each shell sources `role-gen completions SHELL` and
//!   completes a command line by its own machinery (bash: the function `complete -p` names, as
//!   readline calls it; zsh: the completion system in an interactive shell on a pseudo-terminal,
//!   TAB pressed; fish: `complete --do-complete`), in a folder below roles.toml;
//! - what `init` writes is checked by the pinned taplo through its `#:schema` line alone.
//!
//! A missing shell or taplo fails the test: `scripts/test` installs them.

use std::fs;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

fn role_gen() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_role-gen"))
}

/// A shell found on `PATH`; missing, the test fails with what to do.
fn shell(name: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|p| p.is_file()).unwrap_or_else(|| {
        panic!(
            "`{name}` is not installed: these tests run each shell's own completion.\n\
             Run the tests with `scripts/test` (it installs bash, zsh and fish from Debian packages\n\
             when missing), or: apt-get install -y --no-install-recommends zsh fish"
        )
    })
}

/// Runs `cmd` to its end (at most a minute: a shell waiting on a terminal must not hang the
/// suite); its stdout, with the stderr.
fn run(mut cmd: Command) -> (String, String) {
    let mut child = cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn");
    let (mut out, mut err) = (child.stdout.take().expect("stdout"), child.stderr.take().expect("stderr"));
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = err.read_to_string(&mut text);
        text
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut stdout = String::new();
    let _ = out.read_to_string(&mut stdout);
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{cmd:?} did not finish:\n{stdout}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    (stdout, reader.join().unwrap_or_default())
}

/// A project: roles.toml (the minimal example, and a role whose description would drive a
/// terminal), a folder below it to complete in, and another project beside it.
struct Project {
    dir: tempfile::TempDir,
}

const HOSTILE_ROLE: &str = "\n[roles.auditor]\nid = 3\ndescription = \"Reads \\u001b[2J\\u001b]0;pwned\\u0007 audit logs\\u202e\"\npermissions = []\n";

impl Project {
    fn new() -> Project {
        let dir = tempfile::tempdir().expect("tempdir");
        let minimal = fs::read_to_string(workspace().join("definitions/minimal/roles.toml")).expect("read");
        fs::create_dir_all(dir.path().join("proj/src/deep")).expect("mkdir");
        fs::write(dir.path().join("proj/roles.toml"), format!("{minimal}{HOSTILE_ROLE}")).expect("write");
        fs::create_dir_all(dir.path().join("other")).expect("mkdir");
        let other = "[project]\nname = \"other\"\n\n[roles.billing_admin]\nid = 1\ndescription = \"Runs billing\"\n";
        fs::write(dir.path().join("other/roles.toml"), other).expect("write");
        fs::create_dir_all(dir.path().join("home")).expect("mkdir");
        Project { dir }
    }

    /// Where completion runs: two folders below roles.toml.
    fn cwd(&self) -> PathBuf {
        self.dir.path().join("proj/src/deep")
    }

    /// A shell command with a home of its own (no user configuration is read or written).
    fn command(&self, shell_name: &str) -> Command {
        let home = self.dir.path().join("home");
        let mut cmd = Command::new(shell(shell_name));
        cmd.current_dir(self.cwd())
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_DATA_HOME", home.join(".local/share"))
            .env("XDG_CACHE_HOME", home.join(".cache"))
            .env_remove("COMPLETE")
            .env("TERM", "dumb");
        cmd
    }

    /// The candidates `shell` offers for `line` (the cursor at its end), one each.
    fn complete(&self, shell: &str, line: &str) -> Vec<String> {
        let (out, err) = match shell {
            "bash" => run(self.bash(line)),
            "zsh" => run(self.zsh(line)),
            "fish" => run(self.fish(line)),
            _ => unreachable!(),
        };
        assert!(!err.contains("panicked") && !err.contains("error:"), "{shell} `{line}`: {err}");
        let lines = out.lines().map(|l| l.trim_end_matches('\r'));
        let candidates: Vec<String> = match shell {
            // zsh: after the marker (the first shares its line with the echo of what was typed).
            "zsh" => lines.filter_map(|l| l.split_once("::match::")).map(|(_, c)| c.to_string()).collect(),
            // fish: a candidate, a tab, its description.
            _ => lines.filter(|l| !l.is_empty()).map(|l| l.split('\t').next().unwrap_or(l).to_string()).collect(),
        };
        candidates
    }

    /// bash: the function `complete -p role-gen` names, called as readline calls it.
    fn bash(&self, line: &str) -> Command {
        let script = format!(
            r#"eval "$({bin} completions bash)"
spec=$(complete -p role-gen) || exit 3
fn=${{spec##*-F }}; fn=${{fn%% *}}
read -r -a COMP_WORDS <<< {line:?}
[[ {line:?} == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
COMP_LINE={line:?}; COMP_POINT=${{#COMP_LINE}}; COMP_TYPE=9; COMP_KEY=9
"$fn" role-gen "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
printf '%s\n' "${{COMPREPLY[@]}}"
"#,
            bin = role_gen().display()
        );
        let mut cmd = self.command("bash");
        cmd.args(["--noprofile", "--norc", "-c", &script]);
        cmd
    }

    /// zsh: an interactive zsh on a pseudo-terminal (zsh/zpty) with the completion system
    /// loaded; the line is typed and TAB pressed. `compadd` reports what the completion adds
    /// (after zsh's own matching), and a post-completion hook says when it is done.
    fn zsh(&self, line: &str) -> Command {
        let home = self.dir.path().join("home");
        let setup = home.join("setup.zsh");
        let hooks = r#"PROMPT='' RPROMPT=''
autoload -Uz compinit && compinit -u -D
zstyle ':completion:*' list-grouped false
compadd() {
  local -a opts=("${(@)@[1,${@[(i)--]}]}")
  if (( ${opts[(I)-[OAD]*]} )); then builtin compadd "$@"; return; fi
  local -a hits
  builtin compadd -A hits "$@"
  (( $#hits )) && print -rl -- "::match::"${^hits}
  builtin compadd "$@"
}
_rg_done() { print -r -- '::done::' }
comppostfuncs=(_rg_done)
bindkey '^I' complete-word
"#;
        let registration = format!("eval \"$({} completions zsh)\"\nprint -r -- '::ready::'\n", role_gen().display());
        fs::write(&setup, format!("{hooks}{registration}")).expect("write");
        let driver = format!(
            r#"zmodload zsh/zpty || exit 3
zpty rg zsh -f -i
zpty -w rg "source {setup}"
zpty -r -m rg out '*::ready::*' || exit 4
zpty -w -n rg {line:?}$'\t'
zpty -r -m rg out '*::done::*' || exit 5
print -r -- "$out"
zpty -d rg
"#,
            setup = setup.display()
        );
        let mut cmd = self.command("zsh");
        cmd.args(["-f", "-c", &driver]);
        cmd
    }

    /// fish: `complete --do-complete`, after sourcing the script.
    fn fish(&self, line: &str) -> Command {
        let script = format!("{} completions fish | source; complete --do-complete {line:?}", role_gen().display());
        let mut cmd = self.command("fish");
        cmd.args(["--no-config", "-c", &script]);
        cmd
    }
}

/// The candidates that are names (not flags).
fn names(candidates: &[String]) -> Vec<&str> {
    let mut names: Vec<&str> = candidates.iter().map(String::as_str).filter(|c| !c.starts_with('-')).collect();
    names.sort_unstable();
    names.dedup();
    names
}

const SHELLS: [&str; 3] = ["bash", "zsh", "fish"];

#[test]
fn every_shell_completes_subcommands_and_the_flags_of_subcommands() {
    let p = Project::new();
    for sh in SHELLS {
        let top = p.complete(sh, "role-gen ");
        for command in ["grant", "who-can", "schema", "completions"] {
            assert!(top.iter().any(|c| c == command), "{sh}: `role-gen <TAB>` lacks {command}: {top:?}");
        }
        // clap-rs/clap#6421: the static bash script offered nothing here.
        assert_eq!(names(&p.complete(sh, "role-gen add ")), ["entity", "help", "permission", "policy", "role"], "{sh}");
        let flags = p.complete(sh, "role-gen add permission --gr");
        assert_eq!(names(&flags), Vec::<&str>::new(), "{sh}");
        assert_eq!(flags.iter().filter(|f| f.starts_with("--gr")).count(), 2, "{sh}: {flags:?}");
        assert!(flags.contains(&"--grant".to_string()) && flags.contains(&"--group".to_string()), "{sh}: {flags:?}");
    }
}

#[test]
fn every_shell_completes_the_names_of_the_nearest_roles_toml() {
    let p = Project::new();
    for sh in SHELLS {
        assert_eq!(names(&p.complete(sh, "role-gen grant ")), ["admin", "auditor", "viewer"], "{sh}");
        // Then the permissions the role does not grant yet, and not those already on the line.
        assert_eq!(names(&p.complete(sh, "role-gen grant viewer ")), ["edit_settings", "invite_members"], "{sh}");
        assert_eq!(names(&p.complete(sh, "role-gen grant viewer invite_members ")), ["edit_settings"], "{sh}");
        assert_eq!(names(&p.complete(sh, "role-gen revoke admin ")), ["edit_settings", "invite_members"], "{sh}");
        assert_eq!(names(&p.complete(sh, "role-gen remove permission inv")), ["invite_members"], "{sh}");
        assert_eq!(names(&p.complete(sh, "role-gen who-can view_settings --on ")), ["workspace"], "{sh}");
        // `-f` on the line is the file the names come from.
        assert_eq!(names(&p.complete(sh, "role-gen -f ../../../other/roles.toml grant ")), ["billing_admin"], "{sh}");
    }
}

#[test]
fn fish_shows_descriptions_escaped_like_all_user_text() {
    let p = Project::new();
    let (out, err) = run(p.fish("role-gen grant au"));
    assert_eq!(err, "");
    assert!(
        !out.contains(['\u{1b}', '\u{7}', '\u{202e}']),
        "a raw control or bidi character reached the shell: {out:?}"
    );
    assert_eq!(out.trim_end(), "auditor\tReads \\u{1b}[2J\\u{1b}]0;pwned\\u{7} audit logs\\u{202e}");
}

/// `COMPLETE=fish role-gen -- WORDS`: what the scripts call at each TAB.
fn ask(dir: &Path, words: &[&str]) -> (String, String, Option<i32>) {
    let out =
        Command::new(role_gen()).current_dir(dir).env("COMPLETE", "fish").arg("--").args(words).output().expect("run");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
    )
}

#[test]
fn completion_reads_roles_toml_as_every_command_does_and_quietly() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let names_offered = |words: &[&str]| {
        let (out, err, code) = ask(dir, words);
        assert_eq!((err.as_str(), code), ("", Some(0)), "{words:?}");
        out.lines()
            .map(|l| l.split('\t').next().unwrap_or("").to_string())
            .filter(|c| !c.starts_with('-'))
            .collect::<Vec<_>>()
    };
    // A file with errors still offers the names it declares.
    fs::write(
        dir.join("roles.toml"),
        "[project]\nname = \"x\"\n[roles.a]\nid = 1\ndescription = \"A\"\npermissions = [\"nope\"]\n",
    )
    .expect("write");
    assert_eq!(names_offered(&["role-gen", "grant", ""]), ["a"]);
    // Bad TOML, bad UTF-8, no roles.toml at all: no names, nothing printed, subcommands still.
    for bytes in [&b"[project\nname = 1"[..], &b"[project]\nname = \"\xff\"\n"[..]] {
        fs::write(dir.join("roles.toml"), bytes).expect("write");
        assert_eq!(names_offered(&["role-gen", "grant", ""]), Vec::<String>::new());
        assert!(names_offered(&["role-gen", "gr"]).contains(&"grant".to_string()));
    }
    fs::remove_file(dir.join("roles.toml")).expect("remove");
    assert_eq!(names_offered(&["role-gen", "grant", ""]), Vec::<String>::new());
    assert_eq!(names_offered(&["role-gen", "-f", "missing.toml", "grant", ""]), Vec::<String>::new());
}

#[cfg(unix)]
#[test]
fn completion_never_reads_through_a_link_out_of_the_folder() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (outside, project) = (tmp.path().join("outside"), tmp.path().join("project"));
    fs::create_dir_all(&outside).expect("mkdir");
    fs::create_dir_all(&project).expect("mkdir");
    let secret = "[project]\nname = \"x\"\n[roles.secret_role]\nid = 1\ndescription = \"A secret\"\n";
    fs::write(outside.join("roles.toml"), secret).expect("write");
    std::os::unix::fs::symlink(outside.join("roles.toml"), project.join("roles.toml")).expect("link");
    let (out, err, code) = ask(&project, &["role-gen", "grant", ""]);
    assert_eq!((err.as_str(), code), ("", Some(0)));
    assert!(!out.contains("secret"), "completion read through a link out of the folder: {out}");
}

#[test]
fn completions_prints_a_script_for_every_shell_that_calls_role_gen_back() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = Command::new(role_gen()).args(["completions", shell]).output().expect("run");
        let script = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{shell}");
        assert!(script.contains("COMPLETE") && script.contains(&*role_gen().to_string_lossy()), "{shell}: {script}");
        // The same script as `COMPLETE=SHELL role-gen`, the form that renews itself.
        let env = Command::new(role_gen()).env("COMPLETE", shell).output().expect("run");
        assert_eq!(String::from_utf8_lossy(&env.stdout), script, "{shell}");
    }
}

/// The pinned taplo; missing, the test fails.
fn taplo() -> PathBuf {
    let bin = workspace().join("tests/tools/.venv/bin/taplo");
    assert!(bin.is_file(), "the pinned judge `taplo` is not installed ({}); run `scripts/test`", bin.display());
    bin
}

/// `taplo check` on one file with the schema its `#:schema` line names: did it pass, and its log.
fn taplo_check(dir: &Path, file: &str) -> (bool, String) {
    let out = Command::new(taplo())
        .current_dir(dir)
        .args(["check", "--no-auto-config", "--colors", "never", file])
        .output()
        .expect("run taplo");
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn taplo_checks_what_init_writes_through_its_schema_line_alone() {
    for example in ["minimal", "slack"] {
        let tmp = tempfile::tempdir().expect("tempdir");
        let status = Command::new(role_gen()).current_dir(tmp.path()).args(["init", "--example", example]).status();
        assert!(status.expect("run").success());
        let roles = fs::read_to_string(tmp.path().join("roles.toml")).expect("read");
        assert!(roles.starts_with("#:schema ./roles.schema.json\n"), "{roles}");
        for check in [&["validate", "--deny-warnings"][..], &["fmt", "--check"]] {
            let out = Command::new(role_gen()).current_dir(tmp.path()).args(check).output().expect("run");
            assert!(out.status.success(), "{example}: {check:?}: {}", String::from_utf8_lossy(&out.stdout));
        }
        // Beside it, a copy with a misspelt key: taplo finds the schema from the line itself.
        // Each file is checked alone: taplo's exit code is the verdict, not its log lines.
        fs::write(tmp.path().join("typo.toml"), roles.replacen("\nname = ", "\nnmae = ", 1)).expect("write");
        let (ok, log) = taplo_check(tmp.path(), "roles.toml");
        assert!(ok && !log.contains("error:"), "{example}: taplo refused what init wrote:\n{log}");
        let (ok, log) = taplo_check(tmp.path(), "typo.toml");
        assert!(!ok, "{example}: taplo accepted the misspelt key:\n{log}");
        let line = roles[..roles.find("\nname = ").expect("a name")].lines().count() + 1;
        let at = format!("typo.toml:{line}:1");
        assert!(log.contains(&at) && log.contains("'nmae' was unexpected"), "{example}: {at}: {log}");
    }
}
