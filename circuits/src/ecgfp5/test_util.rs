//! Shared test helpers: proving, the "must not prove" assertion, and a gate wrapper that
//! lets a test set every wire by hand.

use std::panic::{catch_unwind, AssertUnwindSafe};

use plonky2::gates::gate::Gate;
use plonky2::gates::util::StridedConstraintConsumer;
use plonky2::iop::ext_target::ExtensionTarget;
use plonky2::iop::generator::WitnessGeneratorRef;
use plonky2::iop::witness::PartialWitness;
use plonky2::plonk::circuit_builder::CircuitBuilder;
use plonky2::plonk::circuit_data::{CircuitData, CommonCircuitData};
use plonky2::plonk::config::{GenericConfig, PoseidonGoldilocksConfig};
use plonky2::plonk::vars::{EvaluationTargets, EvaluationVars, EvaluationVarsBase};
use plonky2::util::serialization::{Buffer, IoResult};

pub const D: usize = 2;
pub type C = PoseidonGoldilocksConfig;
pub type F = <C as GenericConfig<D>>::F;

/// Proves and verifies; the error of whichever step failed.
pub fn prove_and_verify(data: &CircuitData<F, C, D>, pw: PartialWitness<F>) -> anyhow::Result<()> {
    let proof = data.prove(pw)?;
    data.verify(proof)
}

/// Asserts that the witness cannot make an accepted proof: proving errors or panics, or
/// the proof it produces does not verify.
pub fn assert_unprovable(data: &CircuitData<F, C, D>, pw: PartialWitness<F>) {
    let outcome = catch_unwind(AssertUnwindSafe(|| prove_and_verify(data, pw)));
    match outcome {
        Err(_) => {}
        Ok(Err(_)) => {}
        Ok(Ok(())) => panic!("a witness that must be rejected produced a valid proof"),
    }
}

/// A gate with the constraints of `G` and no witness generators, so that a test can set
/// every wire itself (including wrong values the real generators would never produce).
#[derive(Debug, Clone)]
pub struct NoGenerators<G>(pub G);

impl<G: Gate<F, D> + Clone + std::fmt::Debug> Gate<F, D> for NoGenerators<G> {
    fn id(&self) -> String {
        format!("{self:?}")
    }
    fn serialize(&self, _dst: &mut Vec<u8>, _common: &CommonCircuitData<F, D>) -> IoResult<()> {
        unimplemented!("test-only gate")
    }
    fn deserialize(_src: &mut Buffer, _common: &CommonCircuitData<F, D>) -> IoResult<Self> {
        unimplemented!("test-only gate")
    }
    fn eval_unfiltered(
        &self,
        vars: EvaluationVars<F, D>,
    ) -> Vec<<F as plonky2::field::extension::Extendable<D>>::Extension> {
        self.0.eval_unfiltered(vars)
    }
    fn eval_unfiltered_base_one(
        &self,
        vars: EvaluationVarsBase<F>,
        yield_constr: StridedConstraintConsumer<F>,
    ) {
        self.0.eval_unfiltered_base_one(vars, yield_constr)
    }
    fn eval_unfiltered_circuit(
        &self,
        builder: &mut CircuitBuilder<F, D>,
        vars: EvaluationTargets<D>,
    ) -> Vec<ExtensionTarget<D>> {
        self.0.eval_unfiltered_circuit(builder, vars)
    }
    fn generators(&self, _row: usize, _constants: &[F]) -> Vec<WitnessGeneratorRef<F, D>> {
        Vec::new()
    }
    fn num_wires(&self) -> usize {
        self.0.num_wires()
    }
    fn num_constants(&self) -> usize {
        self.0.num_constants()
    }
    fn degree(&self) -> usize {
        self.0.degree()
    }
    fn num_constraints(&self) -> usize {
        self.0.num_constraints()
    }
}
