//! Monte Carlo standard errors of the posterior mean, standard deviation and quantiles.

use super::chains::{is_valid, mean, sample_variance, sorted_pooled};
use super::ess::{ess_basic, ess_quantile};
use super::special::beta_quantile;

/// Monte Carlo standard error of the posterior mean: `sd / sqrt(ESS)`, with `sd` the sample
/// standard deviation of all draws and ESS from [`crate::diagnostics::ess_basic`]. As ArviZ
/// `mcse(method="mean")` and posterior `mcse_mean`.
///
/// NaN when the draws cannot be diagnosed: no chain, chains of unequal length, fewer than 4
/// draws per chain, a non-finite value, or all values equal.
///
/// ```
/// let chains = vec![vec![0.3, -1.2, 0.8, 0.1, -0.4, 1.5, -0.9, 0.2]; 2];
/// let mcse = ppl_infer::diagnostics::mcse_mean(&chains);
/// assert!((mcse - 0.193_675_255_874_629_3).abs() < 1e-12); // ArviZ 0.23.4
/// ```
pub fn mcse_mean(chains: &[Vec<f64>]) -> f64 {
    if !is_valid(chains) {
        return f64::NAN;
    }
    let pooled: Vec<f64> = chains.iter().flatten().copied().collect();
    sample_variance(&pooled).sqrt() / ess_basic(chains).sqrt()
}

/// Monte Carlo standard error of the posterior standard deviation, by the delta method on
/// the squared deviations `d = (x − x̄)²`: `Var(sd) ≈ (mean(d²) − mean(d)²) / ESS(d) / (4·mean(d))`,
/// with `ESS(d)` the basic ESS of `d`. As ArviZ `mcse(method="sd")` (ArviZ ≥ 0.17) and posterior
/// `mcse_sd`.
///
/// NaN for input that cannot be diagnosed (see [`mcse_mean`]).
///
/// ```
/// let chains = vec![vec![0.3, -1.2, 0.8, 0.1, -0.4, 1.5, -0.9, 0.2]; 2];
/// let mcse = ppl_infer::diagnostics::mcse_sd(&chains);
/// assert!(mcse > 0.0 && mcse < 1.0);
/// ```
pub fn mcse_sd(chains: &[Vec<f64>]) -> f64 {
    if !is_valid(chains) {
        return f64::NAN;
    }
    let pooled: Vec<f64> = chains.iter().flatten().copied().collect();
    let centre = mean(&pooled);
    let squared_deviations: Vec<Vec<f64>> = chains
        .iter()
        .map(|c| c.iter().map(|x| (x - centre).powi(2)).collect())
        .collect();
    let ess = ess_basic(&squared_deviations);
    let pooled_squared: Vec<f64> = squared_deviations.iter().flatten().copied().collect();
    let variance = mean(&pooled_squared);
    let fourth_moment = pooled_squared.iter().map(|d| d * d).sum::<f64>() / pooled.len() as f64;
    let variance_of_variance = (fourth_moment - variance * variance) / ess;
    (variance_of_variance / variance / 4.0).sqrt()
}

/// Monte Carlo standard error of the `prob` quantile (Vehtari et al. 2021, §4.3): with
/// `S` draws and `E` the quantile's ESS ([`crate::diagnostics::ess_quantile`]), take the
/// 15.87% and 84.13% quantiles `a, b` of Beta(E·prob + 1, E·(1 − prob) + 1); the MCSE is half
/// the distance between the sorted draws at positions `⌊a·S − 1⌋` and `⌈b·S − 1⌉`. As ArviZ
/// `mcse(method="quantile", prob=prob)`.
///
/// NaN for input that cannot be diagnosed (see [`mcse_mean`]) or `prob` outside `(0, 1)`.
///
/// ```
/// let chains: Vec<Vec<f64>> = (0..4)
///     .map(|c| (0..100).map(|i| (((i * 37 + c * 11) % 100) as f64) / 10.0).collect())
///     .collect();
/// let mcse = ppl_infer::diagnostics::mcse_quantile(&chains, 0.5);
/// assert!(mcse > 0.0 && mcse < 1.0);
/// ```
pub fn mcse_quantile(chains: &[Vec<f64>], prob: f64) -> f64 {
    let ess = ess_quantile(chains, prob);
    if ess.is_nan() {
        return f64::NAN;
    }
    // Φ(−1) and Φ(1), rounded as ArviZ and posterior round them.
    let lower_prob = beta_quantile(0.158_655_3, ess * prob + 1.0, ess * (1.0 - prob) + 1.0);
    let upper_prob = beta_quantile(0.841_344_7, ess * prob + 1.0, ess * (1.0 - prob) + 1.0);
    let sorted = sorted_pooled(chains);
    let size = sorted.len() as f64;
    let lower_index = (lower_prob * size - 1.0).max(0.0).floor() as usize;
    let upper_index = (upper_prob * size - 1.0).min(size - 1.0).ceil() as usize;
    (sorted[upper_index] - sorted[lower_index]) / 2.0
}
