//! Rank-normalised split R-hat: the larger of the bulk and the folded (tail) R-hat.

use super::chains::{fold, is_valid, mean, rank_normalise, sample_variance, split_chains};

/// Rank-normalised split R-hat (Vehtari et al. 2021, §4.1): the maximum of the split R-hat of
/// the rank-normalised draws (bulk) and of the rank-normalised draws folded around their median
/// (tail). Values above 1.01 indicate that the chains have not mixed. As ArviZ
/// `rhat(method="rank")` and posterior `rhat`.
///
/// With `M` split chains of `N` draws, `W` the mean within-chain variance and `B/N` the
/// variance of the chain means, `R̂ = sqrt(((N − 1)/N · W + B/N) / W)`.
///
/// A single chain is split in two and diagnosed (as posterior and Stan do; ArviZ returns NaN).
/// Returns NaN when the draws cannot be diagnosed: no chain, chains of unequal length, fewer
/// than 4 draws per chain, a non-finite value, or all values equal.
///
/// Reference: Vehtari, Gelman, Simpson, Carpenter, Bürkner (2021), Bayesian Analysis 16(2).
///
/// ```
/// // The second chain sits far from the first: R-hat is large.
/// let chains = vec![
///     vec![0.1, -0.3, 0.2, 0.0, -0.1, 0.3],
///     vec![5.1, 4.7, 5.2, 5.0, 4.9, 5.3],
/// ];
/// assert!(ppl_infer::diagnostics::rhat(&chains) > 1.5);
/// ```
pub fn rhat(chains: &[Vec<f64>]) -> f64 {
    if !is_valid(chains) {
        return f64::NAN;
    }
    let split = split_chains(chains);
    let bulk = split_rhat(&rank_normalise(&split));
    let tail = split_rhat(&rank_normalise(&fold(&split)));
    bulk.max(tail)
}

/// The classic potential scale reduction factor of rectangular chains (no splitting).
fn split_rhat(chains: &[Vec<f64>]) -> f64 {
    let draws = chains[0].len() as f64;
    let chain_means: Vec<f64> = chains.iter().map(|c| mean(c)).collect();
    let between = draws * sample_variance(&chain_means);
    let within = mean(
        &chains
            .iter()
            .map(|c| sample_variance(c))
            .collect::<Vec<_>>(),
    );
    ((between / within + draws - 1.0) / draws).sqrt()
}
