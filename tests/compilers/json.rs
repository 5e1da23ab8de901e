//! `roles.json`, the oracle the other targets are compared with, checked against the source
//! `roles.toml` read independently (`role_gen_tests::Model::check_against_source`).

use std::path::Path;

use role_gen_tests::{Scratch, checks, definition, hostile};

checks! {
    slack_json_agrees_with_source: json_agrees_with_source(definition("slack"));
    minimal_json_agrees_with_source: json_agrees_with_source(definition("minimal"));
    hostile_json_agrees_with_source: json_agrees_with_source(hostile());
}

fn json_agrees_with_source(roles_toml: &Path, label: &str) {
    let (_scratch, model) = Scratch::with_outputs(roles_toml, label);
    model.check_against_source(roles_toml);
}
