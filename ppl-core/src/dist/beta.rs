//! The beta distribution `beta(y | alpha, beta)` on `[0, 1]`, alpha and beta the two shapes (prior counts).

use rand::Rng;
use rand_distr::Distribution as _;

use super::check::{check_positive_finite, check_probability, common_len, leading_value};
use super::distribution::{Distribution, Support};
use super::math::multiply_log;
use super::partials::ArgPartials;
use crate::data::{include_summand, is_data};
use crate::error::Result;
use crate::real::{Operand, Real};
use crate::special::{digamma, lbeta, lgamma};

/// Log-density of the beta distribution, vectorised over all arguments (Stan's `beta_lpdf`):
///
/// `Σ_i (α_i − 1) ln y_i + (β_i − 1) ln(1 − y_i) − ln B(α_i, β_i)`.
///
/// Scalars broadcast; vectors must share one length. Partials in `f64` in one pass:
/// `∂/∂y = (α − 1)/y − (β − 1)/(1 − y)`, `∂/∂α = ln y − ψ(α) + ψ(α + β)`,
/// `∂/∂β = ln(1 − y) − ψ(β) + ψ(α + β)` (`ln B` and the digammas once when both shapes are
/// scalars, the digammas only for parameters).
///
/// # Errors
/// `y` outside `[0, 1]` (or NaN), `alpha` or `beta` not positive and finite, or vector lengths
/// that differ: `beta: random variable is 1.5, but must be in [0, 1]`. At `y = 0` or `y = 1`
/// the density is its limit (`±∞`, or finite when the shape is 1), as in Stan.
///
/// # Reference
/// Stan Functions Reference, "Beta distribution".
///
/// ```
/// let lp: f64 = ppl_core::dist::beta_lpdf(0.5, 2.0, 2.0)?;
/// // 6 · 0.5 · 0.5 = 1.5
/// assert!((lp - 1.5f64.ln()).abs() < 1e-14);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn beta_lpdf<T: Real>(y: impl Operand, alpha: impl Operand, beta: impl Operand) -> Result<T> {
    beta_log_density::<false, T>(y, alpha, beta)
}

/// [`beta_lpdf`] without the terms whose arguments are all [`crate::Data`] (Stan's
/// `beta_lupdf`, what `~` uses): `−ln Γ(α)` (data `alpha`), `−ln Γ(β)` (`beta`), `ln Γ(α + β)`
/// (`alpha`, `beta`), `(α − 1) ln y` (`alpha`, `y`), `(β − 1) ln(1 − y)` (`beta`, `y`).
pub fn beta_lupdf<T: Real>(y: impl Operand, alpha: impl Operand, beta: impl Operand) -> Result<T> {
    beta_log_density::<true, T>(y, alpha, beta)
}

/// Which of the three terms of `−ln B(α, β) = ln Γ(α + β) − ln Γ(α) − ln Γ(β)` a density keeps.
#[derive(Clone, Copy)]
struct KeptShapeTerms {
    lgamma_alpha: bool,
    lgamma_beta: bool,
    lgamma_sum: bool,
}

impl KeptShapeTerms {
    /// The kept part of `−ln B(α, β)`: `−lbeta` itself (accurate) when all three are kept,
    /// else only the kept log-gammas are computed.
    fn value(self, alpha: f64, beta: f64) -> f64 {
        if self.lgamma_alpha && self.lgamma_beta && self.lgamma_sum {
            return -lbeta(alpha, beta);
        }
        let term = |kept: bool, x: f64| if kept { lgamma(x) } else { 0.0 };
        term(self.lgamma_sum, alpha + beta)
            - term(self.lgamma_alpha, alpha)
            - term(self.lgamma_beta, beta)
    }
}

/// The terms depending on the shapes only: the kept part of `−ln B(α, β)` and, if wanted,
/// `ψ(α) − ψ(α+β)` and `ψ(β) − ψ(α+β)`.
fn shape_terms(
    alpha: f64,
    beta: f64,
    kept: KeptShapeTerms,
    alpha_wanted: bool,
    beta_wanted: bool,
) -> (f64, f64, f64) {
    let digamma_sum = if alpha_wanted || beta_wanted {
        digamma(alpha + beta)
    } else {
        0.0
    };
    let d_alpha = if alpha_wanted {
        digamma(alpha) - digamma_sum
    } else {
        0.0
    };
    let d_beta = if beta_wanted {
        digamma(beta) - digamma_sum
    } else {
        0.0
    };
    (kept.value(alpha, beta), d_alpha, d_beta)
}

fn beta_log_density<const PROPTO: bool, T: Real>(
    y: impl Operand,
    alpha: impl Operand,
    beta: impl Operand,
) -> Result<T> {
    const FUNCTION: &str = "beta";
    check_probability(FUNCTION, "random variable", &y)?;
    check_positive_finite(FUNCTION, "alpha", &alpha)?;
    check_positive_finite(FUNCTION, "beta", &beta)?;
    let n = common_len(
        FUNCTION,
        &[
            ("random variable", y.size()),
            ("alpha", alpha.size()),
            ("beta", beta.size()),
        ],
    )?;
    let (alpha_is_parameter, beta_is_parameter) = (alpha.any_tangent(), beta.any_tangent());
    // Each term is dropped from the unnormalised form when all its arguments are data (Stan's
    // `~`), and then not computed.
    let (y_data, alpha_data, beta_data) = (is_data(&y), is_data(&alpha), is_data(&beta));
    let kept = KeptShapeTerms {
        lgamma_alpha: include_summand::<PROPTO>(alpha_data),
        lgamma_beta: include_summand::<PROPTO>(beta_data),
        lgamma_sum: include_summand::<PROPTO>(alpha_data && beta_data),
    };
    let include_alpha_log_y = include_summand::<PROPTO>(alpha_data && y_data);
    let include_beta_log1m_y = include_summand::<PROPTO>(beta_data && y_data);
    let scalar_shapes = alpha.size().is_none() && beta.size().is_none();
    let scalar_shape_terms = shape_terms(
        leading_value(&alpha),
        leading_value(&beta),
        kept,
        alpha_is_parameter,
        beta_is_parameter,
    );
    let mut value = 0.0;
    let mut out = T::accumulator();
    let mut y_partials = ArgPartials::new(&y);
    let mut alpha_partials = ArgPartials::new(&alpha);
    let mut beta_partials = ArgPartials::new(&beta);
    for i in 0..n {
        let (y_i, alpha_i, beta_i) = (y.value_at(i), alpha.value_at(i), beta.value_at(i));
        let (kept_shape_value, digamma_alpha_term, digamma_beta_term) = if scalar_shapes {
            scalar_shape_terms
        } else {
            shape_terms(alpha_i, beta_i, kept, alpha_is_parameter, beta_is_parameter)
        };
        // ln(1 − y) as ln_1p(−y), accurate for small y. A dropped logarithm is 0 (its term
        // then vanishes); a parameter shape keeps its own.
        let log_y = if include_alpha_log_y { y_i.ln() } else { 0.0 };
        let log1m_y = if include_beta_log1m_y {
            (-y_i).ln_1p()
        } else {
            0.0
        };
        value += multiply_log(alpha_i - 1.0, log_y)
            + multiply_log(beta_i - 1.0, log1m_y)
            + kept_shape_value;
        let d_y = (alpha_i - 1.0) / y_i - (beta_i - 1.0) / (1.0 - y_i);
        y_partials.add(&mut out, i, d_y);
        if alpha_is_parameter {
            let d_alpha = log_y - digamma_alpha_term;
            alpha_partials.add(&mut out, i, d_alpha);
        }
        if beta_is_parameter {
            let d_beta = log1m_y - digamma_beta_term;
            beta_partials.add(&mut out, i, d_beta);
        }
    }
    if value.is_infinite() {
        return Ok(T::constant(value));
    }
    y_partials.apply(&mut out);
    alpha_partials.apply(&mut out);
    beta_partials.apply(&mut out);
    Ok(out + value)
}

/// The beta distribution with fixed shapes, for sampling and moments.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Beta {
    alpha: f64,
    beta: f64,
}

impl Beta {
    /// `beta(alpha, beta)`.
    ///
    /// # Errors
    /// `alpha` or `beta` not positive and finite.
    pub fn new(alpha: f64, beta: f64) -> Result<Self> {
        check_positive_finite("beta", "alpha", &alpha)?;
        check_positive_finite("beta", "beta", &beta)?;
        Ok(Beta { alpha, beta })
    }
}

impl Distribution for Beta {
    type Value = f64;
    type Moment = f64;
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        // Parameters were checked by `new`, so construction cannot fail.
        rand_distr::Beta::new(self.alpha, self.beta)
            .map(|d| d.sample(rng))
            .unwrap_or(f64::NAN)
    }
    /// `α/(α + β)`.
    fn mean(&self) -> Option<f64> {
        Some(self.alpha / (self.alpha + self.beta))
    }
    /// `αβ/((α + β)²(α + β + 1))`.
    fn variance(&self) -> Option<f64> {
        let total = self.alpha + self.beta;
        Some(self.alpha * self.beta / (total * total * (total + 1.0)))
    }
    fn support(&self) -> Support {
        Support::Interval(0.0, 1.0)
    }
    fn log_density(&self, x: &f64) -> f64 {
        beta_lpdf::<f64>(*x, self.alpha, self.beta).unwrap_or(f64::NEG_INFINITY)
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
        use statrs::distribution::{Beta as StatrsBeta, Continuous};
        for &(y, alpha, beta) in &[
            (0.5, 1.0, 1.0),
            (0.2, 3.0, 0.5),
            (1e-6, 0.3, 2.0),
            (0.999, 120.0, 0.8),
            (0.37, 40.0, 60.0),
        ] {
            let expected = StatrsBeta::new(alpha, beta).unwrap().ln_pdf(y);
            let lp: f64 = beta_lpdf(y, alpha, beta).unwrap();
            assert_close(lp, expected, 1e-11);
        }
        let boundary: [f64; 3] = [
            beta_lpdf(0.0, 2.0, 3.0).unwrap(),
            beta_lpdf(1.0, 2.0, 0.5).unwrap(),
            beta_lpdf(0.0, 1.0, 3.0).unwrap(),
        ];
        assert_eq!(boundary[0], f64::NEG_INFINITY);
        assert_eq!(boundary[1], f64::INFINITY);
        assert_close(boundary[2], 3.0f64.ln(), 1e-13);
    }

    #[test]
    fn vectorised_equals_sum_of_scalars() {
        let y = vec![0.1, 0.5, 0.9];
        let alpha = vec![1.0, 2.5, 7.0];
        let lp: f64 = beta_lpdf(&y, &alpha, 1.5).unwrap();
        let sum: f64 = (0..3)
            .map(|i| beta_lpdf::<f64>(y[i], alpha[i], 1.5).unwrap())
            .sum();
        assert_close(lp, sum, 1e-14);
        assert_eq!(lp, beta_lupdf::<f64>(&y, &alpha, 1.5).unwrap());
    }

    #[test]
    fn normalised_by_quadrature() {
        assert_normalised(|y| beta_lpdf::<f64>(y, 2.5, 1.5).unwrap(), 0.0, 1.0);
    }

    #[test]
    fn sample_moments_match() {
        assert_moments(&Beta::new(2.5, 1.5).unwrap());
        assert_moments(&Beta::new(0.3, 0.6).unwrap());
    }

    #[test]
    fn argument_checks_name_function_argument_value_and_rule() {
        let err = beta_lpdf::<f64>(1.5, 1.0, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "beta: random variable is 1.5, but must be in [0, 1]"
        );
        let err = beta_lpdf::<f64>(0.5, 0.0, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "beta: alpha is 0, but must be positive and finite"
        );
        let err = beta_lpdf::<f64>(0.5, 1.0, &vec![1.0, f64::INFINITY]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "beta: beta[2] is inf, but must be positive and finite"
        );
        let err = beta_lpdf::<f64>(&vec![0.5; 2], &vec![1.0; 3], 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "beta: alpha has size 3, but must have size 2"
        );
        assert_eq!(
            Beta::new(1.0, -1.0).unwrap_err().to_string(),
            "beta: beta is -1, but must be positive and finite"
        );
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(
            y in 0.01..0.99f64, log_alpha in -1.0..3.0f64, log_beta in -1.0..3.0f64,
        ) {
            let (alpha, beta) = (log_alpha.exp(), log_beta.exp());
            assert_gradient_matches(|x| beta_lpdf(x[0], x[1], x[2]), &[y, alpha, beta]);
            assert_gradient_matches(
                |x| beta_lpdf(&x[0..2], x[2], &x[3..5]),
                &[y, 1.0 - y, alpha, beta, 0.5],
            );
            assert_gradient_matches(
                |x| beta_lpdf(x[0], &x[1..3], x[3]),
                &[y, alpha, 1.5, beta],
            );
            // One shape as data: only the other shape's digammas are computed.
            assert_gradient_matches(|x| beta_lpdf(x[0], alpha, x[1]), &[y, beta]);
            assert_gradient_matches(|x| beta_lpdf(x[0], x[1], beta), &[y, alpha]);
        }
    }

    /// Each term goes when all its arguments are data: `−ln Γ(α)` (alpha), `−ln Γ(β)` (beta),
    /// `ln Γ(α + β)` (alpha, beta), `(α − 1) ln y` (alpha, y), `(β − 1) ln(1 − y)` (beta, y).
    #[test]
    fn data_arguments_drop_their_terms() {
        use crate::dist::testing::assert_data_drops;
        use statrs::function::gamma::ln_gamma;
        let y = [0.3, 0.7, 0.05];
        let alpha = [0.5, 2.0, 3.5];
        let beta = [1.5, 0.25, 2.0];
        let sum = |term: &dyn Fn(usize) -> f64| (0..3).map(term).sum::<f64>();
        let lgamma_alpha = sum(&|i| -ln_gamma(alpha[i]));
        let lgamma_beta = sum(&|i| -ln_gamma(beta[i]));
        let lgamma_sum = sum(&|i| ln_gamma(alpha[i] + beta[i]));
        let alpha_log_y = sum(&|i| (alpha[i] - 1.0) * y[i].ln());
        let beta_log1m_y = sum(&|i| (beta[i] - 1.0) * (1.0 - y[i]).ln());
        assert_data_drops!(
            beta_lpdf,
            beta_lupdf,
            |x, data| (&y[..], data(&alpha[..]), x[0]),
            [1.5],
            lgamma_alpha,
        );
        assert_data_drops!(
            beta_lpdf,
            beta_lupdf,
            |x, data| (&y[..], x[0], data(&beta[..])),
            [1.5],
            lgamma_beta,
        );
        assert_data_drops!(
            beta_lpdf,
            beta_lupdf,
            |x, data| (&x[0..3], data(&alpha[..]), data(&beta[..])),
            [0.3, 0.7, 0.05],
            lgamma_alpha + lgamma_beta + lgamma_sum,
        );
        assert_data_drops!(
            beta_lpdf,
            beta_lupdf,
            |x, data| (data(&y[..]), data(&alpha[..]), &x[0..3]),
            [1.5, 0.25, 2.0],
            lgamma_alpha + alpha_log_y,
        );
        assert_data_drops!(
            beta_lpdf,
            beta_lupdf,
            |x, data| (data(&y[..]), x[0], data(&beta[..])),
            [2.5],
            lgamma_beta + beta_log1m_y,
        );
    }
}
