//! The Poisson distribution on the log scale, `poisson_log(y | alpha) = poisson(y | exp(alpha))`.

use rand::Rng;

use super::check::{check_all, check_int_all, check_not_nan, checked_len};
use super::distribution::{Distribution, Support};
use super::math::ln_factorial;
use super::partials::{log_mass, ArgPartials};
use super::poisson::{check_sampling_rate, sample_poisson};
use crate::error::Result;
use crate::real::{IntOperand, Operand, Real};

/// Log-mass of the Poisson distribution parameterised by the log-rate `α`, vectorised (Stan's
/// `poisson_log_lpmf`):
///
/// `Σ_i y_i α_i − exp(α_i) − ln y_i!`.
///
/// Evaluated without forming the rate where it matters: `y α` never meets `ln exp(α)`, so large
/// negative `α` keeps full precision, and `α = −∞` with `y = 0` has mass 1 (as Stan). A large
/// positive `α` gives `−∞` only once `exp(α)` overflows, where the true value is below
/// `−10³⁰⁰`. The partial `∂/∂α = y − exp(α)` is computed in `f64` in one pass.
///
/// # Errors
/// `y` negative, `log_rate` NaN, or vector lengths that differ:
/// `poisson_log: log_rate is NaN, but must be not NaN`.
///
/// # Reference
/// Stan Functions Reference, "Poisson distribution, log parameterization".
///
/// ```
/// // poisson(3 | e) : 3 − e − ln 6
/// let lp: f64 = ppl_core::dist::poisson_log_lpmf(3, 1.0)?;
/// assert!((lp - (3.0 - std::f64::consts::E - 6.0f64.ln())).abs() < 1e-14);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn poisson_log_lpmf<T: Real>(y: impl IntOperand, log_rate: impl Operand) -> Result<T> {
    poisson_log_log_mass::<false, T>(y, log_rate)
}

/// [`poisson_log_lpmf`] without `−Σ ln y_i!`, which depends only on the data (Stan's
/// `poisson_log_lupmf`, what `~` uses).
pub fn poisson_log_lupmf<T: Real>(y: impl IntOperand, log_rate: impl Operand) -> Result<T> {
    poisson_log_log_mass::<true, T>(y, log_rate)
}

fn poisson_log_log_mass<const PROPTO: bool, T: Real>(
    y: impl IntOperand,
    log_rate: impl Operand,
) -> Result<T> {
    const FUNCTION: &str = "poisson_log";
    // A lazy log-rate (`a[group] + b[group] .* x`, `mu + tau * eta`) drives the loop and is
    // checked in it.
    let log_rate_in_loop = log_rate.prefers_visit();
    let checks = |with_log_rate: bool| -> Result<()> {
        check_int_all(FUNCTION, "random variable", &y, "non-negative", |v| v >= 0)?;
        if with_log_rate {
            check_not_nan(FUNCTION, "log_rate", &log_rate)?;
        }
        Ok(())
    };
    let n = checked_len(
        FUNCTION,
        &[("random variable", y.size()), ("log_rate", log_rate.size())],
        log_rate_in_loop,
        checks,
    )?;
    // A scalar log-rate: its exponential is computed once.
    let scalar_log_rate = log_rate.size().is_none();
    let rate_0 = if scalar_log_rate {
        log_rate.value_at(0).exp()
    } else {
        f64::NAN
    };
    let mut log_rate_partials = ArgPartials::new(&log_rate);
    let mut out = T::accumulator();
    let mut value = 0.0;
    let mut log_rate_valid = true;
    log_rate_partials.visit(
        &log_rate,
        n,
        &mut out,
        #[inline(always)]
        |_, i, alpha| {
            log_rate_valid &= !alpha.is_nan();
            let count = y.at(i);
            let rate = if scalar_log_rate { rate_0 } else { alpha.exp() };
            let (lp, d_log_rate) = poisson_log_term(count, alpha, rate);
            value += lp;
            if !PROPTO {
                value -= ln_factorial(count);
            }
            d_log_rate
        },
    );
    if !log_rate_valid {
        checks(true)?;
    }
    log_rate_partials.apply(&mut out);
    Ok(log_mass(out, value))
}

/// `(y α − e^α, y − e^α)` for one observation given `rate = e^α`: the log-mass without
/// `ln y!` and its derivative in `α`, with `y · α = 0` for `y = 0` (so `α = −∞` is allowed) and `−∞` for `α = +∞`.
#[inline]
pub(crate) fn poisson_log_term(count: i64, log_rate: f64, rate: f64) -> (f64, f64) {
    if log_rate == f64::INFINITY {
        // An infinite rate puts no mass on any finite count.
        return (f64::NEG_INFINITY, f64::NEG_INFINITY);
    }
    let linear = if count == 0 {
        0.0
    } else {
        count as f64 * log_rate
    };
    (linear - rate, count as f64 - rate)
}

/// The Poisson distribution with a fixed log-rate, for sampling and moments.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PoissonLog {
    log_rate: f64,
}

impl PoissonLog {
    /// `poisson_log(log_rate)`.
    ///
    /// # Errors
    /// `log_rate` NaN or `+∞`, or `exp(log_rate)` above `1e18` (draws must fit an `i64`).
    pub fn new(log_rate: f64) -> Result<Self> {
        check_all(
            "poisson_log",
            "log_rate",
            &log_rate,
            "less than +inf",
            |v| v < f64::INFINITY,
        )?;
        check_sampling_rate("poisson_log", "exp(log_rate)", log_rate.exp())?;
        Ok(PoissonLog { log_rate })
    }
}

impl Distribution for PoissonLog {
    type Value = i64;
    type Moment = f64;
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> i64 {
        sample_poisson(self.log_rate.exp(), rng)
    }
    /// The mean `exp(α)`.
    fn mean(&self) -> Option<f64> {
        Some(self.log_rate.exp())
    }
    /// The variance `exp(α)`.
    fn variance(&self) -> Option<f64> {
        Some(self.log_rate.exp())
    }
    fn support(&self) -> Support {
        Support::Integers {
            lower: 0,
            upper: None,
        }
    }
    fn log_density(&self, x: &i64) -> f64 {
        poisson_log_lpmf::<f64>(*x, self.log_rate).unwrap_or(f64::NEG_INFINITY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::poisson_lpmf;
    use crate::dist::testing::{
        assert_close, assert_discrete_moments, assert_gradient_matches, assert_pmf_normalised,
    };
    use proptest::prelude::*;

    #[test]
    fn values_match_poisson_of_exp() {
        for &(y, alpha) in &[(0, -0.5), (3, 0.7), (17, 1.4), (250, 5.7)] {
            let expected: f64 = poisson_lpmf(y, f64::exp(alpha)).unwrap();
            let lp: f64 = poisson_log_lpmf(y, alpha).unwrap();
            assert_close(lp, expected, 1e-12);
        }
    }

    #[test]
    fn values_match_scipy() {
        // scipy.stats.poisson.logpmf(y, numpy.exp(alpha)), scipy 1.17.1
        for &(y, alpha, expected) in &[
            (0, -0.5, -0.606_530_659_712_633_4),
            (3, 0.7, -1.705_512_176_698_531_5),
            (17, 1.4, -13.760_273_416_981_569),
            (250, 5.7, -7.912_632_757_913_286),
        ] {
            let lp: f64 = poisson_log_lpmf(y, alpha).unwrap();
            assert_close(lp, expected, 1e-12);
        }
    }

    #[test]
    fn stable_for_large_log_rates() {
        // y = 5, α = −700: 5·(−700) − e^−700 − ln 120, exact in f64 without forming ln(e^α).
        let lp: f64 = poisson_log_lpmf(5, -700.0).unwrap();
        assert_close(lp, -3500.0 - 120.0f64.ln(), 1e-15);
        assert_eq!(poisson_log_lpmf::<f64>(0, f64::NEG_INFINITY).unwrap(), 0.0);
        assert_eq!(
            poisson_log_lpmf::<f64>(1, f64::NEG_INFINITY).unwrap(),
            f64::NEG_INFINITY
        );
        assert_eq!(
            poisson_log_lpmf::<f64>(1, f64::INFINITY).unwrap(),
            f64::NEG_INFINITY
        );
        // α = 600: 1200 − e^600 − ln 2 (e^600 ≈ 3.8e260 dominates).
        let lp: f64 = poisson_log_lpmf(2, 600.0).unwrap();
        assert_close(lp, -(600.0f64).exp(), 1e-15);
    }

    #[test]
    fn vectorised_equals_sum_of_scalars_and_lupmf_drops_factorials() {
        let y = vec![0, 4, 2];
        let alpha = vec![-0.5, 1.0, 0.9];
        let lp: f64 = poisson_log_lpmf(&y, &alpha).unwrap();
        let sum: f64 = (0..3)
            .map(|i| poisson_log_lpmf::<f64>(y[i], alpha[i]).unwrap())
            .sum();
        assert_close(lp, sum, 1e-14);
        let propto: f64 = poisson_log_lupmf(&y, &alpha).unwrap();
        assert_close(lp - propto, -(48.0f64).ln(), 1e-14);
        let broadcast: f64 = poisson_log_lpmf(&y, 0.3).unwrap();
        let sum: f64 = y
            .iter()
            .map(|&k| poisson_log_lpmf::<f64>(k, 0.3).unwrap())
            .sum();
        assert_close(broadcast, sum, 1e-14);
    }

    #[test]
    fn mass_sums_to_one() {
        assert_pmf_normalised(|y| poisson_log_lpmf::<f64>(y, 2.1).unwrap(), 0, 100);
    }

    #[test]
    fn sample_moments_match() {
        let d = PoissonLog::new(1.7).unwrap();
        assert_discrete_moments(&d, d.mean().unwrap(), d.variance().unwrap());
    }

    #[test]
    fn argument_checks_name_function_argument_value_and_rule() {
        let err = poisson_log_lpmf::<f64>(1, f64::NAN).unwrap_err();
        assert_eq!(
            err.to_string(),
            "poisson_log: log_rate is NaN, but must be not NaN"
        );
        let err = poisson_log_lpmf::<f64>(-1, 0.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "poisson_log: random variable is -1, but must be non-negative"
        );
        let err = poisson_log_lpmf::<f64>(&vec![1, 2], &vec![0.0; 3]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "poisson_log: log_rate has size 3, but must have size 2"
        );
        assert_eq!(
            PoissonLog::new(50.0).unwrap_err().to_string(),
            "poisson_log: exp(log_rate) is 5184705528587072000000, but must be at most 1e18 to sample"
        );
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(
            y in 0i64..40, a in -5.0..5.0f64, b in -3.0..3.0f64,
        ) {
            assert_gradient_matches(|x| poisson_log_lpmf(y, x[0]), &[a]);
            let ys = vec![y, 0, 3];
            assert_gradient_matches(|x| poisson_log_lpmf(&ys, &x[0..3]), &[a, b, -b]);
            assert_gradient_matches(|x| poisson_log_lupmf(&ys, x[0]), &[b]);
        }
    }
}
