//! `CanonicalSplitGate`: the 64 bits of the canonical integer of a Goldilocks element, in
//! one row.
//!
//! plonky2's `split_le(x, 64)` takes two `BaseSumGate` rows and is not canonical (x < 2^32 - 1
//! also has the bit pattern x + p); making it canonical costs more rows. This gate checks
//! in one row: every bit is boolean, `x = sum b_i 2^i` in the field, and the pattern is
//! below p, i.e. `lo * (1 - (hi - (2^32 - 1)) * inv) = 0` where lo and hi are the low and
//! high 32-bit halves and `inv` a witness: if hi = 2^32 - 1 the product forces lo = 0;
//! otherwise inv = 1/(hi - (2^32 - 1)) satisfies it. A pattern below p that is congruent
//! to x is x's canonical integer.

use anyhow::Result;
use plonky2::field::extension::Extendable;
use plonky2::field::types::Field;
use plonky2::gates::gate::Gate;
use plonky2::gates::util::StridedConstraintConsumer;
use plonky2::hash::hash_types::RichField;
use plonky2::iop::ext_target::ExtensionTarget;
use plonky2::iop::generator::{GeneratedValues, SimpleGenerator, WitnessGeneratorRef};
use plonky2::iop::target::Target;
use plonky2::iop::witness::{PartitionWitness, Witness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::CommonCircuitData;
use plonky2::plonk::vars::{EvaluationTargets, EvaluationVars, EvaluationVarsBase};
use plonky2::util::serialization::{Buffer, IoResult, Read, Write};

use super::alg::{InCircuit, Native, Ring};

/// The high half of p - 1.
const HIGH_ALL_ONES: u64 = 0xFFFF_FFFF;

/// One canonical 64-bit decomposition per row (see the module documentation).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CanonicalSplitGate;

impl CanonicalSplitGate {
    /// The value being split (routed).
    pub const WIRE_X: usize = 0;
    /// Bit `i` (little-endian) of the canonical integer (routed).
    pub const fn wire_bit(i: usize) -> usize {
        1 + i
    }
    /// The witness inverse of hi - (2^32 - 1) (0 when hi = 2^32 - 1).
    pub const WIRE_INV: usize = 65;

    fn constraints<T: Copy, R: Ring<T>>(r: &mut R, w: &[T], out: &mut Vec<T>) {
        let mut lo = r.konst(0);
        let mut hi = r.konst(0);
        let mut all = r.konst(0);
        for i in 0..64 {
            let b = w[Self::wire_bit(i)];
            let pow = r.konst(1u64 << i);
            all = r.mul_add(b, pow, all);
            if i < 32 {
                lo = r.mul_add(b, pow, lo);
            } else {
                let pow_hi = r.konst(1u64 << (i - 32));
                hi = r.mul_add(b, pow_hi, hi);
            }
        }
        out.push(r.sub(w[Self::WIRE_X], all));
        let one = r.konst(1);
        for i in 0..64 {
            let b = w[Self::wire_bit(i)];
            let bm1 = r.sub(b, one);
            out.push(r.mul(b, bm1));
        }
        let m = r.konst(HIGH_ALL_ONES);
        let d = r.sub(hi, m);
        let di = r.mul(d, w[Self::WIRE_INV]);
        let k = r.sub(one, di);
        out.push(r.mul(lo, k));
    }
}

impl<F: RichField + Extendable<D>, const D: usize> Gate<F, D> for CanonicalSplitGate {
    fn id(&self) -> String {
        format!("{self:?}")
    }

    fn serialize(&self, _dst: &mut Vec<u8>, _common: &CommonCircuitData<F, D>) -> IoResult<()> {
        Ok(())
    }

    fn deserialize(_src: &mut Buffer, _common: &CommonCircuitData<F, D>) -> IoResult<Self> {
        Ok(CanonicalSplitGate)
    }

    fn eval_unfiltered(&self, vars: EvaluationVars<F, D>) -> Vec<F::Extension> {
        let mut out = Vec::with_capacity(66);
        Self::constraints(&mut Native, vars.local_wires, &mut out);
        out
    }

    fn eval_unfiltered_base_one(
        &self,
        vars: EvaluationVarsBase<F>,
        mut yield_constr: StridedConstraintConsumer<F>,
    ) {
        let wires: Vec<F> = (0..66).map(|i| vars.local_wires[i]).collect();
        let mut out = Vec::with_capacity(66);
        Self::constraints(&mut Native, &wires, &mut out);
        yield_constr.many(out);
    }

    fn eval_unfiltered_circuit(
        &self,
        builder: &mut CircuitBuilder<F, D>,
        vars: EvaluationTargets<D>,
    ) -> Vec<ExtensionTarget<D>> {
        let mut out = Vec::with_capacity(66);
        Self::constraints(&mut InCircuit(builder), vars.local_wires, &mut out);
        out
    }

    fn generators(&self, row: usize, _constants: &[F]) -> Vec<WitnessGeneratorRef<F, D>> {
        vec![WitnessGeneratorRef::new(
            CanonicalSplitGenerator { row }.adapter(),
        )]
    }

    fn num_wires(&self) -> usize {
        66
    }

    fn num_constants(&self) -> usize {
        0
    }

    fn degree(&self) -> usize {
        3
    }

    fn num_constraints(&self) -> usize {
        66
    }
}

/// Fills a [`CanonicalSplitGate`] row from its x.
#[derive(Debug, Clone, Default)]
pub struct CanonicalSplitGenerator {
    row: usize,
}

/// All wires of a row for the value `v` (canonical), as the generator fills them.
pub fn fill_row<F: Field>(v: u64) -> Vec<F> {
    let mut w = vec![F::ZERO; 66];
    w[CanonicalSplitGate::WIRE_X] = F::from_canonical_u64(v);
    for i in 0..64 {
        w[CanonicalSplitGate::wire_bit(i)] = F::from_bool((v >> i) & 1 == 1);
    }
    let d = F::from_canonical_u64(v >> 32) - F::from_canonical_u64(HIGH_ALL_ONES);
    w[CanonicalSplitGate::WIRE_INV] = d.try_inverse().unwrap_or(F::ZERO);
    w
}

impl<F: RichField + Extendable<D>, const D: usize> SimpleGenerator<F, D>
    for CanonicalSplitGenerator
{
    fn id(&self) -> String {
        "CanonicalSplitGenerator".to_string()
    }

    fn dependencies(&self) -> Vec<Target> {
        vec![Target::wire(self.row, CanonicalSplitGate::WIRE_X)]
    }

    fn run_once(&self, w: &PartitionWitness<F>, out: &mut GeneratedValues<F>) -> Result<()> {
        let v = w
            .get_target(Target::wire(self.row, CanonicalSplitGate::WIRE_X))
            .to_canonical_u64();
        for (col, value) in fill_row::<F>(v).into_iter().enumerate().skip(1) {
            out.set_target(Target::wire(self.row, col), value)?;
        }
        Ok(())
    }

    fn serialize(&self, dst: &mut Vec<u8>, _common: &CommonCircuitData<F, D>) -> IoResult<()> {
        dst.write_usize(self.row)
    }

    fn deserialize(src: &mut Buffer, _common: &CommonCircuitData<F, D>) -> IoResult<Self> {
        Ok(CanonicalSplitGenerator {
            row: src.read_usize()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use plonky2::field::types::Field64;
    use plonky2::gates::gate_testing::{test_eval_fns, test_low_degree};
    use plonky2::iop::witness::PartialWitness;
    use plonky2::plonk::circuit_data::CircuitConfig;

    use super::*;
    use crate::ecgfp5::test_util::{assert_unprovable, prove_and_verify, NoGenerators, C, D, F};

    #[test]
    fn low_degree() {
        test_low_degree::<F, _, D>(CanonicalSplitGate);
    }

    #[test]
    fn eval_fns() -> Result<()> {
        test_eval_fns::<F, C, _, D>(CanonicalSplitGate)
    }

    fn satisfied(w: &[F]) -> bool {
        let mut out = Vec::new();
        CanonicalSplitGate::constraints(&mut Native, w, &mut out);
        out.iter().all(|c| *c == F::ZERO)
    }

    /// The generator's row satisfies the constraints; a wrong bit, or the non-canonical
    /// pattern x + p (whatever inv), does not.
    #[test]
    fn native_rows() {
        let p = F::ORDER;
        for v in [
            0,
            1,
            5,
            HIGH_ALL_ONES - 1,
            HIGH_ALL_ONES,
            1 << 32,
            p - 2,
            p - 1,
        ] {
            let w = fill_row::<F>(v);
            assert!(satisfied(&w), "{v}");
            let mut bad = w.clone();
            bad[CanonicalSplitGate::wire_bit(3)] = F::ONE - bad[CanonicalSplitGate::wire_bit(3)];
            assert!(!satisfied(&bad));
        }
        for x in [0u64, 5, HIGH_ALL_ONES - 2] {
            let mut w = fill_row::<F>(x);
            let pattern = x + p;
            for i in 0..64 {
                w[CanonicalSplitGate::wire_bit(i)] = F::from_bool((pattern >> i) & 1 == 1);
            }
            for inv in [F::ZERO, F::ONE, F::from_canonical_u64(12345)] {
                w[CanonicalSplitGate::WIRE_INV] = inv;
                assert!(!satisfied(&w), "x + p accepted for x = {x}");
            }
        }
    }

    /// The same in real proofs, with every wire set by hand.
    #[test]
    fn non_canonical_pattern_is_unprovable() {
        let p = F::ORDER;
        let run = |w: Vec<F>| {
            let mut b = CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
            let row = b.add_gate(NoGenerators(CanonicalSplitGate), vec![]);
            let data = b.build::<C>();
            let mut pw = PartialWitness::new();
            for (c, v) in w.iter().enumerate() {
                pw.set_target(Target::wire(row, c), *v).unwrap();
            }
            (data, pw)
        };
        let (data, pw) = run(fill_row::<F>(5));
        prove_and_verify(&data, pw).unwrap();
        let (data, pw) = run(fill_row::<F>(p - 1));
        prove_and_verify(&data, pw).unwrap();
        let mut w = fill_row::<F>(5);
        for i in 0..64 {
            w[CanonicalSplitGate::wire_bit(i)] = F::from_bool(((5 + p) >> i) & 1 == 1);
        }
        let (data, pw) = run(w);
        assert_unprovable(&data, pw);
    }
}
