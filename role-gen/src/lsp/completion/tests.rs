use lsp_types::Uri;

use super::*;
use crate::lsp::index::inner;
use crate::lsp::scan::Spot;

fn doc(text: &str) -> Document {
    let uri: Uri = "file:///w/roles.toml".parse().unwrap_or_else(|e| panic!("{e}"));
    Document::new(uri, 1, text.to_string())
}

/// The labels offered at the `|` of `text`.
fn offered(text: &str) -> Vec<String> {
    let offset = text.find('|').unwrap_or(text.len());
    let doc = doc(&text.replace('|', ""));
    let position = doc.lines.position(&doc.text, offset);
    complete(&doc, position).items.into_iter().map(|i| i.label).collect()
}

const HEAD: &str = "[project]\nname = \"p\"\n\n[entities.org]\ndescription = \"o\"\n[entities.team]\ndescription = \"t\"\n\
                    parent = \"org\"\n\n[permissions.read]\nid = 1\ndescription = \"r\"\n[permissions.write]\nid = 2\n\
                    description = \"w\"\n\n[roles.viewer]\nid = 1\ndescription = \"v\"\npermissions = [\"read\"]\n\n\
                    [legacy]\nlevels = [\"guest\", \"owner\"]\n\n";

#[test]
fn names_are_offered_by_what_the_key_refers_to_also_in_a_file_that_does_not_parse() {
    let grants = format!("{HEAD}[roles.admin]\nid = 2\ndescription = \"a\"\npermissions = [\"read\", \"|");
    assert!(grants.replace('|', "").parse::<toml::Table>().is_err());
    assert_eq!(offered(&grants), ["write"], "`read` is listed already");
    assert_eq!(offered(&format!("{HEAD}[roles.admin]\nincludes = [|]")), ["viewer"]);
    assert_eq!(offered(&format!("{HEAD}[roles.viewer2]\nincludes = [\"v|\"]")), ["viewer"]);
    assert_eq!(offered(&format!("{HEAD}[entities.team2]\nparent = \"|\"")), ["org", "team"]);
    assert_eq!(offered(&format!("{HEAD}[entities.team]\nparent = \"|\"")), ["org"], "not itself");
    assert_eq!(offered(&format!("{HEAD}[policies.x]\nrules = [{{ allow_if_legacy_at_least = \"|")), ["guest", "owner"]);
    assert_eq!(offered(&format!("{HEAD}[[tests]]\nexpect = \"|\"")), ["allow", "deny"]);
    assert!(offered(&format!("{HEAD}[output]\ntargets = [\"rust\", |")).contains(&"typescript".to_string()));
}

#[test]
fn keys_rule_kinds_and_sections_come_from_the_schema() {
    let keys = offered(&format!("{HEAD}[roles.admin]\nid = 3\n|"));
    let expected: Vec<&str> = schema::ROLE.names().filter(|k| *k != "id").collect();
    assert_eq!(keys, expected);
    let kinds = offered(&format!("{HEAD}[policies.x]\nrules = [{{ |"));
    assert_eq!(kinds, schema::RULE.names().collect::<Vec<_>>());
    assert!(offered(&format!("{HEAD}[policies.x]\nrules = [{{ allow_if = \"a\", |")).is_empty(), "one kind a rule");
    let elements = offered(&format!("{HEAD}[policies.x]\nrules = [|"));
    assert_eq!(elements.len(), schema::RULE.keys.len());
    assert!(elements.contains(&"{ allow_if_permission = [] }".to_string()), "{elements:?}");
    assert_eq!(offered("[project]\n[[|"), ["tests"]);
    assert!(offered("[project]\n[per|").contains(&"permissions".to_string()));
    assert_eq!(offered(&format!("{HEAD}[legacy]\nlev|")), ["levels"]);
}

#[test]
fn a_key_goes_in_with_its_equals_sign_and_a_name_with_its_quotes() {
    let text = format!("{HEAD}[roles.admin]\nincludes = [vi|");
    let offset = text.find('|').unwrap_or(0);
    let doc = doc(&text.replace('|', ""));
    let items = complete(&doc, doc.lines.position(&doc.text, offset)).items;
    let edit = items.first().and_then(|i| i.text_edit.clone());
    let Some(CompletionTextEdit::Edit(edit)) = edit else { panic!("{items:?}") };
    assert_eq!(edit.new_text, "\"viewer\"");
    assert_eq!(doc.offset(edit.range.start), offset - 2, "the typed `vi` is replaced");
}

/// Completion's reading of which key names which kind of name agrees with validation's own
/// ([`crate::syntax::File::references`]), at every reference of every corpus file.
#[test]
fn completion_and_validation_agree_on_what_every_reference_names() {
    let corpus = [
        include_str!("../../../../definitions/slack/roles.toml"),
        include_str!("../../../../definitions/minimal/roles.toml"),
        include_str!("../../../../tests/edge/quotes.toml"),
        EVERY_REFERENCE,
    ];
    for text in corpus {
        let doc = doc(text);
        let index = &doc.parsed().index;
        let mut seen = 0;
        for sym in [Sym::Entity, Sym::Permission, Sym::Role, Sym::Level, Sym::Policy, Sym::Predicate] {
            for name in doc.outline().names(sym) {
                for o in index.all(sym, &name.name).filter(|o| !o.declares) {
                    let inside = inner(text, &o.span, &o.name);
                    let c = scan::cursor(text, inside.start);
                    let read = match &c.spot {
                        Spot::Value { path, .. } => match scan::resolve(path) {
                            Place::Key(t, k) => refers(t, k.name),
                            _ => None,
                        },
                        Spot::Key { table, .. } => match scan::resolve(table) {
                            Place::Key(_, k) if k.value == Value::Flags => Some(Sym::Predicate),
                            _ => None,
                        },
                        _ => None,
                    };
                    assert_eq!(read, Some(sym), "`{}` at {:?}: {c:?}", o.name, o.span);
                    seen += 1;
                }
            }
        }
        assert!(seen > 0);
    }
}

const EVERY_REFERENCE: &str = r#"[project]
name = "p"
[entities.org]
description = "o"
[entities.team]
description = "t"
parent = "org"
[permissions.read]
id = 1
description = "r"
entities = ["org"]
[roles.viewer]
id = 1
description = "v"
permissions = ["read"]
assignable_on = ["org"]
[roles.admin]
id = 2
description = "a"
includes = ["viewer"]
[legacy]
levels = ["guest", "owner"]
[policies.look]
id = 1
entity = "org"
rules = [
  { deny_if_legacy = ["guest"] },
  { allow_if_legacy_at_least = "owner" },
  { allow_if_permission = ["read"] },
  { allow_if = "is_author" },
  { deny_if = "is_banned" },
]
[[tests]]
policy = "look"
legacy = "guest"
predicates = { is_author = true }
expect = "deny"
[[tests]]
role = "admin"
covers = ["viewer"]
allow = ["read"]
[[tests]]
roles = ["viewer"]
deny = ["read"]
[[tests]]
assign = [{ role = "viewer", entity = "team", id = "1" }]
path = [{ entity = "team", id = "1" }, { entity = "org", id = "2" }]
allow = ["read"]
"#;
