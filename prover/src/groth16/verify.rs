//! Groth16 verification of a wrapped proof against a verifying key (the pairing check
//! arkworks performs; the Solidity verifier performs the same one on chain).

use ark_bn254::{Bn254, Fr};
use ark_groth16::{prepare_verifying_key, Groth16, Proof, VerifyingKey};

use super::Groth16Error;

/// Whether `proof` proves `public_input` under `vk`.
pub fn verify(
    vk: &VerifyingKey<Bn254>,
    proof: &Proof<Bn254>,
    public_input: &Fr,
) -> Result<bool, Groth16Error> {
    if vk.gamma_abc_g1.len() != 2 {
        return Err(Groth16Error::file(
            "verifying key",
            format!(
                "{} public inputs, the wrap circuit has exactly 1",
                vk.gamma_abc_g1.len().saturating_sub(1)
            ),
        ));
    }
    let pvk = prepare_verifying_key(vk);
    Ok(Groth16::<Bn254>::verify_proof(
        &pvk,
        proof,
        &[*public_input],
    )?)
}
