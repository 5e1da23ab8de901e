//! Shared by the security tests: a scratch project, the binary, and what must never be printed.

use std::fs;
use std::path::{Path, PathBuf};

pub use assert_cmd::Command;

pub const MINIMAL: &str = "[project]\nname = \"p\"\n\n[entities.workspace]\ndescription = \"A workspace\"\n\n\
[permissions.view]\nid = 1\ndescription = \"View\"\n\n[roles.viewer]\nid = 1\ndescription = \"Views\"\n\
permissions = [\"view\"]\n";

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

pub fn role_gen(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("role-gen").expect("binary");
    cmd.current_dir(dir).env("NO_COLOR", "1");
    cmd
}

/// A scratch folder holding `project/` (with `roles.toml`) and `elsewhere/` beside it.
pub struct Scratch {
    pub tmp: tempfile::TempDir,
}

impl Scratch {
    pub fn new(roles_toml: &str) -> Scratch {
        let tmp = tempfile::tempdir().expect("tempdir");
        fs::create_dir_all(tmp.path().join("project")).expect("mkdir");
        fs::create_dir_all(tmp.path().join("elsewhere")).expect("mkdir");
        fs::write(tmp.path().join("project/roles.toml"), roles_toml).expect("write");
        Scratch { tmp }
    }

    pub fn project(&self) -> PathBuf {
        self.tmp.path().join("project")
    }

    pub fn elsewhere(&self) -> PathBuf {
        self.tmp.path().join("elsewhere")
    }

    pub fn run(&self, args: &[&str]) -> std::process::Output {
        role_gen(&self.project()).args(args).output().expect("run")
    }
}

/// Every file under `dir` with its bytes (links listed, not followed).
pub fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            let kind = entry.file_type().expect("file type");
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_symlink() {
                out.push((path.clone(), fs::read_link(&path).expect("link").into_os_string().into_encoded_bytes()));
            } else {
                out.push((path.clone(), fs::read(&path).expect("read")));
            }
        }
    }
    out.sort();
    out
}

/// Both streams, as text.
pub fn printed(out: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// The first character no terminal or CI log should receive raw, if any.
pub fn raw_control(text: &str) -> Option<char> {
    text.chars().find(|&c| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{061c}')
    })
}
