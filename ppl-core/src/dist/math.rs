//! Scalar `f64` kernels several densities share: `multiply_log`, `ln θ` with `ln(1 − θ)`, and `ln k!`.
//!
//! These belong in [`crate::special`]; they live here until the multivariate families (whose
//! author owns `special.rs` at the moment) are merged, and should then move there.

/// `a · ln b` given `log_b = ln b`, with Stan's `multiply_log` convention `0 · ln 0 = 0` (any
/// `a = 0` gives 0), for densities evaluated at the boundary of their support (`gamma`, `beta`,
/// `weibull`, `chi_square`, `poisson`, `binomial`, ...). The logarithm is passed in so that
/// callers can take it once for a broadcast scalar, or compute it accurately (`ln(1 − θ)` as
/// `ln_1p(−θ)`).
#[inline]
pub(crate) fn multiply_log(a: f64, log_b: f64) -> f64 {
    if a == 0.0 {
        0.0
    } else {
        a * log_b
    }
}

/// `ln k!` for `k ≥ 0` (a table up to 170, then `ln Γ(k + 1)`; statrs).
#[inline]
pub(crate) fn ln_factorial(count: i64) -> f64 {
    statrs::function::factorial::ln_factorial(count.max(0) as u64)
}

/// `(ln θ, ln(1 − θ))` for a probability `θ`, the second as `ln_1p(−θ)` (accurate for small
/// `θ`); `binomial` and `geometric` take them once for a scalar `θ`.
#[inline]
pub(crate) fn log_and_log1m(theta: f64) -> (f64, f64) {
    (theta.ln(), (-theta).ln_1p())
}
