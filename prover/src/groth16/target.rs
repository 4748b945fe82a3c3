//! Which wrap circuit a command works on: the production one (the wrap of the ROOT circuit
//! over `K`-op leaves, [`WrapFriParams::DEFAULT`]) or the small insecure test one (the wrap of
//! [`WordsCircuit`] with [`WrapFriParams::INSECURE_TEST`], for tests and benchmarks only).
//! Building either is deterministic, so `setup`, `wrap` and `verify` rebuild the same circuit
//! and the digest in the key files checks they did.

use std::fmt;
use std::str::FromStr;

use bulwark_circuits::root::RootCircuit;
use bulwark_circuits::wrap::circuit::{InnerConfig, WrapCircuit, WrapFriParams, D, F};
use bulwark_circuits::wrap::words::WordsCircuit;
use bulwark_state::config::{DEFAULT_TREE_DEPTH, MAX_MAX_BALANCE};
use plonky2::plonk::circuit_data::CircuitData;

use super::Groth16Error;
use crate::cache::{CircuitCache, CircuitParams, Circuits};

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
                    format!("unknown circuit `{s}` (expected `root-K`, e.g. `root-64`, or `words-test`)")
                }),
        }
    }
}

/// The circuit a wrap circuit verifies proofs of.
pub enum InnerCircuit {
    /// The ROOT circuit of a deployment.
    Root(Box<RootCircuit>),
    /// The insecure test stand-in.
    Words(Box<CircuitData<F, InnerConfig, D>>),
}

impl InnerCircuit {
    /// The inner circuit's data.
    pub fn data(&self) -> &CircuitData<F, InnerConfig, D> {
        match self {
            InnerCircuit::Root(root) => &root.data,
            InnerCircuit::Words(data) => data,
        }
    }
}

/// A built wrap circuit and the inner circuit whose proofs it wraps.
pub struct BuiltWrap {
    /// The inner circuit (ROOT or the words stand-in).
    pub inner: InnerCircuit,
    /// The wrap circuit.
    pub wrap: WrapCircuit,
}

/// The parameters of the production circuits over `ops`-op leaves: the default tree depth
/// and the largest balance bound (what `bulwark genesis` and the hub's chains use).
pub fn root_params(ops: usize) -> CircuitParams {
    CircuitParams {
        ops_per_leaf: ops,
        tree_depth: DEFAULT_TREE_DEPTH as usize,
        max_balance: MAX_MAX_BALANCE,
    }
}

impl BuiltWrap {
    /// The ROOT circuit over `circuits`' node circuit and the production wrap of it.
    pub fn for_root(circuits: &Circuits) -> Result<Self, Groth16Error> {
        let building = |e: &dyn fmt::Display| {
            Groth16Error::file(
                format!("building root (K = {})", circuits.params.ops_per_leaf),
                e,
            )
        };
        let root = RootCircuit::build(&circuits.aggregation.node, CircuitParams::config())
            .map_err(|e| building(&e))?;
        let wrap = WrapCircuit::build(
            &root.data.verifier_only,
            &root.data.common,
            &WrapFriParams::DEFAULT,
        )
        .map_err(|e| building(&e))?;
        Ok(BuiltWrap {
            inner: InnerCircuit::Root(Box::new(root)),
            wrap,
        })
    }
}

impl WrapTarget {
    /// Builds the inner and the wrap circuit (no proving); the leaf and node circuits of a
    /// ROOT target come from `cache` (built and stored there when missing).
    pub fn build(self, cache: &CircuitCache) -> Result<BuiltWrap, Groth16Error> {
        match self {
            WrapTarget::WordsTest => {
                let inner = WordsCircuit::build(0).data;
                let wrap = WrapCircuit::build_insecure_for_tests(
                    &inner.verifier_only,
                    &inner.common,
                    &WrapFriParams::INSECURE_TEST,
                );
                Ok(BuiltWrap {
                    inner: InnerCircuit::Words(Box::new(inner)),
                    wrap,
                })
            }
            WrapTarget::Root { ops } => {
                let (circuits, _) = cache
                    .load_or_build(root_params(ops))
                    .map_err(|e| Groth16Error::file(format!("building {self}"), e))?;
                BuiltWrap::for_root(&circuits)
            }
        }
    }
}
