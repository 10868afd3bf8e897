//! The Weibull distribution `weibull(y | alpha, sigma)`, alpha the shape and sigma the scale, as in Stan.

use rand::Rng;
use rand_distr::Distribution as _;

use super::check::{check_finite, check_positive_finite, common_len};
use super::distribution::{Distribution, Support};
use super::math::multiply_log;
use super::partials::ArgPartials;
use crate::data::{include_summand, is_data};
use crate::error::Result;
use crate::real::{Operand, Real};
use crate::special::lgamma;

/// Log-density of the Weibull distribution with shape `α` and scale `σ`, vectorised over all
/// arguments (Stan's `weibull_lpdf`):
///
/// `Σ_i ln α_i − ln σ_i + (α_i − 1) ln(y_i/σ_i) − (y_i/σ_i)^α_i`, `y_i ≥ 0`.
///
/// Scalars broadcast; vectors must share one length. With `w = (y/σ)^α` the partials are
/// `∂/∂y = (α − 1 − α w)/y`, `∂/∂α = 1/α + ln(y/σ)(1 − w)`, `∂/∂σ = α(w − 1)/σ`, computed
/// in `f64` in one pass.
///
/// # Errors
/// `y` not finite, `alpha` or `sigma` not positive and finite, or vector lengths that differ:
/// `weibull: shape is 0, but must be positive and finite`. As in Stan, `y < 0` is not an error:
/// the log-density is `−∞`; at `y = 0` it is the limit (`−∞` for `α > 1`, `+∞` for `α < 1`,
/// `−ln σ` for `α = 1`).
///
/// # Reference
/// Stan Functions Reference, "Weibull distribution".
///
/// ```
/// let lp: f64 = ppl_core::dist::weibull_lpdf(1.0, 2.0, 1.0)?;
/// // ln 2 + 0 − 1
/// assert!((lp - (2f64.ln() - 1.0)).abs() < 1e-15);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn weibull_lpdf<T: Real>(
    y: impl Operand,
    alpha: impl Operand,
    sigma: impl Operand,
) -> Result<T> {
    weibull_log_density::<false, T>(y, alpha, sigma)
}

/// [`weibull_lpdf`] without the terms whose arguments are all [`crate::Data`] (Stan's
/// `weibull_lupdf`, what `~` uses): `ln α` (data `alpha`), `(α − 1) ln y` (`alpha`, `y`),
/// `−α ln σ` (`alpha`, `sigma`).
pub fn weibull_lupdf<T: Real>(
    y: impl Operand,
    alpha: impl Operand,
    sigma: impl Operand,
) -> Result<T> {
    weibull_log_density::<true, T>(y, alpha, sigma)
}

fn weibull_log_density<const PROPTO: bool, T: Real>(
    y: impl Operand,
    alpha: impl Operand,
    sigma: impl Operand,
) -> Result<T> {
    const FUNCTION: &str = "weibull";
    check_finite(FUNCTION, "random variable", &y)?;
    check_positive_finite(FUNCTION, "shape", &alpha)?;
    check_positive_finite(FUNCTION, "scale", &sigma)?;
    let n = common_len(
        FUNCTION,
        &[
            ("random variable", y.size()),
            ("shape", alpha.size()),
            ("scale", sigma.size()),
        ],
    )?;
    // With data alpha the unnormalised form drops `ln α`, `(α − 1) ln y` when y is data too and
    // `−α ln σ` when σ is (Stan's `~`); a parameter alpha keeps them all.
    let (y_data, alpha_data, sigma_data) = (is_data(&y), is_data(&alpha), is_data(&sigma));
    let all_kept = include_summand::<PROPTO>(alpha_data);
    let include_alpha_log_y = include_summand::<PROPTO>(alpha_data && y_data);
    let include_alpha_log_sigma = include_summand::<PROPTO>(alpha_data && sigma_data);
    let mut value = 0.0;
    let mut out = T::accumulator();
    let mut y_partials = ArgPartials::new(&y);
    let mut alpha_partials = ArgPartials::new(&alpha);
    let mut sigma_partials = ArgPartials::new(&sigma);
    for i in 0..n {
        let (y_i, alpha_i, sigma_i) = (y.value_at(i), alpha.value_at(i), sigma.value_at(i));
        if y_i < 0.0 {
            return Ok(T::constant(f64::NEG_INFINITY));
        }
        let ratio = y_i / sigma_i;
        let power = ratio.powf(alpha_i);
        if all_kept {
            let log_ratio = ratio.ln();
            value += alpha_i.ln() - sigma_i.ln() + multiply_log(alpha_i - 1.0, log_ratio) - power;
            let d_alpha = 1.0 / alpha_i + log_ratio * (1.0 - power);
            alpha_partials.add(&mut out, i, d_alpha);
        } else {
            // Data alpha (no partial): `ln α + (α − 1) ln y − α ln σ` term by term.
            let alpha_log_y = if include_alpha_log_y {
                multiply_log(alpha_i - 1.0, y_i.ln())
            } else {
                0.0
            };
            let alpha_log_sigma = if include_alpha_log_sigma {
                alpha_i * sigma_i.ln()
            } else {
                0.0
            };
            value += alpha_log_y - alpha_log_sigma - power;
        }
        y_partials.add(&mut out, i, (alpha_i - 1.0 - alpha_i * power) / y_i);
        sigma_partials.add(&mut out, i, alpha_i * (power - 1.0) / sigma_i);
    }
    if value.is_infinite() {
        return Ok(T::constant(value));
    }
    y_partials.apply(&mut out);
    alpha_partials.apply(&mut out);
    sigma_partials.apply(&mut out);
    Ok(out + value)
}

/// The Weibull distribution with fixed shape and scale, for sampling and moments.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weibull {
    alpha: f64,
    sigma: f64,
}

impl Weibull {
    /// `weibull(alpha, sigma)`: shape `alpha`, scale `sigma`.
    ///
    /// # Errors
    /// `alpha` or `sigma` not positive and finite.
    pub fn new(alpha: f64, sigma: f64) -> Result<Self> {
        check_positive_finite("weibull", "shape", &alpha)?;
        check_positive_finite("weibull", "scale", &sigma)?;
        Ok(Weibull { alpha, sigma })
    }
}

impl Distribution for Weibull {
    type Value = f64;
    type Moment = f64;
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        // rand_distr takes (scale, shape); the parameters were checked by `new`.
        rand_distr::Weibull::new(self.sigma, self.alpha)
            .map(|d| d.sample(rng))
            .unwrap_or(f64::NAN)
    }
    /// `σ Γ(1 + 1/α)`.
    fn mean(&self) -> Option<f64> {
        Some(self.sigma * lgamma(1.0 + 1.0 / self.alpha).exp())
    }
    /// `σ² (Γ(1 + 2/α) − Γ(1 + 1/α)²)`.
    fn variance(&self) -> Option<f64> {
        let first = lgamma(1.0 + 1.0 / self.alpha).exp();
        let second = lgamma(1.0 + 2.0 / self.alpha).exp();
        Some(self.sigma * self.sigma * (second - first * first))
    }
    fn support(&self) -> Support {
        Support::LowerBounded(0.0)
    }
    fn log_density(&self, x: &f64) -> f64 {
        weibull_lpdf::<f64>(*x, self.alpha, self.sigma).unwrap_or(f64::NEG_INFINITY)
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
        use statrs::distribution::{Continuous, Weibull as StatrsWeibull};
        for &(y, alpha, sigma) in &[
            (1.0, 1.0, 1.0),
            (2.0, 3.0, 0.5),
            (1e-4, 0.3, 2.0),
            (150.0, 12.0, 140.0),
        ] {
            // statrs: Weibull::new(shape, scale).
            let expected = StatrsWeibull::new(alpha, sigma).unwrap().ln_pdf(y);
            let lp: f64 = weibull_lpdf(y, alpha, sigma).unwrap();
            assert_close(lp, expected, 1e-11);
        }
        let boundary: [f64; 4] = [
            weibull_lpdf(-1.0, 2.0, 1.0).unwrap(),
            weibull_lpdf(0.0, 2.0, 1.0).unwrap(),
            weibull_lpdf(0.0, 0.5, 1.0).unwrap(),
            weibull_lpdf(0.0, 1.0, 2.0).unwrap(),
        ];
        assert_eq!(boundary[0], f64::NEG_INFINITY);
        assert_eq!(boundary[1], f64::NEG_INFINITY);
        assert_eq!(boundary[2], f64::INFINITY);
        assert_close(boundary[3], -(2f64.ln()), 1e-15);
    }

    #[test]
    fn vectorised_equals_sum_of_scalars() {
        let y = vec![0.5, 1.0, 2.0];
        let alpha = vec![1.0, 2.5, 7.0];
        let lp: f64 = weibull_lpdf(&y, &alpha, 1.5).unwrap();
        let sum: f64 = (0..3)
            .map(|i| weibull_lpdf::<f64>(y[i], alpha[i], 1.5).unwrap())
            .sum();
        assert_close(lp, sum, 1e-14);
        assert_eq!(lp, weibull_lupdf::<f64>(&y, &alpha, 1.5).unwrap());
    }

    #[test]
    fn normalised_by_quadrature() {
        assert_normalised(|y| weibull_lpdf::<f64>(y, 1.7, 2.0).unwrap(), 0.0, 40.0);
    }

    #[test]
    fn sample_moments_match() {
        assert_moments(&Weibull::new(1.7, 2.0).unwrap());
        assert_moments(&Weibull::new(0.8, 0.5).unwrap());
    }

    #[test]
    fn argument_checks_name_function_argument_value_and_rule() {
        let err = weibull_lpdf::<f64>(1.0, 0.0, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "weibull: shape is 0, but must be positive and finite"
        );
        let err = weibull_lpdf::<f64>(f64::INFINITY, 1.0, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "weibull: random variable is inf, but must be finite"
        );
        let err = weibull_lpdf::<f64>(1.0, 1.0, &vec![1.0, -2.0]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "weibull: scale[2] is -2, but must be positive and finite"
        );
        let err = weibull_lpdf::<f64>(&vec![1.0; 2], &vec![1.0; 3], 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "weibull: shape has size 3, but must have size 2"
        );
        assert_eq!(
            Weibull::new(1.0, f64::NAN).unwrap_err().to_string(),
            "weibull: scale is NaN, but must be positive and finite"
        );
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(
            log_ratio in -2.0..1.0f64, log_alpha in -1.0..1.5f64, log_sigma in -2.0..2.0f64,
        ) {
            // y/σ ≤ e: (y/σ)^α stays moderate, so the finite differences keep their accuracy.
            let (alpha, sigma) = (log_alpha.exp(), log_sigma.exp());
            let y = sigma * log_ratio.exp();
            assert_gradient_matches(|x| weibull_lpdf(x[0], x[1], x[2]), &[y, alpha, sigma]);
            assert_gradient_matches(
                |x| weibull_lpdf(&x[0..2], x[2], &x[3..5]),
                &[y, 0.5 * y, alpha, sigma, 1.5],
            );
            assert_gradient_matches(
                |x| weibull_lpdf(x[0], &x[1..3], x[3]),
                &[y, alpha, 1.5, sigma],
            );
        }
    }

    /// With data `alpha` the unnormalised form drops `ln α`, and `(α − 1) ln y` / `−α ln σ`
    /// when `y` / `sigma` is data too.
    #[test]
    fn data_arguments_drop_their_terms() {
        use crate::dist::testing::assert_data_drops;
        let y = [0.3, 1.7, 4.0];
        let alpha = [0.5, 2.0, 3.5];
        let sigma = [1.5, 0.25, 2.0];
        let sum = |term: &dyn Fn(usize) -> f64| (0..3).map(term).sum::<f64>();
        let log_alpha = sum(&|i| alpha[i].ln());
        let alpha_log_y = sum(&|i| (alpha[i] - 1.0) * y[i].ln());
        let alpha_log_sigma = sum(&|i| -alpha[i] * sigma[i].ln());
        assert_data_drops!(
            weibull_lpdf,
            weibull_lupdf,
            |x, data| (&x[0..3], data(&alpha[..]), x[3]),
            [0.3, 1.7, 4.0, 1.5],
            log_alpha,
        );
        assert_data_drops!(
            weibull_lpdf,
            weibull_lupdf,
            |x, data| (data(&y[..]), data(&alpha[..]), &x[0..3]),
            [1.5, 0.25, 2.0],
            log_alpha + alpha_log_y,
        );
        assert_data_drops!(
            weibull_lpdf,
            weibull_lupdf,
            |x, data| (&x[0..3], data(&alpha[..]), data(&sigma[..])),
            [0.3, 1.7, 4.0],
            log_alpha + alpha_log_sigma,
        );
        // Data y or sigma alone drops nothing with a parameter alpha.
        assert_data_drops!(
            weibull_lpdf,
            weibull_lupdf,
            |x, data| (data(&y[..]), x[0], data(&sigma[..])),
            [2.5],
            0.0,
        );
    }
}
