//! AUROC for scoring out-of-distribution detection: how well a score (e.g. the epistemic variance) separates in-distribution from out-of-distribution inputs.

use super::input::{check_finite, check_non_empty};
use crate::error::Result;

/// Area under the ROC curve of `score` as a detector of out-of-distribution inputs: the
/// probability that a random OOD input scores higher than a random in-distribution one, ties
/// counting one half (the Mann–Whitney U statistic divided by `n_in · n_out`).
///
/// # Errors
/// Either set empty, or a non-finite score.
///
/// ```
/// let auc = ppl_infer::uncertainty::auroc(&[0.1, 0.2, 0.3], &[0.25, 0.9])?;
/// assert!((auc - 5.0 / 6.0).abs() < 1e-15);
/// # Ok::<(), ppl_infer::Error>(())
/// ```
pub fn auroc(scores_in: &[f64], scores_out: &[f64]) -> Result<f64> {
    const FUNCTION: &str = "auroc";
    check_non_empty(FUNCTION, "scores_in", scores_in)?;
    check_non_empty(FUNCTION, "scores_out", scores_out)?;
    check_finite(FUNCTION, "scores_in", scores_in)?;
    check_finite(FUNCTION, "scores_out", scores_out)?;
    // Rank-sum form, O((n + m) log(n + m)), average ranks for ties.
    let mut all: Vec<(f64, bool)> = scores_in
        .iter()
        .map(|&s| (s, false))
        .chain(scores_out.iter().map(|&s| (s, true)))
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut rank_sum_out = 0.0;
    let mut start = 0;
    while start < all.len() {
        let mut end = start + 1;
        while end < all.len() && all[end].0 == all[start].0 {
            end += 1;
        }
        let average_rank = (start + 1 + end) as f64 / 2.0;
        rank_sum_out +=
            all[start..end].iter().filter(|(_, out)| *out).count() as f64 * average_rank;
        start = end;
    }
    let (n_in, n_out) = (scores_in.len() as f64, scores_out.len() as f64);
    Ok((rank_sum_out - n_out * (n_out + 1.0) / 2.0) / (n_in * n_out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_chance_and_ties() {
        assert_eq!(auroc(&[0.0, 1.0], &[2.0, 3.0]).unwrap(), 1.0);
        assert_eq!(auroc(&[2.0, 3.0], &[0.0, 1.0]).unwrap(), 0.0);
        assert_eq!(auroc(&[1.0, 1.0], &[1.0]).unwrap(), 0.5);
    }

    #[test]
    fn matches_pairwise_definition() {
        let scores_in = [0.3, 0.1, 0.7, 0.7, 0.2];
        let scores_out = [0.7, 0.9, 0.15, 0.5];
        let mut wins = 0.0;
        for a in scores_out {
            for b in scores_in {
                wins += if a > b {
                    1.0
                } else if a == b {
                    0.5
                } else {
                    0.0
                };
            }
        }
        let expected = wins / 20.0;
        assert!((auroc(&scores_in, &scores_out).unwrap() - expected).abs() < 1e-15);
    }

    #[test]
    fn bad_input() {
        assert_eq!(
            auroc(&[], &[1.0]).unwrap_err().to_string(),
            "auroc: scores_in is empty, but must be non-empty"
        );
        assert_eq!(
            auroc(&[1.0], &[f64::INFINITY]).unwrap_err().to_string(),
            "auroc: scores_out[1] is inf, but must be finite"
        );
    }
}
