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
