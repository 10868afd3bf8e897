//! The Cholesky-factor-of-correlation transform: Stan's tanh canonical partial correlations to `cholesky_factor_corr[K]`.

use super::check::{
    check_cholesky_factor, check_unconstrained_size, matrix_element, CONSTRAINT_TOLERANCE,
};
use crate::error::{Error, Result};
use crate::matrix::Matrix;
use crate::real::Real;
use crate::special::LN_2;

/// Number of unconstrained values of a `cholesky_factor_corr[k]`: `k(k − 1)/2`.
pub fn cholesky_corr_unconstrained_size(k: usize) -> usize {
    k * k.saturating_sub(1) / 2
}

/// Maps `u ∈ ℝ^{K(K−1)/2}` to the lower-triangular Cholesky factor `L` of a `K × K`
/// correlation matrix (unit-length rows, positive diagonal), and adds `ln |det J|` of the map
/// from `u` to the strictly-lower elements of `L` to `log_jacobian` (Stan's
/// `cholesky_corr_constrain`).
///
/// Element order is Stan's: row by row, `(2,1), (3,1), (3,2), (4,1), …`. Each `u` becomes a
/// canonical partial correlation `z = tanh(u) ∈ (−1, 1)`; in row `i`,
/// `L_ij = z_ij·√(1 − Σ_{m<j} L_im²)` for `j < i` and `L_ii = √(1 − Σ_{m<i} L_im²)`,
/// with `L_11 = 1`. The log-Jacobian is
/// `Σ ln(1 − z_ij²) + Σ_{j≥2} ½ ln(1 − Σ_{m<j} L_im²)`.
///
/// The remaining squared length `1 − Σ_{m<j} L_im² = Π_{m<j} (1 − z_im²)` is carried in log
/// space, with `ln(1 − tanh² u) = 2 ln 2 − 2|u| − 2 ln(1 + e^{−2|u|})`, so `|u|` in the hundreds
/// gives a finite log-Jacobian and exact zeros, never NaN.
///
/// # Errors
/// [`Error::SizeMismatch`] if `u.len() != k(k − 1)/2`.
///
/// # Reference
/// Stan Reference Manual, "Cholesky factors of correlation matrices"; Lewandowski, Kurowicka
/// and Joe (2009).
///
/// ```
/// use ppl_core::transform::{cholesky_corr_constrain, cholesky_corr_unconstrain};
/// let mut log_jacobian = 0.0;
/// let l = cholesky_corr_constrain(&[0.5_f64], 2, &mut log_jacobian)?;
/// let z = 0.5_f64.tanh();
/// assert!((l[(1, 0)] - z).abs() < 1e-15);
/// assert!((l[(1, 1)] - (1.0 - z * z).sqrt()).abs() < 1e-15);
/// assert!((log_jacobian - (1.0 - z * z).ln()).abs() < 1e-15);
/// assert!((cholesky_corr_unconstrain(&l)?[0] - 0.5).abs() < 1e-15);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn cholesky_corr_constrain<T: Real>(
    u: &[T],
    k: usize,
    log_jacobian: &mut T,
) -> Result<Matrix<T>> {
    check_unconstrained_size(
        "cholesky_corr",
        u.len(),
        cholesky_corr_unconstrained_size(k),
    )?;
    let mut l = Matrix::filled(k, k, T::constant(0.0));
    if k == 0 {
        return Ok(l);
    }
    l[(0, 0)] = T::constant(1.0);
    let mut next = 0;
    for i in 1..k {
        // ln of the squared length left in row i, and its square root.
        let mut log_remaining = T::constant(0.0);
        let mut remaining_length = T::constant(1.0);
        for j in 0..i {
            let u_ij = u[next];
            next += 1;
            let log1m_z_squared = log1m_tanh_squared(u_ij);
            *log_jacobian += log1m_z_squared + log_remaining * 0.5;
            l[(i, j)] = u_ij.tanh() * remaining_length;
            log_remaining += log1m_z_squared;
            remaining_length = (log_remaining * 0.5).exp();
        }
        l[(i, i)] = remaining_length;
    }
    Ok(l)
}

/// `ln(1 − tanh²(u)) = 2 ln 2 − 2|u| − 2 ln(1 + e^{−2|u|})`, stable for large `|u|`; its
/// derivative is `−2 tanh(u)`.
fn log1m_tanh_squared<T: Real>(u: T) -> T {
    let magnitude = u.value().abs();
    let value = 2.0 * LN_2 - 2.0 * magnitude - 2.0 * (-2.0 * magnitude).exp().ln_1p();
    u.chain(value, -2.0 * u.value().tanh())
}

/// The inverse of [`cholesky_corr_constrain`] (Stan's `cholesky_corr_free`):
/// `u_ij = atanh(L_ij / √(L_ij² + … + L_ii²))`, where the denominator is the length of the
/// row still unexplained before column `j` (summed from the diagonal for accuracy).
///
/// # Errors
/// `l` not square, an element not finite, not lower triangular, a diagonal element not
/// positive, or a row whose squared norm differs from 1 by more than 1e-8:
/// `cholesky_corr: squared norm of row 2 of x is 1.25, but must be 1 (within 1e-8)`.
pub fn cholesky_corr_unconstrain(l: &Matrix<f64>) -> Result<Vec<f64>> {
    const FUNCTION: &str = "cholesky_corr";
    let k = check_cholesky_factor(FUNCTION, l)?;
    for i in 0..k {
        let squared_norm: f64 = l.row(i).iter().map(|v| v * v).sum();
        if (squared_norm - 1.0).abs() > CONSTRAINT_TOLERANCE {
            return Err(Error::invalid(
                FUNCTION,
                format!("squared norm of row {} of x", i + 1),
                squared_norm,
                "1 (within 1e-8)",
            ));
        }
    }
    let mut u = Vec::with_capacity(cholesky_corr_unconstrained_size(k));
    for i in 1..k {
        let row = &l.row(i)[..=i];
        for j in 0..i {
            let remaining: f64 = row[j..].iter().map(|v| v * v).sum();
            let partial_correlation = row[j] / remaining.sqrt();
            if partial_correlation.abs() >= 1.0 {
                // Only reachable when the diagonal is negligible against the row.
                return Err(Error::invalid(
                    FUNCTION,
                    matrix_element("x", i, i),
                    row[i],
                    "large enough that every partial correlation is inside (-1, 1)",
                ));
            }
            u.push(partial_correlation.atanh());
        }
    }
    Ok(u)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dual::Dual;
    use crate::transform::testing::{
        assert_all_close, assert_close, assert_gradient_matches, finite_difference_log_abs_det,
    };
    use proptest::prelude::*;

    /// The strictly-lower elements of `l`, row by row (the free coordinates).
    fn strictly_lower(l: &Matrix<f64>) -> Vec<f64> {
        (1..l.rows()).flat_map(|i| l.row(i)[..i].to_vec()).collect()
    }

    #[test]
    fn constrained_is_a_correlation_cholesky_factor() {
        let u = [0.3, -1.2, 0.8, 2.0, -0.1, 0.5];
        let l = cholesky_corr_constrain(&u, 4, &mut 0.0).unwrap();
        for i in 0..4 {
            let norm: f64 = l.row(i).iter().map(|v| v * v).sum();
            assert_close(norm, 1.0, 1e-15);
            assert!(l[(i, i)] > 0.0);
            for j in i + 1..4 {
                assert_eq!(l[(i, j)], 0.0);
            }
        }
        // Stan's element order: u[0] is (2,1), u[1] is (3,1), u[2] is (3,2).
        assert_close(l[(1, 0)], 0.3_f64.tanh(), 1e-15);
        assert_close(l[(2, 0)], (-1.2_f64).tanh(), 1e-15);
        let remaining = (1.0 - (-1.2_f64).tanh().powi(2)).sqrt();
        assert_close(l[(2, 1)], 0.8_f64.tanh() * remaining, 1e-15);
    }

    #[test]
    fn round_trips_and_jacobian() {
        for k in 1..=5 {
            let u: Vec<f64> = (0..cholesky_corr_unconstrained_size(k))
                .map(|m| 1.7 * ((m as f64) * 1.3 + 0.4).sin())
                .collect();
            let mut log_jacobian = 0.0;
            let l = cholesky_corr_constrain(&u, k, &mut log_jacobian).unwrap();
            assert_all_close(&cholesky_corr_unconstrain(&l).unwrap(), &u, 1e-12);
            if k >= 2 {
                let fd = finite_difference_log_abs_det(
                    |v| strictly_lower(&cholesky_corr_constrain(v, k, &mut 0.0).unwrap()),
                    &u,
                );
                assert_close(log_jacobian, fd, 1e-6);
            }
        }
        // The other direction, from a factor made by hand.
        let c = 0.6_f64;
        let l = Matrix::from_rows(&[
            vec![1.0, 0.0, 0.0],
            vec![c, (1.0 - c * c).sqrt(), 0.0],
            vec![-0.3, 0.4, (1.0 - 0.09 - 0.16_f64).sqrt()],
        ])
        .unwrap();
        let back =
            cholesky_corr_constrain(&cholesky_corr_unconstrain(&l).unwrap(), 3, &mut 0.0).unwrap();
        assert_all_close(back.as_slice(), l.as_slice(), 1e-14);
        assert_eq!(cholesky_corr_unconstrained_size(0), 0);
        assert_eq!(cholesky_corr_unconstrained_size(4), 6);
    }

    #[test]
    fn extreme_inputs_give_no_nan() {
        for u in [[800.0, -800.0, 800.0], [-800.0, 0.5, 800.0], [800.0; 3]] {
            let mut log_jacobian = 0.0;
            let l = cholesky_corr_constrain(&u, 3, &mut log_jacobian).unwrap();
            assert!(l.as_slice().iter().all(|v| v.is_finite()), "{l:?}");
            assert!(log_jacobian.is_finite(), "{log_jacobian}");
            let mut gradient = [0.0; 3];
            crate::gradient_chunked::<4, _>(
                |v| {
                    let mut lj = Dual::constant(0.0);
                    let l = cholesky_corr_constrain(v, 3, &mut lj)?;
                    Ok(l.as_slice().iter().copied().sum::<Dual<4>>() + lj)
                },
                &u,
                &mut gradient,
            )
            .unwrap();
            assert!(gradient.iter().all(|g| g.is_finite()), "{gradient:?}");
        }
    }

    #[test]
    fn errors_name_function_argument_value_and_rule() {
        assert_eq!(
            cholesky_corr_constrain(&[0.1_f64, 0.2], 3, &mut 0.0)
                .unwrap_err()
                .to_string(),
            "cholesky_corr: u has size 2, but must have size 3"
        );
        let message = |rows: &[Vec<f64>]| {
            cholesky_corr_unconstrain(&Matrix::from_rows(rows).unwrap())
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            message(&[vec![1.0, 0.0], vec![0.5, 1.0]]),
            "cholesky_corr: squared norm of row 2 of x is 1.25, but must be 1 (within 1e-8)"
        );
        assert_eq!(
            message(&[vec![1.0, 0.1], vec![0.0, 1.0]]),
            "cholesky_corr: x[1,2] is 0.1, but must be 0 (x must be lower triangular)"
        );
        assert_eq!(
            message(&[vec![1.0, 0.0], vec![0.0, -1.0]]),
            "cholesky_corr: x[2,2] is -1, but must be positive (the diagonal of a Cholesky \
             factor)"
        );
        assert_eq!(
            message(&[vec![1.0, 0.0], vec![f64::NAN, 1.0]]),
            "cholesky_corr: x[2,1] is NaN, but must be finite"
        );
        assert_eq!(
            message(&[vec![1.0, 0.0, 0.0], vec![0.0, 1.0, 0.0]]),
            "cholesky_corr: columns of x has size 3, but must have size 2"
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
                    let l = cholesky_corr_constrain(v, 4, &mut log_jacobian)?;
                    Ok(l.as_slice().iter().copied().sum::<Dual<4>>() + log_jacobian)
                },
                &u,
            );
        }
    }
}
