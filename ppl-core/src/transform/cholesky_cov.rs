//! The Cholesky-factor-of-covariance transform: `K(K+1)/2` unconstrained values to a lower-triangular `cholesky_factor_cov[K]` with a log-transformed diagonal.

use super::check::{check_cholesky_factor, check_unconstrained_size};
use crate::error::Result;
use crate::matrix::Matrix;
use crate::real::Real;

/// Number of unconstrained values of a `cholesky_factor_cov[k]`: `k(k + 1)/2`.
pub fn cholesky_cov_unconstrained_size(k: usize) -> usize {
    k * (k + 1) / 2
}

/// Maps `u ∈ ℝ^{K(K+1)/2}` to a `K × K` lower-triangular matrix with positive diagonal and adds
/// `ln |det J| = Σ_i u_(i,i)` (the unconstrained values of the diagonal) to `log_jacobian`
/// (Stan's `cholesky_factor_constrain` for a square factor).
///
/// Element order is Stan's: row by row over the lower triangle including the diagonal,
/// `(1,1), (2,1), (2,2), (3,1), …`; off-diagonal elements are `u` itself, diagonal elements
/// `exp(u)`. The Jacobian is of the map from `u` to the lower triangle of `L`.
///
/// # Errors
/// [`crate::Error::SizeMismatch`] if `u.len() != k(k + 1)/2`.
///
/// # Reference
/// Stan Reference Manual, "Cholesky factors of covariance matrices".
///
/// ```
/// use ppl_core::transform::{cholesky_cov_constrain, cholesky_cov_unconstrain};
/// let mut log_jacobian = 0.0;
/// let l = cholesky_cov_constrain(&[0.0_f64, -0.5, 2.0_f64.ln()], 2, &mut log_jacobian)?;
/// assert_eq!(l.as_slice(), &[1.0, 0.0, -0.5, 2.0]);
/// assert!((log_jacobian - 2.0_f64.ln()).abs() < 1e-15);
/// assert_eq!(cholesky_cov_unconstrain(&l)?[1], -0.5);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn cholesky_cov_constrain<T: Real>(
    u: &[T],
    k: usize,
    log_jacobian: &mut T,
) -> Result<Matrix<T>> {
    check_unconstrained_size("cholesky_cov", u.len(), cholesky_cov_unconstrained_size(k))?;
    let l = lower_triangular_from_free(u, k);
    for i in 0..k {
        *log_jacobian += u[diagonal_position(i)];
    }
    Ok(l)
}

/// Position in Stan's row-by-row lower-triangle order of diagonal element `(i, i)` (0-based).
pub(crate) fn diagonal_position(i: usize) -> usize {
    i * (i + 1) / 2 + i
}

/// The lower-triangular `k × k` matrix whose lower triangle, row by row, is `u` with the
/// diagonal exponentiated. `u.len()` must be `k(k + 1)/2` (checked by the callers).
pub(crate) fn lower_triangular_from_free<T: Real>(u: &[T], k: usize) -> Matrix<T> {
    let mut l = Matrix::filled(k, k, T::constant(0.0));
    let mut next = 0;
    for i in 0..k {
        for j in 0..i {
            l[(i, j)] = u[next];
            next += 1;
        }
        l[(i, i)] = u[next].exp();
        next += 1;
    }
    l
}

/// The inverse of [`lower_triangular_from_free`] for a factor already checked: the lower
/// triangle row by row, with the logarithm of the diagonal.
pub(crate) fn lower_triangular_to_free(l: &Matrix<f64>) -> Vec<f64> {
    let k = l.rows();
    let mut u = Vec::with_capacity(cholesky_cov_unconstrained_size(k));
    for i in 0..k {
        u.extend_from_slice(&l.row(i)[..i]);
        u.push(l[(i, i)].ln());
    }
    u
}

/// The inverse of [`cholesky_cov_constrain`] (Stan's `cholesky_factor_free`): the lower
/// triangle row by row, with `ln L_ii` on the diagonal.
///
/// # Errors
/// `l` not square, an element not finite, not lower triangular, or a diagonal element not
/// positive: `cholesky_cov: x[2,2] is 0, but must be positive (the diagonal of a Cholesky
/// factor)`.
pub fn cholesky_cov_unconstrain(l: &Matrix<f64>) -> Result<Vec<f64>> {
    check_cholesky_factor("cholesky_cov", l)?;
    Ok(lower_triangular_to_free(l))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dual::Dual;
    use crate::transform::testing::{
        assert_all_close, assert_close, assert_gradient_matches, finite_difference_log_abs_det,
    };
    use proptest::prelude::*;

    /// The lower triangle of `l` including the diagonal, row by row (the free coordinates).
    fn lower_triangle(l: &Matrix<f64>) -> Vec<f64> {
        (0..l.rows())
            .flat_map(|i| l.row(i)[..=i].to_vec())
            .collect()
    }

    #[test]
    fn round_trips_and_jacobian() {
        for k in 1..=4 {
            let u: Vec<f64> = (0..cholesky_cov_unconstrained_size(k))
                .map(|m| 1.7 * ((m as f64) * 1.3 + 0.4).sin())
                .collect();
            let mut log_jacobian = 0.0;
            let l = cholesky_cov_constrain(&u, k, &mut log_jacobian).unwrap();
            for i in 0..k {
                assert!(l[(i, i)] > 0.0);
                for j in i + 1..k {
                    assert_eq!(l[(i, j)], 0.0);
                }
            }
            assert_all_close(&cholesky_cov_unconstrain(&l).unwrap(), &u, 1e-14);
            let fd = finite_difference_log_abs_det(
                |v| lower_triangle(&cholesky_cov_constrain(v, k, &mut 0.0).unwrap()),
                &u,
            );
            assert_close(log_jacobian, fd, 1e-6);
        }
        let l = Matrix::from_rows(&[vec![2.0, 0.0], vec![-1.0, 0.5]]).unwrap();
        let back =
            cholesky_cov_constrain(&cholesky_cov_unconstrain(&l).unwrap(), 2, &mut 0.0).unwrap();
        assert_all_close(back.as_slice(), l.as_slice(), 1e-15);
        assert_eq!(cholesky_cov_unconstrained_size(3), 6);
    }

    #[test]
    fn extreme_inputs_give_no_nan() {
        let mut log_jacobian = 0.0;
        let l = cholesky_cov_constrain(&[800.0, -800.0, -800.0], 2, &mut log_jacobian).unwrap();
        assert!(l.as_slice().iter().all(|v| !v.is_nan()), "{l:?}");
        assert_eq!(log_jacobian, 0.0);
    }

    #[test]
    fn errors_name_function_argument_value_and_rule() {
        assert_eq!(
            cholesky_cov_constrain(&[0.1_f64, 0.2], 2, &mut 0.0)
                .unwrap_err()
                .to_string(),
            "cholesky_cov: u has size 2, but must have size 3"
        );
        let message = |rows: &[Vec<f64>]| {
            cholesky_cov_unconstrain(&Matrix::from_rows(rows).unwrap())
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            message(&[vec![1.0, 0.0], vec![0.6, 0.0]]),
            "cholesky_cov: x[2,2] is 0, but must be positive (the diagonal of a Cholesky factor)"
        );
        assert_eq!(
            message(&[vec![1.0, 2.0], vec![0.6, 1.0]]),
            "cholesky_cov: x[1,2] is 2, but must be 0 (x must be lower triangular)"
        );
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(
            u in prop::collection::vec(-3.0..3.0f64, 6),
        ) {
            assert_gradient_matches(
                |v| {
                    let mut log_jacobian = Dual::constant(0.0);
                    let l = cholesky_cov_constrain(v, 3, &mut log_jacobian)?;
                    Ok(l.as_slice().iter().copied().sum::<Dual<4>>() + log_jacobian)
                },
                &u,
            );
        }
    }
}
