// A deprecated permission is a warning; denied here so that its text shows in the .stderr.
#![deny(deprecated)]

mod roles {
    include!("fixture/gen/roles.rs");
}

#[derive(role_macros::RequiresPermission)]
#[roles]
enum ChannelAction {
    #[permission(old_archive)]
    Archive,
}

fn main() {}
