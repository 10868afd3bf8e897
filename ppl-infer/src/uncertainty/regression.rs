//! The law-of-total-variance split of a regression's predictive variance into aleatoric and epistemic parts, with Monte Carlo standard errors.

use super::input::{check_finite, check_non_empty, check_rows};
use crate::error::{Error, Result};

/// The predictive variance at one input, split by the law of total variance:
/// `Var[y* | x*, D] = E_W[Var(y* | x*, W)] + Var_W[E(y* | x*, W)]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VarianceDecomposition {
    /// Predictive mean `E_W[E(y* | x*, W)]`.
    pub mean: f64,
    /// Total predictive variance, `aleatoric + epistemic`.
    pub total: f64,
    /// `E_W[Var(y* | x*, W)]`: noise the model expects even with the parameters known.
    pub aleatoric: f64,
    /// `Var_W[E(y* | x*, W)]`: spread due to not knowing the parameters.
    pub epistemic: f64,
    /// Monte Carlo standard error of `aleatoric` (`sd of Var(y|x,W) / √S`, independent draws).
    pub mcse_aleatoric: f64,
    /// Monte Carlo standard error of `epistemic` (delta method: `√((m₄ − s⁴) / S)`, with `m₄`
    /// the fourth central moment of the conditional means).
    pub mcse_epistemic: f64,
}

/// Splits the predictive variance at each input.
///
/// `conditional_means[s][i]` is `E(y* | x*_i, W_s)` and `conditional_variances[s][i]` is
/// `Var(y* | x*_i, W_s)` for posterior draw `s` (from any engine; the distributions' `mean()`
/// and `variance()` give them). The MCSEs treat the draws as independent; with MCMC draws,
/// scale them by `√(S / ESS)`.
///
/// # Errors
/// No draws or no inputs, rows of different lengths, the two arrays of different shapes, a
/// non-finite value or a negative variance.
///
/// ```
/// use ppl_infer::uncertainty::regression_decomposition;
/// // Two draws, one input: means 1 and 3, noise variances 2 and 4.
/// let split = regression_decomposition(&[vec![1.0], vec![3.0]], &[vec![2.0], vec![4.0]])?;
/// assert_eq!(split[0].aleatoric, 3.0);
/// assert_eq!(split[0].epistemic, 1.0); // population variance over the draws
/// assert_eq!(split[0].total, 4.0);
/// # Ok::<(), ppl_infer::Error>(())
/// ```
pub fn regression_decomposition(
    conditional_means: &[Vec<f64>],
    conditional_variances: &[Vec<f64>],
) -> Result<Vec<VarianceDecomposition>> {
    const FUNCTION: &str = "regression_decomposition";
    check_non_empty(FUNCTION, "conditional_means", conditional_means)?;
    if conditional_variances.len() != conditional_means.len() {
        return Err(Error::SizeMismatch {
            function: FUNCTION,
            argument: "conditional_variances".into(),
            actual: conditional_variances.len(),
            expected: conditional_means.len(),
        });
    }
    let n_inputs = conditional_means[0].len();
    check_non_empty(FUNCTION, "conditional_means[1]", &conditional_means[0])?;
    check_rows(FUNCTION, "conditional_means", conditional_means, n_inputs)?;
    check_rows(
        FUNCTION,
        "conditional_variances",
        conditional_variances,
        n_inputs,
    )?;
    for (s, (means, variances)) in conditional_means
        .iter()
        .zip(conditional_variances)
        .enumerate()
    {
        check_finite(FUNCTION, &format!("conditional_means[{}]", s + 1), means)?;
        check_finite(
            FUNCTION,
            &format!("conditional_variances[{}]", s + 1),
            variances,
        )?;
        if let Some(i) = variances.iter().position(|v| *v < 0.0) {
            return Err(Error::invalid(
                FUNCTION,
                format!("conditional_variances[{}][{}]", s + 1, i + 1),
                variances[i],
                "non-negative",
            ));
        }
    }
    let draws = conditional_means.len() as f64;
    Ok((0..n_inputs)
        .map(|i| {
            let mean = conditional_means.iter().map(|m| m[i]).sum::<f64>() / draws;
            let epistemic = conditional_means
                .iter()
                .map(|m| (m[i] - mean).powi(2))
                .sum::<f64>()
                / draws;
            let fourth_moment = conditional_means
                .iter()
                .map(|m| (m[i] - mean).powi(4))
                .sum::<f64>()
                / draws;
            let aleatoric = conditional_variances.iter().map(|v| v[i]).sum::<f64>() / draws;
            let aleatoric_var = conditional_variances
                .iter()
                .map(|v| (v[i] - aleatoric).powi(2))
                .sum::<f64>()
                / draws;
            VarianceDecomposition {
                mean,
                total: aleatoric + epistemic,
                aleatoric,
                epistemic,
                mcse_aleatoric: (aleatoric_var / draws).sqrt(),
                mcse_epistemic: ((fourth_moment - epistemic * epistemic).max(0.0) / draws).sqrt(),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_distr::{Distribution, Normal};

    /// Conjugate normal model: y ~ normal(theta, sigma) with sigma known and a normal
    /// posterior theta ~ normal(m, s). The predictive variance is exactly sigma² + s², the
    /// aleatoric part sigma², the epistemic part s².
    #[test]
    fn exact_on_the_conjugate_normal_model() {
        let (sigma, m, s) = (1.5_f64, 0.7, 0.4);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let posterior = Normal::new(m, s).unwrap();
        let draws = 40_000;
        let means: Vec<Vec<f64>> = (0..draws)
            .map(|_| vec![posterior.sample(&mut rng)])
            .collect();
        let variances = vec![vec![sigma * sigma]; draws];
        let split = regression_decomposition(&means, &variances).unwrap()[0];
        assert_eq!(split.aleatoric, sigma * sigma);
        assert_eq!(split.mcse_aleatoric, 0.0);
        assert!((split.epistemic - s * s).abs() <= 5.0 * split.mcse_epistemic);
        assert!((split.mean - m).abs() <= 5.0 * s / (draws as f64).sqrt());
        assert!((split.total - (sigma * sigma + s * s)).abs() <= 5.0 * split.mcse_epistemic);
    }

    #[test]
    fn bad_input_gives_typed_errors() {
        let err = regression_decomposition(&[], &[]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "regression_decomposition: conditional_means is empty, but must be non-empty"
        );
        let err =
            regression_decomposition(&[vec![1.0, 2.0], vec![1.0]], &[vec![1.0, 1.0], vec![1.0]])
                .unwrap_err();
        assert_eq!(
            err.to_string(),
            "regression_decomposition: conditional_means[2] has size 1, but must have size 2"
        );
        let err = regression_decomposition(&[vec![f64::NAN]], &[vec![1.0]]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "regression_decomposition: conditional_means[1][1] is NaN, but must be finite"
        );
        let err = regression_decomposition(&[vec![0.0]], &[vec![-1.0]]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "regression_decomposition: conditional_variances[1][1] is -1, but must be non-negative"
        );
    }
}
