mod roles {
    include!("fixture/gen/roles.rs");
}

#[derive(role_macros::RequiresPermission)]
#[roles(file = "invalid.toml")]
enum ChannelAction {
    #[permission(archive_channel)]
    Archive,
}

fn main() {}
