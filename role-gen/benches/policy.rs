//! The generated Rust policy evaluator, with the facts in memory: Slack's `channel_archive`
//! (deny guests, allow admins and up, allow holders of `archive_channel`, allow the channel's
//! creator), compiled from the committed `definitions/slack/gen/roles.rs` (kept current by
//! `role-gen check` in CI and by `tests/policies.rs`).
//!
//! Target: a policy decided by its third rule (three rules evaluated) in under 20 ns.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};

#[allow(dead_code, missing_debug_implementations, clippy::all)]
mod roles {
    include!("../../definitions/slack/gen/roles.rs");
}

use roles::{Decision, LegacyRole, Permission, PermissionSet, Policy, PolicyFacts, Role, RolloutMode};

/// What the application knows, already in memory.
#[derive(Debug, Clone, Copy)]
struct Facts {
    legacy: Option<LegacyRole>,
    held: PermissionSet,
    created: bool,
}

impl PolicyFacts for Facts {
    fn legacy_level(&self) -> Option<LegacyRole> {
        self.legacy
    }
    fn has_permission(&self, permission: Permission) -> bool {
        self.held.contains(permission)
    }
    fn actor_created_channel(&self) -> bool {
        self.created
    }
    fn channel_is_general(&self) -> bool {
        false
    }
    fn members_can_invite(&self) -> bool {
        false
    }
}

fn evaluators(c: &mut Criterion) {
    let member = Some(LegacyRole::Member);
    let cases = [
        ("rule_1_guest", Facts { legacy: Some(LegacyRole::Guest), held: PermissionSet::EMPTY, created: true }),
        ("rule_2_admin", Facts { legacy: Some(LegacyRole::Admin), held: PermissionSet::EMPTY, created: false }),
        (
            "rule_3_channels_admin",
            Facts { legacy: member, held: PermissionSet::of_roles(&[Role::ChannelsAdmin]), created: false },
        ),
        ("all_4_rules_default_deny", Facts { legacy: member, held: PermissionSet::EMPTY, created: false }),
    ];
    let mut group = c.benchmark_group("policy/channel_archive");
    for (name, facts) in cases {
        group.bench_function(name, |b| b.iter(|| black_box(Policy::ChannelArchive).evaluate(black_box(&facts))));
    }
    let (_, three_rules) = cases[2];
    group.bench_function("rule_3_channels_admin/free_fn", |b| {
        b.iter(|| roles::evaluate_channel_archive(black_box(&three_rules)))
    });
    let disagreements = std::sync::atomic::AtomicU64::new(0);
    let observer = |_: Decision, _: Decision| {
        disagreements.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    };
    for mode in [RolloutMode::Dark, RolloutMode::Light] {
        group.bench_function(format!("rule_3_channels_admin/rollout_{mode:?}").to_lowercase(), |b| {
            b.iter(|| {
                black_box(Policy::ChannelArchive).evaluate_rollout(black_box(mode), black_box(&three_rules), &observer)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, evaluators);
criterion_main!(benches);
