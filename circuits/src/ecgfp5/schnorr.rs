//! The in-circuit Schnorr verifier: the gadget the op circuit calls for every signed op.
//!
//! It checks exactly what [`bulwark_state::schnorr::PublicKey::verify`] (after
//! [`bulwark_state::schnorr::PublicKey::from_bytes`] and
//! [`bulwark_state::schnorr::Signature::from_bytes`]) accepts:
//!
//! * the public key limbs decode to a non-neutral element Q ([`decode_point`]);
//! * s < n (s is carried as six limbs of at most 62 bits, each range-checked);
//! * `(e_0..e_4) = Poseidon_5(enc(R) || enc(Q) || msg)`, each e_i split canonically into
//!   64 bits, so e is the 320-bit integer of the scheme (only e mod n matters to the
//!   group, so no reduction is needed);
//! * `enc(s G + e Q) = enc(R)`: R is never decoded; comparing encodings is equivalent,
//!   as every element has exactly one encoding and a non-encoding R limb vector matches
//!   no computed point. The neutral result encodes as 0, as natively.
//!
//! With `enabled = 0` the key is replaced by the generator's encoding before decoding
//! and the final comparisons and the s < n requirement are switched off, so any public
//! key and message (an empty slot, an invalid key) satisfy the constraints.

use anyhow::Result;
use bulwark_state::ecgfp5::curve::GENERATOR_ENCODING;
use bulwark_state::ecgfp5::scalar::group_order;
use bulwark_state::ecgfp5::Fp;
use bulwark_state::schnorr::Signature;
use plonky2::field::goldilocks_field::GoldilocksField;
use plonky2::field::types::Field;
use plonky2::hash::poseidon::PoseidonHash;
use plonky2::iop::target::{BoolTarget, Target};
use plonky2::iop::witness::{PartialWitness, WitnessWrite};
use plonky2::plonk::circuit_builder::CircuitBuilder;

use super::curve::{decode_point, mul_add_generator_encoded};
use super::fp5_target::{CircuitBuilderFp5, Fp5Target};
use super::scalar::{split_and_compare, split_canonical_u64, to_limbs, S_LIMB_BITS};

type F = GoldilocksField;
const D: usize = 2;

/// Number of limbs of s (see [`S_LIMB_BITS`] for their widths).
pub const S_LIMBS: usize = S_LIMB_BITS.len();

/// A signature's witness: enc(R) as five limbs and s as six little-endian limbs of
/// 62, 62, 62, 62, 62 and 10 bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignatureTarget {
    /// enc(R), the five canonical Goldilocks limbs of the nonce commitment's encoding.
    pub r: [Target; 5],
    /// s in limbs of [`S_LIMB_BITS`] bits, least significant first (each range-checked by
    /// the verifier).
    pub s: [Target; S_LIMBS],
}

/// Fresh signature targets (constrained only by [`verify_schnorr`]).
pub fn add_signature_target(builder: &mut CircuitBuilder<F, D>) -> SignatureTarget {
    SignatureTarget {
        r: builder.add_virtual_target_arr(),
        s: builder.add_virtual_target_arr(),
    }
}

/// Sets the witness of `t` to the signature `sig`.
pub fn set_signature_target(
    pw: &mut PartialWitness<F>,
    t: &SignatureTarget,
    sig: &Signature,
) -> Result<()> {
    set_signature_target_raw(pw, t, sig.r_limbs(), &sig.s().to_bytes())
}

/// Sets the witness of `t` from raw parts: R's limbs and s as 40 little-endian bytes
/// (for dummies and for tests that forge non-canonical values).
pub fn set_signature_target_raw(
    pw: &mut PartialWitness<F>,
    t: &SignatureTarget,
    r: [Fp; 5],
    s_le: &[u8; 40],
) -> Result<()> {
    pw.set_target_arr(&t.r, &r)?;
    let s = num_bigint::BigUint::from_bytes_le(s_le);
    for (limb, v) in t.s.iter().zip(to_limbs(&s, &S_LIMB_BITS)) {
        pw.set_target(*limb, F::from_canonical_u64(v))?;
    }
    Ok(())
}

/// Fills a disabled slot's signature with zeros (any in-range values would do).
pub fn set_dummy_signature_target(pw: &mut PartialWitness<F>, t: &SignatureTarget) -> Result<()> {
    set_signature_target_raw(pw, t, [Fp::ZERO; 5], &[0; 40])
}

/// Enforces Schnorr validity of `sig` on `message` under the public key whose encoding
/// is `public_key` (5 limbs) when `enabled` is 1; when `enabled` is 0 any public key and
/// message satisfy the constraints (the signature limbs still have to be in range, which
/// [`set_dummy_signature_target`] provides).
pub fn verify_schnorr(
    builder: &mut CircuitBuilder<F, D>,
    enabled: BoolTarget,
    public_key: [Target; 5],
    message: &[Target],
    sig: &SignatureTarget,
) {
    let generator = builder.fp5_constant(GENERATOR_ENCODING);
    let w = builder.fp5_select(enabled, Fp5Target(public_key), generator);
    let q = decode_point(builder, w);

    let mut inputs = sig.r.to_vec();
    inputs.extend_from_slice(&public_key);
    inputs.extend_from_slice(message);
    let e_limbs = builder.hash_n_to_m_no_pad::<PoseidonHash>(inputs, 5);
    let e_bits: Vec<BoolTarget> = e_limbs
        .iter()
        .flat_map(|&l| split_canonical_u64(builder, l))
        .collect();

    let (s_bits, s_canonical) = split_and_compare(builder, &sig.s, &S_LIMB_BITS, group_order());
    // enabled => s < n.
    let t = builder.mul(enabled.target, s_canonical.target);
    builder.connect(t, enabled.target);

    let enc = mul_add_generator_encoded(builder, &s_bits, q, &e_bits);
    for k in 0..5 {
        let d = builder.sub(enc.0[k], sig.r[k]);
        let t = builder.mul(enabled.target, d);
        builder.assert_zero(t);
    }
}

#[cfg(test)]
mod tests {
    use bulwark_state::ecgfp5::field::FP5_BYTES;
    use bulwark_state::schnorr::SecretKey;
    use num_bigint::BigUint;
    use plonky2::field::types::Sample;
    use plonky2::plonk::circuit_data::{CircuitConfig, CircuitData};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha20Rng;

    use super::*;
    use crate::ecgfp5::test_util::{assert_unprovable, prove_and_verify, C};

    const MSG_LEN: usize = 4;

    struct Slot {
        enabled: BoolTarget,
        pk: [Target; 5],
        msg: [Target; MSG_LEN],
        sig: SignatureTarget,
    }

    fn add_slot(b: &mut CircuitBuilder<F, D>) -> Slot {
        let slot = Slot {
            enabled: b.add_virtual_bool_target_safe(),
            pk: b.add_virtual_target_arr(),
            msg: b.add_virtual_target_arr(),
            sig: add_signature_target(b),
        };
        verify_schnorr(b, slot.enabled, slot.pk, &slot.msg, &slot.sig);
        slot
    }

    fn circuit() -> (CircuitData<F, C, D>, Slot) {
        let mut b = CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
        let slot = add_slot(&mut b);
        (b.build::<C>(), slot)
    }

    fn key(seed: u64) -> SecretKey {
        SecretKey::random(&mut ChaCha20Rng::seed_from_u64(seed))
    }

    fn random_msg(rng: &mut impl Rng) -> [Fp; MSG_LEN] {
        std::array::from_fn(|_| Fp::sample(rng))
    }

    fn witness(
        slot: &Slot,
        enabled: bool,
        pk: [Fp; 5],
        msg: &[Fp; MSG_LEN],
        r: [Fp; 5],
        s: &[u8; 40],
    ) -> PartialWitness<F> {
        let mut pw = PartialWitness::new();
        pw.set_bool_target(slot.enabled, enabled).unwrap();
        pw.set_target_arr(&slot.pk, &pk).unwrap();
        pw.set_target_arr(&slot.msg, msg).unwrap();
        set_signature_target_raw(&mut pw, &slot.sig, r, s).unwrap();
        pw
    }

    fn s_bytes(v: &BigUint) -> [u8; 40] {
        let mut out = [0u8; 40];
        let le = v.to_bytes_le();
        out[..le.len()].copy_from_slice(&le);
        out
    }

    #[test]
    fn valid_signatures_verify() {
        let (data, slot) = circuit();
        let mut rng = ChaCha20Rng::seed_from_u64(41);
        for seed in 0..3 {
            let sk = key(100 + seed);
            let msg = random_msg(&mut rng);
            let sig = sk.sign(&msg);
            sk.public_key().verify(&msg, &sig).unwrap();
            let mut pw = PartialWitness::new();
            pw.set_bool_target(slot.enabled, true).unwrap();
            pw.set_target_arr(&slot.pk, &sk.public_key().limbs())
                .unwrap();
            pw.set_target_arr(&slot.msg, &msg).unwrap();
            set_signature_target(&mut pw, &slot.sig, &sig).unwrap();
            prove_and_verify(&data, pw).unwrap();
        }
    }

    #[test]
    fn forged_signatures_fail() {
        let (data, slot) = circuit();
        let mut rng = ChaCha20Rng::seed_from_u64(42);
        let sk = key(7);
        let pk = sk.public_key().limbs();
        let msg = random_msg(&mut rng);
        let sig = sk.sign(&msg);
        let r = sig.r_limbs();
        let s = sig.s().as_biguint().clone();
        let one = BigUint::from(1u8);

        // Wrong message element.
        let mut m2 = msg;
        m2[2] += Fp::ONE;
        assert_unprovable(&data, witness(&slot, true, pk, &m2, r, &s_bytes(&s)));
        // Wrong public key (a valid one).
        let other = key(8).public_key().limbs();
        assert_unprovable(&data, witness(&slot, true, other, &msg, r, &s_bytes(&s)));
        // Tampered R limb.
        let mut r2 = r;
        r2[3] += Fp::ONE;
        assert_unprovable(&data, witness(&slot, true, pk, &msg, r2, &s_bytes(&s)));
        // Tampered s.
        let s1 = (&s + &one) % group_order();
        assert_unprovable(&data, witness(&slot, true, pk, &msg, r, &s_bytes(&s1)));
        // s + n: the same scalar mod n, not canonical.
        let s_plus_n = &s + group_order();
        assert!(s_plus_n.bits() <= 320);
        assert_unprovable(
            &data,
            witness(&slot, true, pk, &msg, r, &s_bytes(&s_plus_n)),
        );
        // A public key that does not decode, and the neutral's encoding.
        let bad_pk = loop {
            let cand: [Fp; 5] = std::array::from_fn(|_| Fp::sample(&mut rng));
            let bytes: [u8; FP5_BYTES] = bulwark_state::ecgfp5::field::encode(
                plonky2::field::extension::quintic::QuinticExtension(cand),
            );
            if bulwark_state::schnorr::PublicKey::from_bytes(&bytes).is_err() {
                break cand;
            }
        };
        assert_unprovable(&data, witness(&slot, true, bad_pk, &msg, r, &s_bytes(&s)));
        assert_unprovable(
            &data,
            witness(&slot, true, [Fp::ZERO; 5], &msg, r, &s_bytes(&s)),
        );
        // The honest witness still proves (the circuit is not simply unsatisfiable).
        prove_and_verify(&data, witness(&slot, true, pk, &msg, r, &s_bytes(&s))).unwrap();
    }

    /// R = neutral (encoding 0) with s G + e Q = O is accepted natively, so the circuit
    /// must accept it too (otherwise a key holder could make a batch unprovable).
    #[test]
    fn neutral_nonce_commitment_agrees_with_native() {
        use bulwark_state::ecgfp5::{Point, Scalar};
        let (data, slot) = circuit();
        let mut rng = ChaCha20Rng::seed_from_u64(44);
        let sk = key(9);
        let pk = sk.public_key();
        let msg = random_msg(&mut rng);
        let x = Scalar::from_canonical_bytes(&sk.to_bytes()).unwrap();
        let e = bulwark_state::schnorr::challenge(&Point::NEUTRAL, pk.point(), &msg);
        let s = Scalar::zero().sub(&e.mul(&x));
        let mut bytes = [0u8; 80];
        bytes[40..].copy_from_slice(&s.to_bytes());
        let sig = Signature::from_bytes(&bytes).unwrap();
        pk.verify(&msg, &sig).unwrap();
        let mut pw = PartialWitness::new();
        pw.set_bool_target(slot.enabled, true).unwrap();
        pw.set_target_arr(&slot.pk, &pk.limbs()).unwrap();
        pw.set_target_arr(&slot.msg, &msg).unwrap();
        set_signature_target(&mut pw, &slot.sig, &sig).unwrap();
        prove_and_verify(&data, pw).unwrap();
    }

    #[test]
    fn disabled_slots_accept_garbage() {
        let (data, slot) = circuit();
        let mut rng = ChaCha20Rng::seed_from_u64(43);
        let msg = random_msg(&mut rng);
        let garbage: [Fp; 5] = std::array::from_fn(|_| Fp::sample(&mut rng));
        // Dummy signature, all-zero key (an empty account), random key limbs.
        for pk in [[Fp::ZERO; 5], garbage] {
            let mut pw = PartialWitness::new();
            pw.set_bool_target(slot.enabled, false).unwrap();
            pw.set_target_arr(&slot.pk, &pk).unwrap();
            pw.set_target_arr(&slot.msg, &msg).unwrap();
            set_dummy_signature_target(&mut pw, &slot.sig).unwrap();
            prove_and_verify(&data, pw).unwrap();
        }
        // A forged signature with s >= n and random R is also fine when disabled.
        let s = (BigUint::from(1u8) << 320) - 1u8;
        prove_and_verify(
            &data,
            witness(&slot, false, garbage, &msg, garbage, &s_bytes(&s)),
        )
        .unwrap();
    }

    /// Several slots in one circuit, as the op and leaf circuits use them: enabled and
    /// disabled slots side by side, different message lengths, an empty message.
    #[test]
    fn mixed_slots_in_one_circuit() {
        let mut b = CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
        let mut slots = Vec::new();
        for len in [0usize, 1, 7] {
            let enabled = b.add_virtual_bool_target_safe();
            let pk: [Target; 5] = b.add_virtual_target_arr();
            let msg = b.add_virtual_targets(len);
            let sig = add_signature_target(&mut b);
            verify_schnorr(&mut b, enabled, pk, &msg, &sig);
            slots.push((enabled, pk, msg, sig));
        }
        let data = b.build::<C>();
        let mut rng = ChaCha20Rng::seed_from_u64(45);
        let fill = |enabled_mask: [bool; 3], tamper: Option<usize>, rng: &mut ChaCha20Rng| {
            let mut pw = PartialWitness::new();
            for (i, (enabled, pk, msg, sig)) in slots.iter().enumerate() {
                let sk = key(200 + i as u64);
                let m: Vec<Fp> = (0..msg.len()).map(|_| Fp::sample(rng)).collect();
                pw.set_bool_target(*enabled, enabled_mask[i]).unwrap();
                pw.set_target_arr(pk, &sk.public_key().limbs()).unwrap();
                pw.set_target_arr(msg, &m).unwrap();
                if enabled_mask[i] {
                    let signed = if tamper == Some(i) {
                        vec![Fp::ONE; m.len() + 1]
                    } else {
                        m
                    };
                    set_signature_target(&mut pw, sig, &sk.sign(&signed)).unwrap();
                } else {
                    set_dummy_signature_target(&mut pw, sig).unwrap();
                }
            }
            pw
        };
        prove_and_verify(&data, fill([true, true, true], None, &mut rng)).unwrap();
        prove_and_verify(&data, fill([true, false, true], None, &mut rng)).unwrap();
        prove_and_verify(&data, fill([false, false, false], None, &mut rng)).unwrap();
        // One bad signature among good ones sinks the proof; disabled, it does not matter.
        assert_unprovable(&data, fill([true, true, true], Some(1), &mut rng));
        prove_and_verify(&data, fill([true, false, true], Some(1), &mut rng)).unwrap();
    }

    /// Rows of one `verify_schnorr` in the standard recursion config; run with
    /// `cargo test --release -p bulwark-circuits rows_per_signature -- --nocapture`.
    #[test]
    fn rows_per_signature() {
        let mut b = CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
        add_slot(&mut b);
        let after_one = b.num_gates();
        add_slot(&mut b);
        let after_two = b.num_gates();
        println!(
            "rows: first verify_schnorr {after_one}, each further one {}",
            after_two - after_one
        );
        // A regression guard on a deterministic count, not a performance target.
        assert!(after_two - after_one < 150);
    }
}

/// Prove-time measurement for circuits of N signatures (not a timed assertion; run with
/// `BULWARK_SIGS=64 cargo test --release -p bulwark-circuits prove_time_n_signatures
/// -- --ignored --nocapture`).
#[cfg(test)]
mod bench {
    use std::time::Instant;

    use bulwark_state::schnorr::SecretKey;
    use plonky2::plonk::circuit_data::CircuitConfig;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    use super::*;
    use crate::ecgfp5::test_util::C;

    #[test]
    #[ignore = "measurement; run explicitly"]
    fn prove_time_n_signatures() {
        let n: usize = std::env::var("BULWARK_SIGS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(16);
        let mut b = CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
        let mut slots = Vec::new();
        for _ in 0..n {
            let enabled = b.add_virtual_bool_target_safe();
            let pk: [Target; 5] = b.add_virtual_target_arr();
            let msg: [Target; 4] = b.add_virtual_target_arr();
            let sig = add_signature_target(&mut b);
            verify_schnorr(&mut b, enabled, pk, &msg, &sig);
            slots.push((enabled, pk, msg, sig));
        }
        let rows = b.num_gates();
        let t = Instant::now();
        let data = b.build::<C>();
        let build = t.elapsed();
        let mut rng = ChaCha20Rng::seed_from_u64(5);
        let mut pw = PartialWitness::new();
        for (i, (enabled, pk, msg, sig)) in slots.iter().enumerate() {
            let sk = SecretKey::random(&mut rng);
            let m = [Fp::from_canonical_u64(i as u64); 4];
            pw.set_bool_target(*enabled, true).unwrap();
            pw.set_target_arr(pk, &sk.public_key().limbs()).unwrap();
            pw.set_target_arr(msg, &m).unwrap();
            set_signature_target(&mut pw, sig, &sk.sign(&m)).unwrap();
        }
        let t = Instant::now();
        let proof = data.prove(pw).unwrap();
        let prove = t.elapsed();
        data.verify(proof).unwrap();
        println!(
            "{n} signatures: {rows} rows before padding (degree 2^{}), build {:.2?}, prove {:.2?} ({:.1} signatures/s)",
            data.common.degree_bits(),
            build,
            prove,
            n as f64 / prove.as_secs_f64()
        );
        // Baseline: a circuit of the same size with only plonky2's arithmetic gates.
        let mut b = CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
        let x = b.add_virtual_target();
        let mut acc = x;
        for _ in 0..rows * 20 {
            acc = b.mul(acc, acc);
        }
        b.register_public_input(acc);
        let plain = b.build::<C>();
        let mut pw = PartialWitness::new();
        pw.set_target(x, Fp::from_canonical_u64(3)).unwrap();
        let t = Instant::now();
        plain.prove(pw).unwrap();
        println!(
            "baseline: arithmetic-only circuit of degree 2^{} proves in {:.2?}",
            plain.common.degree_bits(),
            t.elapsed()
        );
    }
}

/// A proof of a circuit that uses the custom gates verifies inside another circuit (the
/// leaf and node circuits do exactly that), and what that costs the outer circuit.
#[cfg(test)]
mod recursion {
    use bulwark_state::schnorr::SecretKey;
    use plonky2::plonk::circuit_data::CircuitConfig;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    use super::*;
    use crate::ecgfp5::test_util::C;

    fn outer_rows(
        inner: &plonky2::plonk::circuit_data::CircuitData<F, C, D>,
    ) -> (
        usize,
        plonky2::plonk::circuit_data::CircuitData<F, C, D>,
        plonky2::plonk::proof::ProofWithPublicInputsTarget<D>,
        plonky2::plonk::circuit_data::VerifierCircuitTarget,
    ) {
        let mut b = CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
        let pt = b.add_virtual_proof_with_pis(&inner.common);
        let vd = b.constant_verifier_data(&inner.verifier_only);
        b.verify_proof::<C>(&pt, &vd, &inner.common);
        let rows = b.num_gates();
        (rows, b.build::<C>(), pt, vd)
    }

    #[test]
    fn signature_proof_verifies_recursively() {
        let mut b = CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
        let enabled = b.add_virtual_bool_target_safe();
        let pk: [Target; 5] = b.add_virtual_target_arr();
        let msg: [Target; 3] = b.add_virtual_target_arr();
        let sig = add_signature_target(&mut b);
        verify_schnorr(&mut b, enabled, pk, &msg, &sig);
        b.register_public_inputs(&pk);
        let inner = b.build::<C>();

        let sk = SecretKey::random(&mut ChaCha20Rng::seed_from_u64(9));
        let m = [
            Fp::from_canonical_u64(1),
            Fp::from_canonical_u64(2),
            Fp::from_canonical_u64(3),
        ];
        let mut pw = PartialWitness::new();
        pw.set_bool_target(enabled, true).unwrap();
        pw.set_target_arr(&pk, &sk.public_key().limbs()).unwrap();
        pw.set_target_arr(&msg, &m).unwrap();
        set_signature_target(&mut pw, &sig, &sk.sign(&m)).unwrap();
        let proof = inner.prove(pw).unwrap();

        let (rows, outer, pt, _vd) = outer_rows(&inner);
        let mut pw = PartialWitness::new();
        pw.set_proof_with_pis_target(&pt, &proof).unwrap();
        let outer_proof = outer.prove(pw).unwrap();
        outer.verify(outer_proof).unwrap();

        // Baseline: a plain circuit of the same degree without the custom gates.
        let mut b = CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
        let x = b.add_virtual_target();
        let mut acc = x;
        for _ in 0..(1usize << inner.common.degree_bits()) * 15 {
            acc = b.mul(acc, acc);
        }
        b.register_public_input(acc);
        let plain = b.build::<C>();
        let (base_rows, ..) = outer_rows(&plain);
        println!(
            "recursive verifier rows: {rows} for a signature circuit (2^{}), {base_rows} for a plain circuit (2^{})",
            inner.common.degree_bits(),
            plain.common.degree_bits()
        );
    }
}
