//! Constraint evaluation of plonky2's standard gates in R1CS, each a mirror of the gate's
//! native `eval_unfiltered` (same wire layout, same constraint order) and tested against it
//! on random values. The wrap circuit only ever contains these gates (it is built from
//! plonky2's own recursive verifier, never from our custom gates):
//!
//! | gate | file |
//! | --- | --- |
//! | `NoopGate` | (no constraints) |
//! | `ConstantGate` | [`constant`] |
//! | `PublicInputGate` | [`public_input`] |
//! | `ArithmeticGate` | [`arithmetic_base`] |
//! | `ArithmeticExtensionGate` | [`arithmetic_extension`] |
//! | `MulExtensionGate` | [`multiplication_extension`] |
//! | `BaseSumGate<2>` | [`base_sum`] |
//! | `ReducingGate` | [`reducing`] |
//! | `ReducingExtensionGate` | [`reducing_extension`] |
//! | `RandomAccessGate` | [`random_access`] |
//! | `PoseidonMdsGate` | [`poseidon_mds`] |
//! | `PoseidonGate` | [`poseidon`] |
//! | `CosetInterpolationGate` | [`coset_interpolation`] (FRI folding in the wrap of a ROOT proof) |
//!
//! Values stay lazy ([`LazyGoldilocksExt`]): a constraint comes back unreduced and the
//! vanishing polynomial reduces it once after combining.

use ark_relations::r1cs::SynthesisError;
use plonky2::field::extension::Extendable;
use plonky2::field::types::PrimeField64;
use plonky2::gates::arithmetic_base::ArithmeticGate;
use plonky2::gates::arithmetic_extension::ArithmeticExtensionGate;
use plonky2::gates::base_sum::BaseSumGate;
use plonky2::gates::constant::ConstantGate;
use plonky2::gates::coset_interpolation::CosetInterpolationGate;
use plonky2::gates::gate::{AnyGate, GateRef};
use plonky2::gates::multiplication_extension::MulExtensionGate;
use plonky2::gates::noop::NoopGate;
use plonky2::gates::poseidon::PoseidonGate;
use plonky2::gates::poseidon_mds::PoseidonMdsGate;
use plonky2::gates::public_input::PublicInputGate;
use plonky2::gates::random_access::RandomAccessGate;
use plonky2::gates::reducing::ReducingGate;
use plonky2::gates::reducing_extension::ReducingExtensionGate;

use super::goldilocks::GoldilocksVar;
use super::goldilocks_ext::{GoldilocksExtVar, LazyGoldilocksExt};
use crate::wrap::circuit::{D, F};

pub mod arithmetic_base;
pub mod arithmetic_extension;
pub mod base_sum;
pub mod constant;
pub mod coset_interpolation;
pub mod multiplication_extension;
pub mod poseidon;
pub mod poseidon_mds;
pub mod public_input;
pub mod random_access;
pub mod reducing;
pub mod reducing_extension;

/// The values a gate's constraints read at the opening point (plonky2's `EvaluationVars`):
/// the gate's constants (selectors already removed), the wires, the public-inputs hash.
#[derive(Clone, Copy, Debug)]
pub struct EvalVarsVar<'a> {
    /// Constants after the selector prefix.
    pub local_constants: &'a [GoldilocksExtVar],
    /// All wires.
    pub local_wires: &'a [GoldilocksExtVar],
    /// The public-inputs hash (4 Goldilocks elements).
    pub public_inputs_hash: &'a [GoldilocksVar; 4],
}

impl EvalVarsVar<'_> {
    /// Wire `i`, lazy.
    pub fn wire(&self, i: usize) -> LazyGoldilocksExt {
        self.local_wires[i].lazy()
    }

    /// Constant `i`, lazy.
    pub fn constant(&self, i: usize) -> LazyGoldilocksExt {
        self.local_constants[i].lazy()
    }

    /// The extension-algebra element held by wires `start..start + D`.
    pub fn algebra(&self, start: usize) -> Algebra {
        [self.wire(start), self.wire(start + 1)]
    }
}

/// An element of plonky2's `ExtensionAlgebra<F::Extension, 2>`: two extension elements,
/// multiplied modulo `Y² = W`.
pub type Algebra = [LazyGoldilocksExt; D];

/// The non-residue W (the same for the algebra and the extension).
pub fn w() -> u64 {
    <F as Extendable<D>>::W.to_canonical_u64()
}

/// Algebra product: 4 extension products.
pub fn algebra_mul(a: &Algebra, b: &Algebra) -> Result<Algebra, SynthesisError> {
    let c0 = a[0]
        .mul_narrow(&b[0])?
        .add(&a[1].mul_narrow(&b[1])?.mul_small(w()));
    let c1 = a[0].mul_narrow(&b[1])?.add(&a[1].mul_narrow(&b[0])?);
    Ok([c0, c1])
}

/// Algebra times an extension scalar.
pub fn algebra_scalar(a: &Algebra, s: &LazyGoldilocksExt) -> Result<Algebra, SynthesisError> {
    Ok([a[0].mul_narrow(s)?, a[1].mul_narrow(s)?])
}

/// Algebra sum.
pub fn algebra_add(a: &Algebra, b: &Algebra) -> Algebra {
    [a[0].add(&b[0]), a[1].add(&b[1])]
}

/// Algebra difference.
pub fn algebra_sub(a: &Algebra, b: &Algebra) -> Algebra {
    [a[0].sub(&b[0]), a[1].sub(&b[1])]
}

/// `x · c` for a constant `c`, narrowing `x` first if the product could grow too wide.
pub fn mul_const(x: &LazyGoldilocksExt, c: u64) -> Result<LazyGoldilocksExt, SynthesisError> {
    let x = if x.bits() + (64 - c.leading_zeros()) > 200 {
        x.reduce()?.lazy()
    } else {
        x.clone()
    };
    Ok(x.mul_small(c))
}

/// The gate types the R1CS verifier can evaluate.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("gate `{0}` has no R1CS evaluation (only plonky2's standard gates do)")]
pub struct UnsupportedGate(pub String);

/// Checks that every gate of a circuit has an R1CS evaluation.
pub fn check_supported(gates: &[GateRef<F, D>]) -> Result<(), UnsupportedGate> {
    gates.iter().try_for_each(|g| {
        let any = g.0.as_any();
        let known = any.is::<NoopGate>()
            || any.is::<ConstantGate>()
            || any.is::<PublicInputGate>()
            || any.is::<ArithmeticGate>()
            || any.is::<ArithmeticExtensionGate<D>>()
            || any.is::<MulExtensionGate<D>>()
            || any.is::<BaseSumGate<2>>()
            || any.is::<ReducingGate<D>>()
            || any.is::<ReducingExtensionGate<D>>()
            || any.is::<RandomAccessGate<F, D>>()
            || any.is::<PoseidonMdsGate<F, D>>()
            || any.is::<PoseidonGate<F, D>>()
            || any.is::<CosetInterpolationGate<F, D>>();
        if known {
            Ok(())
        } else {
            Err(UnsupportedGate(g.0.id()))
        }
    })
}

/// Evaluates `gate`'s unfiltered constraints at `vars`, lazily.
///
/// # Panics
/// On a gate that [`check_supported`] refuses (the verifier checks that when it is built).
pub fn eval_unfiltered(
    gate: &dyn AnyGate<F, D>,
    vars: EvalVarsVar<'_>,
) -> Result<Vec<LazyGoldilocksExt>, SynthesisError> {
    let any = gate.as_any();
    if any.is::<NoopGate>() {
        Ok(Vec::new())
    } else if any.is::<ConstantGate>() {
        Ok(constant::eval(gate.num_constraints(), vars))
    } else if any.is::<PublicInputGate>() {
        Ok(public_input::eval(vars))
    } else if let Some(g) = any.downcast_ref::<ArithmeticGate>() {
        arithmetic_base::eval(g.num_ops, vars)
    } else if let Some(g) = any.downcast_ref::<ArithmeticExtensionGate<D>>() {
        arithmetic_extension::eval(g.num_ops, vars)
    } else if let Some(g) = any.downcast_ref::<MulExtensionGate<D>>() {
        multiplication_extension::eval(g.num_ops, vars)
    } else if let Some(g) = any.downcast_ref::<BaseSumGate<2>>() {
        base_sum::eval(g.num_limbs, vars)
    } else if let Some(g) = any.downcast_ref::<ReducingGate<D>>() {
        reducing::eval(g.num_coeffs, vars)
    } else if let Some(g) = any.downcast_ref::<ReducingExtensionGate<D>>() {
        reducing_extension::eval(g.num_coeffs, vars)
    } else if let Some(g) = any.downcast_ref::<RandomAccessGate<F, D>>() {
        random_access::eval(g.bits, g.num_copies, g.num_extra_constants, vars)
    } else if any.is::<PoseidonMdsGate<F, D>>() {
        poseidon_mds::eval(vars)
    } else if any.is::<PoseidonGate<F, D>>() {
        poseidon::eval(vars)
    } else if let Some(g) = any.downcast_ref::<CosetInterpolationGate<F, D>>() {
        coset_interpolation::eval(g.subgroup_bits, g.degree, &g.barycentric_weights, vars)
    } else {
        panic!("{}", UnsupportedGate(gate.id()))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use ark_bn254::Fr;
    use ark_relations::r1cs::{ConstraintSystem, ConstraintSystemRef};
    use plonky2::field::types::Sample;
    use plonky2::hash::hash_types::HashOut;
    use plonky2::plonk::vars::EvaluationVars;

    use super::*;
    use crate::r1cs::goldilocks_ext::GoldilocksExt;

    fn ext_witnesses(cs: &ConstraintSystemRef<Fr>, xs: &[GoldilocksExt]) -> Vec<GoldilocksExtVar> {
        xs.iter()
            .map(|&x| GoldilocksExtVar::new_witness(cs.clone(), || Ok(x)).unwrap())
            .collect()
    }

    /// Evaluates `gate` natively and in R1CS on random values (twice) and compares every
    /// constraint; returns the R1CS cost of one evaluation (reductions of the outputs
    /// included).
    pub(crate) fn check_gate(gate: &dyn AnyGate<F, D>) -> usize {
        let mut cost = 0;
        for _ in 0..2 {
            let constants: Vec<GoldilocksExt> = (0..gate.num_constants())
                .map(|_| GoldilocksExt::rand())
                .collect();
            let wires: Vec<GoldilocksExt> = (0..gate.num_wires())
                .map(|_| GoldilocksExt::rand())
                .collect();
            let hash = HashOut::<F>::rand();
            let native = gate.eval_unfiltered(EvaluationVars {
                local_constants: &constants,
                local_wires: &wires,
                public_inputs_hash: &hash,
            });

            let cs = ConstraintSystem::<Fr>::new_ref();
            let c = ext_witnesses(&cs, &constants);
            let wv = ext_witnesses(&cs, &wires);
            let h: [GoldilocksVar; 4] = std::array::from_fn(|i| {
                GoldilocksVar::new_witness(cs.clone(), || Ok(hash.elements[i])).unwrap()
            });
            let before = cs.num_constraints();
            let got = eval_unfiltered(
                gate,
                EvalVarsVar {
                    local_constants: &c,
                    local_wires: &wv,
                    public_inputs_hash: &h,
                },
            )
            .unwrap();
            assert_eq!(got.len(), native.len(), "{}: constraint count", gate.id());
            for (i, (g, n)) in got.iter().zip(&native).enumerate() {
                assert_eq!(
                    g.reduce().unwrap().value().unwrap(),
                    *n,
                    "{}: constraint {i}",
                    gate.id()
                );
            }
            assert!(cs.is_satisfied().unwrap());
            cost = cs.num_constraints() - before;
        }
        eprintln!("{}: {cost} constraints", gate.id());
        cost
    }

    /// Every gate the wrap circuit uses, with the parameters the standard recursion config
    /// gives it (and a second random-access size).
    #[test]
    fn each_gate_matches_native() {
        let config = plonky2::plonk::circuit_data::CircuitConfig::standard_recursion_config();
        let gates: Vec<GateRef<F, D>> = vec![
            GateRef::new(ConstantGate::new(2)),
            GateRef::new(PublicInputGate),
            GateRef::new(ArithmeticGate::new_from_config(&config)),
            GateRef::new(ArithmeticExtensionGate::<D>::new_from_config(&config)),
            GateRef::new(MulExtensionGate::<D>::new_from_config(&config)),
            GateRef::new(BaseSumGate::<2>::new_from_config::<F>(&config)),
            GateRef::new(ReducingGate::<D>::new(43)),
            GateRef::new(ReducingExtensionGate::<D>::new(32)),
            GateRef::new(RandomAccessGate::<F, D>::new_from_config(&config, 4)),
            GateRef::new(RandomAccessGate::<F, D>::new_from_config(&config, 2)),
            GateRef::new(PoseidonMdsGate::<F, D>::new()),
            GateRef::new(PoseidonGate::<F, D>::new()),
            GateRef::new(CosetInterpolationGate::<F, D>::new(4)),
            GateRef::new(coset_interpolation_of_degree(4, 6)),
        ];
        check_supported(&gates).unwrap();
        for gate in &gates {
            check_gate(gate.0.as_ref());
        }
    }

    /// The bounded-degree variant plonky2 builds for FRI folding (its constructor is
    /// crate-private): the weights of the full-degree gate, re-read with another degree.
    fn coset_interpolation_of_degree(
        subgroup_bits: usize,
        degree: usize,
    ) -> CosetInterpolationGate<F, D> {
        use plonky2::gates::gate::Gate;
        use plonky2::util::serialization::Buffer;
        let full = CosetInterpolationGate::<F, D>::new(subgroup_bits);
        let mut bytes = Vec::new();
        for x in [subgroup_bits, degree, full.barycentric_weights.len()] {
            bytes.extend((x as u64).to_le_bytes());
        }
        for w in &full.barycentric_weights {
            bytes.extend(w.to_canonical_u64().to_le_bytes());
        }
        let common = crate::wrap::words::WordsCircuit::build(0).data.common;
        let gate = CosetInterpolationGate::deserialize(&mut Buffer::new(&bytes), &common).unwrap();
        assert_eq!(gate.degree, degree);
        gate
    }

    #[test]
    fn unsupported_gates_are_named() {
        let gates = vec![
            GateRef::new(NoopGate),
            GateRef::new(plonky2::gates::exponentiation::ExponentiationGate::<F, D>::new(5)),
        ];
        let err = check_supported(&gates).unwrap_err();
        assert!(err.0.contains("Exponentiation"), "{err}");
        assert!(check_supported(&gates[..1]).is_ok());
    }
}
