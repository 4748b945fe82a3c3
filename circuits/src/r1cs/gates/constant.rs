//! `ConstantGate`: wire `i` equals constant `i`.

use super::{EvalVarsVar, LazyGoldilocksExt};

/// `constant_i − wire_i` for each of the `num_consts` constants.
pub fn eval(num_consts: usize, vars: EvalVarsVar<'_>) -> Vec<LazyGoldilocksExt> {
    (0..num_consts)
        .map(|i| vars.constant(i).sub(&vars.wire(i)))
        .collect()
}
