//! The digest that keys the Groth16 parameters: SHA-256 over a domain tag, the key format
//! version, the wrap circuit's verifier data (plonky2 circuit digest and constants-sigmas
//! cap) and its FRI parameters. A key made for one wrap circuit is refused for another.

use ark_ff::{BigInteger, PrimeField};
use bulwark_circuits::wrap::circuit::{WrapConfig, D, F};
use plonky2::plonk::circuit_data::{CommonCircuitData, VerifierOnlyCircuitData};
use sha2::{Digest, Sha256};

/// Version of the key format and of this digest's layout.
pub const KEY_FORMAT_VERSION: u32 = 1;

const DOMAIN: &[u8] = b"bulwark-wrap-groth16";

/// The 32-byte digest of the wrap circuit the R1CS verifies.
pub fn wrap_circuit_digest(
    common: &CommonCircuitData<F, D>,
    verifier: &VerifierOnlyCircuitData<WrapConfig, D>,
) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(DOMAIN);
    h.update(KEY_FORMAT_VERSION.to_le_bytes());
    h.update(verifier.circuit_digest.0.into_bigint().to_bytes_le());
    for c in &verifier.constants_sigmas_cap.0 {
        h.update(c.0.into_bigint().to_bytes_le());
    }
    let fri = &common.fri_params;
    let mut numbers = vec![
        fri.config.rate_bits as u64,
        fri.config.cap_height as u64,
        u64::from(fri.config.proof_of_work_bits),
        fri.config.num_query_rounds as u64,
        fri.degree_bits as u64,
        fri.reduction_arity_bits.len() as u64,
    ];
    numbers.extend(fri.reduction_arity_bits.iter().map(|&a| a as u64));
    for n in numbers {
        h.update(n.to_le_bytes());
    }
    h.finalize().into()
}

/// `0x`-hex of a digest.
pub fn digest_hex(digest: &[u8; 32]) -> String {
    format!("0x{}", hex::encode(digest))
}
