//! Typed indices into the model's lists: a role index cannot be used where a permission is
//! meant, and each indexes only its own list.

use std::ops::{Index, IndexMut};

use super::{Entity, LegacyLevel, Permission, Policy, Role};

macro_rules! index {
    ($(#[$doc:meta])* $name:ident => $item:ty) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(usize);

        impl $name {
            /// The index at position `i` of its list.
            pub const fn new(i: usize) -> Self {
                $name(i)
            }

            /// The position in its list.
            pub const fn get(self) -> usize {
                self.0
            }
        }

        impl Index<$name> for [$item] {
            type Output = $item;
            fn index(&self, i: $name) -> &$item {
                &self[i.0]
            }
        }

        impl IndexMut<$name> for [$item] {
            fn index_mut(&mut self, i: $name) -> &mut $item {
                &mut self[i.0]
            }
        }

        impl Index<$name> for Vec<$item> {
            type Output = $item;
            fn index(&self, i: $name) -> &$item {
                &self[i.0]
            }
        }

        impl IndexMut<$name> for Vec<$item> {
            fn index_mut(&mut self, i: $name) -> &mut $item {
                &mut self[i.0]
            }
        }
    };
}

index!(
    /// Index of an entity in [`Model::entities`](super::Model::entities).
    EntityIdx => Entity
);
index!(
    /// Index of a permission in [`Model::permissions`](super::Model::permissions) (its bit in a
    /// [`PermSet`](super::PermSet)).
    PermIdx => Permission
);
index!(
    /// Index of a role in [`Model::roles`](super::Model::roles).
    RoleIdx => Role
);
index!(
    /// Index of a legacy level in [`Model::legacy_levels`](super::Model::legacy_levels) (higher
    /// is more privileged).
    LevelIdx => LegacyLevel
);
index!(
    /// Index of a policy in [`Model::policies`](super::Model::policies).
    PolicyIdx => Policy
);
