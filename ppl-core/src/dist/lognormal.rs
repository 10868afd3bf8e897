//! The lognormal distribution `lognormal(y | mu, sigma)`: `ln y ~ normal(mu, sigma)`.

use rand::Rng;
use rand_distr::Distribution as _;

use super::check::{check_finite, check_not_negative, check_positive_finite, LocationScaleChecks};
use super::distribution::{Distribution, Support};
use super::partials::ArgPartials;
use crate::data::{include_summand, is_data};
use crate::error::Result;
use crate::real::{Operand, Real};
use crate::special::LN_SQRT_2PI;

/// Log-density of the lognormal distribution, vectorised over all arguments (Stan's
/// `lognormal_lpdf`):
///
/// `Σ_i −ln σ_i − ½ z_i² − ln y_i − ln √(2π)`, with `z_i = (ln y_i − μ_i) / σ_i`.
///
/// Scalars broadcast; vectors must share one length. Partials in `f64` in one pass:
/// `∂/∂y = −(z/σ + 1)/y`, `∂/∂μ = z/σ`, `∂/∂σ = (z² − 1)/σ`.
///
/// # Errors
/// `y` negative or NaN, `mu` not finite, `sigma` not positive and finite, or vector lengths that
/// differ: `lognormal: random variable is -1, but must be non-negative`. As in Stan, `y = 0`
/// (and `y = +∞`) is not an error: the log-density is `−∞`.
///
/// # Reference
/// Stan Functions Reference, "Lognormal distribution".
///
/// ```
/// let lp: f64 = ppl_core::dist::lognormal_lpdf(1.0, 0.0, 1.0)?;
/// assert!((lp - (-0.918_938_533_204_672_7)).abs() < 1e-15);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn lognormal_lpdf<T: Real>(
    y: impl Operand,
    mu: impl Operand,
    sigma: impl Operand,
) -> Result<T> {
    lognormal_log_density::<false, T>(y, mu, sigma)
}

/// [`lognormal_lpdf`] without the constant `−n ln √(2π)` (Stan's `lognormal_lupdf`, what `~`
/// uses), without `−Σ ln σ_i` when `sigma` is [`crate::Data`] and `−Σ ln y_i` when `y` is.
pub fn lognormal_lupdf<T: Real>(
    y: impl Operand,
    mu: impl Operand,
    sigma: impl Operand,
) -> Result<T> {
    lognormal_log_density::<true, T>(y, mu, sigma)
}

fn lognormal_log_density<const PROPTO: bool, T: Real>(
    y: impl Operand,
    mu: impl Operand,
    sigma: impl Operand,
) -> Result<T> {
    const FUNCTION: &str = "lognormal";
    // A lazy location (`a[group] + b[group] .* x`, `mu + tau * eta`) drives the loop and is
    // checked in it.
    let checks = LocationScaleChecks::new(FUNCTION, check_not_negative, &y, &mu, &sigma);
    let n = checks.len()?;
    // `−ln σ` is dropped from the unnormalised form when σ is data (Stan's `~`).
    let include_log_sigma = include_summand::<PROPTO>(is_data(&sigma));
    // `−ln y` likewise when y is data.
    let include_log_y = include_summand::<PROPTO>(is_data(&y));
    let mut value = 0.0;
    let mut out = T::accumulator();
    let mut y_partials = ArgPartials::new(&y);
    let mut mu_partials = ArgPartials::new(&mu);
    let mut sigma_partials = ArgPartials::new(&sigma);
    let mut location_valid = true;
    let mut variate_at_edge = false;
    mu_partials.visit(
        &mu,
        n,
        &mut out,
        #[inline(always)]
        |out, i, mu_i| {
            location_valid &= mu_i.is_finite();
            let (y_i, sigma_i) = (y.value_at(i), sigma.value_at(i));
            // The density is 0 there; the element's terms are discarded after the loop.
            variate_at_edge |= y_i == 0.0 || y_i == f64::INFINITY;
            let inv_sigma = 1.0 / sigma_i;
            let log_sigma = if include_log_sigma { sigma_i.ln() } else { 0.0 };
            let log_y = y_i.ln();
            let z = (log_y - mu_i) * inv_sigma;
            let kept_log_y = if include_log_y { log_y } else { 0.0 };
            value -= 0.5 * z * z + log_sigma + kept_log_y;
            let d_mu = z * inv_sigma;
            y_partials.add(out, i, -(d_mu + 1.0) / y_i);
            sigma_partials.add(out, i, (z * z - 1.0) * inv_sigma);
            // `∂/∂μ`, which `mu` adds to its tangents.
            d_mu
        },
    );
    if !location_valid {
        checks.run(true)?;
    }
    if variate_at_edge {
        return Ok(T::constant(f64::NEG_INFINITY));
    }
    y_partials.apply(&mut out);
    mu_partials.apply(&mut out);
    sigma_partials.apply(&mut out);
    if !PROPTO {
        value -= n as f64 * LN_SQRT_2PI;
    }
    Ok(out + value)
}

/// The lognormal distribution with fixed parameters, for sampling and moments.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lognormal {
    mu: f64,
    sigma: f64,
}

impl Lognormal {
    /// `lognormal(mu, sigma)`.
    ///
    /// # Errors
    /// `mu` not finite or `sigma` not positive and finite.
    pub fn new(mu: f64, sigma: f64) -> Result<Self> {
        check_finite("lognormal", "location", &mu)?;
        check_positive_finite("lognormal", "scale", &sigma)?;
        Ok(Lognormal { mu, sigma })
    }
}

impl Distribution for Lognormal {
    type Value = f64;
    type Moment = f64;
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        // Parameters were checked by `new`, so construction cannot fail.
        rand_distr::LogNormal::new(self.mu, self.sigma)
            .map(|d| d.sample(rng))
            .unwrap_or(f64::NAN)
    }
    /// `exp(μ + σ²/2)`.
    fn mean(&self) -> Option<f64> {
        Some((self.mu + 0.5 * self.sigma * self.sigma).exp())
    }
    /// `(exp(σ²) − 1) exp(2μ + σ²)`.
    fn variance(&self) -> Option<f64> {
        let sigma_squared = self.sigma * self.sigma;
        Some(sigma_squared.exp_m1() * (2.0 * self.mu + sigma_squared).exp())
    }
    fn support(&self) -> Support {
        Support::LowerBounded(0.0)
    }
    fn log_density(&self, x: &f64) -> f64 {
        lognormal_lpdf::<f64>(*x, self.mu, self.sigma).unwrap_or(f64::NEG_INFINITY)
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
        use statrs::distribution::{Continuous, LogNormal};
        for &(y, mu, sigma) in &[
            (1.0, 0.0, 1.0),
            (1.5, -0.3, 2.0),
            (1e-6, 1.0, 0.5),
            (30.0, 3.0, 1e-2),
        ] {
            let expected = LogNormal::new(mu, sigma).unwrap().ln_pdf(y);
            let lp: f64 = lognormal_lpdf(y, mu, sigma).unwrap();
            assert_close(lp, expected, 1e-12);
        }
        let at_zero: f64 = lognormal_lpdf(&vec![1.0, 0.0], 0.0, 1.0).unwrap();
        assert_eq!(at_zero, f64::NEG_INFINITY);
    }

    #[test]
    fn vectorised_equals_sum_of_scalars() {
        let y = vec![0.5, 1.0, 2.0];
        let mu = vec![0.0, 0.1, 0.2];
        let lp: f64 = lognormal_lpdf(&y, &mu, 1.5).unwrap();
        let sum: f64 = (0..3)
            .map(|i| lognormal_lpdf::<f64>(y[i], mu[i], 1.5).unwrap())
            .sum();
        assert_close(lp, sum, 1e-14);
        let propto: f64 = lognormal_lupdf(&y, &mu, 1.5).unwrap();
        assert_close(lp - propto, -3.0 * LN_SQRT_2PI, 1e-14);
    }

    #[test]
    fn normalised_by_quadrature() {
        assert_normalised(|y| lognormal_lpdf::<f64>(y, 0.5, 0.4).unwrap(), 0.0, 40.0);
    }

    #[test]
    fn sample_moments_match() {
        assert_moments(&Lognormal::new(0.5, 0.4).unwrap());
    }

    #[test]
    fn argument_checks_name_function_argument_value_and_rule() {
        let err = lognormal_lpdf::<f64>(-1.0, 0.0, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "lognormal: random variable is -1, but must be non-negative"
        );
        let err = lognormal_lpdf::<f64>(1.0, f64::NAN, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "lognormal: location is NaN, but must be finite"
        );
        let err = lognormal_lpdf::<f64>(1.0, 0.0, &vec![1.0, 0.0]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "lognormal: scale[2] is 0, but must be positive and finite"
        );
        let err = lognormal_lpdf::<f64>(&vec![1.0; 3], &vec![0.0; 2], 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "lognormal: location has size 2, but must have size 3"
        );
        assert_eq!(
            Lognormal::new(0.0, -1.0).unwrap_err().to_string(),
            "lognormal: scale is -1, but must be positive and finite"
        );
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(
            log_y in -3.0..3.0f64, mu in -3.0..3.0f64, log_sigma in -2.0..2.0f64,
        ) {
            let (y, sigma) = (log_y.exp(), log_sigma.exp());
            assert_gradient_matches(|x| lognormal_lpdf(x[0], x[1], x[2]), &[y, mu, sigma]);
            assert_gradient_matches(
                |x| lognormal_lpdf(&x[0..2], &x[2..4], x[4]),
                &[y, 2.0 * y, mu, 0.5 * mu, sigma],
            );
            assert_gradient_matches(
                |x| lognormal_lpdf(x[0], x[1], &x[2..4]),
                &[y, mu, sigma, 0.7],
            );
        }
    }

    /// With data `sigma` the unnormalised form drops `−Σ ln σ_i`, with data `y` `−Σ ln y_i`.
    #[test]
    fn data_arguments_drop_their_logs() {
        use crate::dist::testing::assert_data_drops;
        let y = [0.3, 1.7, 4.0];
        let sigma = [0.5, 2.0, 3.0];
        let log_sigma_sum: f64 = sigma.iter().map(|s: &f64| s.ln()).sum();
        let log_y_sum: f64 = y.iter().map(|v: &f64| v.ln()).sum();
        assert_data_drops!(
            lognormal_lpdf,
            lognormal_lupdf,
            |x, data| (&y[..], x[0], data(&sigma[..])),
            [0.2],
            -log_sigma_sum,
        );
        assert_data_drops!(
            lognormal_lpdf,
            lognormal_lupdf,
            |x, data| (data(&y[..]), x[0], x[1]),
            [0.2, 0.8],
            -log_y_sum,
        );
        assert_data_drops!(
            lognormal_lpdf,
            lognormal_lupdf,
            |x, data| (data(&y[..]), &x[0..3], data(&sigma[..])),
            [0.2, -0.3, 1.1],
            -log_y_sum - log_sigma_sum,
        );
    }
}
