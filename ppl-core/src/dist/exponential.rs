//! The exponential distribution `exponential(y | beta)`, beta the RATE (mean `1/beta`), as in Stan.

use rand::Rng;
use rand_distr::Distribution as _;

use super::check::{check_not_negative, check_positive_finite, common_len};
use super::distribution::{Distribution, Support};
use super::partials::ArgPartials;
use crate::data::{include_summand, is_data};
use crate::error::Result;
use crate::real::{Operand, Real};

/// Log-density of the exponential distribution with rate `β`, vectorised over both arguments
/// (Stan's `exponential_lpdf`):
///
/// `Σ_i ln β_i − β_i y_i`, `y_i ≥ 0`.
///
/// Scalars broadcast; vectors must share one length. Partials `∂/∂y = −β`,
/// `∂/∂β = 1/β − y`, computed in `f64` in one pass.
///
/// # Errors
/// `y` negative or NaN, `beta` not positive and finite, or vector lengths that differ:
/// `exponential: random variable is -1, but must be non-negative`. `y = +∞` gives `−∞`.
///
/// # Reference
/// Stan Functions Reference, "Exponential distribution".
///
/// ```
/// let lp: f64 = ppl_core::dist::exponential_lpdf(2.0, 0.5)?;
/// assert!((lp - (0.5f64.ln() - 1.0)).abs() < 1e-15);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn exponential_lpdf<T: Real>(y: impl Operand, beta: impl Operand) -> Result<T> {
    exponential_log_density::<false, T>(y, beta)
}

/// The same as [`exponential_lpdf`], which has no constant term (Stan's `exponential_lupdf`,
/// what `~` uses), but without `Σ ln β_i` when `beta` is [`crate::Data`].
pub fn exponential_lupdf<T: Real>(y: impl Operand, beta: impl Operand) -> Result<T> {
    exponential_log_density::<true, T>(y, beta)
}

fn exponential_log_density<const PROPTO: bool, T: Real>(
    y: impl Operand,
    beta: impl Operand,
) -> Result<T> {
    const FUNCTION: &str = "exponential";
    check_not_negative(FUNCTION, "random variable", &y)?;
    check_positive_finite(FUNCTION, "rate", &beta)?;
    let n = common_len(
        FUNCTION,
        &[("random variable", y.size()), ("rate", beta.size())],
    )?;
    // `ln β` is dropped from the unnormalised form when β is data (Stan's `~`), and then not
    // computed.
    let include_log_beta = include_summand::<PROPTO>(is_data(&beta));
    let mut value = 0.0;
    let mut out = T::accumulator();
    let mut y_partials = ArgPartials::new(&y);
    let mut beta_partials = ArgPartials::new(&beta);
    for i in 0..n {
        let (y_i, beta_i) = (y.value_at(i), beta.value_at(i));
        let log_beta = if include_log_beta { beta_i.ln() } else { 0.0 };
        value += log_beta - beta_i * y_i;
        y_partials.add(&mut out, i, -beta_i);
        beta_partials.add(&mut out, i, 1.0 / beta_i - y_i);
    }
    if value == f64::NEG_INFINITY {
        return Ok(T::constant(value));
    }
    y_partials.apply(&mut out);
    beta_partials.apply(&mut out);
    Ok(out + value)
}

/// The exponential distribution with a fixed rate, for sampling and moments.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Exponential {
    beta: f64,
}

impl Exponential {
    /// `exponential(beta)`, `beta` the rate.
    ///
    /// # Errors
    /// `beta` not positive and finite.
    pub fn new(beta: f64) -> Result<Self> {
        check_positive_finite("exponential", "rate", &beta)?;
        Ok(Exponential { beta })
    }
}

impl Distribution for Exponential {
    type Value = f64;
    type Moment = f64;
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        // Parameters were checked by `new`, so construction cannot fail.
        rand_distr::Exp::new(self.beta)
            .map(|d| d.sample(rng))
            .unwrap_or(f64::NAN)
    }
    fn mean(&self) -> Option<f64> {
        Some(1.0 / self.beta)
    }
    fn variance(&self) -> Option<f64> {
        Some(1.0 / (self.beta * self.beta))
    }
    fn support(&self) -> Support {
        Support::LowerBounded(0.0)
    }
    fn log_density(&self, x: &f64) -> f64 {
        exponential_lpdf::<f64>(*x, self.beta).unwrap_or(f64::NEG_INFINITY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::testing::{
        assert_close, assert_gradient_matches, assert_moments, assert_normalised,
    };
    use proptest::prelude::*;

    #[test]
    fn values_match_statrs() {
        use statrs::distribution::{Continuous, Exp};
        for &(y, beta) in &[(0.0, 1.0), (1.5, 2.0), (40.0, 0.5), (1e-3, 1e3)] {
            let expected = Exp::new(beta).unwrap().ln_pdf(y);
            let lp: f64 = exponential_lpdf(y, beta).unwrap();
            assert_close(lp, expected, 1e-13);
        }
        let at_infinity: f64 = exponential_lpdf(f64::INFINITY, 1.0).unwrap();
        assert_eq!(at_infinity, f64::NEG_INFINITY);
    }

    #[test]
    fn vectorised_equals_sum_of_scalars() {
        let y = vec![0.5, 1.0, 2.0];
        let beta = vec![1.0, 0.3, 2.5];
        let lp: f64 = exponential_lpdf(&y, &beta).unwrap();
        let sum: f64 = (0..3)
            .map(|i| exponential_lpdf::<f64>(y[i], beta[i]).unwrap())
            .sum();
        assert_close(lp, sum, 1e-14);
        let propto: f64 = exponential_lupdf(&y, &beta).unwrap();
        assert_eq!(lp, propto);
    }

    #[test]
    fn normalised_by_quadrature() {
        assert_normalised(|y| exponential_lpdf::<f64>(y, 0.5).unwrap(), 0.0, 80.0);
    }

    #[test]
    fn sample_moments_match() {
        assert_moments(&Exponential::new(2.5).unwrap());
    }

    #[test]
    fn argument_checks_name_function_argument_value_and_rule() {
        let err = exponential_lpdf::<f64>(-1.0, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "exponential: random variable is -1, but must be non-negative"
        );
        let err = exponential_lpdf::<f64>(1.0, 0.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "exponential: rate is 0, but must be positive and finite"
        );
        let err = exponential_lpdf::<f64>(&vec![1.0, f64::NAN], 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "exponential: random variable[2] is NaN, but must be non-negative"
        );
        let err = exponential_lpdf::<f64>(&vec![1.0; 3], &vec![1.0; 2]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "exponential: rate has size 2, but must have size 3"
        );
        assert_eq!(
            Exponential::new(f64::INFINITY).unwrap_err().to_string(),
            "exponential: rate is inf, but must be positive and finite"
        );
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(y in 0.0..10.0f64, log_beta in -2.0..2.0f64) {
            let beta = log_beta.exp();
            assert_gradient_matches(|x| exponential_lpdf(x[0], x[1]), &[y + 1e-3, beta]);
            assert_gradient_matches(
                |x| exponential_lpdf(&x[0..2], x[2]),
                &[y + 1e-3, 0.5 * y + 1e-3, beta],
            );
            assert_gradient_matches(|x| exponential_lpdf(x[0], &x[1..3]), &[y + 1e-3, beta, 0.5]);
        }
    }

    /// With data `beta` the unnormalised form drops `Σ ln β_i`.
    #[test]
    fn data_rate_drops_its_log() {
        use crate::dist::testing::assert_data_drops;
        let beta = [0.5, 2.0, 3.0];
        let log_beta_sum: f64 = beta.iter().map(|b: &f64| b.ln()).sum();
        assert_data_drops!(
            exponential_lpdf,
            exponential_lupdf,
            |x, data| (&x[0..3], data(&beta[..])),
            [0.2, 1.5, 4.0],
            log_beta_sum,
        );
    }
}
