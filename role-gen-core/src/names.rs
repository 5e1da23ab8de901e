//! Names: what a valid one is, and the spellings the checks and the derive macro rely on (Rust
//! variants and functions, with Rust's keywords, so collisions are found before rendering).
//! How each generated language spells everything else is the renderer's naming oracle, in
//! `role-gen`'s `render` module.

/// The longest name allowed.
pub const MAX_NAME_LEN: usize = 64;

/// Whether `name` is ASCII snake_case, `[a-z][a-z0-9]*(_[a-z0-9]+)*`, at most 64 characters.
pub fn is_valid_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= MAX_NAME_LEN
        && bytes[0].is_ascii_lowercase()
        && !name.ends_with('_')
        && !name.contains("__")
        && bytes.iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_')
}

/// Why a name is not valid, for the diagnostic's help.
pub fn name_problem(name: &str) -> &'static str {
    if name.is_empty() {
        "a name cannot be empty"
    } else if !name.is_ascii() {
        "names are ASCII only"
    } else if name.len() > MAX_NAME_LEN {
        "names are at most 64 characters"
    } else if name.bytes().any(|b| b.is_ascii_uppercase()) {
        "names are lowercase snake_case"
    } else if !name.as_bytes()[0].is_ascii_lowercase() {
        "a name starts with a letter a-z"
    } else if name.contains("__") || name.ends_with('_') {
        "underscores separate words: no double or trailing underscore"
    } else {
        "names hold only a-z, 0-9 and single underscores"
    }
}

/// ASCII letters that non-ASCII look-alikes (Cyrillic, Greek, Latin extensions) pass for.
fn look_alike(c: char) -> Option<char> {
    let ascii = match c {
        'а' | 'α' => 'a',
        'с' | 'ϲ' => 'c',
        'ԁ' => 'd',
        'е' | 'ε' => 'e',
        'ɡ' => 'g',
        'һ' => 'h',
        'і' | 'ι' => 'i',
        'ј' => 'j',
        'κ' => 'k',
        'ո' => 'n',
        'о' | 'ο' => 'o',
        'р' | 'ρ' => 'p',
        'ѕ' => 's',
        'υ' => 'u',
        'ν' => 'v',
        'ԝ' => 'w',
        'х' | 'χ' => 'x',
        'у' | 'γ' => 'y',
        _ => return None,
    };
    Some(ascii)
}

/// The first non-ASCII character of `name` and, if it poses as one, the ASCII letter it mimics.
pub fn first_non_ascii(name: &str) -> Option<(char, Option<char>)> {
    name.chars().find(|c| !c.is_ascii()).map(|c| (c, look_alike(c)))
}

/// Suggests a valid spelling of an invalid name, when an obvious one exists.
pub fn suggest_valid(name: &str) -> Option<String> {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in name.chars().map(|c| look_alike(c).unwrap_or(c)) {
        if c.is_ascii_uppercase() && prev_lower {
            out.push('_');
        }
        match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' => out.push(c.to_ascii_lowercase()),
            '_' | '-' | ' ' | '.' => out.push('_'),
            _ => return None,
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
    }
    let parts: Vec<&str> = out.split('_').filter(|p| !p.is_empty()).collect();
    let candidate = parts.join("_");
    (is_valid_name(&candidate) && candidate != name).then_some(candidate)
}

/// `archive_channel` -> `ArchiveChannel`; `level_2` -> `Level2`. (One pass into one string:
/// validation spells every name of a 10,000-permission file this way.)
pub fn pascal(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut word_start = true;
    for c in name.chars() {
        if c == '_' {
            word_start = true;
        } else if std::mem::take(&mut word_start) {
            out.push(c.to_ascii_uppercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `archive_channel` -> `ARCHIVE_CHANNEL`.
pub fn screaming(name: &str) -> String {
    name.to_ascii_uppercase()
}

/// The Rust variant for a name: its PascalCase, with a trailing `_` when that is a keyword
/// (`self` -> `Self_`; every other Rust keyword is lowercase, so cannot be a PascalCase word).
pub fn rust_variant(name: &str) -> String {
    let pascal = pascal(name);
    if pascal == "Self" { pascal + "_" } else { pascal }
}

/// Rust's keywords: strict, reserved, and those editions 2018 and 2024 added. (Weak keywords
/// such as `union` and `raw` are ordinary identifiers where a function name goes.)
const RUST_KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate", "do", "dyn", "else",
    "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro", "match", "mod",
    "move", "mut", "override", "priv", "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true",
    "try", "type", "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords a raw identifier cannot spell (`r#self` is an error).
const NOT_RAW: &[&str] = &["self", "super", "crate"];

/// A snake_case name as a Rust function or method name: a keyword becomes a raw identifier
/// (`type` -> `r#type`), except the three that cannot be raw, which get a trailing `_`
/// (`self` -> `self_`; no valid name ends in `_`, so this never meets another name).
pub fn rust_fn(name: &str) -> String {
    if NOT_RAW.contains(&name) {
        format!("{name}_")
    } else if RUST_KEYWORDS.contains(&name) {
        format!("r#{name}")
    } else {
        name.to_string()
    }
}

/// The kinds of name roles.toml declares and refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NameKind {
    Entity,
    Permission,
    Role,
    LegacyLevel,
    Policy,
}

impl NameKind {
    /// The word users read: `permission`, `legacy level`.
    pub const fn noun(self) -> &'static str {
        match self {
            NameKind::Entity => "entity",
            NameKind::Permission => "permission",
            NameKind::Role => "role",
            NameKind::LegacyLevel => "legacy level",
            NameKind::Policy => "policy",
        }
    }

    /// The `[reserved]` key that keeps the names of removed ones (SPEC section 1); legacy levels
    /// have none.
    pub const fn reserved_key(self) -> Option<&'static str> {
        match self {
            NameKind::Entity => Some("entity_names"),
            NameKind::Permission => Some("permission_names"),
            NameKind::Role => Some("role_names"),
            NameKind::Policy => Some("policy_names"),
            NameKind::LegacyLevel => None,
        }
    }

    /// The code of a reference to one that the file does not define.
    pub const fn unknown_code(self) -> crate::codes::Code {
        use crate::codes::Code;
        match self {
            NameKind::Entity => Code::UnknownEntity,
            NameKind::Permission => Code::UnknownPermission,
            NameKind::Role => Code::UnknownRole,
            NameKind::LegacyLevel => Code::UnknownLegacyLevel,
            NameKind::Policy => Code::UnknownPolicy,
        }
    }
}

/// The methods the generated `PolicyFacts` trait has besides the predicates: a predicate may
/// not take one of these names (`identifier-collision`).
pub const FACT_METHODS: [&str; 2] = ["legacy_level", "has_permission"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity_follows_the_spec_grammar() {
        for ok in ["a", "archive_channel", "level_2", "a1_b2", &"x".repeat(64)] {
            assert!(is_valid_name(ok), "{ok}");
        }
        for bad in ["", "A", "_a", "a_", "a__b", "1a", "a-b", "аrchive", &"x".repeat(65)] {
            assert!(!is_valid_name(bad), "{bad}");
        }
    }

    #[test]
    fn casing() {
        assert_eq!(pascal("level_2"), "Level2");
        assert_eq!(rust_variant("self"), "Self_");
        assert_eq!(screaming("level_2"), "LEVEL_2");
        assert_eq!(suggest_valid("ArchiveChannel").as_deref(), Some("archive_channel"));
    }

    #[test]
    fn rust_functions_escape_keywords() {
        let cases = [("type", "r#type"), ("gen", "r#gen"), ("self", "self_"), ("super", "super_"), ("crate", "crate_")];
        for (name, function) in cases.into_iter().chain([("union", "union"), ("actor_created", "actor_created")]) {
            assert_eq!(rust_fn(name), function, "{name}");
        }
    }
}
