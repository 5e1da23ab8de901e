// The derive fails, but its stub impl keeps every use of the trait compiling: one error.
mod roles {
    include!("fixture/gen/roles.rs");
}

use roles::RequiresPermission;

#[derive(role_macros::RequiresPermission)]
#[roles]
enum ChannelAction {
    #[permission(archive_chanel)]
    Archive,
}

fn needs(action: &impl RequiresPermission) -> roles::Permission {
    action.required_permission()
}

fn main() {
    let _ = needs(&ChannelAction::Archive);
}
