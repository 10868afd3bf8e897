//! The affine transform `x = offset + multiplier·u` (Stan's `real<offset=mu, multiplier=sigma>`).

use super::check::check_finite;
use crate::error::{Error, Result};
use crate::real::Real;

/// Maps `u ∈ ℝ` to `x = offset + multiplier·u` and adds `ln |dx/du| = ln(multiplier)` to
/// `log_jacobian` (Stan's `offset_multiplier_constrain`).
///
/// Both arguments may be parameters (the non-centred parameterisation
/// `theta ~ normal(mu, tau)` with `offset = mu, multiplier = tau`). A multiplier that is not
/// positive gives a NaN or `−∞` Jacobian term (checked by [`offset_multiplier_unconstrain`],
/// not here).
///
/// # Reference
/// Stan Reference Manual, "Affinely transformed real".
///
/// ```
/// use ppl_core::transform::{offset_multiplier_constrain, offset_multiplier_unconstrain};
/// let mut log_jacobian = 0.0;
/// let x = offset_multiplier_constrain(0.5_f64, 1.0, 4.0, &mut log_jacobian);
/// assert_eq!(x, 3.0);
/// assert_eq!(log_jacobian, 4.0_f64.ln());
/// assert_eq!(offset_multiplier_unconstrain(x, 1.0, 4.0)?, 0.5);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn offset_multiplier_constrain<T: Real>(
    u: T,
    offset: T,
    multiplier: T,
    log_jacobian: &mut T,
) -> T {
    *log_jacobian += multiplier.ln();
    offset + multiplier * u
}

/// The inverse of [`offset_multiplier_constrain`]: `u = (x − offset) / multiplier` (Stan's
/// `offset_multiplier_free`).
///
/// # Errors
/// `offset` not finite, `multiplier` not positive and finite, or `x` not finite:
/// `offset_multiplier: multiplier is 0, but must be positive and finite`.
pub fn offset_multiplier_unconstrain(x: f64, offset: f64, multiplier: f64) -> Result<f64> {
    const FUNCTION: &str = "offset_multiplier";
    check_finite(FUNCTION, "offset", offset)?;
    if !(multiplier > 0.0 && multiplier.is_finite()) {
        return Err(Error::invalid(
            FUNCTION,
            "multiplier",
            multiplier,
            "positive and finite",
        ));
    }
    check_finite(FUNCTION, "value", x)?;
    Ok((x - offset) / multiplier)
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
        for &(u, offset, multiplier) in &[(0.3, 0.0, 1.0), (-4.0, -2.5, 7.0), (12.0, 100.0, 0.01)] {
            let mut log_jacobian = 0.0;
            let x = offset_multiplier_constrain(u, offset, multiplier, &mut log_jacobian);
            assert_close(
                offset_multiplier_unconstrain(x, offset, multiplier).unwrap(),
                u,
                1e-12,
            );
            let fd = finite_difference_log_abs_det(
                |v| {
                    vec![offset_multiplier_constrain(
                        v[0], offset, multiplier, &mut 0.0,
                    )]
                },
                &[u],
            );
            assert_close(log_jacobian, fd, 1e-6);
            let back = offset_multiplier_unconstrain(x, offset, multiplier).unwrap();
            assert_close(
                offset_multiplier_constrain(back, offset, multiplier, &mut 0.0),
                x,
                1e-14,
            );
        }
    }

    #[test]
    fn extreme_inputs_give_no_nan() {
        for u in [-800.0, 800.0] {
            let mut log_jacobian = 0.0;
            let x = offset_multiplier_constrain(u, 1.0, 2.0, &mut log_jacobian);
            assert_eq!(x, 1.0 + 2.0 * u);
            assert_eq!(log_jacobian, 2.0_f64.ln());
        }
    }

    #[test]
    fn unconstrain_errors_name_function_argument_value_and_rule() {
        let message = |x, offset, multiplier| {
            offset_multiplier_unconstrain(x, offset, multiplier)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            message(1.0, 0.0, 0.0),
            "offset_multiplier: multiplier is 0, but must be positive and finite"
        );
        assert_eq!(
            message(1.0, f64::INFINITY, 1.0),
            "offset_multiplier: offset is inf, but must be finite"
        );
        assert_eq!(
            message(f64::NAN, 0.0, 1.0),
            "offset_multiplier: value is NaN, but must be finite"
        );
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(
            u in -5.0..5.0f64, offset in -5.0..5.0f64, log_multiplier in -2.0..2.0f64,
        ) {
            assert_gradient_matches(
                |x| {
                    let mut log_jacobian = Dual::constant(0.0);
                    let value = offset_multiplier_constrain(x[0], x[1], x[2], &mut log_jacobian);
                    Ok(value + log_jacobian)
                },
                &[u, offset, log_multiplier.exp()],
            );
        }
    }
}
