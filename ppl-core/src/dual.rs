//! The multi-lane forward-mode dual number `Dual<N>`: a value plus `N` partial derivatives, with a flag that skips all lane work while the tangent is zero.

use std::fmt;
use std::iter::Sum;
use std::ops::{AddAssign, DivAssign, MulAssign, SubAssign};

use crate::real::Real;

/// A dual number with `N` tangent lanes: `value + Σ_k tangent[k]·ε_k`.
///
/// One evaluation of a log-density with `Dual<N>` inputs yields the value and `N` directional
/// derivatives. The gradient driver ([`crate::gradient_chunked`]) covers a dimension `d` in
/// `ceil(d / N)` chunks.
///
/// **Zero-tangent skipping.** A dual whose tangent is known to be zero (a constant, or a
/// parameter outside the current chunk) is *inactive*: arithmetic between inactive duals costs
/// the same as `f64` arithmetic. In a hierarchical model most parameters are outside any one
/// chunk, so most of each pass runs at `f64` speed.
///
/// **Cost of an operation.** One branch (is any operand active?), then every lane computed
/// without further branches: an inactive operand's lanes are all zero, so a binary operation
/// with one active operand runs the same code as with two (`docs/ad.md`, "Cost of a dual
/// operation", has the measurements behind this choice).
///
/// Comparisons (`<`, `==`) look at the value only.
#[derive(Clone, Copy)]
pub struct Dual<const N: usize> {
    value: f64,
    tangent: [f64; N],
    active: bool,
}

impl<const N: usize> Dual<N> {
    /// A constant (inactive) dual.
    #[inline]
    pub const fn new_constant(value: f64) -> Self {
        Dual {
            value,
            tangent: [0.0; N],
            active: false,
        }
    }

    /// A variable with a unit tangent in `lane` (`lane < N`).
    #[inline]
    pub fn variable(value: f64, lane: usize) -> Self {
        let mut tangent = [0.0; N];
        tangent[lane] = 1.0;
        Dual {
            value,
            tangent,
            active: true,
        }
    }

    /// A dual with explicit tangents.
    #[inline]
    pub fn with_tangent(value: f64, tangent: [f64; N]) -> Self {
        Dual {
            value,
            tangent,
            active: true,
        }
    }

    /// Replaces the value, keeping the tangent.
    #[inline]
    pub(crate) fn set_value(&mut self, value: f64) {
        self.value = value;
    }

    /// Makes a constant the variable of `lane` (unit tangent there); [`Dual::unseed`] undoes it.
    #[inline]
    pub(crate) fn seed(&mut self, lane: usize) {
        self.tangent[lane] = 1.0;
        self.active = true;
    }

    /// Makes the variable of `lane` a constant again.
    #[inline]
    pub(crate) fn unseed(&mut self, lane: usize) {
        self.tangent[lane] = 0.0;
        self.active = false;
    }

    /// The tangent lanes (all `N`, zeros included).
    #[inline]
    pub fn lanes(&self) -> &[f64; N] {
        &self.tangent
    }

    /// Whether the tangent may be non-zero.
    #[inline]
    pub fn is_active(&self) -> bool {
        self.active
    }

    /// `value` with tangent `factor·t_source` (a constant if `source` is inactive).
    #[inline(always)]
    fn scaled(value: f64, source: &Self, factor: f64) -> Self {
        if !source.active {
            return Self::new_constant(value);
        }
        let mut tangent = source.tangent;
        for t in tangent.iter_mut() {
            *t *= factor;
        }
        Dual {
            value,
            tangent,
            active: true,
        }
    }

    /// `value` with tangent `a·ta + b·tb` (a constant if both operands are inactive).
    #[inline(always)]
    fn combine(value: f64, x: &Self, a: f64, y: &Self, b: f64) -> Self {
        if !(x.active | y.active) {
            return Self::new_constant(value);
        }
        // An inactive operand's lanes are 0, so its factor only has to be zeroed when it is not
        // finite (0·∞ would be NaN); for the constant ±1 of + and − the test and the
        // multiplication fold away at compile time.
        let a = if x.active || a.is_finite() { a } else { 0.0 };
        let b = if y.active || b.is_finite() { b } else { 0.0 };
        let mut tangent = x.tangent;
        for (t, ty) in tangent.iter_mut().zip(&y.tangent) {
            *t = a * *t + b * ty;
        }
        Dual {
            value,
            tangent,
            active: x.active | y.active,
        }
    }
}

impl<const N: usize> Dual<N> {
    /// `value` with the tangent of `source`.
    #[inline]
    fn shifted(value: f64, source: &Self) -> Self {
        Dual { value, ..*source }
    }

    /// `tangent += weight·tangent(source)` in place (nothing if `source` is inactive); `weight`
    /// ±1 folds away.
    #[inline(always)]
    fn accumulate(&mut self, source: &Self, weight: f64) {
        if source.active {
            add_scaled_lanes(&mut self.tangent, &source.tangent, weight);
            self.active = true;
        }
    }
}

/// `t[k] += weight·s[k]` for every lane. On x86-64 two lanes per SSE2 instruction (part of the
/// baseline): the compiler keeps a density's running tangent in scalar registers and updates it
/// lane by lane otherwise. The operations are the same IEEE operations lane by lane, so the
/// bits are those of the scalar loop.
#[inline(always)]
fn add_scaled_lanes<const N: usize>(t: &mut [f64; N], s: &[f64; N], weight: f64) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_add_pd, _mm_loadu_pd, _mm_mul_pd, _mm_set1_pd, _mm_storeu_pd};
        let mut t_pairs = t.chunks_exact_mut(2);
        let mut s_pairs = s.chunks_exact(2);
        // SAFETY: SSE2 is part of the x86-64 baseline; each unaligned load and store covers
        // exactly one two-element chunk.
        unsafe {
            let w = _mm_set1_pd(weight);
            for (t_pair, s_pair) in (&mut t_pairs).zip(&mut s_pairs) {
                let scaled = _mm_mul_pd(w, _mm_loadu_pd(s_pair.as_ptr()));
                let sum = _mm_add_pd(_mm_loadu_pd(t_pair.as_ptr()), scaled);
                _mm_storeu_pd(t_pair.as_mut_ptr(), sum);
            }
        }
        for (t, s) in t_pairs.into_remainder().iter_mut().zip(s_pairs.remainder()) {
            *t += weight * s;
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    for (t, s) in t.iter_mut().zip(s) {
        *t += weight * s;
    }
}

impl<const N: usize> Default for Dual<N> {
    fn default() -> Self {
        Self::new_constant(0.0)
    }
}

impl<const N: usize> fmt::Debug for Dual<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.active {
            write!(f, "Dual({}, {:?})", self.value, self.tangent)
        } else {
            write!(f, "Dual({})", self.value)
        }
    }
}

crate::dual_ops::impl_dual_number_ops!(Dual, N);

impl<const N: usize> AddAssign for Dual<N> {
    #[inline(always)]
    fn add_assign(&mut self, rhs: Self) {
        self.value += rhs.value;
        self.accumulate(&rhs, 1.0);
    }
}
impl<const N: usize> SubAssign for Dual<N> {
    #[inline(always)]
    fn sub_assign(&mut self, rhs: Self) {
        self.value -= rhs.value;
        self.accumulate(&rhs, -1.0);
    }
}
impl<const N: usize> MulAssign for Dual<N> {
    #[inline(always)]
    fn mul_assign(&mut self, rhs: Self) {
        *self = *self * rhs;
    }
}
impl<const N: usize> DivAssign for Dual<N> {
    #[inline(always)]
    fn div_assign(&mut self, rhs: Self) {
        *self = *self / rhs;
    }
}
impl<const N: usize> AddAssign<f64> for Dual<N> {
    #[inline(always)]
    fn add_assign(&mut self, rhs: f64) {
        self.value += rhs;
    }
}
impl<const N: usize> SubAssign<f64> for Dual<N> {
    #[inline(always)]
    fn sub_assign(&mut self, rhs: f64) {
        self.value -= rhs;
    }
}
impl<const N: usize> MulAssign<f64> for Dual<N> {
    #[inline(always)]
    fn mul_assign(&mut self, rhs: f64) {
        *self = *self * rhs;
    }
}
impl<const N: usize> DivAssign<f64> for Dual<N> {
    #[inline(always)]
    fn div_assign(&mut self, rhs: f64) {
        *self = *self / rhs;
    }
}

impl<const N: usize> Sum for Dual<N> {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::new_constant(0.0), |acc, x| acc + x)
    }
}

impl<'a, const N: usize> Sum<&'a Dual<N>> for Dual<N> {
    fn sum<I: Iterator<Item = &'a Self>>(iter: I) -> Self {
        iter.fold(Self::new_constant(0.0), |acc, x| acc + *x)
    }
}

impl<const N: usize> Real for Dual<N> {
    #[inline]
    fn constant(value: f64) -> Self {
        Self::new_constant(value)
    }
    #[inline]
    fn value(&self) -> f64 {
        self.value
    }
    #[inline(always)]
    fn chain(&self, value: f64, derivative: f64) -> Self {
        Self::scaled(value, self, derivative)
    }
    #[inline]
    fn has_tangent(&self) -> bool {
        self.active
    }
    #[inline]
    fn square(self) -> Self {
        // Tangent 2x·t: one product per lane instead of x·t + x·t (the same bits).
        self.chain(self.value * self.value, 2.0 * self.value)
    }
    #[inline]
    fn add_scaled(&mut self, source: &Self, weight: f64) {
        if weight != 0.0 {
            self.accumulate(source, weight);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type D = Dual<4>;

    /// `add_scaled`, `+=` and `-=` give, lane by lane and bit for bit, `t + w·s`, `t + s` and
    /// `t − s`, for lane counts with and without an odd last lane (the update works on pairs).
    fn assert_tangent_updates_are_lane_by_lane<const N: usize>() {
        let t: [f64; N] = std::array::from_fn(|k| 0.1 + k as f64 * 0.37);
        let s: [f64; N] = std::array::from_fn(|k| -1.3 + k as f64 * 0.71);
        let weight = -0.6180339887;
        let mut out = Dual::<N>::with_tangent(2.0, t);
        out.add_scaled(&Dual::with_tangent(5.0, s), weight);
        let expected: [f64; N] = std::array::from_fn(|k| t[k] + weight * s[k]);
        assert_eq!(out.lanes().map(f64::to_bits), expected.map(f64::to_bits));
        assert_eq!(out.value(), 2.0);
        let mut sum = Dual::<N>::with_tangent(2.0, t);
        sum += Dual::with_tangent(5.0, s);
        let expected: [f64; N] = std::array::from_fn(|k| t[k] + s[k]);
        assert_eq!(sum.lanes().map(f64::to_bits), expected.map(f64::to_bits));
        let mut difference = Dual::<N>::with_tangent(2.0, t);
        difference -= Dual::with_tangent(5.0, s);
        let expected: [f64; N] = std::array::from_fn(|k| t[k] - s[k]);
        assert_eq!(
            difference.lanes().map(f64::to_bits),
            expected.map(f64::to_bits)
        );
    }

    #[test]
    fn tangent_updates_are_lane_by_lane_for_any_lane_count() {
        assert_tangent_updates_are_lane_by_lane::<1>();
        assert_tangent_updates_are_lane_by_lane::<2>();
        assert_tangent_updates_are_lane_by_lane::<3>();
        assert_tangent_updates_are_lane_by_lane::<8>();
        assert_tangent_updates_are_lane_by_lane::<13>();
    }

    /// The tangent each operation must give, lane by lane, written out independently of
    /// `combine` (the textbook rules), for every activity of the operands.
    #[test]
    fn binary_operations_follow_the_textbook_rules_for_every_activity() {
        let tx = [1.5, -0.25, 0.0, 3.0];
        let ty = [-2.0, 0.5, 4.0, 0.125];
        let (xv, yv) = (1.25, -0.75);
        for (x_active, y_active) in [(false, false), (true, false), (false, true), (true, true)] {
            let x = if x_active {
                D::with_tangent(xv, tx)
            } else {
                D::new_constant(xv)
            };
            let y = if y_active {
                D::with_tangent(yv, ty)
            } else {
                D::new_constant(yv)
            };
            let tx = if x_active { tx } else { [0.0; 4] };
            let ty = if y_active { ty } else { [0.0; 4] };
            let lanes =
                |f: fn(f64, f64) -> f64| -> [f64; 4] { std::array::from_fn(|k| f(tx[k], ty[k])) };
            let cases: [(D, f64, [f64; 4]); 4] = [
                (x + y, xv + yv, lanes(|a, b| a + b)),
                (x - y, xv - yv, lanes(|a, b| a - b)),
                (x * y, xv * yv, lanes(|a, b| -0.75 * a + 1.25 * b)),
                (
                    x / y,
                    xv / yv,
                    lanes(|a, b| (a * -0.75 - 1.25 * b) / (0.75 * 0.75)),
                ),
            ];
            for (k, (result, value, expected)) in cases.into_iter().enumerate() {
                assert!((result.value() - value).abs() <= 1e-15, "op {k}: value");
                for (got, want) in result.lanes().iter().zip(&expected) {
                    assert!(
                        (got - want).abs() <= 1e-14,
                        "op {k} {x_active} {y_active}: {got} vs {want}"
                    );
                }
                assert_eq!(result.is_active(), x_active || y_active, "op {k}: activity");
            }
        }
    }

    #[test]
    fn an_inactive_operand_with_an_infinite_factor_adds_no_nan() {
        // x·y with x a constant and y at ∞: x's factor ∂/∂x = y = ∞ meets x's zero lanes.
        let product = D::new_constant(3.0) * D::variable(f64::INFINITY, 1);
        assert_eq!(product.lanes(), &[0.0, 3.0, 0.0, 0.0]);
        // c / y with c a constant and y at 0: c's factor 1/y = ∞ meets c's zero lanes.
        let quotient = D::new_constant(2.0) / D::with_tangent(0.0, [1.0; 4]);
        assert_eq!(quotient.lanes(), &[f64::NEG_INFINITY; 4]);
        // The chain rule on a constant gives a constant whatever the derivative.
        let root = D::new_constant(0.0).sqrt();
        assert!(!root.is_active());
        assert_eq!(root.lanes(), &[0.0; 4]);
    }

    #[test]
    fn compound_assignment_equals_the_binary_operation() {
        let x = D::with_tangent(0.7, [1.0, -2.0, 0.5, 0.0]);
        let y = D::with_tangent(-1.3, [0.25, 0.0, 3.0, -1.0]);
        let constant = D::new_constant(2.5);
        for rhs in [y, constant] {
            for lhs in [x, constant] {
                let mut sum = lhs;
                sum += rhs;
                let mut difference = lhs;
                difference -= rhs;
                let mut product = lhs;
                product *= rhs;
                let mut quotient = lhs;
                quotient /= rhs;
                for (assigned, direct) in [
                    (sum, lhs + rhs),
                    (difference, lhs - rhs),
                    (product, lhs * rhs),
                    (quotient, lhs / rhs),
                ] {
                    assert_eq!(assigned.value(), direct.value());
                    assert_eq!(assigned.lanes(), direct.lanes());
                    assert_eq!(assigned.is_active(), direct.is_active());
                }
            }
        }
        let total: D = [x, constant, y].iter().sum();
        assert_eq!(total.value(), 0.7 + 2.5 - 1.3);
        assert_eq!(total.lanes(), &[1.25, -2.0, 3.5, -1.0]);
    }

    #[test]
    fn square_has_the_bits_of_the_product() {
        for v in [0.3, -1.7, 1e-3, 123.456, -9.87e5] {
            let x = D::with_tangent(v, [1.0, -0.1, 7.3, 1e-8]);
            let (square, product) = (x.square(), x * x);
            assert_eq!(square.value().to_bits(), product.value().to_bits());
            for (a, b) in square.lanes().iter().zip(product.lanes()) {
                assert_eq!(a.to_bits(), b.to_bits());
            }
        }
    }

    #[test]
    fn add_scaled_skips_inactive_sources_and_zero_weights() {
        let mut out = D::new_constant(1.0);
        out.add_scaled(&D::new_constant(5.0), 2.0);
        out.add_scaled(&D::variable(5.0, 2), 0.0);
        assert!(!out.is_active());
        out.add_scaled(&D::variable(5.0, 2), -1.5);
        assert!(out.is_active());
        assert_eq!(out.value(), 1.0);
        assert_eq!(out.lanes(), &[0.0, 0.0, -1.5, 0.0]);
    }
}
