//! Generates `$OUT_DIR/roles.rs` from the Slack example's roles.toml, with the prost messages
//! of its `.proto` (compiled by protox: no protoc needed) and tonic's client and server for its
//! services (tonic-prost-build's service generator, handed to prost-build by `prost_config`).

fn main() {
    role_gen::Builder::new()
        .file("../roles.toml")
        .prost_config(|config| {
            config.service_generator(tonic_prost_build::configure().service_generator());
        })
        .compile()
        .expect("roles.toml is invalid");
}
