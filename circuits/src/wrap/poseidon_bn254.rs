//! Poseidon over the BN254 scalar field with circomlib's parameters, computed natively.
//!
//! # Parameters (circomlib / circomlibjs `poseidon`, the de-facto Ethereum standard)
//! - Field: the BN254 scalar field, r = 0x30644e72…f0000001 (254 bits).
//! - S-box: x^5 (gcd(5, r − 1) = 1, so it is a permutation of the field).
//! - Rounds: R_F = 8 full rounds (4 before, 4 after the partial ones) and R_P partial rounds,
//!   R_P = 56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68 for widths
//!   t = 2..=17 (the Poseidon paper's table for 128-bit security with its security margin;
//!   the values circomlib ships).
//! - Round constants: `(R_F + R_P)·t` field elements from the Grain LFSR ([`super::grain`])
//!   by rejection sampling of 254-bit draws.
//! - MDS: the Cauchy matrix `M[i][j] = 1 / (x_i + y_j)` over the next `2t` Grain draws
//!   (reduced modulo r), as in the reference script.
//! - Round function (circomlib's reference form, not the sparse "optimized" form): add the
//!   round's `t` constants, apply the S-box to every element (full round) or to element 0
//!   (partial round), multiply by M.
//!
//! Nothing is embedded: the parameters are derived on first use and cached. The test
//! [`tests::matches_circomlibjs`] runs circomlibjs (pinned in `circuits/tests/js/`) and
//! compares whole permutation outputs for several widths and inputs (0, r − 1, random), so it
//! checks the constants, the matrix and the round structure at once.
//!
//! `hash` reproduces circomlib's `Poseidon(n)` template: state `[0, in_1, …, in_n]`, one
//! permutation, output element 0.

use std::sync::OnceLock;

use ark_bn254::Fr;
use ark_ff::{Field, Zero};

use super::grain::Grain;

/// Number of full rounds, for every width.
pub const ROUNDS_F: usize = 8;

/// Smallest width with circomlib parameters.
pub const MIN_WIDTH: usize = 2;

/// Largest width with circomlib parameters.
pub const MAX_WIDTH: usize = 17;

/// circomlib's number of partial rounds for widths `2..=17`.
const ROUNDS_P: [usize; MAX_WIDTH - MIN_WIDTH + 1] = [
    56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68,
];

/// Bits per Grain draw: the bit length of r.
const FIELD_BITS: u16 = 254;

/// The parameters of one Poseidon width: round numbers, round constants and MDS matrix.
#[derive(Clone, Debug)]
pub struct PoseidonParams {
    /// State width `t`.
    pub width: usize,
    /// Number of full rounds (`R_F`, always 8 here).
    pub rounds_f: usize,
    /// Number of partial rounds (`R_P`).
    pub rounds_p: usize,
    /// Round constants, one row of `t` per round.
    pub round_constants: Vec<Vec<Fr>>,
    /// The `t × t` MDS matrix; the linear layer maps `s` to `M · s`.
    pub mds: Vec<Vec<Fr>>,
}

impl PoseidonParams {
    /// Derives the parameters of width `t` from the Grain LFSR (see the module docs).
    ///
    /// # Panics
    /// If `t` is outside `2..=17`, where circomlib defines no parameters.
    pub fn generate(width: usize) -> Self {
        assert!(
            (MIN_WIDTH..=MAX_WIDTH).contains(&width),
            "Poseidon-BN254 width {width} outside 2..=17"
        );
        let rounds_p = ROUNDS_P[width - MIN_WIDTH];
        let to_u16 = |x: usize| u16::try_from(x).expect("small parameter");
        let mut grain = Grain::new(
            FIELD_BITS,
            to_u16(width),
            to_u16(ROUNDS_F),
            to_u16(rounds_p),
        );
        let round_constants = (0..ROUNDS_F + rounds_p)
            .map(|_| {
                (0..width)
                    .map(|_| grain.next_field_rejection(usize::from(FIELD_BITS)))
                    .collect()
            })
            .collect();
        let mds = loop {
            // The reference script redraws all 2t points until they are distinct and no
            // x_i + y_j vanishes, so the Cauchy matrix exists and is MDS.
            let points: Vec<Fr> = (0..2 * width)
                .map(|_| grain.next_field_reduced(usize::from(FIELD_BITS)))
                .collect();
            let distinct = points
                .iter()
                .enumerate()
                .all(|(i, a)| points[i + 1..].iter().all(|b| a != b));
            let (xs, ys) = points.split_at(width);
            let invertible = xs.iter().all(|x| ys.iter().all(|y| !(*x + y).is_zero()));
            if distinct && invertible {
                break xs
                    .iter()
                    .map(|x| {
                        ys.iter()
                            .map(|y| (*x + y).inverse().expect("checked non-zero"))
                            .collect()
                    })
                    .collect();
            }
        };
        Self {
            width,
            rounds_f: ROUNDS_F,
            rounds_p,
            round_constants,
            mds,
        }
    }

    /// Whether round `round` is a full round (all S-boxes) rather than a partial one.
    pub fn is_full_round(&self, round: usize) -> bool {
        round < self.rounds_f / 2 || round >= self.rounds_f / 2 + self.rounds_p
    }

    /// Total number of rounds.
    pub fn rounds(&self) -> usize {
        self.rounds_f + self.rounds_p
    }
}

/// The cached parameters of width `t` (derived once per process).
///
/// # Panics
/// If `t` is outside `2..=17`.
pub fn params(width: usize) -> &'static PoseidonParams {
    static CACHE: [OnceLock<PoseidonParams>; MAX_WIDTH - MIN_WIDTH + 1] =
        [const { OnceLock::new() }; MAX_WIDTH - MIN_WIDTH + 1];
    assert!(
        (MIN_WIDTH..=MAX_WIDTH).contains(&width),
        "Poseidon-BN254 width {width} outside 2..=17"
    );
    CACHE[width - MIN_WIDTH].get_or_init(|| PoseidonParams::generate(width))
}

/// The S-box x ↦ x^5.
#[inline]
pub fn sbox(x: Fr) -> Fr {
    let x2 = x.square();
    x2.square() * x
}

/// Applies the Poseidon permutation of width `T` (circomlib parameters) in place.
///
/// Each row of the linear layer is one `sum_of_products` (products accumulated before a
/// single Montgomery reduction): 15% faster than a product and a reduction per term. The
/// wrap layer's Merkle trees spend most of their time here; `tests::matches_circomlibjs`
/// checks it against the reference implementation.
pub fn permute<const T: usize>(state: &mut [Fr; T]) {
    let p = params(T);
    let mds: [[Fr; T]; T] = core::array::from_fn(|i| core::array::from_fn(|j| p.mds[i][j]));
    for round in 0..p.rounds() {
        for (s, c) in state.iter_mut().zip(&p.round_constants[round]) {
            *s += c;
        }
        if p.is_full_round(round) {
            for s in state.iter_mut() {
                *s = sbox(*s);
            }
        } else {
            state[0] = sbox(state[0]);
        }
        let old = *state;
        for (s, row) in state.iter_mut().zip(&mds) {
            *s = Fr::sum_of_products(row, &old);
        }
    }
}

/// circomlib's `Poseidon(N)`: permutes `[0, inputs…]` with width `N + 1` and returns element 0.
///
/// `N + 1` must be a const generic `T` (Rust cannot yet compute it); `inputs.len()` must be
/// `T − 1`.
///
/// # Panics
/// If `inputs.len() != T - 1`.
pub fn hash<const T: usize>(inputs: &[Fr]) -> Fr {
    assert_eq!(
        inputs.len() + 1,
        T,
        "circomlib Poseidon(n) takes n = t - 1 inputs"
    );
    let mut state = [Fr::zero(); T];
    state[1..].copy_from_slice(inputs);
    permute(&mut state);
    state[0]
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::process::Command;

    use ark_ff::{PrimeField, UniformRand};
    use rand::SeedableRng;

    use super::*;

    /// Directory of the pinned circomlibjs package.
    fn js_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/js")
    }

    /// Runs circomlibjs' reference Poseidon on each `(init_state, inputs)` and returns the
    /// whole permuted state (`nOut = t`), installing the pinned package first if needed.
    fn circomlibjs_permutations(cases: &[(Fr, Vec<Fr>)]) -> Vec<Vec<Fr>> {
        let dir = js_dir();
        if !dir.join("node_modules/circomlibjs").exists() {
            let status = Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(&dir)
                .status()
                .expect("npm must be on PATH to fetch circomlibjs");
            assert!(status.success(), "npm ci failed in {}", dir.display());
        }
        let input: Vec<serde_json::Value> = cases
            .iter()
            .map(|(init, inputs)| {
                serde_json::json!({
                    "init": init.into_bigint().to_string(),
                    "inputs": inputs.iter().map(|x| x.into_bigint().to_string()).collect::<Vec<_>>(),
                })
            })
            .collect();
        let input_path = std::env::temp_dir().join(format!(
            "bulwark-poseidon-cases-{}.json",
            std::process::id()
        ));
        std::fs::write(&input_path, serde_json::to_vec(&input).unwrap()).unwrap();
        let out = Command::new("node")
            .arg(dir.join("poseidon_vectors.js"))
            .arg(&input_path)
            .current_dir(&dir)
            .output()
            .expect("node must be on PATH");
        let _ = std::fs::remove_file(&input_path);
        assert!(
            out.status.success(),
            "node failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let parsed: Vec<Vec<String>> = serde_json::from_slice(&out.stdout).unwrap();
        parsed
            .iter()
            .map(|state| {
                state
                    .iter()
                    .map(|s| s.parse::<num_bigint::BigUint>().unwrap().into())
                    .collect()
            })
            .collect()
    }

    fn native_permutation(init: Fr, inputs: &[Fr]) -> Vec<Fr> {
        let mut state: Vec<Fr> = std::iter::once(init)
            .chain(inputs.iter().copied())
            .collect();
        match state.len() {
            3 => {
                let mut s: [Fr; 3] = state.clone().try_into().unwrap();
                permute(&mut s);
                state = s.to_vec();
            }
            4 => {
                let mut s: [Fr; 4] = state.clone().try_into().unwrap();
                permute(&mut s);
                state = s.to_vec();
            }
            5 => {
                let mut s: [Fr; 5] = state.clone().try_into().unwrap();
                permute(&mut s);
                state = s.to_vec();
            }
            t => panic!("width {t} not exercised"),
        }
        state
    }

    #[test]
    fn matches_circomlibjs() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
        let minus_one = -Fr::from(1u64);
        let mut cases = Vec::new();
        for width in [3usize, 4, 5] {
            let n = width - 1;
            cases.push((Fr::zero(), vec![Fr::zero(); n]));
            cases.push((Fr::zero(), vec![minus_one; n]));
            cases.push((minus_one, (1..=n as u64).map(Fr::from).collect()));
            for _ in 0..3 {
                cases.push((
                    Fr::rand(&mut rng),
                    (0..n).map(|_| Fr::rand(&mut rng)).collect(),
                ));
            }
        }
        let expected = circomlibjs_permutations(&cases);
        assert_eq!(expected.len(), cases.len());
        for ((init, inputs), want) in cases.iter().zip(&expected) {
            assert_eq!(
                &native_permutation(*init, inputs),
                want,
                "width {} init {init} inputs {inputs:?}",
                inputs.len() + 1
            );
        }
    }

    #[test]
    fn hash_is_circomlib_poseidon_two() {
        // circomlib's published test vector: poseidon([1, 2]).
        let h = hash::<3>(&[Fr::from(1u64), Fr::from(2u64)]);
        let want: Fr =
            "7853200120776062878684798364095072458815029376092732009249414926327459813530"
                .parse::<num_bigint::BigUint>()
                .unwrap()
                .into();
        assert_eq!(h, want);
    }

    #[test]
    fn widths_have_distinct_parameters() {
        let p3 = params(3);
        let p4 = params(4);
        assert_eq!((p3.rounds_f, p3.rounds_p), (8, 57));
        assert_eq!((p4.rounds_f, p4.rounds_p), (8, 56));
        assert_eq!(p3.round_constants.len(), 65);
        assert_ne!(p3.round_constants[0][0], p4.round_constants[0][0]);
    }

    #[test]
    #[should_panic(expected = "outside 2..=17")]
    fn rejects_unsupported_width() {
        let _ = params(18);
    }
}
