//! The gamma distribution `gamma(y | alpha, beta)`, alpha the shape and beta the RATE (mean `alpha/beta`), as in Stan.

use rand::Rng;
use rand_distr::Distribution as _;

use super::check::{check_positive_finite, common_len, leading_value};
use super::distribution::{Distribution, Support};
use super::partials::ArgPartials;
use crate::data::{include_summand, is_data};
use crate::error::Result;
use crate::real::{Operand, Real};
use crate::special::{digamma, lgamma};

/// Log-density of the gamma distribution with shape `α` and rate `β`, vectorised over all
/// arguments (Stan's `gamma_lpdf`):
///
/// `Σ_i α_i ln β_i − ln Γ(α_i) + (α_i − 1) ln y_i − β_i y_i`.
///
/// Scalars broadcast; vectors must share one length. Partials in `f64` in one pass:
/// `∂/∂y = (α − 1)/y − β`, `∂/∂α = ln β + ln y − ψ(α)`, `∂/∂β = α/β − y` (`ln Γ(α)` and
/// `ψ(α)` once for a scalar `alpha`, `ψ` only when `alpha` is a parameter).
///
/// # Errors
/// `y`, `alpha` or `beta` not positive and finite (as Stan, which also rejects `y = 0`), or
/// vector lengths that differ: `gamma: rate is -1, but must be positive and finite`.
///
/// # Reference
/// Stan Functions Reference, "Gamma distribution".
///
/// ```
/// let lp: f64 = ppl_core::dist::gamma_lpdf(2.0, 3.0, 0.5)?;
/// // scipy.stats.gamma.logpdf(2, 3, scale=2)
/// assert!((lp - (-2.386_294_361_119_890_4)).abs() < 1e-13);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn gamma_lpdf<T: Real>(y: impl Operand, alpha: impl Operand, beta: impl Operand) -> Result<T> {
    gamma_log_density::<false, T>(y, alpha, beta)
}

/// [`gamma_lpdf`] without the terms whose arguments are all [`crate::Data`] (Stan's
/// `gamma_lupdf`, what `~` uses): `−ln Γ(α)` (data `alpha`), `α ln β` (`alpha`, `beta`),
/// `(α − 1) ln y` (`alpha`, `y`), `−β y` (`beta`, `y`).
pub fn gamma_lupdf<T: Real>(y: impl Operand, alpha: impl Operand, beta: impl Operand) -> Result<T> {
    gamma_log_density::<true, T>(y, alpha, beta)
}

/// `ln Γ(α)` (if wanted, else 0) and, if wanted, `ψ(α)`.
fn shape_terms(alpha: f64, with_value: bool, with_derivative: bool) -> (f64, f64) {
    let lgamma_alpha = if with_value { lgamma(alpha) } else { 0.0 };
    let digamma_alpha = if with_derivative { digamma(alpha) } else { 0.0 };
    (lgamma_alpha, digamma_alpha)
}

fn gamma_log_density<const PROPTO: bool, T: Real>(
    y: impl Operand,
    alpha: impl Operand,
    beta: impl Operand,
) -> Result<T> {
    const FUNCTION: &str = "gamma";
    check_positive_finite(FUNCTION, "random variable", &y)?;
    check_positive_finite(FUNCTION, "shape", &alpha)?;
    check_positive_finite(FUNCTION, "rate", &beta)?;
    let n = common_len(
        FUNCTION,
        &[
            ("random variable", y.size()),
            ("shape", alpha.size()),
            ("rate", beta.size()),
        ],
    )?;
    // Each term is dropped from the unnormalised form when all its arguments are data (Stan's
    // `~`), and then not computed.
    let (y_data, alpha_data, beta_data) = (is_data(&y), is_data(&alpha), is_data(&beta));
    let include_lgamma_alpha = include_summand::<PROPTO>(alpha_data);
    let include_alpha_log_beta = include_summand::<PROPTO>(alpha_data && beta_data);
    let include_alpha_log_y = include_summand::<PROPTO>(alpha_data && y_data);
    let include_beta_y = include_summand::<PROPTO>(beta_data && y_data);
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
        let (lgamma_alpha, digamma_alpha) = if alpha.size().is_none() {
            scalar_shape_terms
        } else {
            shape_terms(alpha_i, include_lgamma_alpha, alpha_is_parameter)
        };
        // A dropped logarithm is 0 (its term then vanishes); a parameter alpha keeps both.
        let log_y = if include_alpha_log_y { y_i.ln() } else { 0.0 };
        let log_beta = if include_alpha_log_beta {
            beta_i.ln()
        } else {
            0.0
        };
        let beta_y = if include_beta_y { beta_i * y_i } else { 0.0 };
        value += alpha_i * log_beta - lgamma_alpha + (alpha_i - 1.0) * log_y - beta_y;
        y_partials.add(&mut out, i, (alpha_i - 1.0) / y_i - beta_i);
        if alpha_is_parameter {
            let d_alpha = log_beta + log_y - digamma_alpha;
            alpha_partials.add(&mut out, i, d_alpha);
        }
        beta_partials.add(&mut out, i, alpha_i / beta_i - y_i);
    }
    y_partials.apply(&mut out);
    alpha_partials.apply(&mut out);
    beta_partials.apply(&mut out);
    Ok(out + value)
}

/// The gamma distribution with fixed shape and rate, for sampling and moments.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gamma {
    alpha: f64,
    beta: f64,
}

impl Gamma {
    /// `gamma(alpha, beta)`: shape `alpha`, rate `beta`.
    ///
    /// # Errors
    /// `alpha` or `beta` not positive and finite.
    pub fn new(alpha: f64, beta: f64) -> Result<Self> {
        check_positive_finite("gamma", "shape", &alpha)?;
        check_positive_finite("gamma", "rate", &beta)?;
        Ok(Gamma { alpha, beta })
    }
}

impl Distribution for Gamma {
    type Value = f64;
    type Moment = f64;
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        // rand_distr takes the scale 1/β; the parameters were checked by `new`.
        rand_distr::Gamma::new(self.alpha, 1.0 / self.beta)
            .map(|d| d.sample(rng))
            .unwrap_or(f64::NAN)
    }
    /// `α/β`.
    fn mean(&self) -> Option<f64> {
        Some(self.alpha / self.beta)
    }
    /// `α/β²`.
    fn variance(&self) -> Option<f64> {
        Some(self.alpha / (self.beta * self.beta))
    }
    fn support(&self) -> Support {
        Support::LowerBounded(0.0)
    }
    fn log_density(&self, x: &f64) -> f64 {
        gamma_lpdf::<f64>(*x, self.alpha, self.beta).unwrap_or(f64::NEG_INFINITY)
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
        use statrs::distribution::{Continuous, Gamma as StatrsGamma};
        for &(y, alpha, beta) in &[
            (1.0, 1.0, 1.0),
            (2.0, 3.0, 0.5),
            (1e-4, 0.3, 2.0),
            (150.0, 120.0, 0.8),
            (0.02, 2.0, 50.0),
        ] {
            // statrs: Gamma::new(shape, rate).
            let expected = StatrsGamma::new(alpha, beta).unwrap().ln_pdf(y);
            let lp: f64 = gamma_lpdf(y, alpha, beta).unwrap();
            assert_close(lp, expected, 1e-11);
        }
    }

    #[test]
    fn vectorised_equals_sum_of_scalars() {
        let y = vec![0.5, 1.0, 2.0];
        let alpha = vec![1.0, 2.5, 7.0];
        let lp: f64 = gamma_lpdf(&y, &alpha, 1.5).unwrap();
        let sum: f64 = (0..3)
            .map(|i| gamma_lpdf::<f64>(y[i], alpha[i], 1.5).unwrap())
            .sum();
        assert_close(lp, sum, 1e-14);
        assert_eq!(lp, gamma_lupdf::<f64>(&y, &alpha, 1.5).unwrap());
    }

    #[test]
    fn normalised_by_quadrature() {
        assert_normalised(
            |y| gamma_lpdf::<f64>(y, 2.5, 0.5).unwrap_or(-1e300),
            0.0,
            80.0,
        );
    }

    #[test]
    fn sample_moments_match() {
        assert_moments(&Gamma::new(2.5, 0.5).unwrap());
        assert_moments(&Gamma::new(0.4, 3.0).unwrap());
    }

    #[test]
    fn argument_checks_name_function_argument_value_and_rule() {
        let err = gamma_lpdf::<f64>(0.0, 1.0, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "gamma: random variable is 0, but must be positive and finite"
        );
        let err = gamma_lpdf::<f64>(1.0, -2.0, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "gamma: shape is -2, but must be positive and finite"
        );
        let err = gamma_lpdf::<f64>(1.0, 2.0, &vec![1.0, f64::INFINITY]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "gamma: rate[2] is inf, but must be positive and finite"
        );
        let err = gamma_lpdf::<f64>(&vec![1.0; 2], &vec![1.0; 3], 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "gamma: shape has size 3, but must have size 2"
        );
        assert_eq!(
            Gamma::new(1.0, 0.0).unwrap_err().to_string(),
            "gamma: rate is 0, but must be positive and finite"
        );
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(
            log_y in -2.0..2.0f64, log_alpha in -1.0..3.0f64, log_beta in -2.0..2.0f64,
        ) {
            let (y, alpha, beta) = (log_y.exp(), log_alpha.exp(), log_beta.exp());
            assert_gradient_matches(|x| gamma_lpdf(x[0], x[1], x[2]), &[y, alpha, beta]);
            assert_gradient_matches(
                |x| gamma_lpdf(&x[0..2], x[2], &x[3..5]),
                &[y, 2.0 * y, alpha, beta, 0.5],
            );
            assert_gradient_matches(
                |x| gamma_lpdf(x[0], &x[1..3], x[3]),
                &[y, alpha, 1.5, beta],
            );
            // alpha as data: its (skipped) digamma partial is not needed.
            assert_gradient_matches(|x| gamma_lpdf(x[0], alpha, x[1]), &[y, beta]);
        }
    }

    /// Each term goes when all its arguments are data: `−ln Γ(α)` (alpha), `α ln β` (alpha,
    /// beta), `(α − 1) ln y` (alpha, y), `−β y` (beta, y).
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
        let alpha_log_y = sum(&|i| (alpha[i] - 1.0) * y[i].ln());
        let beta_y = sum(&|i| -beta[i] * y[i]);
        assert_data_drops!(
            gamma_lpdf,
            gamma_lupdf,
            |x, data| (&y[..], data(&alpha[..]), x[0]),
            [1.5],
            lgamma_alpha,
        );
        assert_data_drops!(
            gamma_lpdf,
            gamma_lupdf,
            |x, data| (&x[0..3], data(&alpha[..]), data(&beta[..])),
            [0.3, 1.7, 4.0],
            lgamma_alpha + alpha_log_beta,
        );
        assert_data_drops!(
            gamma_lpdf,
            gamma_lupdf,
            |x, data| (data(&y[..]), data(&alpha[..]), &x[0..3]),
            [1.5, 0.25, 2.0],
            lgamma_alpha + alpha_log_y,
        );
        assert_data_drops!(
            gamma_lpdf,
            gamma_lupdf,
            |x, data| (data(&y[..]), &x[0..3], data(&beta[..])),
            [0.5, 2.0, 3.5],
            beta_y,
        );
    }
}
