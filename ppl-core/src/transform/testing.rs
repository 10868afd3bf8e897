//! Test helpers for the transforms: element-wise closeness and the log-determinant of a finite-difference Jacobian (the gradient check is shared with the densities).

pub(crate) use crate::dist::testing::{assert_close, assert_gradient_matches};

/// Element-wise [`assert_close`] of two vectors of the same length.
#[track_caller]
pub(crate) fn assert_all_close(actual: &[f64], expected: &[f64], tol: f64) {
    assert_eq!(actual.len(), expected.len(), "lengths differ");
    for (a, e) in actual.iter().zip(expected) {
        assert_close(*a, *e, tol);
    }
}

/// `ln |det J|` of the square Jacobian of `free` (the map from the unconstrained vector to the
/// free coordinates of the constrained value) at `u`, by central differences with step
/// `1e-6 · max(1, |u_i|)` and an LU factorisation with partial pivoting.
pub(crate) fn finite_difference_log_abs_det(free: impl Fn(&[f64]) -> Vec<f64>, u: &[f64]) -> f64 {
    let n = u.len();
    let mut jacobian = vec![vec![0.0; n]; n];
    let mut point = u.to_vec();
    for col in 0..n {
        let step = 1e-6 * u[col].abs().max(1.0);
        point[col] = u[col] + step;
        let up = free(&point);
        point[col] = u[col] - step;
        let down = free(&point);
        point[col] = u[col];
        assert_eq!(up.len(), n, "the free coordinates must number as many as u");
        for row in 0..n {
            jacobian[row][col] = (up[row] - down[row]) / (2.0 * step);
        }
    }
    log_abs_det(jacobian)
}

/// `ln |det A|` by Gaussian elimination with partial pivoting.
fn log_abs_det(mut a: Vec<Vec<f64>>) -> f64 {
    let n = a.len();
    let mut log_det = 0.0;
    for col in 0..n {
        let pivot_row = (col..n)
            .max_by(|&r, &s| a[r][col].abs().total_cmp(&a[s][col].abs()))
            .expect("non-empty range");
        a.swap(col, pivot_row);
        let pivot = a[col][col];
        log_det += pivot.abs().ln();
        let (upper, lower) = a.split_at_mut(col + 1);
        let pivot_entries = &upper[col];
        for row in lower {
            let factor = row[col] / pivot;
            for (entry, &above) in row[col..].iter_mut().zip(&pivot_entries[col..]) {
                *entry -= factor * above;
            }
        }
    }
    log_det
}
