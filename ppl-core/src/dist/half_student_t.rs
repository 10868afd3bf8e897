//! The half-Student-t distribution `half_student_t(y | nu, sigma)`: `student_t(nu, 0, sigma)` folded onto `y ≥ 0`.

use rand::Rng;
use rand_distr::Distribution as _;

use super::check::{check_not_negative, check_positive_finite, common_len};
use super::distribution::{Distribution, Support};
use super::student_t::student_t_log_density;
use crate::error::Result;
use crate::real::{Operand, Real};
use crate::special::{lgamma, LN_2, LN_PI};

/// Log-density of the half-Student-t distribution, vectorised over all arguments:
///
/// `Σ_i ln 2 + student_t_lpdf(y_i | ν_i, 0, σ_i)` for `y_i ≥ 0`, i.e.
/// `ln 2 + ln Γ((ν+1)/2) − ln Γ(ν/2) − ½ ln(νπ) − ln σ − (ν+1)/2 · ln(1 + (y/σ)²/ν)`.
///
/// Scalars broadcast; vectors must share one length. Partials as in
/// [`student_t_lpdf`](crate::dist::student_t_lpdf).
///
/// # Errors
/// `y` negative or NaN (an error, as Stan's `check_nonnegative`; `y = +∞` gives `−∞`), `nu` or
/// `sigma` not positive and finite, or vector lengths that differ:
/// `half_student_t: random variable is -1, but must be non-negative`.
///
/// # Reference
/// Stan has no `half_student_t_lpdf`; this is what `real<lower=0> y;
/// y ~ student_t(nu, 0, sigma);` computes, plus the normalising `ln 2`.
///
/// ```
/// let lp: f64 = ppl_core::dist::half_student_t_lpdf(0.5, 1.0, 2.0)?;
/// assert!((lp - (-1.205_354_507_665_834_5)).abs() < 1e-13);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn half_student_t_lpdf<T: Real>(
    y: impl Operand,
    nu: impl Operand,
    sigma: impl Operand,
) -> Result<T> {
    half_student_t_log_density::<false, T>(y, nu, sigma)
}

/// [`half_student_t_lpdf`] without the constant `n (ln 2 − ½ ln π)` (what `~` uses),
/// without `ln Γ((ν+1)/2) − ln Γ(ν/2) − ½ ln ν` when `nu` is [`crate::Data`] and without
/// `−ln σ` when `sigma` is.
pub fn half_student_t_lupdf<T: Real>(
    y: impl Operand,
    nu: impl Operand,
    sigma: impl Operand,
) -> Result<T> {
    half_student_t_log_density::<true, T>(y, nu, sigma)
}

fn half_student_t_log_density<const PROPTO: bool, T: Real>(
    y: impl Operand,
    nu: impl Operand,
    sigma: impl Operand,
) -> Result<T> {
    const FUNCTION: &str = "half_student_t";
    check_not_negative(FUNCTION, "random variable", &y)?;
    let sizes = [
        ("random variable", y.size()),
        ("nu", nu.size()),
        ("scale", sigma.size()),
    ];
    let folded: T = student_t_log_density::<PROPTO, T>(FUNCTION, y, nu, 0.0, sigma)?;
    if PROPTO {
        return Ok(folded);
    }
    let n = common_len(FUNCTION, &sizes)?;
    Ok(folded + n as f64 * LN_2)
}

/// The half-Student-t distribution with fixed parameters, for sampling and moments.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HalfStudentT {
    nu: f64,
    sigma: f64,
}

impl HalfStudentT {
    /// `half_student_t(nu, sigma)`.
    ///
    /// # Errors
    /// `nu` or `sigma` not positive and finite.
    pub fn new(nu: f64, sigma: f64) -> Result<Self> {
        check_positive_finite("half_student_t", "nu", &nu)?;
        check_positive_finite("half_student_t", "scale", &sigma)?;
        Ok(HalfStudentT { nu, sigma })
    }
}

impl Distribution for HalfStudentT {
    type Value = f64;
    type Moment = f64;
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        // |σ t_ν|; the parameters were checked by `new`.
        rand_distr::StudentT::new(self.nu)
            .map(|d| (self.sigma * d.sample(rng)).abs())
            .unwrap_or(f64::NAN)
    }
    /// `2σ √ν Γ((ν+1)/2) / (√π Γ(ν/2) (ν − 1))` for `nu > 1`, else infinite (`None`).
    fn mean(&self) -> Option<f64> {
        let nu = self.nu;
        (nu > 1.0).then(|| {
            let log_ratio = lgamma(0.5 * (nu + 1.0)) - lgamma(0.5 * nu);
            2.0 * self.sigma * (0.5 * nu.ln() + log_ratio - 0.5 * LN_PI).exp() / (nu - 1.0)
        })
    }
    /// `σ² ν/(ν − 2) − mean²` for `nu > 2`, else infinite or undefined (`None`).
    fn variance(&self) -> Option<f64> {
        let nu = self.nu;
        let mean = self.mean()?;
        (nu > 2.0).then(|| self.sigma * self.sigma * nu / (nu - 2.0) - mean * mean)
    }
    fn support(&self) -> Support {
        Support::LowerBounded(0.0)
    }
    fn log_density(&self, x: &f64) -> f64 {
        half_student_t_lpdf::<f64>(*x, self.nu, self.sigma).unwrap_or(f64::NEG_INFINITY)
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
        // (y, nu, sigma, ln 2 + scipy.stats.t.logpdf(y, nu, scale=sigma)), scipy 1.17.1.
        for &(y, nu, sigma, expected) in &[
            (0.0, 3.0, 1.0, -0.3077416690635645),
            (0.5, 1.0, 2.0, -1.2053545076658345),
            (3.0, 7.5, 0.7, -5.164186251293098),
            (200.0, 0.5, 1.5, -8.88201071999287),
        ] {
            let lp: f64 = half_student_t_lpdf(y, nu, sigma).unwrap();
            assert_close(lp, expected, 1e-12);
        }
    }

    #[test]
    fn vectorised_equals_sum_of_scalars() {
        let y = vec![0.5, 1.0, 2.0];
        let lp: f64 = half_student_t_lpdf(&y, 3.0, 1.5).unwrap();
        let sum: f64 = y
            .iter()
            .map(|&y_i| half_student_t_lpdf::<f64>(y_i, 3.0, 1.5).unwrap())
            .sum();
        assert_close(lp, sum, 1e-14);
        let propto: f64 = half_student_t_lupdf(&y, 3.0, 1.5).unwrap();
        assert_close(lp - propto, 3.0 * (LN_2 - 0.5 * LN_PI), 1e-14);
    }

    #[test]
    fn normalised_by_quadrature() {
        assert_normalised(
            |y| half_student_t_lpdf::<f64>(y, 4.0, 2.0).unwrap(),
            0.0,
            300.0,
        );
    }

    #[test]
    fn sample_moments_match() {
        assert_moments(&HalfStudentT::new(12.0, 2.0).unwrap());
        // ν = 1 (half-Cauchy): no mean.
        assert_eq!(HalfStudentT::new(1.0, 1.0).unwrap().mean(), None);
    }

    #[test]
    fn argument_checks_name_function_argument_value_and_rule() {
        let err = half_student_t_lpdf::<f64>(-1.0, 3.0, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "half_student_t: random variable is -1, but must be non-negative"
        );
        let err = half_student_t_lpdf::<f64>(1.0, -3.0, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "half_student_t: nu is -3, but must be positive and finite"
        );
        let err = half_student_t_lpdf::<f64>(1.0, 3.0, &vec![1.0, 0.0]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "half_student_t: scale[2] is 0, but must be positive and finite"
        );
        let err = half_student_t_lpdf::<f64>(&vec![1.0; 2], &vec![3.0; 3], 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "half_student_t: nu has size 3, but must have size 2"
        );
        assert_eq!(
            HalfStudentT::new(3.0, 0.0).unwrap_err().to_string(),
            "half_student_t: scale is 0, but must be positive and finite"
        );
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(
            y in 0.01..5.0f64, log_nu in -1.0..3.0f64, log_sigma in -2.0..2.0f64,
        ) {
            let (nu, sigma) = (log_nu.exp(), log_sigma.exp());
            assert_gradient_matches(|x| half_student_t_lpdf(x[0], x[1], x[2]), &[y, nu, sigma]);
            assert_gradient_matches(
                |x| half_student_t_lpdf(&x[0..2], x[2], &x[3..5]),
                &[y, 2.0 * y, nu, sigma, 0.5],
            );
        }
    }

    /// With data `nu` the terms in ν alone go, with data `sigma` `−ln σ` goes.
    #[test]
    fn data_arguments_drop_their_terms() {
        use crate::dist::testing::assert_data_drops;
        use statrs::function::gamma::ln_gamma;
        let y = [0.3, 1.7, 4.0];
        let nu_terms = |nu: f64| ln_gamma(0.5 * (nu + 1.0)) - ln_gamma(0.5 * nu) - 0.5 * nu.ln();
        assert_data_drops!(
            half_student_t_lpdf,
            half_student_t_lupdf,
            |x, data| (&y[..], data(3.0), x[0]),
            [1.3],
            3.0 * nu_terms(3.0),
        );
        assert_data_drops!(
            half_student_t_lpdf,
            half_student_t_lupdf,
            |x, data| (&y[..], x[0], data(2.0)),
            [4.5],
            -3.0 * 2f64.ln(),
        );
    }
}
