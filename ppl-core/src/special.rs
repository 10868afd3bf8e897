//! Special functions in `f64` (values and the derivatives the dual number needs): log-gamma, digamma, trigamma, erf, normal cdf, logistic helpers.
//!
//! Values come from `statrs` where it is accurate; the rest are written here with the accuracy
//! stated on each function. [`crate::Real`] lifts each of them to dual numbers.

/// `2 / √π`, the derivative scale of `erf`.
pub const TWO_OVER_SQRT_PI: f64 = std::f64::consts::FRAC_2_SQRT_PI;
/// `ln √(2π)`.
pub const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;
/// `ln 2`.
pub const LN_2: f64 = std::f64::consts::LN_2;
/// `ln π`.
pub const LN_PI: f64 = 1.144_729_885_849_400_2;

/// `ln Γ(x)` for `x > 0` (statrs, Lanczos approximation; relative error below 1e-14 away from
/// the roots at 1 and 2).
pub fn lgamma(x: f64) -> f64 {
    statrs::function::gamma::ln_gamma(x)
}

/// Digamma `ψ(x)` (statrs).
pub fn digamma(x: f64) -> f64 {
    statrs::function::gamma::digamma(x)
}

/// Trigamma `ψ'(x)` for `x > 0`: recurrence up to `x ≥ 6`, then the asymptotic series.
pub fn trigamma(x: f64) -> f64 {
    if x <= 0.0 && x == x.floor() {
        return f64::NAN;
    }
    if x < 0.0 {
        // Reflection: ψ'(1 − x) + ψ'(x) = π² / sin²(πx).
        let s = (std::f64::consts::PI * x).sin();
        return -trigamma(1.0 - x) + std::f64::consts::PI.powi(2) / (s * s);
    }
    let mut x = x;
    let mut acc = 0.0;
    while x < 6.0 {
        acc += 1.0 / (x * x);
        x += 1.0;
    }
    let inv = 1.0 / x;
    let inv2 = inv * inv;
    acc + inv
        + 0.5 * inv2
        + inv
            * inv2
            * (1.0 / 6.0
                - inv2
                    * (1.0 / 30.0 - inv2 * (1.0 / 42.0 - inv2 * (1.0 / 30.0 - inv2 * 5.0 / 66.0))))
}

/// Error function (statrs).
pub fn erf(x: f64) -> f64 {
    statrs::function::erf::erf(x)
}

/// Complementary error function `1 − erf(x)` (statrs), accurate in the upper tail.
pub fn erfc(x: f64) -> f64 {
    statrs::function::erf::erfc(x)
}

/// Standard normal density `φ(x)`.
pub fn std_normal_pdf(x: f64) -> f64 {
    (-0.5 * x * x - LN_SQRT_2PI).exp()
}

/// `ln φ(x)`.
pub fn std_normal_log_pdf(x: f64) -> f64 {
    -0.5 * x * x - LN_SQRT_2PI
}

/// Standard normal cdf `Φ(x) = erfc(−x/√2) / 2`.
pub fn std_normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x * std::f64::consts::FRAC_1_SQRT_2)
}

/// `ln Φ(x)`: `ln(erfc(−x/√2)/2)` while that is representable, then the asymptotic expansion
/// `ln φ(x) − ln(−x) + ln(1 − 1/x² + 3/x⁴ − 15/x⁶)` for `x < −37`.
pub fn std_normal_log_cdf(x: f64) -> f64 {
    if x > 5.0 {
        // Φ(x) close to 1: ln(1 − Φ(−x)).
        return (-std_normal_cdf(-x)).ln_1p();
    }
    if x > -37.0 {
        return std_normal_cdf(x).ln();
    }
    let inv2 = 1.0 / (x * x);
    std_normal_log_pdf(x) - (-x).ln()
        + (1.0 - inv2 + 3.0 * inv2 * inv2 - 15.0 * inv2 * inv2 * inv2).ln()
}

/// `ln(1 + eˣ)` (softplus), stable for large `|x|`.
pub fn log1p_exp(x: f64) -> f64 {
    if x > 0.0 {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    }
}

/// Logistic sigmoid `1 / (1 + e^−x)`, stable for large `|x|`.
pub fn inv_logit(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// `ln inv_logit(x) = −ln(1 + e^−x)`.
pub fn log_inv_logit(x: f64) -> f64 {
    -log1p_exp(-x)
}

/// `ln(1 − inv_logit(x)) = −ln(1 + eˣ)`.
pub fn log1m_inv_logit(x: f64) -> f64 {
    -log1p_exp(x)
}

/// `logit(p) = ln(p / (1 − p))`.
pub fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

/// `ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b)`.
pub fn lbeta(a: f64, b: f64) -> f64 {
    lgamma(a) + lgamma(b) - lgamma(a + b)
}

/// `ln (n choose k) = −ln(n + 1) − ln B(n − k + 1, k + 1)`.
pub fn lchoose(n: f64, k: f64) -> f64 {
    -(n + 1.0).ln() - lbeta(n - k + 1.0, k + 1.0)
}
