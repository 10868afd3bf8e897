//! The multinomial distribution `multinomial(y | theta)` over vectors of counts with a fixed total.

use rand::Rng;
use rand_distr::{Binomial, Distribution as _};

use super::check::check_int_all;
use super::dirichlet::check_simplex;
use super::distribution::{Distribution, Support};
use crate::error::{Error, Result};
use crate::real::{add_scaled_from, Real};
use crate::special;

/// Log-mass of the multinomial distribution (Stan's `multinomial_lpmf`):
///
/// `ln Γ(N + 1) − Σ_k ln Γ(y_k + 1) + Σ_k y_k ln θ_k`, with `N = Σ_k y_k`.
///
/// `y` holds non-negative counts and `theta` a simplex of the same length. A category with
/// `y_k = 0` contributes 0 even when `θ_k = 0`. The partials `∂/∂θ_k = y_k / θ_k` are applied
/// once per element.
///
/// # Errors
/// A negative count, `theta` not a simplex, or lengths that differ
/// (`multinomial: probabilities has size 3, but must have size 2`).
///
/// # Reference
/// Stan Functions Reference, "Multinomial distribution".
///
/// ```
/// let lp: f64 = ppl_core::dist::multinomial_lpmf(&[1, 2, 0], &[0.2, 0.5, 0.3])?;
/// // scipy.stats.multinomial.logpmf([1, 2, 0], 3, [0.2, 0.5, 0.3])
/// assert!((lp - (-1.897_119_984_885_880_9)).abs() < 1e-13);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn multinomial_lpmf<T: Real>(y: &[i64], theta: &[impl Real]) -> Result<T> {
    multinomial_log_mass::<false, T>(y, theta)
}

/// [`multinomial_lpmf`] without the multinomial coefficient `ln Γ(N + 1) − Σ ln Γ(y_k + 1)`,
/// which depends only on the (always data) counts (Stan's `multinomial_lupmf`).
pub fn multinomial_lupmf<T: Real>(y: &[i64], theta: &[impl Real]) -> Result<T> {
    multinomial_log_mass::<true, T>(y, theta)
}

fn check_counts(function: &'static str, y: &[i64]) -> Result<()> {
    check_int_all(function, "random variable", &y, "non-negative", |v| v >= 0)
}

fn multinomial_log_mass<const PROPTO: bool, T: Real>(y: &[i64], theta: &[impl Real]) -> Result<T> {
    const FUNCTION: &str = "multinomial";
    check_counts(FUNCTION, y)?;
    if theta.len() != y.len() {
        return Err(Error::size_mismatch(
            FUNCTION,
            "probabilities",
            theta.len(),
            y.len(),
        ));
    }
    check_simplex(FUNCTION, "probabilities", theta)?;
    let mut value = 0.0;
    let mut out = T::accumulator();
    for (&count, theta_k) in y.iter().zip(theta) {
        if count == 0 {
            continue;
        }
        let (n_k, t) = (count as f64, theta_k.value());
        value += n_k * t.ln();
        add_scaled_from(&mut out, theta_k, n_k / t);
        if !PROPTO {
            value -= special::lgamma(n_k + 1.0);
        }
    }
    if !PROPTO {
        let total: i64 = y.iter().sum();
        value += special::lgamma(total as f64 + 1.0);
    }
    Ok(out + value)
}

/// The multinomial distribution with fixed probabilities and number of trials, for sampling
/// and moments.
///
/// Draws are `Vec<i64>`; since [`Distribution::mean`] and [`Distribution::variance`] would have
/// to be integer vectors, they return `None`, and the real-valued moments are
/// [`Multinomial::expected_counts`] and [`Multinomial::count_variances`].
#[derive(Debug, Clone, PartialEq)]
pub struct Multinomial {
    theta: Vec<f64>,
    trials: i64,
}

impl Multinomial {
    /// `multinomial(theta)` with `trials` draws.
    ///
    /// # Errors
    /// `theta` not a simplex or `trials` negative.
    pub fn new(theta: Vec<f64>, trials: i64) -> Result<Self> {
        const FUNCTION: &str = "multinomial";
        check_simplex(FUNCTION, "probabilities", &theta)?;
        check_int_all(FUNCTION, "trials", &trials, "non-negative", |v| v >= 0)?;
        Ok(Multinomial { theta, trials })
    }

    /// `E(y_k) = N θ_k`.
    pub fn expected_counts(&self) -> Vec<f64> {
        let n = self.trials as f64;
        self.theta.iter().map(|t| n * t).collect()
    }

    /// `Var(y_k) = N θ_k (1 − θ_k)`.
    pub fn count_variances(&self) -> Vec<f64> {
        let n = self.trials as f64;
        self.theta.iter().map(|t| n * t * (1.0 - t)).collect()
    }
}

impl Distribution for Multinomial {
    type Value = Vec<i64>;
    type Moment = Vec<f64>;
    /// Sequential conditional binomials: `y_k ~ binomial(N − Σ_{j<k} y_j, θ_k / Σ_{j≥k} θ_j)`.
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Vec<i64> {
        let mut remaining_trials = self.trials as u64;
        let mut remaining_mass = 1.0;
        let mut counts = Vec::with_capacity(self.theta.len());
        for (k, &t) in self.theta.iter().enumerate() {
            let count = if k + 1 == self.theta.len() {
                remaining_trials
            } else if remaining_trials == 0 || remaining_mass <= 0.0 {
                0
            } else {
                let p = (t / remaining_mass).clamp(0.0, 1.0);
                Binomial::new(remaining_trials, p)
                    .map(|b| b.sample(rng))
                    .unwrap_or(0)
            };
            counts.push(count as i64);
            remaining_trials -= count;
            remaining_mass -= t;
        }
        counts
    }
    fn mean(&self) -> Option<Vec<f64>> {
        Some(self.expected_counts())
    }
    fn variance(&self) -> Option<Vec<f64>> {
        Some(self.count_variances())
    }
    fn support(&self) -> Support {
        Support::CountVector(self.theta.len())
    }
    fn log_density(&self, x: &Vec<i64>) -> f64 {
        if x.iter().sum::<i64>() != self.trials {
            return f64::NEG_INFINITY;
        }
        multinomial_lpmf::<f64>(x, &self.theta).unwrap_or(f64::NEG_INFINITY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::multi_normal::tests::assert_vector_moments_of;
    use crate::dist::testing::{assert_close, assert_gradient_matches};
    use proptest::prelude::*;

    #[test]
    fn values_match_scipy() {
        // scipy.stats.multinomial.logpmf(y, sum(y), theta), scipy 1.17.1.
        for (y, theta, expected) in [
            (vec![1, 2, 0], vec![0.2, 0.5, 0.3], -1.897_119_984_885_880_9),
            (
                vec![10, 0, 5, 85],
                vec![0.1, 0.0, 0.05, 0.85],
                -3.737_751_416_075_98,
            ),
            (vec![0, 0], vec![0.4, 0.6], 0.0),
        ] {
            let lp: f64 = multinomial_lpmf(&y, &theta).unwrap();
            assert_close(lp, expected, 1e-13);
        }
        let lp: f64 = multinomial_lupmf(&[1, 2, 0], &[0.2, 0.5, 0.3]).unwrap();
        assert_close(lp, 0.2f64.ln() + 2.0 * 0.5f64.ln(), 1e-15);
    }

    #[test]
    fn argument_checks_name_function_argument_value_and_rule() {
        let err = multinomial_lpmf::<f64>(&[1, 2], &[0.2, 0.5, 0.3]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "multinomial: probabilities has size 3, but must have size 2"
        );
        let err = multinomial_lpmf::<f64>(&[1, -2, 0], &[0.2, 0.5, 0.3]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "multinomial: random variable[2] is -2, but must be non-negative"
        );
        let err = multinomial_lpmf::<f64>(&[1, 2], &[0.2, 0.5]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "multinomial: sum(probabilities) is 0.7, but must be 1 (a simplex, tolerance 1e-8)"
        );
        assert_eq!(
            Multinomial::new(vec![0.5, 0.5], -1)
                .unwrap_err()
                .to_string(),
            "multinomial: trials is -1, but must be non-negative"
        );
    }

    #[test]
    fn sample_moments_match() {
        let distribution = Multinomial::new(vec![0.2, 0.5, 0.05, 0.25], 30).unwrap();
        assert_vector_moments_of(
            |rng| {
                let draw = distribution.sample(rng);
                assert_eq!(draw.iter().sum::<i64>(), 30);
                draw.iter().map(|&c| c as f64).collect()
            },
            &distribution.expected_counts(),
            &distribution.count_variances(),
        );
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(
            theta_raw in proptest::collection::vec(0.1..1.0f64, 3),
            y in proptest::collection::vec(0..6i64, 3),
        ) {
            let sum: f64 = theta_raw.iter().sum();
            let x: Vec<f64> = theta_raw[..2].iter().map(|t| t / sum).collect();
            assert_gradient_matches(
                |q| multinomial_lpmf(&y, &[q[0], q[1], 1.0 - q[0] - q[1]]),
                &x,
            );
        }
    }
}
