//! The generated `check_access` (SPEC section 7) on Slack's 3-deep path (channel < workspace <
//! enterprise), compiled from the committed `definitions/slack/gen/roles.rs` (kept current by
//! `role-gen check` in CI), with 1, 10 and 100 assignments, beside its floors: the same answer
//! from a `PermissionSet` computed ahead (`contains`, one bit test), and the policy evaluator
//! deciding on such a set.
//!
//! Each list of N assignments holds N - 1 that do not grant `archive_channel` on the channel
//! (Users Admin on the enterprise: its role lacks the permission; Channels Admin on other
//! workspaces: right role and type, another id, so the ids are compared), then, for
//! `allow_last`, Channels Admin on the channel's workspace: every assignment is looked at
//! before the answer. `deny` has none that grants. Ids are Slack-like strings (`W0000000001`,
//! compared with `memcmp`) or numbers.
//!
//! Target: 10 assignments under 20 ns.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

#[allow(dead_code, missing_debug_implementations, clippy::all)]
mod roles {
    include!("../../definitions/slack/gen/roles.rs");
}

use roles::{Assignment, EntityType, LegacyRole, Permission, PermissionSet, Policy, PolicyFacts, Role};

/// `n` assignments: `n - 1` that do not grant `archive_channel` on the channel, then one that
/// does when `grant_last`, else one more that does not. `id(i)` is workspace `i`'s id, `id(0)`
/// the enterprise's and `id(1)` that of the channel's workspace.
fn assignments<Id>(n: usize, grant_last: bool, id: impl Fn(usize) -> Id) -> Vec<Assignment<Id>> {
    let filler = |i: usize| match i % 2 {
        0 => Assignment { role: Role::UsersAdmin, entity: EntityType::Enterprise, id: id(0) },
        _ => Assignment { role: Role::ChannelsAdmin, entity: EntityType::Workspace, id: id(2 + i) },
    };
    let mut list: Vec<_> = (0..n - 1).map(filler).collect();
    list.push(if grant_last {
        Assignment { role: Role::ChannelsAdmin, entity: EntityType::Workspace, id: id(1) }
    } else {
        filler(n - 1)
    });
    list
}

/// Slack-like ids (`W0000000042`), as an application holds them: each its own allocation;
/// `E0000000000` for the enterprise.
fn text_id(i: usize) -> &'static str {
    let kind = if i == 0 { 'E' } else { 'W' };
    Box::leak(format!("{kind}{i:010}").into_boxed_str())
}

/// A channel of workspace 1 of enterprise 0.
const PATH: [(EntityType, &str); 3] = [
    (EntityType::Channel, "C0000000001"),
    (EntityType::Workspace, "W0000000001"),
    (EntityType::Enterprise, "E0000000000"),
];

/// The same with numbers for ids.
const NUMBERED_PATH: [(EntityType, u64); 3] =
    [(EntityType::Channel, 1_000_001), (EntityType::Workspace, 1), (EntityType::Enterprise, 0)];

/// Policy facts with the permissions held on the channel computed ahead.
struct Held(PermissionSet);

impl PolicyFacts for Held {
    fn legacy_level(&self) -> Option<LegacyRole> {
        Some(LegacyRole::Member)
    }
    fn has_permission(&self, permission: Permission) -> bool {
        self.0.contains(permission)
    }
    fn actor_created_channel(&self) -> bool {
        false
    }
    fn channel_is_general(&self) -> bool {
        false
    }
    fn members_can_invite(&self) -> bool {
        false
    }
}

/// Policy facts answering `has_permission` through `check_access`.
struct Assigned<'a>(&'a [Assignment<&'static str>]);

impl PolicyFacts for Assigned<'_> {
    fn legacy_level(&self) -> Option<LegacyRole> {
        Some(LegacyRole::Member)
    }
    fn has_permission(&self, permission: Permission) -> bool {
        matches!(roles::check_access(self.0, &PATH, permission), Ok(Some(_)))
    }
    fn actor_created_channel(&self) -> bool {
        false
    }
    fn channel_is_general(&self) -> bool {
        false
    }
    fn members_can_invite(&self) -> bool {
        false
    }
}

/// `check_access` with `n` assignments of ids `id`, on `path`, in `group`.
fn lists<Id: PartialEq>(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    path: &[(EntityType, Id)],
    id: impl Fn(usize) -> Id + Copy,
) {
    let archive = Permission::ArchiveChannel;
    for n in [1, 10, 100] {
        for (case, grant_last) in [("allow_last", true), ("deny", false)] {
            let held = assignments(n, grant_last, id);
            assert_eq!(roles::check_access(&held, path, archive).map(|a| a.is_some()), Ok(grant_last));
            group.bench_with_input(BenchmarkId::new(case, n), &held, |b, held| {
                b.iter(|| roles::check_access(black_box(held), black_box(path), black_box(archive)))
            });
        }
    }
}

fn check_access(c: &mut Criterion) {
    let mut group = c.benchmark_group("access/check_access/text_ids");
    lists(&mut group, &PATH, text_id);
    group.finish();
    let mut group = c.benchmark_group("access/check_access/number_ids");
    lists(&mut group, &NUMBERED_PATH, |i| i as u64);
    group.finish();

    let archive = Permission::ArchiveChannel;
    let ten = assignments(10, true, text_id);
    let held = roles::permissions_on(&ten, &PATH).expect("a valid path");
    let mut floors = c.benchmark_group("access/floor");
    floors.bench_function("permission_set_contains", |b| b.iter(|| black_box(held).contains(black_box(archive))));
    floors.bench_function("policy_on_held_set", |b| {
        let facts = Held(held);
        b.iter(|| black_box(Policy::ChannelArchive).evaluate(black_box(&facts)))
    });
    floors.finish();

    let mut more = c.benchmark_group("access/10_assignments");
    more.bench_function("permissions_on", |b| b.iter(|| roles::permissions_on(black_box(&ten), black_box(&PATH))));
    more.bench_function("policy_through_check_access", |b| {
        let facts = Assigned(&ten);
        b.iter(|| black_box(Policy::ChannelArchive).evaluate(black_box(&facts)))
    });
    more.finish();
}

criterion_group!(benches, check_access);
criterion_main!(benches);
