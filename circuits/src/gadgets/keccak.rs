//! Keccak-256 (Ethereum's, `keccak256`) over bits with generic arithmetic, kept to measure
//! against SHA-256 (docs/l1-interface.md, "Why SHA-256"); no circuit uses it.
//!
//! The state is 25 lanes of 64 boolean targets (bit `i` of a lane has weight 2^i; lane
//! `x + 5y`). Rotations and the π permutation only re-index bits; θ, χ and ι cost
//! arithmetic operations (an XOR of bits is two, `a ⊕ (¬b ∧ c)` three), 20 to a row.

use plonky2::field::extension::Extendable;
use plonky2::hash::hash_types::RichField;
use plonky2::iop::target::BoolTarget;
use plonky2::plonk::circuit_builder::CircuitBuilder;

/// A 64-bit lane, least significant bit first.
pub type LaneTarget = [BoolTarget; 64];

/// The Keccak-f[1600] state: lane `x + 5y` at index `x + 5y`.
pub type StateTarget = [LaneTarget; 25];

/// Bytes absorbed per permutation by Keccak-256.
pub const RATE_BYTES: usize = 136;

const ROUND_CONSTANTS: [u64; 24] = [
    0x0000000000000001,
    0x0000000000008082,
    0x800000000000808A,
    0x8000000080008000,
    0x000000000000808B,
    0x0000000080000001,
    0x8000000080008081,
    0x8000000000008009,
    0x000000000000008A,
    0x0000000000000088,
    0x0000000080008009,
    0x000000008000000A,
    0x000000008000808B,
    0x800000000000008B,
    0x8000000000008089,
    0x8000000000008003,
    0x8000000000008002,
    0x8000000000000080,
    0x000000000000800A,
    0x800000008000000A,
    0x8000000080008081,
    0x8000000000008080,
    0x0000000080000001,
    0x8000000080008008,
];

/// ρ rotation offsets, indexed by lane `x + 5y`.
const RHO: [u32; 25] = [
    0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14,
];

fn xor2<F: RichField + Extendable<D>, const D: usize>(
    builder: &mut CircuitBuilder<F, D>,
    a: BoolTarget,
    b: BoolTarget,
) -> BoolTarget {
    let sum = builder.add(a.target, b.target);
    BoolTarget::new_unsafe(builder.arithmetic(-F::TWO, F::ONE, a.target, b.target, sum))
}

/// `a ⊕ (¬b ∧ c)`, with `¬b ∧ c = c − bc`.
fn chi_bit<F: RichField + Extendable<D>, const D: usize>(
    builder: &mut CircuitBuilder<F, D>,
    a: BoolTarget,
    b: BoolTarget,
    c: BoolTarget,
) -> BoolTarget {
    let t = builder.arithmetic(-F::ONE, F::ONE, b.target, c.target, c.target);
    xor2(builder, a, BoolTarget::new_unsafe(t))
}

/// Keccak-f[1600].
pub fn keccak_f<F: RichField + Extendable<D>, const D: usize>(
    builder: &mut CircuitBuilder<F, D>,
    state: &StateTarget,
) -> StateTarget {
    let mut a = *state;
    for rc in ROUND_CONSTANTS {
        // θ
        let c: [LaneTarget; 5] = core::array::from_fn(|x| {
            core::array::from_fn(|z| {
                let mut acc = a[x][z];
                for y in 1..5 {
                    acc = xor2(builder, acc, a[x + 5 * y][z]);
                }
                acc
            })
        });
        let d: [LaneTarget; 5] = core::array::from_fn(|x| {
            core::array::from_fn(|z| {
                xor2(builder, c[(x + 4) % 5][z], c[(x + 1) % 5][(z + 63) % 64])
            })
        });
        for (i, lane) in a.iter_mut().enumerate() {
            for z in 0..64 {
                lane[z] = xor2(builder, lane[z], d[i % 5][z]);
            }
        }
        // ρ and π: B[y, 2x + 3y] = rot(A[x, y], RHO[x, y]).
        let mut b = a;
        for x in 0..5 {
            for y in 0..5 {
                let r = RHO[x + 5 * y] as usize;
                let lane = a[x + 5 * y];
                b[y + 5 * ((2 * x + 3 * y) % 5)] =
                    core::array::from_fn(|z| lane[(z + 64 - r) % 64]);
            }
        }
        // χ
        for x in 0..5 {
            for y in 0..5 {
                a[x + 5 * y] = core::array::from_fn(|z| {
                    chi_bit(
                        builder,
                        b[x + 5 * y][z],
                        b[(x + 1) % 5 + 5 * y][z],
                        b[(x + 2) % 5 + 5 * y][z],
                    )
                });
            }
        }
        // ι
        for (z, bit) in a[0].iter_mut().enumerate() {
            if (rc >> z) & 1 == 1 {
                let one = builder.one();
                *bit = BoolTarget::new_unsafe(builder.sub(one, bit.target));
            }
        }
    }
    a
}

/// Keccak-256 of a message of fixed length: `bits` holds the message bits, most
/// significant bit of each byte first (as [`super::sha256::bytes_to_bits`] writes them).
/// Returns the 256 digest bits in the same order.
pub fn keccak256<F: RichField + Extendable<D>, const D: usize>(
    builder: &mut CircuitBuilder<F, D>,
    bits: &[BoolTarget],
) -> Vec<BoolTarget> {
    assert_eq!(bits.len() % 8, 0, "whole bytes only");
    let len = bits.len() / 8;
    let blocks = len / RATE_BYTES + 1;
    let zero = builder._false();
    let one = builder._true();
    // Padded bytes as bits, least significant bit first within each byte (Keccak's order).
    let mut padded: Vec<BoolTarget> = Vec::with_capacity(blocks * RATE_BYTES * 8);
    for byte in bits.chunks_exact(8) {
        padded.extend(byte.iter().rev());
    }
    let mut pad = vec![0u8; blocks * RATE_BYTES - len];
    pad[0] |= 0x01;
    *pad.last_mut().expect("at least one pad byte") |= 0x80;
    for byte in pad {
        padded.extend((0..8).map(|i| if (byte >> i) & 1 == 1 { one } else { zero }));
    }
    let mut state: StateTarget = [[zero; 64]; 25];
    for block in padded.chunks_exact(RATE_BYTES * 8) {
        for (i, lane_bits) in block.chunks_exact(64).enumerate() {
            for z in 0..64 {
                state[i][z] = xor2(builder, state[i][z], lane_bits[z]);
            }
        }
        state = keccak_f(builder, &state);
    }
    state[..4]
        .iter()
        .flat_map(|lane| {
            lane.chunks_exact(8)
                .flat_map(|byte| byte.iter().rev().copied())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use plonky2::field::types::PrimeField64;
    use plonky2::iop::witness::{PartialWitness, WitnessWrite};
    use plonky2::plonk::circuit_data::CircuitConfig;
    use sha3::{Digest, Keccak256};

    use super::*;
    use crate::gadgets::sha256::bytes_to_bits;
    use crate::test_util::{assert_unprovable, prove_and_verify, C, D, F};

    /// The empty message, the one-block edge (pad bytes 0x01 and 0x80 in one byte) and a
    /// two-block message match the `sha3` crate; a flipped digest bit is unprovable.
    #[test]
    fn matches_sha3_keccak256() {
        let messages: Vec<Vec<u8>> = vec![
            vec![],
            (0..135u32).map(|i| (i * 13 + 1) as u8).collect(),
            (0..136u32).map(|i| (i * 7 + 5) as u8).collect(),
        ];
        let mut builder = CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
        let mut inputs = Vec::new();
        for m in &messages {
            let input: Vec<BoolTarget> = (0..m.len() * 8)
                .map(|_| builder.add_virtual_bool_target_safe())
                .collect();
            let digest = keccak256(&mut builder, &input);
            for bit in digest {
                builder.register_public_input(bit.target);
            }
            inputs.push(input);
        }
        let data = builder.build::<C>();
        let witness = || {
            let mut pw = PartialWitness::new();
            for (input, m) in inputs.iter().zip(&messages) {
                for (t, b) in input.iter().zip(bytes_to_bits(m)) {
                    pw.set_bool_target(*t, b).unwrap();
                }
            }
            pw
        };
        let proof = prove_and_verify(&data, witness());
        for (i, m) in messages.iter().enumerate() {
            let got: Vec<bool> = proof.public_inputs[256 * i..256 * (i + 1)]
                .iter()
                .map(|v| v.to_canonical_u64() == 1)
                .collect();
            assert_eq!(
                got,
                bytes_to_bits(&Keccak256::digest(m)),
                "length {}",
                m.len()
            );
        }
    }

    /// A digest with one bit flipped cannot be proved for a one-byte message.
    #[test]
    fn a_wrong_digest_is_unprovable() {
        let mut builder = CircuitBuilder::<F, D>::new(CircuitConfig::standard_recursion_config());
        let input: Vec<BoolTarget> = (0..8)
            .map(|_| builder.add_virtual_bool_target_safe())
            .collect();
        let digest = keccak256(&mut builder, &input);
        let mut want = bytes_to_bits(&Keccak256::digest([0x61]));
        want[100] = !want[100];
        for (bit, v) in digest.iter().zip(want) {
            let c = builder.constant_bool(v);
            builder.connect(bit.target, c.target);
        }
        let data = builder.build::<C>();
        let mut pw = PartialWitness::new();
        for (t, b) in input.iter().zip(bytes_to_bits(&[0x61])) {
            pw.set_bool_target(*t, b).unwrap();
        }
        assert_unprovable(&data, pw);
    }
}
