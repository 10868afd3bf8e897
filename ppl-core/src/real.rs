//! The scalar trait `Real`, implemented by `f64` and by [`Dual`](crate::Dual), so that one generic log-density serves both plain evaluation and gradients.
//!
//! Every elementary and special function is defined once here through [`Real::chain`]: the
//! function's value and derivative are computed in `f64` (see [`crate::special`]), and the dual
//! number applies the chain rule to its lanes. Comparisons (`<`, `==`) look at the value only,
//! never at the tangents: branches in a model behave the same for `f64` and for duals.

use std::fmt::{Debug, Display};
use std::iter::Sum;
use std::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use crate::special;
use crate::vector::Vector;

/// A real scalar that a log-density can be written against: `f64` or a dual number.
///
/// Arithmetic with `f64` on the right (`x * 2.0`, `x - y_data`) never promotes the `f64` to a
/// dual. Comparisons look at the value only.
pub trait Real:
    Copy
    + Debug
    + Display
    + Default
    + PartialEq
    + PartialOrd
    + PartialEq<f64>
    + PartialOrd<f64>
    + Send
    + Sync
    + 'static
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + Add<f64, Output = Self>
    + Sub<f64, Output = Self>
    + Mul<f64, Output = Self>
    + Div<f64, Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
    + AddAssign<f64>
    + SubAssign<f64>
    + MulAssign<f64>
    + DivAssign<f64>
    + Sum
    + From<f64>
{
    /// A constant: the value with all tangents zero.
    fn constant(value: f64) -> Self;

    /// The value (the real part of a dual number).
    fn value(&self) -> f64;

    /// `f(self)` for a scalar function `f` whose value `f(x)` and derivative `f'(x)` at
    /// `x = self.value()` are given: the tangents are scaled by `derivative` (chain rule).
    fn chain(&self, value: f64, derivative: f64) -> Self;

    /// Whether the tangent may be non-zero (`false` for `f64`, data and constants).
    fn has_tangent(&self) -> bool;

    /// `tangent(self) += weight · tangent(source)`; the value is unchanged. Used by vectorised
    /// densities that compute their partial derivatives analytically in `f64`.
    fn add_scaled(&mut self, source: &Self, weight: f64);

    /// A zero that is about to receive many terms (`+=`, `-=`, [`Real::add_scaled`]): a
    /// model's `target`, a log-Jacobian, a density's running tangent. For `f64` and
    /// [`Dual`](crate::Dual) it is `constant(0.0)`; a [`SparseDual`](crate::SparseDual)
    /// accumulator is updated in place, so it must not be copied while terms are still being
    /// added (return it, or `acc + value`, when done).
    #[inline]
    fn accumulator() -> Self {
        Self::constant(0.0)
    }

    /// A scalar with value `value` whose tangent is `Σ partial_i · tangent(arg_i)`.
    #[inline]
    fn from_partials(value: f64, partials: &[(&Self, f64)]) -> Self {
        let mut out = Self::accumulator();
        for (arg, partial) in partials {
            out.add_scaled(arg, *partial);
        }
        out + value
    }

    /// `e^x`.
    #[inline]
    fn exp(self) -> Self {
        let e = self.value().exp();
        self.chain(e, e)
    }
    /// Natural logarithm.
    #[inline]
    fn ln(self) -> Self {
        let x = self.value();
        self.chain(x.ln(), 1.0 / x)
    }
    /// `ln(1 + x)`, accurate for small `x`.
    #[inline]
    fn ln_1p(self) -> Self {
        let x = self.value();
        self.chain(x.ln_1p(), 1.0 / (1.0 + x))
    }
    /// `e^x - 1`, accurate for small `x`.
    #[inline]
    fn exp_m1(self) -> Self {
        let x = self.value();
        self.chain(x.exp_m1(), x.exp())
    }
    /// Square root.
    #[inline]
    fn sqrt(self) -> Self {
        let s = self.value().sqrt();
        self.chain(s, 0.5 / s)
    }
    /// `x²`.
    #[inline]
    fn square(self) -> Self {
        self * self
    }
    /// Absolute value (derivative `sign(x)`, 0 at 0).
    #[inline]
    fn abs(self) -> Self {
        let x = self.value();
        let sign = if x > 0.0 {
            1.0
        } else if x < 0.0 {
            -1.0
        } else {
            0.0
        };
        self.chain(x.abs(), sign)
    }
    /// `x^n` for an integer power.
    #[inline]
    fn powi(self, n: i32) -> Self {
        let x = self.value();
        let derivative = if n == 0 {
            0.0
        } else {
            f64::from(n) * x.powi(n - 1)
        };
        self.chain(x.powi(n), derivative)
    }
    /// `x^p` for a real power that is itself a scalar: `∂/∂x = p x^(p-1)`, `∂/∂p = x^p ln x`.
    #[inline]
    fn powf(self, p: Self) -> Self {
        let x = self.value();
        let pv = p.value();
        let value = x.powf(pv);
        let d_x = if pv == 0.0 {
            0.0
        } else {
            pv * x.powf(pv - 1.0)
        };
        let d_p = if value == 0.0 { 0.0 } else { value * x.ln() };
        Self::from_partials(value, &[(&self, d_x), (&p, d_p)])
    }
    /// `x^p` for a constant real power.
    #[inline]
    fn powf_const(self, p: f64) -> Self {
        let x = self.value();
        let derivative = if p == 0.0 { 0.0 } else { p * x.powf(p - 1.0) };
        self.chain(x.powf(p), derivative)
    }
    /// Sine.
    #[inline]
    fn sin(self) -> Self {
        let x = self.value();
        self.chain(x.sin(), x.cos())
    }
    /// Cosine.
    #[inline]
    fn cos(self) -> Self {
        let x = self.value();
        self.chain(x.cos(), -x.sin())
    }
    /// Hyperbolic tangent.
    #[inline]
    fn tanh(self) -> Self {
        let t = self.value().tanh();
        self.chain(t, 1.0 - t * t)
    }
    /// `ln(1 + e^x)` (softplus), stable for large `|x|`.
    #[inline]
    fn log1p_exp(self) -> Self {
        let x = self.value();
        self.chain(special::log1p_exp(x), special::inv_logit(x))
    }
    /// `1 / (1 + e^-x)`.
    #[inline]
    fn inv_logit(self) -> Self {
        let p = special::inv_logit(self.value());
        self.chain(p, p * (1.0 - p))
    }
    /// `ln(inv_logit(x))`, stable for large `|x|`.
    #[inline]
    fn log_inv_logit(self) -> Self {
        let x = self.value();
        self.chain(special::log_inv_logit(x), special::inv_logit(-x))
    }
    /// `ln(1 - inv_logit(x))`, stable for large `|x|`.
    #[inline]
    fn log1m_inv_logit(self) -> Self {
        let x = self.value();
        self.chain(special::log1m_inv_logit(x), -special::inv_logit(x))
    }
    /// `ln(1 − x)` (Stan's `log1m`), accurate for small `|x|`; derivative `−1/(1 − x)`.
    ///
    /// `−∞` at 1, NaN for `x > 1` (where Stan throws). See [`special::log1m`].
    ///
    /// ```
    /// use ppl_core::Real;
    /// assert!((Real::log1m(0.5_f64) + 2f64.ln()).abs() < 1e-15);
    /// ```
    #[inline]
    fn log1m(self) -> Self {
        let x = self.value();
        self.chain(special::log1m(x), -1.0 / (1.0 - x))
    }
    /// `ln(1 − eˣ)` for `x < 0` (Stan's `log1m_exp`), stable near 0 and far below it;
    /// derivative `−1/(e^−x − 1)`.
    ///
    /// `−∞` at 0, NaN for `x > 0` (as Stan). See [`special::log1m_exp`].
    ///
    /// ```
    /// use ppl_core::Real;
    /// // ln(1 − e^−1e-10) = −23.025850929990458 (mpmath).
    /// assert!((Real::log1m_exp(-1e-10_f64) + 23.025_850_929_990_458).abs() < 1e-13);
    /// ```
    #[inline]
    fn log1m_exp(self) -> Self {
        let x = self.value();
        self.chain(special::log1m_exp(x), special::log1m_exp_derivative(x))
    }
    /// `logit(p) = ln(p / (1 − p))` (Stan's `logit`); derivative `1/(p (1 − p))`.
    ///
    /// `±∞` at 1 and 0, NaN outside `[0, 1]`. See [`special::logit`].
    ///
    /// ```
    /// use ppl_core::Real;
    /// assert!((Real::logit(0.75_f64) - 3f64.ln()).abs() < 1e-15);
    /// ```
    #[inline]
    fn logit(self) -> Self {
        let p = self.value();
        self.chain(special::logit(p), 1.0 / (p * (1.0 - p)))
    }
    /// `ln Γ(x)`.
    fn lgamma(self) -> Self {
        let x = self.value();
        self.chain(special::lgamma(x), special::digamma(x))
    }
    /// `ψ(x) = d/dx ln Γ(x)`.
    fn digamma(self) -> Self {
        let x = self.value();
        self.chain(special::digamma(x), special::trigamma(x))
    }
    /// Error function.
    fn erf(self) -> Self {
        let x = self.value();
        self.chain(special::erf(x), special::TWO_OVER_SQRT_PI * (-x * x).exp())
    }
    /// Complementary error function.
    fn erfc(self) -> Self {
        let x = self.value();
        self.chain(
            special::erfc(x),
            -special::TWO_OVER_SQRT_PI * (-x * x).exp(),
        )
    }
    /// Standard normal cdf `Φ(x)`.
    fn std_normal_cdf(self) -> Self {
        let x = self.value();
        self.chain(special::std_normal_cdf(x), special::std_normal_pdf(x))
    }
    /// `ln Φ(x)`, accurate far into the lower tail.
    fn std_normal_log_cdf(self) -> Self {
        let x = self.value();
        let log_cdf = special::std_normal_log_cdf(x);
        self.chain(log_cdf, (special::std_normal_log_pdf(x) - log_cdf).exp())
    }
    /// `ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b)`.
    fn lbeta(self, b: Self) -> Self {
        let (av, bv) = (self.value(), b.value());
        let d_ab = special::digamma(av + bv);
        Self::from_partials(
            special::lbeta(av, bv),
            &[
                (&self, special::digamma(av) - d_ab),
                (&b, special::digamma(bv) - d_ab),
            ],
        )
    }
    /// `ln (n choose k)` for real `n ≥ k ≥ 0`.
    fn lchoose(self, k: Self) -> Self {
        let (nv, kv) = (self.value(), k.value());
        let d_n = special::digamma(nv + 1.0) - special::digamma(nv - kv + 1.0);
        let d_k = special::digamma(nv - kv + 1.0) - special::digamma(kv + 1.0);
        Self::from_partials(special::lchoose(nv, kv), &[(&self, d_n), (&k, d_k)])
    }
    /// The larger of two scalars (by value).
    #[inline]
    fn max(self, other: Self) -> Self {
        if other.value() > self.value() {
            other
        } else {
            self
        }
    }
    /// The smaller of two scalars (by value).
    #[inline]
    fn min(self, other: Self) -> Self {
        if other.value() < self.value() {
            other
        } else {
            self
        }
    }
    /// Whether the value is finite (tangents are not looked at).
    #[inline]
    fn is_finite(&self) -> bool {
        self.value().is_finite()
    }
}

/// `tangent(out) += weight · tangent(source)` where `source` may be data (`f64`, no tangent) or
/// the same scalar type as `out` (a density argument mixing data and parameters).
#[inline]
pub(crate) fn add_scaled_from<T: Real, S: Real>(out: &mut T, source: &S, weight: f64) {
    if !source.has_tangent() {
        return;
    }
    match (source as &dyn std::any::Any).downcast_ref::<T>() {
        Some(source) => out.add_scaled(source, weight),
        None => debug_assert!(false, "a tangent of another scalar type was ignored"),
    }
}

/// `ln Σ exp(x_i)` over a slice, stable, with partials `softmax(x)` computed once.
///
/// Returns `-∞` for an empty slice.
pub fn log_sum_exp<T: Real>(xs: &[T]) -> T {
    let max = xs.iter().map(Real::value).fold(f64::NEG_INFINITY, f64::max);
    if !max.is_finite() {
        return T::constant(max);
    }
    let sum: f64 = xs.iter().map(|x| (x.value() - max).exp()).sum();
    let value = max + sum.ln();
    let mut out = T::accumulator();
    for x in xs {
        out.add_scaled(x, (x.value() - value).exp());
    }
    out + value
}

/// `ln(e^a + e^b)` for two scalars.
pub fn log_sum_exp2<T: Real>(a: T, b: T) -> T {
    log_sum_exp(&[a, b])
}

/// Stan's `log_mix(theta, lp1, lp2) = ln(theta·e^lp1 + (1 − theta)·e^lp2)`.
pub fn log_mix<T: Real>(theta: T, lp1: T, lp2: T) -> T {
    log_sum_exp(&[theta.ln() + lp1, (-theta).ln_1p() + lp2])
}

/// `ln(eᵃ − eᵇ)` for `a ≥ b` (Stan's `log_diff_exp`), stable for any `a − b`; partials
/// `∂/∂a = 1/(1 − e^(b−a))`, `∂/∂b = −1/(e^(a−b) − 1)`, computed once and applied with
/// [`Real::from_partials`].
///
/// Stan's conventions: `−∞` when `a == b`, `a` when `b = −∞` (partials 1 and 0), NaN when
/// `a < b` or `a = b = +∞`. See [`special::log_diff_exp`] for the method.
///
/// ```
/// // ln(e^2 − e^−1) = 1.9489308190572985 (mpmath).
/// let value = ppl_core::log_diff_exp(2.0, -1.0);
/// assert!((value - 1.948_930_819_057_298_5).abs() < 1e-15);
/// ```
pub fn log_diff_exp<T: Real>(a: T, b: T) -> T {
    let (av, bv) = (a.value(), b.value());
    let value = special::log_diff_exp(av, bv);
    if !(a.has_tangent() || b.has_tangent()) {
        return T::constant(value);
    }
    let (d_a, d_b) = special::log_diff_exp_partials(av, bv);
    T::from_partials(value, &[(&a, d_a), (&b, d_b)])
}

/// `ln(inv_logit(a) − inv_logit(b))` for `a > b` (Stan's `log_inv_logit_diff`), stable in
/// both tails and for `a − b` small; partials `∂/∂a = inv_logit(−a) + 1/(e^(a−b) − 1)`,
/// `∂/∂b = −1/(e^(a−b) − 1) − inv_logit(b)`, computed once.
///
/// `−∞` when `a == b`, NaN when `a < b` (as Stan). See [`special::log_inv_logit_diff`].
///
/// ```
/// // ln(inv_logit(1) − inv_logit(−1)) = −0.7719368329053047 (mpmath).
/// let value = ppl_core::log_inv_logit_diff(1.0, -1.0);
/// assert!((value + 0.771_936_832_905_304_7).abs() < 1e-15);
/// ```
pub fn log_inv_logit_diff<T: Real>(a: T, b: T) -> T {
    let (av, bv) = (a.value(), b.value());
    let value = special::log_inv_logit_diff(av, bv);
    if !(a.has_tangent() || b.has_tangent()) {
        return T::constant(value);
    }
    let (d_a, d_b) = special::log_inv_logit_diff_partials(av, bv);
    T::from_partials(value, &[(&a, d_a), (&b, d_b)])
}

/// `softmax(x)_i = e^(x_i) / Σ_j e^(x_j)` (Stan's `softmax`), computed stably with the
/// maximum subtracted.
///
/// The Jacobian `∂s_i/∂x_j = s_i (δ_ij − s_j)` is applied in `O(n)` dual operations, not
/// `O(n²)`: `tangent(s_i) = s_i (tangent(x_i) − Σ_j s_j tangent(x_j))`, with the sum formed
/// once.
///
/// An empty `x` gives an empty vector (Stan rejects size 0; here the result is simply
/// empty, as for [`log_sum_exp`], which returns `−∞`).
///
/// ```
/// // scipy.special.softmax([1, -2, 0.5, 3]) (scipy 1.17).
/// let s = ppl_core::softmax(&[1.0, -2.0, 0.5, 3.0]);
/// assert!((s[3] - 0.816_887_863_370_065_7).abs() < 1e-15);
/// ```
pub fn softmax<T: Real>(x: &[T]) -> Vector<T> {
    let (probabilities, _, weighted) = softmax_parts(x);
    match weighted {
        None => probabilities.into_iter().map(T::constant).collect(),
        Some(weighted) => x
            .iter()
            .zip(&probabilities)
            .map(|(v, &p)| T::from_partials(p, &[(v, p), (&weighted, -p)]))
            .collect(),
    }
}

/// The pieces shared by [`softmax`] and [`log_softmax`], in `f64`: the
/// probabilities `s_i`, the shifted logarithms `(x_i − max) − ln Σ_j e^(x_j − max)`, and
/// (if any element has a tangent) a scalar of value 0 whose tangent is
/// `Σ_j s_j tangent(x_j)`, formed once.
fn softmax_parts<T: Real>(x: &[T]) -> (Vec<f64>, Vec<f64>, Option<T>) {
    let max = x.iter().map(Real::value).fold(f64::NEG_INFINITY, f64::max);
    let mut probabilities: Vec<f64> = x.iter().map(|v| (v.value() - max).exp()).collect();
    let total: f64 = probabilities.iter().sum();
    let log_total = total.ln();
    for p in &mut probabilities {
        *p /= total;
    }
    let logs = x.iter().map(|v| (v.value() - max) - log_total).collect();
    let weighted = x.iter().any(Real::has_tangent).then(|| {
        let mut weighted = T::accumulator();
        for (v, &p) in x.iter().zip(&probabilities) {
            weighted.add_scaled(v, p);
        }
        weighted + 0.0
    });
    (probabilities, logs, weighted)
}

/// `log_softmax(x)_i = x_i − ln Σ_j e^(x_j)` (Stan's `log_softmax`), stable for any
/// magnitudes: the value is `(x_i − max) − ln Σ_j e^(x_j − max)` (no cancellation between
/// `x_i` and the normaliser); the tangent `tangent(x_i) − Σ_j s_j tangent(x_j)` uses the sum
/// formed once, `O(n)` dual operations in all.
///
/// An empty `x` gives an empty vector (Stan rejects size 0).
///
/// ```
/// // scipy.special.log_softmax([1000, 999, -1000]) (scipy 1.17): no overflow.
/// let l = ppl_core::log_softmax(&[1000.0, 999.0, -1000.0]);
/// assert!((l[0] + 0.313_261_687_518_222_86).abs() < 1e-15);
/// assert!((l[2] + 2_000.313_261_687_518_2).abs() < 1e-12);
/// ```
pub fn log_softmax<T: Real>(x: &[T]) -> Vector<T> {
    let (_, logs, weighted) = softmax_parts(x);
    match weighted {
        None => logs.into_iter().map(T::constant).collect(),
        Some(weighted) => x
            .iter()
            .zip(&logs)
            .map(|(v, &l)| T::from_partials(l, &[(v, 1.0), (&weighted, -1.0)]))
            .collect(),
    }
}

/// `[x_0, x_0 + x_1, …, Σ_{j≤i} x_j]` (Stan's `cumulative_sum`); empty for an empty `x`.
///
/// ```
/// let c = ppl_core::cumulative_sum(&[1.0, -2.0, 0.5, 3.0]);
/// assert_eq!(c.as_slice(), &[1.0, -1.0, -0.5, 2.5]);
/// ```
pub fn cumulative_sum<T: Real>(x: &[T]) -> Vector<T> {
    let mut running: Option<T> = None;
    x.iter()
        .map(|&v| {
            let next = running.map_or(v, |total| total + v);
            running = Some(next);
            next
        })
        .collect()
}

/// `Σ x_i` (Stan's `sum`); 0 for an empty `x`, as Stan. The tangent is accumulated in place.
///
/// ```
/// assert_eq!(ppl_core::sum(&[1.0, -2.0, 0.5, 3.0]), 2.5);
/// ```
pub fn sum<T: Real>(x: &[T]) -> T {
    let mut total = T::accumulator();
    let mut value = 0.0;
    for v in x {
        total.add_scaled(v, 1.0);
        value += v.value();
    }
    total + value
}

/// `Σ x_i²` (Stan's `dot_self`); partials `2 x_i`, applied once. 0 for an empty `x`.
///
/// ```
/// assert_eq!(ppl_core::dot_self(&[1.0, -2.0, 0.5, 3.0]), 14.25);
/// ```
pub fn dot_self<T: Real>(x: &[T]) -> T {
    let mut total = T::accumulator();
    let mut value = 0.0;
    for v in x {
        let element = v.value();
        total.add_scaled(v, 2.0 * element);
        value += element * element;
    }
    total + value
}

/// `Σ a_i b_i` (Stan's `dot_product`), with `b` of the same scalar as `a` or data (`&[f64]`,
/// `&Vec<f64>`, `&Vector<f64>`, a data scalar broadcast). Partials `b_i` and `a_i`, applied
/// once. Put the vector of parameters on the left (`dot_product(&beta, x)`): `a` sets the
/// scalar type of the result.
///
/// # Errors
/// [`crate::Error::SizeMismatch`] if `b` is a vector whose length differs from `a`'s.
///
/// ```
/// let value = ppl_core::dot_product(&[1.0, -2.0, 0.5], &vec![2.0, 1.0, 4.0])?;
/// assert_eq!(value, 2.0);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn dot_product<T, B>(a: &[T], b: B) -> crate::Result<T>
where
    T: Real + Mul<B::Scalar, Output = T>,
    B: Operand,
{
    let n = broadcast_len("dot_product", &[("a", Some(a.len())), ("b", b.size())])?;
    let mut total = T::accumulator();
    let mut value = 0.0;
    for (i, left) in a.iter().enumerate().take(n) {
        let right = b.value_at(i);
        value += left.value() * right;
        total.add_scaled(left, right);
        add_scaled_from(&mut total, b.at(i), left.value());
    }
    Ok(total + value)
}

/// `Σ x_i / n` (Stan's `mean`).
///
/// NaN for an empty `x`, where Stan throws: like [`log_sum_exp`] (`−∞` for an empty slice),
/// the slice functions return a value, so that they compose in arithmetic; a NaN log density
/// is rejected by the samplers.
///
/// ```
/// assert_eq!(ppl_core::mean(&[1.0, -2.0, 0.5, 3.0]), 0.625);
/// assert!(ppl_core::mean::<f64>(&[]).is_nan());
/// ```
pub fn mean<T: Real>(x: &[T]) -> T {
    sum(x) / x.len() as f64
}

/// The sample variance `Σ (x_i − x̄)² / (n − 1)` (Stan's `variance`, `n − 1` in the
/// denominator), computed in two passes (the mean first), so a large common offset does not
/// cancel; partials `2 (x_i − x̄)/(n − 1)`, applied once. 0 for one element, as Stan.
///
/// NaN for an empty `x`, where Stan throws (see [`mean`]).
///
/// ```
/// // numpy.var([1, -2, 0.5, 3], ddof=1) (numpy 2.4).
/// let value = ppl_core::variance(&[1.0, -2.0, 0.5, 3.0]);
/// assert!((value - 4.229_166_666_666_667).abs() < 1e-15);
/// ```
pub fn variance<T: Real>(x: &[T]) -> T {
    let (value, deviations) = variance_parts(x);
    apply_deviations(x, &deviations, value, 2.0)
}

/// The sample standard deviation `√variance(x)` (Stan's `sd`, `n − 1` in the denominator);
/// partials `(x_i − x̄)/((n − 1) sd)`, applied once. 0 for one element, as Stan; where all
/// elements are equal (`sd = 0`, not differentiable) the partials are 0.
///
/// NaN for an empty `x`, where Stan throws (see [`mean`]).
///
/// ```
/// // numpy.std([1, -2, 0.5, 3], ddof=1) (numpy 2.4).
/// let value = ppl_core::sd(&[1.0, -2.0, 0.5, 3.0]);
/// assert!((value - 2.056_493_779_875_511).abs() < 1e-15);
/// ```
pub fn sd<T: Real>(x: &[T]) -> T {
    let (variance, deviations) = variance_parts(x);
    let value = variance.sqrt();
    let scale = if value > 0.0 { 1.0 / value } else { 0.0 };
    apply_deviations(x, &deviations, value, scale)
}

/// The sample variance in `f64` and the deviations `(x_i − x̄)/(n − 1)`: NaN and none for
/// `n = 0`, 0 and none for `n = 1`.
fn variance_parts<T: Real>(x: &[T]) -> (f64, Vec<f64>) {
    match x.len() {
        0 => return (f64::NAN, Vec::new()),
        1 => return (0.0, Vec::new()),
        _ => {}
    }
    let n = x.len() as f64;
    let mean = x.iter().map(Real::value).sum::<f64>() / n;
    let deviations: Vec<f64> = x.iter().map(|v| (v.value() - mean) / (n - 1.0)).collect();
    let variance = x
        .iter()
        .zip(&deviations)
        .map(|(v, d)| (v.value() - mean) * d)
        .sum();
    (variance, deviations)
}

/// `value` with tangent `Σ scale · deviation_i · tangent(x_i)`.
fn apply_deviations<T: Real>(x: &[T], deviations: &[f64], value: f64, scale: f64) -> T {
    let mut out = T::accumulator();
    if x.iter().any(Real::has_tangent) {
        for (v, d) in x.iter().zip(deviations) {
            out.add_scaled(v, scale * d);
        }
    }
    out + value
}

impl Real for f64 {
    #[inline]
    fn constant(value: f64) -> Self {
        value
    }
    #[inline]
    fn value(&self) -> f64 {
        *self
    }
    #[inline]
    fn chain(&self, value: f64, _derivative: f64) -> Self {
        value
    }
    #[inline]
    fn has_tangent(&self) -> bool {
        false
    }
    #[inline]
    fn add_scaled(&mut self, _source: &Self, _weight: f64) {}
    #[inline]
    fn from_partials(value: f64, _partials: &[(&Self, f64)]) -> Self {
        value
    }
    #[inline]
    fn exp(self) -> Self {
        f64::exp(self)
    }
    #[inline]
    fn ln(self) -> Self {
        f64::ln(self)
    }
    #[inline]
    fn sqrt(self) -> Self {
        f64::sqrt(self)
    }
    #[inline]
    fn powi(self, n: i32) -> Self {
        f64::powi(self, n)
    }
    #[inline]
    fn powf(self, p: Self) -> Self {
        f64::powf(self, p)
    }
}

/// An argument of a vectorised density: a scalar (broadcast to every element) or a slice.
///
/// Implemented for any [`Real`] scalar, `&[T]`, `&Vec<T>`, `&[T; K]`, `&Vector<T>`,
/// `&Matrix<T>` and the lazy [`crate::Affine`]. Data (`f64`) and parameters (duals) can be
/// mixed freely in one call: data contributes no tangent.
///
/// A density reads element values with [`Operand::value_at`], computes `∂lp/∂arg_i` in `f64`,
/// and hands each one to the argument's [`PartialSink`] ([`Operand::partials`]), which applies
/// it to the tangents: element by element for a slice, summed and applied once for a scalar,
/// summed per group for an [`crate::Affine`].
pub trait Operand {
    /// The scalar type of the elements.
    type Scalar: Real;
    /// Where a density's partials with respect to this argument go.
    type Partials<'s>: PartialSink
    where
        Self: 's;
    /// Whether the argument is known to be data: `true` only for [`crate::Data`]. The
    /// unnormalised densities (`_lupdf`) drop the terms whose arguments are all data.
    const IS_DATA: bool = false;
    /// `None` for a scalar, `Some(n)` for a vector of `n` elements.
    fn size(&self) -> Option<usize>;
    /// Element `i` (a scalar ignores `i`).
    ///
    /// Densities read values with [`Operand::value_at`] and route partials through
    /// [`Operand::partials`]; `at` is for code that needs the element as a scalar. A lazy
    /// operand such as [`crate::Affine`] builds its elements on the first call.
    fn at(&self, i: usize) -> &Self::Scalar;
    /// An empty accumulator for `∂lp/∂arg_i`; see [`PartialSink`].
    fn partials(&self) -> Self::Partials<'_>;

    /// The value of element `i`.
    #[inline]
    fn value_at(&self, i: usize) -> f64 {
        self.at(i).value()
    }

    /// Whether [`Operand::prefers_visit`] can be `true` for this type (a density compiles its
    /// visiting loop only then): `true` for [`crate::Affine`].
    const MAY_VISIT: bool = false;

    /// Whether a density should drive its loop through [`Operand::visit`] rather than read
    /// [`Operand::value_at`]: `true` for a gathered [`crate::Affine`] and for one with a
    /// scalar offset and scale, which then form their values and route their partials to
    /// their sums in the density's own loop.
    #[inline]
    fn prefers_visit(&self) -> bool {
        false
    }

    /// Runs a density's loop over elements `i = 0, 1, …, n − 1` of this argument, in order (`n`
    /// is the density's common length, which is this argument's length if it is a vector):
    /// `element(out, i, value_i)` returns `∂lp/∂arg_i`, which goes to `sink` (as
    /// [`PartialSink::add`]; no sink: the argument has no tangent and the partials are
    /// dropped). A lazy argument
    /// ([`crate::Affine`]) overrides it to form each value as the loop reaches it and to
    /// route each partial in the same loop: one pass over the observations instead of three.
    #[inline(always)]
    fn visit<'s, T: Real>(
        &'s self,
        n: usize,
        sink: Option<&mut Self::Partials<'s>>,
        out: &mut T,
        element: impl FnMut(&mut T, usize, f64) -> f64,
    ) {
        visit_by_value(self, n, sink, out, element);
    }

    /// Whether any element carries a tangent (a parameter rather than data).
    #[inline]
    fn any_tangent(&self) -> bool {
        (0..self.size().unwrap_or(1)).any(|i| self.at(i).has_tangent())
    }
}

/// [`Operand::visit`]'s loop for an argument read element by element: `element` gets each
/// [`Operand::value_at`], and its partial goes to `sink` (none: dropped). The default
/// `visit`, and the fallback of a lazy argument for the shapes it does not specialise.
#[inline(always)]
pub(crate) fn visit_by_value<'s, O: Operand + ?Sized, T: Real>(
    operand: &'s O,
    n: usize,
    sink: Option<&mut O::Partials<'s>>,
    out: &mut T,
    mut element: impl FnMut(&mut T, usize, f64) -> f64,
) {
    match sink {
        Some(sink) => {
            for i in 0..n {
                let partial = element(out, i, operand.value_at(i));
                sink.add(out, i, partial);
            }
        }
        None => {
            for i in 0..n {
                element(out, i, operand.value_at(i));
            }
        }
    }
}

/// Receives a density's partials `∂lp/∂arg_i` for one argument and applies them to the
/// tangents: [`PartialSink::add`] for each element (in any order, any number of times), then
/// [`PartialSink::finish`] once. Held by value in the density, so it keeps its running sums in
/// registers.
pub trait PartialSink {
    /// Takes `partial = ∂lp/∂arg_i` for element `i` (a scalar argument ignores `i`).
    fn add<T: Real>(&mut self, out: &mut T, i: usize, partial: f64);
    /// Applies whatever was summed to `out`.
    fn finish<T: Real>(self, out: &mut T);
}

/// The [`PartialSink`] of a scalar or a slice: a vector element's partial goes straight to its
/// tangent (`out += partial · tangent(arg_i)`); a scalar's partials are summed and applied once.
pub struct DirectPartials<'s, O: Operand + ?Sized> {
    operand: &'s O,
    scalar: bool,
    sum: f64,
}

impl<'s, O: Operand + ?Sized> DirectPartials<'s, O> {
    /// An empty accumulator for `operand`.
    #[inline]
    pub fn new(operand: &'s O) -> Self {
        DirectPartials {
            scalar: operand.size().is_none(),
            operand,
            sum: 0.0,
        }
    }
}

impl<O: Operand + ?Sized> PartialSink for DirectPartials<'_, O> {
    #[inline]
    fn add<T: Real>(&mut self, out: &mut T, i: usize, partial: f64) {
        if self.scalar {
            self.sum += partial;
        } else {
            add_scaled_from(out, self.operand.at(i), partial);
        }
    }
    #[inline]
    fn finish<T: Real>(self, out: &mut T) {
        if self.scalar {
            add_scaled_from(out, self.operand.at(0), self.sum);
        }
    }
}

impl<T: Real> Operand for T {
    type Scalar = T;
    type Partials<'s>
        = DirectPartials<'s, Self>
    where
        Self: 's;
    #[inline]
    fn size(&self) -> Option<usize> {
        None
    }
    #[inline]
    fn at(&self, _i: usize) -> &T {
        self
    }
    #[inline]
    fn partials(&self) -> DirectPartials<'_, Self> {
        DirectPartials::new(self)
    }
}

impl<T: Real> Operand for &[T] {
    type Scalar = T;
    type Partials<'s>
        = DirectPartials<'s, Self>
    where
        Self: 's;
    #[inline]
    fn size(&self) -> Option<usize> {
        Some(self.len())
    }
    #[inline]
    fn at(&self, i: usize) -> &T {
        &self[i]
    }
    #[inline]
    fn partials(&self) -> DirectPartials<'_, Self> {
        DirectPartials::new(self)
    }
    #[inline]
    fn any_tangent(&self) -> bool {
        // Iterating (no indexing) lets data (`f64`, never a tangent) fold to `false`.
        self.iter().any(Real::has_tangent)
    }
}

impl<T: Real> Operand for &Vec<T> {
    type Scalar = T;
    type Partials<'s>
        = DirectPartials<'s, Self>
    where
        Self: 's;
    #[inline]
    fn size(&self) -> Option<usize> {
        Some(self.len())
    }
    #[inline]
    fn at(&self, i: usize) -> &T {
        &self[i]
    }
    #[inline]
    fn partials(&self) -> DirectPartials<'_, Self> {
        DirectPartials::new(self)
    }
    #[inline]
    fn any_tangent(&self) -> bool {
        // Iterating (no indexing) lets data (`f64`, never a tangent) fold to `false`.
        self.iter().any(Real::has_tangent)
    }
}

impl<T: Real, const K: usize> Operand for &[T; K] {
    type Scalar = T;
    type Partials<'s>
        = DirectPartials<'s, Self>
    where
        Self: 's;
    #[inline]
    fn size(&self) -> Option<usize> {
        Some(K)
    }
    #[inline]
    fn at(&self, i: usize) -> &T {
        &self[i]
    }
    #[inline]
    fn partials(&self) -> DirectPartials<'_, Self> {
        DirectPartials::new(self)
    }
}

/// The common length of vectorised arguments: every vector argument must have the same length;
/// scalars broadcast. Returns 1 when all arguments are scalars.
///
/// # Errors
/// [`crate::Error::SizeMismatch`] naming the first argument whose length differs.
#[inline]
pub fn broadcast_len(
    function: &'static str,
    sizes: &[(&'static str, Option<usize>)],
) -> crate::Result<usize> {
    // Inlined into every density call (a handful of comparisons that fold for scalar
    // arguments); the error is built out of line.
    let mut common: Option<usize> = None;
    for (name, size) in sizes {
        if let Some(n) = *size {
            match common {
                None => common = Some(n),
                Some(m) if m != n => return Err(size_mismatch_error(function, name, n, m)),
                _ => {}
            }
        }
    }
    Ok(common.unwrap_or(1))
}

#[cold]
#[inline(never)]
fn size_mismatch_error(
    function: &'static str,
    name: &'static str,
    n: usize,
    m: usize,
) -> crate::Error {
    crate::Error::size_mismatch(function, name, n, m)
}

/// An integer argument of a vectorised mass function (the variate of a discrete family, or
/// binomial trials): `i64`, `&[i64]` or `&Vec<i64>`. Integer data in ppl are `i64`, as Stan's
/// `int`.
pub trait IntOperand {
    /// `None` for a scalar, `Some(n)` for a vector of `n` elements.
    fn size(&self) -> Option<usize>;
    /// Element `i` (a scalar ignores `i`).
    fn at(&self, i: usize) -> i64;
}

impl IntOperand for i64 {
    #[inline]
    fn size(&self) -> Option<usize> {
        None
    }
    #[inline]
    fn at(&self, _i: usize) -> i64 {
        *self
    }
}

impl IntOperand for &[i64] {
    #[inline]
    fn size(&self) -> Option<usize> {
        Some(self.len())
    }
    #[inline]
    fn at(&self, i: usize) -> i64 {
        self[i]
    }
}

impl IntOperand for &Vec<i64> {
    #[inline]
    fn size(&self) -> Option<usize> {
        Some(self.len())
    }
    #[inline]
    fn at(&self, i: usize) -> i64 {
        self[i]
    }
}
