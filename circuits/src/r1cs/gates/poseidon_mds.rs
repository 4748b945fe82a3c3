//! `PoseidonMdsGate`: 12 algebra outputs equal plonky2's MDS layer (circulant plus
//! diagonal, small constants) of 12 algebra inputs.

use ark_relations::r1cs::SynthesisError;
use plonky2::hash::poseidon::{Poseidon, SPONGE_WIDTH};

use super::{algebra_sub, mul_const, Algebra, EvalVarsVar, LazyGoldilocksExt};
use crate::wrap::circuit::{D, F};

/// Row `r` of the MDS layer on extension values (plonky2's `mds_row_shf_field`).
pub fn mds_row(
    r: usize,
    v: &[LazyGoldilocksExt; SPONGE_WIDTH],
) -> Result<LazyGoldilocksExt, SynthesisError> {
    let mut res = mul_const(&v[r], <F as Poseidon>::MDS_MATRIX_DIAG[r])?;
    for i in 0..SPONGE_WIDTH {
        res = res.add(&mul_const(
            &v[(i + r) % SPONGE_WIDTH],
            <F as Poseidon>::MDS_MATRIX_CIRC[i],
        )?);
    }
    Ok(res)
}

/// Both coordinates of `output_i − mds(inputs)_i`.
pub fn eval(vars: EvalVarsVar<'_>) -> Result<Vec<LazyGoldilocksExt>, SynthesisError> {
    let inputs: [Algebra; SPONGE_WIDTH] = std::array::from_fn(|i| vars.algebra(i * D));
    let mut out = Vec::with_capacity(SPONGE_WIDTH * D);
    for r in 0..SPONGE_WIDTH {
        let computed: Algebra = [
            mds_row(r, &std::array::from_fn(|i| inputs[i][0].clone()))?,
            mds_row(r, &std::array::from_fn(|i| inputs[i][1].clone()))?,
        ];
        out.extend(algebra_sub(
            &vars.algebra((SPONGE_WIDTH + r) * D),
            &computed,
        ));
    }
    Ok(out)
}
