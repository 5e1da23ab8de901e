mod roles {
    include!("fixture/gen/roles.rs");
}

#[derive(role_macros::RequiresPermission)]
#[roles(file = "../../../../role-macros/tests/ui/fixture/invalid.toml")]
enum ChannelAction {
    #[permission(archive_channel)]
    Archive,
}

fn main() {}
