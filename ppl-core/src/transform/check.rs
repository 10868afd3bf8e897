//! Input checks shared by the unconstraining maps: each failure is a typed error naming the transform, the argument, the value and the rule.

use crate::error::{Error, Result};
use crate::matrix::Matrix;

/// Stan's `CONSTRAINT_TOLERANCE`: how far a simplex sum, a unit row norm or a symmetric pair may
/// be from exact before the value is rejected.
pub(crate) const CONSTRAINT_TOLERANCE: f64 = 1e-8;

/// The name of element `i` (0-based) of vector `name`, 1-based as in Stan: `x[2]`.
pub(crate) fn element(name: &str, i: usize) -> String {
    format!("{name}[{}]", i + 1)
}

/// The name of element `(i, j)` (0-based) of matrix `name`, 1-based as in Stan: `x[2,1]`.
pub(crate) fn matrix_element(name: &str, i: usize, j: usize) -> String {
    format!("{name}[{},{}]", i + 1, j + 1)
}

/// `value` is finite.
pub(crate) fn check_finite(function: &'static str, argument: &str, value: f64) -> Result<()> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(Error::invalid(function, argument, value, "finite"))
    }
}

/// Every element of the vector `x` is finite.
pub(crate) fn check_finite_vector(function: &'static str, x: &[f64]) -> Result<()> {
    for (i, &value) in x.iter().enumerate() {
        if !value.is_finite() {
            return Err(Error::invalid(function, element("x", i), value, "finite"));
        }
    }
    Ok(())
}

/// `u.len() == expected`, for the unconstrained vector of a transform.
pub(crate) fn check_unconstrained_size(
    function: &'static str,
    actual: usize,
    expected: usize,
) -> Result<()> {
    if actual == expected {
        Ok(())
    } else {
        Err(Error::size_mismatch(function, "u", actual, expected))
    }
}

/// `x` is square with finite elements; returns its size.
pub(crate) fn check_square_finite(function: &'static str, x: &Matrix<f64>) -> Result<usize> {
    if x.cols() != x.rows() {
        return Err(Error::size_mismatch(
            function,
            "columns of x",
            x.cols(),
            x.rows(),
        ));
    }
    let k = x.rows();
    for i in 0..k {
        for j in 0..k {
            check_finite(function, &matrix_element("x", i, j), x[(i, j)])?;
        }
    }
    Ok(k)
}

/// `x` is a Cholesky factor: square, finite, zero above the diagonal, positive diagonal.
/// Returns its size.
pub(crate) fn check_cholesky_factor(function: &'static str, x: &Matrix<f64>) -> Result<usize> {
    let k = check_square_finite(function, x)?;
    for i in 0..k {
        for j in i + 1..k {
            if x[(i, j)] != 0.0 {
                return Err(Error::invalid(
                    function,
                    matrix_element("x", i, j),
                    x[(i, j)],
                    "0 (x must be lower triangular)",
                ));
            }
        }
        if x[(i, i)] <= 0.0 {
            return Err(Error::invalid(
                function,
                matrix_element("x", i, i),
                x[(i, i)],
                "positive (the diagonal of a Cholesky factor)",
            ));
        }
    }
    Ok(k)
}
