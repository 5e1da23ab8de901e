mod roles {
    include!("fixture/gen/roles.rs");
}

#[derive(role_macros::RequiresPermission)]
#[roles(entity = "channel", exhaustive)]
enum ChannelAction {
    #[permission(archive_channel)]
    Archive,
}

fn main() {}
