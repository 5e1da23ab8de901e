//! [`PermSet`]: a set of permissions, one bit per permission index.

use super::PermIdx;

/// A set of permissions, one bit per permission index.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct PermSet {
    words: Vec<u64>,
}

impl PermSet {
    /// The empty set sized for `n` permissions.
    pub fn with_capacity(n: usize) -> Self {
        PermSet { words: vec![0; n.div_ceil(64)] }
    }

    /// Adds a permission.
    pub fn insert(&mut self, p: PermIdx) {
        let p = p.get();
        self.words[p / 64] |= 1 << (p % 64);
    }

    /// Whether it holds `p`.
    pub fn contains(&self, p: PermIdx) -> bool {
        let p = p.get();
        self.words.get(p / 64).is_some_and(|w| w & (1 << (p % 64)) != 0)
    }

    /// Adds every permission of `other`.
    pub fn union_with(&mut self, other: &PermSet) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a |= b;
        }
    }

    /// Whether every permission of `other` is in `self`.
    pub fn is_superset(&self, other: &PermSet) -> bool {
        self.words.iter().zip(&other.words).all(|(a, b)| a & b == *b)
    }

    /// The permission indices, ascending (that is, by id).
    pub fn iter(&self) -> impl Iterator<Item = PermIdx> + '_ {
        self.words.iter().enumerate().flat_map(|(i, &w)| SetBits(w).map(move |b| PermIdx::new(i * 64 + b)))
    }

    /// How many it holds.
    pub fn len(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|&w| w == 0)
    }

    /// The raw words, least significant bit = lowest permission index.
    pub fn words(&self) -> &[u64] {
        &self.words
    }
}

/// The positions of a word's set bits, lowest first (one step per set bit, not per bit).
struct SetBits(u64);

impl Iterator for SetBits {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        if self.0 == 0 {
            return None;
        }
        let bit = self.0.trailing_zeros() as usize;
        self.0 &= self.0 - 1;
        Some(bit)
    }
}
