//! The double-exponential (Laplace) distribution `double_exponential(y | mu, sigma)`, mu the location (median) and sigma the scale.

use rand::Rng;
use rand_distr::{Distribution as _, Open01};

use super::check::{check_finite, check_positive_finite, LocationScaleChecks};
use super::distribution::{Distribution, Support};
use super::partials::ArgPartials;
use crate::data::{include_summand, is_data};
use crate::error::Result;
use crate::real::{Operand, Real};
use crate::special::LN_2;

/// Log-density of the double-exponential (Laplace) distribution, vectorised over all arguments
/// (Stan's `double_exponential_lpdf`):
///
/// `Σ_i −ln 2 − ln σ_i − |y_i − μ_i| / σ_i`.
///
/// Scalars broadcast; vectors must share one length. Partials in `f64` in one pass:
/// `∂/∂y = −sign(y − μ)/σ`, `∂/∂μ = sign(y − μ)/σ`, `∂/∂σ = (|y − μ|/σ − 1)/σ` (the
/// sign is 0 at `y = μ`, where the density has a kink).
///
/// # Errors
/// `y` or `mu` not finite, `sigma` not positive and finite, or vector lengths that differ:
/// `double_exponential: scale is 0, but must be positive and finite`.
///
/// # Reference
/// Stan Functions Reference, "Double exponential (Laplace) distribution".
///
/// ```
/// let lp: f64 = ppl_core::dist::double_exponential_lpdf(1.0, 0.0, 1.0)?;
/// assert!((lp - (-1.0 - 2f64.ln())).abs() < 1e-15);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn double_exponential_lpdf<T: Real>(
    y: impl Operand,
    mu: impl Operand,
    sigma: impl Operand,
) -> Result<T> {
    double_exponential_log_density::<false, T>(y, mu, sigma)
}

/// [`double_exponential_lpdf`] without the constant `−n ln 2` (Stan's
/// `double_exponential_lupdf`, what `~` uses), and without `−Σ ln σ_i` when `sigma` is
/// [`crate::Data`].
pub fn double_exponential_lupdf<T: Real>(
    y: impl Operand,
    mu: impl Operand,
    sigma: impl Operand,
) -> Result<T> {
    double_exponential_log_density::<true, T>(y, mu, sigma)
}

fn double_exponential_log_density<const PROPTO: bool, T: Real>(
    y: impl Operand,
    mu: impl Operand,
    sigma: impl Operand,
) -> Result<T> {
    const FUNCTION: &str = "double_exponential";
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
            let difference = y_i - mu_i;
            let scaled_distance = difference.abs() * inv_sigma;
            value -= log_sigma + scaled_distance;
            let sign = if difference > 0.0 {
                1.0
            } else if difference < 0.0 {
                -1.0
            } else {
                0.0
            };
            y_partials.add(out, i, -sign * inv_sigma);
            let d_sigma = (scaled_distance - 1.0) * inv_sigma;
            sigma_partials.add(out, i, d_sigma);
            // `∂/∂μ`, which `mu` adds to its tangents.
            sign * inv_sigma
        },
    );
    if !location_valid {
        checks.run(true)?;
    }
    y_partials.apply(&mut out);
    mu_partials.apply(&mut out);
    sigma_partials.apply(&mut out);
    if !PROPTO {
        value -= n as f64 * LN_2;
    }
    Ok(out + value)
}

/// The double-exponential (Laplace) distribution with fixed parameters, for sampling and
/// moments.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DoubleExponential {
    mu: f64,
    sigma: f64,
}

impl DoubleExponential {
    /// `double_exponential(mu, sigma)`.
    ///
    /// # Errors
    /// `mu` not finite or `sigma` not positive and finite.
    pub fn new(mu: f64, sigma: f64) -> Result<Self> {
        check_finite("double_exponential", "location", &mu)?;
        check_positive_finite("double_exponential", "scale", &sigma)?;
        Ok(DoubleExponential { mu, sigma })
    }
}

impl Distribution for DoubleExponential {
    type Value = f64;
    type Moment = f64;
    /// By inversion: `u ~ uniform(−½, ½)` (open), `y = μ − σ sign(u) ln(1 − 2|u|)`.
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let u: f64 = Open01.sample(rng);
        let centred = u - 0.5;
        self.mu - self.sigma * centred.signum() * (-2.0 * centred.abs()).ln_1p()
    }
    fn mean(&self) -> Option<f64> {
        Some(self.mu)
    }
    /// `2σ²`.
    fn variance(&self) -> Option<f64> {
        Some(2.0 * self.sigma * self.sigma)
    }
    fn support(&self) -> Support {
        Support::Real
    }
    fn log_density(&self, x: &f64) -> f64 {
        double_exponential_lpdf::<f64>(*x, self.mu, self.sigma).unwrap_or(f64::NEG_INFINITY)
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
        use statrs::distribution::{Continuous, Laplace};
        for &(y, mu, sigma) in &[
            (0.0, 0.0, 1.0),
            (1.5, -0.3, 2.0),
            (-40.0, 1.0, 0.5),
            (3.0, 3.0, 1e-3),
        ] {
            let expected = Laplace::new(mu, sigma).unwrap().ln_pdf(y);
            let lp: f64 = double_exponential_lpdf(y, mu, sigma).unwrap();
            assert_close(lp, expected, 1e-13);
        }
    }

    #[test]
    fn vectorised_equals_sum_of_scalars() {
        let y = vec![0.5, -1.0, 2.0];
        let mu = vec![0.0, 0.1, 0.2];
        let lp: f64 = double_exponential_lpdf(&y, &mu, 1.5).unwrap();
        let sum: f64 = (0..3)
            .map(|i| double_exponential_lpdf::<f64>(y[i], mu[i], 1.5).unwrap())
            .sum();
        assert_close(lp, sum, 1e-14);
        let propto: f64 = double_exponential_lupdf(&y, &mu, 1.5).unwrap();
        assert_close(lp - propto, -3.0 * LN_2, 1e-14);
    }

    #[test]
    fn normalised_by_quadrature() {
        // The kink at μ = 1 is a grid point (the grid step is 1/250).
        assert_normalised(
            |y| double_exponential_lpdf::<f64>(y, 1.0, 2.0).unwrap(),
            -39.0,
            41.0,
        );
    }

    #[test]
    fn sample_moments_match() {
        assert_moments(&DoubleExponential::new(1.0, 2.0).unwrap());
    }

    #[test]
    fn argument_checks_name_function_argument_value_and_rule() {
        let err = double_exponential_lpdf::<f64>(0.0, 0.0, 0.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "double_exponential: scale is 0, but must be positive and finite"
        );
        let err = double_exponential_lpdf::<f64>(f64::INFINITY, 0.0, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "double_exponential: random variable is inf, but must be finite"
        );
        let err = double_exponential_lpdf::<f64>(0.0, &vec![0.0, f64::NAN], 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "double_exponential: location[2] is NaN, but must be finite"
        );
        let err = double_exponential_lpdf::<f64>(&vec![0.0; 3], 0.0, &vec![1.0; 2]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "double_exponential: scale has size 2, but must have size 3"
        );
        assert_eq!(
            DoubleExponential::new(0.0, -1.0).unwrap_err().to_string(),
            "double_exponential: scale is -1, but must be positive and finite"
        );
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(
            y in -5.0..5.0f64, mu in -5.0..5.0f64, log_sigma in -2.0..2.0f64,
        ) {
            // Away from the kink y = μ, where the derivative jumps.
            prop_assume!((y - mu).abs() > 1e-3 && (y + 0.5 * mu).abs() > 1e-3);
            let sigma = log_sigma.exp();
            assert_gradient_matches(
                |x| double_exponential_lpdf(x[0], x[1], x[2]),
                &[y, mu, sigma],
            );
            assert_gradient_matches(
                |x| double_exponential_lpdf(&x[0..2], &x[2..4], x[4]),
                &[y, -y, mu, 0.5 * mu, sigma],
            );
            assert_gradient_matches(
                |x| double_exponential_lpdf(x[0], x[1], &x[2..4]),
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
            double_exponential_lpdf,
            double_exponential_lupdf,
            |x, data| (&y[..], x[0], data(&sigma[..])),
            [0.2],
            -log_sigma_sum,
        );
        assert_data_drops!(
            double_exponential_lpdf,
            double_exponential_lupdf,
            |x, data| (x[0], &x[1..4], data(2.5)),
            [0.2, 1.0, -1.0, 0.5],
            -3.0 * 2.5f64.ln(),
        );
    }
}
