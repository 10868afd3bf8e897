//! Test helpers for the transforms: log-determinant of a finite-difference Jacobian, and the dual-versus-finite-difference gradient check.

use crate::dual::Dual;
use crate::error::Result;
use crate::gradient::{finite_difference_gradient, gradient_chunked};
use crate::real::Real;

/// `|actual − expected| ≤ tol · max(1, |expected|)`.
#[track_caller]
pub(crate) fn assert_close(actual: f64, expected: f64, tol: f64) {
    let scale = expected.abs().max(1.0);
    assert!(
        (actual - expected).abs() <= tol * scale,
        "actual {actual} vs expected {expected} (tol {tol})"
    );
}

/// Element-wise [`assert_close`] of two vectors of the same length.
#[track_caller]
pub(crate) fn assert_all_close(actual: &[f64], expected: &[f64], tol: f64) {
    assert_eq!(actual.len(), expected.len(), "lengths differ");
    for (a, e) in actual.iter().zip(expected) {
        assert_close(*a, *e, tol);
    }
}

/// Dual-number gradient of `f` at `x` against central finite differences (relative tolerance
/// 1e-5). The same check as `dist::testing::assert_gradient_matches`, which is private to
/// `dist`; once that module is `pub(crate)`, this function can be replaced by a `use`.
#[track_caller]
pub(crate) fn assert_gradient_matches<F>(f: F, x: &[f64])
where
    F: Fn(&[Dual<4>]) -> Result<Dual<4>>,
{
    let mut gradient = vec![0.0; x.len()];
    let value = gradient_chunked::<4, _>(&f, x, &mut gradient).expect("dual evaluation failed");
    let plain = |p: &[f64]| -> Result<f64> {
        let constants: Vec<Dual<4>> = p.iter().map(|&v| Dual::new_constant(v)).collect();
        f(&constants).map(|d| d.value())
    };
    assert_close(value, plain(x).unwrap(), 1e-12);
    let numeric = finite_difference_gradient(plain, x, 1e-6).expect("f64 evaluation failed");
    for (i, (a, n)) in gradient.iter().zip(&numeric).enumerate() {
        assert!(
            (a - n).abs() <= 1e-5 * n.abs().max(1.0),
            "gradient[{i}] at {x:?}: dual {a} vs finite difference {n}"
        );
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
