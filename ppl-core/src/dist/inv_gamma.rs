//! The inverse-gamma distribution `inv_gamma(y | alpha, beta)`, alpha the shape and beta the SCALE (`1/y ~ gamma(alpha, beta)`), as in Stan.

use rand::Rng;
use rand_distr::Distribution as _;

use super::check::{check_not_nan, check_positive_finite, common_len, leading_value};
use super::distribution::{Distribution, Support};
use super::partials::ArgPartials;
use crate::data::{include_summand, is_data};
use crate::error::Result;
use crate::real::{Operand, Real};
use crate::special::{digamma, lgamma};

/// Log-density of the inverse-gamma distribution with shape `α` and scale `β`, vectorised over
/// all arguments (Stan's `inv_gamma_lpdf`):
///
/// `Σ_i α_i ln β_i − ln Γ(α_i) − (α_i + 1) ln y_i − β_i / y_i`.
///
/// Scalars broadcast; vectors must share one length. Partials in `f64` in one pass:
/// `∂/∂y = β/y² − (α + 1)/y`, `∂/∂α = ln β − ln y − ψ(α)`, `∂/∂β = α/β − 1/y`.
///
/// # Errors
/// `y` NaN, `alpha` or `beta` not positive and finite, or vector lengths that differ:
/// `inv_gamma: scale is 0, but must be positive and finite`. As in Stan, `y ≤ 0` is not an
/// error: the log-density is `−∞`.
///
/// # Reference
/// Stan Functions Reference, "Inverse gamma distribution".
///
/// ```
/// let lp: f64 = ppl_core::dist::inv_gamma_lpdf(1.0, 2.0, 1.0)?;
/// // 2 ln 1 − ln Γ(2) − 3 ln 1 − 1
/// assert!((lp - (-1.0)).abs() < 1e-15);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn inv_gamma_lpdf<T: Real>(
    y: impl Operand,
    alpha: impl Operand,
    beta: impl Operand,
) -> Result<T> {
    inv_gamma_log_density::<false, T>(y, alpha, beta)
}

/// [`inv_gamma_lpdf`] without the terms whose arguments are all [`crate::Data`] (Stan's
/// `inv_gamma_lupdf`, what `~` uses): `−ln Γ(α)` (data `alpha`), `α ln β` (`alpha`, `beta`),
/// `−(α + 1) ln y` (`alpha`, `y`), `−β / y` (`beta`, `y`).
pub fn inv_gamma_lupdf<T: Real>(
    y: impl Operand,
    alpha: impl Operand,
    beta: impl Operand,
) -> Result<T> {
    inv_gamma_log_density::<true, T>(y, alpha, beta)
}

/// `ln Γ(α)` (if wanted, else 0) and, if wanted, `ψ(α)`.
fn shape_terms(alpha: f64, with_value: bool, with_derivative: bool) -> (f64, f64) {
    let lgamma_alpha = if with_value { lgamma(alpha) } else { 0.0 };
    let digamma_alpha = if with_derivative { digamma(alpha) } else { 0.0 };
    (lgamma_alpha, digamma_alpha)
}

fn inv_gamma_log_density<const PROPTO: bool, T: Real>(
    y: impl Operand,
    alpha: impl Operand,
    beta: impl Operand,
) -> Result<T> {
    const FUNCTION: &str = "inv_gamma";
    check_not_nan(FUNCTION, "random variable", &y)?;
    check_positive_finite(FUNCTION, "shape", &alpha)?;
    check_positive_finite(FUNCTION, "scale", &beta)?;
    let n = common_len(
        FUNCTION,
        &[
            ("random variable", y.size()),
            ("shape", alpha.size()),
            ("scale", beta.size()),
        ],
    )?;
    // Each term is dropped from the unnormalised form when all its arguments are data (Stan's
    // `~`), and then not computed.
    let (y_data, alpha_data, beta_data) = (is_data(&y), is_data(&alpha), is_data(&beta));
    let include_lgamma_alpha = include_summand::<PROPTO>(alpha_data);
    let include_alpha_log_beta = include_summand::<PROPTO>(alpha_data && beta_data);
    let include_alpha_log_y = include_summand::<PROPTO>(alpha_data && y_data);
    let include_beta_over_y = include_summand::<PROPTO>(beta_data && y_data);
    let alpha_is_parameter = alpha.any_tangent();
    let scalar_shape_terms = shape_terms(
        leading_value(&alpha),
        include_lgamma_alpha,
        alpha_is_parameter,
    );
    let mut value = 0.0;
    let mut out = T::accumulator();
    let mut y_partials = ArgPartials::new(&y);
    let mut alpha_partials = ArgPartials::new(&alpha);
    let mut beta_partials = ArgPartials::new(&beta);
    for i in 0..n {
        let (y_i, alpha_i, beta_i) = (y.value_at(i), alpha.value_at(i), beta.value_at(i));
        if y_i <= 0.0 || y_i == f64::INFINITY {
            return Ok(T::constant(f64::NEG_INFINITY));
        }
        let (lgamma_alpha, digamma_alpha) = if alpha.size().is_none() {
            scalar_shape_terms
        } else {
            shape_terms(alpha_i, include_lgamma_alpha, alpha_is_parameter)
        };
        let inv_y = 1.0 / y_i;
        // A dropped logarithm is 0 (its term then vanishes); a parameter alpha keeps both.
        let log_y = if include_alpha_log_y { y_i.ln() } else { 0.0 };
        let log_beta = if include_alpha_log_beta {
            beta_i.ln()
        } else {
            0.0
        };
        let beta_over_y = if include_beta_over_y {
            beta_i * inv_y
        } else {
            0.0
        };
        value += alpha_i * log_beta - lgamma_alpha - (alpha_i + 1.0) * log_y - beta_over_y;
        let d_y = (beta_i * inv_y - (alpha_i + 1.0)) * inv_y;
        y_partials.add(&mut out, i, d_y);
        if alpha_is_parameter {
            let d_alpha = log_beta - log_y - digamma_alpha;
            alpha_partials.add(&mut out, i, d_alpha);
        }
        beta_partials.add(&mut out, i, alpha_i / beta_i - inv_y);
    }
    y_partials.apply(&mut out);
    alpha_partials.apply(&mut out);
    beta_partials.apply(&mut out);
    Ok(out + value)
}

/// The inverse-gamma distribution with fixed shape and scale, for sampling and moments.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InvGamma {
    alpha: f64,
    beta: f64,
}

impl InvGamma {
    /// `inv_gamma(alpha, beta)`: shape `alpha`, scale `beta`.
    ///
    /// # Errors
    /// `alpha` or `beta` not positive and finite.
    pub fn new(alpha: f64, beta: f64) -> Result<Self> {
        check_positive_finite("inv_gamma", "shape", &alpha)?;
        check_positive_finite("inv_gamma", "scale", &beta)?;
        Ok(InvGamma { alpha, beta })
    }
}

impl Distribution for InvGamma {
    type Value = f64;
    type Moment = f64;
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        // β / gamma(α, 1); the parameters were checked by `new`.
        rand_distr::Gamma::new(self.alpha, 1.0)
            .map(|d| self.beta / d.sample(rng))
            .unwrap_or(f64::NAN)
    }
    /// `β/(α − 1)` for `α > 1`, else infinite (`None`).
    fn mean(&self) -> Option<f64> {
        (self.alpha > 1.0).then(|| self.beta / (self.alpha - 1.0))
    }
    /// `β²/((α − 1)²(α − 2))` for `α > 2`, else infinite or undefined (`None`).
    fn variance(&self) -> Option<f64> {
        let a = self.alpha;
        (a > 2.0).then(|| self.beta * self.beta / ((a - 1.0) * (a - 1.0) * (a - 2.0)))
    }
    fn support(&self) -> Support {
        Support::LowerBounded(0.0)
    }
    fn log_density(&self, x: &f64) -> f64 {
        inv_gamma_lpdf::<f64>(*x, self.alpha, self.beta).unwrap_or(f64::NEG_INFINITY)
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
        use statrs::distribution::{Continuous, InverseGamma};
        for &(y, alpha, beta) in &[
            (1.0, 1.0, 1.0),
            (2.0, 3.0, 0.5),
            (1e-2, 0.3, 2.0),
            (0.8, 120.0, 100.0),
        ] {
            // statrs names the scale β "rate": density β^α y^(−α−1) e^(−β/y) / Γ(α).
            let expected = InverseGamma::new(alpha, beta).unwrap().ln_pdf(y);
            let lp: f64 = inv_gamma_lpdf(y, alpha, beta).unwrap();
            assert_close(lp, expected, 1e-11);
        }
        for y in [0.0, -1.0, f64::INFINITY] {
            let lp: f64 = inv_gamma_lpdf(y, 2.0, 1.0).unwrap();
            assert_eq!(lp, f64::NEG_INFINITY);
        }
    }

    #[test]
    fn vectorised_equals_sum_of_scalars() {
        let y = vec![0.5, 1.0, 2.0];
        let beta = vec![1.0, 2.5, 7.0];
        let lp: f64 = inv_gamma_lpdf(&y, 1.5, &beta).unwrap();
        let sum: f64 = (0..3)
            .map(|i| inv_gamma_lpdf::<f64>(y[i], 1.5, beta[i]).unwrap())
            .sum();
        assert_close(lp, sum, 1e-14);
        assert_eq!(lp, inv_gamma_lupdf::<f64>(&y, 1.5, &beta).unwrap());
    }

    #[test]
    fn normalised_by_quadrature() {
        // α = 6: the tail beyond 200 holds (β/y)^α/Γ(α+1) ≈ 2e-13 of the mass.
        assert_normalised(|y| inv_gamma_lpdf::<f64>(y, 6.0, 3.0).unwrap(), 0.0, 200.0);
    }

    #[test]
    fn sample_moments_match() {
        // α = 10: the moments the variance's MCSE needs exist.
        assert_moments(&InvGamma::new(10.0, 3.0).unwrap());
        assert_eq!(InvGamma::new(1.0, 1.0).unwrap().mean(), None);
        assert_eq!(InvGamma::new(2.0, 1.0).unwrap().variance(), None);
    }

    #[test]
    fn argument_checks_name_function_argument_value_and_rule() {
        let err = inv_gamma_lpdf::<f64>(f64::NAN, 1.0, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "inv_gamma: random variable is NaN, but must be not NaN"
        );
        let err = inv_gamma_lpdf::<f64>(1.0, 0.0, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "inv_gamma: shape is 0, but must be positive and finite"
        );
        let err = inv_gamma_lpdf::<f64>(1.0, 2.0, &vec![1.0, -1.0]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "inv_gamma: scale[2] is -1, but must be positive and finite"
        );
        let err = inv_gamma_lpdf::<f64>(&vec![1.0; 2], 1.0, &vec![1.0; 3]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "inv_gamma: scale has size 3, but must have size 2"
        );
        assert_eq!(
            InvGamma::new(f64::INFINITY, 1.0).unwrap_err().to_string(),
            "inv_gamma: shape is inf, but must be positive and finite"
        );
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(
            log_y in -2.0..2.0f64, log_alpha in -1.0..3.0f64, log_beta in -2.0..2.0f64,
        ) {
            let (y, alpha, beta) = (log_y.exp(), log_alpha.exp(), log_beta.exp());
            assert_gradient_matches(|x| inv_gamma_lpdf(x[0], x[1], x[2]), &[y, alpha, beta]);
            assert_gradient_matches(
                |x| inv_gamma_lpdf(&x[0..2], x[2], &x[3..5]),
                &[y, 2.0 * y, alpha, beta, 0.5],
            );
            assert_gradient_matches(
                |x| inv_gamma_lpdf(x[0], &x[1..3], x[3]),
                &[y, alpha, 1.5, beta],
            );
            // alpha as data: its (skipped) digamma partial is not needed.
            assert_gradient_matches(|x| inv_gamma_lpdf(x[0], alpha, x[1]), &[y, beta]);
        }
    }

    /// Each term goes when all its arguments are data: `−ln Γ(α)` (alpha), `α ln β` (alpha,
    /// beta), `−(α + 1) ln y` (alpha, y), `−β / y` (beta, y).
    #[test]
    fn data_arguments_drop_their_terms() {
        use crate::dist::testing::assert_data_drops;
        use statrs::function::gamma::ln_gamma;
        let y = [0.3, 1.7, 4.0];
        let alpha = [0.5, 2.0, 3.5];
        let beta = [1.5, 0.25, 2.0];
        let sum = |term: &dyn Fn(usize) -> f64| (0..3).map(term).sum::<f64>();
        let lgamma_alpha = sum(&|i| -ln_gamma(alpha[i]));
        let alpha_log_beta = sum(&|i| alpha[i] * beta[i].ln());
        let alpha_log_y = sum(&|i| -(alpha[i] + 1.0) * y[i].ln());
        let beta_over_y = sum(&|i| -beta[i] / y[i]);
        assert_data_drops!(
            inv_gamma_lpdf,
            inv_gamma_lupdf,
            |x, data| (&y[..], data(&alpha[..]), x[0]),
            [1.5],
            lgamma_alpha,
        );
        assert_data_drops!(
            inv_gamma_lpdf,
            inv_gamma_lupdf,
            |x, data| (&x[0..3], data(&alpha[..]), data(&beta[..])),
            [0.3, 1.7, 4.0],
            lgamma_alpha + alpha_log_beta,
        );
        assert_data_drops!(
            inv_gamma_lpdf,
            inv_gamma_lupdf,
            |x, data| (data(&y[..]), data(&alpha[..]), &x[0..3]),
            [1.5, 0.25, 2.0],
            lgamma_alpha + alpha_log_y,
        );
        assert_data_drops!(
            inv_gamma_lpdf,
            inv_gamma_lupdf,
            |x, data| (data(&y[..]), &x[0..3], data(&beta[..])),
            [0.5, 2.0, 3.5],
            beta_over_y,
        );
    }
}
