//! `MulExtensionGate`: `num_ops` algebra products `out = c0·m0·m1`, 6 wires per operation.

use ark_relations::r1cs::SynthesisError;

use super::{algebra_mul, algebra_scalar, algebra_sub, EvalVarsVar, LazyGoldilocksExt};
use crate::wrap::circuit::D;

/// Both coordinates of `out − c0·m0·m1` per operation.
pub fn eval(
    num_ops: usize,
    vars: EvalVarsVar<'_>,
) -> Result<Vec<LazyGoldilocksExt>, SynthesisError> {
    let c0 = vars.constant(0);
    let mut out = Vec::with_capacity(num_ops * D);
    for i in 0..num_ops {
        let base = 3 * D * i;
        let product = algebra_mul(&vars.algebra(base), &vars.algebra(base + D))?;
        let computed = algebra_scalar(&product, &c0)?;
        out.extend(algebra_sub(&vars.algebra(base + 2 * D), &computed));
    }
    Ok(out)
}
