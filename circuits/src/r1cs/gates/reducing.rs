//! `ReducingGate`: Horner steps `acc_{i} = acc_{i−1}·alpha + coeff_i` over the algebra with
//! base-field coefficients. Wires: output (2), alpha (2), old accumulator (2), the
//! `num_coeffs` coefficients, then the intermediate accumulators (2 each; the last one is
//! the output).

use ark_relations::r1cs::SynthesisError;

use super::{algebra_add, algebra_mul, algebra_sub, Algebra, EvalVarsVar, LazyGoldilocksExt};
use crate::r1cs::goldilocks_ext::GoldilocksExt;
use crate::wrap::circuit::D;
use plonky2::field::types::Field;

const START_COEFFS: usize = 3 * D;

/// The wires of accumulator `i` (the last accumulator is the output).
fn acc_start(num_coeffs: usize, num_coeff_wires: usize, i: usize) -> usize {
    if i == num_coeffs - 1 {
        0
    } else {
        START_COEFFS + num_coeff_wires + D * i
    }
}

/// Both coordinates of `acc·alpha + coeff_i − acc_i` per coefficient. `coeff(i)` gives the
/// i-th coefficient as an algebra element; shared with [`super::reducing_extension`].
pub(crate) fn eval_horner(
    num_coeffs: usize,
    num_coeff_wires: usize,
    vars: EvalVarsVar<'_>,
    coeff: impl Fn(usize) -> Algebra,
) -> Result<Vec<LazyGoldilocksExt>, SynthesisError> {
    let alpha = vars.algebra(D);
    let mut acc = vars.algebra(2 * D);
    let mut out = Vec::with_capacity(num_coeffs * D);
    for i in 0..num_coeffs {
        let next = vars.algebra(acc_start(num_coeffs, num_coeff_wires, i));
        let step = algebra_add(&algebra_mul(&acc, &alpha)?, &coeff(i));
        out.extend(algebra_sub(&step, &next));
        acc = next;
    }
    Ok(out)
}

/// The gate's constraints.
pub fn eval(
    num_coeffs: usize,
    vars: EvalVarsVar<'_>,
) -> Result<Vec<LazyGoldilocksExt>, SynthesisError> {
    let zero = LazyGoldilocksExt::constant(GoldilocksExt::ZERO);
    eval_horner(num_coeffs, num_coeffs, vars, |i| {
        [vars.wire(START_COEFFS + i), zero.clone()]
    })
}
