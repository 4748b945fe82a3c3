//! plonky2's Goldilocks Poseidon permutation (width 12, x^7, 8 full and 22 partial rounds)
//! on emulated Goldilocks values, and its `hash_no_pad`: the R1CS verifier recomputes the
//! wrap proof's public-inputs hash with it (plonky2 hashes public inputs with the config's
//! inner hasher, Poseidon over Goldilocks, whatever the outer hasher).
//!
//! The rounds are the textbook ones (`poseidon_naive`: full MDS in every round), which keep
//! the constants small (the MDS entries are below 2^6), so the state stays lazy across
//! rounds and is reduced only where a product needs it. Measured: ~76k constraints per
//! permutation (see the test).

use ark_relations::r1cs::SynthesisError;
use plonky2::field::types::Field;
use plonky2::hash::poseidon::{
    Poseidon, ALL_ROUND_CONSTANTS, HALF_N_FULL_ROUNDS, N_PARTIAL_ROUNDS, SPONGE_RATE, SPONGE_WIDTH,
};

use super::goldilocks::{GoldilocksVar, LazyGoldilocks};
use crate::wrap::circuit::F;

/// Widest bound a state element may reach before it is reduced (MDS adds ≈ 10 bits a round,
/// an S-box input is reduced first anyway).
const STATE_BITS: u32 = 180;

type State = [LazyGoldilocks; SPONGE_WIDTH];

fn reduced(x: &LazyGoldilocks) -> Result<LazyGoldilocks, SynthesisError> {
    Ok(if x.bits() > 64 {
        x.reduce()?.lazy()
    } else {
        x.clone()
    })
}

/// x ↦ x^7 on a canonical input, as x³·x⁴ (x², x⁴ reduced; the output unreduced).
fn sbox(x: &LazyGoldilocks) -> Result<LazyGoldilocks, SynthesisError> {
    let x = reduced(x)?;
    let x2 = x.mul(&x)?.reduce()?.lazy();
    let x4 = x2.mul(&x2)?.reduce()?.lazy();
    x.mul(&x2)?.reduce()?.lazy().mul(&x4)
}

fn constant_layer(state: &mut State, round: usize) {
    for (i, s) in state.iter_mut().enumerate() {
        let c = F::from_canonical_u64(ALL_ROUND_CONSTANTS[i + SPONGE_WIDTH * round]);
        *s = s.add(&LazyGoldilocks::constant(c));
    }
}

/// The MDS layer (circulant plus diagonal, small constants), narrowing wide inputs first.
fn mds_layer(state: &State) -> Result<State, SynthesisError> {
    let narrow: Vec<LazyGoldilocks> = state
        .iter()
        .map(|s| {
            if s.bits() > STATE_BITS {
                Ok(s.reduce()?.lazy())
            } else {
                Ok(s.clone())
            }
        })
        .collect::<Result<_, SynthesisError>>()?;
    Ok(std::array::from_fn(|r| {
        let mut acc = narrow[r].mul_small(<F as Poseidon>::MDS_MATRIX_DIAG[r]);
        for i in 0..SPONGE_WIDTH {
            acc = acc.add(
                &narrow[(i + r) % SPONGE_WIDTH].mul_small(<F as Poseidon>::MDS_MATRIX_CIRC[i]),
            );
        }
        acc
    }))
}

/// The permutation, in place; outputs reduced.
pub fn permute_var(state: &mut [GoldilocksVar; SPONGE_WIDTH]) -> Result<(), SynthesisError> {
    let mut s: State = std::array::from_fn(|i| state[i].lazy());
    let mut round = 0;
    let full_round = |s: &mut State, round: usize| -> Result<(), SynthesisError> {
        constant_layer(s, round);
        for x in s.iter_mut() {
            *x = sbox(x)?;
        }
        *s = mds_layer(s)?;
        Ok(())
    };
    for _ in 0..HALF_N_FULL_ROUNDS {
        full_round(&mut s, round)?;
        round += 1;
    }
    for _ in 0..N_PARTIAL_ROUNDS {
        constant_layer(&mut s, round);
        s[0] = sbox(&s[0])?;
        s = mds_layer(&s)?;
        round += 1;
    }
    for _ in 0..HALF_N_FULL_ROUNDS {
        full_round(&mut s, round)?;
        round += 1;
    }
    for (out, x) in state.iter_mut().zip(&s) {
        *out = x.reduce()?;
    }
    Ok(())
}

/// plonky2's `PoseidonHash::hash_no_pad`: overwrite-mode sponge from the zero state, rate 8,
/// the first 4 elements of the final state.
pub fn hash_no_pad_var(inputs: &[GoldilocksVar]) -> Result<[GoldilocksVar; 4], SynthesisError> {
    let mut state: [GoldilocksVar; SPONGE_WIDTH] =
        std::array::from_fn(|_| GoldilocksVar::constant(F::ZERO));
    for chunk in inputs.chunks(SPONGE_RATE) {
        state[..chunk.len()].clone_from_slice(chunk);
        permute_var(&mut state)?;
    }
    Ok(std::array::from_fn(|i| state[i].clone()))
}

#[cfg(test)]
mod tests {
    use ark_bn254::Fr;
    use ark_relations::r1cs::ConstraintSystem;
    use plonky2::field::types::Sample;
    use plonky2::hash::poseidon::PoseidonHash;
    use plonky2::plonk::config::Hasher;

    use super::*;

    fn hash_in_r1cs(inputs: &[F]) -> (Vec<F>, usize, bool) {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let vars: Vec<GoldilocksVar> = inputs
            .iter()
            .map(|&x| GoldilocksVar::new_witness(cs.clone(), || Ok(x)).unwrap())
            .collect();
        let before = cs.num_constraints();
        let out = hash_no_pad_var(&vars).unwrap();
        let cost = cs.num_constraints() - before;
        let values = out.iter().map(|v| v.value().unwrap()).collect();
        (values, cost, cs.is_satisfied().unwrap())
    }

    #[test]
    fn hash_no_pad_matches_native() {
        let edge = vec![F::NEG_ONE; 8];
        let zeros = vec![F::ZERO; 8];
        let random: Vec<F> = (0..8).map(|_| F::rand()).collect();
        let long: Vec<F> = (0..11).map(|_| F::rand()).collect();
        for inputs in [edge, zeros, random, long] {
            let (got, cost, ok) = hash_in_r1cs(&inputs);
            assert!(ok);
            assert_eq!(got, PoseidonHash::hash_no_pad(&inputs).elements.to_vec());
            eprintln!(
                "Goldilocks Poseidon hash_no_pad of {}: {cost} constraints",
                inputs.len()
            );
        }
    }

    #[test]
    fn wrong_output_is_unsatisfied() {
        let inputs: Vec<F> = (0..8).map(|_| F::rand()).collect();
        let native = PoseidonHash::hash_no_pad(&inputs);
        let cs = ConstraintSystem::<Fr>::new_ref();
        let vars: Vec<GoldilocksVar> = inputs
            .iter()
            .map(|&x| GoldilocksVar::new_witness(cs.clone(), || Ok(x)).unwrap())
            .collect();
        let out = hash_no_pad_var(&vars).unwrap();
        let claimed =
            GoldilocksVar::new_witness(cs.clone(), || Ok(native.elements[2] + F::ONE)).unwrap();
        out[2].enforce_equal(&claimed).unwrap();
        assert!(!cs.is_satisfied().unwrap());
    }
}
