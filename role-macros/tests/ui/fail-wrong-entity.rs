mod roles {
    include!("fixture/gen/roles.rs");
}

#[derive(role_macros::RequiresPermission)]
#[roles(entity = "channel")]
enum ChannelAction {
    #[permission(archive_channel)]
    Archive,
    #[permission(invite_user)]
    Invite,
}

fn main() {}
