//! The arithmetic and comparison impls shared by the two dual-number types, `Dual<N>` and `SparseDual<K>`, written once over their tangent primitives.
//!
//! A type using [`impl_dual_number_ops`] has a `value: f64` field and three associated
//! functions building a result from its operands' tangents: `combine(value, x, a, y, b)`
//! (tangent `a·tx + b·ty`), `scaled(value, x, factor)` (tangent `factor·tx`) and
//! `shifted(value, x)` (tangent `tx`). Comparisons look at the value only. Compound assignment
//! and `Sum` stay with each type (a sparse accumulator updates in place).

/// Implements `Display`, `From<f64>`, value-only comparisons (with `f64` on either side), and
/// `+ − × ÷` and negation between duals and with `f64` on either side, for `$ty<const $n>`.
macro_rules! impl_dual_number_ops {
    ($ty:ident, $n:ident) => {
        impl<const $n: usize> std::fmt::Display for $ty<$n> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(&self.value, f)
            }
        }

        impl<const $n: usize> From<f64> for $ty<$n> {
            fn from(value: f64) -> Self {
                Self::new_constant(value)
            }
        }

        impl<const $n: usize> PartialEq for $ty<$n> {
            fn eq(&self, other: &Self) -> bool {
                self.value == other.value
            }
        }
        impl<const $n: usize> PartialEq<f64> for $ty<$n> {
            fn eq(&self, other: &f64) -> bool {
                self.value == *other
            }
        }
        impl<const $n: usize> PartialOrd for $ty<$n> {
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                self.value.partial_cmp(&other.value)
            }
        }
        impl<const $n: usize> PartialOrd<f64> for $ty<$n> {
            fn partial_cmp(&self, other: &f64) -> Option<std::cmp::Ordering> {
                self.value.partial_cmp(other)
            }
        }
        impl<const $n: usize> PartialEq<$ty<$n>> for f64 {
            fn eq(&self, other: &$ty<$n>) -> bool {
                *self == other.value
            }
        }
        impl<const $n: usize> PartialOrd<$ty<$n>> for f64 {
            fn partial_cmp(&self, other: &$ty<$n>) -> Option<std::cmp::Ordering> {
                self.partial_cmp(&other.value)
            }
        }

        impl<const $n: usize> std::ops::Add for $ty<$n> {
            type Output = Self;
            #[inline(always)]
            fn add(self, rhs: Self) -> Self {
                Self::combine(self.value + rhs.value, &self, 1.0, &rhs, 1.0)
            }
        }
        impl<const $n: usize> std::ops::Sub for $ty<$n> {
            type Output = Self;
            #[inline(always)]
            fn sub(self, rhs: Self) -> Self {
                Self::combine(self.value - rhs.value, &self, 1.0, &rhs, -1.0)
            }
        }
        impl<const $n: usize> std::ops::Mul for $ty<$n> {
            type Output = Self;
            #[inline(always)]
            fn mul(self, rhs: Self) -> Self {
                Self::combine(self.value * rhs.value, &self, rhs.value, &rhs, self.value)
            }
        }
        impl<const $n: usize> std::ops::Div for $ty<$n> {
            type Output = Self;
            #[inline(always)]
            fn div(self, rhs: Self) -> Self {
                let inv = 1.0 / rhs.value;
                let value = self.value * inv;
                Self::combine(value, &self, inv, &rhs, -value * inv)
            }
        }
        impl<const $n: usize> std::ops::Neg for $ty<$n> {
            type Output = Self;
            #[inline(always)]
            fn neg(self) -> Self {
                Self::scaled(-self.value, &self, -1.0)
            }
        }

        impl<const $n: usize> std::ops::Add<f64> for $ty<$n> {
            type Output = Self;
            #[inline(always)]
            fn add(self, rhs: f64) -> Self {
                Self::shifted(self.value + rhs, &self)
            }
        }
        impl<const $n: usize> std::ops::Sub<f64> for $ty<$n> {
            type Output = Self;
            #[inline(always)]
            fn sub(self, rhs: f64) -> Self {
                Self::shifted(self.value - rhs, &self)
            }
        }
        impl<const $n: usize> std::ops::Mul<f64> for $ty<$n> {
            type Output = Self;
            #[inline(always)]
            fn mul(self, rhs: f64) -> Self {
                Self::scaled(self.value * rhs, &self, rhs)
            }
        }
        impl<const $n: usize> std::ops::Div<f64> for $ty<$n> {
            type Output = Self;
            #[inline(always)]
            fn div(self, rhs: f64) -> Self {
                let inv = 1.0 / rhs;
                Self::scaled(self.value * inv, &self, inv)
            }
        }
        impl<const $n: usize> std::ops::Add<$ty<$n>> for f64 {
            type Output = $ty<$n>;
            #[inline(always)]
            fn add(self, rhs: $ty<$n>) -> $ty<$n> {
                rhs + self
            }
        }
        impl<const $n: usize> std::ops::Sub<$ty<$n>> for f64 {
            type Output = $ty<$n>;
            #[inline(always)]
            fn sub(self, rhs: $ty<$n>) -> $ty<$n> {
                $ty::scaled(self - rhs.value, &rhs, -1.0)
            }
        }
        impl<const $n: usize> std::ops::Mul<$ty<$n>> for f64 {
            type Output = $ty<$n>;
            #[inline(always)]
            fn mul(self, rhs: $ty<$n>) -> $ty<$n> {
                rhs * self
            }
        }
        impl<const $n: usize> std::ops::Div<$ty<$n>> for f64 {
            type Output = $ty<$n>;
            #[inline(always)]
            fn div(self, rhs: $ty<$n>) -> $ty<$n> {
                let value = self / rhs.value;
                $ty::scaled(value, &rhs, -value / rhs.value)
            }
        }
    };
}

pub(crate) use impl_dual_number_ops;
