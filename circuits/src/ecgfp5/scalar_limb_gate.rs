//! `ScalarLimbGate`: one 62-bit limb of a scalar split into bits *and* compared with the
//! matching limb of a constant, in one row.
//!
//! For s < n the verifier computes d = (n - 1) - s limb by limb with borrows:
//! `d_j + s_j + b_j = m_j + 2^62 b_(j+1)` with m_j the limbs of n - 1. A row holds s_j and
//! its bits (routed, for the scalar multiplication), the borrows in and out (routed, to
//! chain the rows), the bits of d_j (range check) and m_j as the gate's constant. Every
//! term is below 2^62, so the equation holds over the integers, and the last borrow is 1
//! exactly when s > n - 1. Doing both the split and the range check of d in one row halves
//! the rows of two `BaseSumGate` splits.

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

/// Bits per limb.
pub const LIMB_BITS: usize = 62;

/// See the module documentation. Constant 0 is m_j.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScalarLimbGate;

impl ScalarLimbGate {
    /// The limb s_j (routed).
    pub const WIRE_LIMB: usize = 0;
    /// Bit `i` of s_j (routed).
    pub const fn wire_bit(i: usize) -> usize {
        1 + i
    }
    /// The borrow b_j coming from the limb below (routed; 0 for the lowest limb).
    pub const WIRE_BORROW_IN: usize = 1 + LIMB_BITS;
    /// The borrow b_(j+1) passed to the limb above (routed).
    pub const WIRE_BORROW_OUT: usize = 2 + LIMB_BITS;
    /// Bit `i` of d_j.
    pub const fn wire_d_bit(i: usize) -> usize {
        3 + LIMB_BITS + i
    }
    const NUM_WIRES: usize = 3 + 2 * LIMB_BITS;
    const NUM_CONSTRAINTS: usize = 3 + 2 * LIMB_BITS;

    fn constraints<T: Copy, R: Ring<T>>(r: &mut R, w: &[T], m: T, out: &mut Vec<T>) {
        let one = r.konst(1);
        let mut s = r.konst(0);
        let mut d = r.konst(0);
        for i in 0..LIMB_BITS {
            let pow = r.konst(1u64 << i);
            s = r.mul_add(w[Self::wire_bit(i)], pow, s);
            d = r.mul_add(w[Self::wire_d_bit(i)], pow, d);
        }
        out.push(r.sub(w[Self::WIRE_LIMB], s));
        for i in 0..LIMB_BITS {
            for col in [Self::wire_bit(i), Self::wire_d_bit(i)] {
                let bm1 = r.sub(w[col], one);
                out.push(r.mul(w[col], bm1));
            }
        }
        let bo = w[Self::WIRE_BORROW_OUT];
        let bm1 = r.sub(bo, one);
        out.push(r.mul(bo, bm1));
        // d + s + b_in - m - 2^62 b_out = 0.
        let t = r.add(d, w[Self::WIRE_LIMB]);
        let t = r.add(t, w[Self::WIRE_BORROW_IN]);
        let t = r.sub(t, m);
        let shifted = r.scale(1u64 << LIMB_BITS, bo);
        out.push(r.sub(t, shifted));
    }
}

impl<F: RichField + Extendable<D>, const D: usize> Gate<F, D> for ScalarLimbGate {
    fn id(&self) -> String {
        format!("{self:?}")
    }

    fn serialize(&self, _dst: &mut Vec<u8>, _common: &CommonCircuitData<F, D>) -> IoResult<()> {
        Ok(())
    }

    fn deserialize(_src: &mut Buffer, _common: &CommonCircuitData<F, D>) -> IoResult<Self> {
        Ok(ScalarLimbGate)
    }

    fn eval_unfiltered(&self, vars: EvaluationVars<F, D>) -> Vec<F::Extension> {
        let mut out = Vec::with_capacity(Self::NUM_CONSTRAINTS);
        Self::constraints(
            &mut Native,
            vars.local_wires,
            vars.local_constants[0],
            &mut out,
        );
        out
    }

    fn eval_unfiltered_base_one(
        &self,
        vars: EvaluationVarsBase<F>,
        mut yield_constr: StridedConstraintConsumer<F>,
    ) {
        let wires: Vec<F> = (0..Self::NUM_WIRES).map(|i| vars.local_wires[i]).collect();
        let mut out = Vec::with_capacity(Self::NUM_CONSTRAINTS);
        Self::constraints(&mut Native, &wires, vars.local_constants[0], &mut out);
        yield_constr.many(out);
    }

    fn eval_unfiltered_circuit(
        &self,
        builder: &mut CircuitBuilder<F, D>,
        vars: EvaluationTargets<D>,
    ) -> Vec<ExtensionTarget<D>> {
        let mut out = Vec::with_capacity(Self::NUM_CONSTRAINTS);
        let m = vars.local_constants[0];
        Self::constraints(&mut InCircuit(builder), vars.local_wires, m, &mut out);
        out
    }

    fn generators(&self, row: usize, constants: &[F]) -> Vec<WitnessGeneratorRef<F, D>> {
        vec![WitnessGeneratorRef::new(
            ScalarLimbGenerator {
                row,
                m: constants[0].to_canonical_u64(),
            }
            .adapter(),
        )]
    }

    fn num_wires(&self) -> usize {
        Self::NUM_WIRES
    }

    fn num_constants(&self) -> usize {
        1
    }

    fn degree(&self) -> usize {
        2
    }

    fn num_constraints(&self) -> usize {
        Self::NUM_CONSTRAINTS
    }
}

/// All wires of a row for limb `s` (< 2^62), borrow in `b_in` and constant `m` (< 2^62),
/// as the generator fills them.
pub fn fill_row<F: Field>(s: u64, b_in: bool, m: u64) -> Vec<F> {
    let mut w = vec![F::ZERO; ScalarLimbGate::NUM_WIRES];
    let diff = i128::from(m) - i128::from(s) - i128::from(b_in);
    let (d, b_out) = if diff < 0 {
        ((diff + (1i128 << LIMB_BITS)) as u64, true)
    } else {
        (diff as u64, false)
    };
    w[ScalarLimbGate::WIRE_LIMB] = F::from_canonical_u64(s);
    w[ScalarLimbGate::WIRE_BORROW_IN] = F::from_bool(b_in);
    w[ScalarLimbGate::WIRE_BORROW_OUT] = F::from_bool(b_out);
    for i in 0..LIMB_BITS {
        w[ScalarLimbGate::wire_bit(i)] = F::from_bool((s >> i) & 1 == 1);
        w[ScalarLimbGate::wire_d_bit(i)] = F::from_bool((d >> i) & 1 == 1);
    }
    w
}

/// Fills a [`ScalarLimbGate`] row from its limb and borrow in.
#[derive(Debug, Clone, Default)]
pub struct ScalarLimbGenerator {
    row: usize,
    m: u64,
}

impl<F: RichField + Extendable<D>, const D: usize> SimpleGenerator<F, D> for ScalarLimbGenerator {
    fn id(&self) -> String {
        "ScalarLimbGenerator".to_string()
    }

    fn dependencies(&self) -> Vec<Target> {
        [ScalarLimbGate::WIRE_LIMB, ScalarLimbGate::WIRE_BORROW_IN]
            .map(|c| Target::wire(self.row, c))
            .to_vec()
    }

    fn run_once(&self, w: &PartitionWitness<F>, out: &mut GeneratedValues<F>) -> Result<()> {
        let s = w
            .get_target(Target::wire(self.row, ScalarLimbGate::WIRE_LIMB))
            .to_canonical_u64();
        let b_in = w.get_target(Target::wire(self.row, ScalarLimbGate::WIRE_BORROW_IN)) == F::ONE;
        if s >> LIMB_BITS != 0 {
            return Err(anyhow::anyhow!(
                "scalar limb {s} does not fit in {LIMB_BITS} bits"
            ));
        }
        for (col, v) in fill_row::<F>(s, b_in, self.m).into_iter().enumerate() {
            if col != ScalarLimbGate::WIRE_LIMB && col != ScalarLimbGate::WIRE_BORROW_IN {
                out.set_target(Target::wire(self.row, col), v)?;
            }
        }
        Ok(())
    }

    fn serialize(&self, dst: &mut Vec<u8>, _common: &CommonCircuitData<F, D>) -> IoResult<()> {
        dst.write_usize(self.row)?;
        dst.write_usize(self.m as usize)
    }

    fn deserialize(src: &mut Buffer, _common: &CommonCircuitData<F, D>) -> IoResult<Self> {
        Ok(ScalarLimbGenerator {
            row: src.read_usize()?,
            m: src.read_usize()? as u64,
        })
    }
}

#[cfg(test)]
mod tests {
    use plonky2::gates::gate_testing::{test_eval_fns, test_low_degree};
    use plonky2::iop::witness::PartialWitness;
    use plonky2::plonk::circuit_data::CircuitConfig;

    use super::*;
    use crate::ecgfp5::test_util::{assert_unprovable, prove_and_verify, NoGenerators, C, D, F};

    #[test]
    fn low_degree() {
        test_low_degree::<F, _, D>(ScalarLimbGate);
    }

    #[test]
    fn eval_fns() -> Result<()> {
        test_eval_fns::<F, C, _, D>(ScalarLimbGate)
    }

    fn satisfied(w: &[F], m: u64) -> bool {
        let mut out = Vec::new();
        ScalarLimbGate::constraints(&mut Native, w, F::from_canonical_u64(m), &mut out);
        out.iter().all(|c| *c == F::ZERO)
    }

    #[test]
    fn native_rows_and_wrong_borrow() {
        let top = (1u64 << LIMB_BITS) - 1;
        for (s, b_in, m) in [
            (0, false, 0),
            (5, true, 5),
            (top, true, 0),
            (7, false, top),
            (top, false, top),
        ] {
            let w = fill_row::<F>(s, b_in, m);
            assert!(satisfied(&w, m));
            // Flipping the borrow out (with anything else fixed) breaks the equation.
            let mut bad = w.clone();
            let bo = ScalarLimbGate::WIRE_BORROW_OUT;
            bad[bo] = F::ONE - bad[bo];
            assert!(!satisfied(&bad, m));
        }
        // s = m + 1 with no borrow out would need d = -1: the row with d's bits all one
        // (d = 2^62 - 1) and b_out = 0 does not satisfy it.
        let mut w = fill_row::<F>(6, false, 5);
        w[ScalarLimbGate::WIRE_BORROW_OUT] = F::ZERO;
        for i in 0..LIMB_BITS {
            w[ScalarLimbGate::wire_d_bit(i)] = F::ONE;
        }
        assert!(!satisfied(&w, 5));
    }

    #[test]
    fn hand_set_rows_in_proofs() {
        let run = |w: Vec<F>, m: u64| {
            let mut b = CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
            let row = b.add_gate(NoGenerators(ScalarLimbGate), vec![F::from_canonical_u64(m)]);
            let data = b.build::<C>();
            let mut pw = PartialWitness::new();
            for (c, v) in w.iter().enumerate() {
                pw.set_target(Target::wire(row, c), *v).unwrap();
            }
            (data, pw)
        };
        let (data, pw) = run(fill_row::<F>(9, false, 5), 5);
        prove_and_verify(&data, pw).unwrap();
        let mut w = fill_row::<F>(9, false, 5);
        w[ScalarLimbGate::WIRE_BORROW_OUT] = F::ZERO;
        let (data, pw) = run(w, 5);
        assert_unprovable(&data, pw);
    }
}
