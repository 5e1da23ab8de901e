mod roles {
    include!("fixture/gen/roles.rs");
}

use roles::{Permission, RequiresPermission};

#[derive(role_macros::RequiresPermission)]
#[roles(entity = "channel", exhaustive)]
enum ChannelAction {
    #[permission(archive_channel)]
    Archive,
    #[permission(rename_channel)]
    Rename { name: String },
    #[permission("archive_channel")]
    ArchiveAll(Vec<u32>),
}

#[derive(role_macros::RequiresPermission)]
#[roles(module = crate::roles)]
#[permission(invite_user)]
struct Invite<T: Clone> {
    who: T,
}

fn main() {
    assert_eq!(ChannelAction::Archive.required_permission(), Permission::ArchiveChannel);
    assert_eq!(ChannelAction::Rename { name: "x".into() }.required_permission(), Permission::RenameChannel);
    assert_eq!(ChannelAction::ArchiveAll(vec![]).required_permission(), Permission::ArchiveChannel);
    let invite = Invite { who: "u".to_string() };
    assert_eq!(invite.required_permission(), Permission::InviteUser);
    let _ = invite.who.clone();
}
