mod roles {
    include!("fixture/gen/roles.rs");
}

#[derive(role_macros::RequiresPermission)]
#[roles]
enum ChannelAction {
    #[permission(archiv_channel)]
    Archive,
}

fn main() {}
