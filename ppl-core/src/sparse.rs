//! The sparse forward-mode dual number `SparseDual<K>`: a value plus a short inline list of (parameter index, partial) pairs, spilling to a dense tangent only when it depends on more than `K` parameters.
//!
//! Chunked dense duals ([`crate::Dual`]) repeat the `f64` work of a log-density `ceil(d / N)`
//! times. In most models an intermediate depends on a handful of parameters —
//! `a[group[i]] + b[group[i]] * x[i]` in a hierarchical regression depends on six of 105 — so
//! its tangent is stored as that handful of pairs, and the whole gradient comes out of **one**
//! pass. Values that depend on many parameters (a density summed over observations, the
//! model's `target`) spill their tangent into a dense slot of length `d` held by the current
//! thread; such values are few per evaluation.
//!
//! **Target accumulation.** A value created by [`Real::accumulator`] (the model's `target`,
//! the log-Jacobian, a density's running tangent) is updated *in place* by `+=`, `-=` and
//! [`Real::add_scaled`], so summing `n` terms into it costs the terms' sizes, not `n · d`.
//! Every other value is immutable: an operation whose result would share a dense slot with an
//! accumulator marks the slot shared, and the accumulator copies it before its next update.
//! An accumulator must therefore not be copied while it is still being updated (ppl's own
//! code and the `model!` macro never do).
//!
//! Use [`gradient_sparse`] to evaluate a function with sparse duals; it seeds the inputs,
//! resets the thread's dense slots and reads the gradient out of the result.

use std::cell::RefCell;
use std::fmt;
use std::iter::Sum;
use std::ops::{AddAssign, DivAssign, MulAssign, SubAssign};

use crate::error::Result;
use crate::gradient::check_gradient_len;
use crate::real::Real;

/// Inline capacity used by [`crate::LogDensity`]'s sparse gradient path (chosen by measurement,
/// see `docs/performance.md`).
pub const SPARSE_CAPACITY: usize = 8;

/// `len` value marking a tangent held in a dense slot (`index[0]` is the slot number).
const IN_SLOT: u32 = u32::MAX;

/// A forward-mode dual number whose tangent is sparse: `value + Σ_k partial[k]·ε_{index[k]}`
/// with at most `K` pairs inline, or a dense tangent of length `d` in a per-thread slot.
///
/// Comparisons (`<`, `==`) look at the value only, as for [`crate::Dual`].
#[derive(Clone, Copy)]
pub struct SparseDual<const K: usize> {
    value: f64,
    /// Number of inline pairs, or [`IN_SLOT`].
    len: u32,
    /// Whether this is an accumulator (updated in place, see the module docs).
    accumulator: bool,
    /// Parameter indices, unordered and possibly repeated (inline), or the slot number in
    /// `index[0]`.
    index: [u32; K],
    /// Partials matching `index`.
    partial: [f64; K],
}

/// The current thread's dense tangents.
struct SlotStore {
    /// Length of every dense tangent (the dimension of the current gradient).
    dim: usize,
    slots: Vec<Vec<f64>>,
    /// Whether a non-accumulator value shares the slot (then it must not change in place).
    shared: Vec<bool>,
    /// Slots in use in the current evaluation.
    used: usize,
    /// Nesting depth of [`gradient_sparse`] calls on this thread.
    depth: usize,
}

thread_local! {
    static SLOTS: RefCell<SlotStore> = const {
        RefCell::new(SlotStore { dim: 0, slots: Vec::new(), shared: Vec::new(), used: 0, depth: 0 })
    };
}

impl SlotStore {
    /// A zeroed slot; its number.
    fn allocate(&mut self) -> u32 {
        let slot = self.used;
        if slot == self.slots.len() {
            self.slots.push(vec![0.0; self.dim]);
            self.shared.push(false);
        } else {
            let dense = &mut self.slots[slot];
            dense.clear();
            dense.resize(self.dim, 0.0);
            self.shared[slot] = false;
        }
        self.used += 1;
        slot as u32
    }

    /// `slots[target] += weight · tangent(source)`. Inlined with [`with_slots`] into the
    /// accumulator's update, so that adding a density's partials does not go through two
    /// calls and the thread-local accessor per term.
    #[inline]
    fn scatter<const K: usize>(&mut self, target: u32, source: &SparseDual<K>, weight: f64) {
        if source.len == IN_SLOT {
            let from = source.index[0] as usize;
            let target = target as usize;
            if from == target {
                for t in &mut self.slots[target] {
                    *t *= 1.0 + weight;
                }
                return;
            }
            let (dest, src) = if from < target {
                let (low, high) = self.slots.split_at_mut(target);
                (&mut high[0], &low[from])
            } else {
                let (low, high) = self.slots.split_at_mut(from);
                (&mut low[target], &high[0])
            };
            if dest.len() < src.len() {
                dest.resize(src.len(), 0.0);
            }
            for (t, s) in dest.iter_mut().zip(src) {
                *t += weight * s;
            }
        } else {
            let dest = &mut self.slots[target as usize];
            for k in 0..source.len as usize {
                let i = source.index[k] as usize;
                if i >= dest.len() {
                    dest.resize(i + 1, 0.0);
                }
                dest[i] += weight * source.partial[k];
            }
        }
    }
}

#[inline]
fn with_slots<R>(f: impl FnOnce(&mut SlotStore) -> R) -> R {
    SLOTS.with(|store| f(&mut store.borrow_mut()))
}

impl<const K: usize> SparseDual<K> {
    /// A constant (no tangent).
    #[inline]
    pub const fn new_constant(value: f64) -> Self {
        SparseDual {
            value,
            len: 0,
            accumulator: false,
            index: [0; K],
            partial: [0.0; K],
        }
    }

    /// The input variable number `index`: tangent `ε_index`. Only meaningful inside
    /// [`gradient_sparse`] (which creates the inputs itself).
    #[inline]
    pub fn variable(value: f64, index: usize) -> Self {
        let mut out = Self::new_constant(value);
        if K > 0 {
            out.len = 1;
            out.index[0] = index as u32;
            out.partial[0] = 1.0;
        }
        out
    }

    /// Whether the tangent is held in a dense slot.
    #[inline]
    fn in_slot(&self) -> bool {
        self.len == IN_SLOT
    }

    /// The number of non-zero tangent entries stored inline, or `None` for a dense tangent.
    #[inline]
    pub fn inline_len(&self) -> Option<usize> {
        (!self.in_slot()).then_some(self.len as usize)
    }

    /// Adds `weight · tangent` into `gradient` (length ≥ the largest index + 1).
    pub fn scatter_tangent(&self, gradient: &mut [f64], weight: f64) {
        if self.in_slot() {
            with_slots(|store| {
                let dense = &store.slots[self.index[0] as usize];
                for (g, t) in gradient.iter_mut().zip(dense) {
                    *g += weight * t;
                }
            });
        } else {
            for k in 0..self.len as usize {
                gradient[self.index[k] as usize] += weight * self.partial[k];
            }
        }
    }

    /// `value` with the tangent of `source` (shares a dense slot, marking it shared).
    #[inline]
    fn shifted(value: f64, source: &Self) -> Self {
        if source.in_slot() {
            let slot = source.index[0] as usize;
            with_slots(|store| store.shared[slot] = true);
        }
        SparseDual {
            value,
            accumulator: false,
            ..*source
        }
    }

    /// `value` with tangent `factor · tangent(source)`.
    #[inline]
    fn scaled(value: f64, source: &Self, factor: f64) -> Self {
        if source.len == 0 {
            return Self::new_constant(value);
        }
        if source.in_slot() {
            if factor == 1.0 {
                return Self::shifted(value, source);
            }
            return Self::dense_combination(value, source, factor, None);
        }
        let mut out = SparseDual {
            value,
            accumulator: false,
            ..*source
        };
        for p in &mut out.partial[..source.len as usize] {
            *p *= factor;
        }
        out
    }

    /// `value` with tangent `a · tangent(x) + b · tangent(y)` in a new dense slot.
    fn dense_combination(value: f64, x: &Self, a: f64, y: Option<(&Self, f64)>) -> Self {
        let slot = with_slots(|store| {
            let slot = store.allocate();
            store.scatter(slot, x, a);
            if let Some((y, b)) = y {
                store.scatter(slot, y, b);
            }
            slot
        });
        let mut out = Self::new_constant(value);
        out.len = IN_SLOT;
        out.index[0] = slot;
        out
    }

    /// Writes the inline tangent `a · tx + b · ty` into `out` (value untouched). Returns `false`
    /// if it has more than `K` distinct indices (then `out` is unspecified).
    ///
    /// Inline lists are unordered and may repeat an index (the partials then add up), so the
    /// common case is a plain concatenation; only a list that would exceed `K` is compacted.
    #[inline]
    fn merge_inline(out: &mut Self, x: &Self, a: f64, y: &Self, b: f64) -> bool {
        let (lx, ly) = (x.len as usize, y.len as usize);
        if lx + ly <= K {
            out.index[..lx].copy_from_slice(&x.index[..lx]);
            out.index[lx..lx + ly].copy_from_slice(&y.index[..ly]);
            for k in 0..lx {
                out.partial[k] = a * x.partial[k];
            }
            for k in 0..ly {
                out.partial[lx + k] = b * y.partial[k];
            }
            out.len = (lx + ly) as u32;
            return true;
        }
        Self::merge_compacted(out, x, a, y, b)
    }

    /// [`SparseDual::merge_inline`] for a concatenation longer than `K`: adds repeated indices
    /// together, failing only if more than `K` distinct indices remain.
    #[cold]
    fn merge_compacted(out: &mut Self, x: &Self, a: f64, y: &Self, b: f64) -> bool {
        let mut n = 0;
        let mut index = [0u32; K];
        let mut partial = [0.0; K];
        let terms = (0..x.len as usize)
            .map(|k| (x.index[k], a * x.partial[k]))
            .chain((0..y.len as usize).map(|k| (y.index[k], b * y.partial[k])));
        for (i, p) in terms {
            match index[..n].iter().position(|&existing| existing == i) {
                Some(slot) => partial[slot] += p,
                None if n < K => {
                    index[n] = i;
                    partial[n] = p;
                    n += 1;
                }
                None => return false,
            }
        }
        out.index = index;
        out.partial = partial;
        out.len = n as u32;
        true
    }

    /// `value` with tangent `a · tangent(x) + b · tangent(y)`.
    #[inline]
    fn combine(value: f64, x: &Self, a: f64, y: &Self, b: f64) -> Self {
        match (x.len, y.len) {
            (0, 0) => Self::new_constant(value),
            (_, 0) => Self::scaled(value, x, a),
            (0, _) => Self::scaled(value, y, b),
            _ => {
                if !x.in_slot() && !y.in_slot() {
                    let mut out = Self::new_constant(value);
                    if Self::merge_inline(&mut out, x, a, y, b) {
                        return out;
                    }
                }
                Self::dense_combination(value, x, a, Some((y, b)))
            }
        }
    }

    /// `tangent(self) += weight · tangent(source)`, in place for an unshared accumulator.
    fn add_tangent(&mut self, source: &Self, weight: f64) {
        if source.len == 0 || weight == 0.0 {
            return;
        }
        if self.accumulator && self.in_slot() {
            let slot = self.index[0];
            let done = with_slots(|store| {
                if store.shared[slot as usize] {
                    return false;
                }
                store.scatter(slot, source, weight);
                true
            });
            if done {
                return;
            }
        }
        let accumulator = self.accumulator;
        let mut out = Self::combine(self.value, self, 1.0, source, weight);
        if accumulator && !out.in_slot() && out.len as usize == K {
            // A full inline accumulator moves to a slot now, so that later terms scatter.
            out = Self::dense_combination(out.value, &out, 1.0, None);
        }
        out.accumulator = accumulator;
        *self = out;
    }
}

/// Gradient of `f` at `x` in one pass of sparse forward-mode dual numbers.
///
/// Input `i` enters with tangent `ε_i`; intermediates carry only the parameters they depend
/// on (up to `K` inline), and the result's tangent is the gradient. The thread's dense slots
/// are reset before and after the call (nested calls share them). Writes `∂f/∂x` into
/// `gradient` and returns `f(x)`.
///
/// # Errors
/// Whatever `f` returns, or [`crate::Error::SizeMismatch`] if `gradient.len() != x.len()`.
///
/// # Example
/// ```
/// use ppl_core::{gradient_sparse, Real};
/// let mut g = vec![0.0; 3];
/// let f = gradient_sparse::<4, _>(|x| Ok(x[0] * x[1] + x[2].exp()), &[2.0, 3.0, 0.0], &mut g)?;
/// assert_eq!(f, 7.0);
/// assert_eq!(g, vec![3.0, 2.0, 1.0]);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn gradient_sparse<const K: usize, F>(f: F, x: &[f64], gradient: &mut [f64]) -> Result<f64>
where
    F: FnOnce(&[SparseDual<K>]) -> Result<SparseDual<K>>,
{
    let d = x.len();
    check_gradient_len(gradient, d)?;
    let outermost = with_slots(|store| {
        store.depth += 1;
        if store.depth == 1 {
            store.used = 0;
            store.dim = d;
            true
        } else {
            store.dim = store.dim.max(d);
            false
        }
    });
    let inputs: Vec<SparseDual<K>> = x
        .iter()
        .enumerate()
        .map(|(i, &v)| SparseDual::variable(v, i))
        .collect();
    let result = f(&inputs);
    gradient.fill(0.0);
    if let Ok(out) = &result {
        out.scatter_tangent(gradient, 1.0);
    }
    with_slots(|store| {
        store.depth -= 1;
        if outermost {
            store.used = 0;
        }
    });
    result.map(|out| out.value)
}

impl<const K: usize> Default for SparseDual<K> {
    fn default() -> Self {
        Self::new_constant(0.0)
    }
}

impl<const K: usize> fmt::Debug for SparseDual<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.in_slot() {
            write!(
                f,
                "SparseDual({}, dense slot {})",
                self.value, self.index[0]
            )
        } else {
            let len = self.len as usize;
            let pairs: Vec<(u32, f64)> = self.index[..len]
                .iter()
                .copied()
                .zip(self.partial[..len].iter().copied())
                .collect();
            write!(f, "SparseDual({}, {:?})", self.value, pairs)
        }
    }
}

crate::dual_ops::impl_dual_number_ops!(SparseDual, K);

impl<const K: usize> AddAssign for SparseDual<K> {
    #[inline]
    fn add_assign(&mut self, rhs: Self) {
        if self.accumulator {
            self.value += rhs.value;
            self.add_tangent(&rhs, 1.0);
        } else {
            *self = *self + rhs;
        }
    }
}
impl<const K: usize> SubAssign for SparseDual<K> {
    #[inline]
    fn sub_assign(&mut self, rhs: Self) {
        if self.accumulator {
            self.value -= rhs.value;
            self.add_tangent(&rhs, -1.0);
        } else {
            *self = *self - rhs;
        }
    }
}
impl<const K: usize> MulAssign for SparseDual<K> {
    #[inline]
    fn mul_assign(&mut self, rhs: Self) {
        // The product is a new value (an accumulator stops being one).
        *self = *self * rhs;
    }
}
impl<const K: usize> DivAssign for SparseDual<K> {
    #[inline]
    fn div_assign(&mut self, rhs: Self) {
        *self = *self / rhs;
    }
}
impl<const K: usize> AddAssign<f64> for SparseDual<K> {
    #[inline]
    fn add_assign(&mut self, rhs: f64) {
        self.value += rhs;
    }
}
impl<const K: usize> SubAssign<f64> for SparseDual<K> {
    #[inline]
    fn sub_assign(&mut self, rhs: f64) {
        self.value -= rhs;
    }
}
impl<const K: usize> MulAssign<f64> for SparseDual<K> {
    #[inline]
    fn mul_assign(&mut self, rhs: f64) {
        *self = *self * rhs;
    }
}
impl<const K: usize> DivAssign<f64> for SparseDual<K> {
    #[inline]
    fn div_assign(&mut self, rhs: f64) {
        *self = *self / rhs;
    }
}

impl<const K: usize> Sum for SparseDual<K> {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        let mut total = Self::accumulator();
        for x in iter {
            total += x;
        }
        total + 0.0
    }
}

impl<'a, const K: usize> Sum<&'a SparseDual<K>> for SparseDual<K> {
    fn sum<I: Iterator<Item = &'a Self>>(iter: I) -> Self {
        iter.copied().sum()
    }
}

impl<const K: usize> Real for SparseDual<K> {
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
    fn has_tangent(&self) -> bool {
        self.len != 0
    }
    #[inline]
    fn add_scaled(&mut self, source: &Self, weight: f64) {
        self.add_tangent(source, weight);
    }
    #[inline]
    fn accumulator() -> Self {
        SparseDual {
            accumulator: true,
            ..Self::new_constant(0.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradient::gradient_chunked;

    type S = SparseDual<3>;

    /// Sparse and dense gradients of `f` agree at `x` (the dense one with 4-lane chunks).
    fn assert_same_gradient<F, G>(sparse: F, dense: G, x: &[f64])
    where
        F: FnOnce(&[S]) -> Result<S>,
        G: Fn(&[crate::Dual<4>]) -> Result<crate::Dual<4>>,
    {
        let mut g_sparse = vec![0.0; x.len()];
        let mut g_dense = vec![0.0; x.len()];
        let v_sparse = gradient_sparse(sparse, x, &mut g_sparse).unwrap();
        let v_dense = gradient_chunked(dense, x, &mut g_dense).unwrap();
        assert_eq!(v_sparse, v_dense);
        for (i, (s, d)) in g_sparse.iter().zip(&g_dense).enumerate() {
            assert!(
                (s - d).abs() <= 1e-13 * d.abs().max(1.0),
                "gradient[{i}]: sparse {s} vs dense {d}"
            );
        }
    }

    fn polynomial<T: Real>(x: &[T]) -> Result<T> {
        // Inline merges, an overflow to a slot (5 indices > K = 3), and slot arithmetic.
        let small = x[0] * x[1] + x[2];
        let large = small * x[3] - x[4] / x[0] + x[5].exp();
        Ok(large * large + small.ln_1p() - large * 2.0)
    }

    #[test]
    fn inline_and_dense_tangents_match_dense_duals() {
        let x = [0.5, -1.2, 2.0, 0.3, 1.5, -0.7];
        assert_same_gradient(polynomial, polynomial, &x);
    }

    fn accumulate<T: Real>(x: &[T]) -> Result<T> {
        let mut target = T::accumulator();
        for (i, xi) in x.iter().enumerate() {
            target += *xi * *xi * (i as f64 + 1.0);
            target -= xi.exp();
        }
        target += 3.0;
        Ok(target)
    }

    #[test]
    fn accumulator_sums_in_place() {
        let x = [0.1, 0.2, -0.3, 0.4, 0.5, -0.6, 0.7];
        assert_same_gradient(accumulate, accumulate, &x);
    }

    #[test]
    fn a_shared_accumulator_slot_is_copied_before_it_changes() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let mut g = vec![0.0; 5];
        let mut snapshot_gradient = vec![0.0; 5];
        gradient_sparse::<3, _>(
            |x| {
                let mut acc = S::accumulator();
                for xi in x {
                    acc += *xi;
                }
                // `snapshot` shares the slot; the next update must not change it.
                let snapshot = acc + 0.0;
                acc += x[0] * 10.0;
                snapshot.scatter_tangent(&mut snapshot_gradient, 1.0);
                Ok(acc)
            },
            &x,
            &mut g,
        )
        .unwrap();
        assert_eq!(snapshot_gradient, vec![1.0; 5]);
        assert_eq!(g, vec![11.0, 1.0, 1.0, 1.0, 1.0]);
    }

    #[test]
    fn sums_and_scaling_of_dense_tangents() {
        let x = [0.3, 0.6, 0.9, 1.2, 1.5];
        let f = |x: &[S]| -> Result<S> {
            let total: S = x.iter().sum();
            Ok((total * 2.0 - 1.0) / 3.0 + total.sin() * x[1])
        };
        let g_fn = |x: &[crate::Dual<4>]| -> Result<crate::Dual<4>> {
            let total: crate::Dual<4> = x.iter().sum();
            Ok((total * 2.0 - 1.0) / 3.0 + total.sin() * x[1])
        };
        assert_same_gradient(f, g_fn, &x);
    }

    /// Uses every `Real` method and the vectorised helpers, on values in their domains, with
    /// intermediates that stay inline and others that spill (more than K = 3 parameters).
    fn every_method<T: Real>(x: &[T]) -> Result<T> {
        let positive = |v: T| v.exp() + 0.5;
        let (a, b, c) = (x[0], x[1], x[2]);
        let mut terms = vec![
            a.exp() + positive(b).ln() + (a * 0.1).ln_1p() + b.exp_m1(),
            positive(c).sqrt() + a.square() + b.abs() + positive(a).powi(3),
            positive(a).powf(b * 0.3) + positive(b).powf_const(1.7) + c.sin() * a.cos(),
            a.tanh() + b.log1p_exp() + c.inv_logit() + a.log_inv_logit() + b.log1m_inv_logit(),
            positive(c).lgamma() + positive(a).digamma() + b.erf() + c.erfc(),
            a.std_normal_cdf() + b.std_normal_log_cdf(),
            positive(a).lbeta(positive(b)) + (positive(c) + 3.0).lchoose(positive(a)),
            a.max(b) - c.min(a),
            crate::real::log_mix(c.inv_logit(), a, b),
            crate::real::log_sum_exp(&x[3..]),
            crate::dist::normal_lpdf::<T>(&x[3..9], a, positive(b))?,
            crate::dist::gamma_lpdf::<T>(positive(x[9]), positive(x[10]), positive(x[11]))?,
        ];
        let spread: T = x.iter().map(|&v| v * v).sum();
        terms.push(spread.sqrt() / (positive(a) + spread));
        let mut target = T::accumulator();
        for term in terms {
            target += term;
        }
        Ok(target)
    }

    proptest::proptest! {
        #[test]
        fn every_real_method_matches_dense_duals(
            x in proptest::collection::vec(-1.5..1.5f64, 12)
        ) {
            assert_same_gradient(every_method, every_method, &x);
        }
    }

    #[test]
    fn size_mismatch_is_an_error() {
        let mut g = vec![0.0; 2];
        let err = gradient_sparse::<2, _>(|x| Ok(x[0]), &[1.0], &mut g).unwrap_err();
        assert!(err.to_string().contains("gradient"), "{err}");
    }
}
