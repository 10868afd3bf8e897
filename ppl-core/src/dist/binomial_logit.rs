//! The binomial distribution on the log-odds scale, `binomial_logit(y | N, alpha) = binomial(y | N, inv_logit(alpha))`.

use rand::Rng;

use super::binomial::{check_binomial_counts, ln_choose, sample_binomial};
use super::check::{check_finite, check_int_all, checked_len};
use super::distribution::{Distribution, Support};
use super::partials::{log_mass, ArgPartials};
use crate::error::Result;
use crate::real::{IntOperand, Operand, Real};
use crate::special::{inv_logit, log1p_exp};

/// Log-mass of the binomial distribution parameterised by log-odds `α`, vectorised over all
/// arguments (Stan's `binomial_logit_lpmf`):
///
/// `Σ_i ln C(N_i, y_i) − y_i ln(1 + e^−α_i) − (N_i − y_i) ln(1 + e^α_i)`,
///
/// evaluated with a stable softplus. The partial `∂/∂α = y − N inv_logit(α)` is computed in
/// `f64` in one pass.
///
/// # Errors
/// `trials` negative, `y` outside `[0, trials]`, `log_odds` not finite, or vector lengths
/// that differ: `binomial_logit: log_odds is inf, but must be finite`.
///
/// # Reference
/// Stan Functions Reference, "Binomial distribution, logit parameterization".
///
/// ```
/// // binomial(3 | 10, inv_logit(0)) = C(10, 3) / 2¹⁰
/// let lp: f64 = ppl_core::dist::binomial_logit_lpmf(3, 10, 0.0)?;
/// assert!((lp - (120.0f64 / 1024.0).ln()).abs() < 1e-14);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn binomial_logit_lpmf<T: Real>(
    y: impl IntOperand,
    trials: impl IntOperand,
    log_odds: impl Operand,
) -> Result<T> {
    binomial_logit_log_mass::<false, T>(y, trials, log_odds)
}

/// [`binomial_logit_lpmf`] without `Σ ln C(N_i, y_i)`, which depends only on the data (Stan's
/// `binomial_logit_lupmf`, what `~` uses).
pub fn binomial_logit_lupmf<T: Real>(
    y: impl IntOperand,
    trials: impl IntOperand,
    log_odds: impl Operand,
) -> Result<T> {
    binomial_logit_log_mass::<true, T>(y, trials, log_odds)
}

fn binomial_logit_log_mass<const PROPTO: bool, T: Real>(
    y: impl IntOperand,
    trials: impl IntOperand,
    log_odds: impl Operand,
) -> Result<T> {
    const FUNCTION: &str = "binomial_logit";
    // Lazy log-odds (`a[group] + b[group] .* x`, `mu + tau * eta`) drive the loop and are
    // checked in it; they come first in the order of the checks.
    let checks = |with_log_odds: bool| -> Result<()> {
        if with_log_odds {
            check_finite(FUNCTION, "log_odds", &log_odds)?;
        }
        check_binomial_counts(FUNCTION, &y, &trials, ("log_odds", log_odds.size())).map(|_| ())
    };
    let n = checked_len(
        FUNCTION,
        &[
            ("random variable", y.size()),
            ("trials", trials.size()),
            ("log_odds", log_odds.size()),
        ],
        log_odds.prefers_visit(),
        checks,
    )?;
    let mut log_odds_partials = ArgPartials::new(&log_odds);
    let mut out = T::accumulator();
    let mut value = 0.0;
    let mut log_odds_valid = true;
    log_odds_partials.visit(
        &log_odds,
        n,
        &mut out,
        #[inline(always)]
        |_, i, alpha| {
            log_odds_valid &= alpha.is_finite();
            let (successes, trials_i) = (y.at(i), trials.at(i));
            let failures = trials_i - successes;
            if successes > 0 {
                value -= successes as f64 * log1p_exp(-alpha);
            }
            if failures > 0 {
                value -= failures as f64 * log1p_exp(alpha);
            }
            if !PROPTO {
                value += ln_choose(trials_i, successes);
            }
            successes as f64 - trials_i as f64 * inv_logit(alpha)
        },
    );
    if !log_odds_valid {
        checks(true)?;
    }
    log_odds_partials.apply(&mut out);
    Ok(log_mass(out, value))
}

/// The binomial distribution with fixed trials and log-odds, for sampling and moments.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BinomialLogit {
    trials: i64,
    log_odds: f64,
}

impl BinomialLogit {
    /// `binomial_logit(trials, log_odds)`.
    ///
    /// # Errors
    /// `trials` negative or `log_odds` not finite.
    pub fn new(trials: i64, log_odds: f64) -> Result<Self> {
        check_int_all("binomial_logit", "trials", &trials, "non-negative", |v| {
            v >= 0
        })?;
        check_finite("binomial_logit", "log_odds", &log_odds)?;
        Ok(BinomialLogit { trials, log_odds })
    }
}

impl Distribution for BinomialLogit {
    type Value = i64;
    type Moment = f64;
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> i64 {
        sample_binomial(self.trials, inv_logit(self.log_odds), rng)
    }
    /// The mean `N inv_logit(α)`.
    fn mean(&self) -> Option<f64> {
        Some(self.trials as f64 * inv_logit(self.log_odds))
    }
    /// The variance `N inv_logit(α) inv_logit(−α)`.
    fn variance(&self) -> Option<f64> {
        Some(self.trials as f64 * inv_logit(self.log_odds) * inv_logit(-self.log_odds))
    }
    fn support(&self) -> Support {
        Support::Integers {
            lower: 0,
            upper: Some(self.trials),
        }
    }
    fn log_density(&self, x: &i64) -> f64 {
        binomial_logit_lpmf::<f64>(*x, self.trials, self.log_odds).unwrap_or(f64::NEG_INFINITY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::binomial_lpmf;
    use crate::dist::testing::{
        assert_close, assert_discrete_moments, assert_gradient_matches, assert_pmf_normalised,
    };
    use proptest::prelude::*;

    #[test]
    fn values_match_binomial_of_inv_logit() {
        for &(y, trials, alpha) in &[(0, 5, 0.3), (3, 10, -0.4), (10, 10, 2.0), (120, 400, -1.1)] {
            let expected: f64 = binomial_lpmf(y, trials, inv_logit(alpha)).unwrap();
            let lp: f64 = binomial_logit_lpmf(y, trials, alpha).unwrap();
            assert_close(lp, expected, 1e-12);
        }
    }

    #[test]
    fn values_match_scipy() {
        // scipy.stats.binom.logpmf(y, n, scipy.special.expit(alpha)), scipy 1.17.1
        for &(y, trials, alpha, expected) in &[
            (3, 10, -0.4, -1.542_660_781_217_479_3),
            (10, 10, 2.0, -1.269_280_110_429_726_4),
            (120, 400, -1.1, -5.723_539_885_309_648),
            (0, 7, 3.0, -21.340_111_461_016_217),
        ] {
            let lp: f64 = binomial_logit_lpmf(y, trials, alpha).unwrap();
            assert_close(lp, expected, 1e-12);
        }
    }

    #[test]
    fn stable_for_large_log_odds() {
        // y = N: N ln inv_logit(α) = −N ln(1 + e^−α) ≈ −N e^−α for large α.
        let lp: f64 = binomial_logit_lpmf(4, 4, 40.0).unwrap();
        assert_close(lp / (-4.0 * (-40.0f64).exp()), 1.0, 1e-12);
        let lp: f64 = binomial_logit_lpmf(0, 4, 800.0).unwrap();
        assert_eq!(lp, -3200.0);
    }

    #[test]
    fn vectorised_equals_sum_of_scalars_and_lupmf_drops_coefficients() {
        let y = vec![0, 3, 5];
        let trials = vec![2, 7, 5];
        let alpha = vec![-1.0, 0.2, 1.7];
        let lp: f64 = binomial_logit_lpmf(&y, &trials, &alpha).unwrap();
        let sum: f64 = (0..3)
            .map(|i| binomial_logit_lpmf::<f64>(y[i], trials[i], alpha[i]).unwrap())
            .sum();
        assert_close(lp, sum, 1e-14);
        let propto: f64 = binomial_logit_lupmf(&y, &trials, &alpha).unwrap();
        assert_close(lp - propto, 35.0f64.ln(), 1e-14);
    }

    #[test]
    fn mass_sums_to_one() {
        assert_pmf_normalised(|y| binomial_logit_lpmf::<f64>(y, 25, -0.7).unwrap(), 0, 25);
    }

    #[test]
    fn sample_moments_match() {
        let d = BinomialLogit::new(30, 0.4).unwrap();
        assert_discrete_moments(&d, d.mean().unwrap(), d.variance().unwrap());
    }

    #[test]
    fn argument_checks_name_function_argument_value_and_rule() {
        let err = binomial_logit_lpmf::<f64>(1, 3, f64::INFINITY).unwrap_err();
        assert_eq!(
            err.to_string(),
            "binomial_logit: log_odds is inf, but must be finite"
        );
        let err = binomial_logit_lpmf::<f64>(4, 3, 0.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "binomial_logit: random variable is 4, but must be in [0, 3]"
        );
        let err = binomial_logit_lpmf::<f64>(&vec![1, 2], 3, &vec![0.0; 3]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "binomial_logit: log_odds has size 3, but must have size 2"
        );
        assert_eq!(
            BinomialLogit::new(-2, 0.0).unwrap_err().to_string(),
            "binomial_logit: trials is -2, but must be non-negative"
        );
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(
            trials in 0i64..30, fraction in 0.0..1.0f64, a in -8.0..8.0f64, b in -3.0..3.0f64,
        ) {
            let y = (fraction * trials as f64).floor() as i64;
            assert_gradient_matches(|x| binomial_logit_lpmf(y, trials, x[0]), &[a]);
            let ys = vec![y, 0, 3];
            let ns = vec![trials, 2, 3];
            assert_gradient_matches(|x| binomial_logit_lpmf(&ys, &ns, &x[0..3]), &[a, b, -b]);
            assert_gradient_matches(|x| binomial_logit_lupmf(&ys, &ns, x[0]), &[b]);
        }
    }
}
