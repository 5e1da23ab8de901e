//! The graph algorithms the rules and the questions share, over graphs of indices: `edges[i]`
//! lists the nodes `i` points to (a role's includes, an entity's parent). Nothing here knows
//! about roles, diagnostics or spans.
//!
//! Every walk visits neighbours in ascending index order, so answers are deterministic and ties
//! go to the lower index (the lower id, since the model keeps roles and permissions by id).

use std::collections::VecDeque;

/// A breadth-first walk from one root: who was reached, in which order, and from where.
#[derive(Debug, Clone)]
pub struct Walk {
    /// The nodes reached, root first, in the order they were visited.
    pub order: Vec<usize>,
    /// For each node, the node it was first reached from (`None` for the root and the unreached).
    parent: Vec<Option<usize>>,
}

impl Walk {
    /// Walks from `root` over `edges`, neighbours in ascending order.
    pub fn from(edges: &[Vec<usize>], root: usize) -> Walk {
        Walk::over(edges.len(), root, |n| edges[n].iter().copied())
    }

    /// Walks from `root` over the `n` nodes whose neighbours `next` gives, in ascending order.
    pub fn over<I: Iterator<Item = usize>>(n: usize, root: usize, next: impl Fn(usize) -> I) -> Walk {
        Walk::breadth_first(n, root, next, |_| true)
    }

    /// Walks from `root`, only through nodes `keep` accepts.
    pub fn within(edges: &[Vec<usize>], root: usize, keep: impl Fn(usize) -> bool) -> Walk {
        Walk::breadth_first(edges.len(), root, |n| edges[n].iter().copied(), keep)
    }

    fn breadth_first<I: Iterator<Item = usize>>(
        n: usize,
        root: usize,
        neighbours: impl Fn(usize) -> I,
        keep: impl Fn(usize) -> bool,
    ) -> Walk {
        let mut parent = vec![None; n];
        let mut seen = vec![false; n];
        let mut order = Vec::new();
        let mut queue = VecDeque::from([root]);
        let mut next = Vec::new();
        seen[root] = true;
        while let Some(node) = queue.pop_front() {
            order.push(node);
            next.clear();
            next.extend(neighbours(node).filter(|&n| keep(n)));
            next.sort_unstable();
            for &n in &next {
                if !std::mem::replace(&mut seen[n], true) {
                    parent[n] = Some(node);
                    queue.push_back(n);
                }
            }
        }
        Walk { order, parent }
    }

    /// The path from the root to `node`, both ends included (a shortest one); empty when the
    /// walk did not reach it.
    pub fn path_to(&self, node: usize) -> Vec<usize> {
        let reached = self.order.first() == Some(&node) || self.parent.get(node).is_some_and(Option::is_some);
        if !reached {
            return Vec::new();
        }
        let mut path = vec![node];
        let mut at = node;
        while let Some(p) = self.parent[at] {
            path.push(p);
            at = p;
        }
        path.reverse();
        path
    }
}

/// Every cycle of the graph, one per strongly connected component that has one, each as the
/// path `start, …, start` where `start` is the member with the lowest `rank` (its position in
/// the file), and the path is the shortest cycle through it.
pub fn cycles(edges: &[Vec<usize>], rank: impl Fn(usize) -> usize) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    for component in strongly_connected(edges) {
        let cyclic = component.len() > 1 || edges[component[0]].contains(&component[0]);
        let Some(&start) = component.iter().min_by_key(|&&m| rank(m)) else { continue };
        if cyclic {
            out.push(cycle_through(edges, &component, start));
        }
    }
    out
}

/// The shortest cycle from `start` back to `start` inside one component: the first node a walk
/// from `start` reaches that points back to it.
fn cycle_through(edges: &[Vec<usize>], component: &[usize], start: usize) -> Vec<usize> {
    let walk = Walk::within(edges, start, |n| component.contains(&n));
    let last = walk.order.iter().copied().find(|&n| edges[n].contains(&start)).unwrap_or(start);
    let mut path = walk.path_to(last);
    path.push(start);
    path
}

/// Every node after all the nodes it points to (the graph must be acyclic; on a cycle, each
/// node still appears once).
pub fn post_order(edges: &[Vec<usize>]) -> Vec<usize> {
    // A node is entered once: on a cycle, the node that closes it is not expanded again.
    let mut entered = vec![false; edges.len()];
    let mut out = Vec::with_capacity(edges.len());
    for root in 0..edges.len() {
        let mut stack = vec![(root, false)];
        while let Some((node, expanded)) = stack.pop() {
            if expanded {
                out.push(node);
                continue;
            }
            if std::mem::replace(&mut entered[node], true) {
                continue;
            }
            stack.push((node, true));
            stack.extend(edges[node].iter().filter(|&&n| !entered[n]).map(|&n| (n, false)));
        }
    }
    out
}

/// Tarjan's strongly connected components, iteratively (no recursion limit on deep includes).
pub fn strongly_connected(edges: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let mut tarjan = Tarjan::new(edges.len());
    for root in 0..edges.len() {
        if tarjan.index[root] == usize::MAX {
            tarjan.visit(edges, root);
        }
    }
    tarjan.components
}

struct Tarjan {
    index: Vec<usize>,
    low: Vec<usize>,
    on_stack: Vec<bool>,
    stack: Vec<usize>,
    components: Vec<Vec<usize>>,
    counter: usize,
}

impl Tarjan {
    fn new(n: usize) -> Tarjan {
        Tarjan {
            index: vec![usize::MAX; n],
            low: vec![0; n],
            on_stack: vec![false; n],
            stack: Vec::new(),
            components: Vec::new(),
            counter: 0,
        }
    }

    /// The depth-first search from `root`, with an explicit stack of (node, next edge).
    fn visit(&mut self, edges: &[Vec<usize>], root: usize) {
        let mut work = vec![(root, 0usize)];
        while let Some(&mut (v, ref mut next)) = work.last_mut() {
            if *next == 0 {
                self.enter(v);
            }
            if let Some(&w) = edges[v].get(*next) {
                *next += 1;
                if self.index[w] == usize::MAX {
                    work.push((w, 0));
                } else if self.on_stack[w] {
                    self.low[v] = self.low[v].min(self.index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                self.low[parent] = self.low[parent].min(self.low[v]);
            }
            if self.low[v] == self.index[v] {
                self.close(v);
            }
        }
    }

    fn enter(&mut self, v: usize) {
        self.index[v] = self.counter;
        self.low[v] = self.counter;
        self.counter += 1;
        self.stack.push(v);
        self.on_stack[v] = true;
    }

    /// `v` is the root of a component: pop it off the stack.
    fn close(&mut self, v: usize) {
        let mut component = Vec::new();
        while let Some(w) = self.stack.pop() {
            self.on_stack[w] = false;
            component.push(w);
            if w == v {
                break;
            }
        }
        self.components.push(component);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_are_breadth_first_and_ties_go_to_the_lower_index() {
        // 0 -> 2, 0 -> 1, 1 -> 3, 2 -> 3: 3 is reached through 1, the lower index.
        let edges = vec![vec![2, 1], vec![3], vec![3], vec![]];
        let walk = Walk::from(&edges, 0);
        assert_eq!(walk.order, [0, 1, 2, 3]);
        assert_eq!(walk.path_to(3), [0, 1, 3]);
        assert_eq!(Walk::from(&edges, 1).path_to(2), Vec::<usize>::new());
    }

    #[test]
    fn cycles_start_at_the_first_member_and_are_shortest() {
        // 0 -> 1 -> 2 -> 0 and 1 -> 0; 3 -> 3; 4 alone.
        let edges = vec![vec![1], vec![2, 0], vec![0], vec![3], vec![]];
        let mut found = cycles(&edges, |n| n);
        found.sort();
        assert_eq!(found, [vec![0, 1, 0], vec![3, 3]]);
        assert!(cycles(&edges, |n| [9, 0, 9, 0, 0][n]).contains(&vec![1, 0, 1]));
    }

    #[test]
    fn post_order_puts_every_node_after_what_it_points_to() {
        let edges = vec![vec![1, 2], vec![2], vec![], vec![0]];
        let order = post_order(&edges);
        let at = |n| order.iter().position(|&m| m == n);
        assert_eq!(order.len(), 4);
        assert!(at(2) < at(1) && at(1) < at(0) && at(0) < at(3));
    }

    #[test]
    fn deep_chains_do_not_overflow_the_stack() {
        let n = 200_000;
        let edges: Vec<Vec<usize>> = (0..n).map(|i| if i + 1 < n { vec![i + 1] } else { vec![0] }).collect();
        assert_eq!(strongly_connected(&edges).len(), 1);
        assert_eq!(post_order(&edges).len(), n);
    }
}
