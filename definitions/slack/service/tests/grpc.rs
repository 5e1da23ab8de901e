//! The service over real gRPC: a server on a loopback port (port 0), called with the
//! tonic-generated clients, answering from SQLite through the generated decisions.
//!
//! The seed article's cases (the demo data), every entity x user x permission through both
//! RPCs (`ListPermissions` must say what `CheckPermissions` says one by one), and every way a
//! request or the stored data can be wrong.

use std::net::SocketAddr;

use slack_service::client::Client;
use slack_service::demo::{self, TEAM};
use slack_service::roles::proto::permission_service_client::PermissionServiceClient;
use slack_service::roles::proto::policy_service_client::PolicyServiceClient;
use slack_service::roles::{EntityType, Permission, Policy, Role, proto};
use slack_service::server::Service;
use slack_service::store::Store;
use tokio::sync::oneshot;
use tonic::Code;
use tonic::transport::Channel;

/// A running server: its address, and what stops it when dropped.
struct Running {
    address: SocketAddr,
    _stop: oneshot::Sender<()>,
}

impl Running {
    fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    async fn channel(&self) -> Channel {
        Channel::from_shared(self.url()).expect("a valid url").connect().await.expect("the server accepts")
    }

    async fn permissions(&self) -> PermissionServiceClient<Channel> {
        PermissionServiceClient::new(self.channel().await)
    }

    async fn policies(&self) -> PolicyServiceClient<Channel> {
        PolicyServiceClient::new(self.channel().await)
    }
}

/// The demo data, plus what `extra` writes.
fn demo_store(extra: impl FnOnce(&Store)) -> Store {
    let store = Store::in_memory().expect("sqlite opens in memory");
    demo::seed(&store).expect("the demo data is valid");
    extra(&store);
    store
}

async fn start(store: Store) -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
    let address = listener.local_addr().expect("bound");
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(Service::new(store).serve(listener, async {
        let _ = stopped.await;
    }));
    Running { address, _stop: stop }
}

fn check(user: &str, (entity, id): (EntityType, &str), permissions: &[i32]) -> proto::CheckPermissionsRequest {
    proto::CheckPermissionsRequest {
        team_id: TEAM.into(),
        user_id: user.into(),
        entity_id: id.into(),
        entity_type: entity.id() as i32,
        permissions: permissions.to_vec(),
    }
}

fn list(user: &str, path: &[(EntityType, &str)]) -> proto::ListPermissionsRequest {
    proto::ListPermissionsRequest {
        team_id: TEAM.into(),
        user_id: user.into(),
        path: path.iter().map(|&(entity, id)| proto::EntityRef::new(entity, id)).collect(),
    }
}

fn policy(user: &str, id: &str, policy: Policy) -> proto::CheckPolicyRequest {
    proto::CheckPolicyRequest {
        team_id: TEAM.into(),
        user_id: user.into(),
        entity_id: id.into(),
        policy: policy.id() as i32,
    }
}

/// (entity type, id) of every demo entity.
const ENTITIES: [(EntityType, &str); 7] = [
    (EntityType::Enterprise, "E0ACME"),
    (EntityType::Workspace, "W0ENG"),
    (EntityType::Workspace, "W0MKT"),
    (EntityType::Channel, "C0ENG"),
    (EntityType::Channel, "C0ENGGEN"),
    (EntityType::Channel, "C0MKT"),
    (EntityType::Channel, "C0MKTGEN"),
];
const USERS: [&str; 8] = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "nobody"];
const ARCHIVE: i32 = Permission::ArchiveChannel as i32;

async fn allowed(client: &mut PermissionServiceClient<Channel>, user: &str, on: (EntityType, &str), p: i32) -> bool {
    let response = client.check_permissions(check(user, on, &[p])).await.expect("answers").into_inner();
    assert_eq!(response.decisions.len(), 1);
    assert_eq!(response.decisions[0].permission, p, "the decision names the asked permission");
    response.decisions[0].decision == proto::Decision::Allow as i32
}

#[tokio::test]
async fn the_seed_articles_cases() {
    let server = start(demo_store(|_| {})).await;
    let mut client = Client::connect(&server.url(), TEAM).await.expect("connects");
    for case in &demo::CASES {
        assert_eq!(client.ask(case).await.expect("answers"), case.allow, "{}", case.says);
    }

    let mut permissions = server.permissions().await;
    let channels = ENTITIES.iter().filter(|(t, _)| *t == EntityType::Channel);
    for &(entity, id) in channels {
        let in_eng = id.starts_with("C0ENG");
        assert!(allowed(&mut permissions, "alice", (entity, id), ARCHIVE).await, "enterprise admin archives {id}");
        assert_eq!(allowed(&mut permissions, "bob", (entity, id), ARCHIVE).await, in_eng, "W0ENG's admin on {id}");
        assert!(!allowed(&mut permissions, "carol", (entity, id), ARCHIVE).await, "Users Admin on {id}");
        assert!(!allowed(&mut permissions, "nobody", (entity, id), ARCHIVE).await, "deny by default on {id}");
    }
    // Bulk actions on a workspace: checked against the workspace itself.
    assert!(allowed(&mut permissions, "bob", (EntityType::Workspace, "W0ENG"), ARCHIVE).await);
    assert!(!allowed(&mut permissions, "bob", (EntityType::Workspace, "W0MKT"), ARCHIVE).await);

    // dave's channels_admin row sits on a channel, where the role is not assignable.
    for &on in &ENTITIES {
        let held = permissions.list_permissions(list("dave", &[on])).await.expect("answers").into_inner();
        assert!(held.permissions.is_empty(), "dave holds nothing on {on:?}: {:?}", held.permissions);
    }

    // A guest granted the permission: held, and still denied by the policy's first rule.
    assert!(allowed(&mut permissions, "erin", (EntityType::Channel, "C0MKT"), ARCHIVE).await);
    let decision = server.policies().await.check_policy(policy("erin", "C0MKT", Policy::ChannelArchive)).await;
    let decision = decision.expect("answers").into_inner().decision.expect("a decision");
    assert_eq!(decision.decision, proto::Decision::Deny as i32);
    assert_eq!((decision.rule_index, decision.rule_name.as_str()), (Some(0), "deny_if_legacy [guest]"));
    assert_eq!(decision.policy, Policy::ChannelArchive as i32);
}

#[tokio::test]
async fn list_permissions_says_what_check_permissions_says_for_everyone_everywhere() {
    let server = start(demo_store(|_| {})).await;
    let mut client = server.permissions().await;
    let mut granted = 0;
    for user in USERS {
        for &(entity, id) in &ENTITIES {
            let applicable: Vec<Permission> =
                Permission::ALL.iter().copied().filter(|p| p.applies_to(entity)).collect();
            let asked: Vec<i32> = applicable.iter().map(|&p| p as i32).collect();
            let checked = client.check_permissions(check(user, (entity, id), &asked)).await.expect("answers");
            let allowed: Vec<i32> = checked
                .into_inner()
                .decisions
                .iter()
                .filter(|d| d.decision == proto::Decision::Allow as i32)
                .map(|d| d.permission)
                .collect();
            let listed = client.list_permissions(list(user, &[(entity, id)])).await.expect("answers").into_inner();
            assert_eq!(listed.permissions, allowed, "{user} on {entity} {id}");
            granted += allowed.len();
        }
    }
    assert!(granted > 20, "the demo grants something to compare: {granted}");
}

#[tokio::test]
async fn list_permissions_takes_the_target_alone_or_the_stored_path() {
    let server = start(demo_store(|_| {})).await;
    let mut client = server.permissions().await;
    let full = [(EntityType::Channel, "C0ENG"), (EntityType::Workspace, "W0ENG"), (EntityType::Enterprise, "E0ACME")];
    let alone = client.list_permissions(list("bob", &full[..1])).await.expect("answers").into_inner();
    let whole = client.list_permissions(list("bob", &full)).await.expect("answers").into_inner();
    let channel_admin: Vec<i32> =
        [Permission::ArchiveChannel, Permission::RenameChannel, Permission::ConvertChannelToPrivate]
            .iter()
            .map(|&p| p as i32)
            .collect();
    assert_eq!(alone.permissions, channel_admin, "create_private_channel is checked on workspaces only");
    assert_eq!(whole, alone);

    // A path the caller makes up (C0MKT inside bob's workspace) grants nothing: it is refused.
    let forged = [(EntityType::Channel, "C0MKT"), (EntityType::Workspace, "W0ENG"), (EntityType::Enterprise, "E0ACME")];
    let partial = &full[..2];
    let wrong_type = [(EntityType::Workspace, "C0ENG")];
    let too_long = [full[0], full[1], full[2], (EntityType::Enterprise, "E0ACME")];
    for (path, says) in [
        (&forged[..], "path[1] is workspace \"W0ENG\", but the stored path has workspace \"W0MKT\" there"),
        (partial, "the path stops before enterprise \"E0ACME\""),
        (&wrong_type[..], "entity \"C0ENG\" is of type `channel`, not `workspace`"),
        (&too_long[..], "path[3] goes past the stored root"),
        (&[], "the path is empty"),
    ] {
        let status = client.list_permissions(list("bob", path)).await.expect_err("refused");
        assert_eq!(status.code(), Code::InvalidArgument, "{path:?}: {status:?}");
        assert!(status.message().contains(says), "{path:?}: {}", status.message());
    }
}

/// Every way a request can be wrong, and the code it gets.
#[tokio::test]
async fn bad_requests_are_errors_and_unknown_permissions_are_denied() {
    let server = start(demo_store(|_| {})).await;
    let mut client = server.permissions().await;
    let channel = (EntityType::Channel, "C0MKT");
    let with = |f: fn(&mut proto::CheckPermissionsRequest)| {
        let mut request = check("alice", channel, &[ARCHIVE]);
        f(&mut request);
        request
    };
    let cases: [(proto::CheckPermissionsRequest, Code, &str); 9] = [
        (check("alice", (EntityType::Channel, "C0NONE"), &[ARCHIVE]), Code::NotFound, "no entity \"C0NONE\""),
        (with(|r| r.team_id = "T0OTHER".into()), Code::NotFound, "in team \"T0OTHER\""),
        (check("alice", (EntityType::Workspace, "C0MKT"), &[ARCHIVE]), Code::InvalidArgument, "is of type `channel`"),
        (with(|r| r.entity_type = 0), Code::InvalidArgument, "unknown entity type number 0"),
        (with(|r| r.entity_type = 99), Code::InvalidArgument, "unknown entity type number 99"),
        (
            check("alice", channel, &[ARCHIVE, Permission::CreatePrivateChannel as i32]),
            Code::InvalidArgument,
            "permission `create_private_channel` is not checked against `channel`",
        ),
        (with(|r| r.user_id.clear()), Code::InvalidArgument, "user_id is empty"),
        (with(|r| r.entity_id = "C".repeat(257)), Code::InvalidArgument, "entity_id is longer than 256 bytes"),
        (with(|r| r.permissions = vec![ARCHIVE; 1025]), Code::InvalidArgument, "more than 1024 permissions"),
    ];
    for (request, code, says) in cases {
        let status = client.check_permissions(request.clone()).await.expect_err("refused");
        assert_eq!(status.code(), code, "{request:?}: {status:?}");
        assert!(status.message().contains(says), "{request:?}: {}", status.message());
    }
    // A number this service does not know (a newer client's permission, or UNSPECIFIED):
    // not granted, and the other answers stand.
    let response = client.check_permissions(check("alice", channel, &[999, ARCHIVE, 0, -1])).await.expect("answers");
    let decisions: Vec<(i32, i32)> =
        response.into_inner().decisions.iter().map(|d| (d.permission, d.decision)).collect();
    let (allow, deny) = (proto::Decision::Allow as i32, proto::Decision::Deny as i32);
    assert_eq!(decisions, [(999, deny), (ARCHIVE, allow), (0, deny), (-1, deny)]);

    let mut policies = server.policies().await;
    for (request, code, says) in [
        (policy("nobody", "C0MKT", Policy::ChannelArchive), Code::NotFound, "no user \"nobody\""),
        (
            policy("alice", "W0MKT", Policy::ChannelArchive),
            Code::InvalidArgument,
            "is of type `workspace`, not `channel`",
        ),
        (
            proto::CheckPolicyRequest { policy: 0, ..policy("alice", "C0MKT", Policy::ChannelArchive) },
            Code::InvalidArgument,
            "unknown policy number 0",
        ),
    ] {
        let status = policies.check_policy(request.clone()).await.expect_err("refused");
        assert_eq!(status.code(), code, "{request:?}: {status:?}");
        assert!(status.message().contains(says), "{request:?}: {}", status.message());
    }
}

#[tokio::test]
async fn policies_read_their_facts_from_the_store() {
    let server = start(demo_store(|_| {})).await;
    let mut policies = server.policies().await;
    let mut ask = async |user: &str, id: &str, p: Policy| {
        let decision = policies.check_policy(policy(user, id, p)).await.expect("answers").into_inner();
        let decision = decision.decision.expect("a decision");
        (decision.decision == proto::Decision::Allow as i32, decision.rule_name)
    };
    // #general stays public even for a Channels Admin; another channel converts.
    assert_eq!(
        ask("alice", "C0MKTGEN", Policy::ChannelConvertToPrivate).await,
        (false, "deny_if channel_is_general".into())
    );
    assert!(ask("alice", "C0MKT", Policy::ChannelConvertToPrivate).await.0);
    // W0MKT lets members invite; W0ENG does not.
    assert_eq!(ask("grace", "W0MKT", Policy::WorkspaceInvite).await, (true, "allow_if members_can_invite".into()));
    assert_eq!(ask("grace", "W0ENG", Policy::WorkspaceInvite).await, (false, "default deny".into()));
    assert_eq!(
        ask("carol", "W0ENG", Policy::WorkspaceInvite).await,
        (true, "allow_if_permission [add_user_to_workspace]".into())
    );
}

/// Rows the store's API refuses, written with SQL as an import might: none widens access, and
/// a hierarchy that breaks roles.toml's parents is the store's error, not an answer.
#[tokio::test]
async fn invalid_stored_rows_grant_nothing_and_broken_hierarchies_fail() {
    let server = start(demo_store(|store| {
        let sql = [
            // A role id roles.toml does not define (a removed role's, reserved).
            "INSERT INTO role_assignments VALUES ('T0ACME', 'dave', 99, 'E0ACME')",
            // A channel inside a channel.
            "INSERT INTO entities (team_id, entity_id, entity_type, parent_id) VALUES ('T0ACME', 'C0SUB', 3, 'C0MKT')",
            // Two workspaces that are each other's parent.
            "INSERT INTO entities (team_id, entity_id, entity_type, parent_id) VALUES ('T0ACME', 'W0A', 2, NULL)",
            "INSERT INTO entities (team_id, entity_id, entity_type, parent_id) VALUES ('T0ACME', 'W0B', 2, 'W0A')",
            "UPDATE entities SET parent_id = 'W0B' WHERE entity_id = 'W0A'",
            // An entity type id roles.toml does not define.
            "INSERT INTO entities (team_id, entity_id, entity_type, parent_id) VALUES ('T0ACME', 'X0', 42, NULL)",
            "UPDATE users SET legacy_level = 'superuser' WHERE user_id = 'grace'",
        ];
        for statement in sql {
            store.connection().execute(statement, []).unwrap_or_else(|e| panic!("{statement}: {e}"));
        }
    }))
    .await;
    let mut client = server.permissions().await;
    for &on in &ENTITIES {
        let held = client.list_permissions(list("dave", &[on])).await.expect("answers").into_inner();
        assert!(held.permissions.is_empty(), "dave on {on:?}: {:?}", held.permissions);
    }
    for (on, says) in [
        ((EntityType::Channel, "C0SUB"), "path[1] is of type `channel`, but the parent type of path[0] is `workspace`"),
        ((EntityType::Workspace, "W0A"), "the stored hierarchy of entity \"W0A\" is invalid"),
    ] {
        let status = client.check_permissions(check("alice", on, &[ARCHIVE])).await.expect_err("refused");
        assert_eq!(status.code(), Code::FailedPrecondition, "{on:?}: {status:?}");
        assert!(status.message().contains(says), "{on:?}: {}", status.message());
        let status = client.list_permissions(list("alice", &[on])).await.expect_err("refused");
        assert_eq!(status.code(), Code::FailedPrecondition, "{on:?}: {status:?}");
    }
    let status = client.list_permissions(list("alice", &[(EntityType::Enterprise, "X0")])).await.expect_err("refused");
    assert_eq!(status.code(), Code::FailedPrecondition);
    assert!(status.message().contains("entity type id 42"), "{}", status.message());
    let status = server.policies().await.check_policy(policy("grace", "C0ENG", Policy::ChannelArchive)).await;
    let status = status.expect_err("refused");
    assert_eq!(status.code(), Code::FailedPrecondition);
    assert!(status.message().contains("legacy level \"superuser\""), "{}", status.message());
}

#[test]
fn the_store_refuses_rows_that_break_roles_toml() {
    let store = demo_store(|_| {});
    let refused = |result: Result<(), slack_service::store::StoreError>| result.expect_err("refused").to_string();
    let sub = slack_service::store::NewEntity::new(EntityType::Channel, "C0SUB", Some("C0MKT"));
    assert_eq!(
        refused(store.add_entity(TEAM, &sub)),
        "entity \"C0SUB\" of type `channel` needs a parent of type `workspace`, not `channel`"
    );
    let root = slack_service::store::NewEntity::new(EntityType::Workspace, "W0ROOT", None);
    assert_eq!(
        refused(store.add_entity(TEAM, &root)),
        "entity \"W0ROOT\" of type `workspace` needs a parent of type `enterprise`, not none"
    );
    assert_eq!(
        refused(store.assign(TEAM, "bob", Role::ChannelsAdmin, "C0ENG")),
        "role `channels_admin` is not assignable on a `channel`"
    );
    assert_eq!(
        refused(store.assign(TEAM, "bob", Role::ChannelsAdmin, "C0NONE")),
        "no entity \"C0NONE\" in team \"T0ACME\""
    );
    assert!(store.assign(TEAM, "bob", Role::ChannelsAdmin, "W0MKT").is_ok());
}
