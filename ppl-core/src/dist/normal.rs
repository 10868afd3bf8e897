//! The normal distribution `normal(y | mu, sigma)`, sigma the standard deviation, and `std_normal(y)`.

use rand::Rng;
use rand_distr::Distribution as _;

use super::check::{check_finite, check_not_nan, check_positive_finite, common_len, leading_value};
use super::distribution::{Distribution, Support};
use super::partials::ArgPartials;
use crate::data::{include_summand, is_data};
use crate::error::Result;
use crate::real::{Operand, Real};
use crate::special::LN_SQRT_2PI;

/// Log-density of the normal distribution, vectorised over all arguments (Stan's
/// `normal_lpdf`):
///
/// `Σ_i −ln σ_i − ½ z_i² − ln √(2π)`, with `z_i = (y_i − μ_i) / σ_i`.
///
/// Scalars broadcast; vectors must share one length. The partials `∂/∂y = −z/σ`,
/// `∂/∂μ = z/σ`, `∂/∂σ = (z² − 1)/σ` are computed in `f64` in one pass, so a call over `n`
/// observations costs `n` floating-point evaluations plus one tangent update per dual argument
/// element, whatever the number of lanes.
///
/// # Errors
/// `y` NaN, `mu` not finite, `sigma` not positive and finite, or vector lengths that differ:
/// `normal: scale is -1, but must be positive and finite`.
///
/// # Reference
/// Stan Functions Reference, "Normal distribution".
///
/// ```
/// let lp: f64 = ppl_core::dist::normal_lpdf(1.0, 0.0, 1.0)?;
/// assert!((lp - (-1.418_938_533_204_672_7)).abs() < 1e-15);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn normal_lpdf<T: Real>(y: impl Operand, mu: impl Operand, sigma: impl Operand) -> Result<T> {
    normal_log_density::<false, false, T>(y, mu, sigma)
}

/// [`normal_lpdf`] without the constant `−n ln √(2π)` (Stan's `normal_lupdf`, what `~` uses),
/// and without `−Σ ln σ_i` when `sigma` is [`crate::Data`].
pub fn normal_lupdf<T: Real>(y: impl Operand, mu: impl Operand, sigma: impl Operand) -> Result<T> {
    normal_log_density::<true, false, T>(y, mu, sigma)
}

/// The density, its loop over the elements reading `mu`'s values (`VISIT = false`) or driven
/// by `mu` ([`Operand::visit`], `VISIT = true`). A location that prefers to drive the loop (a
/// gathered `Affine`, or `mu + tau * eta`) is sent to the second form, compiled apart so that
/// neither loop costs the other registers.
fn normal_log_density<const PROPTO: bool, const VISIT: bool, T: Real>(
    y: impl Operand,
    mu: impl Operand,
    sigma: impl Operand,
) -> Result<T> {
    if !VISIT && operand_may_visit(&mu) && mu.prefers_visit() {
        return normal_visited::<PROPTO, T>(y, mu, sigma);
    }
    const FUNCTION: &str = "normal";
    // The argument checks, in Stan's order. They run in full only when something is wrong:
    // otherwise the density's own loop checks every element as it reads it (one pass over the
    // observations instead of three), and a failure there discards the loop's work and reports
    // exactly the error these checks give.
    let sizes = [
        ("random variable", y.size()),
        ("location", mu.size()),
        ("scale", sigma.size()),
    ];
    let checks = || -> Result<usize> {
        check_not_nan(FUNCTION, "random variable", &y)?;
        check_finite(FUNCTION, "location", &mu)?;
        check_positive_finite(FUNCTION, "scale", &sigma)?;
        common_len(FUNCTION, &sizes)
    };
    let n = match common_len(FUNCTION, &sizes) {
        Ok(0) => {
            // The loop checks nothing; scalar arguments must still be valid (Stan checks
            // before it returns 0 for empty vectors).
            checks()?;
            0
        }
        Ok(n) => n,
        Err(size_error) => {
            // An invalid element comes first in Stan's order.
            checks()?;
            return Err(size_error);
        }
    };
    let valid_scale = |s: f64| s > 0.0 && s.is_finite();
    // `−ln σ` is dropped from the unnormalised form when σ is data (Stan's `~`).
    let include_log_sigma = include_summand::<PROPTO>(is_data(&sigma));
    let log_of = |s: f64| if include_log_sigma { s.ln() } else { 0.0 };
    // A scalar sigma: its log and inverse are computed once.
    let scalar_sigma = sigma.size().is_none();
    let (inv_sigma_0, log_sigma_0) = {
        let s = leading_value(&sigma);
        (1.0 / s, log_of(s))
    };
    let mut all_valid = !scalar_sigma || valid_scale(leading_value(&sigma));
    let mut y_partials = ArgPartials::new(&y);
    let mut mu_partials = ArgPartials::new(&mu);
    let mut sigma_partials = ArgPartials::new(&sigma);
    let sigma_active = sigma_partials.is_active();
    // A scalar sigma's partials are summed here, in a register, and handed over once.
    let mut scalar_sigma_partial = 0.0;
    let mut value = 0.0;
    let mut out = T::accumulator();
    // Element `i`, given `μ_i`: checks its values, adds its term to `value`, hands the
    // partials of `y`, `mu` (by `$mu_partial`, given `d_mu`) and `sigma` to their sinks in
    // that order, and gives `∂/∂μ_i = z/σ`.
    macro_rules! element {
        ($out:expr, $i:expr, $mu_i:expr, |$d_mu:ident| $mu_partial:block) => {{
            let (i, mu_i) = ($i, $mu_i);
            let (inv_sigma, log_sigma) = if scalar_sigma {
                (inv_sigma_0, log_sigma_0)
            } else {
                let s = sigma.value_at(i);
                all_valid &= valid_scale(s);
                (1.0 / s, log_of(s))
            };
            let y_i = y.value_at(i);
            all_valid &= !y_i.is_nan() & mu_i.is_finite();
            let z = (y_i - mu_i) * inv_sigma;
            value -= 0.5 * z * z + log_sigma;
            let d_mu = z * inv_sigma;
            y_partials.add($out, i, -d_mu);
            let $d_mu = d_mu;
            $mu_partial
            if sigma_active {
                let partial = (z * z - 1.0) * inv_sigma;
                if scalar_sigma {
                    scalar_sigma_partial += partial;
                } else {
                    sigma_partials.add($out, i, partial);
                }
            }
            d_mu
        }};
    }
    if VISIT {
        // `mu` forms each value as the loop reaches it and routes each partial, which the
        // element returns, in the same loop (to its group sums, for a gathered `Affine`).
        mu_partials.visit(
            &mu,
            n,
            &mut out,
            #[inline(always)]
            |out, i, mu_i| element!(out, i, mu_i, |_d_mu| {}),
        );
    } else {
        for i in 0..n {
            element!(&mut out, i, mu.value_at(i), |d_mu| {
                mu_partials.add(&mut out, i, d_mu);
            });
        }
    }
    if scalar_sigma {
        sigma_partials.add(&mut out, 0, scalar_sigma_partial);
    }
    if !all_valid {
        // The checks find the invalid element and report it; the loop's work is discarded.
        checks()?;
    }
    y_partials.apply(&mut out);
    mu_partials.apply(&mut out);
    sigma_partials.apply(&mut out);
    if !PROPTO {
        value -= n as f64 * LN_SQRT_2PI;
    }
    // `out` carries the tangents with value 0; adding the value completes it.
    Ok(out + value)
}

/// [`normal_log_density`] driven by its location (a lazy `Affine`): out of line.
#[inline(never)]
fn normal_visited<const PROPTO: bool, T: Real>(
    y: impl Operand,
    mu: impl Operand,
    sigma: impl Operand,
) -> Result<T> {
    normal_log_density::<PROPTO, true, T>(y, mu, sigma)
}

/// Whether `M` may prefer to drive a density's loop (folds at compile time).
#[inline(always)]
fn operand_may_visit<M: Operand>(_: &M) -> bool {
    M::MAY_VISIT
}

/// Log-density of the standard normal, `Σ −½ y_i² − ln √(2π)` (Stan's `std_normal_lpdf`).
///
/// # Errors
/// `y` NaN.
pub fn std_normal_lpdf<T: Real>(y: impl Operand) -> Result<T> {
    normal_lpdf(y, 0.0, 1.0)
}

/// [`std_normal_lpdf`] without the constant (Stan's `std_normal_lupdf`).
pub fn std_normal_lupdf<T: Real>(y: impl Operand) -> Result<T> {
    normal_lupdf(y, 0.0, 1.0)
}

/// The normal distribution with fixed parameters, for sampling and moments.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Normal {
    mu: f64,
    sigma: f64,
}

impl Normal {
    /// `normal(mu, sigma)`.
    ///
    /// # Errors
    /// `mu` not finite or `sigma` not positive and finite.
    pub fn new(mu: f64, sigma: f64) -> Result<Self> {
        check_finite("normal", "location", &mu)?;
        check_positive_finite("normal", "scale", &sigma)?;
        Ok(Normal { mu, sigma })
    }
}

impl Distribution for Normal {
    type Value = f64;
    type Moment = f64;
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        // Parameters were checked by `new`, so construction cannot fail.
        rand_distr::Normal::new(self.mu, self.sigma)
            .map(|d| d.sample(rng))
            .unwrap_or(f64::NAN)
    }
    fn mean(&self) -> Option<f64> {
        Some(self.mu)
    }
    fn variance(&self) -> Option<f64> {
        Some(self.sigma * self.sigma)
    }
    fn support(&self) -> Support {
        Support::Real
    }
    fn log_density(&self, x: &f64) -> f64 {
        normal_lpdf::<f64>(*x, self.mu, self.sigma).unwrap_or(f64::NEG_INFINITY)
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
        use statrs::distribution::{Continuous, Normal as StatrsNormal};
        for &(y, mu, sigma) in &[
            (0.0, 0.0, 1.0),
            (1.5, -0.3, 2.0),
            (-40.0, 1.0, 0.5),
            (3.0, 3.0, 1e-3),
        ] {
            let expected = StatrsNormal::new(mu, sigma).unwrap().ln_pdf(y);
            let lp: f64 = normal_lpdf(y, mu, sigma).unwrap();
            assert_close(lp, expected, 1e-12);
        }
    }

    #[test]
    fn vectorised_equals_sum_of_scalars() {
        let y = vec![0.5, -1.0, 2.0];
        let mu = vec![0.0, 0.1, 0.2];
        let lp: f64 = normal_lpdf(&y, &mu, 1.5).unwrap();
        let sum: f64 = (0..3)
            .map(|i| normal_lpdf::<f64>(y[i], mu[i], 1.5).unwrap())
            .sum();
        assert_close(lp, sum, 1e-14);
        let propto: f64 = normal_lupdf(&y, &mu, 1.5).unwrap();
        assert_close(lp - propto, -3.0 * LN_SQRT_2PI, 1e-14);
    }

    #[test]
    fn normalised_by_quadrature() {
        assert_normalised(|y| normal_lpdf::<f64>(y, 1.0, 2.0).unwrap(), -30.0, 30.0);
    }

    #[test]
    fn sample_moments_match() {
        assert_moments(&Normal::new(1.0, 2.0).unwrap());
    }

    #[test]
    fn argument_checks_name_function_argument_value_and_rule() {
        let err = normal_lpdf::<f64>(0.0, 0.0, -1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "normal: scale is -1, but must be positive and finite"
        );
        let err = normal_lpdf::<f64>(0.0, f64::INFINITY, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "normal: location is inf, but must be finite"
        );
        let err = normal_lpdf::<f64>(f64::NAN, 0.0, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "normal: random variable is NaN, but must be not NaN"
        );
        let err = normal_lpdf::<f64>(0.0, 0.0, &vec![1.0, 0.0]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "normal: scale[2] is 0, but must be positive and finite"
        );
        let err = normal_lpdf::<f64>(&vec![0.0; 3], &vec![0.0; 2], 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "normal: location has size 2, but must have size 3"
        );
        assert_eq!(
            Normal::new(0.0, -1.0).unwrap_err().to_string(),
            "normal: scale is -1, but must be positive and finite"
        );
    }

    /// The loop checks elements as it reads them; a failure reports what the checks, run in
    /// Stan's order, report: the first bad element of the first bad argument, and a size
    /// mismatch only when every element is valid. The same in a gradient.
    #[test]
    fn errors_follow_stans_check_order() {
        let y = vec![0.0, 1.0, f64::NAN, 2.0];
        let mu = vec![0.0, f64::INFINITY, 0.0, 0.0];
        let err = normal_lpdf::<f64>(&y, &mu, -1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "normal: random variable[3] is NaN, but must be not NaN"
        );
        let err = normal_lpdf::<f64>(&y[..3], &mu, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "normal: random variable[3] is NaN, but must be not NaN"
        );
        let err = normal_lpdf::<f64>(&vec![0.0; 4], &mu, &vec![1.0, 1.0, -2.0, 1.0]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "normal: location[2] is inf, but must be finite"
        );
        let err = normal_lpdf::<f64>(&vec![0.0; 4], 0.0, &vec![1.0, 1.0, -2.0, 1.0]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "normal: scale[3] is -2, but must be positive and finite"
        );
        let mut gradient = [0.0; 2];
        let err = crate::gradient_chunked::<2, _>(
            |u| normal_lpdf(&[u[0], u[1] * f64::NAN][..], 0.0, 1.0),
            &[0.5, 1.0],
            &mut gradient,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "normal: random variable[2] is NaN, but must be not NaN"
        );
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(
            y in -5.0..5.0f64, mu in -5.0..5.0f64, log_sigma in -2.0..2.0f64,
        ) {
            assert_gradient_matches(
                |x| normal_lpdf(x[0], x[1], x[2]),
                &[y, mu, log_sigma.exp()],
            );
            // Vector arguments, scalar sigma.
            assert_gradient_matches(
                |x| normal_lpdf(&x[0..2], &x[2..4], x[4]),
                &[y, -y, mu, 0.5 * mu, log_sigma.exp()],
            );
        }
    }
}
