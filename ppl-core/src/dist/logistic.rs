//! The logistic distribution `logistic(y | mu, sigma)`, mu the location and sigma the scale.

use rand::Rng;
use rand_distr::{Distribution as _, Open01};

use super::check::{check_finite, check_positive_finite, LocationScaleChecks};
use super::distribution::{Distribution, Support};
use super::partials::ArgPartials;
use crate::data::{include_summand, is_data};
use crate::error::Result;
use crate::real::{Operand, Real};
use crate::special::{log1p_exp, logit};

/// Log-density of the logistic distribution, vectorised over all arguments (Stan's
/// `logistic_lpdf`):
///
/// `Σ_i −z_i − ln σ_i − 2 ln(1 + e^(−z_i))`, with `z_i = (y_i − μ_i) / σ_i`.
///
/// Scalars broadcast; vectors must share one length. With `t = tanh(z/2)` the partials are
/// `∂/∂y = −t/σ`, `∂/∂μ = t/σ`, `∂/∂σ = (z t − 1)/σ`, computed in `f64` in one pass.
///
/// # Errors
/// `y` or `mu` not finite, `sigma` not positive and finite, or vector lengths that differ:
/// `logistic: scale is 0, but must be positive and finite`.
///
/// # Reference
/// Stan Functions Reference, "Logistic distribution".
///
/// ```
/// let lp: f64 = ppl_core::dist::logistic_lpdf(0.0, 0.0, 1.0)?;
/// assert!((lp - (-4f64.ln())).abs() < 1e-15);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn logistic_lpdf<T: Real>(y: impl Operand, mu: impl Operand, sigma: impl Operand) -> Result<T> {
    logistic_log_density::<false, T>(y, mu, sigma)
}

/// The same as [`logistic_lpdf`] (the logistic log-density has no constant term; Stan's
/// `logistic_lupdf`, what `~` uses), but without `−ln σ` when `sigma` is [`crate::Data`].
pub fn logistic_lupdf<T: Real>(
    y: impl Operand,
    mu: impl Operand,
    sigma: impl Operand,
) -> Result<T> {
    logistic_log_density::<true, T>(y, mu, sigma)
}

fn logistic_log_density<const PROPTO: bool, T: Real>(
    y: impl Operand,
    mu: impl Operand,
    sigma: impl Operand,
) -> Result<T> {
    const FUNCTION: &str = "logistic";
    // A lazy location (`a[group] + b[group] .* x`, `mu + tau * eta`) drives the loop and is
    // checked in it.
    let checks = LocationScaleChecks::new(FUNCTION, check_finite, &y, &mu, &sigma);
    let n = checks.len()?;
    // `−ln σ` is dropped from the unnormalised form when σ is data (Stan's `~`).
    let include_log_sigma = include_summand::<PROPTO>(is_data(&sigma));
    let mut value = 0.0;
    let mut out = T::accumulator();
    let mut y_partials = ArgPartials::new(&y);
    let mut mu_partials = ArgPartials::new(&mu);
    let mut sigma_partials = ArgPartials::new(&sigma);
    let mut location_valid = true;
    mu_partials.visit(
        &mu,
        n,
        &mut out,
        #[inline(always)]
        |out, i, mu_i| {
            location_valid &= mu_i.is_finite();
            let (y_i, sigma_i) = (y.value_at(i), sigma.value_at(i));
            let inv_sigma = 1.0 / sigma_i;
            let log_sigma = if include_log_sigma { sigma_i.ln() } else { 0.0 };
            let z = (y_i - mu_i) * inv_sigma;
            value -= z + log_sigma + 2.0 * log1p_exp(-z);
            // d/dz [−z − 2 ln(1 + e^−z)] = 1 − 2 inv_logit(z) = −tanh(z/2).
            let tanh_half_z = (0.5 * z).tanh();
            y_partials.add(out, i, -tanh_half_z * inv_sigma);
            let d_sigma = (z * tanh_half_z - 1.0) * inv_sigma;
            sigma_partials.add(out, i, d_sigma);
            // `∂/∂μ`, which `mu` adds to its tangents.
            tanh_half_z * inv_sigma
        },
    );
    if !location_valid {
        checks.run(true)?;
    }
    y_partials.apply(&mut out);
    mu_partials.apply(&mut out);
    sigma_partials.apply(&mut out);
    Ok(out + value)
}

/// The logistic distribution with fixed parameters, for sampling and moments.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Logistic {
    mu: f64,
    sigma: f64,
}

impl Logistic {
    /// `logistic(mu, sigma)`.
    ///
    /// # Errors
    /// `mu` not finite or `sigma` not positive and finite.
    pub fn new(mu: f64, sigma: f64) -> Result<Self> {
        check_finite("logistic", "location", &mu)?;
        check_positive_finite("logistic", "scale", &sigma)?;
        Ok(Logistic { mu, sigma })
    }
}

impl Distribution for Logistic {
    type Value = f64;
    type Moment = f64;
    /// By inversion: `u ~ uniform(0, 1)` (open), `y = μ + σ logit(u)`.
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let u: f64 = Open01.sample(rng);
        self.mu + self.sigma * logit(u)
    }
    fn mean(&self) -> Option<f64> {
        Some(self.mu)
    }
    /// `σ²π²/3`.
    fn variance(&self) -> Option<f64> {
        Some(self.sigma * self.sigma * std::f64::consts::PI.powi(2) / 3.0)
    }
    fn support(&self) -> Support {
        Support::Real
    }
    fn log_density(&self, x: &f64) -> f64 {
        logistic_lpdf::<f64>(*x, self.mu, self.sigma).unwrap_or(f64::NEG_INFINITY)
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
    fn values_match_scipy() {
        // (y, mu, sigma, scipy.stats.logistic.logpdf(y, loc=mu, scale=sigma)), scipy 1.17.1.
        for &(y, mu, sigma, expected) in &[
            (0.0, 0.0, 1.0, -1.3862943611198906),
            (1.5, -0.3, 2.0, -2.275454930024121),
            (-40.0, 1.0, 0.5, -81.30685281944005),
            (800.0, 0.0, 1.0, -800.0),
        ] {
            let lp: f64 = logistic_lpdf(y, mu, sigma).unwrap();
            assert_close(lp, expected, 1e-13);
        }
    }

    #[test]
    fn vectorised_equals_sum_of_scalars() {
        let y = vec![0.5, -1.0, 2.0];
        let mu = vec![0.0, 0.1, 0.2];
        let lp: f64 = logistic_lpdf(&y, &mu, 1.5).unwrap();
        let sum: f64 = (0..3)
            .map(|i| logistic_lpdf::<f64>(y[i], mu[i], 1.5).unwrap())
            .sum();
        assert_close(lp, sum, 1e-14);
        assert_eq!(lp, logistic_lupdf::<f64>(&y, &mu, 1.5).unwrap());
    }

    #[test]
    fn normalised_by_quadrature() {
        assert_normalised(|y| logistic_lpdf::<f64>(y, 1.0, 2.0).unwrap(), -60.0, 60.0);
    }

    #[test]
    fn sample_moments_match() {
        assert_moments(&Logistic::new(1.0, 2.0).unwrap());
    }

    #[test]
    fn argument_checks_name_function_argument_value_and_rule() {
        let err = logistic_lpdf::<f64>(0.0, 0.0, 0.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "logistic: scale is 0, but must be positive and finite"
        );
        let err = logistic_lpdf::<f64>(f64::NEG_INFINITY, 0.0, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "logistic: random variable is -inf, but must be finite"
        );
        let err = logistic_lpdf::<f64>(0.0, &vec![0.0, f64::INFINITY], 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "logistic: location[2] is inf, but must be finite"
        );
        let err = logistic_lpdf::<f64>(&vec![0.0; 3], &vec![0.0; 2], 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "logistic: location has size 2, but must have size 3"
        );
        assert_eq!(
            Logistic::new(0.0, -1.0).unwrap_err().to_string(),
            "logistic: scale is -1, but must be positive and finite"
        );
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(
            y in -5.0..5.0f64, mu in -5.0..5.0f64, log_sigma in -2.0..2.0f64,
        ) {
            let sigma = log_sigma.exp();
            assert_gradient_matches(|x| logistic_lpdf(x[0], x[1], x[2]), &[y, mu, sigma]);
            assert_gradient_matches(
                |x| logistic_lpdf(&x[0..2], &x[2..4], x[4]),
                &[y, -y, mu, 0.5 * mu, sigma],
            );
            assert_gradient_matches(
                |x| logistic_lpdf(x[0], x[1], &x[2..4]),
                &[y, mu, sigma, 0.7],
            );
        }
    }

    /// With data `sigma` the unnormalised form drops `−Σ ln σ_i`.
    #[test]
    fn data_scale_drops_its_log() {
        use crate::dist::testing::assert_data_drops;
        let y = [0.3, -1.7, 4.0];
        let sigma = [0.5, 2.0, 3.0];
        let log_sigma_sum: f64 = sigma.iter().map(|s: &f64| s.ln()).sum();
        assert_data_drops!(
            logistic_lpdf,
            logistic_lupdf,
            |x, data| (&y[..], x[0], data(&sigma[..])),
            [0.2],
            -log_sigma_sum,
        );
        assert_data_drops!(
            logistic_lpdf,
            logistic_lupdf,
            |x, data| (x[0], &x[1..4], data(2.5)),
            [0.2, 1.0, -1.0, 0.5],
            -3.0 * 2.5f64.ln(),
        );
    }
}
