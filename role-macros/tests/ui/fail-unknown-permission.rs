mod roles {
    include!("fixture/gen/roles.rs");
}

#[derive(role_macros::RequiresPermission)]
#[roles(file = "../../../../role-macros/tests/ui/fixture/roles.toml")]
enum ChannelAction {
    #[permission(archiv_channel)]
    Archive,
}

fn main() {}
