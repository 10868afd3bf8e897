//! Effective sample size: bulk (rank-normalised), tail (5% and 95% quantile indicators), basic (the mean) and of any quantile, all on split chains with Geyer's initial monotone sequence.

use super::autocovariance::autocovariance;
use super::chains::{
    is_valid, mean, quantile_sorted, rank_normalise, sample_variance, sorted_pooled, split_chains,
    CONSTANT_RESOLUTION,
};

/// Bulk effective sample size: the ESS of the rank-normalised split chains (Vehtari et al.
/// 2021, §4.2), reliable for means and medians whatever the tails. As ArviZ `ess(method="bulk")`
/// and posterior `ess_bulk`.
///
/// `chains` holds one `Vec` of draws per chain, all the same length.
///
/// Returns NaN (never panics) when the draws cannot be diagnosed: no chain, chains of unequal
/// length, fewer than 4 draws per chain, a non-finite value, or all values equal.
///
/// Reference: Vehtari, Gelman, Simpson, Carpenter, Bürkner (2021), "Rank-normalization,
/// folding, and localization: an improved R-hat for assessing convergence of MCMC",
/// Bayesian Analysis 16(2).
///
/// ```
/// // Chains that alternate perfectly are antithetic: ESS exceeds the number of draws.
/// let chains = vec![
///     vec![1.0, -1.0, 1.1, -1.1, 0.9, -0.9, 1.2, -1.2],
///     vec![-1.0, 1.0, -1.1, 1.1, -0.9, 0.9, -1.2, 1.2],
/// ];
/// let ess = ppl_infer::diagnostics::ess_bulk(&chains);
/// assert!(ess > 16.0);
/// assert!(ppl_infer::diagnostics::ess_bulk(&[vec![1.0; 10]]).is_nan());
/// ```
pub fn ess_bulk(chains: &[Vec<f64>]) -> f64 {
    if !is_valid(chains) {
        return f64::NAN;
    }
    ess_of_chains(&rank_normalise(&split_chains(chains)))
}

/// Tail effective sample size: the smaller of the ESS of the 5% and 95% quantiles
/// ([`ess_quantile`]), the number of effectively independent draws behind the 90% interval
/// (Vehtari et al. 2021, §4.3). As ArviZ `ess(method="tail")` and posterior `ess_tail`.
///
/// NaN for input that cannot be diagnosed (see [`ess_bulk`]).
///
/// ```
/// let chains: Vec<Vec<f64>> = (0..4)
///     .map(|c| (0..50).map(|i| (((i * 37 + c * 11) % 50) as f64).sqrt()).collect())
///     .collect();
/// let ess = ppl_infer::diagnostics::ess_tail(&chains);
/// assert!(ess.is_finite() && ess > 0.0);
/// ```
pub fn ess_tail(chains: &[Vec<f64>]) -> f64 {
    ess_quantile(chains, 0.05).min(ess_quantile(chains, 0.95))
}

/// Basic effective sample size of the mean: Geyer's initial-monotone-sequence ESS of the
/// split chains, without rank normalisation. As ArviZ `ess(method="mean")` and posterior
/// `ess_basic` / `ess_mean`. It is the ESS behind [`crate::diagnostics::mcse_mean`]; it is
/// unreliable when the variance is infinite, which [`ess_bulk`] is not.
///
/// With `M` split chains of `N` draws, autocovariances `γ_{m,t}`, `W` the mean within-chain
/// variance and `var⁺ = (N−1)/N·W + B/N`, the autocorrelations are
/// `ρ_t = 1 − (W − mean_m γ_{m,t}) / var⁺`; sums of adjacent pairs are truncated at the first
/// negative pair and made monotone, `τ = −1 + 2 Σ ρ_t` and `ESS = M·N / τ` (with
/// `τ ≥ 1 / log10(M·N)`). Stan Reference Manual, "Effective sample size".
///
/// NaN for input that cannot be diagnosed (see [`ess_bulk`]).
///
/// ```
/// let chains = vec![vec![0.3, -1.2, 0.8, 0.1, -0.4, 1.5, -0.9, 0.2]; 2];
/// let ess = ppl_infer::diagnostics::ess_basic(&chains);
/// assert!((ess - 19.265_919_722_494_797).abs() < 1e-9); // arviz.ess(method="mean"), ArviZ 0.23.4
/// ```
pub fn ess_basic(chains: &[Vec<f64>]) -> f64 {
    if !is_valid(chains) {
        return f64::NAN;
    }
    ess_of_chains(&split_chains(chains))
}

/// Effective sample size for the `prob` quantile: the ESS of the split indicator chains
/// `I(x ≤ q̂)`, with `q̂` the type-7 quantile of all draws (Vehtari et al. 2021, §4.3). As
/// ArviZ `ess(method="quantile", prob=prob)` and posterior `ess_quantile`.
///
/// NaN for input that cannot be diagnosed (see [`ess_bulk`]) or `prob` outside `(0, 1)`.
///
/// ```
/// let chains = vec![vec![0.3, -1.2, 0.8, 0.1, -0.4, 1.5, -0.9, 0.2]; 2];
/// let ess = ppl_infer::diagnostics::ess_quantile(&chains, 0.5);
/// assert!(ess.is_finite() && ess > 0.0);
/// assert!(ppl_infer::diagnostics::ess_quantile(&chains, 1.5).is_nan());
/// ```
pub fn ess_quantile(chains: &[Vec<f64>], prob: f64) -> f64 {
    if !(is_valid(chains) && prob > 0.0 && prob < 1.0) {
        return f64::NAN;
    }
    ess_of_chains(&split_chains(&quantile_indicators(chains, prob)))
}

/// The chains turned into indicators `1.0` where the draw is at most the pooled `prob`
/// quantile, `0.0` elsewhere.
pub(crate) fn quantile_indicators(chains: &[Vec<f64>], prob: f64) -> Vec<Vec<f64>> {
    let threshold = quantile_sorted(&sorted_pooled(chains), prob);
    chains
        .iter()
        .map(|chain| {
            chain
                .iter()
                .map(|&x| if x <= threshold { 1.0 } else { 0.0 })
                .collect()
        })
        .collect()
}

/// Geyer's initial-monotone-sequence ESS of rectangular `chains` (already split or
/// transformed as the caller wants), step for step as ArviZ `_ess` and posterior `ess`
/// compute it. Constant input gives the total number of draws; non-finite input gives NaN.
pub(crate) fn ess_of_chains(chains: &[Vec<f64>]) -> f64 {
    let n_chains = chains.len();
    let n_draws = chains.first().map_or(0, Vec::len);
    let total = (n_chains * n_draws) as f64;
    if n_draws < 2 || chains.iter().flatten().any(|x| !x.is_finite()) {
        return f64::NAN;
    }
    let (min, max) = chains
        .iter()
        .flatten()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        });
    if max - min < CONSTANT_RESOLUTION {
        return total;
    }
    let autocovariances: Vec<Vec<f64>> = chains.iter().map(|c| autocovariance(c)).collect();
    let mean_autocovariance =
        |lag: usize| autocovariances.iter().map(|a| a[lag]).sum::<f64>() / n_chains as f64;
    let draws = n_draws as f64;
    let mean_variance = mean_autocovariance(0) * draws / (draws - 1.0);
    let mut var_plus = mean_variance * (draws - 1.0) / draws;
    if n_chains > 1 {
        let chain_means: Vec<f64> = chains.iter().map(|c| mean(c)).collect();
        var_plus += sample_variance(&chain_means);
    }
    let autocorrelation = |lag: usize| 1.0 - (mean_variance - mean_autocovariance(lag)) / var_plus;

    let mut rho = vec![0.0; n_draws];
    let mut rho_even = 1.0;
    let mut rho_odd = autocorrelation(1);
    rho[0] = rho_even;
    rho[1] = rho_odd;
    // Geyer's initial positive sequence: keep pairs while their sum is positive.
    let mut t = 1;
    while t + 3 < n_draws && rho_even + rho_odd > 0.0 {
        rho_even = autocorrelation(t + 1);
        rho_odd = autocorrelation(t + 2);
        if rho_even + rho_odd >= 0.0 {
            rho[t + 1] = rho_even;
            rho[t + 2] = rho_odd;
        }
        t += 2;
    }
    // `last_pair_end` is ArviZ's `max_t + 1` (max_t = t − 2 may be −1).
    let last_pair_end = t - 1;
    if rho_even > 0.0 {
        rho[last_pair_end] = rho_even;
    }
    // Geyer's initial monotone sequence: pair sums must not increase.
    let mut t = 1;
    while t + 3 <= last_pair_end {
        if rho[t + 1] + rho[t + 2] > rho[t - 1] + rho[t] {
            rho[t + 1] = (rho[t - 1] + rho[t]) / 2.0;
            rho[t + 2] = rho[t + 1];
        }
        t += 2;
    }
    let tau = -1.0
        + 2.0 * rho[..last_pair_end].iter().sum::<f64>()
        + rho.get(last_pair_end).copied().unwrap_or(0.0);
    let tau = tau.max(1.0 / total.log10());
    if rho.iter().any(|r| r.is_nan()) {
        return f64::NAN;
    }
    total / tau
}
