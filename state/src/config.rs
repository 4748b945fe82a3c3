//! Per-deployment parameters of a consumer chain.

use serde::{Deserialize, Serialize};

use crate::error::ConfigError;

/// Default depth of the account tree (2^32 accounts).
pub const DEFAULT_TREE_DEPTH: u8 = 32;
/// Largest allowed tree depth: account indices are 32-bit.
pub const MAX_TREE_DEPTH: u8 = 32;
/// Largest allowed `max_balance`: 2^62 - 1, so that the sum of any two in-range values
/// (a balance plus an amount, an amount plus a fee) stays below 2^63 < p and no field
/// arithmetic in the circuits can wrap modulo the Goldilocks prime.
pub const MAX_MAX_BALANCE: u64 = (1 << 62) - 1;

/// The parameters fixed at genesis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainConfig {
    /// The consumer chain's id; every signature commits to it (no cross-chain replay).
    pub chain_id: u64,
    /// Depth of the account tree; account indices are below 2^depth.
    pub tree_depth: u8,
    /// No balance may exceed this value (see [`MAX_MAX_BALANCE`]).
    pub max_balance: u64,
}

impl ChainConfig {
    /// A configuration with the default depth and maximum balance.
    pub fn new(chain_id: u64) -> Self {
        ChainConfig {
            chain_id,
            tree_depth: DEFAULT_TREE_DEPTH,
            max_balance: MAX_MAX_BALANCE,
        }
    }

    /// Checks every parameter against its allowed range.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.tree_depth == 0 || self.tree_depth > MAX_TREE_DEPTH {
            return Err(ConfigError::TreeDepth(self.tree_depth));
        }
        if self.max_balance == 0 || self.max_balance > MAX_MAX_BALANCE {
            return Err(ConfigError::MaxBalance(self.max_balance));
        }
        Ok(())
    }

    /// Number of account slots, 2^depth.
    pub fn capacity(&self) -> u64 {
        1u64 << self.tree_depth
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_parameters_are_refused() {
        let ok = ChainConfig::new(1);
        ok.validate().unwrap();
        ChainConfig {
            tree_depth: 1,
            max_balance: 1,
            ..ok
        }
        .validate()
        .unwrap();
        assert_eq!(
            ChainConfig {
                tree_depth: 0,
                ..ok
            }
            .validate(),
            Err(ConfigError::TreeDepth(0))
        );
        assert_eq!(
            ChainConfig {
                tree_depth: 33,
                ..ok
            }
            .validate(),
            Err(ConfigError::TreeDepth(33))
        );
        assert_eq!(
            ChainConfig {
                max_balance: 0,
                ..ok
            }
            .validate(),
            Err(ConfigError::MaxBalance(0))
        );
        let above = MAX_MAX_BALANCE + 1;
        assert_eq!(
            ChainConfig {
                max_balance: above,
                ..ok
            }
            .validate(),
            Err(ConfigError::MaxBalance(above))
        );
    }
}
