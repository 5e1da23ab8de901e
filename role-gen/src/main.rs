//! The `role-gen` command line.

fn main() -> std::process::ExitCode {
    role_gen::cli::main()
}
