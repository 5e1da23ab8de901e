use super::*;

/// The cursor at the `|` of `text`.
fn at(text: &str) -> Cursor {
    let offset = text.find('|').unwrap_or(text.len());
    cursor(&text.replace('|', ""), offset)
}

fn path(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|p| p.to_string()).collect()
}

#[test]
fn a_value_is_known_by_its_key_inside_arrays_strings_and_inline_tables() {
    let role = "[project]\nname = \"p\"\n\n[roles.admin]\nid = 1\npermissions = [\"read\", \"wr|";
    let c = at(role);
    assert_eq!(c.spot, Spot::Value { path: path(&["roles", "admin", "permissions"]), listed: vec!["read".into()] });
    assert_eq!((c.quote, c.word.len()), (Some('"'), 2));

    let rule = "[policies.x]\nrules = [{ deny_if_legacy = [\"guest\"] }, { allow_if_permission = [|] }]\n";
    assert_eq!(
        at(rule).spot,
        Spot::Value { path: path(&["policies", "x", "rules", "allow_if_permission"]), listed: vec![] }
    );

    let dotted = "roles.admin.includes = [ |";
    assert_eq!(at(dotted).spot, Spot::Value { path: path(&["roles", "admin", "includes"]), listed: vec![] });

    let test = "[[tests]]\nassign = [{ role = \"a\", entity = \"|\" }]";
    assert_eq!(at(test).spot, Spot::Value { path: path(&["tests", "assign", "entity"]), listed: vec![] });
}

#[test]
fn keys_headers_comments_and_the_rest() {
    let key = at("[permissions.read]\nid = 1\ndesc|");
    assert_eq!(key.spot, Spot::Key { table: path(&["permissions", "read"]), written: vec!["id".into()] });
    assert_eq!(key.word.len(), 4);

    let inline = at("[policies.x]\nrules = [{ |");
    assert_eq!(inline.spot, Spot::Key { table: path(&["policies", "x", "rules"]), written: vec![] });
    let flags = at("[[tests]]\npredicates = { is_author = true, |");
    assert_eq!(flags.spot, Spot::Key { table: path(&["tests", "predicates"]), written: vec!["is_author".into()] });

    assert_eq!(at("[project]\n[perm|").spot, Spot::Header { double: false, parts: vec![] });
    assert_eq!(at("[[output.|").spot, Spot::Header { double: true, parts: path(&["output"]) });

    assert_eq!(at("[roles.a]\npermissions = [] # \"|").spot, Spot::Nothing);
    assert_eq!(at("[roles.a]\nid = 1|").spot, Spot::Value { path: path(&["roles", "a", "id"]), listed: vec![] });
    assert_eq!(at("[roles.a]\nid = 1 |").spot, Spot::Nothing);
    assert_eq!(at("[roles.a]\nid |").spot, Spot::Nothing, "past a key, before its `=`");
}

#[test]
fn an_array_left_open_ends_at_the_next_header_or_key() {
    let open = "[roles.a]\npermissions = [\"re\n\n[roles.b]\nincludes = [|";
    assert_eq!(at(open).spot, Spot::Value { path: path(&["roles", "b", "includes"]), listed: vec![] });
    let then_key = "[roles.a]\npermissions = [\"read\",\nincludes = [|";
    assert_eq!(at(then_key).spot, Spot::Value { path: path(&["roles", "a", "includes"]), listed: vec![] });
    // A multi-line array of inline tables is not mistaken for one left open.
    let rules = "[policies.x]\nrules = [\n  { allow_if = \"a\" },\n  { deny_if_legacy = [|] },\n]";
    assert_eq!(
        at(rules).spot,
        Spot::Value { path: path(&["policies", "x", "rules", "deny_if_legacy"]), listed: vec![] }
    );
}

#[test]
fn strings_of_every_kind_are_skipped_whole() {
    let text =
        "[permissions.a]\ndescription = \"\"\"\n[not.a.header]\n\"\"\"\ngroup = 'x # y'\nentities = [\"a\\\"]\", |";
    assert_eq!(
        at(text).spot,
        Spot::Value { path: path(&["permissions", "a", "entities"]), listed: vec!["a\"]".into()] }
    );
}

#[test]
fn no_input_makes_it_fail_or_loop() {
    let deep = "x = ".to_string() + &"[".repeat(10_000) + &"{".repeat(10_000);
    for text in ["", "[", "[[", "\"", "'''", "a.", "=", "]]]", "}{", "\u{1F600}[é", "\r\r\n", deep.as_str()] {
        for offset in (0..=text.len()).filter(|&o| text.is_char_boundary(o)) {
            let c = cursor(text, offset);
            assert!(c.word.start <= c.word.end && c.word.end <= text.len(), "{text:?} at {offset}: {c:?}");
        }
        events(text, &mut |_| {});
    }
}

#[test]
fn paths_resolve_through_the_schema() {
    assert!(
        matches!(resolve(&path(&["roles", "admin", "permissions"])), Place::Key(t, k) if t.header == "[roles.NAME]" && k.name == "permissions")
    );
    assert!(matches!(resolve(&path(&["policies", "x", "rules"])), Place::Table(t) if t.one_of));
    assert!(matches!(resolve(&path(&["permissions"])), Place::Names));
    assert!(matches!(resolve(&path(&["tests"])), Place::Table(t) if t.header == "[[tests]]"));
    assert!(matches!(resolve(&path(&["roles", "admin", "nope"])), Place::Unknown));
}
