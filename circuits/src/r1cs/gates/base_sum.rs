//! `BaseSumGate<2>`: wire 0 is the sum, wires `1..=num_limbs` its bits (little-endian).

use ark_relations::r1cs::SynthesisError;

use super::{EvalVarsVar, LazyGoldilocksExt};
use crate::r1cs::goldilocks_ext::GoldilocksExt;
use plonky2::field::types::Field;

/// `Σ limb_i·2^i − sum` (Horner from the top limb, as plonky2's `reduce_with_powers`), then
/// `limb·(limb − 1)` per limb.
pub fn eval(
    num_limbs: usize,
    vars: EvalVarsVar<'_>,
) -> Result<Vec<LazyGoldilocksExt>, SynthesisError> {
    // Σ limb_i·2^i as a linear combination: coefficients 2^i mod p are constants.
    let mut computed = LazyGoldilocksExt::constant(GoldilocksExt::ZERO);
    let mut power = plonky2::field::goldilocks_field::GoldilocksField::ONE;
    for i in 0..num_limbs {
        use plonky2::field::types::PrimeField64;
        computed = computed.add(&super::mul_const(
            &vars.wire(1 + i),
            power.to_canonical_u64(),
        )?);
        power = power.double();
    }
    let mut out = vec![computed.sub(&vars.wire(0))];
    for i in 0..num_limbs {
        let limb = vars.wire(1 + i);
        let minus_one = limb.sub(&LazyGoldilocksExt::constant(GoldilocksExt::ONE));
        out.push(limb.mul_narrow(&minus_one)?);
    }
    Ok(out)
}
