//! The Cauchy distribution `cauchy(y | mu, sigma)`, mu the location (median) and sigma the scale.

use rand::Rng;
use rand_distr::Distribution as _;

use super::check::{check_finite, check_not_nan, check_positive_finite, LocationScaleChecks};
use super::distribution::{Distribution, Support};
use super::partials::ArgPartials;
use crate::data::{include_summand, is_data};
use crate::error::Result;
use crate::real::{Operand, Real};
use crate::special::LN_PI;

/// Log-density of the Cauchy distribution, vectorised over all arguments (Stan's
/// `cauchy_lpdf`):
///
/// `Σ_i −ln π − ln σ_i − ln(1 + z_i²)`, with `z_i = (y_i − μ_i) / σ_i`.
///
/// Scalars broadcast; vectors must share one length. Partials `∂/∂y = −2z / (σ(1 + z²))`,
/// `∂/∂μ = −∂/∂y`, `∂/∂σ = (z² − 1) / (σ(1 + z²))`, computed in `f64` in one pass.
///
/// # Errors
/// `y` NaN, `mu` not finite, `sigma` not positive and finite, or vector lengths that differ:
/// `cauchy: scale is 0, but must be positive and finite`.
///
/// # Reference
/// Stan Functions Reference, "Cauchy distribution".
///
/// ```
/// let lp: f64 = ppl_core::dist::cauchy_lpdf(1.0, 0.0, 1.0)?;
/// assert!((lp - (-1.837_877_066_409_345_5)).abs() < 1e-14);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn cauchy_lpdf<T: Real>(y: impl Operand, mu: impl Operand, sigma: impl Operand) -> Result<T> {
    cauchy_log_density::<false, T>("cauchy", y, mu, sigma)
}

/// [`cauchy_lpdf`] without the constant `−n ln π` (Stan's `cauchy_lupdf`, what `~` uses),
/// and without `−Σ ln σ_i` when `sigma` is [`crate::Data`].
pub fn cauchy_lupdf<T: Real>(y: impl Operand, mu: impl Operand, sigma: impl Operand) -> Result<T> {
    cauchy_log_density::<true, T>("cauchy", y, mu, sigma)
}

/// The Cauchy log-density with checks reported under `function` (shared with `half_cauchy`).
pub(crate) fn cauchy_log_density<const PROPTO: bool, T: Real>(
    function: &'static str,
    y: impl Operand,
    mu: impl Operand,
    sigma: impl Operand,
) -> Result<T> {
    // A lazy location (`a[group] + b[group] .* x`, `mu + tau * eta`) drives the loop and is
    // checked in it.
    let checks = LocationScaleChecks::new(function, check_not_nan, &y, &mu, &sigma);
    let n = checks.len()?;
    // `−ln σ` is dropped from the unnormalised form when σ is data (Stan's `~`).
    let include_log_sigma = include_summand::<PROPTO>(is_data(&sigma));
    let mut value = 0.0;
    let mut location_valid = true;
    let mut out = T::accumulator();
    let mut y_partials = ArgPartials::new(&y);
    let mut mu_partials = ArgPartials::new(&mu);
    let mut sigma_partials = ArgPartials::new(&sigma);
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
            let z_squared = z * z;
            value -= log_sigma + z_squared.ln_1p();
            let inv_one_plus_z_squared = 1.0 / (1.0 + z_squared);
            let d_y = -2.0 * z * inv_sigma * inv_one_plus_z_squared;
            y_partials.add(out, i, d_y);
            let d_sigma = (z_squared - 1.0) * inv_sigma * inv_one_plus_z_squared;
            sigma_partials.add(out, i, d_sigma);
            // `∂/∂μ`, which `mu` adds to its tangents.
            -d_y
        },
    );
    if !location_valid {
        checks.run(true)?;
    }
    if value == f64::NEG_INFINITY {
        return Ok(T::constant(value));
    }
    y_partials.apply(&mut out);
    mu_partials.apply(&mut out);
    sigma_partials.apply(&mut out);
    if !PROPTO {
        value -= n as f64 * LN_PI;
    }
    Ok(out + value)
}

/// The Cauchy distribution with fixed parameters, for sampling (it has no mean or variance).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cauchy {
    mu: f64,
    sigma: f64,
}

impl Cauchy {
    /// `cauchy(mu, sigma)`.
    ///
    /// # Errors
    /// `mu` not finite or `sigma` not positive and finite.
    pub fn new(mu: f64, sigma: f64) -> Result<Self> {
        check_finite("cauchy", "location", &mu)?;
        check_positive_finite("cauchy", "scale", &sigma)?;
        Ok(Cauchy { mu, sigma })
    }
}

impl Distribution for Cauchy {
    type Value = f64;
    type Moment = f64;
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        // Parameters were checked by `new`, so construction cannot fail.
        rand_distr::Cauchy::new(self.mu, self.sigma)
            .map(|d| d.sample(rng))
            .unwrap_or(f64::NAN)
    }
    fn mean(&self) -> Option<f64> {
        None
    }
    fn variance(&self) -> Option<f64> {
        None
    }
    fn support(&self) -> Support {
        Support::Real
    }
    fn log_density(&self, x: &f64) -> f64 {
        cauchy_lpdf::<f64>(*x, self.mu, self.sigma).unwrap_or(f64::NEG_INFINITY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::testing::{
        assert_cdf_fractions, assert_close, assert_gradient_matches, assert_normalised,
    };
    use proptest::prelude::*;

    #[test]
    fn values_match_statrs() {
        use statrs::distribution::{Cauchy as StatrsCauchy, Continuous};
        for &(y, mu, sigma) in &[
            (0.0, 0.0, 1.0),
            (1.5, -0.3, 2.0),
            (-40.0, 1.0, 0.5),
            (3.0, 3.0, 1e-3),
            (1e8, 0.0, 1.0),
        ] {
            let expected = StatrsCauchy::new(mu, sigma).unwrap().ln_pdf(y);
            let lp: f64 = cauchy_lpdf(y, mu, sigma).unwrap();
            assert_close(lp, expected, 1e-12);
        }
    }

    #[test]
    fn vectorised_equals_sum_of_scalars() {
        let y = vec![0.5, -1.0, 2.0];
        let mu = vec![0.0, 0.1, 0.2];
        let lp: f64 = cauchy_lpdf(&y, &mu, 1.5).unwrap();
        let sum: f64 = (0..3)
            .map(|i| cauchy_lpdf::<f64>(y[i], mu[i], 1.5).unwrap())
            .sum();
        assert_close(lp, sum, 1e-14);
        let propto: f64 = cauchy_lupdf(&y, &mu, 1.5).unwrap();
        assert_close(lp - propto, -3.0 * LN_PI, 1e-14);
    }

    #[test]
    fn normalised_by_quadrature() {
        // The tails beyond ±1e5 scales hold 2/(π·1e5) ≈ 6.4e-6 of the mass; substitute
        // y = tan(θ) to integrate the whole line: p(tan θ) sec²θ over (−π/2, π/2).
        assert_normalised(
            |theta: f64| {
                let y = 1.0 + 2.0 * theta.tan();
                cauchy_lpdf::<f64>(y, 1.0, 2.0).unwrap() + (2.0 / theta.cos().powi(2)).ln()
            },
            -std::f64::consts::FRAC_PI_2 + 1e-9,
            std::f64::consts::FRAC_PI_2 - 1e-9,
        );
    }

    #[test]
    fn sample_quantiles_match() {
        let cauchy = Cauchy::new(1.0, 2.0).unwrap();
        assert_eq!(cauchy.mean(), None);
        assert_cdf_fractions(
            &cauchy,
            |q| 0.5 + ((q - 1.0) / 2.0).atan() / std::f64::consts::PI,
            &[-5.0, -1.0, 1.0, 3.0, 10.0],
        );
    }

    #[test]
    fn argument_checks_name_function_argument_value_and_rule() {
        let err = cauchy_lpdf::<f64>(0.0, 0.0, -1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cauchy: scale is -1, but must be positive and finite"
        );
        let err = cauchy_lpdf::<f64>(0.0, f64::NEG_INFINITY, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cauchy: location is -inf, but must be finite"
        );
        let err = cauchy_lpdf::<f64>(f64::NAN, 0.0, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cauchy: random variable is NaN, but must be not NaN"
        );
        let err = cauchy_lpdf::<f64>(&vec![0.0; 3], 0.0, &vec![1.0; 2]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cauchy: scale has size 2, but must have size 3"
        );
        assert_eq!(
            Cauchy::new(0.0, 0.0).unwrap_err().to_string(),
            "cauchy: scale is 0, but must be positive and finite"
        );
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(
            y in -5.0..5.0f64, mu in -5.0..5.0f64, log_sigma in -2.0..2.0f64,
        ) {
            assert_gradient_matches(
                |x| cauchy_lpdf(x[0], x[1], x[2]),
                &[y, mu, log_sigma.exp()],
            );
            assert_gradient_matches(
                |x| cauchy_lpdf(&x[0..2], &x[2..4], x[4]),
                &[y, -y, mu, 0.5 * mu, log_sigma.exp()],
            );
            assert_gradient_matches(
                |x| cauchy_lpdf(x[0], x[1], &x[2..4]),
                &[y, mu, log_sigma.exp(), 0.7],
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
            cauchy_lpdf,
            cauchy_lupdf,
            |x, data| (&y[..], x[0], data(&sigma[..])),
            [0.2],
            -log_sigma_sum,
        );
        assert_data_drops!(
            cauchy_lpdf,
            cauchy_lupdf,
            |x, data| (x[0], &x[1..4], data(2.5)),
            [0.2, 1.0, -1.0, 0.5],
            -3.0 * 2.5f64.ln(),
        );
    }
}
