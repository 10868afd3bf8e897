//! The half-normal distribution `half_normal(y | sigma)`: `normal(0, sigma)` folded onto `y ≥ 0`.

use rand::Rng;
use rand_distr::Distribution as _;

use super::check::{check_not_negative, check_positive_finite, common_len};
use super::distribution::{Distribution, Support};
use super::partials::ArgPartials;
use crate::data::{include_summand, is_data};
use crate::error::Result;
use crate::real::{Operand, Real};
use crate::special::{LN_2, LN_SQRT_2PI};

/// Log-density of the half-normal distribution, vectorised over all arguments:
///
/// `Σ_i ln 2 − ln σ_i − ½ z_i² − ln √(2π)`, with `z_i = y_i / σ_i` and `y_i ≥ 0`
/// (twice the `normal(0, σ)` density on `[0, ∞)`).
///
/// Scalars broadcast; vectors must share one length. Partials `∂/∂y = −z/σ`,
/// `∂/∂σ = (z² − 1)/σ`, computed in `f64` in one pass.
///
/// # Errors
/// `y` negative or NaN (an error, as Stan's `check_nonnegative`; `y = +∞` gives `−∞`), `sigma`
/// not positive and finite, or vector lengths that differ:
/// `half_normal: random variable is -1, but must be non-negative`.
///
/// # Reference
/// Stan has no `half_normal_lpdf`; this is `normal_lpdf(y | 0, σ) + ln 2` for `y ≥ 0`, what a
/// Stan model `real<lower=0> y; y ~ normal(0, sigma);` computes.
///
/// ```
/// let lp: f64 = ppl_core::dist::half_normal_lpdf(0.5, 2.0)?;
/// assert!((lp - (-0.950_188_533_204_672_7)).abs() < 1e-14);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn half_normal_lpdf<T: Real>(y: impl Operand, sigma: impl Operand) -> Result<T> {
    half_normal_log_density::<false, T>(y, sigma)
}

/// [`half_normal_lpdf`] without the constant `n (ln 2 − ln √(2π))` (what `~` uses), and
/// without `−Σ ln σ_i` when `sigma` is [`crate::Data`].
pub fn half_normal_lupdf<T: Real>(y: impl Operand, sigma: impl Operand) -> Result<T> {
    half_normal_log_density::<true, T>(y, sigma)
}

fn half_normal_log_density<const PROPTO: bool, T: Real>(
    y: impl Operand,
    sigma: impl Operand,
) -> Result<T> {
    const FUNCTION: &str = "half_normal";
    check_not_negative(FUNCTION, "random variable", &y)?;
    check_positive_finite(FUNCTION, "scale", &sigma)?;
    let n = common_len(
        FUNCTION,
        &[("random variable", y.size()), ("scale", sigma.size())],
    )?;
    // `−ln σ` is dropped from the unnormalised form when σ is data (Stan's `~`).
    let include_log_sigma = include_summand::<PROPTO>(is_data(&sigma));
    let mut value = 0.0;
    let mut out = T::accumulator();
    let mut y_partials = ArgPartials::new(&y);
    let mut sigma_partials = ArgPartials::new(&sigma);
    for i in 0..n {
        let (y_i, sigma_i) = (y.value_at(i), sigma.value_at(i));
        let inv_sigma = 1.0 / sigma_i;
        let log_sigma = if include_log_sigma { sigma_i.ln() } else { 0.0 };
        let z = y_i * inv_sigma;
        value -= 0.5 * z * z + log_sigma;
        y_partials.add(&mut out, i, -z * inv_sigma);
        sigma_partials.add(&mut out, i, (z * z - 1.0) * inv_sigma);
    }
    if value == f64::NEG_INFINITY {
        return Ok(T::constant(value));
    }
    y_partials.apply(&mut out);
    sigma_partials.apply(&mut out);
    if !PROPTO {
        value += n as f64 * (LN_2 - LN_SQRT_2PI);
    }
    Ok(out + value)
}

/// The half-normal distribution with a fixed scale, for sampling and moments.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HalfNormal {
    sigma: f64,
}

impl HalfNormal {
    /// `half_normal(sigma)`.
    ///
    /// # Errors
    /// `sigma` not positive and finite.
    pub fn new(sigma: f64) -> Result<Self> {
        check_positive_finite("half_normal", "scale", &sigma)?;
        Ok(HalfNormal { sigma })
    }
}

impl Distribution for HalfNormal {
    type Value = f64;
    type Moment = f64;
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        // |normal(0, σ)|; the parameters were checked by `new`.
        rand_distr::Normal::new(0.0, self.sigma)
            .map(|d| d.sample(rng).abs())
            .unwrap_or(f64::NAN)
    }
    fn mean(&self) -> Option<f64> {
        Some(self.sigma * (2.0 / std::f64::consts::PI).sqrt())
    }
    fn variance(&self) -> Option<f64> {
        Some(self.sigma * self.sigma * (1.0 - 2.0 / std::f64::consts::PI))
    }
    fn support(&self) -> Support {
        Support::LowerBounded(0.0)
    }
    fn log_density(&self, x: &f64) -> f64 {
        half_normal_lpdf::<f64>(*x, self.sigma).unwrap_or(f64::NEG_INFINITY)
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
        // (y, sigma, scipy.stats.halfnorm.logpdf(y, scale=sigma)), scipy 1.17.1.
        for &(y, sigma, expected) in &[
            (0.0, 1.0, -0.2257913526447274),
            (0.5, 2.0, -0.9501885332046727),
            (3.0, 0.7, -9.052789878093748),
            (40.0, 1.5, -356.18681201630847),
        ] {
            let lp: f64 = half_normal_lpdf(y, sigma).unwrap();
            assert_close(lp, expected, 1e-13);
        }
        let at_infinity: f64 = half_normal_lpdf(f64::INFINITY, 1.0).unwrap();
        assert_eq!(at_infinity, f64::NEG_INFINITY);
    }

    #[test]
    fn vectorised_equals_sum_of_scalars() {
        let y = vec![0.5, 1.0, 2.0];
        let sigma = vec![1.0, 0.3, 2.5];
        let lp: f64 = half_normal_lpdf(&y, &sigma).unwrap();
        let sum: f64 = (0..3)
            .map(|i| half_normal_lpdf::<f64>(y[i], sigma[i]).unwrap())
            .sum();
        assert_close(lp, sum, 1e-14);
        let propto: f64 = half_normal_lupdf(&y, &sigma).unwrap();
        assert_close(lp - propto, 3.0 * (LN_2 - LN_SQRT_2PI), 1e-14);
    }

    #[test]
    fn normalised_by_quadrature() {
        assert_normalised(|y| half_normal_lpdf::<f64>(y, 2.0).unwrap(), 0.0, 30.0);
    }

    #[test]
    fn sample_moments_match() {
        assert_moments(&HalfNormal::new(1.5).unwrap());
    }

    #[test]
    fn argument_checks_name_function_argument_value_and_rule() {
        let err = half_normal_lpdf::<f64>(-1.0, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "half_normal: random variable is -1, but must be non-negative"
        );
        let err = half_normal_lpdf::<f64>(f64::NAN, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "half_normal: random variable is NaN, but must be non-negative"
        );
        let err = half_normal_lpdf::<f64>(1.0, &vec![1.0, 0.0]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "half_normal: scale[2] is 0, but must be positive and finite"
        );
        let err = half_normal_lpdf::<f64>(&vec![1.0; 3], &vec![1.0; 2]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "half_normal: scale has size 2, but must have size 3"
        );
        assert_eq!(
            HalfNormal::new(f64::INFINITY).unwrap_err().to_string(),
            "half_normal: scale is inf, but must be positive and finite"
        );
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(
            y in 0.01..5.0f64, log_sigma in -2.0..2.0f64,
        ) {
            assert_gradient_matches(|x| half_normal_lpdf(x[0], x[1]), &[y, log_sigma.exp()]);
            assert_gradient_matches(
                |x| half_normal_lpdf(&x[0..2], x[2]),
                &[y, 2.0 * y, log_sigma.exp()],
            );
            assert_gradient_matches(
                |x| half_normal_lpdf(x[0], &x[1..3]),
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
            half_normal_lpdf,
            half_normal_lupdf,
            |x, data| (&x[0..3], data(&sigma[..])),
            [0.2, 1.5, 4.0],
            -log_sigma_sum,
        );
    }
}
