//! The names the `go` target takes (SPEC section 10), checked only when it is on. Every
//! constant of roles.go is its type's name and the PascalCase of the item's name
//! (`PermissionArchiveChannel`), and every custom predicate is a method of the `PolicyFacts`
//! interface (`ActorIsOwner()`): no name meets a Go keyword, yet a few meet another identifier.
//!
//! - `identifier-collision`: a permission named `set` (its constant would be the type
//!   `PermissionSet`), a policy named `facts` (the interface `PolicyFacts`), two predicates of
//!   one method (`level_2` and `level2` are both `Level2()`), and a predicate whose method is
//!   one `go vet` holds to a standard signature (`scan` would be `Scan()`, which vet requires to
//!   be `fmt.Scanner`'s).
//!
//! Every other exported identifier of roles.go is spelled so that no item's constant can meet
//! it (`PermissionsOn`: a PascalCase word never starts lowercase).

use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Model, Target};
use crate::names;
use crate::trust::Trust;

/// The generated identifiers an item's constant could spell: (kind, its type, the PascalCase
/// that meets the identifier).
const TAKEN: [(&str, &str, &str); 2] = [("permission", "Permission", "Set"), ("policy", "Policy", "Facts")];

/// The methods `go vet` (its `stdmethods` check) holds to the signature of a standard
/// interface; a predicate's method, `Name() bool`, would fail it.
const VET_METHODS: &[&str] = &[
    "As",
    "Format",
    "GobDecode",
    "GobEncode",
    "Is",
    "MarshalJSON",
    "MarshalXML",
    "ReadByte",
    "ReadFrom",
    "ReadRune",
    "Scan",
    "Seek",
    "UnmarshalJSON",
    "UnmarshalXML",
    "UnreadByte",
    "UnreadRune",
    "Unwrap",
    "WriteByte",
    "WriteTo",
];

/// Every rule of this module, when `targets` holds `go`.
pub(crate) fn run(model: &Model, targets: &[Target], trust: &Trust, diags: &mut Vec<Diagnostic>) {
    if !targets.contains(&Target::Go) {
        return;
    }
    constants_are_not_types(model, diags);
    predicate_methods(model, trust, diags);
}

// Rule: no item's constant is one of the generated types (`PermissionSet`, `PolicyFacts`).
fn constants_are_not_types(model: &Model, diags: &mut Vec<Diagnostic>) {
    let named = model
        .permissions
        .iter()
        .map(|p| ("permission", &p.name, &p.span))
        .chain(model.policies.iter().map(|p| ("policy", &p.name, &p.span)));
    for (kind, name, span) in named {
        let Some((_, ty, rest)) = TAKEN.iter().find(|(k, _, rest)| *k == kind && names::pascal(name) == *rest) else {
            continue;
        };
        diags.push(
            Diagnostic::new(
                Code::IdentifierCollision,
                span.clone(),
                format!("{kind} `{name}` becomes the Go constant `{ty}{rest}`, which is a type of the generated code"),
            )
            .label(format!("also the type `{ty}{rest}`"))
            .help("rename it (the `go` target is on): role-gen never renames silently"),
        );
    }
}

// Rule: each predicate is a `PolicyFacts` method of its own, and not one `go vet` reserves.
fn predicate_methods(model: &Model, trust: &Trust, diags: &mut Vec<Diagnostic>) {
    let mut seen: Vec<(String, &str)> = Vec::new();
    for policy in model.policies.iter().filter(|p| trust.policy(&p.name)) {
        for rule in &policy.rules {
            let Some(name) = rule.kind.predicate() else { continue };
            let method = names::pascal(name);
            match seen.iter().find(|(m, _)| *m == method) {
                Some((_, first)) if *first == name => continue,
                Some((_, first)) => diags.push(
                    Diagnostic::new(
                        Code::IdentifierCollision,
                        rule.span.clone(),
                        format!("predicates `{name}` and `{first}` both become the Go method `{method}`"),
                    )
                    .label(format!("also `{method}()`"))
                    .help("rename one of them (the `go` target is on): role-gen never renames silently"),
                ),
                None if VET_METHODS.contains(&method.as_str()) => diags.push(
                    Diagnostic::new(
                        Code::IdentifierCollision,
                        rule.span.clone(),
                        format!("predicate `{name}` becomes the Go method `{method}`, which `go vet` reserves"),
                    )
                    .label(format!("`go vet` requires `{method}` to have a standard interface's signature"))
                    .help("rename the predicate (the `go` target is on)"),
                ),
                None => {}
            }
            seen.push((method, name));
        }
    }
}

#[cfg(test)]
mod tests {
    /// The (code, message) of every error of `text`, with `[output] targets` set to `targets`.
    fn errors(targets: &str, body: &str) -> Vec<(String, String)> {
        let text = format!(
            "[project]\nname = \"x\"\n[output]\ntargets = [{targets}]\n[entities.org]\ndescription = \"O\"\n{body}"
        );
        match crate::validate_text("roles.toml", &text) {
            Ok(_) => Vec::new(),
            Err(d) => d
                .iter()
                .filter(|f| f.severity() == crate::Severity::Error)
                .map(|f| (f.code.as_str().to_string(), f.message.clone()))
                .collect(),
        }
    }

    fn policy(name: &str, rules: &str) -> String {
        format!("[policies.{name}]\nid = {}\ndescription = \"P\"\nentity = \"org\"\nrules = [{rules}]\n", name.len())
    }

    #[test]
    fn a_constant_cannot_be_a_generated_type() {
        let set = "[permissions.set]\nid = 1\ndescription = \"S\"\n";
        let found = errors("\"go\"", set);
        assert_eq!(
            found,
            [(
                "identifier-collision".into(),
                "permission `set` becomes the Go constant `PermissionSet`, which is a type of the generated code"
                    .into()
            )]
        );
        assert_eq!(errors("\"rust\"", set), []);
        assert_eq!(errors("\"go\"", "[permissions.set_x]\nid = 1\ndescription = \"S\"\n"), []);
        let facts = policy("facts", "{ allow_if = \"ok\" }");
        assert_eq!(
            errors("\"go\"", &facts)[0].1,
            "policy `facts` becomes the Go constant `PolicyFacts`, which is a type of the generated code"
        );
        assert_eq!(errors("\"json\"", &facts), []);
    }

    #[test]
    fn predicates_are_methods_of_their_own_that_vet_accepts() {
        let two = policy("p", "{ deny_if = \"level_2\" }, { allow_if = \"level2\" }, { allow_if = \"level_2\" }");
        let found = errors("\"go\"", &two);
        assert_eq!(
            found,
            [(
                "identifier-collision".into(),
                "predicates `level2` and `level_2` both become the Go method `Level2`".into()
            )]
        );
        assert_eq!(errors("\"rust\", \"typescript\"", &two), []);
        let scan =
            policy("p", "{ allow_if = \"scan\" }, { allow_if = \"marshal_j_s_o_n\" }, { allow_if = \"scanned\" }");
        let found = errors("\"go\"", &scan);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].1.contains("`Scan`, which `go vet` reserves"), "{found:?}");
        assert!(found[1].1.contains("`MarshalJSON`"), "{found:?}");
    }
}
