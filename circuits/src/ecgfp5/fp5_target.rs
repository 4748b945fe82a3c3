//! GF(p^5) elements as circuit targets, and the builder operations on them.
//!
//! Linear operations are five base-field operations; products go through
//! [`Fp5MulGate`] (five per row); inverses, quotients and
//! square roots are witness hints checked with one product each.

use anyhow::Result;
use bulwark_state::ecgfp5::Fp5;
use plonky2::field::goldilocks_field::GoldilocksField;
use plonky2::field::types::Field;
use plonky2::iop::generator::{GeneratedValues, SimpleGenerator};
use plonky2::iop::target::{BoolTarget, Target};
use plonky2::iop::witness::{PartitionWitness, Witness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::CommonCircuitData;
use plonky2::util::serialization::{Buffer, IoResult, Read, Write};

use super::fp5_mul_gate::Fp5MulGate;

type F = GoldilocksField;
const D: usize = 2;

/// A GF(p^5) element: five Goldilocks targets, lowest degree first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fp5Target(pub [Target; 5]);

/// Reads an Fp5 value from a witness.
pub fn get_fp5(witness: &impl Witness<F>, x: Fp5Target) -> Fp5 {
    plonky2::field::extension::quintic::QuinticExtension(x.0.map(|t| witness.get_target(t)))
}

/// Writes an Fp5 value into a witness.
pub fn set_fp5(witness: &mut impl WitnessWrite<F>, x: Fp5Target, v: Fp5) -> Result<()> {
    for k in 0..5 {
        witness.set_target(x.0[k], v.0[k])?;
    }
    Ok(())
}

/// GF(p^5) operations on [`Fp5Target`]s.
pub trait CircuitBuilderFp5 {
    /// Five fresh unconstrained targets.
    fn add_virtual_fp5(&mut self) -> Fp5Target;
    /// The constant `c`.
    fn fp5_constant(&mut self, c: Fp5) -> Fp5Target;
    /// a + b.
    fn fp5_add(&mut self, a: Fp5Target, b: Fp5Target) -> Fp5Target;
    /// a - b.
    fn fp5_sub(&mut self, a: Fp5Target, b: Fp5Target) -> Fp5Target;
    /// -a.
    fn fp5_neg(&mut self, a: Fp5Target) -> Fp5Target;
    /// c * a for a base-field constant c.
    fn fp5_scale(&mut self, c: u64, a: Fp5Target) -> Fp5Target;
    /// a * b (one slot of an `Fp5MulGate`).
    fn fp5_mul(&mut self, a: Fp5Target, b: Fp5Target) -> Fp5Target;
    /// a^2.
    fn fp5_square(&mut self, a: Fp5Target) -> Fp5Target;
    /// a / b, with b != 0 enforced (a hint q and the check q * b = a; for b = 0 and a != 0
    /// no q exists, and for a = b = 0 the hint's 0 is accepted, so callers that need b != 0
    /// use [`Self::fp5_inverse`]).
    fn fp5_div(&mut self, a: Fp5Target, b: Fp5Target) -> Fp5Target;
    /// 1 / a; unsatisfiable when a = 0.
    fn fp5_inverse(&mut self, a: Fp5Target) -> Fp5Target;
    /// `a` when `s` is true, else `b`.
    fn fp5_select(&mut self, s: BoolTarget, a: Fp5Target, b: Fp5Target) -> Fp5Target;
    /// Enforces a = b.
    fn fp5_connect(&mut self, a: Fp5Target, b: Fp5Target);
    /// Whether a = b, as a boolean target (a hinted inverse of a - b).
    fn fp5_is_equal(&mut self, a: Fp5Target, b: Fp5Target) -> BoolTarget;
    /// (z, inv) with z = [d == 0] and d * inv = 1 - z: when d != 0, inv is its inverse.
    fn fp5_is_zero_with_inverse(&mut self, d: Fp5Target) -> (BoolTarget, Fp5Target);
}

impl CircuitBuilderFp5 for CircuitBuilder<F, D> {
    fn add_virtual_fp5(&mut self) -> Fp5Target {
        Fp5Target(std::array::from_fn(|_| self.add_virtual_target()))
    }

    fn fp5_constant(&mut self, c: Fp5) -> Fp5Target {
        Fp5Target(c.0.map(|v| self.constant(v)))
    }

    fn fp5_add(&mut self, a: Fp5Target, b: Fp5Target) -> Fp5Target {
        Fp5Target(std::array::from_fn(|k| self.add(a.0[k], b.0[k])))
    }

    fn fp5_sub(&mut self, a: Fp5Target, b: Fp5Target) -> Fp5Target {
        Fp5Target(std::array::from_fn(|k| self.sub(a.0[k], b.0[k])))
    }

    fn fp5_neg(&mut self, a: Fp5Target) -> Fp5Target {
        Fp5Target(a.0.map(|t| self.neg(t)))
    }

    fn fp5_scale(&mut self, c: u64, a: Fp5Target) -> Fp5Target {
        Fp5Target(a.0.map(|t| self.mul_const(F::from_canonical_u64(c), t)))
    }

    fn fp5_mul(&mut self, a: Fp5Target, b: Fp5Target) -> Fp5Target {
        let gate = Fp5MulGate::new_from_config(&self.config);
        let (row, i) = self.find_slot(gate, &[], &[]);
        let wires = |r: std::ops::Range<usize>| -> [Target; 5] {
            std::array::from_fn(|k| Target::wire(row, r.start + k))
        };
        let (wa, wb, wc) = (
            wires(Fp5MulGate::wires_a(i)),
            wires(Fp5MulGate::wires_b(i)),
            wires(Fp5MulGate::wires_c(i)),
        );
        for k in 0..5 {
            self.connect(a.0[k], wa[k]);
            self.connect(b.0[k], wb[k]);
        }
        Fp5Target(wc)
    }

    fn fp5_square(&mut self, a: Fp5Target) -> Fp5Target {
        self.fp5_mul(a, a)
    }

    fn fp5_div(&mut self, a: Fp5Target, b: Fp5Target) -> Fp5Target {
        let q = self.add_virtual_fp5();
        self.add_simple_generator(Fp5DivHint { a, b, q });
        let qb = self.fp5_mul(q, b);
        self.fp5_connect(qb, a);
        q
    }

    fn fp5_inverse(&mut self, a: Fp5Target) -> Fp5Target {
        let one = self.fp5_constant(Fp5::ONE);
        let inv = self.add_virtual_fp5();
        self.add_simple_generator(Fp5DivHint {
            a: one,
            b: a,
            q: inv,
        });
        let prod = self.fp5_mul(inv, a);
        self.fp5_connect(prod, one);
        inv
    }

    fn fp5_select(&mut self, s: BoolTarget, a: Fp5Target, b: Fp5Target) -> Fp5Target {
        Fp5Target(std::array::from_fn(|k| self.select(s, a.0[k], b.0[k])))
    }

    fn fp5_connect(&mut self, a: Fp5Target, b: Fp5Target) {
        for k in 0..5 {
            self.connect(a.0[k], b.0[k]);
        }
    }

    fn fp5_is_equal(&mut self, a: Fp5Target, b: Fp5Target) -> BoolTarget {
        let d = self.fp5_sub(a, b);
        self.fp5_is_zero_with_inverse(d).0
    }

    fn fp5_is_zero_with_inverse(&mut self, d: Fp5Target) -> (BoolTarget, Fp5Target) {
        // d * inv = 1 - z and z * d = 0 (limb-wise) with z boolean: z = 1 iff d = 0.
        let z = self.add_virtual_bool_target_safe();
        let inv = self.add_virtual_fp5();
        self.add_simple_generator(Fp5IsZeroHint {
            d,
            z: z.target,
            inv,
        });
        let prod = self.fp5_mul(d, inv);
        let one = self.one();
        let not_z = self.sub(one, z.target);
        let zero = self.zero();
        self.connect(prod.0[0], not_z);
        for k in 1..5 {
            self.connect(prod.0[k], zero);
        }
        for k in 0..5 {
            let zd = self.mul(z.target, d.0[k]);
            self.connect(zd, zero);
        }
        (z, inv)
    }
}

/// Hint q = a / b (0 when b = 0: the caller's check then fails unless a = 0).
#[derive(Debug, Clone)]
pub struct Fp5DivHint {
    a: Fp5Target,
    b: Fp5Target,
    q: Fp5Target,
}

fn write5(dst: &mut Vec<u8>, t: &Fp5Target) -> IoResult<()> {
    dst.write_target_array(&t.0)
}

fn read5(src: &mut Buffer) -> IoResult<Fp5Target> {
    Ok(Fp5Target(src.read_target_array()?))
}

impl SimpleGenerator<F, D> for Fp5DivHint {
    fn id(&self) -> String {
        "Fp5DivHint".to_string()
    }
    fn dependencies(&self) -> Vec<Target> {
        self.a.0.iter().chain(self.b.0.iter()).copied().collect()
    }
    fn run_once(&self, w: &PartitionWitness<F>, out: &mut GeneratedValues<F>) -> Result<()> {
        let a = get_fp5(w, self.a);
        let b = get_fp5(w, self.b);
        let q = b.try_inverse().map_or(Fp5::ZERO, |bi| a * bi);
        set_fp5(out, self.q, q)
    }
    fn serialize(&self, dst: &mut Vec<u8>, _c: &CommonCircuitData<F, D>) -> IoResult<()> {
        write5(dst, &self.a)?;
        write5(dst, &self.b)?;
        write5(dst, &self.q)
    }
    fn deserialize(src: &mut Buffer, _c: &CommonCircuitData<F, D>) -> IoResult<Self> {
        Ok(Fp5DivHint {
            a: read5(src)?,
            b: read5(src)?,
            q: read5(src)?,
        })
    }
}

/// Hint for [`CircuitBuilderFp5::fp5_is_equal`]: z = [d == 0] and inv = 1/d (0 if d = 0).
#[derive(Debug, Clone)]
pub struct Fp5IsZeroHint {
    d: Fp5Target,
    z: Target,
    inv: Fp5Target,
}

impl SimpleGenerator<F, D> for Fp5IsZeroHint {
    fn id(&self) -> String {
        "Fp5IsZeroHint".to_string()
    }
    fn dependencies(&self) -> Vec<Target> {
        self.d.0.to_vec()
    }
    fn run_once(&self, w: &PartitionWitness<F>, out: &mut GeneratedValues<F>) -> Result<()> {
        let d = get_fp5(w, self.d);
        match d.try_inverse() {
            Some(inv) => {
                out.set_target(self.z, F::ZERO)?;
                set_fp5(out, self.inv, inv)
            }
            None => {
                out.set_target(self.z, F::ONE)?;
                set_fp5(out, self.inv, Fp5::ZERO)
            }
        }
    }
    fn serialize(&self, dst: &mut Vec<u8>, _c: &CommonCircuitData<F, D>) -> IoResult<()> {
        write5(dst, &self.d)?;
        dst.write_target(self.z)?;
        write5(dst, &self.inv)
    }
    fn deserialize(src: &mut Buffer, _c: &CommonCircuitData<F, D>) -> IoResult<Self> {
        Ok(Fp5IsZeroHint {
            d: read5(src)?,
            z: src.read_target()?,
            inv: read5(src)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use plonky2::field::types::Sample;
    use plonky2::iop::witness::PartialWitness;
    use plonky2::plonk::circuit_data::CircuitConfig;

    use super::*;
    use crate::ecgfp5::test_util::{assert_unprovable, prove_and_verify, C};

    /// In-circuit mul / square / inverse / div / select / is_equal against plonky2's native
    /// quintic arithmetic on random inputs.
    #[test]
    fn fp5_ops_match_native() {
        let mut builder = CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
        let a = builder.add_virtual_fp5();
        let b = builder.add_virtual_fp5();
        let bit = builder.add_virtual_bool_target_safe();
        let outs = [
            builder.fp5_mul(a, b),
            builder.fp5_square(a),
            builder.fp5_inverse(a),
            builder.fp5_div(a, b),
            builder.fp5_select(bit, a, b),
            builder.fp5_sub(a, b),
        ];
        let expected: Vec<Fp5Target> = (0..outs.len()).map(|_| builder.add_virtual_fp5()).collect();
        for (o, e) in outs.iter().zip(&expected) {
            builder.fp5_connect(*o, *e);
        }
        let eq_ab = builder.fp5_is_equal(a, b);
        let eq_aa = builder.fp5_is_equal(a, a);
        builder.assert_zero(eq_ab.target);
        builder.assert_one(eq_aa.target);
        let data = builder.build::<C>();
        for round in 0..3 {
            let (va, vb) = (Fp5::rand(), Fp5::rand());
            let vals = [
                va * vb,
                va * va,
                va.inverse(),
                va / vb,
                if round % 2 == 0 { va } else { vb },
                va - vb,
            ];
            let mut pw = PartialWitness::new();
            set_fp5(&mut pw, a, va).unwrap();
            set_fp5(&mut pw, b, vb).unwrap();
            pw.set_bool_target(bit, round % 2 == 0).unwrap();
            for (e, v) in expected.iter().zip(vals) {
                set_fp5(&mut pw, *e, v).unwrap();
            }
            prove_and_verify(&data, pw).unwrap();
        }
        // A wrong expected product is refused.
        let (va, vb) = (Fp5::rand(), Fp5::rand());
        let mut pw = PartialWitness::new();
        set_fp5(&mut pw, a, va).unwrap();
        set_fp5(&mut pw, b, vb).unwrap();
        pw.set_bool_target(bit, true).unwrap();
        let vals = [
            va * vb + Fp5::ONE,
            va * va,
            va.inverse(),
            va / vb,
            va,
            va - vb,
        ];
        for (e, v) in expected.iter().zip(vals) {
            set_fp5(&mut pw, *e, v).unwrap();
        }
        assert_unprovable(&data, pw);
    }

    #[test]
    fn inverse_of_zero_is_unprovable() {
        let mut builder = CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
        let a = builder.add_virtual_fp5();
        builder.fp5_inverse(a);
        let data = builder.build::<C>();
        let mut pw = PartialWitness::new();
        set_fp5(&mut pw, a, Fp5::ZERO).unwrap();
        assert_unprovable(&data, pw);
    }
}
