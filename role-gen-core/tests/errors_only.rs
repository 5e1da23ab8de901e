//! `validate_errors` (what the derive macro runs) finds exactly the errors `validate` finds,
//! on every definition of the repository: the examples, the invalid and warning corpora, the
//! hostile and edge files.

use std::path::{Path, PathBuf};

fn corpus() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = vec![root.join("definitions/slack/roles.toml"), root.join("definitions/minimal/roles.toml")];
    for dir in ["tests/invalid", "tests/warnings", "tests/hostile", "tests/edge"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else { panic!("{dir} is missing") };
        files.extend(
            entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "toml")),
        );
    }
    files.sort();
    files
}

fn errors(result: Result<role_gen_core::Validated, role_gen_core::Diagnostics>) -> Vec<(String, String)> {
    match result {
        Ok(_) => Vec::new(),
        Err(d) => d.errors().map(|e| (e.code.to_string(), format!("{:?}", e.span))).collect(),
    }
}

#[test]
fn errors_only_finds_every_error_validate_finds() {
    let files = corpus();
    assert!(files.len() > 100, "the corpus shrank to {} files", files.len());
    for file in files {
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap_or_default()).into_owned();
        let source = || {
            role_gen_core::SourceFile::new("roles.toml", text.as_str())
                .with_base(file.parent().unwrap_or(Path::new(".")))
        };
        let all = errors(role_gen_core::validate(source()));
        let only = errors(role_gen_core::validate_errors(source()));
        assert_eq!(all, only, "{}", file.display());
    }
}
