//! The two-sided bound transform `x = lower + (upper − lower)·inv_logit(u)` (Stan's `real<lower=L, upper=U>`).

use super::check::check_finite;
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
/// `lower ≥ upper` give a NaN or `−∞` log-Jacobian (they are checked by
/// [`lower_upper_bound_unconstrain`], not here).
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
            format!("less than the upper bound {upper}"),
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
            format!("strictly between the lower bound {lower} and the upper bound {upper}"),
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
        // /work/shared/posteriordb/garch-garch11/logdensity_checks.json, points[0..3]
        // (Stan 2.35.0): mu identity, alpha0 lower=0, alpha1 in (0, 1), beta1 in
        // (0, 1 − alpha1), a bound that is a parameter. Columns: unconstrained,
        // constrained_flat, and the whole log-Jacobian log_prob_jacobian − log_prob_no_jacobian.
        type Point = ([f64; 4], [f64; 4], f64);
        let points: [Point; 3] = [
            (
                [
                    -1.0906559101313213,
                    -0.7329666411609885,
                    1.1894618293309365,
                    0.7050186830038982,
                ],
                [
                    -1.0906559101313213,
                    0.4804814575796738,
                    0.7666447990156513,
                    0.15618452821875842,
                ],
                -620.2362763378362 - -614.819125129351,
            ),
            (
                [
                    -0.435561797592364,
                    -0.6687442885344619,
                    0.3932350143487593,
                    -1.2530632575851466,
                ],
                [
                    -0.435561797592364,
                    0.5123515397175318,
                    0.5970612199728403,
                    0.08952103960638824,
                ],
                -707.8673089524278 - -703.1093290927953,
            ),
            (
                [
                    0.6910241760584852,
                    1.7672114610797487,
                    -1.007017141481716,
                    1.795524607333273,
                ],
                [
                    0.6910241760584852,
                    5.85450506281634,
                    0.26756400656951485,
                    0.6281395065458564,
                ],
                -461.7329204406663 - -459.45622484403395,
            ),
        ];
        for (u, constrained, stan_log_jacobian) in points {
            let mut log_jacobian = 0.0;
            let alpha0 = lower_bound_constrain(u[1], 0.0, &mut log_jacobian);
            let alpha1 = lower_upper_bound_constrain(u[2], 0.0, 1.0, &mut log_jacobian);
            let beta1 = lower_upper_bound_constrain(u[3], 0.0, 1.0 - alpha1, &mut log_jacobian);
            assert_close(alpha0, constrained[1], 1e-14);
            assert_close(alpha1, constrained[2], 1e-14);
            assert_close(beta1, constrained[3], 1e-14);
            // The difference of two log-densities near −600 carries ~1e-13 rounding.
            assert_close(log_jacobian, stan_log_jacobian, 1e-11);
            let back = lower_upper_bound_unconstrain(beta1, 0.0, 1.0 - alpha1).unwrap();
            assert_close(back, u[3], 1e-13);
            assert_close(
                lower_upper_bound_unconstrain(alpha1, 0.0, 1.0).unwrap(),
                u[2],
                1e-13,
            );
        }
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
