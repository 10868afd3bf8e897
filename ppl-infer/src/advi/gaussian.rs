//! Draws from a Gaussian approximation on the unconstrained scale (ADVI's q, the Laplace approximation), mapped through `constrain`, with log p, log q and the PSIS check.

use super::psis::{psis, Psis};
use crate::draws::{Chain, Draws};
use crate::error::Result;
use ppl_core::LogDensity;
use rand::Rng;
use rand_distr::StandardNormal;

/// `ln √(2π)`.
pub(crate) const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// Draws from `N(mean, S Sᵀ)` with their diagnostics.
#[derive(Debug, Clone)]
pub(crate) struct ApproximateDraws {
    /// The draws on the constrained scale (one chain).
    pub(crate) draws: Draws,
    /// `log p(u_s)` (Jacobian included), `−∞` where the model fails.
    pub(crate) log_p: Vec<f64>,
    /// `log q(u_s)`, normalised.
    pub(crate) log_q: Vec<f64>,
    /// PSIS of `log p − log q`.
    pub(crate) psis: Psis,
}

/// `n` draws `u = mean + S z`, `z ~ N(0, I)`, with `S` lower triangular (row-major `d × d`),
/// constrained through the model, with `log p(u)`, `log q(u)` and PSIS of their difference.
pub(crate) fn draw_gaussian<M: LogDensity + ?Sized, R: Rng>(
    model: &M,
    mean: &[f64],
    scale_lower: &[f64],
    n: usize,
    rng: &mut R,
) -> Result<ApproximateDraws> {
    let dim = mean.len();
    let log_det_scale: f64 = (0..dim).map(|i| scale_lower[i * dim + i].abs().ln()).sum();
    let names = model.param_names();
    let mut values = Vec::with_capacity(n * names.len());
    let mut log_p = Vec::with_capacity(n);
    let mut log_q = Vec::with_capacity(n);
    let mut standard = vec![0.0; dim];
    let mut point = vec![0.0; dim];
    for _ in 0..n {
        for z in &mut standard {
            *z = rng.sample(StandardNormal);
        }
        lower_affine(mean, scale_lower, &standard, &mut point);
        values.extend(model.constrain(&point)?);
        let density = model.log_density(&point).unwrap_or(f64::NEG_INFINITY);
        log_p.push(if density.is_nan() {
            f64::NEG_INFINITY
        } else {
            density
        });
        let squared_norm: f64 = standard.iter().map(|z| z * z).sum();
        log_q.push(-0.5 * squared_norm - dim as f64 * LN_SQRT_2PI - log_det_scale);
    }
    let log_ratios: Vec<f64> = log_p.iter().zip(&log_q).map(|(p, q)| p - q).collect();
    let psis = psis(&log_ratios).unwrap_or_else(|_| Psis {
        log_weights: vec![-(n.max(1) as f64).ln(); n],
        khat: f64::INFINITY,
        tail_length: 0,
    });
    Ok(ApproximateDraws {
        draws: Draws {
            names,
            chains: vec![Chain {
                values,
                step_size: f64::NAN,
                ..Chain::default()
            }],
        },
        log_p,
        log_q,
        psis,
    })
}

/// `out = mean + S z` for lower-triangular `S` (row-major `d × d`).
pub(crate) fn lower_affine(mean: &[f64], scale_lower: &[f64], standard: &[f64], out: &mut [f64]) {
    let dim = mean.len();
    for i in 0..dim {
        let row = &scale_lower[i * dim..i * dim + i + 1];
        out[i] = mean[i]
            + row
                .iter()
                .zip(&standard[..=i])
                .map(|(s, z)| s * z)
                .sum::<f64>();
    }
}

/// Draws resampled with replacement in proportion to normalised `weights` (one chain of `n`).
pub(crate) fn resample_draws<R: Rng>(
    draws: &Draws,
    weights: &[f64],
    n: usize,
    rng: &mut R,
) -> Draws {
    let columns = draws.n_columns();
    let source = draws
        .chains
        .first()
        .map(|c| c.values.as_slice())
        .unwrap_or(&[]);
    let mut cumulative = Vec::with_capacity(weights.len());
    let mut total = 0.0;
    for w in weights {
        total += w;
        cumulative.push(total);
    }
    let mut values = Vec::with_capacity(n * columns);
    for _ in 0..n {
        let target = rng.random::<f64>() * total;
        let row = cumulative
            .partition_point(|c| *c <= target)
            .min(weights.len().saturating_sub(1));
        values.extend_from_slice(&source[row * columns..(row + 1) * columns]);
    }
    Draws {
        names: draws.names.clone(),
        chains: vec![Chain {
            values,
            step_size: f64::NAN,
            ..Chain::default()
        }],
    }
}
