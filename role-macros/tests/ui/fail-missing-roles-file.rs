mod roles {
    include!("fixture/gen/roles.rs");
}

#[derive(role_macros::RequiresPermission)]
#[roles(file = "no/such/roles.toml")]
enum ChannelAction {
    #[permission(archive_channel)]
    Archive,
}

fn main() {}
