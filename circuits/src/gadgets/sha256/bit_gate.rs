//! What the SHA-256 gates share: the bit functions written once over a [`Ring`] (so native,
//! extension-field and recursive evaluation agree by construction), the native word
//! functions the witness generators use, and one generic witness generator.
//!
//! Every SHA-256 gate has the same shape: a few routed input wires carrying 32-bit word
//! values, advice wires holding the bits of the words it needs (each bit constrained
//! boolean, the bits constrained to recompose the word, which also proves the word is
//! below 2^32), and routed output wires defined by degree-3 polynomial constraints over
//! those bits, with any carry of a mod-2^32 sum held in boolean carry bits.

use std::fmt::Debug;
use std::marker::PhantomData;

use anyhow::{ensure, Result};
use plonky2::field::extension::Extendable;
use plonky2::field::types::PrimeField64;
use plonky2::hash::hash_types::RichField;
use plonky2::iop::generator::{GeneratedValues, SimpleGenerator};
use plonky2::iop::target::Target;
use plonky2::iop::witness::{PartitionWitness, Witness, WitnessWrite};
use plonky2::plonk::circuit_data::CommonCircuitData;
use plonky2::util::serialization::{Buffer, IoResult, Read, Write};

pub use crate::ecgfp5::alg::{InCircuit, Native, Ring};

/// A SHA-256 gate described once: its wires, its constraints over any [`Ring`], and how
/// a full row follows from its routed inputs.
pub trait BitGate: Copy + Default + Debug + Send + Sync + 'static {
    /// The witness generator's id (also its serializer tag).
    const GENERATOR_ID: &'static str;
    /// Wires per row.
    const NUM_WIRES: usize;
    /// Constants per row.
    const NUM_CONSTANTS: usize;
    /// Constraints per row.
    const NUM_CONSTRAINTS: usize;
    /// The routed wires the generator reads; it writes every other wire.
    const INPUTS: &'static [usize];

    /// The largest honest value of input wire `wire` (a word unless said otherwise).
    fn input_limit(_wire: usize) -> u64 {
        u32::MAX as u64
    }

    /// Pushes the row's constraints (each zero on a valid row).
    fn constraints<T: Copy, R: Ring<T>>(r: &mut R, w: &[T], c: &[T], out: &mut Vec<T>);

    /// The whole row (canonical values) from the input values and the row's constants.
    fn fill(inputs: &[u64], constants: &[u64]) -> Vec<u64>;
}

/// Implements plonky2's `Gate` for a [`BitGate`] (a blanket impl is not allowed for a
/// foreign trait).
macro_rules! impl_bit_gate {
    ($gate:ty) => {
        impl<
                F: plonky2::hash::hash_types::RichField + plonky2::field::extension::Extendable<D>,
                const D: usize,
            > plonky2::gates::gate::Gate<F, D> for $gate
        {
            fn id(&self) -> String {
                format!("{self:?}")
            }

            fn serialize(
                &self,
                _dst: &mut Vec<u8>,
                _common: &plonky2::plonk::circuit_data::CommonCircuitData<F, D>,
            ) -> plonky2::util::serialization::IoResult<()> {
                Ok(())
            }

            fn deserialize(
                _src: &mut plonky2::util::serialization::Buffer,
                _common: &plonky2::plonk::circuit_data::CommonCircuitData<F, D>,
            ) -> plonky2::util::serialization::IoResult<Self> {
                Ok(Self)
            }

            fn eval_unfiltered(
                &self,
                vars: plonky2::plonk::vars::EvaluationVars<F, D>,
            ) -> Vec<F::Extension> {
                let mut out = Vec::with_capacity(
                    <$gate as $crate::gadgets::sha256::bit_gate::BitGate>::NUM_CONSTRAINTS,
                );
                <$gate as $crate::gadgets::sha256::bit_gate::BitGate>::constraints(
                    &mut $crate::gadgets::sha256::bit_gate::Native,
                    vars.local_wires,
                    vars.local_constants,
                    &mut out,
                );
                out
            }

            fn eval_unfiltered_base_one(
                &self,
                vars: plonky2::plonk::vars::EvaluationVarsBase<F>,
                mut yield_constr: plonky2::gates::util::StridedConstraintConsumer<F>,
            ) {
                use $crate::gadgets::sha256::bit_gate::BitGate;
                let wires: Vec<F> = (0..<$gate>::NUM_WIRES)
                    .map(|i| vars.local_wires[i])
                    .collect();
                let constants: Vec<F> = (0..<$gate>::NUM_CONSTANTS)
                    .map(|i| vars.local_constants[i])
                    .collect();
                let mut out = Vec::with_capacity(<$gate>::NUM_CONSTRAINTS);
                <$gate>::constraints(
                    &mut $crate::gadgets::sha256::bit_gate::Native,
                    &wires,
                    &constants,
                    &mut out,
                );
                yield_constr.many(out);
            }

            fn eval_unfiltered_circuit(
                &self,
                builder: &mut plonky2::plonk::circuit_builder::CircuitBuilder<F, D>,
                vars: plonky2::plonk::vars::EvaluationTargets<D>,
            ) -> Vec<plonky2::iop::ext_target::ExtensionTarget<D>> {
                use $crate::gadgets::sha256::bit_gate::BitGate;
                let mut out = Vec::with_capacity(<$gate>::NUM_CONSTRAINTS);
                <$gate>::constraints(
                    &mut $crate::gadgets::sha256::bit_gate::InCircuit(builder),
                    vars.local_wires,
                    vars.local_constants,
                    &mut out,
                );
                out
            }

            fn generators(
                &self,
                row: usize,
                constants: &[F],
            ) -> Vec<plonky2::iop::generator::WitnessGeneratorRef<F, D>> {
                use plonky2::iop::generator::SimpleGenerator;
                vec![plonky2::iop::generator::WitnessGeneratorRef::new(
                    $crate::gadgets::sha256::bit_gate::BitGateGenerator::<$gate>::new(
                        row, constants,
                    )
                    .adapter(),
                )]
            }

            fn num_wires(&self) -> usize {
                <$gate as $crate::gadgets::sha256::bit_gate::BitGate>::NUM_WIRES
            }

            fn num_constants(&self) -> usize {
                <$gate as $crate::gadgets::sha256::bit_gate::BitGate>::NUM_CONSTANTS
            }

            fn degree(&self) -> usize {
                3
            }

            fn num_constraints(&self) -> usize {
                <$gate as $crate::gadgets::sha256::bit_gate::BitGate>::NUM_CONSTRAINTS
            }
        }
    };
}
pub(crate) use impl_bit_gate;

/// Fills one row of a [`BitGate`] from its routed inputs.
#[derive(Debug, Clone, Default)]
pub struct BitGateGenerator<G> {
    row: usize,
    constants: Vec<u64>,
    _gate: PhantomData<G>,
}

impl<G: BitGate> BitGateGenerator<G> {
    /// The generator of the gate at `row`, whose constants are `constants`.
    pub fn new<F: PrimeField64>(row: usize, constants: &[F]) -> Self {
        Self {
            row,
            constants: constants
                .iter()
                .take(G::NUM_CONSTANTS)
                .map(|c| c.to_canonical_u64())
                .collect(),
            _gate: PhantomData,
        }
    }
}

impl<F: RichField + Extendable<D>, const D: usize, G: BitGate> SimpleGenerator<F, D>
    for BitGateGenerator<G>
{
    fn id(&self) -> String {
        G::GENERATOR_ID.to_string()
    }

    fn dependencies(&self) -> Vec<Target> {
        G::INPUTS
            .iter()
            .map(|&c| Target::wire(self.row, c))
            .collect()
    }

    fn run_once(&self, w: &PartitionWitness<F>, out: &mut GeneratedValues<F>) -> Result<()> {
        let inputs: Vec<u64> = G::INPUTS
            .iter()
            .map(|&c| w.get_target(Target::wire(self.row, c)).to_canonical_u64())
            .collect();
        for (i, v) in inputs.iter().enumerate() {
            let wire = G::INPUTS[i];
            ensure!(
                *v <= G::input_limit(wire),
                "{}: input wire {wire} of row {} is {v}, above its bound {}",
                G::GENERATOR_ID,
                self.row,
                G::input_limit(wire)
            );
        }
        for (col, value) in G::fill(&inputs, &self.constants).into_iter().enumerate() {
            if !G::INPUTS.contains(&col) {
                out.set_target(Target::wire(self.row, col), F::from_canonical_u64(value))?;
            }
        }
        Ok(())
    }

    fn serialize(&self, dst: &mut Vec<u8>, _common: &CommonCircuitData<F, D>) -> IoResult<()> {
        dst.write_usize(self.row)?;
        dst.write_usize(self.constants.len())?;
        for c in &self.constants {
            dst.write_usize(*c as usize)?;
        }
        Ok(())
    }

    fn deserialize(src: &mut Buffer, _common: &CommonCircuitData<F, D>) -> IoResult<Self> {
        let row = src.read_usize()?;
        let n = src.read_usize()?;
        let constants = (0..n)
            .map(|_| src.read_usize().map(|c| c as u64))
            .collect::<IoResult<_>>()?;
        Ok(Self {
            row,
            constants,
            _gate: PhantomData,
        })
    }
}

/// `a ⊕ b` for bits: a + b − 2ab.
pub fn xor2<T: Copy, R: Ring<T>>(r: &mut R, a: T, b: T) -> T {
    let ab = r.mul(a, b);
    let s = r.add(a, b);
    let twice = r.scale(2, ab);
    r.sub(s, twice)
}

/// `a ⊕ b ⊕ c` for bits (degree 3).
pub fn xor3<T: Copy, R: Ring<T>>(r: &mut R, a: T, b: T, c: T) -> T {
    let ab = xor2(r, a, b);
    xor2(r, ab, c)
}

/// `(e ∧ f) ⊕ (¬e ∧ g)` = e(f − g) + g.
pub fn ch<T: Copy, R: Ring<T>>(r: &mut R, e: T, f: T, g: T) -> T {
    let d = r.sub(f, g);
    r.mul_add(e, d, g)
}

/// Majority: ab + c(a ⊕ b).
pub fn maj<T: Copy, R: Ring<T>>(r: &mut R, a: T, b: T, c: T) -> T {
    let x = xor2(r, a, b);
    let ab = r.mul(a, b);
    r.mul_add(c, x, ab)
}

/// The three bit positions a SHA-256 sigma function XORs: two right rotations, and a
/// third rotation or (for the message schedule's small sigmas) a right shift.
#[derive(Clone, Copy, Debug)]
pub struct Sigma {
    /// First rotation.
    pub rot_a: usize,
    /// Second rotation.
    pub rot_b: usize,
    /// Third rotation or shift amount.
    pub third: usize,
    /// Whether `third` shifts (zeros enter) instead of rotating.
    pub shift: bool,
}

/// Σ0 of the round function.
pub const BIG_SIGMA0: Sigma = Sigma {
    rot_a: 2,
    rot_b: 13,
    third: 22,
    shift: false,
};
/// Σ1 of the round function.
pub const BIG_SIGMA1: Sigma = Sigma {
    rot_a: 6,
    rot_b: 11,
    third: 25,
    shift: false,
};
/// σ0 of the message schedule.
pub const SMALL_SIGMA0: Sigma = Sigma {
    rot_a: 7,
    rot_b: 18,
    third: 3,
    shift: true,
};
/// σ1 of the message schedule.
pub const SMALL_SIGMA1: Sigma = Sigma {
    rot_a: 17,
    rot_b: 19,
    third: 10,
    shift: true,
};

impl Sigma {
    /// Bit `i` of the function of the word with bits `x` (little-endian).
    pub fn bit<T: Copy, R: Ring<T>>(&self, r: &mut R, x: &[T], i: usize) -> T {
        let a = x[(i + self.rot_a) % 32];
        let b = x[(i + self.rot_b) % 32];
        if !self.shift {
            xor3(r, a, b, x[(i + self.third) % 32])
        } else if i + self.third < 32 {
            xor3(r, a, b, x[i + self.third])
        } else {
            xor2(r, a, b)
        }
    }

    /// The function natively.
    pub fn apply(&self, x: u32) -> u32 {
        let third = if self.shift {
            x >> self.third
        } else {
            x.rotate_right(self.third as u32)
        };
        x.rotate_right(self.rot_a as u32) ^ x.rotate_right(self.rot_b as u32) ^ third
    }
}

/// Σ 2^i t_i over the 32 terms (Horner, from the top).
pub fn weighted_sum<T: Copy, R: Ring<T>>(r: &mut R, terms: &[T]) -> T {
    let two = r.konst(2);
    let mut acc = terms[terms.len() - 1];
    for &t in terms[..terms.len() - 1].iter().rev() {
        acc = r.mul_add(two, acc, t);
    }
    acc
}

/// Constraints that `bits` are boolean.
pub fn push_booleans<T: Copy, R: Ring<T>>(r: &mut R, bits: &[T], out: &mut Vec<T>) {
    let one = r.konst(1);
    for &b in bits {
        let bm1 = r.sub(b, one);
        out.push(r.mul(b, bm1));
    }
}

/// Constraints that `bits` (little-endian) are boolean and recompose `value`: then
/// `value` is below 2^32 and `bits` are its binary digits.
pub fn push_word_bits<T: Copy, R: Ring<T>>(r: &mut R, value: T, bits: &[T], out: &mut Vec<T>) {
    let sum = weighted_sum(r, bits);
    out.push(r.sub(value, sum));
    push_booleans(r, bits, out);
}

/// A row of `G` with its input wires set and every other wire zero.
pub fn row_with_inputs<G: BitGate>(inputs: &[u64]) -> Vec<u64> {
    let mut row = vec![0u64; G::NUM_WIRES];
    for (&wire, &v) in G::INPUTS.iter().zip(inputs) {
        row[wire] = v;
    }
    row
}

/// Constraints that each routed word `inputs[i]` is recomposed by the 32 bits starting at
/// `first_bits + 32 i`.
pub fn push_words_bits<T: Copy, R: Ring<T>>(
    r: &mut R,
    w: &[T],
    inputs: &[usize],
    first_bits: usize,
    out: &mut Vec<T>,
) {
    for (i, &input) in inputs.iter().enumerate() {
        push_word_bits(r, w[input], &word(w, first_bits + 32 * i), out);
    }
}

/// Writes the 32 bits of `v` (little-endian) into `row` from column `at`.
pub fn put_bits(row: &mut [u64], at: usize, v: u64, n: usize) {
    for i in 0..n {
        row[at + i] = (v >> i) & 1;
    }
}

/// The 32 wires from `at`.
pub fn word<T: Copy>(w: &[T], at: usize) -> [T; 32] {
    core::array::from_fn(|i| w[at + i])
}

/// `value − 2^32 · carry`, where the carry is held in `carry_bits` (little-endian).
pub fn minus_carry<T: Copy, R: Ring<T>>(r: &mut R, value: T, carry_bits: &[T]) -> T {
    let carry = weighted_sum(r, carry_bits);
    let scaled = r.scale(1 << 32, carry);
    r.sub(value, scaled)
}

#[cfg(test)]
pub mod testing {
    //! Helpers for the gate tests: rows built natively, forged, repaired and checked.

    use plonky2::field::types::{Field, PrimeField64};

    use super::*;
    use crate::ecgfp5::test_util::NoGenerators;
    use crate::test_util::{assert_unprovable, prove_and_verify, C, D, F};
    use plonky2::gates::gate::Gate;
    use plonky2::iop::witness::PartialWitness;
    use plonky2::plonk::circuit_builder::CircuitBuilder;
    use plonky2::plonk::circuit_data::CircuitConfig;

    /// A row as field elements.
    pub fn row<G: BitGate>(inputs: &[u64], constants: &[u64]) -> Vec<F> {
        G::fill(inputs, constants)
            .into_iter()
            .map(F::from_canonical_u64)
            .collect()
    }

    /// The constraint values of a row.
    pub fn residuals<G: BitGate>(w: &[F], constants: &[u64]) -> Vec<F> {
        let c: Vec<F> = constants
            .iter()
            .map(|&v| F::from_canonical_u64(v))
            .collect();
        let mut out = Vec::new();
        G::constraints(&mut Native, w, &c, &mut out);
        assert_eq!(out.len(), G::NUM_CONSTRAINTS);
        out
    }

    /// Indices of the constraints the row violates.
    pub fn violated<G: BitGate>(w: &[F], constants: &[u64]) -> Vec<usize> {
        residuals::<G>(w, constants)
            .iter()
            .enumerate()
            .filter(|(_, v)| **v != F::ZERO)
            .map(|(i, _)| i)
            .collect()
    }

    /// Re-satisfies the output definitions after a forgery: each `(constraint, wire)` pair
    /// names a constraint of the form `wire − f(other wires)`, fixed by moving `wire`.
    pub fn repair<G: BitGate>(w: &mut [F], constants: &[u64], defs: &[(usize, usize)]) {
        for &(constraint, wire) in defs {
            let r = residuals::<G>(w, constants)[constraint];
            w[wire] -= r;
        }
    }

    /// Makes the two lowest bits of the word at `at` non-boolean without changing its
    /// value: (b0, b1) becomes (b0 + 2, b1 − 1).
    pub fn non_boolean_pair(w: &mut [F], at: usize) {
        w[at] += F::TWO;
        w[at + 1] -= F::ONE;
    }

    /// Where a gate keeps what its forgeries target.
    pub struct Layout<'a> {
        /// `(constraint, wire)`: constraints that define an output wire (`wire − f(..)`).
        pub defs: &'a [(usize, usize)],
        /// `(first bit wire, recomposition constraint)` of each decomposed word; its 32
        /// booleanity constraints follow the recomposition one.
        pub words: &'a [(usize, usize)],
        /// `(first carry bit wire, number of bits, first booleanity constraint)`.
        pub carry: (usize, usize, usize),
    }

    /// Checks a gate's constraint families one by one: the honest row proves, and each
    /// forgery (with the output definitions re-satisfied, so that only the family under
    /// test can catch it) violates exactly that family and cannot be proved.
    pub fn forgeries_are_caught<G: BitGate + Gate<F, D> + Clone>(
        gate: G,
        inputs: &[u64],
        constants: &[u64],
        layout: &Layout<'_>,
    ) {
        let honest = row::<G>(inputs, constants);
        assert!(violated::<G>(&honest, constants).is_empty());
        prove_row(gate, &honest, constants, true);

        // An output off by 2^32 (what a wrong carry would give).
        for &(constraint, wire) in layout.defs {
            let mut w = honest.clone();
            w[wire] += F::from_canonical_u64(1 << 32);
            assert!(violated::<G>(&w, constants).contains(&constraint));
            prove_row(gate, &w, constants, false);
        }
        for &(bits, recompose) in layout.words {
            // A flipped bit: the word no longer recomposes.
            let mut w = honest.clone();
            w[bits + 5] = F::ONE - w[bits + 5];
            repair::<G>(&mut w, constants, layout.defs);
            assert_eq!(violated::<G>(&w, constants), vec![recompose]);
            prove_row(gate, &w, constants, false);
            // Non-boolean bits that still recompose the word.
            let mut w = honest.clone();
            non_boolean_pair(&mut w, bits);
            repair::<G>(&mut w, constants, layout.defs);
            let bad = violated::<G>(&w, constants);
            assert!(!bad.is_empty());
            assert!(bad
                .iter()
                .all(|i| (recompose + 1..recompose + 33).contains(i)));
            prove_row(gate, &w, constants, false);
        }
        // A carry bit that is not a bit: the output could be off by any multiple of 2^32.
        let (at, n, first) = layout.carry;
        let mut w = honest.clone();
        w[at] += F::from_canonical_u64(7);
        repair::<G>(&mut w, constants, layout.defs);
        assert!(violated::<G>(&w, constants).contains(&first));
        prove_row(gate, &w, constants, false);
        // The same carry value, held non-boolean in the low bit.
        if n > 1 {
            let mut w = honest;
            let carry: u64 = (0..n).map(|i| w[at + i].to_canonical_u64() << i).sum();
            if carry >= 2 {
                w[at] = F::from_canonical_u64(carry);
                for i in 1..n {
                    w[at + i] = F::ZERO;
                }
                let bad = violated::<G>(&w, constants);
                assert!(!bad.is_empty() && bad.iter().all(|i| (first..first + n).contains(i)));
                prove_row(gate, &w, constants, false);
            }
        }
    }

    /// plonky2's own gate tests: the constraints have the declared degree, and the three
    /// evaluations (base field, extension field, recursive) agree.
    pub fn plonky2_gate_tests<G: Gate<F, D> + Clone>(gate: G) {
        plonky2::gates::gate_testing::test_low_degree::<F, _, D>(gate.clone());
        plonky2::gates::gate_testing::test_eval_fns::<F, C, _, D>(gate).unwrap();
    }

    /// Proves a circuit made of this one row with every wire set by hand: Ok for a valid
    /// row; for an invalid one, asserts that no verifying proof comes out.
    pub fn prove_row<G: BitGate + Gate<F, D> + Clone>(
        gate: G,
        w: &[F],
        constants: &[u64],
        valid: bool,
    ) {
        let mut b = CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
        let c: Vec<F> = constants
            .iter()
            .map(|&v| F::from_canonical_u64(v))
            .collect();
        let row = b.add_gate(NoGenerators(gate), c);
        let data = b.build::<C>();
        let mut pw = PartialWitness::new();
        for (col, v) in w.iter().enumerate() {
            pw.set_target(Target::wire(row, col), *v).unwrap();
        }
        if valid {
            prove_and_verify(&data, pw);
        } else {
            assert_unprovable(&data, pw);
        }
    }
}
