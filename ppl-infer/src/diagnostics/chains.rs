//! Shared preparation of chains for the diagnostics: validation, splitting, rank normalisation, folding and type-7 quantiles.

use super::special::inv_std_normal_cdf;

/// Values whose range is below this are treated as constant (numpy's `finfo(float).resolution`,
/// the tolerance ArviZ uses).
pub(crate) const CONSTANT_RESOLUTION: f64 = 1e-15;

/// Whether `chains` can be diagnosed: at least one chain, all of the same length, at least 4
/// draws each, every value finite, and not all values (numerically) equal. The diagnostics
/// return NaN otherwise, as ArviZ and posterior do.
pub(crate) fn is_valid(chains: &[Vec<f64>]) -> bool {
    let Some(first) = chains.first() else {
        return false;
    };
    let n_draws = first.len();
    if n_draws < 4 || chains.iter().any(|c| c.len() != n_draws) {
        return false;
    }
    let mut min = f64::INFINITY;
    let mut max = f64::NEG_INFINITY;
    for &value in chains.iter().flatten() {
        if !value.is_finite() {
            return false;
        }
        min = min.min(value);
        max = max.max(value);
    }
    max - min >= CONSTANT_RESOLUTION
}

/// Splits each chain into its first and second halves (the middle draw of an odd-length chain
/// is dropped), giving twice as many chains of half the length.
pub(crate) fn split_chains(chains: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let mut halves = Vec::with_capacity(2 * chains.len());
    for chain in chains {
        let half = chain.len() / 2;
        halves.push(chain[..half].to_vec());
    }
    for chain in chains {
        let half = chain.len() / 2;
        halves.push(chain[chain.len() - half..].to_vec());
    }
    halves
}

/// Rank normalisation: replaces every value by `Φ⁻¹((r − 3/8) / (S + 1/4))`, where `r` is its
/// average rank (ties share the mean of their ranks) among all `S` values of all chains
/// (Blom's offset; Vehtari et al. 2021, eq. 14).
pub(crate) fn rank_normalise(chains: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let pooled: Vec<f64> = chains.iter().flatten().copied().collect();
    let ranks = average_ranks(&pooled);
    let size = pooled.len() as f64;
    let mut ranked = ranks
        .into_iter()
        .map(|rank| inv_std_normal_cdf((rank - 0.375) / (size + 0.25)));
    chains
        .iter()
        .map(|chain| ranked.by_ref().take(chain.len()).collect())
        .collect()
}

/// 1-based ranks of `values`, ties receiving the average of the ranks they span
/// (`scipy.stats.rankdata(method="average")`). Values must not be NaN.
pub(crate) fn average_ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && values[order[end]] == values[order[start]] {
            end += 1;
        }
        // Ranks start+1 ..= end share their mean.
        let shared_rank = (start + 1 + end) as f64 / 2.0;
        for &index in &order[start..end] {
            ranks[index] = shared_rank;
        }
        start = end;
    }
    ranks
}

/// Folds the draws around their median: `|x − median(x)|` (median of all chains pooled).
pub(crate) fn fold(chains: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let median = quantile_sorted(&sorted_pooled(chains), 0.5);
    chains
        .iter()
        .map(|chain| chain.iter().map(|x| (x - median).abs()).collect())
        .collect()
}

/// All values of all chains, sorted ascending (NaN last).
pub(crate) fn sorted_pooled(chains: &[Vec<f64>]) -> Vec<f64> {
    let mut pooled: Vec<f64> = chains.iter().flatten().copied().collect();
    pooled.sort_by(f64::total_cmp);
    pooled
}

/// The `prob` quantile of ascending `sorted` values by linear interpolation between order
/// statistics (Hyndman and Fan type 7; numpy's default `method="linear"`, R's default type):
/// with `h = (n − 1)·prob`, the value `x[⌊h⌋] + (h − ⌊h⌋)(x[⌊h⌋+1] − x[⌊h⌋])`.
/// NaN for an empty slice, `prob` outside `[0, 1]`, or a NaN among the values (as numpy's
/// `quantile`; sorted by `f64::total_cmp`, NaNs sit at the ends).
pub(crate) fn quantile_sorted(sorted: &[f64], prob: f64) -> f64 {
    let has_nan = |value: Option<&f64>| value.is_some_and(|v| v.is_nan());
    if sorted.is_empty()
        || !(0.0..=1.0).contains(&prob)
        || has_nan(sorted.first())
        || has_nan(sorted.last())
    {
        return f64::NAN;
    }
    let position = (sorted.len() - 1) as f64 * prob;
    let lower = position.floor() as usize;
    let upper = (lower + 1).min(sorted.len() - 1);
    let fraction = position - lower as f64;
    let (a, b) = (sorted[lower], sorted[upper]);
    // numpy's two-sided lerp: exact at both ends and for equal neighbours.
    if fraction < 0.5 {
        a + (b - a) * fraction
    } else {
        b - (b - a) * (1.0 - fraction)
    }
}

/// Mean of `values` (NaN if empty).
pub(crate) fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// Sample variance of `values` with denominator `n − 1` (NaN for fewer than 2 values).
pub(crate) fn sample_variance(values: &[f64]) -> f64 {
    if values.len() < 2 {
        return f64::NAN;
    }
    let centre = mean(values);
    values.iter().map(|x| (x - centre).powi(2)).sum::<f64>() / (values.len() - 1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn average_ranks_share_ties() {
        // scipy.stats.rankdata([3, 1, 3, 2, 3], method="average") = [4, 1, 4, 2, 4]
        assert_eq!(
            average_ranks(&[3.0, 1.0, 3.0, 2.0, 3.0]),
            vec![4.0, 1.0, 4.0, 2.0, 4.0]
        );
    }

    #[test]
    fn split_drops_the_middle_draw_of_odd_chains() {
        let halves = split_chains(&[vec![1.0, 2.0, 3.0, 4.0, 5.0]]);
        assert_eq!(halves, vec![vec![1.0, 2.0], vec![4.0, 5.0]]);
    }

    #[test]
    fn quantiles_match_numpy_linear() {
        let sorted = [1.0, 2.0, 4.0, 8.0];
        // numpy.quantile([1, 2, 4, 8], [0.05, 0.5, 0.95]) = [1.15, 3.0, 7.4]
        assert!((quantile_sorted(&sorted, 0.05) - 1.15).abs() < 1e-15);
        assert_eq!(quantile_sorted(&sorted, 0.5), 3.0);
        assert!((quantile_sorted(&sorted, 0.95) - 7.4).abs() < 1e-14);
        assert_eq!(quantile_sorted(&sorted, 1.0), 8.0);
        assert!(quantile_sorted(&sorted, 1.5).is_nan());
        // Was 0.22 and 1.0: the NaN sorted last and the lower quantiles ignored it.
        let with_nan = sorted_pooled(&[vec![0.3, f64::NAN, 0.2, 1.0, 2.0]]);
        assert!(quantile_sorted(&with_nan, 0.05).is_nan());
        assert!(quantile_sorted(&with_nan, 0.5).is_nan());
        let with_negative_nan = sorted_pooled(&[vec![0.3, -f64::NAN, 0.2]]);
        assert!(quantile_sorted(&with_negative_nan, 0.95).is_nan());
    }

    #[test]
    fn validity_rules() {
        assert!(!is_valid(&[]));
        assert!(!is_valid(&[vec![1.0, 2.0, 3.0]]));
        assert!(!is_valid(&[vec![1.0; 10]]));
        assert!(!is_valid(&[vec![1.0, 2.0, 3.0, 4.0], vec![1.0, 2.0, 3.0]]));
        assert!(!is_valid(&[vec![1.0, 2.0, f64::NAN, 4.0]]));
        assert!(is_valid(&[vec![1.0, 2.0, 3.0, 4.0]]));
    }
}
