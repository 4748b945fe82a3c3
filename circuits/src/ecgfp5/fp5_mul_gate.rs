//! `Fp5MulGate`: several GF(p^5) products c = a * b per row.
//!
//! Generic plonky2 arithmetic would spend 25 multiply-add operations (more than one row) on
//! one Fp5 product; this gate checks a whole product with five degree-2 constraints, and
//! packs as many products as the routed wires allow (five in the standard recursion
//! config), so that the hints' checks (inverse, square root, encoding) stay cheap.

use std::ops::Range;

use anyhow::Result;
use plonky2::field::extension::Extendable;
use plonky2::gates::gate::Gate;
use plonky2::gates::util::StridedConstraintConsumer;
use plonky2::hash::hash_types::RichField;
use plonky2::iop::ext_target::ExtensionTarget;
use plonky2::iop::generator::{GeneratedValues, SimpleGenerator, WitnessGeneratorRef};
use plonky2::iop::target::Target;
use plonky2::iop::witness::{PartitionWitness, Witness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::{CircuitConfig, CommonCircuitData};
use plonky2::plonk::vars::{EvaluationTargets, EvaluationVars, EvaluationVarsBase};
use plonky2::util::serialization::{Buffer, IoResult, Read, Write};

use super::alg::{mul5, InCircuit, Native, Ring, E5};

/// Checks `num_ops` independent products c_i = a_i * b_i in GF(p^5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fp5MulGate {
    /// How many products one row holds.
    pub num_ops: usize,
}

/// Wires used by one product (a, b and c, five limbs each).
const WIRES_PER_OP: usize = 15;

impl Fp5MulGate {
    /// As many products as fit in the config's routed wires (every wire must be routable:
    /// a, b and c are all copied from or to other gates).
    pub fn new_from_config(config: &CircuitConfig) -> Self {
        Fp5MulGate {
            num_ops: config.num_routed_wires / WIRES_PER_OP,
        }
    }

    /// Wires of the first factor of product `i`.
    pub fn wires_a(i: usize) -> Range<usize> {
        WIRES_PER_OP * i..WIRES_PER_OP * i + 5
    }
    /// Wires of the second factor of product `i`.
    pub fn wires_b(i: usize) -> Range<usize> {
        WIRES_PER_OP * i + 5..WIRES_PER_OP * i + 10
    }
    /// Wires of the result of product `i`.
    pub fn wires_c(i: usize) -> Range<usize> {
        WIRES_PER_OP * i + 10..WIRES_PER_OP * i + 15
    }

    fn constraints<T: Copy, R: Ring<T>>(&self, r: &mut R, wires: &[T], out: &mut Vec<T>) {
        let get = |range: Range<usize>| -> E5<T> {
            let v = &wires[range];
            [v[0], v[1], v[2], v[3], v[4]]
        };
        for i in 0..self.num_ops {
            let ab = mul5(r, get(Self::wires_a(i)), get(Self::wires_b(i)));
            let c = get(Self::wires_c(i));
            for k in 0..5 {
                out.push(r.sub(c[k], ab[k]));
            }
        }
    }
}

impl<F: RichField + Extendable<D>, const D: usize> Gate<F, D> for Fp5MulGate {
    fn id(&self) -> String {
        format!("{self:?}")
    }

    fn serialize(&self, dst: &mut Vec<u8>, _common: &CommonCircuitData<F, D>) -> IoResult<()> {
        dst.write_usize(self.num_ops)
    }

    fn deserialize(src: &mut Buffer, _common: &CommonCircuitData<F, D>) -> IoResult<Self> {
        Ok(Fp5MulGate {
            num_ops: src.read_usize()?,
        })
    }

    fn eval_unfiltered(&self, vars: EvaluationVars<F, D>) -> Vec<F::Extension> {
        let mut out = Vec::with_capacity(5 * self.num_ops);
        self.constraints(&mut Native, vars.local_wires, &mut out);
        out
    }

    fn eval_unfiltered_base_one(
        &self,
        vars: EvaluationVarsBase<F>,
        mut yield_constr: StridedConstraintConsumer<F>,
    ) {
        let wires: Vec<F> = (0..self.num_ops * WIRES_PER_OP)
            .map(|i| vars.local_wires[i])
            .collect();
        let mut out = Vec::with_capacity(5 * self.num_ops);
        self.constraints(&mut Native, &wires, &mut out);
        yield_constr.many(out);
    }

    fn eval_unfiltered_circuit(
        &self,
        builder: &mut CircuitBuilder<F, D>,
        vars: EvaluationTargets<D>,
    ) -> Vec<ExtensionTarget<D>> {
        let mut out = Vec::with_capacity(5 * self.num_ops);
        self.constraints(&mut InCircuit(builder), vars.local_wires, &mut out);
        out
    }

    fn generators(&self, row: usize, _constants: &[F]) -> Vec<WitnessGeneratorRef<F, D>> {
        (0..self.num_ops)
            .map(|i| WitnessGeneratorRef::new(Fp5MulGenerator { row, i }.adapter()))
            .collect()
    }

    fn num_wires(&self) -> usize {
        self.num_ops * WIRES_PER_OP
    }

    fn num_constants(&self) -> usize {
        0
    }

    fn degree(&self) -> usize {
        2
    }

    fn num_constraints(&self) -> usize {
        5 * self.num_ops
    }
}

/// Computes c = a * b for one product of an [`Fp5MulGate`] row.
#[derive(Debug, Clone, Default)]
pub struct Fp5MulGenerator {
    row: usize,
    i: usize,
}

impl<F: RichField + Extendable<D>, const D: usize> SimpleGenerator<F, D> for Fp5MulGenerator {
    fn id(&self) -> String {
        "Fp5MulGenerator".to_string()
    }

    fn dependencies(&self) -> Vec<Target> {
        Fp5MulGate::wires_a(self.i)
            .chain(Fp5MulGate::wires_b(self.i))
            .map(|c| Target::wire(self.row, c))
            .collect()
    }

    fn run_once(&self, witness: &PartitionWitness<F>, out: &mut GeneratedValues<F>) -> Result<()> {
        let get = |range: Range<usize>| -> E5<F> {
            std::array::from_fn(|k| witness.get_target(Target::wire(self.row, range.start + k)))
        };
        let c = mul5(
            &mut Native,
            get(Fp5MulGate::wires_a(self.i)),
            get(Fp5MulGate::wires_b(self.i)),
        );
        for (k, col) in Fp5MulGate::wires_c(self.i).enumerate() {
            out.set_target(Target::wire(self.row, col), c[k])?;
        }
        Ok(())
    }

    fn serialize(&self, dst: &mut Vec<u8>, _common: &CommonCircuitData<F, D>) -> IoResult<()> {
        dst.write_usize(self.row)?;
        dst.write_usize(self.i)
    }

    fn deserialize(src: &mut Buffer, _common: &CommonCircuitData<F, D>) -> IoResult<Self> {
        Ok(Fp5MulGenerator {
            row: src.read_usize()?,
            i: src.read_usize()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use bulwark_state::ecgfp5::Fp5;
    use plonky2::field::types::{Field, Sample};
    use plonky2::gates::gate_testing::{test_eval_fns, test_low_degree};
    use plonky2::iop::witness::PartialWitness;
    use plonky2::plonk::config::PoseidonGoldilocksConfig;

    use super::*;
    use crate::ecgfp5::test_util::{assert_unprovable, prove_and_verify, NoGenerators, C, D, F};

    fn gate() -> Fp5MulGate {
        Fp5MulGate::new_from_config(&CircuitConfig::standard_recursion_config())
    }

    #[test]
    fn low_degree() {
        test_low_degree::<F, _, D>(gate());
    }

    #[test]
    fn eval_fns() -> Result<()> {
        test_eval_fns::<F, PoseidonGoldilocksConfig, _, D>(gate())
    }

    #[test]
    fn five_products_per_row_in_standard_config() {
        assert_eq!(gate().num_ops, 5);
    }

    /// Native and in-circuit evaluation agree: constraints vanish on a correct product and
    /// a proof goes through; a wrong output wire makes them fail.
    #[test]
    fn honest_row_proves_and_wrong_output_fails() {
        let a = Fp5::rand();
        let b = Fp5::rand();
        let g = gate();
        let mut wires = vec![F::default(); Gate::<F, D>::num_wires(&g)];
        wires[Fp5MulGate::wires_a(0)].copy_from_slice(&a.0);
        wires[Fp5MulGate::wires_b(0)].copy_from_slice(&b.0);
        wires[Fp5MulGate::wires_c(0)].copy_from_slice(&(a * b).0);
        let mut out = Vec::new();
        g.constraints(&mut Native, &wires, &mut out);
        assert!(out.iter().all(|c| *c == F::default()));
        wires[Fp5MulGate::wires_c(0).start + 2] += F::from_canonical_u64(1);
        out.clear();
        g.constraints(&mut Native, &wires, &mut out);
        assert!(out.iter().any(|c| *c != F::default()));

        // In a real proof, with every wire set by hand (no generator): the honest row
        // proves, a wrong c does not.
        let build = |wrong: bool| {
            let mut builder =
                CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
            let row = builder.add_gate(NoGenerators(g), vec![]);
            let mut pw = PartialWitness::new();
            let mut c = (a * b).0;
            if wrong {
                c[4] += F::from_canonical_u64(1);
            }
            for i in 0..g.num_ops {
                let (va, vb, vc) = if i == 0 {
                    (a.0, b.0, c)
                } else {
                    ([F::default(); 5], [F::default(); 5], [F::default(); 5])
                };
                for k in 0..5 {
                    pw.set_target(Target::wire(row, Fp5MulGate::wires_a(i).start + k), va[k])
                        .unwrap();
                    pw.set_target(Target::wire(row, Fp5MulGate::wires_b(i).start + k), vb[k])
                        .unwrap();
                    pw.set_target(Target::wire(row, Fp5MulGate::wires_c(i).start + k), vc[k])
                        .unwrap();
                }
            }
            (builder.build::<C>(), pw)
        };
        let (data, pw) = build(false);
        prove_and_verify(&data, pw).unwrap();
        let (data, pw) = build(true);
        assert_unprovable(&data, pw);
    }
}
