mod roles {
    include!("fixture/gen/roles.rs");
}

#[derive(role_macros::RequiresPermission)]
#[roles]
enum ChannelAction {
    #[permission(archive_channel)]
    Archive,
    Rename,
}

fn main() {}
