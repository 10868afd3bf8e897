//! The ordered-vector transform `x_1 = u_1, x_k = x_{k−1} + exp(u_k)` (Stan's `ordered[K]`).

use super::check::{check_finite_vector, element};
use crate::error::{Error, Result};
use crate::real::Real;

/// Number of unconstrained values of an `ordered[k]` vector: `k`.
pub fn ordered_unconstrained_size(k: usize) -> usize {
    k
}

/// Maps `u ∈ ℝ^K` to a strictly increasing `x`: `x_1 = u_1`, `x_k = x_{k−1} + exp(u_k)`, and
/// adds `ln |det J| = Σ_{k≥2} u_k` to `log_jacobian` (Stan's `ordered_constrain`).
///
/// For `u_k` above about 709 the increments overflow to `+∞` (never NaN).
///
/// # Reference
/// Stan Reference Manual, "Ordered vector".
///
/// ```
/// use ppl_core::transform::{ordered_constrain, ordered_unconstrain};
/// let mut log_jacobian = 0.0;
/// let x = ordered_constrain(&[1.0_f64, 0.0, 2.0_f64.ln()], &mut log_jacobian);
/// assert_eq!(x, vec![1.0, 2.0, 4.0]);
/// assert!((log_jacobian - 2.0_f64.ln()).abs() < 1e-15);
/// assert_eq!(ordered_unconstrain(&x)?[1], 0.0);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn ordered_constrain<T: Real>(u: &[T], log_jacobian: &mut T) -> Vec<T> {
    match u.split_first() {
        None => Vec::new(),
        Some((&first, rest)) => increasing_from(first, rest, log_jacobian),
    }
}

/// `[start, start + exp(rest_1), start + exp(rest_1) + exp(rest_2), …]`, adding `Σ rest_k` to
/// `log_jacobian`: the part shared by `ordered` and `positive_ordered`.
pub(crate) fn increasing_from<T: Real>(start: T, rest: &[T], log_jacobian: &mut T) -> Vec<T> {
    let mut x = Vec::with_capacity(rest.len() + 1);
    let mut previous = start;
    x.push(previous);
    for &u_k in rest {
        *log_jacobian += u_k;
        previous += u_k.exp();
        x.push(previous);
    }
    x
}

/// The inverse of [`ordered_constrain`]: `u_1 = x_1`, `u_k = ln(x_k − x_{k−1})` (Stan's
/// `ordered_free`).
///
/// # Errors
/// An element not finite, or not greater than the one before it:
/// `ordered: x[2] is 0, but must be greater than the previous element 1`.
pub fn ordered_unconstrain(x: &[f64]) -> Result<Vec<f64>> {
    const FUNCTION: &str = "ordered";
    check_finite_vector(FUNCTION, x)?;
    check_increasing(FUNCTION, x)?;
    Ok(match x.split_first() {
        None => Vec::new(),
        Some((&first, _)) => std::iter::once(first).chain(log_increments(x)).collect(),
    })
}

/// Every element of `x` is greater than the one before it.
pub(crate) fn check_increasing(function: &'static str, x: &[f64]) -> Result<()> {
    for (k, pair) in x.windows(2).enumerate() {
        if pair[1].is_nan() || pair[1] <= pair[0] {
            return Err(Error::invalid(
                function,
                element("x", k + 1),
                pair[1],
                format!("greater than the previous element {}", pair[0]),
            ));
        }
    }
    Ok(())
}

/// `ln(x_k − x_{k−1})` for `k = 2, …, K`.
pub(crate) fn log_increments(x: &[f64]) -> impl Iterator<Item = f64> + '_ {
    x.windows(2).map(|pair| (pair[1] - pair[0]).ln())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dual::Dual;
    use crate::transform::lower_bound_constrain;
    use crate::transform::testing::{
        assert_all_close, assert_close, assert_gradient_matches, finite_difference_log_abs_det,
    };
    use proptest::prelude::*;

    #[test]
    fn matches_stan_low_dim_gauss_mix() {
        // /work/shared/posteriordb/low_dim_gauss_mix-low_dim_gauss_mix/logdensity_checks.json,
        // points[0] (Stan 2.35.0): mu is ordered[2] (unconstrained[0..2]), sigma is
        // vector<lower=0>[2] (unconstrained[2..4]), theta in (0, 1) (unconstrained[4]). The
        // whole log-Jacobian is log_prob_jacobian − log_prob_no_jacobian
        // = −2575.5874095431845 − (−2575.3155707696224).
        let u = [
            -1.090_655_910_131_321_3,
            -0.732_966_641_160_988_5,
            1.189_461_829_330_936_5,
            0.705_018_683_003_898_2,
            -0.435_561_797_592_364,
        ];
        let mut log_jacobian = 0.0;
        let mu = ordered_constrain(&u[0..2], &mut log_jacobian);
        assert_all_close(
            &mu,
            &[-1.090_655_910_131_321_3, -0.610_174_452_551_647_5],
            1e-14,
        );
        for &u_k in &u[2..4] {
            lower_bound_constrain(u_k, 0.0, &mut log_jacobian);
        }
        crate::transform::lower_upper_bound_constrain(u[4], 0.0, 1.0, &mut log_jacobian);
        assert_close(
            log_jacobian,
            -2575.5874095431845 - -2575.3155707696224,
            1e-10,
        );
        assert_all_close(&ordered_unconstrain(&mu).unwrap(), &u[0..2], 1e-13);
    }

    #[test]
    fn round_trips_and_jacobian() {
        let u = [0.4, -1.3, 2.0, 0.0, -6.0];
        let mut log_jacobian = 0.0;
        let x = ordered_constrain(&u, &mut log_jacobian);
        assert!(x.windows(2).all(|p| p[1] > p[0]));
        assert_all_close(&ordered_unconstrain(&x).unwrap(), &u, 1e-10);
        let fd = finite_difference_log_abs_det(|v| ordered_constrain(v, &mut 0.0), &u);
        assert_close(log_jacobian, fd, 1e-6);
        let x = [-3.0, -2.9, 0.0, 10.0];
        let back = ordered_constrain(&ordered_unconstrain(&x).unwrap(), &mut 0.0);
        assert_all_close(&back, &x, 1e-14);
        assert!(ordered_constrain::<f64>(&[], &mut 0.0).is_empty());
        assert!(ordered_unconstrain(&[]).unwrap().is_empty());
        assert_eq!(ordered_unconstrained_size(4), 4);
    }

    #[test]
    fn extreme_inputs_give_no_nan() {
        let mut log_jacobian = 0.0;
        let x = ordered_constrain(&[800.0, -800.0, 800.0, -800.0], &mut log_jacobian);
        assert!(x.iter().all(|v| !v.is_nan()), "{x:?}");
        assert_eq!(log_jacobian, -800.0);
    }

    #[test]
    fn unconstrain_errors_name_function_argument_value_and_rule() {
        assert_eq!(
            ordered_unconstrain(&[1.0, 0.0]).unwrap_err().to_string(),
            "ordered: x[2] is 0, but must be greater than the previous element 1"
        );
        assert_eq!(
            ordered_unconstrain(&[1.0, 2.0, 2.0])
                .unwrap_err()
                .to_string(),
            "ordered: x[3] is 2, but must be greater than the previous element 2"
        );
        assert_eq!(
            ordered_unconstrain(&[f64::NAN, 2.0])
                .unwrap_err()
                .to_string(),
            "ordered: x[1] is NaN, but must be finite"
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
                    let x = ordered_constrain(v, &mut log_jacobian);
                    Ok(x.into_iter().sum::<Dual<4>>() + log_jacobian)
                },
                &u,
            );
        }
    }
}
