//! The half-Cauchy distribution `half_cauchy(y | sigma)`: `cauchy(0, sigma)` folded onto `y ≥ 0`.

use rand::Rng;
use rand_distr::Distribution as _;

use super::cauchy::cauchy_log_density;
use super::check::{check_not_negative, check_positive_finite, common_len};
use super::distribution::{Distribution, Support};
use crate::error::Result;
use crate::real::{Operand, Real};
use crate::special::LN_2;

/// Log-density of the half-Cauchy distribution, vectorised over both arguments:
///
/// `Σ_i ln 2 − ln π − ln σ_i − ln(1 + (y_i/σ_i)²)` for `y_i ≥ 0`
/// (twice the `cauchy(0, σ)` density on `[0, ∞)`).
///
/// Scalars broadcast; vectors must share one length. Partials as in [`cauchy_lpdf`](crate::dist::cauchy_lpdf).
///
/// # Errors
/// `y` negative or NaN (an error, as Stan's `check_nonnegative`; `y = +∞` gives `−∞`), `sigma`
/// not positive and finite, or vector lengths that differ:
/// `half_cauchy: random variable is -1, but must be non-negative`.
///
/// # Reference
/// Stan has no `half_cauchy_lpdf`; this is what `real<lower=0> y; y ~ cauchy(0, sigma);`
/// computes, plus the normalising `ln 2`.
///
/// ```
/// let lp: f64 = ppl_core::dist::half_cauchy_lpdf(0.5, 2.0)?;
/// assert!((lp - (-1.205_354_507_665_835)).abs() < 1e-14);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn half_cauchy_lpdf<T: Real>(y: impl Operand, sigma: impl Operand) -> Result<T> {
    half_cauchy_log_density::<false, T>(y, sigma)
}

/// [`half_cauchy_lpdf`] without the constant `n (ln 2 − ln π)` (what `~` uses), and
/// without `−Σ ln σ_i` when `sigma` is [`crate::Data`].
pub fn half_cauchy_lupdf<T: Real>(y: impl Operand, sigma: impl Operand) -> Result<T> {
    half_cauchy_log_density::<true, T>(y, sigma)
}

fn half_cauchy_log_density<const PROPTO: bool, T: Real>(
    y: impl Operand,
    sigma: impl Operand,
) -> Result<T> {
    const FUNCTION: &str = "half_cauchy";
    check_not_negative(FUNCTION, "random variable", &y)?;
    let sizes = [("random variable", y.size()), ("scale", sigma.size())];
    let folded: T = cauchy_log_density::<PROPTO, T>(FUNCTION, y, 0.0, sigma)?;
    if PROPTO {
        return Ok(folded);
    }
    let n = common_len(FUNCTION, &sizes)?;
    Ok(folded + n as f64 * LN_2)
}

/// The half-Cauchy distribution with a fixed scale, for sampling (it has no mean or variance).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HalfCauchy {
    sigma: f64,
}

impl HalfCauchy {
    /// `half_cauchy(sigma)`.
    ///
    /// # Errors
    /// `sigma` not positive and finite.
    pub fn new(sigma: f64) -> Result<Self> {
        check_positive_finite("half_cauchy", "scale", &sigma)?;
        Ok(HalfCauchy { sigma })
    }
}

impl Distribution for HalfCauchy {
    type Value = f64;
    type Moment = f64;
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        // |cauchy(0, σ)|; the parameters were checked by `new`.
        rand_distr::Cauchy::new(0.0, self.sigma)
            .map(|d| d.sample(rng).abs())
            .unwrap_or(f64::NAN)
    }
    fn mean(&self) -> Option<f64> {
        None
    }
    fn variance(&self) -> Option<f64> {
        None
    }
    fn support(&self) -> Support {
        Support::LowerBounded(0.0)
    }
    fn log_density(&self, x: &f64) -> f64 {
        half_cauchy_lpdf::<f64>(*x, self.sigma).unwrap_or(f64::NEG_INFINITY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::testing::{
        assert_cdf_fractions, assert_close, assert_gradient_matches, assert_normalised,
    };
    use crate::special::LN_PI;
    use proptest::prelude::*;

    #[test]
    fn values_match_scipy() {
        // (y, sigma, scipy.stats.halfcauchy.logpdf(y, scale=sigma)), scipy 1.17.1.
        for &(y, sigma, expected) in &[
            (0.0, 1.0, -0.4515827052894548),
            (0.5, 2.0, -1.205354507665835),
            (3.0, 0.7, -3.0584962618500238),
            (1000000.0, 1.5, -27.677138713112086),
        ] {
            let lp: f64 = half_cauchy_lpdf(y, sigma).unwrap();
            assert_close(lp, expected, 1e-13);
        }
    }

    #[test]
    fn vectorised_equals_sum_of_scalars() {
        let y = vec![0.5, 1.0, 2.0];
        let lp: f64 = half_cauchy_lpdf(&y, 1.5).unwrap();
        let sum: f64 = y
            .iter()
            .map(|&y_i| half_cauchy_lpdf::<f64>(y_i, 1.5).unwrap())
            .sum();
        assert_close(lp, sum, 1e-14);
        let propto: f64 = half_cauchy_lupdf(&y, 1.5).unwrap();
        assert_close(lp - propto, 3.0 * (LN_2 - LN_PI), 1e-14);
    }

    #[test]
    fn normalised_by_quadrature() {
        // y = σ tan θ over θ ∈ [0, π/2): p(σ tan θ) σ sec²θ.
        assert_normalised(
            |theta: f64| {
                let y = 2.0 * theta.tan();
                half_cauchy_lpdf::<f64>(y, 2.0).unwrap() + (2.0 / theta.cos().powi(2)).ln()
            },
            0.0,
            std::f64::consts::FRAC_PI_2 - 1e-9,
        );
    }

    #[test]
    fn sample_quantiles_match() {
        let half_cauchy = HalfCauchy::new(2.0).unwrap();
        assert_cdf_fractions(
            &half_cauchy,
            |q| 2.0 * (q / 2.0).atan() / std::f64::consts::PI,
            &[0.5, 2.0, 5.0, 30.0],
        );
    }

    #[test]
    fn argument_checks_name_function_argument_value_and_rule() {
        let err = half_cauchy_lpdf::<f64>(-1.0, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "half_cauchy: random variable is -1, but must be non-negative"
        );
        let err = half_cauchy_lpdf::<f64>(1.0, -2.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "half_cauchy: scale is -2, but must be positive and finite"
        );
        let err = half_cauchy_lpdf::<f64>(&vec![1.0; 3], &vec![1.0; 2]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "half_cauchy: scale has size 2, but must have size 3"
        );
        assert_eq!(
            HalfCauchy::new(0.0).unwrap_err().to_string(),
            "half_cauchy: scale is 0, but must be positive and finite"
        );
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(
            y in 0.01..5.0f64, log_sigma in -2.0..2.0f64,
        ) {
            assert_gradient_matches(|x| half_cauchy_lpdf(x[0], x[1]), &[y, log_sigma.exp()]);
            assert_gradient_matches(
                |x| half_cauchy_lpdf(&x[0..2], x[2]),
                &[y, 2.0 * y, log_sigma.exp()],
            );
            assert_gradient_matches(
                |x| half_cauchy_lpdf(x[0], &x[1..3]),
                &[y, log_sigma.exp(), 1.5],
            );
        }
    }

    /// With data `sigma` the unnormalised form drops `−Σ ln σ_i`.
    #[test]
    fn data_scale_drops_its_log() {
        use crate::dist::testing::assert_data_drops;
        let sigma = [0.5, 2.0, 3.0];
        let log_sigma_sum: f64 = sigma.iter().map(|s: &f64| s.ln()).sum();
        assert_data_drops!(
            half_cauchy_lpdf,
            half_cauchy_lupdf,
            |x, data| (&x[0..3], data(&sigma[..])),
            [0.2, 1.5, 4.0],
            -log_sigma_sum,
        );
    }
}
