//! Student's t distribution `student_t(y | nu, mu, sigma)`: nu degrees of freedom (first, as in Stan), mu the location, sigma the scale.

use rand::Rng;
use rand_distr::Distribution as _;

use super::check::{
    check_finite, check_not_nan, check_positive_finite, checked_len, leading_value,
};
use super::distribution::{Distribution, Support};
use super::partials::ArgPartials;
use crate::data::{include_summand, is_data};
use crate::error::Result;
use crate::real::{Operand, Real};
use crate::special::{digamma, lgamma, LN_PI};

/// Log-density of Student's t distribution, vectorised over all arguments (Stan's
/// `student_t_lpdf`):
///
/// `Σ_i ln Γ((ν+1)/2) − ln Γ(ν/2) − ½ ln(νπ) − ln σ − (ν+1)/2 · ln(1 + z²/ν)`,
/// with `z = (y − μ)/σ`.
///
/// Scalars broadcast; vectors must share one length. Partials in `f64` in one pass:
/// `∂/∂y = −(ν+1) z / (σ(ν + z²))`, `∂/∂μ = −∂/∂y`, `∂/∂σ = ((ν+1) z²/(ν + z²) − 1)/σ`,
/// `∂/∂ν = ½ψ((ν+1)/2) − ½ψ(ν/2) − 1/(2ν) − ½ ln(1 + z²/ν) + (ν+1) z² / (2ν(ν + z²))`
/// (the digammas only when `nu` is a parameter, once for a scalar `nu`).
///
/// # Errors
/// `y` NaN, `nu` not positive and finite, `mu` not finite, `sigma` not positive and finite, or
/// vector lengths that differ: `student_t: nu is 0, but must be positive and finite`.
///
/// # Reference
/// Stan Functions Reference, "Student-t distribution".
///
/// ```
/// let lp: f64 = ppl_core::dist::student_t_lpdf(1.0, 1.0, 0.0, 1.0)?;
/// // ν = 1 is the Cauchy: −ln(2π).
/// assert!((lp - (-1.837_877_066_409_345_5)).abs() < 1e-13);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn student_t_lpdf<T: Real>(
    y: impl Operand,
    nu: impl Operand,
    mu: impl Operand,
    sigma: impl Operand,
) -> Result<T> {
    student_t_log_density::<false, T>("student_t", y, nu, mu, sigma)
}

/// [`student_t_lpdf`] without the constant `−n ½ ln π` (Stan's `student_t_lupdf`, what `~`
/// uses), without `ln Γ((ν+1)/2) − ln Γ(ν/2) − ½ ln ν` when `nu` is [`crate::Data`], and
/// without `−ln σ` when `sigma` is.
pub fn student_t_lupdf<T: Real>(
    y: impl Operand,
    nu: impl Operand,
    mu: impl Operand,
    sigma: impl Operand,
) -> Result<T> {
    student_t_log_density::<true, T>("student_t", y, nu, mu, sigma)
}

/// The terms of the t log-density that depend on `ν` only: the value
/// `ln Γ((ν+1)/2) − ln Γ(ν/2) − ½ ln ν` (if wanted, else 0) and, if wanted, its derivative.
fn nu_terms(nu: f64, with_value: bool, with_derivative: bool) -> (f64, f64) {
    let half_nu = 0.5 * nu;
    let value = if with_value {
        lgamma(half_nu + 0.5) - lgamma(half_nu) - 0.5 * nu.ln()
    } else {
        0.0
    };
    let derivative = if with_derivative {
        0.5 * (digamma(half_nu + 0.5) - digamma(half_nu)) - 0.5 / nu
    } else {
        0.0
    };
    (value, derivative)
}

/// The Student-t log-density with checks reported under `function` (shared with
/// `half_student_t`).
pub(crate) fn student_t_log_density<const PROPTO: bool, T: Real>(
    function: &'static str,
    y: impl Operand,
    nu: impl Operand,
    mu: impl Operand,
    sigma: impl Operand,
) -> Result<T> {
    // A lazy location (`a[group] + b[group] .* x`, `mu + tau * eta`) drives the loop and is
    // checked in it.
    let location_in_loop = mu.prefers_visit();
    let checks = |with_location: bool| -> Result<()> {
        check_not_nan(function, "random variable", &y)?;
        check_positive_finite(function, "nu", &nu)?;
        if with_location {
            check_finite(function, "location", &mu)?;
        }
        check_positive_finite(function, "scale", &sigma)
    };
    let n = checked_len(
        function,
        &[
            ("random variable", y.size()),
            ("nu", nu.size()),
            ("location", mu.size()),
            ("scale", sigma.size()),
        ],
        location_in_loop,
        checks,
    )?;
    let nu_is_parameter = nu.any_tangent();
    // The terms in ν alone and `−ln σ` are dropped from the unnormalised form when their
    // argument is data (Stan's `~`), and then not computed.
    let include_nu_terms = include_summand::<PROPTO>(is_data(&nu));
    let include_log_sigma = include_summand::<PROPTO>(is_data(&sigma));
    // A scalar nu: its gamma-function terms are computed once.
    let scalar_nu_terms = nu_terms(leading_value(&nu), include_nu_terms, nu_is_parameter);
    let mut value = 0.0;
    let mut location_valid = true;
    let mut out = T::accumulator();
    let mut y_partials = ArgPartials::new(&y);
    let mut nu_partials = ArgPartials::new(&nu);
    let mut mu_partials = ArgPartials::new(&mu);
    let mut sigma_partials = ArgPartials::new(&sigma);
    mu_partials.visit(
        &mu,
        n,
        &mut out,
        #[inline(always)]
        |out, i, mu_i| {
            location_valid &= mu_i.is_finite();
            let (y_i, nu_i, sigma_i) = (y.value_at(i), nu.value_at(i), sigma.value_at(i));
            let (nu_value, nu_derivative) = if nu.size().is_none() {
                scalar_nu_terms
            } else {
                nu_terms(nu_i, include_nu_terms, nu_is_parameter)
            };
            let log_sigma = if include_log_sigma { sigma_i.ln() } else { 0.0 };
            let inv_sigma = 1.0 / sigma_i;
            let z = (y_i - mu_i) * inv_sigma;
            let z_squared = z * z;
            let log1p_z_squared_over_nu = (z_squared / nu_i).ln_1p();
            value += nu_value - log_sigma - 0.5 * (nu_i + 1.0) * log1p_z_squared_over_nu;
            // (ν+1) / (ν + z²), the common factor of the partials.
            let weight = (nu_i + 1.0) / (nu_i + z_squared);
            let d_y = -weight * z * inv_sigma;
            y_partials.add(out, i, d_y);
            let d_sigma = (weight * z_squared - 1.0) * inv_sigma;
            sigma_partials.add(out, i, d_sigma);
            if nu_is_parameter {
                let d_nu =
                    nu_derivative - 0.5 * log1p_z_squared_over_nu + 0.5 * weight * z_squared / nu_i;
                nu_partials.add(out, i, d_nu);
            }
            // `∂/∂μ`, which `mu` adds to its tangents.
            -d_y
        },
    );
    if !location_valid {
        checks(true)?;
    }
    if value == f64::NEG_INFINITY {
        return Ok(T::constant(value));
    }
    y_partials.apply(&mut out);
    nu_partials.apply(&mut out);
    mu_partials.apply(&mut out);
    sigma_partials.apply(&mut out);
    if !PROPTO {
        value -= n as f64 * 0.5 * LN_PI;
    }
    Ok(out + value)
}

/// Student's t distribution with fixed parameters, for sampling and moments.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StudentT {
    nu: f64,
    mu: f64,
    sigma: f64,
}

impl StudentT {
    /// `student_t(nu, mu, sigma)`.
    ///
    /// # Errors
    /// `nu` or `sigma` not positive and finite, `mu` not finite.
    pub fn new(nu: f64, mu: f64, sigma: f64) -> Result<Self> {
        check_positive_finite("student_t", "nu", &nu)?;
        check_finite("student_t", "location", &mu)?;
        check_positive_finite("student_t", "scale", &sigma)?;
        Ok(StudentT { nu, mu, sigma })
    }
}

impl Distribution for StudentT {
    type Value = f64;
    type Moment = f64;
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        // Parameters were checked by `new`, so construction cannot fail.
        rand_distr::StudentT::new(self.nu)
            .map(|d| self.mu + self.sigma * d.sample(rng))
            .unwrap_or(f64::NAN)
    }
    /// `mu` for `nu > 1`, else undefined.
    fn mean(&self) -> Option<f64> {
        (self.nu > 1.0).then_some(self.mu)
    }
    /// `sigma² nu / (nu − 2)` for `nu > 2`, else infinite or undefined (`None`).
    fn variance(&self) -> Option<f64> {
        (self.nu > 2.0).then(|| self.sigma * self.sigma * self.nu / (self.nu - 2.0))
    }
    fn support(&self) -> Support {
        Support::Real
    }
    fn log_density(&self, x: &f64) -> f64 {
        student_t_lpdf::<f64>(*x, self.nu, self.mu, self.sigma).unwrap_or(f64::NEG_INFINITY)
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
        use statrs::distribution::{Continuous, StudentsT};
        for &(y, nu, mu, sigma) in &[
            (0.0, 1.0, 0.0, 1.0),
            (1.5, 3.0, -0.3, 2.0),
            (-40.0, 0.5, 1.0, 0.5),
            (3.0, 30.0, 3.0, 1e-3),
            (2.0, 1e6, 0.5, 1.0),
        ] {
            let expected = StudentsT::new(mu, sigma, nu).unwrap().ln_pdf(y);
            let lp: f64 = student_t_lpdf(y, nu, mu, sigma).unwrap();
            assert_close(lp, expected, 1e-10);
        }
    }

    #[test]
    fn vectorised_equals_sum_of_scalars() {
        let y = vec![0.5, -1.0, 2.0];
        let nu = vec![1.5, 4.0, 10.0];
        let lp: f64 = student_t_lpdf(&y, &nu, 0.2, 1.5).unwrap();
        let sum: f64 = (0..3)
            .map(|i| student_t_lpdf::<f64>(y[i], nu[i], 0.2, 1.5).unwrap())
            .sum();
        assert_close(lp, sum, 1e-14);
        let propto: f64 = student_t_lupdf(&y, &nu, 0.2, 1.5).unwrap();
        assert_close(lp - propto, -1.5 * LN_PI, 1e-14);
    }

    #[test]
    fn normalised_by_quadrature() {
        // ν = 4: the mass beyond ±300 is below 1e-9.
        assert_normalised(
            |y| student_t_lpdf::<f64>(y, 4.0, 1.0, 2.0).unwrap(),
            -300.0,
            300.0,
        );
    }

    #[test]
    fn sample_moments_match() {
        // ν = 12: the eighth moment that the variance's MCSE needs exists.
        assert_moments(&StudentT::new(12.0, 1.0, 2.0).unwrap());
        assert_eq!(StudentT::new(1.0, 0.0, 1.0).unwrap().mean(), None);
        assert_eq!(StudentT::new(2.0, 0.0, 1.0).unwrap().variance(), None);
    }

    #[test]
    fn argument_checks_name_function_argument_value_and_rule() {
        let err = student_t_lpdf::<f64>(0.0, 0.0, 0.0, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "student_t: nu is 0, but must be positive and finite"
        );
        let err = student_t_lpdf::<f64>(0.0, f64::INFINITY, 0.0, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "student_t: nu is inf, but must be positive and finite"
        );
        let err = student_t_lpdf::<f64>(0.0, 3.0, f64::NAN, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "student_t: location is NaN, but must be finite"
        );
        let err = student_t_lpdf::<f64>(0.0, 3.0, 0.0, &vec![1.0, -1.0]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "student_t: scale[2] is -1, but must be positive and finite"
        );
        let err = student_t_lpdf::<f64>(f64::NAN, 3.0, 0.0, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "student_t: random variable is NaN, but must be not NaN"
        );
        let err = student_t_lpdf::<f64>(&vec![0.0; 3], &vec![3.0; 2], 0.0, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "student_t: nu has size 2, but must have size 3"
        );
        assert_eq!(
            StudentT::new(-1.0, 0.0, 1.0).unwrap_err().to_string(),
            "student_t: nu is -1, but must be positive and finite"
        );
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(
            y in -5.0..5.0f64, log_nu in -1.0..3.0f64, mu in -5.0..5.0f64,
            log_sigma in -2.0..2.0f64,
        ) {
            let (nu, sigma) = (log_nu.exp(), log_sigma.exp());
            assert_gradient_matches(
                |x| student_t_lpdf(x[0], x[1], x[2], x[3]),
                &[y, nu, mu, sigma],
            );
            // Vector y and nu, scalar location and scale.
            assert_gradient_matches(
                |x| student_t_lpdf(&x[0..2], &x[2..4], x[4], x[5]),
                &[y, -y, nu, 2.0 * nu, mu, sigma],
            );
            // Scalar nu shared by vector location and scale.
            assert_gradient_matches(
                |x| student_t_lpdf(x[0], x[1], &x[2..4], &x[4..6]),
                &[y, nu, mu, -mu, sigma, 0.5],
            );
            // nu as data: its (skipped) digamma partials are not needed.
            assert_gradient_matches(|x| student_t_lpdf(x[0], nu, x[1], x[2]), &[y, mu, sigma]);
        }
    }

    /// With data `nu` the terms in ν alone go, with data `sigma` `−ln σ` goes.
    #[test]
    fn data_arguments_drop_their_terms() {
        use crate::dist::testing::assert_data_drops;
        use statrs::function::gamma::ln_gamma;
        let y = [0.3, -1.7, 4.0];
        let nu = [1.5, 4.0, 30.0];
        let sigma = [0.5, 2.0, 3.0];
        let nu_terms = |nu: f64| ln_gamma(0.5 * (nu + 1.0)) - ln_gamma(0.5 * nu) - 0.5 * nu.ln();
        let nu_sum: f64 = nu.iter().map(|&v| nu_terms(v)).sum();
        let log_sigma_sum: f64 = sigma.iter().map(|s: &f64| s.ln()).sum();
        assert_data_drops!(
            student_t_lpdf,
            student_t_lupdf,
            |x, data| (&y[..], data(&nu[..]), x[0], x[1]),
            [0.2, 1.3],
            nu_sum,
        );
        assert_data_drops!(
            student_t_lpdf,
            student_t_lupdf,
            |x, data| (&y[..], data(3.5), x[0], x[1]),
            [0.2, 1.3],
            3.0 * nu_terms(3.5),
        );
        assert_data_drops!(
            student_t_lpdf,
            student_t_lupdf,
            |x, data| (&y[..], x[0], &x[1..4], data(&sigma[..])),
            [2.5, 0.1, -0.4, 1.0],
            -log_sigma_sum,
        );
        assert_data_drops!(
            student_t_lpdf,
            student_t_lupdf,
            |x, data| (&y[..], data(&nu[..]), x[0], data(&sigma[..])),
            [0.2],
            nu_sum - log_sigma_sum,
        );
    }
}
