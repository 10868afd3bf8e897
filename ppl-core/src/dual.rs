//! The multi-lane forward-mode dual number `Dual<N>`: a value plus `N` partial derivatives, with a flag that skips all lane work while the tangent is zero.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

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

    #[inline]
    fn scaled(value: f64, source: &Self, factor: f64) -> Self {
        if !source.active {
            return Self::new_constant(value);
        }
        let mut tangent = [0.0; N];
        for (out, t) in tangent.iter_mut().zip(&source.tangent) {
            *out = factor * t;
        }
        Dual {
            value,
            tangent,
            active: true,
        }
    }

    /// `value` with tangent `a·ta + b·tb`.
    #[inline]
    fn combine(value: f64, x: &Self, a: f64, y: &Self, b: f64) -> Self {
        match (x.active, y.active) {
            (false, false) => Self::new_constant(value),
            (true, false) => Self::scaled(value, x, a),
            (false, true) => Self::scaled(value, y, b),
            (true, true) => {
                let mut tangent = [0.0; N];
                for ((out, tx), ty) in tangent.iter_mut().zip(&x.tangent).zip(&y.tangent) {
                    *out = a * tx + b * ty;
                }
                Dual {
                    value,
                    tangent,
                    active: true,
                }
            }
        }
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

impl<const N: usize> fmt::Display for Dual<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.value, f)
    }
}

impl<const N: usize> From<f64> for Dual<N> {
    fn from(value: f64) -> Self {
        Self::new_constant(value)
    }
}

impl<const N: usize> PartialEq for Dual<N> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}
impl<const N: usize> PartialEq<f64> for Dual<N> {
    fn eq(&self, other: &f64) -> bool {
        self.value == *other
    }
}
impl<const N: usize> PartialOrd for Dual<N> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        self.value.partial_cmp(&other.value)
    }
}
impl<const N: usize> PartialOrd<f64> for Dual<N> {
    fn partial_cmp(&self, other: &f64) -> Option<std::cmp::Ordering> {
        self.value.partial_cmp(other)
    }
}
impl<const N: usize> PartialEq<Dual<N>> for f64 {
    fn eq(&self, other: &Dual<N>) -> bool {
        *self == other.value
    }
}
impl<const N: usize> PartialOrd<Dual<N>> for f64 {
    fn partial_cmp(&self, other: &Dual<N>) -> Option<std::cmp::Ordering> {
        self.partial_cmp(&other.value)
    }
}

impl<const N: usize> Add for Dual<N> {
    type Output = Self;
    #[inline]
    fn add(self, rhs: Self) -> Self {
        Self::combine(self.value + rhs.value, &self, 1.0, &rhs, 1.0)
    }
}
impl<const N: usize> Sub for Dual<N> {
    type Output = Self;
    #[inline]
    fn sub(self, rhs: Self) -> Self {
        Self::combine(self.value - rhs.value, &self, 1.0, &rhs, -1.0)
    }
}
impl<const N: usize> Mul for Dual<N> {
    type Output = Self;
    #[inline]
    fn mul(self, rhs: Self) -> Self {
        Self::combine(self.value * rhs.value, &self, rhs.value, &rhs, self.value)
    }
}
impl<const N: usize> Div for Dual<N> {
    type Output = Self;
    #[inline]
    fn div(self, rhs: Self) -> Self {
        let inv = 1.0 / rhs.value;
        let value = self.value * inv;
        Self::combine(value, &self, inv, &rhs, -value * inv)
    }
}
impl<const N: usize> Neg for Dual<N> {
    type Output = Self;
    #[inline]
    fn neg(self) -> Self {
        Self::scaled(-self.value, &self, -1.0)
    }
}

impl<const N: usize> Add<f64> for Dual<N> {
    type Output = Self;
    #[inline]
    fn add(mut self, rhs: f64) -> Self {
        self.value += rhs;
        self
    }
}
impl<const N: usize> Sub<f64> for Dual<N> {
    type Output = Self;
    #[inline]
    fn sub(mut self, rhs: f64) -> Self {
        self.value -= rhs;
        self
    }
}
impl<const N: usize> Mul<f64> for Dual<N> {
    type Output = Self;
    #[inline]
    fn mul(self, rhs: f64) -> Self {
        Self::scaled(self.value * rhs, &self, rhs)
    }
}
impl<const N: usize> Div<f64> for Dual<N> {
    type Output = Self;
    #[inline]
    fn div(self, rhs: f64) -> Self {
        let inv = 1.0 / rhs;
        Self::scaled(self.value * inv, &self, inv)
    }
}
impl<const N: usize> Add<Dual<N>> for f64 {
    type Output = Dual<N>;
    #[inline]
    fn add(self, rhs: Dual<N>) -> Dual<N> {
        rhs + self
    }
}
impl<const N: usize> Sub<Dual<N>> for f64 {
    type Output = Dual<N>;
    #[inline]
    fn sub(self, rhs: Dual<N>) -> Dual<N> {
        Dual::scaled(self - rhs.value, &rhs, -1.0)
    }
}
impl<const N: usize> Mul<Dual<N>> for f64 {
    type Output = Dual<N>;
    #[inline]
    fn mul(self, rhs: Dual<N>) -> Dual<N> {
        rhs * self
    }
}
impl<const N: usize> Div<Dual<N>> for f64 {
    type Output = Dual<N>;
    #[inline]
    fn div(self, rhs: Dual<N>) -> Dual<N> {
        let value = self / rhs.value;
        Dual::scaled(value, &rhs, -value / rhs.value)
    }
}

macro_rules! assign_ops {
    ($($trait:ident $method:ident $op:tt),*) => {$(
        impl<const N: usize> $trait for Dual<N> {
            #[inline]
            fn $method(&mut self, rhs: Self) {
                *self = *self $op rhs;
            }
        }
        impl<const N: usize> $trait<f64> for Dual<N> {
            #[inline]
            fn $method(&mut self, rhs: f64) {
                *self = *self $op rhs;
            }
        }
    )*};
}
assign_ops!(AddAssign add_assign +, SubAssign sub_assign -, MulAssign mul_assign *, DivAssign div_assign /);

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
    #[inline]
    fn chain(&self, value: f64, derivative: f64) -> Self {
        Self::scaled(value, self, derivative)
    }
    #[inline]
    fn tangent(&self) -> &[f64] {
        if self.active {
            &self.tangent
        } else {
            &[]
        }
    }
    #[inline]
    fn add_scaled_tangent(&mut self, tangent: &[f64], weight: f64) {
        if tangent.is_empty() || weight == 0.0 {
            return;
        }
        debug_assert_eq!(tangent.len(), N, "tangent lane counts differ");
        for (out, t) in self.tangent.iter_mut().zip(tangent) {
            *out += weight * t;
        }
        self.active = true;
    }
}
