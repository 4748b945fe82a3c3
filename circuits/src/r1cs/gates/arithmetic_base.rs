//! `ArithmeticGate`: `num_ops` base-field operations `out = c0·m0·m1 + c1·addend`, four
//! wires each (m0, m1, addend, out).

use ark_relations::r1cs::SynthesisError;

use super::{EvalVarsVar, LazyGoldilocksExt};

/// `out − (c0·m0·m1 + c1·addend)` per operation.
pub fn eval(
    num_ops: usize,
    vars: EvalVarsVar<'_>,
) -> Result<Vec<LazyGoldilocksExt>, SynthesisError> {
    let (c0, c1) = (vars.constant(0), vars.constant(1));
    (0..num_ops)
        .map(|i| {
            let product = vars.wire(4 * i).mul_narrow(&vars.wire(4 * i + 1))?;
            let computed = product
                .mul_narrow(&c0)?
                .add(&vars.wire(4 * i + 2).mul_narrow(&c1)?);
            Ok(vars.wire(4 * i + 3).sub(&computed))
        })
        .collect()
}
