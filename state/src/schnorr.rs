//! Schnorr signatures over ECgFp5 with a Poseidon challenge: the scheme every user op is
//! signed with, and the one the circuits verify bit for bit.
//!
//! # The scheme
//!
//! Notation: G is the ECgFp5 generator (encoding w = 4), n the group order, `enc(P)` the
//! canonical encoding of a group element as five Goldilocks limbs (see
//! [`crate::ecgfp5::curve`]), and `Poseidon_m(x)` plonky2's `hash_n_to_m_no_pad` over
//! Goldilocks with m outputs.
//!
//! * Secret key: a scalar x in [1, n). Public key: Q = x G, published as `enc(Q)`; the
//!   neutral element is never a valid public key.
//! * Message: a sequence of Goldilocks elements (see [`crate::op::Op::signing_message`],
//!   which starts with a per-op-type domain tag and the chain id).
//! * Challenge: `(e_0..e_4) = Poseidon_5(enc(R) || enc(Q) || msg)` — 5 + 5 + len(msg)
//!   inputs — and e = sum e_i 2^(64 i), an integer below 2^320. Only e mod n matters to the
//!   group, so a circuit may multiply by the 320 bits of the canonical limbs directly.
//! * Signing: k = the deterministic nonce below, R = k G, s = (k - e x) mod n. The
//!   signature is (enc(R), s).
//! * Verification: accept iff Q decodes to a non-neutral element, R decodes, s < n, and
//!   `s G + e Q == R`.
//! * Nonce: k = (sum t_i 2^(64 i)) mod n with
//!   `(t_0..t_5) = Poseidon_6(NONCE_TAG || x as ten 32-bit limbs, little-endian || enc(Q) || msg)`;
//!   the 384-bit value reduced mod the 319-bit n is statistically uniform. Deterministic
//!   nonces mean no signing randomness can leak the key.
//!
//! # Encodings
//!
//! A public key is 40 bytes: enc(Q) as five 8-byte little-endian limbs, each < p. A
//! signature is 80 bytes: enc(R) the same way, then s as 40 bytes little-endian, < n.
//! Non-canonical limbs, invalid encodings and s >= n are rejected.

use plonky2::hash::hashing::hash_n_to_m_no_pad;
use plonky2::hash::poseidon::PoseidonPermutation;
use plonky2_field::types::{Field, PrimeField64};
use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::ecgfp5::field::FP5_BYTES;
use crate::ecgfp5::scalar::SCALAR_BYTES;
use crate::ecgfp5::{Fp, Point, Scalar};

/// Domain tag of the deterministic nonce derivation ("bwnonce" in ASCII, little-endian).
pub const NONCE_TAG: u64 = 0x65_63_6e_6f_6e_77_62;

/// Size in bytes of an encoded public key.
pub const PUBLIC_KEY_BYTES: usize = FP5_BYTES;
/// Size in bytes of an encoded signature.
pub const SIGNATURE_BYTES: usize = FP5_BYTES + SCALAR_BYTES;

/// Why a key or signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The public key bytes are not the canonical encoding of a non-neutral element.
    #[error("public key is not a canonical encoding of a valid non-neutral ECgFp5 point")]
    InvalidPublicKey,
    /// The secret key is zero or not below the group order.
    #[error("secret key is not a canonical scalar in [1, n)")]
    InvalidSecretKey,
    /// The R part of the signature is not a canonical point encoding.
    #[error("signature R is not a canonical encoding of an ECgFp5 point")]
    InvalidR,
    /// The s part of the signature is not below the group order.
    #[error("signature s is not a canonical scalar below the group order")]
    InvalidS,
    /// Everything decodes but the verification equation fails.
    #[error("signature does not verify for this message and public key")]
    Mismatch,
}

/// A public key Q = x G, kept both decoded and encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PublicKey {
    point: Point,
    bytes: [u8; PUBLIC_KEY_BYTES],
}

impl PublicKey {
    /// Decodes a public key, rejecting non-canonical bytes, invalid points and the neutral.
    pub fn from_bytes(bytes: &[u8; PUBLIC_KEY_BYTES]) -> Result<Self, SignatureError> {
        let point = Point::from_bytes(bytes).ok_or(SignatureError::InvalidPublicKey)?;
        if point.is_neutral() {
            return Err(SignatureError::InvalidPublicKey);
        }
        Ok(PublicKey {
            point,
            bytes: *bytes,
        })
    }

    /// The 40-byte canonical encoding.
    pub fn to_bytes(&self) -> [u8; PUBLIC_KEY_BYTES] {
        self.bytes
    }

    /// The encoding as five Goldilocks limbs (what the leaf hash and the challenge absorb).
    pub fn limbs(&self) -> [Fp; 5] {
        self.point.encode().0
    }

    /// The group element.
    pub fn point(&self) -> &Point {
        &self.point
    }

    /// Verifies `signature` on `msg`.
    pub fn verify(&self, msg: &[Fp], signature: &Signature) -> Result<(), SignatureError> {
        let e = challenge(&signature.r, &self.point, msg);
        let expected = Point::generator().mul_add(&signature.s, &self.point, &e);
        if expected == signature.r {
            Ok(())
        } else {
            Err(SignatureError::Mismatch)
        }
    }
}

/// A secret key x in [1, n).
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey {
    x: Scalar,
    public: PublicKey,
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretKey")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

impl SecretKey {
    /// Draws a uniformly random key from `rng` (64 random bytes reduced mod n).
    pub fn random(rng: &mut impl RngCore) -> Self {
        loop {
            let mut wide = [0u8; 64];
            rng.fill_bytes(&mut wide);
            let x = Scalar::from_le_bytes_reduced(&wide);
            if !x.is_zero() {
                return Self::from_scalar(x);
            }
        }
    }

    /// Decodes the canonical 40-byte little-endian form; rejects 0 and values >= n.
    pub fn from_bytes(bytes: &[u8; SCALAR_BYTES]) -> Result<Self, SignatureError> {
        let x = Scalar::from_canonical_bytes(bytes).ok_or(SignatureError::InvalidSecretKey)?;
        if x.is_zero() {
            return Err(SignatureError::InvalidSecretKey);
        }
        Ok(Self::from_scalar(x))
    }

    fn from_scalar(x: Scalar) -> Self {
        let point = Point::generator().mul(&x);
        let public = PublicKey {
            point,
            bytes: point.to_bytes(),
        };
        SecretKey { x, public }
    }

    /// The canonical 40-byte encoding (keep it secret).
    pub fn to_bytes(&self) -> [u8; SCALAR_BYTES] {
        self.x.to_bytes()
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        self.public
    }

    /// Signs `msg` with a deterministic nonce.
    pub fn sign(&self, msg: &[Fp]) -> Signature {
        let k = self.nonce(msg);
        let r = Point::generator().mul(&k);
        let e = challenge(&r, &self.public.point, msg);
        let s = k.sub(&e.mul(&self.x));
        Signature { r, s }
    }

    fn nonce(&self, msg: &[Fp]) -> Scalar {
        let x_bytes = self.x.to_bytes();
        let mut input = vec![Fp::from_canonical_u64(NONCE_TAG)];
        input.extend(
            x_bytes
                .chunks_exact(4)
                .map(|c| Fp::from_canonical_u64(u32::from_le_bytes(c.try_into().unwrap()) as u64)),
        );
        input.extend(self.public.limbs());
        input.extend_from_slice(msg);
        let t = hash_n_to_m_no_pad::<Fp, PoseidonPermutation<Fp>>(&input, 6);
        let k = limbs_to_scalar(&t);
        // A zero nonce has probability 2^-319; map it to 1 rather than fail.
        if k.is_zero() {
            Scalar::from_le_bytes_reduced(&[1])
        } else {
            k
        }
    }
}

/// A Schnorr signature (R, s).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    r: Point,
    s: Scalar,
}

impl Signature {
    /// Decodes the canonical 80-byte form, rejecting invalid R and s >= n.
    pub fn from_bytes(bytes: &[u8; SIGNATURE_BYTES]) -> Result<Self, SignatureError> {
        let r_bytes: &[u8; FP5_BYTES] = bytes[..FP5_BYTES].try_into().unwrap();
        let s_bytes: &[u8; SCALAR_BYTES] = bytes[FP5_BYTES..].try_into().unwrap();
        let r = Point::from_bytes(r_bytes).ok_or(SignatureError::InvalidR)?;
        let s = Scalar::from_canonical_bytes(s_bytes).ok_or(SignatureError::InvalidS)?;
        Ok(Signature { r, s })
    }

    /// The canonical 80-byte form.
    pub fn to_bytes(&self) -> [u8; SIGNATURE_BYTES] {
        let mut out = [0u8; SIGNATURE_BYTES];
        out[..FP5_BYTES].copy_from_slice(&self.r.to_bytes());
        out[FP5_BYTES..].copy_from_slice(&self.s.to_bytes());
        out
    }

    /// R's encoding as five limbs (a witness for the circuits).
    pub fn r_limbs(&self) -> [Fp; 5] {
        self.r.encode().0
    }

    /// The scalar s.
    pub fn s(&self) -> &Scalar {
        &self.s
    }
}

/// The challenge e (as a scalar mod n) for nonce commitment `r`, key `q` and `msg`.
pub fn challenge(r: &Point, q: &Point, msg: &[Fp]) -> Scalar {
    limbs_to_scalar(&challenge_limbs(r, q, msg))
}

/// The five Poseidon outputs (e_0..e_4) that make up the challenge integer.
pub fn challenge_limbs(r: &Point, q: &Point, msg: &[Fp]) -> Vec<Fp> {
    let mut input = Vec::with_capacity(10 + msg.len());
    input.extend(r.encode().0);
    input.extend(q.encode().0);
    input.extend_from_slice(msg);
    hash_n_to_m_no_pad::<Fp, PoseidonPermutation<Fp>>(&input, 5)
}

/// sum limbs[i] 2^(64 i), reduced mod n.
fn limbs_to_scalar(limbs: &[Fp]) -> Scalar {
    let bytes: Vec<u8> = limbs
        .iter()
        .flat_map(|l| l.to_canonical_u64().to_le_bytes())
        .collect();
    Scalar::from_le_bytes_reduced(&bytes)
}

/// Hex (de)serialization of fixed-size byte arrays for the JSON forms of keys and ops.
pub(crate) mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer, const N: usize>(v: &[u8; N], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(v))
    }

    pub fn deserialize<'de, D: Deserializer<'de>, const N: usize>(
        d: D,
    ) -> Result<[u8; N], D::Error> {
        let s = String::deserialize(d)?;
        let s = s.strip_prefix("0x").unwrap_or(&s);
        let v =
            hex::decode(s).map_err(|e| serde::de::Error::custom(format!("invalid hex: {e}")))?;
        let len = v.len();
        v.try_into()
            .map_err(|_| serde::de::Error::custom(format!("expected {N} bytes, got {len}")))
    }
}

/// A key pair as stored in a key file (JSON, hex encodings).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct KeyFile {
    /// Format marker, always `bulwark-key`.
    pub format: String,
    /// Format version, currently 1.
    pub version: u32,
    /// The public key, hex of its 40-byte encoding.
    #[serde(with = "hex_bytes")]
    pub public_key: [u8; PUBLIC_KEY_BYTES],
    /// The secret key, hex of its 40-byte encoding.
    #[serde(with = "hex_bytes")]
    pub secret_key: [u8; SCALAR_BYTES],
}

impl KeyFile {
    /// The key file for `sk`.
    pub fn new(sk: &SecretKey) -> Self {
        KeyFile {
            format: "bulwark-key".into(),
            version: 1,
            public_key: sk.public_key().to_bytes(),
            secret_key: sk.to_bytes(),
        }
    }

    /// The secret key, checked against the stored public key.
    pub fn secret_key(&self) -> Result<SecretKey, SignatureError> {
        let sk = SecretKey::from_bytes(&self.secret_key)?;
        if sk.public_key().to_bytes() != self.public_key {
            return Err(SignatureError::InvalidPublicKey);
        }
        Ok(sk)
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    use super::*;

    fn msg(v: &[u64]) -> Vec<Fp> {
        v.iter().map(|&x| Fp::from_canonical_u64(x)).collect()
    }

    fn key(seed: u64) -> SecretKey {
        SecretKey::random(&mut ChaCha20Rng::seed_from_u64(seed))
    }

    #[test]
    fn sign_verify_round_trip_and_determinism() {
        let sk = key(1);
        let m = msg(&[1, 2, 3, 4]);
        let sig = sk.sign(&m);
        sk.public_key().verify(&m, &sig).unwrap();
        assert_eq!(sig, sk.sign(&m), "nonces are deterministic");
        assert_ne!(
            sig,
            sk.sign(&msg(&[1, 2, 3, 5])),
            "different messages, different R"
        );
        let decoded = Signature::from_bytes(&sig.to_bytes()).unwrap();
        sk.public_key().verify(&m, &decoded).unwrap();
    }

    #[test]
    fn verification_equation_by_hand() {
        // s G + e Q == R recomputed from the parts, with e from the documented layout.
        let sk = key(2);
        let m = msg(&[7, 8]);
        let sig = sk.sign(&m);
        let q = sk.public_key();
        let mut input = sig.r_limbs().to_vec();
        input.extend(q.limbs());
        input.extend(&m);
        let e = limbs_to_scalar(&hash_n_to_m_no_pad::<Fp, PoseidonPermutation<Fp>>(
            &input, 5,
        ));
        let lhs = Point::generator().mul(sig.s()).add(&q.point().mul(&e));
        assert_eq!(lhs.encode().0, sig.r_limbs());
    }

    #[test]
    fn tampered_message_key_or_signature_fails() {
        let sk = key(3);
        let m = msg(&[10, 20, 30]);
        let sig = sk.sign(&m);
        let pk = sk.public_key();
        assert_eq!(
            pk.verify(&msg(&[10, 20, 31]), &sig),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            pk.verify(&msg(&[10, 20]), &sig),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            key(4).public_key().verify(&m, &sig),
            Err(SignatureError::Mismatch)
        );
        // Flip every byte of the encoded signature in turn: each either fails to decode or
        // fails to verify.
        let bytes = sig.to_bytes();
        for i in 0..SIGNATURE_BYTES {
            let mut t = bytes;
            t[i] ^= 0x01;
            match Signature::from_bytes(&t) {
                Err(_) => {}
                Ok(bad) => assert!(pk.verify(&m, &bad).is_err(), "byte {i} flip verified"),
            }
        }
        // s + n is not canonical even though it is the same scalar mod n.
        let mut s_plus_n = sig.s().as_biguint() + crate::ecgfp5::scalar::group_order();
        s_plus_n %= num_bigint::BigUint::from(1u8) << 320;
        let mut t = bytes;
        let le = s_plus_n.to_bytes_le();
        t[FP5_BYTES..].fill(0);
        t[FP5_BYTES..FP5_BYTES + le.len()].copy_from_slice(&le);
        assert_eq!(Signature::from_bytes(&t), Err(SignatureError::InvalidS));
    }

    #[test]
    fn invalid_keys_are_rejected() {
        assert_eq!(
            SecretKey::from_bytes(&[0; SCALAR_BYTES]),
            Err(SignatureError::InvalidSecretKey)
        );
        assert_eq!(
            SecretKey::from_bytes(&[0xff; SCALAR_BYTES]),
            Err(SignatureError::InvalidSecretKey)
        );
        // The neutral element (all-zero encoding) is not a public key.
        assert_eq!(
            PublicKey::from_bytes(&[0; PUBLIC_KEY_BYTES]),
            Err(SignatureError::InvalidPublicKey)
        );
        // A non-canonical limb (p itself).
        let mut b = key(5).public_key().to_bytes();
        b[..8].copy_from_slice(&0xFFFF_FFFF_0000_0001u64.to_le_bytes());
        assert_eq!(
            PublicKey::from_bytes(&b),
            Err(SignatureError::InvalidPublicKey)
        );
        let sk = key(6);
        let kf = KeyFile::new(&sk);
        assert_eq!(kf.secret_key().unwrap().public_key(), sk.public_key());
        let mut wrong = kf.clone();
        wrong.public_key = key(7).public_key().to_bytes();
        assert!(wrong.secret_key().is_err());
    }

    #[test]
    fn secret_key_one_has_the_generator_as_public_key() {
        let mut one = [0u8; SCALAR_BYTES];
        one[0] = 1;
        let sk = SecretKey::from_bytes(&one).unwrap();
        assert_eq!(
            crate::ecgfp5::field::limbs(sk.public_key().point().encode()),
            [4, 0, 0, 0, 0]
        );
    }
}
