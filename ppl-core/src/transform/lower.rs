//! The lower-bound transform `x = lower + exp(u)` (Stan's `real<lower=L>`).

use super::check::check_finite;
use crate::error::{Error, Result};
use crate::real::Real;

/// Maps `u ∈ ℝ` to `x = lower + exp(u) ∈ (lower, ∞)` and adds `ln |dx/du| = u` to
/// `log_jacobian` (Stan's `lb_constrain`).
///
/// `lower` may be a parameter: the gradient flows through it (`∂x/∂lower = 1`). A lower bound
/// of `−∞` gives the identity and no Jacobian term, as in Stan. For `u` above about 709, `x` is
/// `+∞` (never NaN).
///
/// # Reference
/// Stan Reference Manual, "Constraint transforms: lower bounded scalar".
///
/// ```
/// use ppl_core::transform::{lower_bound_constrain, lower_bound_unconstrain};
/// let mut log_jacobian = 0.0;
/// let x = lower_bound_constrain(0.5_f64, 2.0, &mut log_jacobian);
/// assert!((x - (2.0 + 0.5_f64.exp())).abs() < 1e-15);
/// assert_eq!(log_jacobian, 0.5);
/// assert!((lower_bound_unconstrain(x, 2.0)? - 0.5).abs() < 1e-15);
/// # Ok::<(), ppl_core::Error>(())
/// ```
#[inline]
pub fn lower_bound_constrain<T: Real>(u: T, lower: T, log_jacobian: &mut T) -> T {
    if lower.value() == f64::NEG_INFINITY {
        return u;
    }
    *log_jacobian += u;
    lower + u.exp()
}

/// The inverse of [`lower_bound_constrain`]: `u = ln(x − lower)` (Stan's `lb_free`).
///
/// # Errors
/// `lower` NaN or `+∞`; `x` not greater than `lower` (or NaN); `x` infinite:
/// `lower_bound: value is 0, but must be greater than the lower bound 0`.
pub fn lower_bound_unconstrain(x: f64, lower: f64) -> Result<f64> {
    lower_bound_free("lower_bound", x, lower)
}

/// [`lower_bound_unconstrain`] reporting errors under `function` (shared with the two-sided
/// bound when its upper bound is `+∞`).
pub(crate) fn lower_bound_free(function: &'static str, x: f64, lower: f64) -> Result<f64> {
    if lower.is_nan() || lower == f64::INFINITY {
        return Err(Error::invalid(
            function,
            "lower bound",
            lower,
            "not NaN and less than inf",
        ));
    }
    if lower == f64::NEG_INFINITY {
        check_finite(function, "value", x)?;
        return Ok(x);
    }
    if x.is_nan() || x <= lower {
        return Err(Error::invalid(
            function,
            "value",
            x,
            format!("greater than the lower bound {lower}"),
        ));
    }
    check_finite(function, "value", x)?;
    Ok((x - lower).ln())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dual::Dual;
    use crate::transform::testing::{
        assert_close, assert_gradient_matches, finite_difference_log_abs_det,
    };
    use proptest::prelude::*;

    #[test]
    fn matches_stan_eight_schools_centered() {
        // /work/shared/posteriordb/eight_schools-eight_schools_centered/logdensity_checks.json,
        // points[0] (Stan 2.35.0): tau = unconstrained[9] with lower=0; the log-Jacobian is
        // log_prob_jacobian − log_prob_no_jacobian = −17.71923824999737 − (−19.48644971107712).
        let u = 1.767_211_461_079_748_7;
        let mut log_jacobian = 0.0;
        let tau = lower_bound_constrain(u, 0.0, &mut log_jacobian);
        assert_close(tau, 5.854_505_062_816_34, 1e-14);
        assert_close(log_jacobian, -17.71923824999737 - -19.48644971107712, 1e-12);
        assert_close(lower_bound_unconstrain(tau, 0.0).unwrap(), u, 1e-14);
    }

    #[test]
    fn round_trips_and_jacobian() {
        for &(u, lower) in &[(0.3, 0.0), (-4.0, -2.5), (12.0, 100.0), (-8.0, 1.0)] {
            let mut log_jacobian = 0.0;
            let x = lower_bound_constrain(u, lower, &mut log_jacobian);
            assert_close(lower_bound_unconstrain(x, lower).unwrap(), u, 1e-9);
            let fd = finite_difference_log_abs_det(
                |v| vec![lower_bound_constrain(v[0], lower, &mut 0.0)],
                &[u],
            );
            assert_close(log_jacobian, fd, 1e-6);
        }
        for &(x, lower) in &[(1.0, 0.0), (1e-6, 0.0), (-3.0, -3.5)] {
            let u = lower_bound_unconstrain(x, lower).unwrap();
            assert_close(lower_bound_constrain(u, lower, &mut 0.0), x, 1e-14);
        }
    }

    #[test]
    fn infinite_lower_bound_is_identity() {
        let mut log_jacobian = 0.0;
        let x = lower_bound_constrain(1.5, f64::NEG_INFINITY, &mut log_jacobian);
        assert_eq!((x, log_jacobian), (1.5, 0.0));
        assert_eq!(
            lower_bound_unconstrain(1.5, f64::NEG_INFINITY).unwrap(),
            1.5
        );
    }

    #[test]
    fn extreme_inputs_give_no_nan() {
        for u in [-800.0, 800.0] {
            let mut log_jacobian = 0.0;
            let x = lower_bound_constrain(u, 1.0, &mut log_jacobian);
            assert!(!x.is_nan() && x >= 1.0);
            assert_eq!(log_jacobian, u);
        }
    }

    #[test]
    fn unconstrain_errors_name_function_argument_value_and_rule() {
        let message = |x, lower| lower_bound_unconstrain(x, lower).unwrap_err().to_string();
        assert_eq!(
            message(0.0, 0.0),
            "lower_bound: value is 0, but must be greater than the lower bound 0"
        );
        assert_eq!(
            message(-1.5, 2.0),
            "lower_bound: value is -1.5, but must be greater than the lower bound 2"
        );
        assert_eq!(
            message(f64::NAN, 0.0),
            "lower_bound: value is NaN, but must be greater than the lower bound 0"
        );
        assert_eq!(
            message(f64::INFINITY, 0.0),
            "lower_bound: value is inf, but must be finite"
        );
        assert_eq!(
            message(1.0, f64::NAN),
            "lower_bound: lower bound is NaN, but must be not NaN and less than inf"
        );
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(u in -5.0..5.0f64, lower in -5.0..5.0f64) {
            // x[1] is the bound, a parameter.
            assert_gradient_matches(
                |x| {
                    let mut log_jacobian = Dual::constant(0.0);
                    let value = lower_bound_constrain(x[0], x[1], &mut log_jacobian);
                    Ok(value + log_jacobian)
                },
                &[u, lower],
            );
        }
    }
}
