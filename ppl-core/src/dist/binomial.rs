//! The binomial distribution `binomial(y | N, theta)`: successes in `N` trials of probability theta.

use rand::Rng;
use rand_distr::Distribution as _;

use super::check::{check_int_all, check_probability, common_len, leading_value};
use super::distribution::{Distribution, Support};
use super::math::{ln_factorial, log_and_log1m, multiply_log};
use super::partials::{log_mass, ArgPartials};
use crate::error::{Error, Result};
use crate::real::{IntOperand, Operand, Real};

/// Log-mass of the binomial distribution, vectorised over all arguments (Stan's
/// `binomial_lpmf`):
///
/// `Σ_i ln C(N_i, y_i) + y_i ln θ_i + (N_i − y_i) ln(1 − θ_i)`, `0 ≤ y_i ≤ N_i`,
///
/// with `0 · ln 0 = 0`, so `θ = 0` or `1` is allowed where the data permit it. The partial
/// `∂/∂θ = y/θ − (N − y)/(1 − θ)` is computed in `f64` in one pass; a scalar `θ`'s logs are
/// taken once.
///
/// # Errors
/// `trials` negative, `y` outside `[0, trials]`, `probability` not in `[0, 1]`, or vector
/// lengths that differ: `binomial: random variable is 5, but must be in [0, 3]`.
///
/// # Reference
/// Stan Functions Reference, "Binomial distribution".
///
/// ```
/// // ln(C(10, 3) 0.4³ 0.6⁷)
/// let lp: f64 = ppl_core::dist::binomial_lpmf(3, 10, 0.4)?;
/// assert!((lp - (-1.537_159_819_202_354_3)).abs() < 1e-13);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn binomial_lpmf<T: Real>(
    y: impl IntOperand,
    trials: impl IntOperand,
    probability: impl Operand,
) -> Result<T> {
    binomial_log_mass::<false, T>(y, trials, probability)
}

/// [`binomial_lpmf`] without `Σ ln C(N_i, y_i)`, which depends only on the data (Stan's
/// `binomial_lupmf`, what `~` uses).
pub fn binomial_lupmf<T: Real>(
    y: impl IntOperand,
    trials: impl IntOperand,
    probability: impl Operand,
) -> Result<T> {
    binomial_log_mass::<true, T>(y, trials, probability)
}

fn binomial_log_mass<const PROPTO: bool, T: Real>(
    y: impl IntOperand,
    trials: impl IntOperand,
    probability: impl Operand,
) -> Result<T> {
    const FUNCTION: &str = "binomial";
    check_probability(FUNCTION, "probability", &probability)?;
    let n = check_binomial_counts(FUNCTION, &y, &trials, ("probability", probability.size()))?;
    let scalar_probability = probability.size().is_none();
    let scalar_logs = log_and_log1m(leading_value(&probability));
    let mut probability_partials = ArgPartials::new(&probability);
    let mut out = T::accumulator();
    let mut value = 0.0;
    for i in 0..n {
        let (successes, failures) = (y.at(i), trials.at(i) - y.at(i));
        let theta = probability.value_at(i);
        let (log_p, log1m_p) = if scalar_probability {
            scalar_logs
        } else {
            log_and_log1m(theta)
        };
        value += multiply_log(successes as f64, log_p) + multiply_log(failures as f64, log1m_p);
        if !PROPTO {
            value += ln_choose(trials.at(i), successes);
        }
        if probability_partials.is_active() {
            let mut d_probability = 0.0;
            if successes > 0 {
                d_probability += successes as f64 / theta;
            }
            if failures > 0 {
                d_probability -= failures as f64 / (1.0 - theta);
            }
            probability_partials.add(&mut out, i, d_probability);
        }
    }
    probability_partials.apply(&mut out);
    Ok(log_mass(out, value))
}

/// `ln C(N, k)` for `0 ≤ k ≤ N` (factorial table up to 170, then log-gamma).
#[inline]
pub(crate) fn ln_choose(trials: i64, successes: i64) -> f64 {
    ln_factorial(trials) - ln_factorial(successes) - ln_factorial(trials - successes)
}

/// The checks shared by the binomial families: `trials ≥ 0`, `0 ≤ y ≤ trials` element-wise,
/// and the common length of `y`, `trials` and the probability argument (`(name, size)`).
pub(crate) fn check_binomial_counts(
    function: &'static str,
    y: &impl IntOperand,
    trials: &impl IntOperand,
    probability: (&'static str, Option<usize>),
) -> Result<usize> {
    check_int_all(function, "trials", trials, "non-negative", |v| v >= 0)?;
    check_int_all(function, "random variable", y, "non-negative", |v| v >= 0)?;
    let n = common_len(
        function,
        &[
            ("random variable", y.size()),
            ("trials", trials.size()),
            probability,
        ],
    )?;
    for i in 0..n {
        if y.at(i) > trials.at(i) {
            let label = match y.size() {
                None => "random variable".to_string(),
                Some(_) => format!("random variable[{}]", i + 1),
            };
            return Err(Error::invalid(
                function,
                label,
                y.at(i),
                format!("in [0, {}]", trials.at(i)),
            ));
        }
    }
    Ok(n)
}

/// One binomial draw (rand_distr's BINV / BTPE samplers).
pub(crate) fn sample_binomial<R: Rng + ?Sized>(trials: i64, probability: f64, rng: &mut R) -> i64 {
    // Arguments were checked by the constructors, so construction cannot fail.
    rand_distr::Binomial::new(trials.max(0) as u64, probability)
        .map(|d| d.sample(rng) as i64)
        .unwrap_or(0)
}

/// The binomial distribution with fixed trials and probability, for sampling and moments.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Binomial {
    trials: i64,
    probability: f64,
}

impl Binomial {
    /// `binomial(trials, probability)`.
    ///
    /// # Errors
    /// `trials` negative or `probability` not in `[0, 1]`.
    pub fn new(trials: i64, probability: f64) -> Result<Self> {
        check_int_all("binomial", "trials", &trials, "non-negative", |v| v >= 0)?;
        check_probability("binomial", "probability", &probability)?;
        Ok(Binomial {
            trials,
            probability,
        })
    }
}

impl Distribution for Binomial {
    type Value = i64;
    type Moment = f64;
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> i64 {
        sample_binomial(self.trials, self.probability, rng)
    }
    /// The mean `N θ`.
    fn mean(&self) -> Option<f64> {
        Some(self.trials as f64 * self.probability)
    }
    /// The variance `N θ (1 − θ)`.
    fn variance(&self) -> Option<f64> {
        Some(self.trials as f64 * self.probability * (1.0 - self.probability))
    }
    fn support(&self) -> Support {
        Support::Integers {
            lower: 0,
            upper: Some(self.trials),
        }
    }
    fn log_density(&self, x: &i64) -> f64 {
        binomial_lpmf::<f64>(*x, self.trials, self.probability).unwrap_or(f64::NEG_INFINITY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::testing::{
        assert_close, assert_discrete_moments, assert_gradient_matches, assert_pmf_normalised,
    };
    use proptest::prelude::*;

    #[test]
    fn values_match_statrs() {
        use statrs::distribution::{Binomial as StatrsBinomial, Discrete};
        for &(y, trials, p) in &[
            (0, 5, 0.3),
            (3, 10, 0.4),
            (10, 10, 0.9),
            (120, 400, 0.25),
            (1, 1000, 1e-4),
        ] {
            let expected = StatrsBinomial::new(p, trials as u64)
                .unwrap()
                .ln_pmf(y as u64);
            let lp: f64 = binomial_lpmf(y, trials, p).unwrap();
            assert_close(lp, expected, 1e-12);
        }
    }

    #[test]
    fn boundary_probabilities_and_zero_trials() {
        assert_eq!(binomial_lpmf::<f64>(0, 4, 0.0).unwrap(), 0.0);
        assert_eq!(binomial_lpmf::<f64>(4, 4, 1.0).unwrap(), 0.0);
        assert_eq!(binomial_lpmf::<f64>(1, 4, 0.0).unwrap(), f64::NEG_INFINITY);
        assert_eq!(binomial_lpmf::<f64>(0, 0, 0.3).unwrap(), 0.0);
    }

    #[test]
    fn vectorised_equals_sum_of_scalars_and_lupmf_drops_coefficients() {
        let y = vec![0, 3, 5];
        let trials = vec![2, 7, 5];
        let p = vec![0.1, 0.45, 0.8];
        let lp: f64 = binomial_lpmf(&y, &trials, &p).unwrap();
        let sum: f64 = (0..3)
            .map(|i| binomial_lpmf::<f64>(y[i], trials[i], p[i]).unwrap())
            .sum();
        assert_close(lp, sum, 1e-14);
        let propto: f64 = binomial_lupmf(&y, &trials, &p).unwrap();
        // C(2, 0) C(7, 3) C(5, 5) = 35
        assert_close(lp - propto, 35.0f64.ln(), 1e-14);
        let broadcast: f64 = binomial_lpmf(&y, 7, 0.3).unwrap();
        let sum: f64 = y
            .iter()
            .map(|&k| binomial_lpmf::<f64>(k, 7, 0.3).unwrap())
            .sum();
        assert_close(broadcast, sum, 1e-14);
    }

    #[test]
    fn mass_sums_to_one() {
        assert_pmf_normalised(|y| binomial_lpmf::<f64>(y, 40, 0.35).unwrap(), 0, 40);
    }

    #[test]
    fn sample_moments_match() {
        for d in [
            Binomial::new(20, 0.3).unwrap(),
            Binomial::new(500, 0.9).unwrap(),
        ] {
            assert_discrete_moments(&d, d.mean().unwrap(), d.variance().unwrap());
        }
    }

    #[test]
    fn argument_checks_name_function_argument_value_and_rule() {
        let err = binomial_lpmf::<f64>(5, 3, 0.5).unwrap_err();
        assert_eq!(
            err.to_string(),
            "binomial: random variable is 5, but must be in [0, 3]"
        );
        let err = binomial_lpmf::<f64>(&vec![1, 4], &vec![3, 3], 0.5).unwrap_err();
        assert_eq!(
            err.to_string(),
            "binomial: random variable[2] is 4, but must be in [0, 3]"
        );
        let err = binomial_lpmf::<f64>(-1, 3, 0.5).unwrap_err();
        assert_eq!(
            err.to_string(),
            "binomial: random variable is -1, but must be non-negative"
        );
        let err = binomial_lpmf::<f64>(0, -3, 0.5).unwrap_err();
        assert_eq!(
            err.to_string(),
            "binomial: trials is -3, but must be non-negative"
        );
        let err = binomial_lpmf::<f64>(1, 3, 1.01).unwrap_err();
        assert_eq!(
            err.to_string(),
            "binomial: probability is 1.01, but must be in [0, 1]"
        );
        let err = binomial_lpmf::<f64>(&vec![1, 2], &vec![3, 3, 3], 0.5).unwrap_err();
        assert_eq!(
            err.to_string(),
            "binomial: trials has size 3, but must have size 2"
        );
        assert_eq!(
            Binomial::new(-1, 0.5).unwrap_err().to_string(),
            "binomial: trials is -1, but must be non-negative"
        );
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(
            trials in 0i64..30, fraction in 0.0..1.0f64, p in 0.01..0.99f64, q in 0.01..0.99f64,
        ) {
            let y = (fraction * trials as f64).floor() as i64;
            assert_gradient_matches(|x| binomial_lpmf(y, trials, x[0]), &[p]);
            let ys = vec![y, 0, 3];
            let ns = vec![trials, 2, 3];
            assert_gradient_matches(|x| binomial_lpmf(&ys, &ns, &x[0..3]), &[p, q, 0.5]);
            assert_gradient_matches(|x| binomial_lupmf(&ys, &ns, x[0]), &[q]);
        }
    }
}
