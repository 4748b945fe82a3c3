//! `PoseidonGate`: one Goldilocks Poseidon permutation (width 12, x^7, 8 full and 22
//! partial rounds with plonky2's fast partial-round matrices) per row, with a swap flag for
//! Merkle paths. Wires: inputs 0..12, outputs 12..24, swap 24, deltas 25..29, S-box inputs
//! of full rounds 1..4 (first half), of the 22 partial rounds, of the 4 second-half full
//! rounds.

use ark_relations::r1cs::SynthesisError;
use plonky2::hash::poseidon::{
    Poseidon, ALL_ROUND_CONSTANTS, HALF_N_FULL_ROUNDS, N_PARTIAL_ROUNDS, SPONGE_WIDTH,
};

use super::poseidon_mds::mds_row;
use super::{mul_const, EvalVarsVar, LazyGoldilocksExt};
use crate::r1cs::goldilocks_ext::GoldilocksExt;
use crate::wrap::circuit::F;
use plonky2::field::types::Field;

type State = [LazyGoldilocksExt; SPONGE_WIDTH];

const WIRE_SWAP: usize = 2 * SPONGE_WIDTH;
const START_DELTA: usize = WIRE_SWAP + 1;
const START_FULL_0: usize = START_DELTA + 4;
const START_PARTIAL: usize = START_FULL_0 + SPONGE_WIDTH * (HALF_N_FULL_ROUNDS - 1);
const START_FULL_1: usize = START_PARTIAL + N_PARTIAL_ROUNDS;

fn add_const(x: &LazyGoldilocksExt, c: u64) -> LazyGoldilocksExt {
    x.add(&LazyGoldilocksExt::constant(
        GoldilocksExt::from_canonical_u64(c),
    ))
}

fn constant_layer(state: &mut State, round_ctr: usize) {
    for (i, s) in state.iter_mut().enumerate() {
        *s = add_const(s, ALL_ROUND_CONSTANTS[i + SPONGE_WIDTH * round_ctr]);
    }
}

/// x ↦ x^7 as plonky2 computes it (x², x⁴, x³, x³·x⁴).
fn sbox(x: &LazyGoldilocksExt) -> Result<LazyGoldilocksExt, SynthesisError> {
    let x = x.narrowed()?;
    let x2 = x.mul_narrow(&x)?;
    let x4 = x2.mul_narrow(&x2)?;
    let x3 = x.mul_narrow(&x2)?;
    x3.mul_narrow(&x4)
}

fn mds_layer(state: &State) -> Result<State, SynthesisError> {
    let rows = (0..SPONGE_WIDTH)
        .map(|r| mds_row(r, state))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows.try_into().expect("width 12"))
}

fn mds_partial_layer_init(state: &State) -> Result<State, SynthesisError> {
    let mut result: State =
        std::array::from_fn(|_| LazyGoldilocksExt::constant(GoldilocksExt::ZERO));
    result[0] = state[0].clone();
    let matrix = &<F as Poseidon>::FAST_PARTIAL_ROUND_INITIAL_MATRIX;
    for (s, row) in state[1..].iter().zip(matrix) {
        let s = s.narrowed()?;
        for (res, &t) in result[1..].iter_mut().zip(row) {
            *res = res.add(&mul_const(&s, t)?);
        }
    }
    Ok(result)
}

fn mds_partial_layer_fast(state: &State, r: usize) -> Result<State, SynthesisError> {
    let s0 = state[0].narrowed()?;
    let mds0to0 = <F as Poseidon>::MDS_MATRIX_CIRC[0] + <F as Poseidon>::MDS_MATRIX_DIAG[0];
    let mut d = mul_const(&s0, mds0to0)?;
    for (s, &t) in state[1..]
        .iter()
        .zip(&<F as Poseidon>::FAST_PARTIAL_ROUND_W_HATS[r])
    {
        d = d.add(&mul_const(s, t)?);
    }
    let mut result = state.clone();
    result[0] = d;
    for i in 1..SPONGE_WIDTH {
        let t = <F as Poseidon>::FAST_PARTIAL_ROUND_VS[r][i - 1];
        result[i] = mul_const(&s0, t)?.add(&state[i]).narrowed()?;
    }
    Ok(result)
}

/// The gate's 123 constraints, in plonky2's order.
pub fn eval(vars: EvalVarsVar<'_>) -> Result<Vec<LazyGoldilocksExt>, SynthesisError> {
    let mut out = Vec::with_capacity(123);
    let one = LazyGoldilocksExt::constant(GoldilocksExt::ONE);
    let swap = vars.wire(WIRE_SWAP);
    out.push(swap.mul_narrow(&swap.sub(&one))?);
    for i in 0..4 {
        let delta = vars.wire(START_DELTA + i);
        let diff = vars.wire(i + 4).sub(&vars.wire(i));
        out.push(swap.mul_narrow(&diff)?.sub(&delta));
    }
    let mut state: State = std::array::from_fn(|i| vars.wire(i));
    for i in 0..4 {
        let delta = vars.wire(START_DELTA + i);
        state[i] = vars.wire(i).add(&delta);
        state[i + 4] = vars.wire(i + 4).sub(&delta);
    }

    let mut round_ctr = 0;
    for r in 0..HALF_N_FULL_ROUNDS {
        constant_layer(&mut state, round_ctr);
        if r != 0 {
            for (i, s) in state.iter_mut().enumerate() {
                let sbox_in = vars.wire(START_FULL_0 + SPONGE_WIDTH * (r - 1) + i);
                out.push(s.sub(&sbox_in));
                *s = sbox_in;
            }
        }
        for s in state.iter_mut() {
            *s = sbox(s)?;
        }
        state = mds_layer(&state)?;
        round_ctr += 1;
    }

    for (s, &c) in state
        .iter_mut()
        .zip(&<F as Poseidon>::FAST_PARTIAL_FIRST_ROUND_CONSTANT)
    {
        *s = add_const(s, c);
    }
    state = mds_partial_layer_init(&state)?;
    for r in 0..N_PARTIAL_ROUNDS {
        let sbox_in = vars.wire(START_PARTIAL + r);
        out.push(state[0].sub(&sbox_in));
        state[0] = sbox(&sbox_in)?;
        if r < N_PARTIAL_ROUNDS - 1 {
            state[0] = add_const(&state[0], <F as Poseidon>::FAST_PARTIAL_ROUND_CONSTANTS[r]);
        }
        state = mds_partial_layer_fast(&state, r)?;
    }
    round_ctr += N_PARTIAL_ROUNDS;

    for r in 0..HALF_N_FULL_ROUNDS {
        constant_layer(&mut state, round_ctr);
        for (i, s) in state.iter_mut().enumerate() {
            let sbox_in = vars.wire(START_FULL_1 + SPONGE_WIDTH * r + i);
            out.push(s.sub(&sbox_in));
            *s = sbox_in;
        }
        for s in state.iter_mut() {
            *s = sbox(s)?;
        }
        state = mds_layer(&state)?;
        round_ctr += 1;
    }
    for (i, s) in state.iter().enumerate() {
        out.push(s.sub(&vars.wire(SPONGE_WIDTH + i)));
    }
    Ok(out)
}
