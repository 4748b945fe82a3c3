//! `RandomAccessGate`: per copy, `claimed = list[index]` by folding the list with the
//! index's bits; extra constants copied to wires. Routed wires per copy: index, claimed
//! element, the `2^bits` list items; then the extra constants; then the bits (unrouted).

use ark_relations::r1cs::SynthesisError;

use super::{EvalVarsVar, LazyGoldilocksExt};
use crate::r1cs::goldilocks_ext::GoldilocksExt;
use plonky2::field::types::Field;

/// Bits boolean, index recomposed, folded list equals the claim (per copy), then
/// `constant_i − wire_i` for the extra constants.
pub fn eval(
    bits: usize,
    num_copies: usize,
    num_extra_constants: usize,
    vars: EvalVarsVar<'_>,
) -> Result<Vec<LazyGoldilocksExt>, SynthesisError> {
    let vec_size = 1 << bits;
    let per_copy = 2 + vec_size;
    let num_routed = per_copy * num_copies + num_extra_constants;
    let one = LazyGoldilocksExt::constant(GoldilocksExt::ONE);
    let mut out = Vec::new();
    for copy in 0..num_copies {
        let index = vars.wire(per_copy * copy);
        let claimed = vars.wire(per_copy * copy + 1);
        let mut list: Vec<LazyGoldilocksExt> = (0..vec_size)
            .map(|i| vars.wire(per_copy * copy + 2 + i))
            .collect();
        let bit_wires: Vec<LazyGoldilocksExt> = (0..bits)
            .map(|i| vars.wire(num_routed + copy * bits + i))
            .collect();
        for b in &bit_wires {
            out.push(b.mul_narrow(&b.sub(&one))?);
        }
        let mut recomposed = LazyGoldilocksExt::constant(GoldilocksExt::ZERO);
        for b in bit_wires.iter().rev() {
            recomposed = recomposed.mul_small(2).add(b);
        }
        out.push(recomposed.sub(&index));
        for b in &bit_wires {
            list = list
                .chunks(2)
                .map(|pair| Ok(pair[0].add(&b.mul_narrow(&pair[1].sub(&pair[0]))?)))
                .collect::<Result<_, SynthesisError>>()?;
        }
        out.push(list[0].sub(&claimed));
    }
    for i in 0..num_extra_constants {
        out.push(vars.constant(i).sub(&vars.wire(per_copy * num_copies + i)));
    }
    Ok(out)
}
