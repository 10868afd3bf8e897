//! The categorical distribution on the log-odds scale, `categorical_logit(y | beta) = categorical(y | softmax(beta))`.

use rand::Rng;

use super::categorical::{category_moments, count_categories, sample_category};
use super::check::check_finite;
use super::distribution::{Distribution, Support};
use super::partials::ArgPartials;
use crate::error::Result;
use crate::real::{log_sum_exp, IntOperand, Operand, Real};

/// Log-mass of the categorical distribution parameterised by unnormalised log-odds `β` (Stan's
/// `categorical_logit_lpmf`):
///
/// `Σ_i β_{y_i} − n ln Σ_k exp(β_k)`, `y_i ∈ {1, ..., K}`,
///
/// with the log-sum-exp taken stably once. `y` is one category or a slice of categories that
/// share `log_odds`. The partials `∂/∂β_k = n_k − n softmax(β)_k` (`n_k` the count of
/// category `k`) are applied once per element.
///
/// # Errors
/// `y` outside `[1, K]` or `log_odds` not finite:
/// `categorical_logit: log_odds[2] is inf, but must be finite`.
///
/// # Reference
/// Stan Functions Reference, "Categorical distribution" (`categorical_logit`).
///
/// ```
/// // softmax([0, ln 2, ln 3]) = [1/6, 2/6, 3/6]
/// let beta = vec![0.0, 2.0f64.ln(), 3.0f64.ln()];
/// let lp: f64 = ppl_core::dist::categorical_logit_lpmf(3, &beta)?;
/// assert!((lp - 0.5f64.ln()).abs() < 1e-15);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn categorical_logit_lpmf<T: Real>(y: impl IntOperand, log_odds: impl Operand) -> Result<T> {
    const FUNCTION: &str = "categorical_logit";
    let categories = log_odds.size().unwrap_or(1);
    let counts = count_categories(FUNCTION, &y, categories)?;
    check_finite(FUNCTION, "log_odds", &log_odds)?;
    let observations = y.size().unwrap_or(1) as f64;
    if observations == 0.0 {
        return Ok(T::constant(0.0));
    }
    let log_odds_values: Vec<f64> = (0..categories).map(|k| log_odds.value_at(k)).collect();
    let log_sum_exp = log_sum_exp(&log_odds_values);
    let mut out = T::accumulator();
    let mut log_odds_partials = ArgPartials::new(&log_odds);
    let mut value = -observations * log_sum_exp;
    for (k, &count) in counts.iter().enumerate() {
        let beta = log_odds_values[k];
        value += count as f64 * beta;
        let softmax = (beta - log_sum_exp).exp();
        log_odds_partials.add(&mut out, k, count as f64 - observations * softmax);
    }
    log_odds_partials.apply(&mut out);
    Ok(out + value)
}

/// The same as [`categorical_logit_lpmf`]: no term depends on the data only (Stan's
/// `categorical_logit_lupmf`, what `~` uses).
pub fn categorical_logit_lupmf<T: Real>(y: impl IntOperand, log_odds: impl Operand) -> Result<T> {
    categorical_logit_lpmf(y, log_odds)
}

/// The categorical distribution with fixed log-odds, for sampling.
///
/// Draws are categories `1..=K`. As for [`Categorical`](crate::dist::Categorical),
/// [`Distribution::mean`] and [`Distribution::variance`] are the moments of the category index.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoricalLogit {
    log_odds: Vec<f64>,
    probabilities: Vec<f64>,
}

impl CategoricalLogit {
    /// `categorical_logit(log_odds)`.
    ///
    /// # Errors
    /// `log_odds` empty or not finite.
    pub fn new(log_odds: Vec<f64>) -> Result<Self> {
        check_finite("categorical_logit", "log_odds", &&log_odds)?;
        if log_odds.is_empty() {
            return Err(crate::Error::size_mismatch(
                "categorical_logit",
                "log_odds",
                0,
                1,
            ));
        }
        let log_sum_exp = log_sum_exp(&log_odds);
        let probabilities = log_odds.iter().map(|b| (b - log_sum_exp).exp()).collect();
        Ok(CategoricalLogit {
            log_odds,
            probabilities,
        })
    }

    /// The probabilities `softmax(β)`.
    pub fn probabilities(&self) -> &[f64] {
        &self.probabilities
    }
}

impl Distribution for CategoricalLogit {
    type Value = i64;
    type Moment = f64;
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> i64 {
        sample_category(&self.probabilities, rng)
    }
    /// The mean of the category index.
    fn mean(&self) -> Option<f64> {
        Some(category_moments(&self.probabilities).0)
    }
    /// The variance of the category index.
    fn variance(&self) -> Option<f64> {
        Some(category_moments(&self.probabilities).1)
    }
    fn support(&self) -> Support {
        Support::Integers {
            lower: 1,
            upper: Some(self.log_odds.len() as i64),
        }
    }
    fn log_density(&self, x: &i64) -> f64 {
        categorical_logit_lpmf::<f64>(*x, &self.log_odds).unwrap_or(f64::NEG_INFINITY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::categorical_lpmf;
    use crate::dist::testing::{
        assert_close, assert_discrete_moments, assert_gradient_matches, assert_pmf_normalised,
    };
    use proptest::prelude::*;

    #[test]
    fn values_match_categorical_of_softmax() {
        let beta = vec![0.3, -1.2, 2.0, 0.0];
        let d = CategoricalLogit::new(beta.clone()).unwrap();
        let y = vec![3, 1, 4, 3, 2];
        let lp: f64 = categorical_logit_lpmf(&y, &beta).unwrap();
        let expected: f64 = categorical_lpmf(&y, d.probabilities()).unwrap();
        assert_close(lp, expected, 1e-14);
        assert_eq!(categorical_logit_lupmf::<f64>(&y, &beta).unwrap(), lp);
    }

    #[test]
    fn values_match_scipy() {
        // scipy.special.log_softmax([0.3, -1.2, 2.0, 0.0]), scipy 1.17.1
        let beta = [0.3, -1.2, 2.0, 0.0];
        let expected = [
            -2.006_587_982_572_934_7,
            -3.506_587_982_572_934_7,
            -0.306_587_982_572_934_7,
            -2.306_587_982_572_934_5,
        ];
        for (k, &e) in expected.iter().enumerate() {
            let lp: f64 = categorical_logit_lpmf(k as i64 + 1, &beta).unwrap();
            assert_close(lp, e, 1e-14);
        }
    }

    #[test]
    fn stable_for_large_log_odds() {
        let beta = vec![1000.0, 0.0, -1000.0];
        assert_eq!(categorical_logit_lpmf::<f64>(1, &beta).unwrap(), 0.0);
        assert_eq!(categorical_logit_lpmf::<f64>(2, &beta).unwrap(), -1000.0);
        assert_eq!(categorical_logit_lpmf::<f64>(3, &beta).unwrap(), -2000.0);
    }

    #[test]
    fn mass_sums_to_one() {
        let beta = [0.3, -1.2, 2.0, 0.0];
        assert_pmf_normalised(|y| categorical_logit_lpmf::<f64>(y, &beta).unwrap(), 1, 4);
    }

    #[test]
    fn sample_moments_match() {
        let d = CategoricalLogit::new(vec![0.3, -1.2, 2.0, 0.0]).unwrap();
        assert_discrete_moments(&d, d.mean().unwrap(), d.variance().unwrap());
    }

    #[test]
    fn argument_checks_name_function_argument_value_and_rule() {
        let beta = vec![0.0, f64::INFINITY];
        let err = categorical_logit_lpmf::<f64>(1, &beta).unwrap_err();
        assert_eq!(
            err.to_string(),
            "categorical_logit: log_odds[2] is inf, but must be finite"
        );
        let err = categorical_logit_lpmf::<f64>(3, &vec![0.0, 1.0]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "categorical_logit: random variable is 3, but must be in [1, 2]"
        );
        assert_eq!(
            CategoricalLogit::new(Vec::new()).unwrap_err().to_string(),
            "categorical_logit: log_odds has size 0, but must have size 1"
        );
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(
            a in -5.0..5.0f64, b in -5.0..5.0f64, c in -5.0..5.0f64, y in 1i64..4,
        ) {
            assert_gradient_matches(|x| categorical_logit_lpmf(y, x), &[a, b, c]);
            let ys = vec![y, 1, 3, 3];
            assert_gradient_matches(|x| categorical_logit_lpmf(&ys, x), &[a, b, c]);
        }
    }
}
