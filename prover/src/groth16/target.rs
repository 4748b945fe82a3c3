//! Which wrap circuit a command works on: the production one (the wrap of the ROOT circuit
//! over `K`-op leaves, [`WrapFriParams::DEFAULT`]) or the small insecure test one (the wrap of
//! [`WordsCircuit`] with [`WrapFriParams::INSECURE_TEST`], for tests and benchmarks only).
//! Building either is deterministic, so `setup`, `wrap` and `verify` rebuild the same circuit
//! and the digest in the key files checks they did.

use std::fmt;
use std::str::FromStr;

use bulwark_circuits::leaf::{LeafCircuit, LeafParams};
use bulwark_circuits::node::Aggregation;
use bulwark_circuits::op::SlotParams;
use bulwark_circuits::root::RootCircuit;
use bulwark_circuits::wrap::circuit::{InnerConfig, WrapCircuit, WrapFriParams, D, F};
use bulwark_circuits::wrap::words::WordsCircuit;
use bulwark_state::config::{DEFAULT_TREE_DEPTH, MAX_MAX_BALANCE};
use plonky2::plonk::circuit_data::{CircuitConfig, CircuitData};

use super::Groth16Error;

/// A wrap circuit to build.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WrapTarget {
    /// The wrap of the ROOT circuit over leaves of `ops` op slots (default tree depth and
    /// balance bound).
    Root {
        /// Op slots per leaf proof.
        ops: usize,
    },
    /// The insecure test wrap (10 bits of FRI security): never for a real chain.
    WordsTest,
}

impl fmt::Display for WrapTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WrapTarget::Root { ops } => write!(f, "root (K = {ops})"),
            WrapTarget::WordsTest => f.write_str("words-test (INSECURE test parameters)"),
        }
    }
}

impl FromStr for WrapTarget {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "words-test" => Ok(WrapTarget::WordsTest),
            s => s
                .strip_prefix("root-")
                .and_then(|k| k.parse().ok())
                .filter(|&ops| ops > 0)
                .map(|ops| WrapTarget::Root { ops })
                .ok_or_else(|| {
                    format!("unknown circuit `{s}` (expected `root-K`, e.g. `root-16`, or `words-test`)")
                }),
        }
    }
}

/// A built wrap circuit and the inner circuit whose proofs it wraps.
pub struct BuiltWrap {
    /// The inner circuit (ROOT or the words stand-in).
    pub inner: CircuitData<F, InnerConfig, D>,
    /// The wrap circuit.
    pub wrap: WrapCircuit,
}

impl WrapTarget {
    /// Builds the inner and the wrap circuit (no proving).
    pub fn build(self) -> Result<BuiltWrap, Groth16Error> {
        let building = |e: &dyn fmt::Display| Groth16Error::file(format!("building {self}"), e);
        let inner = match self {
            WrapTarget::WordsTest => WordsCircuit::build(0).data,
            WrapTarget::Root { ops } => {
                let config = CircuitConfig::standard_recursion_config();
                let slot = SlotParams {
                    depth: DEFAULT_TREE_DEPTH as usize,
                    max_balance: MAX_MAX_BALANCE,
                };
                let leaf = LeafCircuit::build(LeafParams { slot, ops }, config.clone());
                let agg = Aggregation::build(&leaf.data, &config).map_err(|e| building(&e))?;
                RootCircuit::build(&agg.node, config)
                    .map_err(|e| building(&e))?
                    .data
            }
        };
        let wrap = match self {
            WrapTarget::WordsTest => WrapCircuit::build_insecure_for_tests(
                &inner.verifier_only,
                &inner.common,
                &WrapFriParams::INSECURE_TEST,
            ),
            WrapTarget::Root { .. } => {
                WrapCircuit::build(&inner.verifier_only, &inner.common, &WrapFriParams::DEFAULT)
                    .map_err(|e| building(&e))?
            }
        };
        Ok(BuiltWrap { inner, wrap })
    }
}
