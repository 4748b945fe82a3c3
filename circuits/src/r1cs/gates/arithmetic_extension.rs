//! `ArithmeticExtensionGate`: `num_ops` algebra operations `out = c0·m0·m1 + c1·addend`,
//! each operand two wires (an extension element), 8 wires per operation.

use ark_relations::r1cs::SynthesisError;

use super::{
    algebra_add, algebra_mul, algebra_scalar, algebra_sub, EvalVarsVar, LazyGoldilocksExt,
};
use crate::wrap::circuit::D;

/// Both coordinates of `out − (c0·m0·m1 + c1·addend)` per operation.
pub fn eval(
    num_ops: usize,
    vars: EvalVarsVar<'_>,
) -> Result<Vec<LazyGoldilocksExt>, SynthesisError> {
    let (c0, c1) = (vars.constant(0), vars.constant(1));
    let mut out = Vec::with_capacity(num_ops * D);
    for i in 0..num_ops {
        let base = 4 * D * i;
        let product = algebra_mul(&vars.algebra(base), &vars.algebra(base + D))?;
        let computed = algebra_add(
            &algebra_scalar(&product, &c0)?,
            &algebra_scalar(&vars.algebra(base + 2 * D), &c1)?,
        );
        out.extend(algebra_sub(&vars.algebra(base + 3 * D), &computed));
    }
    Ok(out)
}
