//! The multi-lane forward-mode dual number `Dual<N>`: a value plus `N` partial derivatives, with a flag that skips all lane work while the tangent is zero.

use std::fmt;
use std::iter::Sum;
use std::ops::{AddAssign, DivAssign, MulAssign, SubAssign};

use crate::real::Real;

/// A dual number with `N` tangent lanes: `value + Σ_k tangent[k]·ε_k`.
///
/// One evaluation of a log-density with `Dual<N>` inputs yields the value and `N` directional
/// derivatives. The gradient driver ([`crate::gradient`]) covers a dimension `d` in
/// `ceil(d / N)` chunks.
///
/// **Zero-tangent skipping.** A dual whose tangent is known to be zero (a constant, or a
/// parameter outside the current chunk) is *inactive*: arithmetic between inactive duals costs
/// the same as `f64` arithmetic. In a hierarchical model most parameters are outside any one
/// chunk, so most of each pass runs at `f64` speed.
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

    /// `value` with tangent `factor·t_source`. The factor of an inactive source is replaced
    /// by 0 (its lanes are 0), so the result is branch-free and never `0·∞ = NaN`.
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
            active: source.active,
        }
    }

    /// `value` with tangent `a·ta + b·tb`.
    #[inline(always)]
    fn combine(value: f64, x: &Self, a: f64, y: &Self, b: f64) -> Self {
        if !(x.active | y.active) {
            return Self::new_constant(value);
        }
        // An inactive operand's lanes are 0, so only a non-finite factor must be zeroed there
        // (never 0·∞); for the constant ±1 of + and − the test folds away and so does 1·t.
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
        if rhs.active {
            for (t, r) in self.tangent.iter_mut().zip(&rhs.tangent) {
                *t += r;
            }
            self.active = true;
        }
    }
}
impl<const N: usize> SubAssign for Dual<N> {
    #[inline(always)]
    fn sub_assign(&mut self, rhs: Self) {
        self.value -= rhs.value;
        if rhs.active {
            for (t, r) in self.tangent.iter_mut().zip(&rhs.tangent) {
                *t -= r;
            }
            self.active = true;
        }
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
        if !source.active || weight == 0.0 {
            return;
        }
        for (out, t) in self.tangent.iter_mut().zip(&source.tangent) {
            *out += weight * t;
        }
        self.active = true;
    }
}
