//! The continuous uniform distribution `uniform(y | alpha, beta)` on `[alpha, beta]`.

use rand::Rng;
use rand_distr::Distribution as _;

use super::check::{check_finite, check_not_nan, common_len};
use super::distribution::{Distribution, Support};
use super::partials::ArgPartials;
use crate::data::{include_summand, is_data};
use crate::error::{Error, Result};
use crate::real::{Operand, Real};

/// Log-density of the uniform distribution on `[α, β]`, vectorised over all arguments (Stan's
/// `uniform_lpdf`):
///
/// `Σ_i −ln(β_i − α_i)` if every `α_i ≤ y_i ≤ β_i`, else `−∞`.
///
/// Scalars broadcast; vectors must share one length. Partials `∂/∂α = 1/(β − α)`,
/// `∂/∂β = −1/(β − α)`, `∂/∂y = 0`.
///
/// # Errors
/// `y` NaN, `alpha` or `beta` not finite, `beta ≤ alpha`, or vector lengths that differ:
/// `uniform: upper is 0, but must be greater than lower (1)`. As in Stan, `y` outside
/// `[alpha, beta]` is not an error: the log-density is `−∞`.
///
/// # Reference
/// Stan Functions Reference, "Uniform distribution".
///
/// ```
/// let lp: f64 = ppl_core::dist::uniform_lpdf(0.5, 0.0, 4.0)?;
/// assert!((lp - (-4f64.ln())).abs() < 1e-15);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn uniform_lpdf<T: Real>(
    y: impl Operand,
    alpha: impl Operand,
    beta: impl Operand,
) -> Result<T> {
    uniform_log_density::<false, T>(y, alpha, beta)
}

/// The same as [`uniform_lpdf`] (Stan's `uniform_lupdf`, what `~` uses), but without
/// `−ln(β − α)` when both bounds are [`crate::Data`] (`−∞` outside the bounds stays).
pub fn uniform_lupdf<T: Real>(
    y: impl Operand,
    alpha: impl Operand,
    beta: impl Operand,
) -> Result<T> {
    uniform_log_density::<true, T>(y, alpha, beta)
}

/// `upper > lower` element-wise, reported against `upper`.
fn check_upper_above_lower(
    function: &'static str,
    lower: &impl Operand,
    upper: &impl Operand,
    n: usize,
) -> Result<()> {
    for i in 0..n {
        let (lower_i, upper_i) = (lower.value_at(i), upper.value_at(i));
        if upper_i <= lower_i {
            let name = match upper.size() {
                None => "upper".to_string(),
                Some(_) => format!("upper[{}]", i + 1),
            };
            let lower_name = match lower.size() {
                None => "lower".to_string(),
                Some(_) => format!("lower[{}]", i + 1),
            };
            return Err(Error::invalid(
                function,
                name,
                upper_i,
                format!("greater than {lower_name} ({lower_i})"),
            ));
        }
    }
    Ok(())
}

fn uniform_log_density<const PROPTO: bool, T: Real>(
    y: impl Operand,
    alpha: impl Operand,
    beta: impl Operand,
) -> Result<T> {
    const FUNCTION: &str = "uniform";
    check_not_nan(FUNCTION, "random variable", &y)?;
    check_finite(FUNCTION, "lower", &alpha)?;
    check_finite(FUNCTION, "upper", &beta)?;
    let n = common_len(
        FUNCTION,
        &[
            ("random variable", y.size()),
            ("lower", alpha.size()),
            ("upper", beta.size()),
        ],
    )?;
    check_upper_above_lower(FUNCTION, &alpha, &beta, n)?;
    // `−ln(β − α)` is dropped from the unnormalised form when both bounds are data (Stan's `~`).
    let include_log_width = include_summand::<PROPTO>(is_data(&alpha) && is_data(&beta));
    let mut value = 0.0;
    let mut out = T::accumulator();
    let mut alpha_partials = ArgPartials::new(&alpha);
    let mut beta_partials = ArgPartials::new(&beta);
    for i in 0..n {
        let (y_i, alpha_i, beta_i) = (y.value_at(i), alpha.value_at(i), beta.value_at(i));
        if y_i < alpha_i || y_i > beta_i {
            return Ok(T::constant(f64::NEG_INFINITY));
        }
        if !include_log_width {
            // Both bounds are data: no term, no partial.
            continue;
        }
        let inv_width = 1.0 / (beta_i - alpha_i);
        value -= (beta_i - alpha_i).ln();
        alpha_partials.add(&mut out, i, inv_width);
        beta_partials.add(&mut out, i, -inv_width);
    }
    alpha_partials.apply(&mut out);
    beta_partials.apply(&mut out);
    Ok(out + value)
}

/// The uniform distribution with fixed bounds, for sampling and moments.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Uniform {
    alpha: f64,
    beta: f64,
}

impl Uniform {
    /// `uniform(alpha, beta)`.
    ///
    /// # Errors
    /// `alpha` or `beta` not finite, or `beta ≤ alpha`.
    pub fn new(alpha: f64, beta: f64) -> Result<Self> {
        check_finite("uniform", "lower", &alpha)?;
        check_finite("uniform", "upper", &beta)?;
        check_upper_above_lower("uniform", &alpha, &beta, 1)?;
        Ok(Uniform { alpha, beta })
    }
}

impl Distribution for Uniform {
    type Value = f64;
    type Moment = f64;
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        // Parameters were checked by `new`, so construction cannot fail.
        rand_distr::Uniform::new(self.alpha, self.beta)
            .map(|d| d.sample(rng))
            .unwrap_or(f64::NAN)
    }
    fn mean(&self) -> Option<f64> {
        Some(0.5 * (self.alpha + self.beta))
    }
    fn variance(&self) -> Option<f64> {
        let width = self.beta - self.alpha;
        Some(width * width / 12.0)
    }
    fn support(&self) -> Support {
        Support::Interval(self.alpha, self.beta)
    }
    fn log_density(&self, x: &f64) -> f64 {
        uniform_lpdf::<f64>(*x, self.alpha, self.beta).unwrap_or(f64::NEG_INFINITY)
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
        use statrs::distribution::{Continuous, Uniform as StatrsUniform};
        for &(y, alpha, beta) in &[
            (0.5, 0.0, 1.0),
            (-3.0, -3.0, 2.0),
            (1e-3, -1e-3, 2e-3),
            (70.0, 10.0, 100.0),
        ] {
            let expected = StatrsUniform::new(alpha, beta).unwrap().ln_pdf(y);
            let lp: f64 = uniform_lpdf(y, alpha, beta).unwrap();
            assert_close(lp, expected, 1e-13);
        }
        let outside: f64 = uniform_lpdf(&vec![0.5, 1.5], 0.0, 1.0).unwrap();
        assert_eq!(outside, f64::NEG_INFINITY);
    }

    #[test]
    fn vectorised_equals_sum_of_scalars() {
        let y = vec![0.1, 0.5, 0.9];
        let beta = vec![1.0, 2.5, 7.0];
        let lp: f64 = uniform_lpdf(&y, -1.0, &beta).unwrap();
        let sum: f64 = (0..3)
            .map(|i| uniform_lpdf::<f64>(y[i], -1.0, beta[i]).unwrap())
            .sum();
        assert_close(lp, sum, 1e-14);
        assert_eq!(lp, uniform_lupdf::<f64>(&y, -1.0, &beta).unwrap());
    }

    #[test]
    fn normalised_by_quadrature() {
        // Simpson's rule is exact for the constant; the bounds are the integration limits.
        assert_normalised(|y| uniform_lpdf::<f64>(y, -2.0, 3.0).unwrap(), -2.0, 3.0);
    }

    #[test]
    fn sample_moments_match() {
        assert_moments(&Uniform::new(-2.0, 3.0).unwrap());
    }

    #[test]
    fn argument_checks_name_function_argument_value_and_rule() {
        let err = uniform_lpdf::<f64>(0.5, 1.0, 0.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "uniform: upper is 0, but must be greater than lower (1)"
        );
        let err = uniform_lpdf::<f64>(0.5, 0.0, &vec![1.0, 0.0]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "uniform: upper[2] is 0, but must be greater than lower (0)"
        );
        let err = uniform_lpdf::<f64>(0.5, f64::NEG_INFINITY, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "uniform: lower is -inf, but must be finite"
        );
        let err = uniform_lpdf::<f64>(f64::NAN, 0.0, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "uniform: random variable is NaN, but must be not NaN"
        );
        let err = uniform_lpdf::<f64>(&vec![0.5; 2], &vec![0.0; 3], 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "uniform: lower has size 3, but must have size 2"
        );
        assert_eq!(
            Uniform::new(1.0, 1.0).unwrap_err().to_string(),
            "uniform: upper is 1, but must be greater than lower (1)"
        );
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(
            fraction in 0.01..0.99f64, alpha in -5.0..5.0f64, log_width in -2.0..2.0f64,
        ) {
            let beta = alpha + log_width.exp();
            let y = alpha + fraction * (beta - alpha);
            assert_gradient_matches(|x| uniform_lpdf(x[0], x[1], x[2]), &[y, alpha, beta]);
            assert_gradient_matches(
                |x| uniform_lpdf(&x[0..2], x[2], &x[3..5]),
                &[y, y, alpha, beta, beta + 1.0],
            );
            assert_gradient_matches(
                |x| uniform_lpdf(x[0], &x[1..3], x[3]),
                &[y, alpha, alpha - 1.0, beta],
            );
        }
    }

    /// With both bounds data the unnormalised form drops `−ln(β − α)`; with one, nothing.
    #[test]
    fn data_bounds_drop_the_log_width() {
        use crate::dist::testing::assert_data_drops;
        let y = [0.3, 1.7, 4.0];
        let upper = [1.0, 2.0, 5.0];
        let log_width: f64 = upper.iter().map(|&b: &f64| -(b + 1.0).ln()).sum();
        assert_data_drops!(
            uniform_lpdf,
            uniform_lupdf,
            |x, data| (&x[0..3], data(-1.0), data(&upper[..])),
            [0.3, 1.7, 4.0],
            log_width,
        );
        assert_data_drops!(
            uniform_lpdf,
            uniform_lupdf,
            |x, data| (&y[..], x[0], data(&upper[..])),
            [-1.0],
            0.0,
        );
    }
}
