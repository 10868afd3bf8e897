//! The Poisson distribution `poisson(y | lambda)`, plus the Poisson sampler and rate check its relatives share.

use rand::Rng;
use rand_distr::Distribution as _;

use super::check::{check_all, check_int_all, check_nonnegative, common_len, leading_value};
use super::distribution::{Distribution, Support};
use super::math::{ln_factorial, multiply_log};
use super::partials::{log_mass, ArgPartials};
use crate::error::Result;
use crate::real::{IntOperand, Operand, Real};

/// Log-mass of the Poisson distribution, vectorised over both arguments (Stan's
/// `poisson_lpmf`):
///
/// `Σ_i y_i ln λ_i − λ_i − ln y_i!`, with `0 · ln 0 = 0` (so `poisson(0 | 0) = 1`).
///
/// The partial `∂/∂λ = y/λ − 1` is computed in `f64` in one pass; a scalar rate's partials are
/// summed and applied once.
///
/// # Errors
/// `y` negative, `rate` negative or not finite, or vector lengths that differ:
/// `poisson: rate is -1, but must be non-negative and finite`.
///
/// # Reference
/// Stan Functions Reference, "Poisson distribution".
///
/// ```
/// // ln(e^-2 · 2^3 / 3!)
/// let lp: f64 = ppl_core::dist::poisson_lpmf(3, 2.0)?;
/// assert!((lp - (-1.712_317_927_548_219_2)).abs() < 1e-14);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn poisson_lpmf<T: Real>(y: impl IntOperand, rate: impl Operand) -> Result<T> {
    poisson_log_mass::<false, T>(y, rate)
}

/// [`poisson_lpmf`] without `−Σ ln y_i!`, which depends only on the data (Stan's
/// `poisson_lupmf`, what `~` uses).
pub fn poisson_lupmf<T: Real>(y: impl IntOperand, rate: impl Operand) -> Result<T> {
    poisson_log_mass::<true, T>(y, rate)
}

fn poisson_log_mass<const PROPTO: bool, T: Real>(
    y: impl IntOperand,
    rate: impl Operand,
) -> Result<T> {
    const FUNCTION: &str = "poisson";
    check_int_all(FUNCTION, "random variable", &y, "non-negative", |v| v >= 0)?;
    check_nonnegative(FUNCTION, "rate", &rate)?;
    let n = common_len(
        FUNCTION,
        &[("random variable", y.size()), ("rate", rate.size())],
    )?;
    let scalar_rate = rate.size().is_none();
    let log_rate_0 = leading_value(&rate).ln();
    let mut rate_partials = ArgPartials::new(&rate);
    let mut out = T::accumulator();
    let mut value = 0.0;
    for i in 0..n {
        let (count, lambda) = (y.at(i), rate.value_at(i));
        let log_lambda = if scalar_rate { log_rate_0 } else { lambda.ln() };
        value += multiply_log(count as f64, log_lambda) - lambda;
        if !PROPTO {
            value -= ln_factorial(count);
        }
        if rate_partials.is_active() {
            let d_rate = if count == 0 {
                -1.0
            } else {
                count as f64 / lambda - 1.0
            };
            rate_partials.add(&mut out, i, d_rate);
        }
    }
    rate_partials.apply(&mut out);
    Ok(log_mass(out, value))
}

/// The Poisson distribution with a fixed rate, for sampling and moments.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Poisson {
    rate: f64,
}

impl Poisson {
    /// `poisson(rate)`.
    ///
    /// # Errors
    /// `rate` negative, not finite, or above `1e18` (draws must fit an `i64`).
    pub fn new(rate: f64) -> Result<Self> {
        check_sampling_rate("poisson", "rate", rate)?;
        Ok(Poisson { rate })
    }
}

impl Distribution for Poisson {
    type Value = i64;
    type Moment = f64;
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> i64 {
        sample_poisson(self.rate, rng)
    }
    /// The mean `λ`.
    fn mean(&self) -> Option<f64> {
        Some(self.rate)
    }
    /// The variance `λ`.
    fn variance(&self) -> Option<f64> {
        Some(self.rate)
    }
    fn support(&self) -> Support {
        Support::Integers {
            lower: 0,
            upper: None,
        }
    }
    fn log_density(&self, x: &i64) -> f64 {
        poisson_lpmf::<f64>(*x, self.rate).unwrap_or(f64::NEG_INFINITY)
    }
}

/// The largest Poisson rate the samplers accept, so that every draw fits an `i64`.
pub(crate) const MAX_SAMPLING_RATE: f64 = 1e18;

/// `rate` is non-negative, finite and at most [`MAX_SAMPLING_RATE`].
pub(crate) fn check_sampling_rate(
    function: &'static str,
    name: &'static str,
    rate: f64,
) -> Result<()> {
    check_nonnegative(function, name, &rate)?;
    check_all(function, name, &rate, "at most 1e18 to sample", |v| {
        v <= MAX_SAMPLING_RATE
    })
}

/// One Poisson draw (rand_distr's Knuth / PTRS samplers); a zero rate gives 0.
pub(crate) fn sample_poisson<R: Rng + ?Sized>(rate: f64, rng: &mut R) -> i64 {
    if rate <= 0.0 {
        return 0;
    }
    // `rate` is positive and finite (checked by the constructors), so this cannot fail; the
    // `as` cast saturates in the impossible tail beyond `i64::MAX`.
    rand_distr::Poisson::new(rate)
        .map(|d| d.sample(rng) as i64)
        .unwrap_or(i64::MAX)
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
        use statrs::distribution::{Discrete, Poisson as StatrsPoisson};
        for &(y, rate) in &[(0, 0.5), (3, 2.0), (17, 4.2), (250, 300.0), (0, 1e-8)] {
            let expected = StatrsPoisson::new(rate).unwrap().ln_pmf(y as u64);
            let lp: f64 = poisson_lpmf(y, rate).unwrap();
            assert_close(lp, expected, 1e-12);
        }
    }

    #[test]
    fn zero_rate_puts_all_mass_at_zero() {
        assert_eq!(poisson_lpmf::<f64>(0, 0.0).unwrap(), 0.0);
        assert_eq!(poisson_lpmf::<f64>(2, 0.0).unwrap(), f64::NEG_INFINITY);
    }

    #[test]
    fn vectorised_equals_sum_of_scalars_and_lupmf_drops_factorials() {
        let y = vec![0, 4, 2];
        let rate = vec![0.5, 3.0, 2.5];
        let lp: f64 = poisson_lpmf(&y, &rate).unwrap();
        let sum: f64 = (0..3)
            .map(|i| poisson_lpmf::<f64>(y[i], rate[i]).unwrap())
            .sum();
        assert_close(lp, sum, 1e-14);
        let propto: f64 = poisson_lupmf(&y, &rate).unwrap();
        // ln 0! + ln 4! + ln 2! = ln 48
        assert_close(lp - propto, -(48.0f64).ln(), 1e-14);
        // A scalar rate broadcasts.
        let broadcast: f64 = poisson_lpmf(&y, 2.0).unwrap();
        let sum: f64 = y
            .iter()
            .map(|&k| poisson_lpmf::<f64>(k, 2.0).unwrap())
            .sum();
        assert_close(broadcast, sum, 1e-14);
    }

    #[test]
    fn mass_sums_to_one() {
        assert_pmf_normalised(|y| poisson_lpmf::<f64>(y, 3.7).unwrap(), 0, 100);
        assert_pmf_normalised(|y| poisson_lpmf::<f64>(y, 150.0).unwrap(), 0, 600);
    }

    #[test]
    fn sample_moments_match() {
        assert_discrete_moments(&Poisson::new(3.5).unwrap(), 3.5, 3.5);
        assert_discrete_moments(&Poisson::new(40.0).unwrap(), 40.0, 40.0);
        let zero = Poisson::new(0.0).unwrap();
        let mut rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(1);
        assert_eq!(zero.sample(&mut rng), 0);
    }

    #[test]
    fn argument_checks_name_function_argument_value_and_rule() {
        let err = poisson_lpmf::<f64>(1, -1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "poisson: rate is -1, but must be non-negative and finite"
        );
        let err = poisson_lpmf::<f64>(1, f64::INFINITY).unwrap_err();
        assert_eq!(
            err.to_string(),
            "poisson: rate is inf, but must be non-negative and finite"
        );
        let err = poisson_lpmf::<f64>(&vec![0, -2], 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "poisson: random variable[2] is -2, but must be non-negative"
        );
        let err = poisson_lpmf::<f64>(&vec![0, 1, 2], &vec![1.0, 2.0]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "poisson: rate has size 2, but must have size 3"
        );
        assert_eq!(
            Poisson::new(1e19).unwrap_err().to_string(),
            "poisson: rate is 10000000000000000000, but must be at most 1e18 to sample"
        );
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(
            y in 0i64..30, log_rate in -3.0..4.0f64, shift in -1.0..1.0f64,
        ) {
            assert_gradient_matches(|x| poisson_lpmf(y, x[0]), &[log_rate.exp()]);
            let ys = vec![y, 0, y + 2];
            assert_gradient_matches(
                |x| poisson_lpmf(&ys, &x[0..3]),
                &[log_rate.exp(), (log_rate + shift).exp(), 0.5],
            );
            assert_gradient_matches(|x| poisson_lupmf(&ys, x[0]), &[log_rate.exp()]);
        }
    }
}
