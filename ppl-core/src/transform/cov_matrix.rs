//! The covariance-matrix transform: Stan's `K + K(K−1)/2` unconstrained values to a symmetric positive-definite `cov_matrix[K]` through its Cholesky factor.

use super::check::{
    check_square_finite, check_unconstrained_size, matrix_element, CONSTRAINT_TOLERANCE,
};
use super::cholesky_cov::{
    cholesky_cov_unconstrained_size, diagonal_position, lower_triangular_from_free,
    lower_triangular_to_free,
};
use crate::error::{Error, Result};
use crate::matrix::Matrix;
use crate::real::Real;
use crate::special::LN_2;

/// Number of unconstrained values of a `cov_matrix[k]`: `k + k(k − 1)/2`.
pub fn cov_matrix_unconstrained_size(k: usize) -> usize {
    cholesky_cov_unconstrained_size(k)
}

/// Maps `u ∈ ℝ^{K + K(K−1)/2}` to the symmetric positive-definite `Σ = L Lᵀ`, where `L` is
/// lower triangular with the elements of `u` row by row (`(1,1), (2,1), (2,2), …`) and the
/// diagonal exponentiated, and adds `ln |det J|` of the map from `u` to the lower triangle of
/// `Σ` to `log_jacobian` (Stan's `cov_matrix_constrain`):
///
/// `K ln 2 + Σ_{i=1}^{K} (K − i + 2)·u_(i,i)`,
///
/// the `2^K Π L_ii^{K−i+1}` of `L ↦ L Lᵀ` times the `Π L_ii` of the exponentiated diagonal.
///
/// # Errors
/// [`crate::Error::SizeMismatch`] if `u.len() != k + k(k − 1)/2`.
///
/// # Reference
/// Stan Reference Manual, "Covariance matrices".
///
/// ```
/// use ppl_core::transform::{cov_matrix_constrain, cov_matrix_unconstrain};
/// let mut log_jacobian = 0.0;
/// // L = [[1, 0], [0.5, 2]], Σ = L Lᵀ.
/// let sigma = cov_matrix_constrain(&[0.0_f64, 0.5, 2.0_f64.ln()], 2, &mut log_jacobian)?;
/// assert_eq!(sigma.as_slice(), &[1.0, 0.5, 0.5, 4.25]);
/// // 2 ln 2 + 3·0 + 2·ln 2
/// assert!((log_jacobian - 4.0 * 2.0_f64.ln()).abs() < 1e-15);
/// assert!((cov_matrix_unconstrain(&sigma)?[2] - 2.0_f64.ln()).abs() < 1e-15);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn cov_matrix_constrain<T: Real>(u: &[T], k: usize, log_jacobian: &mut T) -> Result<Matrix<T>> {
    check_unconstrained_size("cov_matrix", u.len(), cov_matrix_unconstrained_size(k))?;
    let l = lower_triangular_from_free(u, k);
    *log_jacobian += k as f64 * LN_2;
    for i in 0..k {
        *log_jacobian += u[diagonal_position(i)] * ((k - i + 1) as f64);
    }
    let mut sigma = Matrix::filled(k, k, T::constant(0.0));
    for i in 0..k {
        for j in 0..=i {
            let mut dot = l[(i, 0)] * l[(j, 0)];
            for m in 1..=j {
                dot += l[(i, m)] * l[(j, m)];
            }
            sigma[(i, j)] = dot;
            sigma[(j, i)] = dot;
        }
    }
    Ok(sigma)
}

/// The inverse of [`cov_matrix_constrain`] (Stan's `cov_matrix_free`): the Cholesky factor
/// `L` of `sigma`, its lower triangle row by row with `ln L_ii` on the diagonal.
///
/// # Errors
/// `sigma` not square, an element not finite, not symmetric (`|Σ_ij − Σ_ji| > 1e-8`), or not
/// positive definite: `cov_matrix: Cholesky pivot 2 of x is -3, but must be positive (x must
/// be positive definite)`.
pub fn cov_matrix_unconstrain(sigma: &Matrix<f64>) -> Result<Vec<f64>> {
    const FUNCTION: &str = "cov_matrix";
    let k = check_square_finite(FUNCTION, sigma)?;
    for i in 0..k {
        for j in 0..i {
            if (sigma[(i, j)] - sigma[(j, i)]).abs() > CONSTRAINT_TOLERANCE {
                return Err(Error::invalid(
                    FUNCTION,
                    matrix_element("x", i, j),
                    sigma[(i, j)],
                    "equal to its mirror element within 1e-8 (x must be symmetric)",
                ));
            }
        }
    }
    let l = cholesky_factor(FUNCTION, sigma)?;
    Ok(lower_triangular_to_free(&l))
}

/// The lower Cholesky factor of a symmetric matrix (its lower triangle is read).
///
/// # Errors
/// A pivot `Σ_jj − Σ_{m<j} L_jm²` that is not positive (the matrix is not positive definite).
pub(crate) fn cholesky_factor(function: &'static str, sigma: &Matrix<f64>) -> Result<Matrix<f64>> {
    let k = sigma.rows();
    let mut l = Matrix::filled(k, k, 0.0);
    for j in 0..k {
        let pivot = sigma[(j, j)] - l.row(j)[..j].iter().map(|v| v * v).sum::<f64>();
        if pivot.is_nan() || pivot <= 0.0 {
            return Err(Error::invalid(
                function,
                format!("Cholesky pivot {} of x", j + 1),
                pivot,
                "positive (x must be positive definite)",
            ));
        }
        let diagonal = pivot.sqrt();
        l[(j, j)] = diagonal;
        for i in j + 1..k {
            let dot: f64 = (0..j).map(|m| l[(i, m)] * l[(j, m)]).sum();
            l[(i, j)] = (sigma[(i, j)] - dot) / diagonal;
        }
    }
    Ok(l)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dual::Dual;
    use crate::transform::testing::{
        assert_all_close, assert_close, assert_gradient_matches, finite_difference_log_abs_det,
    };
    use proptest::prelude::*;

    /// The lower triangle of `sigma` including the diagonal, row by row (the free coordinates
    /// of a symmetric matrix).
    fn lower_triangle(sigma: &Matrix<f64>) -> Vec<f64> {
        (0..sigma.rows())
            .flat_map(|i| sigma.row(i)[..=i].to_vec())
            .collect()
    }

    #[test]
    fn round_trips_and_jacobian() {
        for k in 1..=4 {
            let u: Vec<f64> = (0..cov_matrix_unconstrained_size(k))
                .map(|m| 1.1 * ((m as f64) * 1.3 + 0.4).sin())
                .collect();
            let mut log_jacobian = 0.0;
            let sigma = cov_matrix_constrain(&u, k, &mut log_jacobian).unwrap();
            assert_eq!(sigma, sigma.transpose());
            assert_all_close(&cov_matrix_unconstrain(&sigma).unwrap(), &u, 1e-12);
            let fd = finite_difference_log_abs_det(
                |v| lower_triangle(&cov_matrix_constrain(v, k, &mut 0.0).unwrap()),
                &u,
            );
            assert_close(log_jacobian, fd, 1e-6);
        }
        let sigma = Matrix::from_rows(&[
            vec![2.0, 0.3, -0.1],
            vec![0.3, 1.0, 0.2],
            vec![-0.1, 0.2, 0.5],
        ])
        .unwrap();
        let back =
            cov_matrix_constrain(&cov_matrix_unconstrain(&sigma).unwrap(), 3, &mut 0.0).unwrap();
        assert_all_close(back.as_slice(), sigma.as_slice(), 1e-14);
        assert_eq!(cov_matrix_unconstrained_size(3), 6);
    }

    #[test]
    fn extreme_inputs_give_no_nan() {
        let mut log_jacobian = 0.0;
        let sigma = cov_matrix_constrain(&[-800.0, 800.0, -800.0], 2, &mut log_jacobian).unwrap();
        assert!(sigma.as_slice().iter().all(|v| !v.is_nan()), "{sigma:?}");
        assert!(!log_jacobian.is_nan());
    }

    #[test]
    fn errors_name_function_argument_value_and_rule() {
        assert_eq!(
            cov_matrix_constrain(&[0.1_f64, 0.2], 2, &mut 0.0)
                .unwrap_err()
                .to_string(),
            "cov_matrix: u has size 2, but must have size 3"
        );
        let message = |rows: &[Vec<f64>]| {
            cov_matrix_unconstrain(&Matrix::from_rows(rows).unwrap())
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            message(&[vec![1.0, 2.0], vec![2.0, 1.0]]),
            "cov_matrix: Cholesky pivot 2 of x is -3, but must be positive (x must be positive \
             definite)"
        );
        assert_eq!(
            message(&[vec![1.0, 0.5], vec![0.25, 1.0]]),
            "cov_matrix: x[2,1] is 0.25, but must be equal to its mirror element within 1e-8 (x \
             must be symmetric)"
        );
        assert_eq!(
            message(&[vec![1.0, 0.0], vec![0.0, f64::INFINITY]]),
            "cov_matrix: x[2,2] is inf, but must be finite"
        );
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(
            u in prop::collection::vec(-2.0..2.0f64, 6),
        ) {
            assert_gradient_matches(
                |v| {
                    let mut log_jacobian = Dual::constant(0.0);
                    let sigma = cov_matrix_constrain(v, 3, &mut log_jacobian)?;
                    Ok(sigma.as_slice().iter().copied().sum::<Dual<4>>() + log_jacobian)
                },
                &u,
            );
        }
    }
}
