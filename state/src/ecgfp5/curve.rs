//! The ECgFp5 prime-order group (T. Pornin, "EcGFp5: a Specialized Elliptic Curve",
//! IACR ePrint 2022/274).
//!
//! The curve is E: y^2 = x (x^2 + a x + b) over GF(p^5), with a = 2 and b = 263 z. It has
//! order 2n for the 319-bit prime n. Pornin's group is G = { P + N : P in E[n] }, where
//! N = (0, 0) is the point of order 2, with the law P (+) Q = P + Q + N, the neutral N, and
//! the encoding w = y/x (w = 0 for N).
//!
//! The map P -> P + N is an isomorphism from the n-torsion subgroup E[n] onto G, and for
//! P = (x, y) in E[n] the point P + N is (b/x, -b y / x^2), whose w is -y/x. This module
//! therefore computes in E[n] with ordinary curve arithmetic (Jacobian coordinates on the
//! isomorphic short Weierstrass curve Y^2 = X^3 + A X + B, X = x + a/3) and encodes:
//!
//! * `encode(P) = -y/x` for P = (x, y) != O, and `encode(O) = 0`;
//! * `decode(w)`: if w = 0, the neutral O. Otherwise e = w^2 - a, delta = e^2 - 4b; fail
//!   unless delta is a square with root r; of x1 = (e + r)/2 and x2 = (e - r)/2 (their
//!   product is b, a non-square, so exactly one is a square) keep the square one, x, and
//!   return (x, -w x).
//!
//! These agree with the reference encoding bit for bit (tested against its vectors). Every
//! element has exactly one encoding, and `decode` accepts exactly the encodings of elements,
//! so comparing encodings compares elements.
//!
//! Not hardened against timing side channels: sign on a machine you trust.

use std::sync::OnceLock;

use plonky2_field::ops::Square;
use plonky2_field::types::Field;

use super::field::{self, fp5, Fp5, FP5_BYTES};
use super::scalar::Scalar;

/// Curve constant a = 2.
pub const A: Fp5 = fp5([2, 0, 0, 0, 0]);
/// Curve constant b = 263 z.
pub const B: Fp5 = fp5([0, 263, 0, 0, 0]);
/// The encoding w of Pornin's conventional generator.
pub const GENERATOR_ENCODING: Fp5 = fp5([4, 0, 0, 0, 0]);

/// Constants of the short Weierstrass form used internally.
struct Weierstrass {
    /// a/3: X = x + a/3.
    a_third: Fp5,
    /// A = b - a^2/3.
    coeff_a: Fp5,
}

fn weierstrass() -> &'static Weierstrass {
    static W: OnceLock<Weierstrass> = OnceLock::new();
    W.get_or_init(|| {
        let three_inv = Fp5::from_canonical_u64(3).inverse();
        let a_third = A * three_inv;
        Weierstrass {
            a_third,
            coeff_a: B - A * a_third,
        }
    })
}

/// An element of the ECgFp5 group, held as its n-torsion representative in Jacobian
/// coordinates (X/Z^2, Y/Z^3) of the short Weierstrass form; Z = 0 is the neutral.
#[derive(Clone, Copy, Debug)]
pub struct Point {
    x: Fp5,
    y: Fp5,
    z: Fp5,
}

impl PartialEq for Point {
    fn eq(&self, other: &Self) -> bool {
        match (self.is_neutral(), other.is_neutral()) {
            (true, true) => true,
            (false, false) => {
                let z1z1 = self.z.square();
                let z2z2 = other.z.square();
                self.x * z2z2 == other.x * z1z1
                    && self.y * z2z2 * other.z == other.y * z1z1 * self.z
            }
            _ => false,
        }
    }
}
impl Eq for Point {}

impl Point {
    /// The neutral element.
    pub const NEUTRAL: Point = Point {
        x: Fp5::ZERO,
        y: Fp5::ONE,
        z: Fp5::ZERO,
    };

    /// The conventional generator (the element whose encoding is w = 4).
    pub fn generator() -> Point {
        static G: OnceLock<Point> = OnceLock::new();
        *G.get_or_init(|| Point::decode(GENERATOR_ENCODING).expect("generator decodes"))
    }

    /// Whether this is the neutral element.
    pub fn is_neutral(&self) -> bool {
        self.z == Fp5::ZERO
    }

    /// Builds the element from affine coordinates (x, y) of E. The caller (decode) guarantees
    /// that the point is on the curve and in E[n]; debug builds re-check the curve equation.
    fn from_curve_affine(x: Fp5, y: Fp5) -> Point {
        debug_assert!(is_on_curve(x, y));
        Point {
            x: x + weierstrass().a_third,
            y,
            z: Fp5::ONE,
        }
    }

    /// Affine coordinates (x, y) on E of the n-torsion representative; `None` for neutral.
    pub fn to_curve_affine(&self) -> Option<(Fp5, Fp5)> {
        if self.is_neutral() {
            return None;
        }
        let z_inv = self.z.inverse();
        let z_inv2 = z_inv.square();
        let x = self.x * z_inv2 - weierstrass().a_third;
        let y = self.y * z_inv2 * z_inv;
        Some((x, y))
    }

    /// The canonical encoding w (see the module documentation).
    pub fn encode(&self) -> Fp5 {
        match self.to_curve_affine() {
            None => Fp5::ZERO,
            Some((x, y)) => -(y / x),
        }
    }

    /// Decodes w; `None` when w encodes no group element.
    pub fn decode(w: Fp5) -> Option<Point> {
        if w == Fp5::ZERO {
            return Some(Point::NEUTRAL);
        }
        let e = w.square() - A;
        let delta = e.square() - B * Fp5::from_canonical_u64(4);
        let r = field::sqrt(delta)?;
        let half = Fp5::from_canonical_u64(2).inverse();
        let x1 = (e + r) * half;
        let x = if field::is_square(x1) {
            x1
        } else {
            (e - r) * half
        };
        Some(Point::from_curve_affine(x, -(w * x)))
    }

    /// The 40-byte canonical encoding of w.
    pub fn to_bytes(&self) -> [u8; FP5_BYTES] {
        field::encode(self.encode())
    }

    /// Decodes the 40-byte form; `None` for a non-canonical limb or an invalid w.
    pub fn from_bytes(bytes: &[u8; FP5_BYTES]) -> Option<Point> {
        Point::decode(field::decode(bytes)?)
    }

    /// The group inverse.
    pub fn neg(&self) -> Point {
        Point {
            x: self.x,
            y: -self.y,
            z: self.z,
        }
    }

    /// 2 * self.
    pub fn double(&self) -> Point {
        if self.is_neutral() || self.y == Fp5::ZERO {
            return Point::NEUTRAL;
        }
        let xx = self.x.square();
        let yy = self.y.square();
        let yyyy = yy.square();
        let zz = self.z.square();
        let s = (self.x * yy).double().double();
        let m = xx.double() + xx + weierstrass().coeff_a * zz.square();
        let x3 = m.square() - s.double();
        let y3 = m * (s - x3) - yyyy.double().double().double();
        let z3 = (self.y * self.z).double();
        Point {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// self + other.
    pub fn add(&self, other: &Point) -> Point {
        if self.is_neutral() {
            return *other;
        }
        if other.is_neutral() {
            return *self;
        }
        let z1z1 = self.z.square();
        let z2z2 = other.z.square();
        let u1 = self.x * z2z2;
        let u2 = other.x * z1z1;
        let s1 = self.y * other.z * z2z2;
        let s2 = other.y * self.z * z1z1;
        let h = u2 - u1;
        let r = s2 - s1;
        if h == Fp5::ZERO {
            return if r == Fp5::ZERO {
                self.double()
            } else {
                Point::NEUTRAL
            };
        }
        let hh = h.square();
        let hhh = hh * h;
        let v = u1 * hh;
        let x3 = r.square() - hhh - v.double();
        let y3 = r * (v - x3) - s1 * hhh;
        let z3 = self.z * other.z * h;
        Point {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// k * self, by a fixed 4-bit window over the 320-bit scalar.
    pub fn mul(&self, k: &Scalar) -> Point {
        let table = window_table(self);
        let digits = window_digits(k);
        let mut acc = Point::NEUTRAL;
        for &d in digits.iter().rev() {
            for _ in 0..WINDOW {
                acc = acc.double();
            }
            acc = acc.add(&table[d as usize]);
        }
        acc
    }

    /// a * self + b * other, sharing the doublings (Straus' trick); used by verification.
    pub fn mul_add(&self, a: &Scalar, other: &Point, b: &Scalar) -> Point {
        let (ta, tb) = (window_table(self), window_table(other));
        let (da, db) = (window_digits(a), window_digits(b));
        let mut acc = Point::NEUTRAL;
        for i in (0..da.len()).rev() {
            for _ in 0..WINDOW {
                acc = acc.double();
            }
            acc = acc.add(&ta[da[i] as usize]).add(&tb[db[i] as usize]);
        }
        acc
    }
}

const WINDOW: usize = 4;
const SCALAR_BITS: usize = 320;

fn window_table(p: &Point) -> [Point; 1 << WINDOW] {
    let mut t = [Point::NEUTRAL; 1 << WINDOW];
    for i in 1..t.len() {
        t[i] = t[i - 1].add(p);
    }
    t
}

fn window_digits(k: &Scalar) -> Vec<u8> {
    let bits = k.bits_le(SCALAR_BITS);
    bits.chunks(WINDOW)
        .map(|c| c.iter().rev().fold(0u8, |acc, &b| (acc << 1) | b as u8))
        .collect()
}

/// Whether (x, y) satisfies y^2 = x (x^2 + a x + b).
pub fn is_on_curve(x: Fp5, y: Fp5) -> bool {
    y.square() == x * (x.square() + A * x + B)
}

#[cfg(test)]
mod tests {
    use num_bigint::BigUint;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha20Rng;

    use super::super::scalar::group_order;
    use super::*;

    fn random_fp5(rng: &mut impl Rng) -> Fp5 {
        fp5(std::array::from_fn(|_| {
            rng.gen_range(0..0xFFFF_FFFF_0000_0001u64)
        }))
    }

    fn random_point(rng: &mut impl Rng) -> Point {
        loop {
            if let Some(p) = Point::decode(random_fp5(rng)) {
                return p;
            }
        }
    }

    /// Affine addition on E, written straight from the chord-and-tangent rule: an
    /// independent oracle for the Jacobian formulas. `None` is the point at infinity.
    fn affine_add(p: Option<(Fp5, Fp5)>, q: Option<(Fp5, Fp5)>) -> Option<(Fp5, Fp5)> {
        let ((x1, y1), (x2, y2)) = match (p, q) {
            (None, q) => return q,
            (p, None) => return p,
            (Some(p), Some(q)) => (p, q),
        };
        let lambda = if x1 == x2 {
            if y1 + y2 == Fp5::ZERO {
                return None;
            }
            (x1.square() * Fp5::from_canonical_u64(3) + A * x1.double() + B) / y1.double()
        } else {
            (y2 - y1) / (x2 - x1)
        };
        let x3 = lambda.square() - A - x1 - x2;
        Some((x3, lambda * (x1 - x3) - y1))
    }

    fn w(limbs: [u64; 5]) -> Fp5 {
        fp5(limbs)
    }

    #[test]
    fn generator_matches_published_affine_x() {
        // Pornin publishes G as the point (x, 4x) of E; our representative is G - N,
        // whose x is b / x(G).
        let published_x = w([
            12883135586176881569,
            4356519642755055268,
            5248930565894896907,
            2165973894480315022,
            2448410071095648785,
        ]);
        let (x, y) = Point::generator().to_curve_affine().unwrap();
        assert_eq!(B / x, published_x);
        assert!(is_on_curve(x, y));
        assert_eq!(Point::generator().encode(), GENERATOR_ENCODING);
    }

    #[test]
    fn generator_double_matches_reference_table() {
        // The reference's precomputed table stores 2G as Pornin's point P' = P + N in
        // coordinates (x', u' = x'/y'); for our representative P = (x, y) of the same
        // element, x' = b/x and u' = -x/y.
        let x_ref = w([
            0xE53A14C4FA645562,
            0x60A03B3FCD006755,
            0xA8957CB5D9603510,
            0xE6E3A7D2AE140D1F,
            0x2067DD994D85BE92,
        ]);
        let u_ref = w([
            0x755F62AABB0862CC,
            0x01EC60924033842A,
            0x2C3C144F634BCC44,
            0xFC49506D49454DA8,
            0x832FD0BD80667CB8,
        ]);
        let two_g = Point::generator().double();
        let (x, y) = two_g.to_curve_affine().unwrap();
        assert_eq!(B / x, x_ref);
        assert_eq!(-(x / y), u_ref);
        assert_eq!(two_g.encode(), u_ref.inverse(), "the encoding is w = 1/u'");
        let two = Scalar::from_le_bytes_reduced(&[2]);
        assert_eq!(Point::generator().mul(&two), two_g);
    }

    #[test]
    fn group_order_annihilates_generator_and_random_points() {
        let n = Scalar::from_biguint_reduced(&(group_order() - 1u32));
        let g = Point::generator();
        // (n - 1) G = -G, so n G = O.
        assert_eq!(g.mul(&n), g.neg());
        assert!(g.mul(&n).add(&g).is_neutral());
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        for _ in 0..4 {
            let p = random_point(&mut rng);
            assert!(!p.is_neutral());
            assert!(p.mul(&n).add(&p).is_neutral());
        }
    }

    #[test]
    fn curve_order_is_twice_n() {
        // Random points of the whole curve (not only E[n]) are killed by 2n, and n maps
        // them to O or to N = (0, 0): the curve order is 2n.
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        let n = group_order().clone();
        let mut seen_order_two_part = false;
        let mut found = 0;
        while found < 6 {
            let x = random_fp5(&mut rng);
            let Some(y) = field::sqrt(x * (x.square() + A * x + B)) else {
                continue;
            };
            found += 1;
            let mut acc: Option<(Fp5, Fp5)> = None;
            for i in (0..n.bits()).rev() {
                acc = affine_add(acc, acc);
                if n.bit(i) {
                    acc = affine_add(acc, Some((x, y)));
                }
            }
            match acc {
                None => {}
                Some((x0, y0)) => {
                    assert_eq!((x0, y0), (Fp5::ZERO, Fp5::ZERO), "n P must be O or N");
                    seen_order_two_part = true;
                }
            }
        }
        assert!(seen_order_two_part, "half of the curve lies outside E[n]");
    }

    #[test]
    fn group_order_is_prime() {
        // Miller–Rabin with fixed bases: n is prime (the bases are far more than enough to
        // catch a wrong constant).
        let n = group_order();
        let n1 = n - 1u32;
        let s = n1.trailing_zeros().unwrap();
        let d = &n1 >> s;
        for base in [2u32, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37] {
            let mut x = BigUint::from(base).modpow(&d, n);
            if x == BigUint::from(1u32) || x == n1 {
                continue;
            }
            let mut witness = true;
            for _ in 1..s {
                x = x.modpow(&BigUint::from(2u32), n);
                if x == n1 {
                    witness = false;
                    break;
                }
            }
            assert!(!witness, "base {base} proves n composite");
        }
    }

    #[test]
    fn jacobian_arithmetic_matches_affine_oracle() {
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        for _ in 0..16 {
            let p = random_point(&mut rng);
            let q = random_point(&mut rng);
            let pa = p.to_curve_affine();
            let qa = q.to_curve_affine();
            assert_eq!(p.add(&q).to_curve_affine(), affine_add(pa, qa));
            assert_eq!(p.double().to_curve_affine(), affine_add(pa, pa));
            assert_eq!(p.add(&p), p.double());
            assert!(p.add(&p.neg()).is_neutral());
            assert_eq!(p.add(&Point::NEUTRAL), p);
            let k = Scalar::from_le_bytes_reduced(&rng.gen::<[u8; 32]>().repeat(2));
            let k2 = Scalar::from_le_bytes_reduced(&rng.gen::<[u8; 32]>().repeat(2));
            // Scalar multiplication against double-and-add on the affine oracle.
            let mut acc = None;
            for bit in k.bits_le(320).into_iter().rev() {
                acc = affine_add(acc, acc);
                if bit {
                    acc = affine_add(acc, pa);
                }
            }
            assert_eq!(p.mul(&k).to_curve_affine(), acc);
            assert_eq!(p.mul_add(&k, &q, &k2), p.mul(&k).add(&q.mul(&k2)));
        }
    }

    #[test]
    fn encode_decode_round_trip_and_uniqueness() {
        let mut rng = ChaCha20Rng::seed_from_u64(4);
        assert_eq!(Point::decode(Fp5::ZERO), Some(Point::NEUTRAL));
        assert_eq!(Point::NEUTRAL.encode(), Fp5::ZERO);
        for _ in 0..32 {
            let p = random_point(&mut rng);
            assert_eq!(Point::decode(p.encode()), Some(p));
            assert_eq!(Point::from_bytes(&p.to_bytes()), Some(p));
            // The other solution of the same w (the non-square root) is not in E[n].
            let (x, _) = p.to_curve_affine().unwrap();
            assert!(field::is_square(x));
            assert!(!field::is_square(B / x));
        }
    }

    #[test]
    fn reference_vectors_group_law() {
        // From the reference implementation's test suite (random P1, P2 = e P1,
        // P3 = P1 + P2, P4 = 2 P1).
        let w1 = w([
            12539254003028696409,
            15524144070600887654,
            15092036948424041984,
            11398871370327264211,
            10958391180505708567,
        ]);
        let w2 = w([
            11001943240060308920,
            17075173755187928434,
            3940989555384655766,
            15017795574860011099,
            5548543797011402287,
        ]);
        let w3 = w([
            246872606398642312,
            4900963247917836450,
            7327006728177203977,
            13945036888436667069,
            3062018119121328861,
        ]);
        let w4 = w([
            8058035104653144162,
            16041715455419993830,
            7448530016070824199,
            11253639182222911208,
            6228757819849640866,
        ]);
        let e: BigUint = "841809598287430541331763924924406256080383779033370172527955679319982746101779529382447999363236".parse().unwrap();
        let p1 = Point::decode(w1).unwrap();
        let p2 = Point::decode(w2).unwrap();
        assert_eq!(p1.add(&p2).encode(), w3);
        assert_eq!(p1.double().encode(), w4);
        assert_eq!(p1.mul(&Scalar::from_biguint_reduced(&e)).encode(), w2);
    }

    #[test]
    fn reference_vector_scalar_multiplication() {
        let w1 = w([
            7534507442095725921,
            16658460051907528927,
            12417574136563175256,
            2750788641759288856,
            620002843272906439,
        ]);
        let w2 = w([
            9486104512504676657,
            14312981644741144668,
            5159846406177847664,
            15978863787033795628,
            3249948839313771192,
        ]);
        let ebuf: [u8; 40] = hex::decode(
            "1B1851C81D22D40D6D36ECCE5427416608142F8FFF64B47628CD3FF8AA2516D4BAD0CC021A447C03",
        )
        .unwrap()
        .try_into()
        .unwrap();
        let k = Scalar::from_canonical_bytes(&ebuf).unwrap();
        assert_eq!(Point::decode(w1).unwrap().mul(&k).encode(), w2);
    }

    #[test]
    fn invalid_encodings_are_rejected() {
        // A reference "must fail" vector: delta is not a square.
        let bad = w([
            13557832913345268708,
            15669280705791538619,
            8534654657267986396,
            12533218303838131749,
            5058070698878426028,
        ]);
        assert!(Point::decode(bad).is_none());
        // Non-canonical limbs (>= p) are rejected before any curve check.
        let mut bytes = Point::generator().to_bytes();
        bytes[0..8].copy_from_slice(&(4u64 + 0xFFFF_FFFF_0000_0001).to_le_bytes());
        assert!(Point::from_bytes(&bytes).is_none());
        // About half of all field elements encode nothing.
        let mut rng = ChaCha20Rng::seed_from_u64(5);
        let invalid = (0..64)
            .filter(|_| Point::decode(random_fp5(&mut rng)).is_none())
            .count();
        assert!(
            (16..=48).contains(&invalid),
            "{invalid} of 64 random w invalid"
        );
    }
}
