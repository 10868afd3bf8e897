//! The positive ordered-vector transform `x_1 = exp(u_1), x_k = x_{k−1} + exp(u_k)` (Stan's `positive_ordered[K]`).

use super::check::{check_finite_vector, element};
use super::ordered::{check_increasing, increasing_from, log_increments};
use crate::error::{Error, Result};
use crate::real::Real;

/// Number of unconstrained values of a `positive_ordered[k]` vector: `k`.
pub fn positive_ordered_unconstrained_size(k: usize) -> usize {
    k
}

/// Maps `u ∈ ℝ^K` to a strictly increasing positive `x`: `x_1 = exp(u_1)`,
/// `x_k = x_{k−1} + exp(u_k)`, and adds `ln |det J| = Σ_k u_k` to `log_jacobian` (Stan's
/// `positive_ordered_constrain`).
///
/// For `u_k` above about 709 the elements overflow to `+∞` (never NaN).
///
/// # Reference
/// Stan Reference Manual, "Positive ordered vector".
///
/// ```
/// use ppl_core::transform::{positive_ordered_constrain, positive_ordered_unconstrain};
/// let mut log_jacobian = 0.0;
/// let x = positive_ordered_constrain(&[0.0_f64, 0.0, 2.0_f64.ln()], &mut log_jacobian);
/// assert_eq!(x, vec![1.0, 2.0, 4.0]);
/// assert!((log_jacobian - 2.0_f64.ln()).abs() < 1e-15);
/// assert_eq!(positive_ordered_unconstrain(&x)?[0], 0.0);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn positive_ordered_constrain<T: Real>(u: &[T], log_jacobian: &mut T) -> Vec<T> {
    match u.split_first() {
        None => Vec::new(),
        Some((&first, rest)) => {
            *log_jacobian += first;
            increasing_from(first.exp(), rest, log_jacobian)
        }
    }
}

/// The inverse of [`positive_ordered_constrain`]: `u_1 = ln x_1`, `u_k = ln(x_k − x_{k−1})`
/// (Stan's `positive_ordered_free`).
///
/// # Errors
/// An element not finite, `x_1 ≤ 0`, or an element not greater than the one before it:
/// `positive_ordered: x[1] is 0, but must be positive`.
pub fn positive_ordered_unconstrain(x: &[f64]) -> Result<Vec<f64>> {
    const FUNCTION: &str = "positive_ordered";
    check_finite_vector(FUNCTION, x)?;
    let Some(&first) = x.first() else {
        return Ok(Vec::new());
    };
    if first <= 0.0 {
        return Err(Error::invalid(FUNCTION, element("x", 0), first, "positive"));
    }
    check_increasing(FUNCTION, x)?;
    Ok(std::iter::once(first.ln())
        .chain(log_increments(x))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dual::Dual;
    use crate::transform::simplex_constrain;
    use crate::transform::testing::{
        assert_all_close, assert_close, assert_gradient_matches, finite_difference_log_abs_det,
    };
    use proptest::prelude::*;

    #[test]
    fn matches_stan_hmm_drive_0() {
        // /work/shared/posteriordb/bball_drive_event_0-hmm_drive_0/logdensity_checks.json,
        // points[0] (Stan 2.35.0): theta1, theta2 simplex[2] (unconstrained[0], [1]); phi and
        // lambda positive_ordered[2] (unconstrained[2..4], [4..6]). The whole log-Jacobian is
        // log_prob_jacobian − log_prob_no_jacobian = −9255.429615670962 − (−9253.032078638382).
        let u = [
            -1.090_655_910_131_321_3,
            -0.732_966_641_160_988_5,
            1.189_461_829_330_936_5,
            0.705_018_683_003_898_2,
            -0.435_561_797_592_364,
            -0.668_744_288_534_461_9,
        ];
        let mut log_jacobian = 0.0;
        simplex_constrain(&u[0..1], &mut log_jacobian);
        simplex_constrain(&u[1..2], &mut log_jacobian);
        let phi = positive_ordered_constrain(&u[2..4], &mut log_jacobian);
        let lambda = positive_ordered_constrain(&u[4..6], &mut log_jacobian);
        assert_all_close(&phi, &[3.285_312_672_619_928, 5.309_197_169_430_998], 1e-14);
        assert_all_close(
            &lambda,
            &[0.646_901_137_471_038_2, 1.159_252_677_188_57],
            1e-14,
        );
        assert_close(log_jacobian, -9255.429615670962 - -9253.032078638382, 1e-9);
        assert_all_close(
            &positive_ordered_unconstrain(&lambda).unwrap(),
            &u[4..6],
            1e-13,
        );
    }

    #[test]
    fn round_trips_and_jacobian() {
        let u = [0.4, -1.3, 2.0, 0.0, -6.0];
        let mut log_jacobian = 0.0;
        let x = positive_ordered_constrain(&u, &mut log_jacobian);
        assert!(x[0] > 0.0 && x.windows(2).all(|p| p[1] > p[0]));
        assert_all_close(&positive_ordered_unconstrain(&x).unwrap(), &u, 1e-10);
        let fd = finite_difference_log_abs_det(|v| positive_ordered_constrain(v, &mut 0.0), &u);
        assert_close(log_jacobian, fd, 1e-6);
        let x = [1e-3, 0.5, 0.6, 10.0];
        let back = positive_ordered_constrain(&positive_ordered_unconstrain(&x).unwrap(), &mut 0.0);
        assert_all_close(&back, &x, 1e-14);
        assert!(positive_ordered_unconstrain(&[]).unwrap().is_empty());
        assert_eq!(positive_ordered_unconstrained_size(3), 3);
    }

    #[test]
    fn extreme_inputs_give_no_nan() {
        let mut log_jacobian = 0.0;
        let x = positive_ordered_constrain(&[-800.0, 800.0, -800.0], &mut log_jacobian);
        assert!(x.iter().all(|v| !v.is_nan() && *v >= 0.0), "{x:?}");
        assert_eq!(log_jacobian, -800.0);
    }

    #[test]
    fn unconstrain_errors_name_function_argument_value_and_rule() {
        assert_eq!(
            positive_ordered_unconstrain(&[0.0, 1.0])
                .unwrap_err()
                .to_string(),
            "positive_ordered: x[1] is 0, but must be positive"
        );
        assert_eq!(
            positive_ordered_unconstrain(&[1.0, 0.5])
                .unwrap_err()
                .to_string(),
            "positive_ordered: x[2] is 0.5, but must be greater than the previous element 1"
        );
        assert_eq!(
            positive_ordered_unconstrain(&[1.0, f64::INFINITY])
                .unwrap_err()
                .to_string(),
            "positive_ordered: x[2] is inf, but must be finite"
        );
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(
            u in prop::collection::vec(-3.0..3.0f64, 1..6),
        ) {
            assert_gradient_matches(
                |v| {
                    let mut log_jacobian = Dual::constant(0.0);
                    let x = positive_ordered_constrain(v, &mut log_jacobian);
                    Ok(x.into_iter().sum::<Dual<4>>() + log_jacobian)
                },
                &u,
            );
        }
    }
}
