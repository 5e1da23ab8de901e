//! Generates `$OUT_DIR/roles.rs` from the Slack example's roles.toml, with the prost messages
//! of its `.proto` (compiled by protox: no protoc needed).

fn main() {
    role_gen::Builder::new().file("../roles.toml").prost(true).compile().expect("roles.toml is invalid");
}
