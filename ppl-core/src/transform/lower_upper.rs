//! The two-sided bound transform `x = lower + (upper − lower)·inv_logit(u)` (Stan's `real<lower=L, upper=U>`).

use super::check::{check_finite, rule_with_value};
use super::lower::{lower_bound_constrain, lower_bound_free};
use super::upper::{upper_bound_constrain, upper_bound_free};
use crate::error::{Error, Result};
use crate::real::Real;

/// Maps `u ∈ ℝ` to `x = lower + (upper − lower)·inv_logit(u) ∈ (lower, upper)` and adds
/// `ln |dx/du| = ln(upper − lower) + ln inv_logit(u) + ln(1 − inv_logit(u))` to `log_jacobian`
/// (Stan's `lub_constrain`).
///
/// Both bounds may be parameters (garch's `upper = 1 − alpha1`): the gradient flows through them
/// (`∂x/∂lower = 1 − inv_logit(u)`, `∂x/∂upper = inv_logit(u)`). For `u > 0` the value is
/// computed as `upper − (upper − lower)·inv_logit(−u)`, which is the same number but keeps full
/// relative precision next to the upper bound. Stable for any finite `u`: at `|u| = 1000` the
/// value is the bound itself and the Jacobian term is about `−|u|`, never NaN.
///
/// Infinite bounds dispatch as in Stan: `(−∞, ∞)` is the identity, `upper = ∞` is
/// [`lower_bound_constrain`], `lower = −∞` is [`upper_bound_constrain`]. Bounds with
/// `lower ≥ upper` give NaN (checked by [`lower_upper_bound_unconstrain`], not here).
///
/// # Reference
/// Stan Reference Manual, "Constraint transforms: lower and upper bounded scalar".
///
/// ```
/// use ppl_core::transform::{lower_upper_bound_constrain, lower_upper_bound_unconstrain};
/// let mut log_jacobian = 0.0;
/// let x = lower_upper_bound_constrain(0.0_f64, 1.0, 3.0, &mut log_jacobian);
/// assert_eq!(x, 2.0);
/// assert!((log_jacobian - (2.0_f64.ln() + 2.0 * 0.5_f64.ln())).abs() < 1e-15);
/// assert_eq!(lower_upper_bound_unconstrain(x, 1.0, 3.0)?, 0.0);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn lower_upper_bound_constrain<T: Real>(u: T, lower: T, upper: T, log_jacobian: &mut T) -> T {
    let lower_is_finite = lower.value() != f64::NEG_INFINITY;
    let upper_is_finite = upper.value() != f64::INFINITY;
    match (lower_is_finite, upper_is_finite) {
        (false, false) => return u,
        (true, false) => return lower_bound_constrain(u, lower, log_jacobian),
        (false, true) => return upper_bound_constrain(u, upper, log_jacobian),
        (true, true) => {}
    }
    let width = upper - lower;
    *log_jacobian += width.ln() + u.log_inv_logit() + u.log1m_inv_logit();
    if u.value() > 0.0 {
        upper - width * (-u).inv_logit()
    } else {
        lower + width * u.inv_logit()
    }
}

/// The inverse of [`lower_upper_bound_constrain`]: `u = logit((x − lower)/(upper − lower))`,
/// computed as `ln(x − lower) − ln(upper − x)` (Stan's `lub_free`).
///
/// # Errors
/// A bound NaN, `lower ≥ upper`, or `x` not strictly between the bounds:
/// `lower_upper_bound: value is 1, but must be strictly between the lower bound 0 and the upper
/// bound 1`.
pub fn lower_upper_bound_unconstrain(x: f64, lower: f64, upper: f64) -> Result<f64> {
    const FUNCTION: &str = "lower_upper_bound";
    if lower.is_nan() {
        return Err(Error::invalid(FUNCTION, "lower bound", lower, "not NaN"));
    }
    if upper.is_nan() {
        return Err(Error::invalid(FUNCTION, "upper bound", upper, "not NaN"));
    }
    if lower >= upper {
        return Err(Error::invalid(
            FUNCTION,
            "lower bound",
            lower,
            rule_with_value(format!("less than the upper bound {upper}")),
        ));
    }
    match (lower.is_finite(), upper.is_finite()) {
        (false, false) => {
            check_finite(FUNCTION, "value", x)?;
            return Ok(x);
        }
        (true, false) => return lower_bound_free(FUNCTION, x, lower),
        (false, true) => return upper_bound_free(FUNCTION, x, upper),
        (true, true) => {}
    }
    if !(x > lower && x < upper) {
        return Err(Error::invalid(
            FUNCTION,
            "value",
            x,
            rule_with_value(format!(
                "strictly between the lower bound {lower} and the upper bound {upper}"
            )),
        ));
    }
    Ok((x - lower).ln() - (upper - x).ln())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dual::Dual;
    use crate::transform::lower_bound_constrain;
    use crate::transform::testing::{
        assert_close, assert_gradient_matches, finite_difference_log_abs_det,
    };
    use proptest::prelude::*;

    #[test]
    fn matches_stan_garch11() {
        // /work/shared/posteriordb/garch-garch11/logdensity_checks.json, points[0] (Stan 2.35.0):
        // mu identity, alpha0 lower=0, alpha1 in (0, 1), beta1 in (0, 1 − alpha1). The whole
        // log-Jacobian is log_prob_jacobian − log_prob_no_jacobian
        // = −620.2362763378362 − (−614.819125129351).
        let u = [
            -1.090_655_910_131_321_3,
            -0.732_966_641_160_988_5,
            1.189_461_829_330_936_5,
            0.705_018_683_003_898_2,
        ];
        let mut log_jacobian = 0.0;
        let alpha0 = lower_bound_constrain(u[1], 0.0, &mut log_jacobian);
        let alpha1 = lower_upper_bound_constrain(u[2], 0.0, 1.0, &mut log_jacobian);
        let beta1 = lower_upper_bound_constrain(u[3], 0.0, 1.0 - alpha1, &mut log_jacobian);
        assert_close(alpha0, 0.480_481_457_579_673_8, 1e-14);
        assert_close(alpha1, 0.766_644_799_015_651_3, 1e-14);
        assert_close(beta1, 0.156_184_528_218_758_42, 1e-14);
        assert_close(log_jacobian, -620.2362763378362 - -614.819125129351, 1e-11);
        assert_close(
            lower_upper_bound_unconstrain(beta1, 0.0, 1.0 - alpha1).unwrap(),
            u[3],
            1e-13,
        );
    }

    #[test]
    fn matches_stan_low_dim_gauss_mix_theta() {
        // /work/shared/posteriordb/low_dim_gauss_mix-low_dim_gauss_mix/logdensity_checks.json,
        // points[0] (Stan 2.35.0): theta in (0, 1) is unconstrained[4].
        let theta = lower_upper_bound_constrain(-0.435_561_797_592_364, 0.0, 1.0, &mut 0.0);
        assert_close(theta, 0.392_799_010_670_678, 1e-14);
    }

    #[test]
    fn round_trips_and_jacobian() {
        for &(u, lower, upper) in &[
            (0.3, 0.0, 1.0),
            (-4.0, -2.5, 7.0),
            (5.0, 10.0, 10.5),
            (-9.0, -1.0, 1.0),
        ] {
            let mut log_jacobian = 0.0;
            let x = lower_upper_bound_constrain(u, lower, upper, &mut log_jacobian);
            assert!(x > lower && x < upper);
            assert_close(
                lower_upper_bound_unconstrain(x, lower, upper).unwrap(),
                u,
                1e-9,
            );
            let fd = finite_difference_log_abs_det(
                |v| vec![lower_upper_bound_constrain(v[0], lower, upper, &mut 0.0)],
                &[u],
            );
            assert_close(log_jacobian, fd, 1e-6);
        }
        for &(x, lower, upper) in &[(0.5, 0.0, 1.0), (1e-9, 0.0, 1.0), (0.999_999, 0.0, 1.0)] {
            let u = lower_upper_bound_unconstrain(x, lower, upper).unwrap();
            assert_close(
                lower_upper_bound_constrain(u, lower, upper, &mut 0.0),
                x,
                1e-14,
            );
        }
    }

    #[test]
    fn infinite_bounds_dispatch_like_stan() {
        let mut log_jacobian = 0.0;
        let x =
            lower_upper_bound_constrain(0.5, f64::NEG_INFINITY, f64::INFINITY, &mut log_jacobian);
        assert_eq!((x, log_jacobian), (0.5, 0.0));
        let x = lower_upper_bound_constrain(0.5, 1.0, f64::INFINITY, &mut log_jacobian);
        assert_close(x, 1.0 + 0.5_f64.exp(), 1e-15);
        let x = lower_upper_bound_constrain(0.5, f64::NEG_INFINITY, 1.0, &mut log_jacobian);
        assert_close(x, 1.0 - 0.5_f64.exp(), 1e-15);
        assert_eq!(log_jacobian, 1.0);
        let u = lower_upper_bound_unconstrain(3.0, 1.0, f64::INFINITY).unwrap();
        assert_close(u, 2.0_f64.ln(), 1e-15);
        let u = lower_upper_bound_unconstrain(-3.0, f64::NEG_INFINITY, 1.0).unwrap();
        assert_close(u, 4.0_f64.ln(), 1e-15);
    }

    #[test]
    fn extreme_inputs_clamp_to_the_bounds_without_nan() {
        for (u, bound) in [(-1000.0, -2.0), (-800.0, -2.0), (800.0, 3.0), (1000.0, 3.0)] {
            let mut log_jacobian = 0.0;
            let x = lower_upper_bound_constrain(u, -2.0, 3.0, &mut log_jacobian);
            assert_eq!(x, bound);
            assert!(log_jacobian.is_finite());
            assert_close(log_jacobian, 5.0_f64.ln() - f64::abs(u), 1e-12);
            // The gradient at the edge is finite too.
            let mut gradient = [0.0; 3];
            crate::gradient_chunked::<4, _>(
                |v| {
                    let mut lj = Dual::constant(0.0);
                    Ok(lower_upper_bound_constrain(v[0], v[1], v[2], &mut lj) + lj)
                },
                &[u, -2.0, 3.0],
                &mut gradient,
            )
            .unwrap();
            assert!(gradient.iter().all(|g| g.is_finite()), "{gradient:?}");
        }
    }

    #[test]
    fn unconstrain_errors_name_function_argument_value_and_rule() {
        let message = |x, lower, upper| {
            lower_upper_bound_unconstrain(x, lower, upper)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            message(1.0, 0.0, 1.0),
            "lower_upper_bound: value is 1, but must be strictly between the lower bound 0 and \
             the upper bound 1"
        );
        assert_eq!(
            message(f64::NAN, 0.0, 1.0),
            "lower_upper_bound: value is NaN, but must be strictly between the lower bound 0 \
             and the upper bound 1"
        );
        assert_eq!(
            message(0.5, 2.0, 1.0),
            "lower_upper_bound: lower bound is 2, but must be less than the upper bound 1"
        );
        assert_eq!(
            message(0.5, f64::NAN, 1.0),
            "lower_upper_bound: lower bound is NaN, but must be not NaN"
        );
        assert_eq!(
            message(-1.0, 0.0, f64::INFINITY),
            "lower_upper_bound: value is -1, but must be greater than the lower bound 0"
        );
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(
            u in -8.0..8.0f64, lower in -5.0..5.0f64, log_width in -2.0..2.0f64,
        ) {
            // Both bounds are parameters, as in garch11.
            assert_gradient_matches(
                |x| {
                    let mut log_jacobian = Dual::constant(0.0);
                    let value = lower_upper_bound_constrain(x[0], x[1], x[2], &mut log_jacobian);
                    Ok(value + log_jacobian)
                },
                &[u, lower, lower + log_width.exp()],
            );
        }
    }
}
