//! ECgFp5 points as circuit targets: decoding a public key, encoding a result, point
//! addition and doubling, and the joint scalar multiplication s G + e Q.
//!
//! Points are affine (x, y) on E: y^2 = x (x^2 + a x + b), the n-torsion representatives
//! that [`bulwark_state::ecgfp5::curve`] computes with; the neutral element has no affine
//! form and never appears in a [`PointTarget`]. The only place where the neutral can
//! arise, the final result s G + e Q, is handled explicitly (its encoding is 0).

use std::sync::OnceLock;

use anyhow::{anyhow, Result};
use bulwark_state::ecgfp5::{curve as native, field, Fp, Fp5, Point};
use plonky2::field::extension::quintic::QuinticExtension;
use plonky2::field::goldilocks_field::GoldilocksField;
use plonky2::field::types::{Field, Field64};
use plonky2::hash::hashing::hash_n_to_m_no_pad;
use plonky2::hash::poseidon::PoseidonPermutation;
use plonky2::iop::generator::{GeneratedValues, SimpleGenerator};
use plonky2::iop::target::{BoolTarget, Target};
use plonky2::iop::witness::PartitionWitness;
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::CommonCircuitData;
use plonky2::util::serialization::{Buffer, IoResult, Read, Write};

use super::curve_step_gate::CurveStepGate;
use super::fp5_target::{get_fp5, set_fp5, CircuitBuilderFp5, Fp5Target};

type F = GoldilocksField;
const D: usize = 2;

/// A non-neutral group element as the affine point (x, y) of its n-torsion representative.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PointTarget {
    /// x on E.
    pub x: Fp5Target,
    /// y on E.
    pub y: Fp5Target,
}

/// Domain tag of the offset point's derivation ("bwoffset" in ASCII, little-endian).
pub const OFFSET_TAG: u64 = u64::from_le_bytes(*b"bwoffset");

/// The offset point H that starts every scalar multiplication: the first decodable
/// `Poseidon_5(OFFSET_TAG, counter)`, so nobody knows its discrete logarithm. Starting
/// from H (and removing 2^L H at the end) keeps the accumulator away from Q and G, so
/// honest runs never meet the exceptional cases of the affine formulas (see
/// [`super::curve_step_gate`]).
pub fn offset_point() -> &'static Point {
    static H: OnceLock<Point> = OnceLock::new();
    H.get_or_init(|| {
        (0u64..)
            .find_map(|c| {
                let w = hash_n_to_m_no_pad::<Fp, PoseidonPermutation<Fp>>(
                    &[
                        Fp::from_canonical_u64(OFFSET_TAG),
                        Fp::from_canonical_u64(c),
                    ],
                    5,
                );
                let p = Point::decode(QuinticExtension([w[0], w[1], w[2], w[3], w[4]]))?;
                (!p.is_neutral()).then_some(p)
            })
            .expect("some counter decodes")
    })
}

/// The affine coordinates of a non-neutral point.
pub fn affine(p: &Point) -> (Fp5, Fp5) {
    p.to_curve_affine().expect("not the neutral element")
}

/// A constant point.
pub fn point_constant(b: &mut CircuitBuilder<F, D>, p: &Point) -> PointTarget {
    let (x, y) = affine(p);
    PointTarget {
        x: b.fp5_constant(x),
        y: b.fp5_constant(y),
    }
}

/// P1 + P2 for P1 != ±P2 (x1 != x2 is enforced, so the result is always the true sum).
pub fn point_add(b: &mut CircuitBuilder<F, D>, p: PointTarget, q: PointTarget) -> PointTarget {
    let dx = b.fp5_sub(q.x, p.x);
    let inv = b.fp5_inverse(dx);
    let dy = b.fp5_sub(q.y, p.y);
    let l = b.fp5_mul(dy, inv);
    chord_result(b, l, p, q.x)
}

/// (l^2 - a - x1 - x2, l (x1 - x3) - y1): the third point of the line of slope l, negated.
fn chord_result(
    b: &mut CircuitBuilder<F, D>,
    l: Fp5Target,
    p: PointTarget,
    x2: Fp5Target,
) -> PointTarget {
    let a = b.fp5_constant(native::A);
    let l2 = b.fp5_square(l);
    let t = b.fp5_sub(l2, a);
    let t = b.fp5_sub(t, p.x);
    let x3 = b.fp5_sub(t, x2);
    let t = b.fp5_sub(p.x, x3);
    let t = b.fp5_mul(l, t);
    let y3 = b.fp5_sub(t, p.y);
    PointTarget { x: x3, y: y3 }
}

/// 2P (y != 0 holds for every non-neutral point of `E[n]`, so the slope is unique).
pub fn point_double(b: &mut CircuitBuilder<F, D>, p: PointTarget) -> PointTarget {
    let xx = b.fp5_square(p.x);
    let t = b.fp5_scale(3, xx);
    // 2a x with a = 2.
    let ax = b.fp5_scale(4, p.x);
    let t = b.fp5_add(t, ax);
    let bc = b.fp5_constant(native::B);
    let num = b.fp5_add(t, bc);
    let two_y = b.fp5_scale(2, p.y);
    let l = b.fp5_div(num, two_y);
    chord_result(b, l, p, p.x)
}

/// Decodes w exactly as [`Point::decode`] does, for a non-neutral element: constrains
/// w != 0, r^2 = e^2 - 4b with e = w^2 - a, x = (e + r) / 2 a square (a hinted root
/// checked by squaring), y = -w x. The prover chooses the sign of r so that x is the
/// square root of the two (exactly one is, as their product b is not a square), which is
/// the native rule. Unsatisfiable when w encodes nothing or the neutral.
pub fn decode_point(b: &mut CircuitBuilder<F, D>, w: Fp5Target) -> PointTarget {
    b.fp5_inverse(w);
    let ww = b.fp5_square(w);
    let a = b.fp5_constant(native::A);
    let e = b.fp5_sub(ww, a);
    let ee = b.fp5_square(e);
    let four_b = b.fp5_constant(native::B * Fp5::from_canonical_u64(4));
    let delta = b.fp5_sub(ee, four_b);
    let r = b.add_virtual_fp5();
    let sx = b.add_virtual_fp5();
    b.add_simple_generator(DecodeHint { w, r, sx });
    decode_constraints(b, w, delta, e, r, sx)
}

/// The checks of [`decode_point`] given the root `r` and the square root `sx` of x (split
/// out so that tests can feed a dishonest r).
fn decode_constraints(
    b: &mut CircuitBuilder<F, D>,
    w: Fp5Target,
    delta: Fp5Target,
    e: Fp5Target,
    r: Fp5Target,
    sx: Fp5Target,
) -> PointTarget {
    let rr = b.fp5_square(r);
    b.fp5_connect(rr, delta);
    let t = b.fp5_add(e, r);
    let x = b.fp5_scale(Fp::ORDER.div_ceil(2), t);
    let sxsx = b.fp5_square(sx);
    b.fp5_connect(sxsx, x);
    let wx = b.fp5_mul(w, x);
    let y = b.fp5_neg(wx);
    PointTarget { x, y }
}

/// The canonical encoding -y/x of a (non-neutral) point.
pub fn encode_point(b: &mut CircuitBuilder<F, D>, p: PointTarget) -> Fp5Target {
    let ny = b.fp5_neg(p.y);
    b.fp5_div(ny, p.x)
}

/// enc(s G + e Q) for scalars given as little-endian bits of equal length (e may use all
/// 320 bits: the group only sees e mod n). The encoding of the neutral element is 0.
///
/// Joint double-and-add from an offset: `A = H`, then for each bit pair from the top,
/// `A = 2A + e_i Q + s_i G` ([`CurveStepGate`], three steps a row), so that
/// `A = 2^L H + e Q + s G`; finally `P = A + H'` with the constant `H' = -(2^L H)`. That
/// last addition alone may meet A = -H' (exactly when P is neutral, which is then
/// reported) and is written to accept that case; A = H' would need a known discrete
/// logarithm of H and is unprovable, like every exceptional case here.
pub fn mul_add_generator_encoded(
    b: &mut CircuitBuilder<F, D>,
    s_bits: &[BoolTarget],
    q: PointTarget,
    e_bits: &[BoolTarget],
) -> Fp5Target {
    assert_eq!(
        s_bits.len(),
        e_bits.len(),
        "scalars must have the same bit length"
    );
    let gate = CurveStepGate::new_from_config(&b.config);
    let n = e_bits.len();
    let steps = n.div_ceil(gate.bits) * gate.bits;
    let f = b._false();
    let mut pairs = vec![(f, f); steps - n];
    pairs.extend((0..n).rev().map(|i| (e_bits[i], s_bits[i])));

    let h = offset_point();
    let mut acc = point_constant(b, h);
    for chunk in pairs.chunks(gate.bits) {
        let row = b.add_gate(gate, vec![]);
        let wire = |c: usize| Target::wire(row, c);
        for k in 0..5 {
            b.connect(acc.x.0[k], wire(k));
            b.connect(acc.y.0[k], wire(5 + k));
            b.connect(q.x.0[k], wire(10 + k));
            b.connect(q.y.0[k], wire(15 + k));
        }
        for (j, (e, s)) in chunk.iter().enumerate() {
            b.connect(e.target, wire(CurveStepGate::wire_e(j)));
            b.connect(s.target, wire(CurveStepGate::wire_s(j)));
        }
        let out = gate.wires_acc_out().start;
        acc = PointTarget {
            x: Fp5Target(std::array::from_fn(|k| wire(out + k))),
            y: Fp5Target(std::array::from_fn(|k| wire(out + 5 + k))),
        };
    }

    let mut hl = *h;
    for _ in 0..steps {
        hl = hl.double();
    }
    let h_end = point_constant(b, &hl.neg());
    // P = acc + h_end, where x equal means acc = -h_end (enforced) and P = O.
    let dx = b.fp5_sub(h_end.x, acc.x);
    let (z, inv) = b.fp5_is_zero_with_inverse(dx);
    let sy = b.fp5_add(acc.y, h_end.y);
    let zero = b.zero();
    for k in 0..5 {
        let t = b.mul(z.target, sy.0[k]);
        b.connect(t, zero);
    }
    let dy = b.fp5_sub(h_end.y, acc.y);
    let l = b.fp5_mul(dy, inv);
    // With z = 1, l = 0 and x3 = -a - 2 x(H') != 0 (checked below), so the division stays
    // satisfiable and its result is then discarded.
    assert!(affine(&hl).0.double() + native::A != Fp5::ZERO);
    let p = chord_result(b, l, acc, h_end.x);
    let enc = encode_point(b, p);
    Fp5Target(enc.0.map(|t| {
        let zt = b.mul(z.target, t);
        b.sub(t, zt)
    }))
}

/// Hint for [`decode_point`]: the root r of delta whose (e + r)/2 is a square, and a
/// square root of that x. Fails (so proving fails) when w encodes nothing.
#[derive(Debug, Clone)]
pub struct DecodeHint {
    w: Fp5Target,
    r: Fp5Target,
    sx: Fp5Target,
}

impl SimpleGenerator<F, D> for DecodeHint {
    fn id(&self) -> String {
        "EcgFp5DecodeHint".to_string()
    }
    fn dependencies(&self) -> Vec<Target> {
        self.w.0.to_vec()
    }
    fn run_once(&self, wit: &PartitionWitness<F>, out: &mut GeneratedValues<F>) -> Result<()> {
        let w = get_fp5(wit, self.w);
        let e = w * w - native::A;
        let delta = e * e - native::B * Fp5::from_canonical_u64(4);
        let r0 = field::sqrt(delta).ok_or_else(|| anyhow!("public key does not decode"))?;
        let half = Fp5::from_canonical_u64(2).inverse();
        let r = if field::is_square((e + r0) * half) {
            r0
        } else {
            -r0
        };
        let x = (e + r) * half;
        let sx = field::sqrt(x).ok_or_else(|| anyhow!("public key does not decode"))?;
        set_fp5(out, self.r, r)?;
        set_fp5(out, self.sx, sx)
    }
    fn serialize(&self, dst: &mut Vec<u8>, _c: &CommonCircuitData<F, D>) -> IoResult<()> {
        dst.write_target_array(&self.w.0)?;
        dst.write_target_array(&self.r.0)?;
        dst.write_target_array(&self.sx.0)
    }
    fn deserialize(src: &mut Buffer, _c: &CommonCircuitData<F, D>) -> IoResult<Self> {
        Ok(DecodeHint {
            w: Fp5Target(src.read_target_array()?),
            r: Fp5Target(src.read_target_array()?),
            sx: Fp5Target(src.read_target_array()?),
        })
    }
}

#[cfg(test)]
mod tests {
    use bulwark_state::ecgfp5::scalar::group_order;
    use bulwark_state::ecgfp5::Scalar;
    use num_bigint::BigUint;
    use plonky2::field::types::Sample;
    use plonky2::iop::witness::{PartialWitness, WitnessWrite};
    use plonky2::plonk::circuit_data::CircuitConfig;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha20Rng;

    use super::*;
    use crate::ecgfp5::test_util::{assert_unprovable, prove_and_verify, C};

    fn builder() -> CircuitBuilder<F, D> {
        CircuitBuilder::new(CircuitConfig::standard_recursion_config())
    }

    fn random_scalar(rng: &mut impl Rng) -> Scalar {
        Scalar::from_le_bytes_reduced(&rng.gen::<[u8; 32]>().repeat(2))
    }

    fn random_point(rng: &mut impl Rng) -> Point {
        Point::generator().mul(&random_scalar(rng))
    }

    fn set_point(pw: &mut PartialWitness<F>, t: PointTarget, p: &Point) {
        let (x, y) = affine(p);
        set_fp5(pw, t.x, x).unwrap();
        set_fp5(pw, t.y, y).unwrap();
    }

    fn virtual_point(b: &mut CircuitBuilder<F, D>) -> PointTarget {
        PointTarget {
            x: b.add_virtual_fp5(),
            y: b.add_virtual_fp5(),
        }
    }

    #[test]
    fn offset_point_is_a_valid_non_neutral_element() {
        let h = offset_point();
        assert!(!h.is_neutral());
        assert_eq!(Point::decode(h.encode()), Some(*h));
    }

    #[test]
    fn decode_encode_add_double_match_native() {
        let mut b = builder();
        let w = b.add_virtual_fp5();
        let p = decode_point(&mut b, w);
        let enc = encode_point(&mut b, p);
        b.fp5_connect(enc, w);
        let q = virtual_point(&mut b);
        let sum = point_add(&mut b, p, q);
        let dbl = point_double(&mut b, p);
        let (exp_p, exp_sum, exp_dbl) = (
            virtual_point(&mut b),
            virtual_point(&mut b),
            virtual_point(&mut b),
        );
        for (got, exp) in [(p, exp_p), (sum, exp_sum), (dbl, exp_dbl)] {
            b.fp5_connect(got.x, exp.x);
            b.fp5_connect(got.y, exp.y);
        }
        let data = b.build::<C>();
        let mut rng = ChaCha20Rng::seed_from_u64(21);
        let witness = |pp: &Point, qq: &Point, sum: &Point| {
            let mut pw = PartialWitness::new();
            set_fp5(&mut pw, w, pp.encode()).unwrap();
            set_point(&mut pw, q, qq);
            set_point(&mut pw, exp_p, pp);
            set_point(&mut pw, exp_sum, sum);
            set_point(&mut pw, exp_dbl, &pp.double());
            pw
        };
        for _ in 0..3 {
            let (pp, qq) = (random_point(&mut rng), random_point(&mut rng));
            prove_and_verify(&data, witness(&pp, &qq, &pp.add(&qq))).unwrap();
        }
        // Wrong sum, and adding a point to itself (x1 = x2), are refused.
        let (pp, qq) = (random_point(&mut rng), random_point(&mut rng));
        assert_unprovable(&data, witness(&pp, &qq, &pp.add(&qq).add(&qq)));
        assert_unprovable(&data, witness(&pp, &pp, &pp.double()));
    }

    #[test]
    fn invalid_and_neutral_encodings_do_not_decode() {
        let mut b = builder();
        let w = b.add_virtual_fp5();
        decode_point(&mut b, w);
        let data = b.build::<C>();
        let mut rng = ChaCha20Rng::seed_from_u64(22);
        let bad = loop {
            let v = Fp5::sample(&mut rng);
            if Point::decode(v).is_none() {
                break v;
            }
        };
        for v in [bad, Fp5::ZERO] {
            let mut pw = PartialWitness::new();
            set_fp5(&mut pw, w, v).unwrap();
            assert_unprovable(&data, pw);
        }
    }

    /// The wrong root choice (the non-square x, i.e. the point outside E[n]) is refused
    /// even when the prover supplies it: r and sx are set by hand, without the hint.
    #[test]
    fn non_square_root_choice_is_refused() {
        let mut rng = ChaCha20Rng::seed_from_u64(23);
        let p = random_point(&mut rng);
        let w = p.encode();
        let e = w * w - native::A;
        let delta = e * e - native::B * Fp5::from_canonical_u64(4);
        let r0 = field::sqrt(delta).unwrap();
        let half = Fp5::from_canonical_u64(2).inverse();
        let good_r = if field::is_square((e + r0) * half) {
            r0
        } else {
            -r0
        };
        let bad_x = (e - good_r) * half;
        assert!(!field::is_square(bad_x));

        let mut b = builder();
        let (wt, dt, et, rt, st) = (
            b.add_virtual_fp5(),
            b.add_virtual_fp5(),
            b.add_virtual_fp5(),
            b.add_virtual_fp5(),
            b.add_virtual_fp5(),
        );
        let pt = decode_constraints(&mut b, wt, dt, et, rt, st);
        let expected = virtual_point(&mut b);
        b.fp5_connect(pt.x, expected.x);
        b.fp5_connect(pt.y, expected.y);
        let data = b.build::<C>();
        // `attempt` sets the decoded point to what the root r implies, so the only check
        // that can fail is sx^2 = x.
        let attempt = |r: Fp5, sx: Fp5| {
            let mut pw = PartialWitness::new();
            for (t, v) in [(wt, w), (dt, delta), (et, e), (rt, r), (st, sx)] {
                set_fp5(&mut pw, t, v).unwrap();
            }
            let x = (e + r) * half;
            set_fp5(&mut pw, expected.x, x).unwrap();
            set_fp5(&mut pw, expected.y, -(w * x)).unwrap();
            pw
        };
        let good_x = (e + good_r) * half;
        assert_eq!(affine(&p), (good_x, -(w * good_x)));
        prove_and_verify(&data, attempt(good_r, field::sqrt(good_x).unwrap())).unwrap();
        // No sx squares to the non-square x: any guess fails.
        for guess in [Fp5::ZERO, Fp5::ONE, bad_x, Fp5::sample(&mut rng)] {
            assert_unprovable(&data, attempt(-good_r, guess));
        }
    }

    fn bits_le(k: &BigUint, n: usize) -> Vec<bool> {
        (0..n as u64).map(|i| k.bit(i)).collect()
    }

    #[test]
    fn joint_scalar_multiplication_matches_native() {
        let mut b = builder();
        let s_bits: Vec<BoolTarget> = (0..320).map(|_| b.add_virtual_bool_target_safe()).collect();
        let e_bits: Vec<BoolTarget> = (0..320).map(|_| b.add_virtual_bool_target_safe()).collect();
        let q = virtual_point(&mut b);
        let enc = mul_add_generator_encoded(&mut b, &s_bits, q, &e_bits);
        let expected = b.add_virtual_fp5();
        b.fp5_connect(enc, expected);
        let data = b.build::<C>();
        let mut rng = ChaCha20Rng::seed_from_u64(24);
        let run = |s: &BigUint, e: &BigUint, qq: &Point, exp: Fp5| {
            let mut pw = PartialWitness::new();
            for (t, v) in s_bits.iter().zip(bits_le(s, 320)) {
                pw.set_bool_target(*t, v).unwrap();
            }
            for (t, v) in e_bits.iter().zip(bits_le(e, 320)) {
                pw.set_bool_target(*t, v).unwrap();
            }
            set_point(&mut pw, q, qq);
            set_fp5(&mut pw, expected, exp).unwrap();
            pw
        };
        for _ in 0..2 {
            let s = random_scalar(&mut rng);
            let e_raw = BigUint::from_bytes_le(&rng.gen::<[u8; 32]>().repeat(2)[..40]);
            let e = Scalar::from_biguint_reduced(&e_raw);
            let qq = random_point(&mut rng);
            let want = Point::generator().mul_add(&s, &qq, &e).encode();
            prove_and_verify(&data, run(s.as_biguint(), &e_raw, &qq, want)).unwrap();
            assert_unprovable(&data, run(s.as_biguint(), &e_raw, &qq, want + Fp5::ONE));
        }
        // s G + e Q = O encodes as 0: Q = x G, s = -e x mod n.
        let x = random_scalar(&mut rng);
        let qq = Point::generator().mul(&x);
        let e = random_scalar(&mut rng);
        let s = Scalar::zero().sub(&e.mul(&x));
        prove_and_verify(&data, run(s.as_biguint(), e.as_biguint(), &qq, Fp5::ZERO)).unwrap();
        // Small and structured inputs: s = 1, e = 0; and the key with secret 1 (Q = G).
        let one = BigUint::from(1u8);
        let g = Point::generator();
        prove_and_verify(&data, run(&one, &BigUint::from(0u8), &qq, g.encode())).unwrap();
        let e = random_scalar(&mut rng);
        let want = g
            .mul_add(&Scalar::from_biguint_reduced(&one), &g, &e)
            .encode();
        prove_and_verify(&data, run(&one, e.as_biguint(), &g, want)).unwrap();
        // e = n (a 319-bit value that is 0 mod n) and e near 2^320.
        let n = group_order().clone();
        let want = g.mul(&Scalar::from_biguint_reduced(&one)).encode();
        prove_and_verify(&data, run(&one, &n, &qq, want)).unwrap();
        let big = (BigUint::from(1u8) << 320) - 1u8;
        let want = g
            .mul_add(&Scalar::zero(), &qq, &Scalar::from_biguint_reduced(&big))
            .encode();
        prove_and_verify(&data, run(&BigUint::from(0u8), &big, &qq, want)).unwrap();
    }
}
