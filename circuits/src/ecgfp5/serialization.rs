//! Gate and witness-generator serializers that know the ECgFp5 gates and hints, so that
//! circuits using [`super::schnorr::verify_schnorr`] can be cached on disk.
//!
//! Each entry starts with one byte: 0 delegates to plonky2's default serializer, other
//! values name one of this module's gates or generators. A circuit that adds its own
//! custom gates wraps these the same way.

use plonky2::field::goldilocks_field::GoldilocksField;
use plonky2::gates::gate::{Gate, GateRef};
use plonky2::iop::generator::{SimpleGenerator, WitnessGeneratorRef};
use plonky2::plonk::circuit_data::CommonCircuitData;
use plonky2::plonk::config::PoseidonGoldilocksConfig;
use plonky2::util::serialization::{
    Buffer, DefaultGateSerializer, DefaultGeneratorSerializer, GateSerializer, IoResult, Read,
    WitnessGeneratorSerializer, Write,
};

use super::canonical_split_gate::{CanonicalSplitGate, CanonicalSplitGenerator};
use super::curve::DecodeHint;
use super::curve_step_gate::{CurveStepGate, CurveStepGenerator};
use super::fp5_mul_gate::{Fp5MulGate, Fp5MulGenerator};
use super::fp5_target::{Fp5DivHint, Fp5IsZeroHint};
use super::scalar_limb_gate::{ScalarLimbGate, ScalarLimbGenerator};
use crate::gadgets::sha256::bit_gate::BitGateGenerator;
use crate::gadgets::sha256::{
    Sha256AddGate, Sha256RoundAGate, Sha256RoundEGate, Sha256ScheduleGate,
};

type F = GoldilocksField;
const D: usize = 2;

/// plonky2's default gates plus [`Fp5MulGate`], [`CurveStepGate`], [`CanonicalSplitGate`],
/// [`ScalarLimbGate`] and the SHA-256 gates.
#[derive(Debug, Default, Clone, Copy)]
pub struct EcgFp5GateSerializer;

impl GateSerializer<F, D> for EcgFp5GateSerializer {
    fn read_gate(
        &self,
        buf: &mut Buffer,
        common: &CommonCircuitData<F, D>,
    ) -> IoResult<GateRef<F, D>> {
        match buf.read_u8()? {
            0 => DefaultGateSerializer.read_gate(buf, common),
            1 => Ok(GateRef::new(<Fp5MulGate as Gate<F, D>>::deserialize(
                buf, common,
            )?)),
            2 => Ok(GateRef::new(<CurveStepGate as Gate<F, D>>::deserialize(
                buf, common,
            )?)),
            3 => Ok(GateRef::new(
                <CanonicalSplitGate as Gate<F, D>>::deserialize(buf, common)?,
            )),
            4 => Ok(GateRef::new(<ScalarLimbGate as Gate<F, D>>::deserialize(
                buf, common,
            )?)),
            5 => Ok(GateRef::new(Sha256RoundEGate)),
            6 => Ok(GateRef::new(Sha256RoundAGate)),
            7 => Ok(GateRef::new(Sha256ScheduleGate)),
            8 => Ok(GateRef::new(Sha256AddGate)),
            _ => Err(plonky2::util::serialization::IoError),
        }
    }

    fn write_gate(
        &self,
        buf: &mut Vec<u8>,
        gate: &GateRef<F, D>,
        common: &CommonCircuitData<F, D>,
    ) -> IoResult<()> {
        let any = gate.0.as_any();
        if any.is::<Fp5MulGate>() {
            buf.write_u8(1)?;
            gate.0.serialize(buf, common)
        } else if any.is::<CurveStepGate>() {
            buf.write_u8(2)?;
            gate.0.serialize(buf, common)
        } else if any.is::<CanonicalSplitGate>() {
            buf.write_u8(3)?;
            gate.0.serialize(buf, common)
        } else if any.is::<ScalarLimbGate>() {
            buf.write_u8(4)?;
            gate.0.serialize(buf, common)
        } else if any.is::<Sha256RoundEGate>() {
            buf.write_u8(5)
        } else if any.is::<Sha256RoundAGate>() {
            buf.write_u8(6)
        } else if any.is::<Sha256ScheduleGate>() {
            buf.write_u8(7)
        } else if any.is::<Sha256AddGate>() {
            buf.write_u8(8)
        } else {
            buf.write_u8(0)?;
            DefaultGateSerializer.write_gate(buf, gate, common)
        }
    }
}

/// plonky2's default generators plus this module's gate generators and hints.
#[derive(Debug, Default)]
pub struct EcgFp5GeneratorSerializer {
    default: DefaultGeneratorSerializer<PoseidonGoldilocksConfig, D>,
}

/// Our generators' ids, in tag order (tag = index + 1).
const IDS: [&str; 11] = [
    "CanonicalSplitGenerator",
    "Fp5MulGenerator",
    "CurveStepGenerator",
    "Fp5DivHint",
    "Fp5IsZeroHint",
    "EcgFp5DecodeHint",
    "ScalarLimbGenerator",
    "Sha256RoundEGenerator",
    "Sha256RoundAGenerator",
    "Sha256ScheduleGenerator",
    "Sha256AddGenerator",
];

fn wrap<G: SimpleGenerator<F, D>>(g: G) -> WitnessGeneratorRef<F, D> {
    WitnessGeneratorRef::new(g.adapter())
}

impl WitnessGeneratorSerializer<F, D> for EcgFp5GeneratorSerializer {
    fn read_generator(
        &self,
        buf: &mut Buffer,
        common: &CommonCircuitData<F, D>,
    ) -> IoResult<WitnessGeneratorRef<F, D>> {
        Ok(match buf.read_u8()? {
            0 => return self.default.read_generator(buf, common),
            1 => {
                wrap(<CanonicalSplitGenerator as SimpleGenerator<F, D>>::deserialize(buf, common)?)
            }
            2 => wrap(<Fp5MulGenerator as SimpleGenerator<F, D>>::deserialize(
                buf, common,
            )?),
            3 => wrap(CurveStepGenerator::deserialize(buf, common)?),
            4 => wrap(Fp5DivHint::deserialize(buf, common)?),
            5 => wrap(Fp5IsZeroHint::deserialize(buf, common)?),
            6 => wrap(DecodeHint::deserialize(buf, common)?),
            7 => wrap(<ScalarLimbGenerator as SimpleGenerator<F, D>>::deserialize(
                buf, common,
            )?),
            8 => wrap(BitGateGenerator::<Sha256RoundEGate>::deserialize(
                buf, common,
            )?),
            9 => wrap(BitGateGenerator::<Sha256RoundAGate>::deserialize(
                buf, common,
            )?),
            10 => wrap(BitGateGenerator::<Sha256ScheduleGate>::deserialize(
                buf, common,
            )?),
            11 => wrap(BitGateGenerator::<Sha256AddGate>::deserialize(buf, common)?),
            _ => return Err(plonky2::util::serialization::IoError),
        })
    }

    fn write_generator(
        &self,
        buf: &mut Vec<u8>,
        generator: &WitnessGeneratorRef<F, D>,
        common: &CommonCircuitData<F, D>,
    ) -> IoResult<()> {
        let id = generator.0.id();
        match IDS.iter().position(|&known| known == id) {
            Some(i) => {
                buf.write_u8(i as u8 + 1)?;
                generator.0.serialize(buf, common)
            }
            None => {
                buf.write_u8(0)?;
                self.default.write_generator(buf, generator, common)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use bulwark_state::ecgfp5::Fp;
    use bulwark_state::schnorr::SecretKey;
    use plonky2::field::types::Field;
    use plonky2::iop::target::Target;
    use plonky2::iop::witness::{PartialWitness, WitnessWrite};
    use plonky2::plonk::circuit_builder::CircuitBuilder;
    use plonky2::plonk::circuit_data::{CircuitConfig, CircuitData};
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    use super::*;
    use crate::ecgfp5::schnorr::{add_signature_target, set_signature_target, verify_schnorr};
    use crate::ecgfp5::test_util::C;

    /// The circuit written and read back with this module's serializers (same digest).
    fn round_trip(data: &CircuitData<F, C, D>) -> CircuitData<F, C, D> {
        let bytes = data
            .to_bytes(&EcgFp5GateSerializer, &EcgFp5GeneratorSerializer::default())
            .unwrap();
        let reloaded = CircuitData::<F, C, D>::from_bytes(
            &bytes,
            &EcgFp5GateSerializer,
            &EcgFp5GeneratorSerializer::default(),
        )
        .unwrap();
        assert_eq!(
            reloaded.verifier_only.circuit_digest,
            data.verifier_only.circuit_digest
        );
        reloaded
    }

    #[test]
    fn signature_circuit_round_trips_and_proves_after_reload() {
        let mut b = CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
        let enabled = b.add_virtual_bool_target_safe();
        let pk: [Target; 5] = b.add_virtual_target_arr();
        let msg: [Target; 2] = b.add_virtual_target_arr();
        let sig = add_signature_target(&mut b);
        verify_schnorr(&mut b, enabled, pk, &msg, &sig);
        let data = b.build::<C>();
        let reloaded = round_trip(&data);

        let sk = SecretKey::random(&mut ChaCha20Rng::seed_from_u64(3));
        let m = [Fp::from_canonical_u64(5), Fp::from_canonical_u64(6)];
        let mut pw = PartialWitness::new();
        pw.set_bool_target(enabled, true).unwrap();
        pw.set_target_arr(&pk, &sk.public_key().limbs()).unwrap();
        pw.set_target_arr(&msg, &m).unwrap();
        set_signature_target(&mut pw, &sig, &sk.sign(&m)).unwrap();
        let proof = reloaded.prove(pw).unwrap();
        data.verify(proof).unwrap();
    }

    /// A circuit with every SHA-256 gate reloads and proves the right digest.
    #[test]
    fn sha256_circuit_round_trips_and_proves_after_reload() {
        use crate::gadgets::sha256::sha256_words;
        use plonky2::field::types::PrimeField64;
        use sha2::{Digest, Sha256};

        let mut b = CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
        let words: [Target; 3] = b.add_virtual_target_arr();
        let digest = sha256_words(&mut b, &words);
        b.register_public_inputs(&digest);
        let data = b.build::<C>();
        let reloaded = round_trip(&data);
        let message = *b"bulwark sha!";
        let mut pw = PartialWitness::new();
        for (t, c) in words.iter().zip(message.chunks_exact(4)) {
            let v = u32::from_be_bytes(c.try_into().unwrap());
            pw.set_target(*t, F::from_canonical_u32(v)).unwrap();
        }
        let proof = reloaded.prove(pw).unwrap();
        data.verify(proof.clone()).unwrap();
        let got: Vec<u8> = proof
            .public_inputs
            .iter()
            .flat_map(|w| (w.to_canonical_u64() as u32).to_be_bytes())
            .collect();
        assert_eq!(got, Sha256::digest(message).to_vec());
    }
}
