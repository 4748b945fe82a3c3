//! `CurveStepGate`: `bits` steps of the joint double-and-add loop that computes
//! s G + e Q, in one row.
//!
//! One step maps an accumulator A (affine point of E: y^2 = x (x^2 + a x + b)) to
//! `2A + e_j Q + s_j G`, where e_j, s_j are the current bits of the two scalars, Q a
//! variable point (routed into every row) and G the fixed generator (its coordinates are
//! constants of the constraints, so G costs no wires). Each step holds only the
//! non-deterministic values of the affine formulas (slopes and inverses); the points
//! in between are polynomial expressions of them, which keeps a step at 37 wires and the
//! gate at degree 5.
//!
//! # Why the incomplete affine formulas are sound here
//!
//! * Doubling: `lambda * 2y = 3x^2 + 2ax + b` has a unique solution because y != 0 on
//!   every point we feed (all lie in the odd-order subgroup `E[n]` minus the neutral, and
//!   the only point with y = 0 is N = (0, 0) of order 2).
//! * Addition of a point P2 to P1: the gate requires an inverse of x2 - x1 (a wire `inv`
//!   with `inv * (x2 - x1) = 1`), so x1 != x2; then the slope, hence the sum, is unique.
//!   The doubling case P1 = P2 and the case P1 = -P2 are thereby *unprovable* rather than
//!   exploitable. Both additions are computed whether or not the bit is set, and the bit
//!   selects the result.
//!
//! So whatever the witness, a satisfied row computes exactly the group operation; the
//! price is completeness: the scalar multiplication (see `curve`) starts from an offset
//! point H of unknown discrete logarithm so that an honest run meets x1 = x2 only with
//! negligible probability.

use std::ops::Range;
use std::sync::OnceLock;

use anyhow::{anyhow, Result};
use bulwark_state::ecgfp5::{curve, Fp5, Point};
use plonky2::field::extension::Extendable;
use plonky2::field::goldilocks_field::GoldilocksField;
use plonky2::field::ops::Square;
use plonky2::field::types::{Field, PrimeField64};
use plonky2::gates::gate::Gate;
use plonky2::gates::util::StridedConstraintConsumer;
use plonky2::iop::ext_target::ExtensionTarget;
use plonky2::iop::generator::{GeneratedValues, SimpleGenerator, WitnessGeneratorRef};
use plonky2::iop::target::Target;
use plonky2::iop::witness::{PartitionWitness, Witness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::{CircuitConfig, CommonCircuitData};
use plonky2::plonk::vars::{EvaluationTargets, EvaluationVars, EvaluationVarsBase};
use plonky2::util::serialization::{Buffer, IoResult, Read, Write};

use super::alg::{add5, const5, mul5, scale5, select5, square5, sub5, InCircuit, Native, Ring, E5};

type F = GoldilocksField;
const D: usize = 2;

/// Wires of one step besides the two bits: five Fp5 witnesses (doubling slope, inverse
/// and slope of the Q addition, inverse and slope of the G addition) and the output point.
const STEP_ADVICE: usize = 35;

/// Affine coordinates (x, y) on E of the generator's n-torsion representative, as limbs.
pub fn generator_affine() -> &'static ([u64; 5], [u64; 5]) {
    static G: OnceLock<([u64; 5], [u64; 5])> = OnceLock::new();
    G.get_or_init(|| {
        let (x, y) = Point::generator()
            .to_curve_affine()
            .expect("the generator is not neutral");
        (limbs(x), limbs(y))
    })
}

/// Canonical limbs of an Fp5 element.
pub fn limbs(x: Fp5) -> [u64; 5] {
    x.0.map(|c| c.to_canonical_u64())
}

/// `bits` joint double-and-add steps per row (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CurveStepGate {
    /// Steps (bit pairs) per row.
    pub bits: usize,
}

impl CurveStepGate {
    /// As many steps as the config's wires allow (three in the standard recursion config).
    pub fn new_from_config(config: &CircuitConfig) -> Self {
        let bits = (config.num_wires - 20) / (2 + STEP_ADVICE);
        assert!(bits >= 1, "config too narrow for CurveStepGate");
        assert!(30 + 2 * bits <= config.num_routed_wires);
        CurveStepGate { bits }
    }

    /// The accumulator entering the row: x then y (routed).
    pub fn wires_acc_in() -> Range<usize> {
        0..10
    }
    /// The variable point Q: x then y (routed).
    pub fn wires_q() -> Range<usize> {
        10..20
    }
    /// The bit of e used by step `j` (routed).
    pub fn wire_e(j: usize) -> usize {
        20 + 2 * j
    }
    /// The bit of s used by step `j` (routed).
    pub fn wire_s(j: usize) -> usize {
        21 + 2 * j
    }
    /// The accumulator leaving the row (routed).
    pub fn wires_acc_out(&self) -> Range<usize> {
        20 + 2 * self.bits..30 + 2 * self.bits
    }
    fn advice(&self, j: usize) -> usize {
        30 + 2 * self.bits + STEP_ADVICE * j
    }
    fn wires_step_out(&self, j: usize) -> Range<usize> {
        if j + 1 == self.bits {
            self.wires_acc_out()
        } else {
            self.advice(j) + 25..self.advice(j) + 35
        }
    }
    fn wires_step_in(&self, j: usize) -> Range<usize> {
        if j == 0 {
            Self::wires_acc_in()
        } else {
            self.wires_step_out(j - 1)
        }
    }

    /// The constraints, written once for every evaluation mode.
    fn constraints<T: Copy, R: Ring<T>>(&self, r: &mut R, w: &[T], out: &mut Vec<T>) {
        let e5 = |start: usize| -> E5<T> { std::array::from_fn(|k| w[start + k]) };
        let (gx, gy) = generator_affine();
        let a = const5(r, limbs(curve::A));
        let b = const5(r, limbs(curve::B));
        let one = const5(r, [1, 0, 0, 0, 0]);
        let xg = const5(r, *gx);
        let yg = const5(r, *gy);
        let (xq, yq) = (e5(10), e5(15));
        let push = |out: &mut Vec<T>, v: E5<T>| out.extend_from_slice(&v);
        for j in 0..self.bits {
            let inp = self.wires_step_in(j).start;
            let (x, y) = (e5(inp), e5(inp + 5));
            let adv = self.advice(j);
            let (ld, iq, lq, ig, lg) = (
                e5(adv),
                e5(adv + 5),
                e5(adv + 10),
                e5(adv + 15),
                e5(adv + 20),
            );
            let o = self.wires_step_out(j).start;
            let (xo, yo) = (e5(o), e5(o + 5));
            let (be, bs) = (w[Self::wire_e(j)], w[Self::wire_s(j)]);

            // Doubling: ld * 2y = 3x^2 + 2a x + b.
            let xx = square5(r, x);
            let two_y = scale5(r, 2, y);
            let lhs = mul5(r, ld, two_y);
            let three_xx = scale5(r, 3, xx);
            // 2a x with a = 2 (checked in `curve_a_is_two`).
            let two_ax = scale5(r, 4, x);
            let t = add5(r, three_xx, two_ax);
            let rhs = add5(r, t, b);
            let c = sub5(r, lhs, rhs);
            push(out, c);
            let ld2 = square5(r, ld);
            let t = sub5(r, ld2, a);
            let two_x = scale5(r, 2, x);
            let xd = sub5(r, t, two_x);
            let t = sub5(r, x, xd);
            let t = mul5(r, ld, t);
            let yd = sub5(r, t, y);

            // + Q (computed always, kept when e_j = 1).
            let (x1, y1) = add_constraints(r, out, (xd, yd), (xq, yq), iq, lq, a, one);
            let x1 = select5(r, be, x1, xd);
            let y1 = select5(r, be, y1, yd);
            // + G (computed always, kept when s_j = 1).
            let (x2, y2) = add_constraints(r, out, (x1, y1), (xg, yg), ig, lg, a, one);
            let x2 = select5(r, bs, x2, x1);
            let y2 = select5(r, bs, y2, y1);
            let c = sub5(r, xo, x2);
            push(out, c);
            let c = sub5(r, yo, y2);
            push(out, c);
            // The bits are boolean (they also come from boolean decompositions, but the
            // gate does not rely on it).
            for bit in [be, bs] {
                let one = r.konst(1);
                let bm1 = r.sub(bit, one);
                out.push(r.mul(bit, bm1));
            }
        }
    }
}

/// Constraints of P1 + P2 with witnesses `inv` = 1/(x2 - x1) and `l` the slope; returns
/// the sum as expressions.
#[allow(clippy::too_many_arguments)]
fn add_constraints<T: Copy, R: Ring<T>>(
    r: &mut R,
    out: &mut Vec<T>,
    (x1, y1): (E5<T>, E5<T>),
    (x2, y2): (E5<T>, E5<T>),
    inv: E5<T>,
    l: E5<T>,
    a: E5<T>,
    one: E5<T>,
) -> (E5<T>, E5<T>) {
    let dx = sub5(r, x2, x1);
    let t = mul5(r, inv, dx);
    let c = sub5(r, t, one);
    out.extend_from_slice(&c);
    let t = mul5(r, l, dx);
    let dy = sub5(r, y2, y1);
    let c = sub5(r, t, dy);
    out.extend_from_slice(&c);
    let l2 = square5(r, l);
    let t = sub5(r, l2, a);
    let t = sub5(r, t, x1);
    let x3 = sub5(r, t, x2);
    let t = sub5(r, x1, x3);
    let t = mul5(r, l, t);
    let y3 = sub5(r, t, y1);
    (x3, y3)
}

/// Native values of one row: every wire, from the accumulator, Q and the bits.
pub fn fill_row(
    gate: &CurveStepGate,
    acc: (Fp5, Fp5),
    q: (Fp5, Fp5),
    bits: &[(bool, bool)],
) -> Result<Vec<F>> {
    assert_eq!(bits.len(), gate.bits);
    let mut w = vec![F::ZERO; 20 + (2 + STEP_ADVICE) * gate.bits];
    let put = |w: &mut Vec<F>, start: usize, v: Fp5| w[start..start + 5].copy_from_slice(&v.0);
    put(&mut w, 0, acc.0);
    put(&mut w, 5, acc.1);
    put(&mut w, 10, q.0);
    put(&mut w, 15, q.1);
    let (gx, gy) = generator_affine();
    let g = (fp5(*gx), fp5(*gy));
    let mut p = acc;
    for (j, &(be, bs)) in bits.iter().enumerate() {
        w[CurveStepGate::wire_e(j)] = F::from_bool(be);
        w[CurveStepGate::wire_s(j)] = F::from_bool(bs);
        let adv = gate.advice(j);
        let (x, y) = p;
        let two_y = y.double();
        if two_y == Fp5::ZERO {
            return Err(anyhow!("CurveStepGate: doubling a point with y = 0"));
        }
        let ld =
            (x.square() * Fp5::from_canonical_u64(3) + curve::A.double() * x + curve::B) / two_y;
        let xd = ld.square() - curve::A - x.double();
        let yd = ld * (x - xd) - y;
        put(&mut w, adv, ld);
        let (iq, lq, s1) = native_add((xd, yd), q)?;
        put(&mut w, adv + 5, iq);
        put(&mut w, adv + 10, lq);
        let p1 = if be { s1 } else { (xd, yd) };
        let (ig, lg, s2) = native_add(p1, g)?;
        put(&mut w, adv + 15, ig);
        put(&mut w, adv + 20, lg);
        p = if bs { s2 } else { p1 };
        let o = gate.wires_step_out(j).start;
        put(&mut w, o, p.0);
        put(&mut w, o + 5, p.1);
    }
    Ok(w)
}

/// Builds an Fp5 element from canonical limbs.
pub fn fp5(l: [u64; 5]) -> Fp5 {
    bulwark_state::ecgfp5::field::fp5(l)
}

/// (1/(x2 - x1), slope, P1 + P2) by the affine formula; refuses x1 = x2.
fn native_add(p1: (Fp5, Fp5), p2: (Fp5, Fp5)) -> Result<(Fp5, Fp5, (Fp5, Fp5))> {
    let dx = p2.0 - p1.0;
    let inv = dx
        .try_inverse()
        .ok_or_else(|| anyhow!("CurveStepGate: adding points with equal x"))?;
    let l = (p2.1 - p1.1) * inv;
    let x3 = l.square() - curve::A - p1.0 - p2.0;
    let y3 = l * (p1.0 - x3) - p1.1;
    Ok((inv, l, (x3, y3)))
}

impl Gate<F, D> for CurveStepGate {
    fn id(&self) -> String {
        format!("{self:?}")
    }

    fn serialize(&self, dst: &mut Vec<u8>, _common: &CommonCircuitData<F, D>) -> IoResult<()> {
        dst.write_usize(self.bits)
    }

    fn deserialize(src: &mut Buffer, _common: &CommonCircuitData<F, D>) -> IoResult<Self> {
        Ok(CurveStepGate {
            bits: src.read_usize()?,
        })
    }

    fn eval_unfiltered(&self, vars: EvaluationVars<F, D>) -> Vec<<F as Extendable<D>>::Extension> {
        let mut out = Vec::with_capacity(self.num_constraints());
        self.constraints(&mut Native, vars.local_wires, &mut out);
        out
    }

    fn eval_unfiltered_base_one(
        &self,
        vars: EvaluationVarsBase<F>,
        mut yield_constr: StridedConstraintConsumer<F>,
    ) {
        let n = Gate::<F, D>::num_wires(self);
        let wires: Vec<F> = (0..n).map(|i| vars.local_wires[i]).collect();
        let mut out = Vec::with_capacity(self.num_constraints());
        self.constraints(&mut Native, &wires, &mut out);
        yield_constr.many(out);
    }

    fn eval_unfiltered_circuit(
        &self,
        builder: &mut CircuitBuilder<F, D>,
        vars: EvaluationTargets<D>,
    ) -> Vec<ExtensionTarget<D>> {
        let mut out = Vec::with_capacity(self.num_constraints());
        self.constraints(&mut InCircuit(builder), vars.local_wires, &mut out);
        out
    }

    fn generators(&self, row: usize, _constants: &[F]) -> Vec<WitnessGeneratorRef<F, D>> {
        vec![WitnessGeneratorRef::new(
            CurveStepGenerator { row, gate: *self }.adapter(),
        )]
    }

    fn num_wires(&self) -> usize {
        20 + (2 + STEP_ADVICE) * self.bits
    }

    fn num_constants(&self) -> usize {
        0
    }

    fn degree(&self) -> usize {
        5
    }

    fn num_constraints(&self) -> usize {
        // Per step: doubling (5), two additions (2 x 10), output (10), two bits (2).
        37 * self.bits
    }
}

/// Fills one [`CurveStepGate`] row from its inputs.
#[derive(Debug, Clone)]
pub struct CurveStepGenerator {
    row: usize,
    gate: CurveStepGate,
}

impl SimpleGenerator<F, D> for CurveStepGenerator {
    fn id(&self) -> String {
        "CurveStepGenerator".to_string()
    }

    fn dependencies(&self) -> Vec<Target> {
        let mut cols: Vec<usize> = CurveStepGate::wires_acc_in()
            .chain(CurveStepGate::wires_q())
            .collect();
        for j in 0..self.gate.bits {
            cols.push(CurveStepGate::wire_e(j));
            cols.push(CurveStepGate::wire_s(j));
        }
        cols.into_iter()
            .map(|c| Target::wire(self.row, c))
            .collect()
    }

    fn run_once(&self, witness: &PartitionWitness<F>, out: &mut GeneratedValues<F>) -> Result<()> {
        let get5 = |start: usize| -> Fp5 {
            bulwark_state::ecgfp5::field::fp5(std::array::from_fn(|k| {
                witness
                    .get_target(Target::wire(self.row, start + k))
                    .to_canonical_u64()
            }))
        };
        let bit = |c: usize| witness.get_target(Target::wire(self.row, c)) == F::ONE;
        let bits: Vec<(bool, bool)> = (0..self.gate.bits)
            .map(|j| (bit(CurveStepGate::wire_e(j)), bit(CurveStepGate::wire_s(j))))
            .collect();
        let w = fill_row(&self.gate, (get5(0), get5(5)), (get5(10), get5(15)), &bits)?;
        let inputs = 20 + 2 * self.gate.bits;
        for (col, v) in w.iter().enumerate().skip(inputs) {
            out.set_target(Target::wire(self.row, col), *v)?;
        }
        Ok(())
    }

    fn serialize(&self, dst: &mut Vec<u8>, _common: &CommonCircuitData<F, D>) -> IoResult<()> {
        dst.write_usize(self.row)?;
        dst.write_usize(self.gate.bits)
    }

    fn deserialize(src: &mut Buffer, _common: &CommonCircuitData<F, D>) -> IoResult<Self> {
        Ok(CurveStepGenerator {
            row: src.read_usize()?,
            gate: CurveStepGate {
                bits: src.read_usize()?,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use bulwark_state::ecgfp5::Scalar;
    use plonky2::gates::gate_testing::{test_eval_fns, test_low_degree};
    use plonky2::iop::witness::PartialWitness;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha20Rng;

    use super::*;
    use crate::ecgfp5::test_util::{assert_unprovable, prove_and_verify, NoGenerators, C};

    fn gate() -> CurveStepGate {
        CurveStepGate::new_from_config(&CircuitConfig::standard_recursion_config())
    }

    fn random_point(rng: &mut impl Rng) -> Point {
        let k = Scalar::from_le_bytes_reduced(&rng.gen::<[u8; 32]>().repeat(2));
        Point::generator().mul(&k)
    }

    fn affine(p: &Point) -> (Fp5, Fp5) {
        p.to_curve_affine().unwrap()
    }

    #[test]
    fn curve_a_is_two() {
        assert_eq!(limbs(curve::A), [2, 0, 0, 0, 0]);
    }

    #[test]
    fn three_steps_per_row_in_standard_config() {
        let g = gate();
        assert_eq!(g.bits, 3);
        assert!(Gate::<F, D>::num_wires(&g) <= 135);
    }

    #[test]
    fn low_degree() {
        test_low_degree::<F, _, D>(gate());
    }

    #[test]
    fn eval_fns() -> Result<()> {
        test_eval_fns::<F, C, _, D>(gate())
    }

    /// The native witness satisfies the constraints, each step computes 2A + eQ + sG
    /// exactly as the state crate's arithmetic, and a wrong output wire breaks them.
    #[test]
    fn matches_native_group_law_and_rejects_wrong_output() {
        let mut rng = ChaCha20Rng::seed_from_u64(11);
        let g = gate();
        for _ in 0..4 {
            let a = random_point(&mut rng);
            let q = random_point(&mut rng);
            let bits: Vec<(bool, bool)> = (0..g.bits).map(|_| (rng.gen(), rng.gen())).collect();
            let mut w = fill_row(&g, affine(&a), affine(&q), &bits).unwrap();
            let mut expect = a;
            for &(be, bs) in &bits {
                expect = expect.double();
                if be {
                    expect = expect.add(&q);
                }
                if bs {
                    expect = expect.add(&Point::generator());
                }
            }
            let o = g.wires_acc_out().start;
            let (ex, ey) = affine(&expect);
            assert_eq!(&w[o..o + 5], &ex.0);
            assert_eq!(&w[o + 5..o + 10], &ey.0);
            let mut c = Vec::new();
            g.constraints(&mut Native, &w, &mut c);
            assert!(c.iter().all(|v| *v == F::ZERO));
            w[o + 7] += F::ONE;
            c.clear();
            g.constraints(&mut Native, &w, &mut c);
            assert!(c.iter().any(|v| *v != F::ZERO));
        }
    }

    #[test]
    fn hand_set_row_proves_and_wrong_output_fails() {
        let mut rng = ChaCha20Rng::seed_from_u64(12);
        let g = gate();
        let a = random_point(&mut rng);
        let q = random_point(&mut rng);
        let bits = vec![(true, false), (false, true), (true, true)];
        let honest = fill_row(&g, affine(&a), affine(&q), &bits).unwrap();
        for wrong in [false, true] {
            let mut w = honest.clone();
            if wrong {
                w[g.wires_acc_out().start] += F::ONE;
            }
            let mut builder =
                CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
            let row = builder.add_gate(NoGenerators(g), vec![]);
            let mut pw = PartialWitness::new();
            for (c, v) in w.iter().enumerate() {
                pw.set_target(Target::wire(row, c), *v).unwrap();
            }
            let data = builder.build::<C>();
            if wrong {
                assert_unprovable(&data, pw);
            } else {
                prove_and_verify(&data, pw).unwrap();
            }
        }
    }

    #[test]
    fn equal_x_additions_are_refused() {
        // A = Q after doubling: 2A' = Q means the Q addition meets x1 = x2.
        let mut rng = ChaCha20Rng::seed_from_u64(13);
        let a = random_point(&mut rng);
        let q = a.double();
        assert!(fill_row(&gate(), affine(&a), affine(&q), &[(true, false); 3]).is_err());
    }
}

#[cfg(test)]
mod eval_cost {
    use plonky2::field::types::Sample;

    use super::*;

    /// Time to evaluate the constraints at one point (the prover does this at every
    /// point of the quotient domain, 8x the rows, whatever gate the row holds).
    #[test]
    #[ignore = "measurement; run explicitly"]
    fn constraint_evaluation_cost() {
        let g = CurveStepGate::new_from_config(&CircuitConfig::standard_recursion_config());
        let wires = F::rand_vec(Gate::<F, D>::num_wires(&g));
        let n = 20_000;
        let t = std::time::Instant::now();
        let mut acc = F::ZERO;
        for _ in 0..n {
            let mut out = Vec::new();
            g.constraints(&mut Native, &wires, &mut out);
            acc += out[0];
        }
        println!("{:.2?} per point ({acc})", t.elapsed() / n);
    }
}
