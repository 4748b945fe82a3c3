//! `CosetInterpolationGate`: the interpolant of `2^subgroup_bits` algebra values over the
//! subgroup, evaluated at the shifted point, by the running sums `e ← e·(z − x_i) + w_i·v_i·p`,
//! `p ← p·(z − x_i)`, with every `(degree − 1)` steps checkpointed in wires. Wires: shift,
//! values (2 each), evaluation point (2), evaluation value (2), intermediate evaluations,
//! intermediate products, shifted evaluation point. The wrap circuit of a ROOT proof uses it
//! for FRI folding.

use ark_relations::r1cs::SynthesisError;
use plonky2::field::types::{Field, PrimeField64};

use super::{algebra_add, algebra_mul, algebra_scalar, algebra_sub, mul_const, Algebra};
use super::{EvalVarsVar, LazyGoldilocksExt};
use crate::r1cs::goldilocks_ext::GoldilocksExt;
use crate::wrap::circuit::{D, F};

/// plonky2's `partial_interpolate_ext_algebra` over `points` (index, domain point).
fn partial_interpolate(
    vars: EvalVarsVar<'_>,
    start_values: usize,
    points: impl Iterator<Item = (usize, F)>,
    weights: &[F],
    z: &Algebra,
    init: (Algebra, Algebra),
) -> Result<(Algebra, Algebra), SynthesisError> {
    let (mut eval, mut prod) = init;
    for (i, x_i) in points {
        let w = weights[i].to_canonical_u64();
        let value = vars.algebra(start_values + D * i);
        let weighted = [mul_const(&value[0], w)?, mul_const(&value[1], w)?];
        let x =
            LazyGoldilocksExt::constant(GoldilocksExt::from_canonical_u64(x_i.to_canonical_u64()));
        let term = [z[0].sub(&x), z[1].clone()];
        eval = algebra_add(&algebra_mul(&eval, &term)?, &algebra_mul(&weighted, &prod)?);
        prod = algebra_mul(&prod, &term)?;
    }
    Ok((eval, prod))
}

/// The gate's constraints, in plonky2's order.
pub fn eval(
    subgroup_bits: usize,
    degree: usize,
    weights: &[F],
    vars: EvalVarsVar<'_>,
) -> Result<Vec<LazyGoldilocksExt>, SynthesisError> {
    let num_points = 1 << subgroup_bits;
    let num_intermediates = (num_points - 2) / (degree - 1);
    let start_values = 1;
    let start_point = start_values + num_points * D;
    let start_value = start_point + D;
    let start_intermediates = start_value + D;
    let start_shifted = start_intermediates + D * 2 * num_intermediates;

    let shift = vars.wire(0);
    let point = vars.algebra(start_point);
    let shifted = vars.algebra(start_shifted);
    let mut out = Vec::new();
    out.extend(algebra_sub(&point, &algebra_scalar(&shifted, &shift)?));

    let domain = F::two_adic_subgroup(subgroup_bits);
    let zero = LazyGoldilocksExt::constant(GoldilocksExt::ZERO);
    let one = LazyGoldilocksExt::constant(GoldilocksExt::ONE);
    let mut acc = partial_interpolate(
        vars,
        start_values,
        (0..degree).map(|i| (i, domain[i])),
        weights,
        &shifted,
        ([zero.clone(), zero.clone()], [one, zero]),
    )?;
    for i in 0..num_intermediates {
        let eval = vars.algebra(start_intermediates + D * i);
        let prod = vars.algebra(start_intermediates + D * (num_intermediates + i));
        out.extend(algebra_sub(&eval, &acc.0));
        out.extend(algebra_sub(&prod, &acc.1));
        let start = 1 + (degree - 1) * (i + 1);
        let end = (start + degree - 1).min(num_points);
        acc = partial_interpolate(
            vars,
            start_values,
            (start..end).map(|j| (j, domain[j])),
            weights,
            &shifted,
            (eval, prod),
        )?;
    }
    out.extend(algebra_sub(&vars.algebra(start_value), &acc.0));
    Ok(out)
}
