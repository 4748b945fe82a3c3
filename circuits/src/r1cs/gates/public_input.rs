//! `PublicInputGate`: wires 0..4 hold the public-inputs hash.

use super::{EvalVarsVar, LazyGoldilocksExt};

/// `wire_i − hash_i` for the four hash elements.
pub fn eval(vars: EvalVarsVar<'_>) -> Vec<LazyGoldilocksExt> {
    vars.public_inputs_hash
        .iter()
        .enumerate()
        .map(|(i, h)| vars.wire(i).sub(&LazyGoldilocksExt::from_base(h.lazy())))
        .collect()
}
