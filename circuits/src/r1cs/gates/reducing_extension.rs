//! `ReducingExtensionGate`: like [`super::reducing`] with extension coefficients (two wires
//! each).

use ark_relations::r1cs::SynthesisError;

use super::reducing::eval_horner;
use super::{EvalVarsVar, LazyGoldilocksExt};
use crate::wrap::circuit::D;

/// The gate's constraints.
pub fn eval(
    num_coeffs: usize,
    vars: EvalVarsVar<'_>,
) -> Result<Vec<LazyGoldilocksExt>, SynthesisError> {
    eval_horner(num_coeffs, D * num_coeffs, vars, |i| {
        vars.algebra(3 * D + D * i)
    })
}
