//! Input checks shared by the uncertainty tools: non-empty, rectangular, finite, probabilities that sum to one.

use crate::error::{Error, Result};

/// Tolerance on `Σ p = 1` for a probability vector.
pub(crate) const SUM_TOLERANCE: f64 = 1e-6;

/// `values` is not empty.
pub(crate) fn check_non_empty<T>(
    function: &'static str,
    argument: &str,
    values: &[T],
) -> Result<()> {
    if values.is_empty() {
        return Err(Error::invalid(function, argument, "empty", "non-empty"));
    }
    Ok(())
}

/// Every row of `rows` has `expected` elements.
pub(crate) fn check_rows<T>(
    function: &'static str,
    argument: &str,
    rows: &[Vec<T>],
    expected: usize,
) -> Result<()> {
    for (i, row) in rows.iter().enumerate() {
        if row.len() != expected {
            return Err(Error::SizeMismatch {
                function,
                argument: format!("{argument}[{}]", i + 1),
                actual: row.len(),
                expected,
            });
        }
    }
    Ok(())
}

/// Every value is finite.
pub(crate) fn check_finite(function: &'static str, argument: &str, values: &[f64]) -> Result<()> {
    if let Some(i) = values.iter().position(|v| !v.is_finite()) {
        return Err(Error::invalid(
            function,
            format!("{argument}[{}]", i + 1),
            values[i],
            "finite",
        ));
    }
    Ok(())
}

/// `p` is a probability vector: entries in `[0, 1]`, summing to 1 within [`SUM_TOLERANCE`].
pub(crate) fn check_probabilities(function: &'static str, argument: &str, p: &[f64]) -> Result<()> {
    if let Some(k) = p.iter().position(|v| !(0.0..=1.0).contains(v)) {
        return Err(Error::invalid(
            function,
            format!("{argument}[{}]", k + 1),
            p[k],
            "in [0, 1]",
        ));
    }
    let sum: f64 = p.iter().sum();
    if (sum - 1.0).abs() > SUM_TOLERANCE {
        return Err(Error::invalid(
            function,
            format!("sum of {argument}"),
            sum,
            "1 (a probability vector)",
        ));
    }
    Ok(())
}
