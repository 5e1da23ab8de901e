//! Evaluates every row of `table.tsv` with the generated policy evaluators of `roles.rs`, every
//! way (fully, by the legacy rules alone, in both rollout modes), and prints one line per row for
//! `tests/compilers/rust.rs` to compare with role-gen's own model; `problem\t…` lines report
//! what the program finds inconsistent itself, `policy\t…` lines the static tables.
//!
//! `facts.rs`, written by the test, invokes `facts!` with the definition's predicates and
//! policies; the test passes `--cfg uses_legacy` / `--cfg uses_permissions` when some policy asks
//! for the legacy level / for permissions (else `PolicyFacts` has no such method).

#![deny(warnings)]
#![forbid(unsafe_code)]

mod roles {
    include!("roles.rs");
}

use std::cell::Cell;

use roles::{Decision, Policy, PolicyFacts, RolloutMode};

/// One row of the table.
struct Row {
    #[cfg(uses_legacy)]
    legacy: Option<roles::LegacyRole>,
    #[cfg(uses_permissions)]
    held: roles::PermissionSet,
    predicates: Vec<(String, bool)>,
    permission_calls: Cell<usize>,
    stray: Cell<usize>,
}

impl Row {
    fn predicate(&self, name: &str) -> bool {
        match self.predicates.iter().find(|(n, _)| n == name) {
            Some((_, value)) => *value,
            None => {
                self.stray.set(self.stray.get() + 1);
                false
            }
        }
    }
}

/// `PolicyFacts` over a row, and `direct`, which calls each policy's own `evaluate_<policy>`:
/// `predicates` are (method, predicate name) pairs, `policies` (variant, evaluator) pairs.
macro_rules! facts {
    (
        predicates: [$($method:ident = $name:literal),* $(,)?],
        policies: [$($variant:ident => $evaluate:ident),* $(,)?]
    ) => {
        impl PolicyFacts for Row {
            #[cfg(uses_legacy)]
            fn legacy_level(&self) -> Option<roles::LegacyRole> {
                self.legacy
            }

            #[cfg(uses_permissions)]
            fn has_permission(&self, permission: roles::Permission) -> bool {
                self.permission_calls.set(self.permission_calls.get() + 1);
                self.held.contains(permission)
            }

            $(
                fn $method(&self) -> bool {
                    self.predicate($name)
                }
            )*
        }

        fn direct(policy: Policy, row: &Row) -> Decision {
            match policy {
                $(Policy::$variant => roles::$evaluate(row),)*
            }
        }
    };
}

include!("facts.rs");

fn rule(r: Option<usize>) -> String {
    r.map_or("-".to_string(), |r| r.to_string())
}

fn main() {
    let table = std::fs::read_to_string("table.tsv").expect("table.tsv");
    for (i, line) in table.lines().enumerate() {
        let f: Vec<&str> = line.split('\t').collect();
        let policy: Policy = f[0].parse().expect("a policy");
        let roles: Vec<roles::Role> =
            f[2].split(',').filter(|s| !s.is_empty()).map(|r| r.parse().expect("a role")).collect();
        let row = Row {
            #[cfg(uses_legacy)]
            legacy: if f[1] == "-" { None } else { Some(f[1].parse().expect("a legacy level")) },
            #[cfg(uses_permissions)]
            held: roles::PermissionSet::of_roles(&roles),
            predicates: f[3]
                .split(',')
                .filter(|s| !s.is_empty())
                .map(|p| {
                    let (name, value) = p.split_once('=').expect("name=value");
                    (name.to_string(), value == "1")
                })
                .collect(),
            permission_calls: Cell::new(0),
            stray: Cell::new(0),
        };
        let _ = &roles;
        let full = policy.evaluate(&row);
        if direct(policy, &row) != full {
            println!("problem\t{i}: evaluate_{} disagrees with Policy::evaluate", policy.as_str());
        }
        let named = full.rule.map_or("default deny", |r| policy.rule_names()[r]);
        if full.policy != policy
            || full.rule_name != named
            || full.is_allowed() != full.allow
            || full.to_string().is_empty()
        {
            println!("problem\t{i}: inconsistent decision {full:?}");
        }
        row.permission_calls.set(0);
        let legacy = policy.evaluate_legacy(&row);
        let legacy_calls = row.permission_calls.get();
        let reported = Cell::new(0usize);
        let observer = |l: Decision, f: Decision| {
            reported.set(reported.get() + 1);
            if l.allow == f.allow {
                println!("problem\t{i}: reported an agreement");
            }
        };
        let dark = policy.evaluate_rollout(RolloutMode::Dark, &row, &observer);
        let dark_reported = reported.get();
        let light = policy.evaluate_rollout(RolloutMode::Light, &row, &observer);
        if reported.get() != dark_reported {
            println!("problem\t{i}: light mode reported a disagreement");
        }
        if row.stray.get() > 0 {
            println!("problem\t{i}: {} asked a predicate it does not use", policy.as_str());
        }
        println!(
            "{i}\t{}\t{}\t{}\t{}\t{}\t{legacy_calls}\t{}\t{}\t{}\t{}\t{}",
            full.allow,
            rule(full.rule),
            full.rule_name,
            legacy.allow,
            rule(legacy.rule),
            dark.allow,
            rule(dark.rule),
            dark_reported == 1,
            light.allow,
            rule(light.rule),
        );
    }
    for p in Policy::ALL {
        let round_trip = Policy::from_id(p.id()) == Some(*p);
        println!("policy\t{}\t{}\t{}\t{}\t{round_trip}", p.as_str(), p.id(), p.entity().as_str(), p.rule_names().join("|"));
    }
}
