//! Include chains: how a role comes to hold a permission (`explain`, `who-can`, `test`, `diff`).
//!
//! The chain from a role to a permission is the shortest include path from the role to a role
//! granting it directly, both ends included, ties broken by id (SPEC section 3): the first
//! granter a breadth-first walk meets, visiting includes in id order. Both questions are
//! answered in time linear in the graph plus the answer: `explain` walks once and notes each
//! permission's first granter; `who-can` walks backwards from the granters once, then follows
//! each holder's shortest path down.

use std::collections::{HashMap, VecDeque};

use super::{Model, PermIdx, RoleIdx};
use crate::graph::Walk;

/// The include chains of one role (see [`Model::chains`]).
#[derive(Debug, Clone)]
pub struct Chains {
    walk: Walk,
    /// Each permission the role holds, and the first role in walk order granting it directly.
    granter: HashMap<PermIdx, usize>,
}

impl Model {
    /// The shortest include chain from `role` to a role granting `perm` directly, both ends
    /// included; ties broken by id (SPEC section 3, `explain` and `who-can`).
    pub fn via(&self, role: RoleIdx, perm: PermIdx) -> Option<Vec<RoleIdx>> {
        self.chains(role).to(perm)
    }

    /// Every include chain of `role`, from one walk: ask it for many permissions at once.
    pub fn chains(&self, role: RoleIdx) -> Chains {
        let walk = Walk::over(self.roles.len(), role.get(), |r| self.roles[r].includes.iter().map(|i| i.get()));
        let mut granter = HashMap::new();
        for &r in &walk.order {
            for &p in &self.roles[r].permissions {
                granter.entry(p).or_insert(r);
            }
        }
        Chains { walk, granter }
    }

    /// Every role holding `perm`, by id, each with its chain (as [`Model::via`] gives it).
    pub fn holders(&self, perm: PermIdx) -> Vec<(RoleIdx, Vec<RoleIdx>)> {
        let distance = self.distance_to_granter(perm);
        let mut out = Vec::new();
        for (r, d) in distance.iter().enumerate() {
            let Some(mut left) = *d else { continue };
            let mut chain = vec![RoleIdx::new(r)];
            let mut at = r;
            // The lowest-id include one step closer: breadth-first order, ties by id.
            while left > 0 {
                let Some(next) =
                    self.roles[at].includes.iter().map(|i| i.get()).filter(|&i| distance[i] == Some(left - 1)).min()
                else {
                    break;
                };
                chain.push(RoleIdx::new(next));
                (at, left) = (next, left - 1);
            }
            out.push((RoleIdx::new(r), chain));
        }
        out
    }

    /// For each role, how many includes away the nearest role granting `perm` directly is
    /// (`None`: it does not hold it): one breadth-first walk up the include edges.
    fn distance_to_granter(&self, perm: PermIdx) -> Vec<Option<usize>> {
        let mut included_by = vec![Vec::new(); self.roles.len()];
        for (r, role) in self.roles.iter().enumerate() {
            for i in &role.includes {
                included_by[i.get()].push(r);
            }
        }
        let mut distance = vec![None; self.roles.len()];
        let mut queue = VecDeque::new();
        for r in (0..self.roles.len()).filter(|&r| self.roles[r].permissions.contains(&perm)) {
            distance[r] = Some(0);
            queue.push_back(r);
        }
        while let Some(r) = queue.pop_front() {
            let next = distance[r].map_or(0, |d| d + 1);
            for &up in &included_by[r] {
                if distance[up].is_none() {
                    distance[up] = Some(next);
                    queue.push_back(up);
                }
            }
        }
        distance
    }
}

impl Chains {
    /// The chain from the role to the first role (in walk order) that grants `perm` directly,
    /// both ends included: the shortest, ties broken by id. `None` when the role lacks it.
    pub fn to(&self, perm: PermIdx) -> Option<Vec<RoleIdx>> {
        let granter = *self.granter.get(&perm)?;
        Some(self.walk.path_to(granter).into_iter().map(RoleIdx::new).collect())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use crate::model::{Model, PermIdx, RoleIdx};

    /// Roles `r0..rN` (ids in order) with the given includes (each to a higher-numbered role,
    /// so the graph is acyclic) and direct grants of `p0..p2`.
    fn model(includes: &[Vec<usize>], grants: &[Vec<usize>]) -> Model {
        let mut text = String::from("[project]\nname = \"t\"\n");
        for p in 0..3 {
            text.push_str(&format!("[permissions.p{p}]\nid = {}\ndescription = \"p\"\n", p + 1));
        }
        for (r, inc) in includes.iter().enumerate() {
            let list = |xs: &[usize], prefix: &str| {
                xs.iter().map(|x| format!("\"{prefix}{x}\"")).collect::<Vec<_>>().join(", ")
            };
            text.push_str(&format!(
                "[roles.r{r}]\nid = {}\ndescription = \"r\"\npermissions = [{}]\nincludes = [{}]\n",
                r + 1,
                list(&grants[r], "p"),
                list(inc, "r")
            ));
        }
        match crate::validate_text("roles.toml", &text) {
            Ok(v) => v.model().clone(),
            Err(d) => panic!("{d}\n{text}"),
        }
    }

    /// The reference answer: of every shortest include path from `r` to a role granting `p`,
    /// the smallest by its sequence of ids.
    fn brute(model: &Model, r: usize, p: PermIdx) -> Option<Vec<usize>> {
        fn paths(model: &Model, at: usize, depth: usize, path: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
            path.push(at);
            if depth == 0 {
                out.push(path.clone());
            } else {
                for i in &model.roles()[at].includes {
                    paths(model, i.get(), depth - 1, path, out);
                }
            }
            path.pop();
        }
        (0..model.roles().len()).find_map(|depth| {
            let mut all = Vec::new();
            paths(model, r, depth, &mut Vec::new(), &mut all);
            all.into_iter().filter(|path| path.last().is_some_and(|&g| model.roles()[g].permissions.contains(&p))).min()
        })
    }

    fn dag() -> impl Strategy<Value = (Vec<Vec<usize>>, Vec<Vec<usize>>)> {
        (1usize..8).prop_flat_map(|n| {
            let includes = (0..n)
                .map(|r| proptest::sample::subsequence((r + 1..n.max(r + 1)).collect::<Vec<_>>(), 0..=(n - r - 1)))
                .collect::<Vec<_>>();
            let grants = (0..n).map(|_| proptest::sample::subsequence(vec![0usize, 1, 2], 0..=2)).collect::<Vec<_>>();
            (includes, grants)
        })
    }

    proptest! {
        #[test]
        fn explain_and_who_can_give_the_reference_chain((includes, grants) in dag()) {
            let model = model(&includes, &grants);
            for p in (0..3).map(PermIdx::new) {
                let expected: Vec<(usize, Vec<usize>)> =
                    (0..includes.len()).filter_map(|r| Some((r, brute(&model, r, p)?))).collect();
                let from_chains: Vec<(usize, Vec<usize>)> = (0..includes.len())
                    .filter_map(|r| Some((r, model.via(RoleIdx::new(r), p)?.iter().map(|i| i.get()).collect())))
                    .collect();
                let from_holders: Vec<(usize, Vec<usize>)> = model
                    .holders(p)
                    .into_iter()
                    .map(|(r, chain)| (r.get(), chain.iter().map(|i| i.get()).collect()))
                    .collect();
                prop_assert_eq!(&from_chains, &expected);
                prop_assert_eq!(&from_holders, &expected);
            }
        }
    }
}
