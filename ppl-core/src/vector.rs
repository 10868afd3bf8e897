//! `Vector<T>`: a dense vector over any scalar with Stan-like elementwise arithmetic, plus the small traits that `model!`-generated code uses to pass values around.
//!
//! Arithmetic follows Stan's vector semantics, with one difference: `*` between two vectors is
//! the *elementwise* product (Stan's `.*`). Scalars broadcast. Data (`f64`, `&Vec<f64>`,
//! `&[f64]`) mix with parameters (`T`, `Vector<T>`) without ever being promoted to duals.
//!
//! | left ⊕ right | result |
//! | --- | --- |
//! | `Vector<T>` / `&Vector<T>` ⊕ `Vector<T>` / `&Vector<T>` | elementwise |
//! | `Vector<T>` / `&Vector<T>` ⊕ `&Vec<f64>` / `&[f64]` (data) | elementwise |
//! | `&Vec<f64>` / `&[f64]` ⊕ `Vector<T>` / `&Vector<T>` | elementwise |
//! | `Vector<T>` / `&Vector<T>` ⊕ `f64` or `T` | broadcast |
//! | `f64` or `T` ⊕ `Vector<T>` / `&Vector<T>` | broadcast |
//! | `&Matrix<f64>` / `&Matrix<T>` `*` `&Vector<T>` | matrix–vector product |
//!
//! Operations whose vector lengths differ panic with a message naming the operation and both
//! lengths, as out-of-bounds indexing does: they are programming errors in the model, not bad
//! data (declare data sizes in `model!` so that the constructor rejects bad data first).
//!
//! The operator impls with a *generic scalar on one side and a vector on the other*
//! (`T * Vector<T>`, `Vector<T> + T`) exist for `f64`, every `Dual<N>` and every `SparseDual<K>` concretely; a function
//! generic over `T: Real` that uses them needs the where-clauses that `model!` writes for its own
//! log-density (see `docs/writing-models.md`).

use std::ops::{Add, Deref, DerefMut, Div, Mul, Neg, Sub};

use crate::dual::Dual;
use crate::error::{Error, Result};
use crate::matrix::Matrix;
use crate::real::{Operand, Real};
use crate::sparse::SparseDual;

/// A dense vector of scalars: parameters (`Vector<T>`) or derived quantities.
///
/// Dereferences to `[T]`, so `v[i]` (0-based), `v.len()` and `v.iter()` work as on a slice.
///
/// ```
/// use ppl_core::Vector;
/// let theta_tilde = Vector::from(vec![1.0, -1.0, 0.5]);
/// let theta = 2.0 + 3.0 * &theta_tilde;
/// assert_eq!(theta.as_slice(), &[5.0, -1.0, 3.5]);
/// assert_eq!(theta.sum(), 7.5);
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
#[repr(transparent)]
pub struct Vector<T>(Vec<T>);

impl<T> Vector<T> {
    /// A vector owning `values`.
    pub fn new(values: Vec<T>) -> Self {
        Vector(values)
    }

    /// A `Vec` seen as a `Vector` without copying (how `model!` binds data vectors, so that
    /// `beta * x` works for a parameter `beta` and data `x`).
    ///
    /// ```
    /// let x = vec![1.0, 2.0];
    /// let scaled = 3.0 * ppl_core::Vector::from_vec_ref(&x);
    /// assert_eq!(scaled.as_slice(), &[3.0, 6.0]);
    /// ```
    pub fn from_vec_ref(values: &Vec<T>) -> &Vector<T> {
        // SAFETY: `Vector<T>` is `#[repr(transparent)]` over `Vec<T>`, so both types have the
        // same layout, and the returned reference borrows `values` for the same lifetime.
        unsafe { &*(values as *const Vec<T>).cast::<Vector<T>>() }
    }

    /// The elements as a slice.
    pub fn as_slice(&self) -> &[T] {
        &self.0
    }

    /// The elements as a `Vec`.
    pub fn into_vec(self) -> Vec<T> {
        self.0
    }
}

impl<T: Clone> Vector<T> {
    /// The first `n` elements, owned (Stan's `head(v, n)`; `v[1:n]`).
    ///
    /// With data `y`, `beta * &y.head(N - 1)?` is Stan's `beta * y[1:(N - 1)]`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] if `n` exceeds the length (`head: n is 4, but must be at
    /// most the vector's length 3`).
    ///
    /// ```
    /// let y = ppl_core::Vector::from(vec![1.0, 2.0, 3.0]);
    /// assert_eq!(y.head(2)?.as_slice(), &[1.0, 2.0]);
    /// assert!(y.head(4).is_err());
    /// # Ok::<(), ppl_core::Error>(())
    /// ```
    pub fn head(&self, n: usize) -> Result<Vector<T>> {
        self.check_count("head", n)?;
        Ok(Vector(self.0[..n].to_vec()))
    }

    /// The last `n` elements, owned (Stan's `tail(v, n)`; `v[(N − n + 1):N]`).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] if `n` exceeds the length.
    ///
    /// ```
    /// let y = ppl_core::Vector::from(vec![1.0, 2.0, 3.0]);
    /// assert_eq!(y.tail(2)?.as_slice(), &[2.0, 3.0]);
    /// # Ok::<(), ppl_core::Error>(())
    /// ```
    pub fn tail(&self, n: usize) -> Result<Vector<T>> {
        self.check_count("tail", n)?;
        Ok(Vector(self.0[self.0.len() - n..].to_vec()))
    }

    /// The `len` elements from the **0-based** position `start`, owned:
    /// `v.segment(start, len)` is Stan's `segment(v, start + 1, len)` (model bodies index from
    /// 0, as Rust).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] if `start + len` exceeds the length (an empty segment may
    /// start at the length itself).
    ///
    /// ```
    /// let y = ppl_core::Vector::from(vec![1.0, 2.0, 3.0, 4.0]);
    /// // Stan: segment(y, 2, 2) = [2, 3].
    /// assert_eq!(y.segment(1, 2)?.as_slice(), &[2.0, 3.0]);
    /// assert_eq!(
    ///     y.segment(3, 2).unwrap_err().to_string(),
    ///     "segment: start + len is 5, but must be at most the vector's length 4"
    /// );
    /// # Ok::<(), ppl_core::Error>(())
    /// ```
    pub fn segment(&self, start: usize, len: usize) -> Result<Vector<T>> {
        match start.checked_add(len) {
            Some(end) if end <= self.0.len() => Ok(Vector(self.0[start..end].to_vec())),
            end => Err(Error::invalid(
                "segment",
                "start + len",
                end.map_or_else(|| format!("{start} + {len}"), |end| end.to_string()),
                format!("at most the vector's length {}", self.0.len()),
            )),
        }
    }

    /// Checks the element count `n` of `head`/`tail` against the length.
    fn check_count(&self, function: &'static str, n: usize) -> Result<()> {
        if n > self.0.len() {
            return Err(Error::invalid(
                function,
                "n",
                n,
                format!("at most the vector's length {}", self.0.len()),
            ));
        }
        Ok(())
    }
}

impl<T: Real> Vector<T> {
    /// `n` copies of `value` (Stan's `rep_vector`).
    pub fn filled(n: usize, value: T) -> Self {
        Vector(vec![value; n])
    }

    /// `n` zeros.
    pub fn zeros(n: usize) -> Self {
        Vector::filled(n, T::constant(0.0))
    }

    /// `[f(0), …, f(n − 1)]`.
    pub fn from_fn(n: usize, f: impl FnMut(usize) -> T) -> Self {
        Vector((0..n).map(f).collect())
    }

    /// `Σ v_i` (0 for an empty vector).
    pub fn sum(&self) -> T {
        self.0.iter().copied().sum()
    }

    /// `Σ v_i w_i` with a vector of the same scalar or of data.
    ///
    /// # Errors
    /// [`Error::SizeMismatch`] if the lengths differ.
    pub fn dot<W: Operand>(&self, other: W) -> Result<T>
    where
        T: Mul<W::Scalar, Output = T>,
    {
        let n = other.size().unwrap_or(self.len());
        if n != self.len() {
            return Err(Error::size_mismatch("dot", "right operand", n, self.len()));
        }
        Ok((0..n).map(|i| self.0[i] * *other.at(i)).sum())
    }

    /// `[v[idx[0]], v[idx[1]], …]` for 0-based indices (Stan's multi-indexing `v[idx]`; index
    /// data declared as `Vec<usize>` in `model!` are stored 0-based).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] naming the first index out of range, 1-based as in Stan.
    pub fn gather(&self, idx: &[usize]) -> Result<Vector<T>> {
        // Indices are checked first, so that the copy below is a plain loop (it runs on every
        // gradient of a hierarchical model).
        if let Some(k) = first_index_at_or_above(idx, self.0.len()) {
            return Err(Error::invalid(
                "gather",
                format!("index[{}]", k + 1),
                idx[k] + 1,
                "between 1 and the vector's length",
            ));
        }
        Ok(Vector(idx.iter().map(|&i| self.0[i]).collect()))
    }

    /// `[f(v_0), …]`, e.g. `v.map(Real::exp)`.
    pub fn map(&self, f: impl FnMut(T) -> T) -> Vector<T> {
        Vector(self.0.iter().copied().map(f).collect())
    }
}

/// The position of the first element of `index` that is `≥ limit`, if any: the check of a
/// gather's indices, which runs on every evaluation of a hierarchical model.
///
/// A branch-free pass first ORs, for each `g`, the top bit of `g` and of `!(g − limit)`
/// (wrapping): for `g < 2⁶³` the second is set exactly when `g ≥ limit`, and the first catches
/// any larger `g`. The pass vectorises (64-bit subtract, OR and NOT are SSE2): 240 ns against
/// 370 ns for an early-exit search over 1000 indices. Only when it flags something (which a
/// `limit ≥ 2⁶³` may do falsely) does the exact search run, to find the first offending
/// position.
#[inline]
pub(crate) fn first_index_at_or_above(index: &[usize], limit: usize) -> Option<usize> {
    let flags = index
        .iter()
        .fold(0usize, |flags, &g| flags | g | !g.wrapping_sub(limit));
    if flags >> (usize::BITS - 1) == 0 {
        return None;
    }
    index.iter().position(|&g| g >= limit)
}

/// Element-wise versions of the [`Real`] functions of one argument, as Stan's vectorised
/// `exp(v)`, `log(v)`, `inv_logit(v)` (each element's derivative by [`Real::chain`]).
macro_rules! elementwise_functions {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {
        impl<T: Real> Vector<T> {
            $(
                $(#[$doc])*
                pub fn $name(&self) -> Vector<T> {
                    self.map(Real::$name)
                }
            )*
        }
    };
}

elementwise_functions!(
    /// `[e^{v_i}]`.
    ///
    /// ```
    /// use ppl_core::Vector;
    /// let v = Vector::new(vec![0.0, 1.0_f64.ln()]).exp();
    /// assert_eq!(v.as_slice(), &[1.0, 1.0]);
    /// ```
    exp,
    /// `[ln v_i]` (Stan's `log(v)`).
    ln,
    /// `[ln(1 + v_i)]`.
    ln_1p,
    /// `[√v_i]`.
    sqrt,
    /// `[v_i²]`.
    square,
    /// `[|v_i|]`.
    abs,
    /// `[tanh v_i]`.
    tanh,
    /// `[1 / (1 + e^{−v_i})]`.
    ///
    /// ```
    /// use ppl_core::Vector;
    /// let p = Vector::new(vec![0.0_f64, 2.0]).inv_logit();
    /// assert_eq!(p[0], 0.5);
    /// assert!((p[1] - 0.880_797_077_977_882_3).abs() < 1e-15);
    /// ```
    inv_logit,
    /// `[ln inv_logit(v_i)]`.
    log_inv_logit,
    /// `[ln(1 − inv_logit(v_i))]`.
    log1m_inv_logit,
    /// `[ln(1 + e^{v_i})]`.
    log1p_exp,
    /// `[ln Γ(v_i)]`.
    lgamma,
    /// `[ln(1 − v_i)]` (Stan's `log1m(v)`).
    log1m,
    /// `[ln(1 − e^{v_i})]` (Stan's `log1m_exp(v)`).
    log1m_exp,
    /// `[ln(v_i / (1 − v_i))]` (Stan's `logit(v)`).
    logit,
    /// `[Φ(v_i)]`.
    std_normal_cdf,
);

impl<T> Deref for Vector<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.0
    }
}

impl<T> DerefMut for Vector<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        &mut self.0
    }
}

impl<T> From<Vec<T>> for Vector<T> {
    fn from(values: Vec<T>) -> Self {
        Vector(values)
    }
}

/// A copy of a slice (`Vector::from(&y[1..])`).
impl<T: Clone> From<&[T]> for Vector<T> {
    fn from(values: &[T]) -> Self {
        Vector(values.to_vec())
    }
}

impl<T> FromIterator<T> for Vector<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Vector(iter.into_iter().collect())
    }
}

impl<'a, T> IntoIterator for &'a Vector<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<T> IntoIterator for Vector<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<T: Real> Operand for &Vector<T> {
    type Scalar = T;
    type Partials<'s>
        = crate::real::DirectPartials<'s, Self>
    where
        Self: 's;
    #[inline]
    fn size(&self) -> Option<usize> {
        Some(self.0.len())
    }
    #[inline]
    fn at(&self, i: usize) -> &T {
        &self.0[i]
    }
    #[inline]
    fn partials(&self) -> crate::real::DirectPartials<'_, Self> {
        crate::real::DirectPartials::new(self)
    }
    #[inline]
    fn any_tangent(&self) -> bool {
        self.0.iter().any(Real::has_tangent)
    }
}

/// A matrix as a density argument: its elements in storage order (for elementwise densities
/// such as `m ~ normal(0.0, 1.0)` on a matrix parameter).
impl<T: Real> Operand for &Matrix<T> {
    type Scalar = T;
    type Partials<'s>
        = crate::real::DirectPartials<'s, Self>
    where
        Self: 's;
    #[inline]
    fn size(&self) -> Option<usize> {
        Some(self.as_slice().len())
    }
    #[inline]
    fn at(&self, i: usize) -> &T {
        &self.as_slice()[i]
    }
    #[inline]
    fn partials(&self) -> crate::real::DirectPartials<'_, Self> {
        crate::real::DirectPartials::new(self)
    }
}

/// Elementwise `f(a_i, b_i)`; panics if the lengths differ (see the module docs).
fn zip_map<A: Copy, B: Copy, T>(
    operation: &str,
    a: &[A],
    b: &[B],
    f: impl Fn(A, B) -> T,
) -> Vector<T> {
    assert_same_len(operation, a.len(), b.len());
    Vector(a.iter().zip(b).map(|(&x, &y)| f(x, y)).collect())
}

/// Panics, naming the operation and both lengths, unless the operands have the same length.
fn assert_same_len(operation: &str, left: usize, right: usize) {
    assert!(
        left == right,
        "vector {operation}: the left operand has {left} elements but the right operand has {right}"
    );
}

/// `a_i ← f(a_i, b_i)` in place (an owned left operand reuses its buffer); panics on
/// different lengths, as [`zip_map`].
fn zip_apply<B: Copy, T: Copy>(
    operation: &str,
    mut a: Vector<T>,
    b: &[B],
    f: impl Fn(T, B) -> T,
) -> Vector<T> {
    assert_same_len(operation, a.len(), b.len());
    for (x, &y) in a.0.iter_mut().zip(b) {
        *x = f(*x, y);
    }
    a
}

/// `a op b` for scalars of the same type, and for a data `f64` on either side.
trait ScalarOp<T: Real> {
    fn both(a: T, b: T) -> T;
    fn data_right(a: T, b: f64) -> T;
    fn data_left(a: f64, b: T) -> T;
}

macro_rules! scalar_ops {
    ($($name:ident $op:tt),*) => {$(
        struct $name;
        impl<T: Real> ScalarOp<T> for $name {
            #[inline]
            fn both(a: T, b: T) -> T { a $op b }
            #[inline]
            fn data_right(a: T, b: f64) -> T { a $op b }
            #[inline]
            fn data_left(a: f64, b: T) -> T { T::constant(a) $op b }
        }
    )*};
}
scalar_ops!(AddOp +, SubOp -, MulOp *, DivOp /);

macro_rules! vector_ops {
    ($($trait:ident $method:ident $op_type:ident $label:literal),*) => {$(
        // vector ⊕ vector, owned or borrowed on either side
        impl<T: Real> $trait<&Vector<T>> for &Vector<T> {
            type Output = Vector<T>;
            fn $method(self, rhs: &Vector<T>) -> Vector<T> {
                zip_map($label, &self.0, &rhs.0, <$op_type as ScalarOp<T>>::both)
            }
        }
        impl<T: Real> $trait<Vector<T>> for &Vector<T> {
            type Output = Vector<T>;
            fn $method(self, rhs: Vector<T>) -> Vector<T> {
                self.$method(&rhs)
            }
        }
        impl<T: Real> $trait<&Vector<T>> for Vector<T> {
            type Output = Vector<T>;
            fn $method(self, rhs: &Vector<T>) -> Vector<T> {
                zip_apply($label, self, &rhs.0, <$op_type as ScalarOp<T>>::both)
            }
        }
        impl<T: Real> $trait<Vector<T>> for Vector<T> {
            type Output = Vector<T>;
            fn $method(self, rhs: Vector<T>) -> Vector<T> {
                self.$method(&rhs)
            }
        }
        // vector ⊕ data vector, and data vector ⊕ vector
        impl<T: Real> $trait<&[f64]> for &Vector<T> {
            type Output = Vector<T>;
            fn $method(self, rhs: &[f64]) -> Vector<T> {
                zip_map($label, &self.0, rhs, <$op_type as ScalarOp<T>>::data_right)
            }
        }
        impl<T: Real> $trait<&[f64]> for Vector<T> {
            type Output = Vector<T>;
            fn $method(self, rhs: &[f64]) -> Vector<T> {
                zip_apply($label, self, rhs, <$op_type as ScalarOp<T>>::data_right)
            }
        }
        impl<T: Real> $trait<&Vec<f64>> for &Vector<T> {
            type Output = Vector<T>;
            fn $method(self, rhs: &Vec<f64>) -> Vector<T> {
                self.$method(rhs.as_slice())
            }
        }
        impl<T: Real> $trait<&Vec<f64>> for Vector<T> {
            type Output = Vector<T>;
            fn $method(self, rhs: &Vec<f64>) -> Vector<T> {
                self.$method(rhs.as_slice())
            }
        }
        impl<T: Real> $trait<&Vector<T>> for &[f64] {
            type Output = Vector<T>;
            fn $method(self, rhs: &Vector<T>) -> Vector<T> {
                zip_map($label, self, &rhs.0, <$op_type as ScalarOp<T>>::data_left)
            }
        }
        impl<T: Real> $trait<Vector<T>> for &[f64] {
            type Output = Vector<T>;
            fn $method(self, rhs: Vector<T>) -> Vector<T> {
                self.$method(&rhs)
            }
        }
        impl<T: Real> $trait<&Vector<T>> for &Vec<f64> {
            type Output = Vector<T>;
            fn $method(self, rhs: &Vector<T>) -> Vector<T> {
                self.as_slice().$method(rhs)
            }
        }
        impl<T: Real> $trait<Vector<T>> for &Vec<f64> {
            type Output = Vector<T>;
            fn $method(self, rhs: Vector<T>) -> Vector<T> {
                self.as_slice().$method(&rhs)
            }
        }
        // vector ⊕ data scalar, data scalar ⊕ vector
        impl<T: Real> $trait<f64> for &Vector<T> {
            type Output = Vector<T>;
            fn $method(self, rhs: f64) -> Vector<T> {
                self.0.iter().map(|&x| <$op_type as ScalarOp<T>>::data_right(x, rhs)).collect()
            }
        }
        impl<T: Real> $trait<f64> for Vector<T> {
            type Output = Vector<T>;
            fn $method(mut self, rhs: f64) -> Vector<T> {
                for x in self.0.iter_mut() {
                    *x = <$op_type as ScalarOp<T>>::data_right(*x, rhs);
                }
                self
            }
        }
        impl<T: Real> $trait<&Vector<T>> for f64 {
            type Output = Vector<T>;
            fn $method(self, rhs: &Vector<T>) -> Vector<T> {
                rhs.0.iter().map(|&x| <$op_type as ScalarOp<T>>::data_left(self, x)).collect()
            }
        }
        impl<T: Real> $trait<Vector<T>> for f64 {
            type Output = Vector<T>;
            fn $method(self, rhs: Vector<T>) -> Vector<T> {
                self.$method(&rhs)
            }
        }
    )*};
}
vector_ops!(Add add AddOp "addition", Sub sub SubOp "subtraction", Mul mul MulOp "multiplication", Div div DivOp "division");

macro_rules! dual_vector_ops {
    ($dual:ident; $($trait:ident $method:ident $op_type:ident $label:literal),*) => {$(
        // vector ⊕ dual scalar, dual scalar ⊕ vector (the f64 case is the data case above)
        impl<const N: usize> $trait<$dual<N>> for &Vector<$dual<N>> {
            type Output = Vector<$dual<N>>;
            fn $method(self, rhs: $dual<N>) -> Vector<$dual<N>> {
                self.0.iter().map(|&x| <$op_type as ScalarOp<$dual<N>>>::both(x, rhs)).collect()
            }
        }
        impl<const N: usize> $trait<$dual<N>> for Vector<$dual<N>> {
            type Output = Vector<$dual<N>>;
            fn $method(mut self, rhs: $dual<N>) -> Vector<$dual<N>> {
                for x in self.0.iter_mut() {
                    *x = <$op_type as ScalarOp<$dual<N>>>::both(*x, rhs);
                }
                self
            }
        }
        impl<const N: usize> $trait<&Vector<$dual<N>>> for $dual<N> {
            type Output = Vector<$dual<N>>;
            fn $method(self, rhs: &Vector<$dual<N>>) -> Vector<$dual<N>> {
                rhs.0.iter().map(|&x| <$op_type as ScalarOp<$dual<N>>>::both(self, x)).collect()
            }
        }
        impl<const N: usize> $trait<Vector<$dual<N>>> for $dual<N> {
            type Output = Vector<$dual<N>>;
            fn $method(self, rhs: Vector<$dual<N>>) -> Vector<$dual<N>> {
                self.$method(&rhs)
            }
        }
        // dual scalar ⊕ data vector, data vector ⊕ dual scalar
        impl<const N: usize> $trait<&Vector<f64>> for $dual<N> {
            type Output = Vector<$dual<N>>;
            fn $method(self, rhs: &Vector<f64>) -> Vector<$dual<N>> {
                rhs.0.iter().map(|&x| <$op_type as ScalarOp<$dual<N>>>::data_right(self, x)).collect()
            }
        }
        impl<const N: usize> $trait<$dual<N>> for &Vector<f64> {
            type Output = Vector<$dual<N>>;
            fn $method(self, rhs: $dual<N>) -> Vector<$dual<N>> {
                self.0.iter().map(|&x| <$op_type as ScalarOp<$dual<N>>>::data_left(x, rhs)).collect()
            }
        }
        // the same with an owned data vector (`beta * y.head(n)?`)
        impl<const N: usize> $trait<Vector<f64>> for $dual<N> {
            type Output = Vector<$dual<N>>;
            fn $method(self, rhs: Vector<f64>) -> Vector<$dual<N>> {
                self.$method(&rhs)
            }
        }
        impl<const N: usize> $trait<$dual<N>> for Vector<f64> {
            type Output = Vector<$dual<N>>;
            fn $method(self, rhs: $dual<N>) -> Vector<$dual<N>> {
                (&self).$method(rhs)
            }
        }
        // dual vector ⊕ data vector, data vector ⊕ dual vector
        impl<const N: usize> $trait<&Vector<f64>> for &Vector<$dual<N>> {
            type Output = Vector<$dual<N>>;
            fn $method(self, rhs: &Vector<f64>) -> Vector<$dual<N>> {
                self.$method(rhs.as_slice())
            }
        }
        impl<const N: usize> $trait<&Vector<f64>> for Vector<$dual<N>> {
            type Output = Vector<$dual<N>>;
            fn $method(self, rhs: &Vector<f64>) -> Vector<$dual<N>> {
                self.$method(rhs.as_slice())
            }
        }
        impl<const N: usize> $trait<&Vector<$dual<N>>> for &Vector<f64> {
            type Output = Vector<$dual<N>>;
            fn $method(self, rhs: &Vector<$dual<N>>) -> Vector<$dual<N>> {
                self.as_slice().$method(rhs)
            }
        }
        impl<const N: usize> $trait<Vector<$dual<N>>> for &Vector<f64> {
            type Output = Vector<$dual<N>>;
            fn $method(self, rhs: Vector<$dual<N>>) -> Vector<$dual<N>> {
                self.as_slice().$method(&rhs)
            }
        }
    )*};
}
dual_vector_ops!(Dual; Add add AddOp "addition", Sub sub SubOp "subtraction", Mul mul MulOp "multiplication", Div div DivOp "division");
dual_vector_ops!(SparseDual; Add add AddOp "addition", Sub sub SubOp "subtraction", Mul mul MulOp "multiplication", Div div DivOp "division");

impl<T: Real> Neg for &Vector<T> {
    type Output = Vector<T>;
    fn neg(self) -> Vector<T> {
        self.0.iter().map(|&x| -x).collect()
    }
}

impl<T: Real> Neg for Vector<T> {
    type Output = Vector<T>;
    fn neg(self) -> Vector<T> {
        -&self
    }
}

/// `A · v` for a data matrix: data enter as `f64`; panics if `v.len() != A.cols()`.
impl<T: Real> Mul<&Vector<T>> for &Matrix<f64> {
    type Output = Vector<T>;
    fn mul(self, rhs: &Vector<T>) -> Vector<T> {
        match self.mul_vec(&rhs.0) {
            Ok(values) => Vector(values),
            Err(_) => panic!(
                "matrix-vector multiplication: the matrix has {} columns but the vector has {} elements",
                self.cols(),
                rhs.len()
            ),
        }
    }
}

impl<T: Real> Mul<Vector<T>> for &Matrix<f64> {
    type Output = Vector<T>;
    fn mul(self, rhs: Vector<T>) -> Vector<T> {
        self * &rhs
    }
}

macro_rules! dual_matrix_ops {
    ($dual:ident) => {
/// `A · v` for a matrix of duals (a Cholesky factor built from parameters).
impl<const N: usize> Mul<&Vector<$dual<N>>> for &Matrix<$dual<N>> {
    type Output = Vector<$dual<N>>;
    fn mul(self, rhs: &Vector<$dual<N>>) -> Vector<$dual<N>> {
        assert!(
            self.cols() == rhs.len(),
            "matrix-vector multiplication: the matrix has {} columns but the vector has {} elements",
            self.cols(),
            rhs.len()
        );
        (0..self.rows())
            .map(|i| self.row(i).iter().zip(&rhs.0).map(|(&a, &b)| a * b).sum())
            .collect()
    }
}

impl<const N: usize> Mul<Vector<$dual<N>>> for &Matrix<$dual<N>> {
    type Output = Vector<$dual<N>>;
    fn mul(self, rhs: Vector<$dual<N>>) -> Vector<$dual<N>> {
        self * &rhs
    }
}
    };
}
dual_matrix_ops!(Dual);
dual_matrix_ops!(SparseDual);

/// Traits used by the code that `model!` generates; not part of the public API.
#[doc(hidden)]
pub mod macro_support {
    use super::Vector;
    use crate::dual::Dual;
    use crate::error::{Error, Result};
    use crate::matrix::Matrix;
    use crate::real::Real;
    use crate::sparse::SparseDual;

    /// Turns a model expression into a density argument without moving it: a scalar is copied,
    /// a container is borrowed (`Vector<T>` → `&Vector<T>`). Called with method syntax so that
    /// auto-deref handles `&Vector<T>` and `&Vec<f64>` bindings alike.
    pub trait AsOperand {
        /// The argument type passed to the density.
        type Operand<'a>
        where
            Self: 'a;
        /// The argument.
        fn __ppl_operand(&self) -> Self::Operand<'_>;
    }

    impl<T: Real> AsOperand for T {
        type Operand<'a> = T;
        #[inline]
        fn __ppl_operand(&self) -> T {
            *self
        }
    }

    macro_rules! borrowed_operand {
        ($($ty:ty),*) => {$(
            impl<T: Real> AsOperand for $ty {
                type Operand<'a> = &'a $ty;
                #[inline]
                fn __ppl_operand(&self) -> &$ty {
                    self
                }
            }
        )*};
    }
    borrowed_operand!(
        Vector<T>,
        Vec<T>,
        Matrix<T>,
        Vec<Vector<T>>,
        Vec<Vec<T>>,
        Vec<Matrix<T>>
    );

    impl<T: Real> AsOperand for [T] {
        type Operand<'a> = &'a [T];
        #[inline]
        fn __ppl_operand(&self) -> &[T] {
            self
        }
    }

    /// A lazy affine argument is passed by reference, like a container.
    impl<'x, A, B, X> AsOperand for crate::affine::Affine<'x, A, B, X>
    where
        A: crate::real::Operand,
        B: crate::real::Operand<Scalar = A::Scalar>,
        X: crate::real::Operand,
    {
        type Operand<'a>
            = &'a crate::affine::Affine<'x, A, B, X>
        where
            Self: 'a;
        #[inline]
        fn __ppl_operand(&self) -> &Self {
            self
        }
    }

    impl AsOperand for i64 {
        type Operand<'a> = i64;
        #[inline]
        fn __ppl_operand(&self) -> i64 {
            *self
        }
    }

    impl AsOperand for Vec<i64> {
        type Operand<'a> = &'a Vec<i64>;
        #[inline]
        fn __ppl_operand(&self) -> &Vec<i64> {
            self
        }
    }

    impl AsOperand for [i64] {
        type Operand<'a> = &'a [i64];
        #[inline]
        fn __ppl_operand(&self) -> &[i64] {
            self
        }
    }

    /// A bound or offset expression converted to the model's scalar: data (`f64`, integers) or
    /// an expression of earlier parameters (`1.0 - alpha1`).
    pub trait IntoReal<T> {
        /// The scalar.
        fn into_real(self) -> T;
    }

    impl<T: Real> IntoReal<T> for T {
        #[inline]
        fn into_real(self) -> T {
            self
        }
    }

    macro_rules! dual_into_real {
        ($($dual:ident),*) => {$(
    impl<const N: usize> IntoReal<$dual<N>> for f64 {
        #[inline]
        fn into_real(self) -> $dual<N> {
            $dual::new_constant(self)
        }
    }
        )*};
    }
    dual_into_real!(Dual, SparseDual);

    macro_rules! int_into_real {
        ($($ty:ty),*) => {$(
            impl<T: Real> IntoReal<T> for $ty {
                #[inline]
                #[allow(clippy::cast_precision_loss)]
                fn into_real(self) -> T {
                    T::constant(self as f64)
                }
            }
        )*};
    }
    int_into_real!(i32, i64, usize);

    /// The right side of `target += …`: a scalar, or a `Result` of one (a `_lpdf` call).
    pub trait IntoTerm<T> {
        /// The term, or the error of the call that computed it.
        fn into_term(self) -> Result<T>;
    }

    impl<T: Real> IntoTerm<T> for T {
        #[inline]
        fn into_term(self) -> Result<T> {
            Ok(self)
        }
    }

    impl<T: Real> IntoTerm<T> for Result<T> {
        #[inline]
        fn into_term(self) -> Result<T> {
            self
        }
    }

    macro_rules! dual_into_term {
        ($($dual:ident),*) => {$(
    impl<const N: usize> IntoTerm<$dual<N>> for f64 {
        #[inline]
        fn into_term(self) -> Result<$dual<N>> {
            Ok($dual::new_constant(self))
        }
    }
        )*};
    }
    dual_into_term!(Dual, SparseDual);

    /// A value reported with the draws (a parameter or a derived quantity): its Stan dimensions
    /// and its values flattened column-major (first index fastest).
    pub trait OutputValue {
        /// Dimensions (`[]` for a scalar).
        fn __ppl_dims(&self) -> Vec<usize>;
        /// Appends the values, column-major.
        fn __ppl_write(&self, out: &mut Vec<f64>);
    }

    impl<T: Real> OutputValue for T {
        fn __ppl_dims(&self) -> Vec<usize> {
            Vec::new()
        }
        fn __ppl_write(&self, out: &mut Vec<f64>) {
            out.push(self.value());
        }
    }

    impl<T: Real> OutputValue for [T] {
        fn __ppl_dims(&self) -> Vec<usize> {
            vec![self.len()]
        }
        fn __ppl_write(&self, out: &mut Vec<f64>) {
            out.extend(self.iter().map(Real::value));
        }
    }

    impl<T: Real> OutputValue for Vec<T> {
        fn __ppl_dims(&self) -> Vec<usize> {
            self.as_slice().__ppl_dims()
        }
        fn __ppl_write(&self, out: &mut Vec<f64>) {
            self.as_slice().__ppl_write(out);
        }
    }

    impl<T: Real> OutputValue for Vector<T> {
        fn __ppl_dims(&self) -> Vec<usize> {
            self.as_slice().__ppl_dims()
        }
        fn __ppl_write(&self, out: &mut Vec<f64>) {
            self.as_slice().__ppl_write(out);
        }
    }

    impl<T: Real> OutputValue for Matrix<T> {
        fn __ppl_dims(&self) -> Vec<usize> {
            vec![self.rows(), self.cols()]
        }
        fn __ppl_write(&self, out: &mut Vec<f64>) {
            for j in 0..self.cols() {
                for i in 0..self.rows() {
                    out.push(self[(i, j)].value());
                }
            }
        }
    }

    /// An array of vectors (`theta[j][k]`), reported as a 2-D array `[n, k]`, column-major.
    impl<T: Real> OutputValue for Vec<Vector<T>> {
        fn __ppl_dims(&self) -> Vec<usize> {
            vec![self.len(), self.first().map_or(0, |v| v.len())]
        }
        fn __ppl_write(&self, out: &mut Vec<f64>) {
            let inner = self.first().map_or(0, |v| v.len());
            for k in 0..inner {
                for v in self {
                    out.push(v.get(k).map_or(f64::NAN, Real::value));
                }
            }
        }
    }

    /// An array of arrays (`gamma[t][k]`), reported as a 2-D array, column-major.
    impl<T: Real> OutputValue for Vec<Vec<T>> {
        fn __ppl_dims(&self) -> Vec<usize> {
            vec![self.len(), self.first().map_or(0, Vec::len)]
        }
        fn __ppl_write(&self, out: &mut Vec<f64>) {
            let inner = self.first().map_or(0, Vec::len);
            for k in 0..inner {
                for v in self {
                    out.push(v.get(k).map_or(f64::NAN, Real::value));
                }
            }
        }
    }

    /// Flat Stan-style names for a value of dimensions `dims`: `mu`, `theta[1]`, `L[2,1]`,
    /// first index fastest.
    pub fn flat_names(name: &str, dims: &[usize], out: &mut Vec<String>) {
        let total: usize = dims.iter().product();
        if dims.is_empty() {
            out.push(name.to_string());
            return;
        }
        let mut index = vec![0usize; dims.len()];
        for _ in 0..total {
            let label: Vec<String> = index.iter().map(|i| (i + 1).to_string()).collect();
            out.push(format!("{name}[{}]", label.join(",")));
            for (position, dim) in index.iter_mut().zip(dims) {
                *position += 1;
                if *position < *dim {
                    break;
                }
                *position = 0;
            }
        }
    }

    /// A size expression's value as a `usize`.
    pub trait IntoSize {
        /// The size, or an error naming what it is the size of (`"parameter theta"`).
        fn into_size(self, model: &'static str, what: &str) -> Result<usize>;
    }

    impl IntoSize for usize {
        fn into_size(self, _model: &'static str, _what: &str) -> Result<usize> {
            Ok(self)
        }
    }

    macro_rules! signed_into_size {
        ($($ty:ty),*) => {$(
            impl IntoSize for $ty {
                fn into_size(self, model: &'static str, what: &str) -> Result<usize> {
                    usize::try_from(self).map_err(|_| Error::Data {
                        model,
                        field: format!("size of {what}"),
                        message: format!("is {self}, but must be non-negative"),
                    })
                }
            }
        )*};
    }
    signed_into_size!(i32, i64);

    /// A data value seen as `f64` for a declared bound check (`lower = 0`).
    pub trait DataValue {
        /// The value.
        fn as_f64(&self) -> f64;
    }

    macro_rules! data_value {
        ($($ty:ty),*) => {$(
            impl DataValue for $ty {
                #[allow(clippy::cast_precision_loss, clippy::cast_lossless)]
                fn as_f64(&self) -> f64 {
                    *self as f64
                }
            }
        )*};
    }
    data_value!(f64, i64, usize, i32);

    impl DataValue for bool {
        fn as_f64(&self) -> f64 {
            f64::from(u8::from(*self))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::macro_support::{flat_names, AsOperand, OutputValue};
    use super::*;

    #[test]
    fn first_index_at_or_above_finds_the_first_offender() {
        assert_eq!(first_index_at_or_above(&[], 0), None);
        assert_eq!(first_index_at_or_above(&[0, 4, 2], 5), None);
        assert_eq!(first_index_at_or_above(&[0, 5, 2, 7], 5), Some(1));
        assert_eq!(first_index_at_or_above(&[0, 1], 0), Some(0));
        // Indices of 2⁶³ and above, and limits that large (the fast pass may flag falsely).
        assert_eq!(first_index_at_or_above(&[1, usize::MAX], 3), Some(1));
        assert_eq!(first_index_at_or_above(&[1, 1 << 63], 3), Some(1));
        assert_eq!(first_index_at_or_above(&[3, 1 << 63], usize::MAX), None);
        assert_eq!(first_index_at_or_above(&[usize::MAX], usize::MAX), Some(0));
        // Against the plain search, over every pair of small values.
        for limit in 0..6 {
            let index: Vec<usize> = (0..40).map(|i| (i * 7) % 9).collect();
            for len in 0..index.len() {
                assert_eq!(
                    first_index_at_or_above(&index[..len], limit),
                    index[..len].iter().position(|&g| g >= limit)
                );
            }
        }
    }
    use crate::gradient::{finite_difference_gradient, gradient_chunked};

    #[test]
    fn elementwise_functions_differentiate_each_element() {
        // Σ over every element-wise function of (v_i + 2), a positive argument for all of them.
        let f = |x: &[crate::Dual<4>]| -> Result<crate::Dual<4>> {
            let v = Vector::new(x.to_vec()) + 2.0;
            let parts = [
                v.exp(),
                v.ln(),
                v.ln_1p(),
                v.sqrt(),
                v.square(),
                v.abs(),
                v.tanh(),
                v.inv_logit(),
                v.log_inv_logit(),
                v.log1m_inv_logit(),
                v.log1p_exp(),
                v.lgamma(),
                v.std_normal_cdf(),
            ];
            Ok(parts.iter().map(Vector::sum).sum())
        };
        let x = [0.3, -0.7, 1.1];
        let mut gradient = vec![0.0; 3];
        gradient_chunked::<4, _>(f, &x, &mut gradient).unwrap();
        let plain = |p: &[f64]| {
            let duals: Vec<crate::Dual<4>> =
                p.iter().map(|&v| crate::Dual::new_constant(v)).collect();
            f(&duals).map(|d| d.value())
        };
        let numeric = finite_difference_gradient(plain, &x, 1e-6).unwrap();
        for (g, n) in gradient.iter().zip(&numeric) {
            assert!((g - n).abs() < 1e-6 * n.abs().max(1.0), "{g} vs {n}");
        }
    }

    /// Generic code as `model!` writes it, with its where-clauses.
    fn affine<T>(mu: T, tau: T, z: &Vector<T>, data: &Vec<f64>) -> T
    where
        T: Real
            + Mul<Vector<T>, Output = Vector<T>>
            + for<'a> Mul<&'a Vector<T>, Output = Vector<T>>
            + Add<Vector<T>, Output = Vector<T>>,
    {
        let theta = mu + tau * z;
        let shifted = &theta - data;
        (shifted * 2.0).sum() + (1.0 / &theta).sum()
    }

    #[test]
    fn arithmetic_is_elementwise_and_broadcasts() {
        let a = Vector::new(vec![1.0, 2.0, 4.0]);
        let b = Vector::new(vec![0.5, 0.5, 2.0]);
        assert_eq!((&a + &b).as_slice(), &[1.5, 2.5, 6.0]);
        assert_eq!((&a - &b).as_slice(), &[0.5, 1.5, 2.0]);
        assert_eq!((&a * &b).as_slice(), &[0.5, 1.0, 8.0]);
        assert_eq!((&a / &b).as_slice(), &[2.0, 4.0, 2.0]);
        assert_eq!((2.0 - &a).as_slice(), &[1.0, 0.0, -2.0]);
        assert_eq!((8.0 / a.clone()).as_slice(), &[8.0, 4.0, 2.0]);
        assert_eq!((&a / 2.0).as_slice(), &[0.5, 1.0, 2.0]);
        let data = vec![1.0, 1.0, 1.0];
        assert_eq!((&data - &a).as_slice(), &[0.0, -1.0, -3.0]);
        assert_eq!((a.clone() * &data).as_slice(), a.as_slice());
        assert_eq!((-&a).as_slice(), &[-1.0, -2.0, -4.0]);
        assert_eq!(a.dot(&data).unwrap(), 7.0);
        assert_eq!(a.gather(&[2, 0, 2]).unwrap().as_slice(), &[4.0, 1.0, 4.0]);
        assert_eq!(
            a.gather(&[3]).unwrap_err().to_string(),
            "gather: index[1] is 4, but must be between 1 and the vector's length"
        );
        let x = Matrix::from_rows(&[vec![1.0, 2.0, 0.0], vec![0.0, 1.0, 1.0]]).unwrap();
        assert_eq!((&x * &a).as_slice(), &[5.0, 6.0]);
    }

    #[test]
    fn head_tail_and_segment_copy_or_report_the_range() {
        let v = Vector::from(&[1.0, 2.0, 3.0, 4.0][..]);
        assert_eq!(v.head(0).unwrap().len(), 0);
        assert_eq!(v.head(4).unwrap(), v);
        assert_eq!(v.tail(3).unwrap().as_slice(), &[2.0, 3.0, 4.0]);
        assert_eq!(v.tail(0).unwrap().len(), 0);
        assert_eq!(v.segment(0, 4).unwrap(), v);
        assert_eq!(v.segment(2, 1).unwrap().as_slice(), &[3.0]);
        assert_eq!(v.segment(4, 0).unwrap().len(), 0);
        assert_eq!(
            v.head(5).unwrap_err().to_string(),
            "head: n is 5, but must be at most the vector's length 4"
        );
        assert_eq!(
            v.tail(7).unwrap_err().to_string(),
            "tail: n is 7, but must be at most the vector's length 4"
        );
        assert_eq!(
            v.segment(5, 0).unwrap_err().to_string(),
            "segment: start + len is 5, but must be at most the vector's length 4"
        );
        assert_eq!(
            v.segment(usize::MAX, 2).unwrap_err().to_string(),
            format!(
                "segment: start + len is {} + 2, but must be at most the vector's length 4",
                usize::MAX
            )
        );
    }

    /// Generic code with an owned data vector on either side of a scalar (what
    /// `beta * y.head(n)?` needs in a generic body).
    fn lagged<T>(beta: T, y: &Vector<f64>) -> Result<T>
    where
        T: Real + Mul<Vector<f64>, Output = Vector<T>>,
        Vector<f64>: Sub<T, Output = Vector<T>>,
    {
        let n = y.len();
        let predicted = beta * y.head(n - 1)?;
        let centred = y.tail(n - 1)? - beta;
        Ok((&predicted * &centred).sum())
    }

    #[test]
    fn owned_data_vectors_mix_with_every_scalar() {
        let y = Vector::new(vec![1.0, 2.0, 4.0]);
        // Σ β y_t (y_{t+1} − β) = β(2 − β) + 2β(4 − β) = 10β − 3β².
        let value = lagged(2.0, &y).unwrap();
        assert_eq!(value, 8.0);
        let mut dense = vec![0.0];
        gradient_chunked::<1, _>(|p| lagged(p[0], &y), &[2.0], &mut dense).unwrap();
        let mut sparse = vec![0.0];
        crate::sparse::gradient_sparse::<1, _>(|p| lagged(p[0], &y), &[2.0], &mut sparse).unwrap();
        assert_eq!(dense, vec![-2.0]);
        assert_eq!(sparse, vec![-2.0]);
    }

    #[test]
    #[should_panic(expected = "vector addition: the left operand has 2 elements")]
    fn mismatched_lengths_panic_with_a_message() {
        let _ = &Vector::new(vec![1.0, 2.0]) + &Vector::new(vec![1.0]);
    }

    #[test]
    fn dual_arithmetic_gives_exact_gradients() {
        let data = vec![0.5, -1.0, 2.0];
        let x = [0.3, 1.7, 0.1, -0.4, 0.9];
        let f = |v: &[f64]| -> f64 { affine(v[0], v[1], &Vector::new(v[2..].to_vec()), &data) };
        let mut gradient = vec![0.0; 5];
        let value = gradient_chunked::<2, _>(
            |v| Ok(affine(v[0], v[1], &Vector::new(v[2..].to_vec()), &data)),
            &x,
            &mut gradient,
        )
        .unwrap();
        assert_eq!(value, f(&x));
        let expected = finite_difference_gradient(|v| Ok(f(v)), &x, 1e-6).unwrap();
        for (g, e) in gradient.iter().zip(&expected) {
            assert!((g - e).abs() < 1e-6 * e.abs().max(1.0), "{g} vs {e}");
        }
        // A dual scalar times a data vector, as `model!` binds data.
        let data_vector = Vector::from_vec_ref(&data);
        let mut g = vec![0.0; 2];
        gradient_chunked::<2, _>(
            |v| {
                let scaled = v[0] * data_vector;
                let shifted = data_vector - &Vector::new(vec![v[1]; 3]);
                Ok((scaled + &shifted).sum() + (data_vector * v[1]).sum())
            },
            &[2.0, 3.0],
            &mut g,
        )
        .unwrap();
        // sum = a·Σx + Σx − 3b + b·Σx with Σx = 1.5.
        assert_eq!(g, vec![1.5, -1.5]);
        // Dual matrix times dual vector.
        let mut g = vec![0.0; 2];
        gradient_chunked::<2, _>(
            |v| {
                let l =
                    Matrix::from_rows(&[vec![v[0], Dual::new_constant(0.0)], vec![v[1], v[0]]])?;
                Ok((&l * &Vector::new(vec![v[0], v[1]])).sum())
            },
            &[2.0, 3.0],
            &mut g,
        )
        .unwrap();
        // sum = a² + b·a + a·b → ∂a = 2a + 2b = 10, ∂b = 2a = 4.
        assert_eq!(g, vec![10.0, 4.0]);
    }

    #[test]
    fn vector_is_an_operand_and_an_output() {
        let v = Vector::new(vec![1.0, 2.0]);
        let operand = v.__ppl_operand();
        assert_eq!(operand.size(), Some(2));
        assert_eq!(*operand.at(1), 2.0);
        let mut out = Vec::new();
        v.__ppl_write(&mut out);
        let m = Matrix::from_rows(&[vec![1.0, 2.0], vec![3.0, 4.0]]).unwrap();
        m.__ppl_write(&mut out);
        assert_eq!(out, vec![1.0, 2.0, 1.0, 3.0, 2.0, 4.0]);
        let mut names = Vec::new();
        flat_names("L", &m.__ppl_dims(), &mut names);
        flat_names("mu", &[], &mut names);
        assert_eq!(names, vec!["L[1,1]", "L[2,1]", "L[1,2]", "L[2,2]", "mu"]);
    }
}
