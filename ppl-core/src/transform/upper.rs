//! The upper-bound transform `x = upper − exp(u)` (Stan's `real<upper=U>`).

use super::check::check_finite;
use crate::error::{Error, Result};
use crate::real::Real;

/// Maps `u ∈ ℝ` to `x = upper − exp(u) ∈ (−∞, upper)` and adds `ln |dx/du| = u` to
/// `log_jacobian` (Stan's `ub_constrain`).
///
/// `upper` may be a parameter (`∂x/∂upper = 1`). An upper bound of `+∞` gives the identity and
/// no Jacobian term, as in Stan. For `u` above about 709, `x` is `−∞` (never NaN).
///
/// # Reference
/// Stan Reference Manual, "Constraint transforms: upper bounded scalar".
///
/// ```
/// use ppl_core::transform::{upper_bound_constrain, upper_bound_unconstrain};
/// let mut log_jacobian = 0.0;
/// let x = upper_bound_constrain(0.5_f64, 2.0, &mut log_jacobian);
/// assert!((x - (2.0 - 0.5_f64.exp())).abs() < 1e-15);
/// assert_eq!(log_jacobian, 0.5);
/// assert!((upper_bound_unconstrain(x, 2.0)? - 0.5).abs() < 1e-15);
/// # Ok::<(), ppl_core::Error>(())
/// ```
#[inline]
pub fn upper_bound_constrain<T: Real>(u: T, upper: T, log_jacobian: &mut T) -> T {
    if upper.value() == f64::INFINITY {
        return u;
    }
    *log_jacobian += u;
    upper - u.exp()
}

/// The inverse of [`upper_bound_constrain`]: `u = ln(upper − x)` (Stan's `ub_free`).
///
/// # Errors
/// `upper` NaN or `−∞`; `x` not less than `upper` (or NaN); `x` infinite:
/// `upper_bound: value is 1, but must be less than the upper bound 1`.
pub fn upper_bound_unconstrain(x: f64, upper: f64) -> Result<f64> {
    upper_bound_free("upper_bound", x, upper)
}

/// [`upper_bound_unconstrain`] reporting errors under `function` (shared with the two-sided
/// bound when its lower bound is `−∞`).
pub(crate) fn upper_bound_free(function: &'static str, x: f64, upper: f64) -> Result<f64> {
    if upper.is_nan() || upper == f64::NEG_INFINITY {
        return Err(Error::invalid(
            function,
            "upper bound",
            upper,
            "not NaN and greater than -inf",
        ));
    }
    if upper == f64::INFINITY {
        check_finite(function, "value", x)?;
        return Ok(x);
    }
    if x.is_nan() || x >= upper {
        return Err(Error::invalid(
            function,
            "value",
            x,
            format!("less than the upper bound {upper}"),
        ));
    }
    check_finite(function, "value", x)?;
    Ok((upper - x).ln())
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
    fn round_trips_and_jacobian() {
        for &(u, upper) in &[(0.3, 0.0), (-4.0, -2.5), (12.0, 100.0), (-8.0, 1.0)] {
            let mut log_jacobian = 0.0;
            let x = upper_bound_constrain(u, upper, &mut log_jacobian);
            assert!(x < upper);
            assert_close(upper_bound_unconstrain(x, upper).unwrap(), u, 1e-9);
            let fd = finite_difference_log_abs_det(
                |v| vec![upper_bound_constrain(v[0], upper, &mut 0.0)],
                &[u],
            );
            assert_close(log_jacobian, fd, 1e-6);
        }
        for &(x, upper) in &[(-1.0, 0.0), (-1e-6, 0.0), (-3.0, -2.5)] {
            let u = upper_bound_unconstrain(x, upper).unwrap();
            assert_close(upper_bound_constrain(u, upper, &mut 0.0), x, 1e-14);
        }
    }

    #[test]
    fn infinite_upper_bound_is_identity() {
        let mut log_jacobian = 0.0;
        let x = upper_bound_constrain(1.5, f64::INFINITY, &mut log_jacobian);
        assert_eq!((x, log_jacobian), (1.5, 0.0));
        assert_eq!(upper_bound_unconstrain(1.5, f64::INFINITY).unwrap(), 1.5);
    }

    #[test]
    fn extreme_inputs_give_no_nan() {
        for u in [-800.0, 800.0] {
            let mut log_jacobian = 0.0;
            let x = upper_bound_constrain(u, 1.0, &mut log_jacobian);
            assert!(!x.is_nan() && x <= 1.0);
            assert_eq!(log_jacobian, u);
        }
    }

    #[test]
    fn unconstrain_errors_name_function_argument_value_and_rule() {
        let message = |x, upper| upper_bound_unconstrain(x, upper).unwrap_err().to_string();
        assert_eq!(
            message(1.0, 1.0),
            "upper_bound: value is 1, but must be less than the upper bound 1"
        );
        assert_eq!(
            message(f64::NEG_INFINITY, 0.0),
            "upper_bound: value is -inf, but must be finite"
        );
        assert_eq!(
            message(0.0, f64::NEG_INFINITY),
            "upper_bound: upper bound is -inf, but must be not NaN and greater than -inf"
        );
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(u in -5.0..5.0f64, upper in -5.0..5.0f64) {
            assert_gradient_matches(
                |x| {
                    let mut log_jacobian = Dual::constant(0.0);
                    let value = upper_bound_constrain(x[0], x[1], &mut log_jacobian);
                    Ok(value + log_jacobian)
                },
                &[u, upper],
            );
        }
    }
}
