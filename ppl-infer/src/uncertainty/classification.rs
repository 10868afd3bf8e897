//! The entropy split of a classifier's predictive uncertainty: predictive entropy, expected entropy (aleatoric) and mutual information (epistemic, the BALD score).

use super::input::{check_non_empty, check_probabilities, check_rows};
use crate::error::Result;

/// Shannon entropy `H[p] = −Σ p_k ln p_k` in nats (`0 ln 0 = 0`).
///
/// ```
/// let h = ppl_infer::uncertainty::entropy(&[0.5, 0.5]);
/// assert!((h - std::f64::consts::LN_2).abs() < 1e-15);
/// ```
pub fn entropy(p: &[f64]) -> f64 {
    -p.iter()
        .filter(|&&q| q > 0.0)
        .map(|q| q * q.ln())
        .sum::<f64>()
}

/// The predictive uncertainty of a classifier at one input, in nats.
#[derive(Debug, Clone, PartialEq)]
pub struct EntropyDecomposition {
    /// The posterior predictive class probabilities `E_W p(y* | x*, W)`.
    pub mean_probabilities: Vec<f64>,
    /// `H[E_W p]`: total uncertainty.
    pub predictive_entropy: f64,
    /// `E_W H[p]`: aleatoric uncertainty (noise the model expects with the parameters known).
    pub expected_entropy: f64,
    /// `I(y*; W | x*, D) = H[E_W p] − E_W H[p]`: epistemic uncertainty, the BALD score.
    pub mutual_information: f64,
}

/// Splits the predictive entropy at each input.
///
/// `probabilities[s][i]` is the class-probability vector `p(y* | x*_i, W_s)` for posterior
/// draw `s` (from NUTS, ADVI, Laplace, an ensemble of MAP fits, or MC-dropout passes).
///
/// # Errors
/// No draws or inputs, ragged shapes, or a vector that is not a probability vector.
///
/// ```
/// use ppl_infer::uncertainty::classification_decomposition;
/// // Two confident draws that disagree: all uncertainty is epistemic.
/// let split = classification_decomposition(&[vec![vec![1.0, 0.0]], vec![vec![0.0, 1.0]]])?;
/// assert_eq!(split[0].expected_entropy, 0.0);
/// assert!((split[0].mutual_information - std::f64::consts::LN_2).abs() < 1e-15);
/// # Ok::<(), ppl_infer::Error>(())
/// ```
pub fn classification_decomposition(
    probabilities: &[Vec<Vec<f64>>],
) -> Result<Vec<EntropyDecomposition>> {
    const FUNCTION: &str = "classification_decomposition";
    check_non_empty(FUNCTION, "probabilities", probabilities)?;
    let n_inputs = probabilities[0].len();
    check_non_empty(FUNCTION, "probabilities[1]", &probabilities[0])?;
    check_rows(FUNCTION, "probabilities", probabilities, n_inputs)?;
    let n_classes = probabilities[0][0].len();
    for (s, draw) in probabilities.iter().enumerate() {
        check_rows(
            FUNCTION,
            &format!("probabilities[{}]", s + 1),
            draw,
            n_classes,
        )?;
        for (i, p) in draw.iter().enumerate() {
            check_probabilities(FUNCTION, &format!("probabilities[{}][{}]", s + 1, i + 1), p)?;
        }
    }
    let draws = probabilities.len() as f64;
    Ok((0..n_inputs)
        .map(|i| {
            let mut mean_probabilities = vec![0.0; n_classes];
            let mut expected_entropy = 0.0;
            for draw in probabilities {
                for (m, p) in mean_probabilities.iter_mut().zip(&draw[i]) {
                    *m += p / draws;
                }
                expected_entropy += entropy(&draw[i]) / draws;
            }
            let predictive_entropy = entropy(&mean_probabilities);
            EntropyDecomposition {
                mean_probabilities,
                predictive_entropy,
                expected_entropy,
                // Non-negative by Jensen; clamp rounding error.
                mutual_information: (predictive_entropy - expected_entropy).max(0.0),
            }
        })
        .collect())
}

/// BALD acquisition: ranks a pool of candidate inputs by mutual information (most informative
/// first; ties keep pool order). `probabilities` as in [`classification_decomposition`].
///
/// Returns the pool indices in acquisition order, and the scores.
///
/// # Errors
/// As [`classification_decomposition`].
pub fn bald_ranking(probabilities: &[Vec<Vec<f64>>]) -> Result<(Vec<usize>, Vec<f64>)> {
    let scores: Vec<f64> = classification_decomposition(probabilities)?
        .into_iter()
        .map(|d| d.mutual_information)
        .collect();
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    Ok((order, scores))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_values() {
        // Draw 1: (0.9, 0.1); draw 2: (0.5, 0.5). Mean (0.7, 0.3).
        let split = classification_decomposition(&[vec![vec![0.9, 0.1]], vec![vec![0.5, 0.5]]])
            .unwrap()
            .remove(0);
        let h = |p: f64| -(p * p.ln() + (1.0 - p) * (1.0 - p).ln());
        assert!((split.predictive_entropy - h(0.7)).abs() < 1e-15);
        assert!((split.expected_entropy - 0.5 * (h(0.9) + h(0.5))).abs() < 1e-15);
        // H(0.7) = 0.6108643020548935, H(0.9) = 0.3250829733914482, H(0.5) = ln 2.
        assert!(
            (split.mutual_information
                - (0.610_864_302_054_893_5
                    - 0.5 * (0.325_082_973_391_448_2 + std::f64::consts::LN_2)))
                .abs()
                < 1e-15
        );
    }

    #[test]
    fn agreeing_draws_have_no_epistemic_part() {
        let p = vec![vec![0.2, 0.3, 0.5]];
        let split = classification_decomposition(&[p.clone(), p.clone(), p]).unwrap();
        assert!(split[0].mutual_information.abs() < 1e-15);
        assert!((split[0].expected_entropy - entropy(&[0.2, 0.3, 0.5])).abs() < 1e-15);
    }

    #[test]
    fn bald_ranks_disagreement_first() {
        // Input 1: draws agree on 50/50 (aleatoric); input 2: draws disagree (epistemic).
        let draws = vec![
            vec![vec![0.5, 0.5], vec![0.99, 0.01]],
            vec![vec![0.5, 0.5], vec![0.01, 0.99]],
        ];
        let (order, scores) = bald_ranking(&draws).unwrap();
        assert_eq!(order, vec![1, 0]);
        assert!(scores[0].abs() < 1e-15);
    }

    #[test]
    fn bad_input_gives_typed_errors() {
        assert_eq!(
            classification_decomposition(&[]).unwrap_err().to_string(),
            "classification_decomposition: probabilities is empty, but must be non-empty"
        );
        assert_eq!(
            classification_decomposition(&[vec![vec![0.5, 0.6]]]).unwrap_err().to_string(),
            "classification_decomposition: sum of probabilities[1][1] is 1.1, but must be 1 (a probability vector)"
        );
        assert_eq!(
            classification_decomposition(&[vec![vec![f64::NAN, 1.0]]])
                .unwrap_err()
                .to_string(),
            "classification_decomposition: probabilities[1][1][1] is NaN, but must be in [0, 1]"
        );
        assert_eq!(
            classification_decomposition(&[vec![vec![0.5, 0.5]], vec![vec![1.0]]])
                .unwrap_err()
                .to_string(),
            "classification_decomposition: probabilities[2][1] has size 1, but must have size 2"
        );
    }
}
