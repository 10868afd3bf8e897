//! A lazy affine density argument `offset[k_i] + scale[k_i] · x_i`: its elements are `f64` values without tangents, and the density's partials are summed per group before they reach the tangents.
//!
//! `y ~ normal(a[group] + b[group] .* x, sigma)` (varying intercepts and slopes) and
//! `y ~ normal(mu + tau * eta, sigma)` (a non-centred hierarchy) are the commonest likelihoods
//! in hierarchical models. Built eagerly, the location vector holds one scalar per observation,
//! and in forward mode each of them carries a tangent over the parameters it depends on (six
//! for the varying-slopes model): `N` tangent constructions, copies and scatters per gradient.
//! An [`Affine`] argument never builds those scalars. A vectorised density reads each element
//! value in `f64` and hands back `∂lp/∂μ_i`; the affine argument adds
//! `∂lp/∂μ_i` to its offset's group `k_i` and `∂lp/∂μ_i · x_i` to its scale's, both in `f64`,
//! and applies the `G` group sums to the tangents once when the density finishes. That is the
//! chain rule through a linear map, done inside the primitive as Stan's GLM densities do for
//! `Xᵀg`; the tangent work drops from `O(N)` to `O(G)`. `normal`, the commonest likelihood,
//! goes one step further for a gathered argument and for `mu + tau * eta`: the argument drives
//! the density's loop ([`Operand::visit`]), forming each value and adding its partial to the
//! sums in the same pass.

use std::cell::OnceCell;

use crate::error::{Error, Result};
use crate::real::{add_scaled_from, broadcast_len, visit_by_value, Operand, PartialSink, Real};
use crate::vector::first_index_at_or_above;

/// `offset[k_i] + scale[k_i] · x_i` as a lazy argument of a vectorised density, with
/// `k_i = index[i]` for [`Affine::gathered`] and `k_i = i` for [`Affine::new`].
///
/// Each of `offset`, `scale` and `x` is an [`Operand`]: a scalar (broadcast) or a vector, data
/// (`f64`) or parameters. `offset` and `scale` have the same scalar type, which is the
/// argument's. Element `i`'s value is `offset_k + scale_k · x_i` in `f64`, the same operations
/// in the same order as the eager expression, so values agree bit for bit.
///
/// A density that receives an `Affine` hands `∂lp/∂μ_i` to its [`AffinePartials`] sink
/// ([`Operand::partials`]), which sums them per group in `f64` and, when the density finishes,
/// applies the sums to the tangents of `offset`, `scale` and `x`: one tangent update per group
/// instead of one tangent per observation. Every density in [`crate::dist`] that takes an
/// [`Operand`] supports it, in any argument position; `normal` lets a gathered argument, or one
/// with a scalar offset and scale (`mu + tau * eta`), drive its loop ([`Operand::visit`]), so
/// that the values are formed and the partials summed in one pass over the observations.
/// [`Operand::at`] still works (it builds the elements as scalars on its first call), for code
/// that needs them.
///
/// # Example
/// ```
/// use ppl_core::{dist, Affine, GroupIndex};
/// // y ~ normal(a[group] + b[group] .* x, 0.5) with two groups (0-based indices).
/// let (a, b) = (vec![1.0, -1.0], vec![0.5, 2.0]);
/// let group = GroupIndex::new(vec![0, 1, 1], 2)?;
/// let (x, y) = (vec![1.0, 2.0, 3.0], vec![1.4, 3.1, 5.2]);
/// let location = Affine::gathered(&a, &b, &group, &x)?;
/// let lazy: f64 = dist::normal_lpdf(&y, &location, 0.5)?;
/// let k = group.as_slice();
/// let eager: Vec<f64> = (0..3).map(|i| a[k[i]] + b[k[i]] * x[i]).collect();
/// let expected: f64 = dist::normal_lpdf(&y, &eager, 0.5)?;
/// assert_eq!(lazy, expected);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub struct Affine<'a, A: Operand, B, X> {
    offset: A,
    scale: B,
    x: X,
    /// `k_i` for a gathered argument.
    index: Option<&'a [usize]>,
    /// `None` when every part is a scalar (the argument is then a scalar).
    len: Option<usize>,
    /// The values of `offset` and `scale`, read once.
    offset_values: PartValues,
    scale_values: PartValues,
    /// For a gathered argument read element by element (a density other than `normal`), the
    /// element values `offset_k + scale_k · x_i`, built in one tight pass on the first read:
    /// reading them back costs less than the group lookups. A density that lets the argument
    /// drive its loop ([`Operand::visit`]) never builds them.
    values: OnceCell<Vec<f64>>,
    /// Which parts carry tangents.
    offset_active: bool,
    scale_active: bool,
    x_active: bool,
    /// The elements as scalars, built by the first [`Operand::at`].
    materialised: OnceCell<Vec<A::Scalar>>,
}

/// The values of a part: one scalar, shared by every group, or one value per group. A scalar
/// costs no allocation, which matters for small models evaluated millions of times.
enum PartValues {
    Scalar(f64),
    Vector(Vec<f64>),
}

impl PartValues {
    fn read<P: Operand>(part: &P) -> Self {
        match part.size() {
            None => PartValues::Scalar(part.value_at(0)),
            Some(n) => PartValues::Vector((0..n).map(|k| part.value_at(k)).collect()),
        }
    }

    /// The value of group `k`.
    #[inline]
    fn get(&self, k: usize) -> f64 {
        match self {
            PartValues::Scalar(value) => *value,
            PartValues::Vector(values) => values[k],
        }
    }
}

const FUNCTION: &str = "affine";

/// Group indices for [`Affine::gathered`], 0-based (as [`crate::Vector::gather`]'s), each
/// checked once against the number of groups when the index is built, so that evaluations
/// do not pass over them again.
///
/// ```
/// let group = ppl_core::GroupIndex::new(vec![0, 2, 1, 2], 3)?;
/// assert_eq!((group.len(), group.groups()), (4, 3));
/// let err = ppl_core::GroupIndex::new(vec![0, 3], 3).unwrap_err();
/// assert_eq!(err.to_string(), "group index: index[2] is 4, but must be between 1 and 3");
/// # Ok::<(), ppl_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupIndex {
    index: Vec<usize>,
    groups: usize,
}

impl GroupIndex {
    /// `index[i]` is the group of observation `i`, in `0..groups`.
    ///
    /// # Errors
    /// An index outside `0..groups`, reported 1-based as Stan does:
    /// `group index: index[3] is 51, but must be between 1 and 50`.
    pub fn new(index: Vec<usize>, groups: usize) -> Result<Self> {
        if let Some(k) = first_index_at_or_above(&index, groups) {
            return Err(Error::invalid(
                "group index",
                format!("index[{}]", k + 1),
                index[k] + 1,
                format!("between 1 and {groups}"),
            ));
        }
        Ok(GroupIndex { index, groups })
    }

    /// The 0-based indices.
    pub fn as_slice(&self) -> &[usize] {
        &self.index
    }

    /// The number of observations.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// Whether there are no observations.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// The number of groups.
    pub fn groups(&self) -> usize {
        self.groups
    }
}

impl<'a, A, B, X> Affine<'a, A, B, X>
where
    A: Operand,
    B: Operand<Scalar = A::Scalar>,
    X: Operand,
{
    /// `offset + scale · x`, element-wise; scalars broadcast (Stan's `mu + tau * eta`).
    ///
    /// # Errors
    /// Vector parts whose lengths differ: `affine: x has 7 elements, but must have 8`.
    pub fn new(offset: A, scale: B, x: X) -> Result<Self> {
        let sizes = [
            ("offset", offset.size()),
            ("scale", scale.size()),
            ("x", x.size()),
        ];
        let len = broadcast_len(FUNCTION, &sizes)?;
        let len = sizes.iter().any(|(_, s)| s.is_some()).then_some(len);
        check_scalar_types::<A::Scalar, X>(&x)?;
        Ok(Self::build(offset, scale, x, None, len))
    }

    /// `offset[index[i]] + scale[index[i]] · x_i` for `i` in `0..index.len()` (Stan's
    /// `a[group] + b[group] .* x`). The indices were checked once, when the [`GroupIndex`] was
    /// built, so this costs no pass over them. A scalar `offset` or `scale` is shared by every
    /// group; a vector one has one element per group.
    ///
    /// # Errors
    /// A vector `offset` or `scale` whose length is not the number of groups
    /// (`affine: offset has 49 elements, but must have 50`), or a vector `x` whose length is
    /// not the index's.
    pub fn gathered(offset: A, scale: B, index: &'a GroupIndex, x: X) -> Result<Self> {
        for (name, size) in [("offset", offset.size()), ("scale", scale.size())] {
            if let Some(n) = size.filter(|&n| n != index.groups()) {
                return Err(Error::size_mismatch(FUNCTION, name, n, index.groups()));
            }
        }
        let index = index.as_slice();
        if let Some(n) = x.size() {
            if n != index.len() {
                return Err(Error::size_mismatch(FUNCTION, "x", n, index.len()));
            }
        }
        check_scalar_types::<A::Scalar, X>(&x)?;
        Ok(Self::build(
            offset,
            scale,
            x,
            Some(index),
            Some(index.len()),
        ))
    }

    /// [`Affine::gathered`] with plain 0-based indices, checked on every call (one pass over
    /// them) against the lengths of the vector parts, as [`crate::Vector::gather`] checks
    /// them. `model!` generates this for `a.gather(group)? + b.gather(group)? * x`.
    ///
    /// # Errors
    /// An index outside a vector part (`affine: index[3] is 51, but must be between 1 and
    /// 50, the length of offset`, reported 1-based), or a vector `x` whose length is not the
    /// index's.
    pub fn gathered_from(offset: A, scale: B, index: &'a [usize], x: X) -> Result<Self> {
        let parts = [("offset", offset.size()), ("scale", scale.size())];
        if let Some(limit) = parts.iter().filter_map(|(_, size)| *size).min() {
            if let Some(k) = first_index_at_or_above(index, limit) {
                let (name, length) = parts
                    .iter()
                    .find_map(|&(name, size)| size.filter(|&n| index[k] >= n).map(|n| (name, n)))
                    .unwrap_or(("offset", limit));
                return Err(Error::invalid(
                    FUNCTION,
                    format!("index[{}]", k + 1),
                    index[k] + 1,
                    format!("between 1 and {length}, the length of {name}"),
                ));
            }
        }
        if let Some(n) = x.size() {
            if n != index.len() {
                return Err(Error::size_mismatch(FUNCTION, "x", n, index.len()));
            }
        }
        check_scalar_types::<A::Scalar, X>(&x)?;
        Ok(Self::build(
            offset,
            scale,
            x,
            Some(index),
            Some(index.len()),
        ))
    }

    fn build(offset: A, scale: B, x: X, index: Option<&'a [usize]>, len: Option<usize>) -> Self {
        let offset_values = PartValues::read(&offset);
        let scale_values = PartValues::read(&scale);
        Affine {
            offset_active: offset.any_tangent(),
            scale_active: scale.any_tangent(),
            x_active: x.any_tangent(),
            offset,
            scale,
            x,
            index,
            len,
            offset_values,
            scale_values,
            values: OnceCell::new(),
            materialised: OnceCell::new(),
        }
    }

    /// The element values of a gathered argument (see `values`).
    #[inline(always)]
    fn gathered_values(&self, index: &[usize]) -> &[f64] {
        match self.values.get() {
            Some(values) => values,
            None => self.build_gathered_values(index),
        }
    }

    #[cold]
    #[inline(never)]
    fn build_gathered_values(&self, index: &[usize]) -> &[f64] {
        self.values.get_or_init(|| {
            // Written into a zeroed vector: the compiler keeps these loops tighter than a
            // `collect`.
            let (x, mut values) = (&self.x, vec![0.0; index.len()]);
            match (&self.offset_values, &self.scale_values) {
                (PartValues::Vector(offset), PartValues::Vector(scale)) => {
                    for (i, (value, &k)) in values.iter_mut().zip(index).enumerate() {
                        *value = offset[k] + scale[k] * x.value_at(i);
                    }
                }
                (offset, scale) => {
                    for (i, (value, &k)) in values.iter_mut().zip(index).enumerate() {
                        *value = offset.get(k) + scale.get(k) * x.value_at(i);
                    }
                }
            }
            values
        })
    }

    /// `k_i`: the group of element `i`.
    #[inline]
    fn group(&self, i: usize) -> usize {
        group_of(self.index, i)
    }

    /// Element `i` as a scalar with its tangent (for [`Operand::at`]).
    fn element(&self, i: usize) -> A::Scalar {
        let k = self.group(i);
        let (scale_k, x_i) = (self.scale.value_at(k), self.x.value_at(i));
        let mut tangents = A::Scalar::accumulator();
        add_scaled_from(&mut tangents, self.offset.at(k), 1.0);
        add_scaled_from(&mut tangents, self.scale.at(k), x_i);
        add_scaled_from(&mut tangents, self.x.at(i), scale_k);
        tangents + (self.offset.value_at(k) + scale_k * x_i)
    }
}

/// `k_i`: the group of element `i` under `index` (none: element `i` is its own group).
#[inline(always)]
fn group_of(index: Option<&[usize]>, i: usize) -> usize {
    match index {
        Some(index) => index[i],
        None => i,
    }
}

/// The argument's scalar type is `offset`'s, so an `x` with parameters needs the same type:
/// otherwise [`Operand::at`] could not give its elements their tangents.
fn check_scalar_types<S: Real, X: Operand>(x: &X) -> Result<()> {
    use std::any::TypeId;
    if x.any_tangent() && TypeId::of::<X::Scalar>() != TypeId::of::<S>() {
        return Err(Error::invalid(
            FUNCTION,
            "offset",
            "data while x holds parameters",
            "of the parameters' scalar type (write it as `T::constant(value)`)",
        ));
    }
    Ok(())
}

/// A part's running per-group sums of partials: nothing for a part without tangents, one
/// number for a scalar part (no allocation), one per group for a vector part.
enum Sums {
    Inactive,
    Scalar(f64),
    Vector(Vec<f64>),
}

impl Sums {
    #[inline]
    fn zeros(active: bool, part_size: Option<usize>) -> Self {
        match (active, part_size) {
            (false, _) => Sums::Inactive,
            (true, None) => Sums::Scalar(0.0),
            (true, Some(n)) => Sums::Vector(vec![0.0; n]),
        }
    }

    #[inline(always)]
    fn add(&mut self, k: usize, partial: f64) {
        match self {
            Sums::Inactive => {}
            Sums::Scalar(sum) => *sum += partial,
            Sums::Vector(sums) => sums[k] += partial,
        }
    }

    /// Hands the sums to `part`'s own sink (element `k` gets group `k`'s sum).
    fn apply<P: Operand, T: Real>(self, part: &P, out: &mut T) {
        let mut sink = part.partials();
        match self {
            Sums::Inactive => return,
            Sums::Scalar(sum) => sink.add(out, 0, sum),
            Sums::Vector(sums) => {
                for (k, partial) in sums.into_iter().enumerate() {
                    if partial != 0.0 {
                        sink.add(out, k, partial);
                    }
                }
            }
        }
        sink.finish(out);
    }
}

/// The [`PartialSink`] of an [`Affine`] argument: `∂lp/∂μ_i` goes to offset group `k_i`,
/// `∂lp/∂μ_i · x_i` to scale group `k_i` (both summed in `f64`), `∂lp/∂μ_i · scale_k` to
/// `x_i`; [`PartialSink::finish`] applies the group sums, once per group.
pub struct AffinePartials<'s, 'a, A: Operand, B, X: Operand + 's> {
    affine: &'s Affine<'a, A, B, X>,
    // Copies of the affine's flags and index, so that the density's loop keeps them in
    // registers (a read through `affine` may alias the sums it writes).
    index: Option<&'a [usize]>,
    scale_active: bool,
    offset_sums: Sums,
    scale_sums: Sums,
    x_partials: Option<X::Partials<'s>>,
}

impl<A, B, X> PartialSink for AffinePartials<'_, '_, A, B, X>
where
    A: Operand,
    B: Operand<Scalar = A::Scalar>,
    X: Operand,
{
    // Inlined into the density's loop: a call per observation costs as much as the sums.
    #[inline(always)]
    fn add<T: Real>(&mut self, out: &mut T, i: usize, partial: f64) {
        let affine = self.affine;
        let k = group_of(self.index, i);
        self.offset_sums.add(k, partial);
        if self.scale_active {
            self.scale_sums.add(k, partial * affine.x.value_at(i));
        }
        if let Some(x_partials) = &mut self.x_partials {
            x_partials.add(out, i, partial * affine.scale_values.get(k));
        }
    }

    fn finish<T: Real>(self, out: &mut T) {
        self.offset_sums.apply(&self.affine.offset, out);
        self.scale_sums.apply(&self.affine.scale, out);
        if let Some(x_partials) = self.x_partials {
            x_partials.finish(out);
        }
    }
}

impl<'a, A, B, X> Operand for Affine<'a, A, B, X>
where
    A: Operand,
    B: Operand<Scalar = A::Scalar>,
    X: Operand,
{
    type Scalar = A::Scalar;
    type Partials<'s>
        = AffinePartials<'s, 'a, A, B, X>
    where
        Self: 's;

    #[inline]
    fn size(&self) -> Option<usize> {
        self.len
    }

    fn at(&self, i: usize) -> &A::Scalar {
        let elements = self.materialised.get_or_init(|| {
            (0..self.len.unwrap_or(1))
                .map(|j| self.element(j))
                .collect()
        });
        // A scalar argument ignores `i`, as every scalar operand does.
        &elements[if self.len.is_none() { 0 } else { i }]
    }

    #[inline(always)]
    fn value_at(&self, i: usize) -> f64 {
        // Without an index, formed when read (no allocation); a gathered argument's values
        // are built once, on the first read (`normal` does not read them but lets the argument
        // drive its loop, `visit`).
        let k = match self.index {
            None => i,
            Some(index) => return self.gathered_values(index)[i],
        };
        self.offset_values.get(k) + self.scale_values.get(k) * self.x.value_at(i)
    }

    const MAY_VISIT: bool = true;

    #[inline]
    fn prefers_visit(&self) -> bool {
        self.index.is_some()
            || matches!(
                (&self.offset_values, &self.scale_values),
                (PartValues::Scalar(_), PartValues::Scalar(_))
            )
    }

    #[inline(always)]
    fn visit<'s, T: Real>(
        &'s self,
        n: usize,
        sink: Option<&mut AffinePartials<'s, 'a, A, B, X>>,
        out: &mut T,
        mut element: impl FnMut(&mut T, usize, f64) -> f64,
    ) {
        // Varying intercepts and slopes (`a[group] + b[group] .* x`) over a data `x`: each
        // value is formed as the loop reaches it (the operations of `Operand::value_at`, so
        // the same bits), and its partial goes straight to the group sums, in the density's loop.
        if let (Some(index), PartValues::Vector(offset), PartValues::Vector(scale), false) = (
            self.index,
            &self.offset_values,
            &self.scale_values,
            self.x_active,
        ) {
            let index = &index[..n];
            match sink.map(|sink| (&mut sink.offset_sums, &mut sink.scale_sums)) {
                None => {
                    for (i, &k) in index.iter().enumerate() {
                        element(out, i, offset[k] + scale[k] * self.x.value_at(i));
                    }
                }
                Some((Sums::Vector(offset_sums), Sums::Vector(scale_sums))) => {
                    for (i, &k) in index.iter().enumerate() {
                        let x_i = self.x.value_at(i);
                        let partial = element(out, i, offset[k] + scale[k] * x_i);
                        offset_sums[k] += partial;
                        scale_sums[k] += partial * x_i;
                    }
                }
                // One part without tangents (a dense chunk that does not reach it).
                Some((offset_sums, scale_sums)) => {
                    for (i, &k) in index.iter().enumerate() {
                        let x_i = self.x.value_at(i);
                        let partial = element(out, i, offset[k] + scale[k] * x_i);
                        offset_sums.add(k, partial);
                        scale_sums.add(k, partial * x_i);
                    }
                }
            }
            return;
        }
        // A non-centred hierarchy (`mu + tau * eta`): one offset and one scale, summed in
        // registers (from zero and in order, the sums `Sums` would form), and `x`'s partials
        // straight to its sink.
        if let (None, &PartValues::Scalar(offset), &PartValues::Scalar(scale)) =
            (self.index, &self.offset_values, &self.scale_values)
        {
            match sink {
                None => {
                    for i in 0..n {
                        element(out, i, offset + scale * self.x.value_at(i));
                    }
                }
                Some(sink) => {
                    let (mut offset_sum, mut scale_sum) = (0.0, 0.0);
                    for i in 0..n {
                        let x_i = self.x.value_at(i);
                        let partial = element(out, i, offset + scale * x_i);
                        offset_sum += partial;
                        scale_sum += partial * x_i;
                        if let Some(x_partials) = &mut sink.x_partials {
                            x_partials.add(out, i, partial * scale);
                        }
                    }
                    sink.offset_sums.add(0, offset_sum);
                    sink.scale_sums.add(0, scale_sum);
                }
            }
            return;
        }
        visit_by_value(self, n, sink, out, element);
    }

    #[inline]
    fn any_tangent(&self) -> bool {
        self.offset_active || self.scale_active || self.x_active
    }

    fn partials(&self) -> AffinePartials<'_, 'a, A, B, X> {
        AffinePartials {
            affine: self,
            index: self.index,
            scale_active: self.scale_active,
            offset_sums: Sums::zeros(self.offset_active, self.offset.size()),
            scale_sums: Sums::zeros(self.scale_active, self.scale.size()),
            x_partials: self.x_active.then(|| self.x.partials()),
        }
    }
}

impl<'a, A, B, X> Operand for &Affine<'a, A, B, X>
where
    A: Operand,
    B: Operand<Scalar = A::Scalar>,
    X: Operand,
{
    type Scalar = A::Scalar;
    type Partials<'s>
        = AffinePartials<'s, 'a, A, B, X>
    where
        Self: 's;

    #[inline]
    fn size(&self) -> Option<usize> {
        (**self).size()
    }
    #[inline]
    fn at(&self, i: usize) -> &A::Scalar {
        (**self).at(i)
    }
    #[inline(always)]
    fn value_at(&self, i: usize) -> f64 {
        (**self).value_at(i)
    }
    #[inline]
    fn any_tangent(&self) -> bool {
        (**self).any_tangent()
    }
    #[inline]
    fn partials(&self) -> AffinePartials<'_, 'a, A, B, X> {
        (**self).partials()
    }
    const MAY_VISIT: bool = true;

    #[inline]
    fn prefers_visit(&self) -> bool {
        (**self).prefers_visit()
    }
    #[inline(always)]
    fn visit<'s, T: Real>(
        &'s self,
        n: usize,
        sink: Option<&mut AffinePartials<'s, 'a, A, B, X>>,
        out: &mut T,
        element: impl FnMut(&mut T, usize, f64) -> f64,
    ) {
        (**self).visit(n, sink, out, element)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::testing::assert_close;
    use crate::{dist, gradient_chunked, gradient_sparse, Dual, SparseDual};

    const GROUP: [usize; 7] = [0, 2, 1, 2, 0, 1, 2];
    const X: [f64; 7] = [0.3, -1.2, 2.0, 0.7, -0.4, 1.1, 0.0];
    const Y: [f64; 7] = [0.5, -0.9, 2.2, 1.3, -0.1, 0.4, 0.8];
    const COUNTS: [i64; 7] = [0, 3, 1, 2, 0, 5, 1];
    const BINARY: [i64; 7] = [0, 1, 1, 0, 1, 0, 1];
    const TRIALS: [i64; 7] = [2, 4, 1, 3, 1, 6, 2];
    const POSITIVE: [f64; 7] = [1.6, 0.4, 9.0, 3.7, 0.9, 1.5, 2.2];

    /// Several densities over `location`, which is passed to each of them in turn (the
    /// buffers must be cleared between densities).
    fn densities<T: Real>(location: impl Operand + Copy, sigma: T) -> Result<T> {
        Ok(dist::normal_lpdf::<T>(&Y[..], location, sigma)?
            + dist::student_t_lpdf::<T>(&Y[..], 4.5, location, sigma)?
            + dist::cauchy_lupdf::<T>(&Y[..], location, sigma)?
            + dist::poisson_log_lpmf::<T>(&COUNTS[..], location)?
            + dist::bernoulli_logit_lpmf::<T>(&BINARY[..], location)?
            + dist::logistic_lpdf::<T>(&Y[..], location, sigma)?
            // (Not `Y`: one of its values is a location below, at the density's kink.)
            + dist::double_exponential_lpdf::<T>(&POSITIVE[..], location, sigma)?
            + dist::lognormal_lupdf::<T>(&POSITIVE[..], location, sigma)?
            + dist::binomial_logit_lpmf::<T>(&COUNTS[..], &TRIALS[..], location)?
            + dist::neg_binomial_2_log_lupmf::<T>(&COUNTS[..], location, sigma)?
            // In the variate position too.
            + dist::normal_lpdf::<T>(location, 0.3, sigma)?)
    }

    /// Varying intercepts and slopes, `u = [a_0..a_2, b_0..b_2, ln sigma]`.
    fn varying_slopes<T: Real>(u: &[T], lazy: bool) -> Result<T> {
        let (a, b, sigma) = (&u[0..3], &u[3..6], u[6].exp());
        if lazy {
            let group = GroupIndex::new(GROUP.to_vec(), 3)?;
            densities(&Affine::gathered(a, b, &group, &X[..])?, sigma)
        } else {
            let eager: Vec<T> = (0..7).map(|i| a[GROUP[i]] + b[GROUP[i]] * X[i]).collect();
            densities(&eager, sigma)
        }
    }

    /// A non-centred hierarchy, `u = [mu, ln tau, eta_0..eta_6]`.
    fn non_centred<T: Real>(u: &[T], lazy: bool) -> Result<T> {
        let (mu, tau, eta) = (u[0], u[1].exp(), &u[2..]);
        if lazy {
            densities(&Affine::new(mu, tau, eta)?, T::constant(0.8))
        } else {
            let eager: Vec<T> = eta.iter().map(|&e| mu + tau * e).collect();
            densities(&eager, T::constant(0.8))
        }
    }

    /// A scalar slope on data, `u = [alpha, beta]`: `alpha + beta * X`, and an all-scalar
    /// argument `alpha + beta * 0.5`.
    fn scalar_parts<T: Real>(u: &[T], lazy: bool) -> Result<T> {
        let (alpha, beta) = (u[0], u[1]);
        if lazy {
            Ok(
                densities(&Affine::new(alpha, beta, &X[..])?, T::constant(1.3))?
                    + densities(&Affine::new(alpha, beta, 0.5)?, T::constant(1.3))?,
            )
        } else {
            let eager: Vec<T> = X.iter().map(|&x| alpha + beta * x).collect();
            Ok(densities(&eager, T::constant(1.3))?
                + densities(alpha + beta * 0.5, T::constant(1.3))?)
        }
    }

    /// The lazy and eager forms agree in value (exactly), and in the dense and sparse
    /// gradients, which also match central finite differences.
    fn assert_lazy_matches_eager(
        model: fn(&[f64], bool) -> Result<f64>,
        dense: fn(&[Dual<4>], bool) -> Result<Dual<4>>,
        sparse: fn(&[SparseDual<3>], bool) -> Result<SparseDual<3>>,
        u: &[f64],
    ) {
        let d = u.len();
        assert_eq!(model(u, true).unwrap(), model(u, false).unwrap());
        let fd = crate::finite_difference_gradient(|v| model(v, false), u, 1e-6).unwrap();
        for lazy in [true, false] {
            let mut g_dense = vec![0.0; d];
            let mut g_sparse = vec![0.0; d];
            let v_dense = gradient_chunked::<4, _>(|v| dense(v, lazy), u, &mut g_dense).unwrap();
            let v_sparse = gradient_sparse::<3, _>(|v| sparse(v, lazy), u, &mut g_sparse).unwrap();
            assert_close(v_dense, model(u, false).unwrap(), 1e-13);
            assert_close(v_sparse, model(u, false).unwrap(), 1e-13);
            for k in 0..d {
                assert_close(g_dense[k], fd[k], 1e-6);
                assert_close(g_sparse[k], g_dense[k], 1e-12);
            }
        }
    }

    #[test]
    fn gathered_varying_slopes_match_the_eager_vector() {
        let u = [0.2, -0.5, 0.9, 0.4, -0.3, 0.1, -0.2];
        assert_lazy_matches_eager(varying_slopes, varying_slopes, varying_slopes, &u);
    }

    /// `gathered_from` (indices checked per call) builds the same argument as `gathered`.
    fn varying_slopes_from_slice<T: Real>(u: &[T], lazy: bool) -> Result<T> {
        let (a, b, sigma) = (&u[0..3], &u[3..6], u[6].exp());
        if lazy {
            densities(&Affine::gathered_from(a, b, &GROUP, &X[..])?, sigma)
        } else {
            varying_slopes(u, true)
        }
    }

    #[test]
    fn gathered_from_a_slice_matches_the_group_index() {
        let u = [0.2, -0.5, 0.9, 0.4, -0.3, 0.1, -0.2];
        assert_lazy_matches_eager(
            varying_slopes_from_slice,
            varying_slopes_from_slice,
            varying_slopes_from_slice,
            &u,
        );
    }

    /// Non-centred varying intercepts and slopes with nested affine parts,
    /// `u = [mu_a, mu_b, ln sigma_a, ln sigma_b, a_raw_0..2, b_raw_0..2, ln sigma]`.
    fn nested_varying_slopes<T: Real>(u: &[T], lazy: bool) -> Result<T> {
        let (mu_a, mu_b, sigma_a, sigma_b) = (u[0], u[1], u[2].exp(), u[3].exp());
        let (a_raw, b_raw, sigma) = (&u[4..7], &u[7..10], u[10].exp());
        if lazy {
            let a = Affine::new(mu_a, sigma_a, a_raw)?;
            let b = Affine::new(mu_b, sigma_b, b_raw)?;
            densities(&Affine::gathered_from(&a, &b, &GROUP, &X[..])?, sigma)
        } else {
            let eager: Vec<T> = (0..7)
                .map(|i| {
                    let k = GROUP[i];
                    mu_a + sigma_a * a_raw[k] + (mu_b + sigma_b * b_raw[k]) * X[i]
                })
                .collect();
            densities(&eager, sigma)
        }
    }

    #[test]
    fn nested_affine_parts_match_the_eager_vector() {
        let u = [0.2, -0.4, -0.3, 0.1, 0.5, -1.0, 0.2, 1.4, -0.6, 0.05, -0.2];
        assert_lazy_matches_eager(
            nested_varying_slopes,
            nested_varying_slopes,
            nested_varying_slopes,
            &u,
        );
    }

    #[test]
    fn non_centred_location_matches_the_eager_vector() {
        let u = [0.3, -0.4, 0.5, -1.0, 0.2, 1.4, -0.6, 0.05, 0.9];
        assert_lazy_matches_eager(non_centred, non_centred, non_centred, &u);
    }

    #[test]
    fn scalar_parts_match_the_eager_forms() {
        let u = [0.25, -0.7];
        assert_lazy_matches_eager(scalar_parts, scalar_parts, scalar_parts, &u);
    }

    /// A gathered argument whose `x` holds parameters and whose offset is one scalar, `u =
    /// [alpha, b_0..b_2, x_0..x_6, ln sigma]`: `normal` cannot take the fast loop of
    /// `Operand::visit` (vector parts over a data `x`), and the general one must agree.
    fn gathered_parameter_x<T: Real>(u: &[T], lazy: bool) -> Result<T> {
        let (alpha, b, x, sigma) = (u[0], &u[1..4], &u[4..11], u[11].exp());
        if lazy {
            let group = GroupIndex::new(GROUP.to_vec(), 3)?;
            densities(&Affine::gathered(alpha, b, &group, x)?, sigma)
        } else {
            let eager: Vec<T> = (0..7).map(|i| alpha + b[GROUP[i]] * x[i]).collect();
            densities(&eager, sigma)
        }
    }

    #[test]
    fn gathered_parts_of_every_kind_match_the_eager_vector() {
        let u: Vec<f64> = (0..12).map(|i| (i as f64 * 0.37).sin()).collect();
        assert_lazy_matches_eager(
            gathered_parameter_x,
            gathered_parameter_x,
            gathered_parameter_x,
            &u,
        );
    }

    /// Every density a gathered location can drive, over the first `n` observations, with
    /// `location` as its location (or log-odds, log-rate, log-mean) and `scale` as its scale
    /// (or dispersion) where it has one.
    fn each_density<T: Real>(
        n: usize,
        location: impl Operand + Copy,
        scale: impl Operand + Copy,
    ) -> [Result<T>; 10] {
        [
            dist::normal_lpdf::<T>(&Y[..n], location, scale),
            dist::student_t_lpdf::<T>(&Y[..n], 4.5, location, scale),
            dist::cauchy_lpdf::<T>(&Y[..n], location, scale),
            dist::logistic_lpdf::<T>(&Y[..n], location, scale),
            dist::double_exponential_lpdf::<T>(&Y[..n], location, scale),
            dist::lognormal_lpdf::<T>(&POSITIVE[..n], location, scale),
            dist::poisson_log_lpmf::<T>(&COUNTS[..n], location),
            dist::bernoulli_logit_lpmf::<T>(&BINARY[..n], location),
            dist::binomial_logit_lpmf::<T>(&COUNTS[..n], &TRIALS[..n], location),
            dist::neg_binomial_2_log_lpmf::<T>(&COUNTS[..n], location, scale),
        ]
    }

    /// With no observations the loop checks nothing, but an invalid scalar location (lazy or
    /// not) is still reported, as Stan reports it before returning 0 for empty vectors.
    #[test]
    fn an_invalid_scalar_location_is_reported_without_observations() {
        let lazy = Affine::new(f64::NAN, 1.0, 0.5).unwrap();
        let lazy_results = each_density::<f64>(0, &lazy, 0.5);
        let eager_results = each_density::<f64>(0, f64::NAN, 0.5);
        for (k, (lazy, eager)) in lazy_results.iter().zip(&eager_results).enumerate() {
            let message = eager.as_ref().unwrap_err().to_string();
            assert!(
                message.contains(" is NaN, but must be"),
                "density {k}: {message}"
            );
            assert_eq!(
                lazy.as_ref().unwrap_err().to_string(),
                message,
                "density {k}"
            );
        }
        // Valid arguments: 0.
        for result in each_density::<f64>(0, &Affine::new(0.2, 1.0, 0.5).unwrap(), 0.5) {
            assert_eq!(result.unwrap(), 0.0);
        }
    }

    /// A non-centred location (`mu + tau * eta`) with an invalid element gives the eager
    /// vector's error in every density, for the value and the gradient.
    #[test]
    fn invalid_elements_of_a_non_centred_location_give_the_eager_error() {
        let mut eta = X;
        eta[4] = f64::NAN;
        let lazy = Affine::new(0.3, 1.2, &eta[..]).unwrap();
        let eager: Vec<f64> = eta.iter().map(|e| 0.3 + 1.2 * e).collect();
        let lazy_results = each_density::<f64>(7, &lazy, 0.5);
        let eager_results = each_density::<f64>(7, &eager, 0.5);
        let mut gradient = [0.0; 2];
        for k in 0..10 {
            let message = eager_results[k].as_ref().unwrap_err().to_string();
            assert!(message.contains("[5] is NaN"), "{message}");
            assert_eq!(lazy_results[k].as_ref().unwrap_err().to_string(), message);
            let err = gradient_chunked::<4, _>(
                |v| {
                    let lazy = Affine::new(v[0], v[1], &eta[..])?;
                    let mut results = each_density(7, &lazy, 0.5).into_iter();
                    results.nth(k).unwrap()
                },
                &[0.3, 1.2],
                &mut gradient,
            )
            .unwrap_err();
            assert_eq!(err.to_string(), message, "density {k}");
        }
    }

    /// An invalid element met in the loop a gathered argument drives gives the error the eager
    /// vector gives (the checks re-read the values), in every density that it can drive, for the
    /// value and the gradient; and the location's error comes first in Stan's order when the
    /// scale is invalid too, or the sizes differ.
    #[test]
    fn invalid_elements_of_a_gathered_location_give_the_eager_error() {
        let group = GroupIndex::new(GROUP.to_vec(), 3).unwrap();
        let (a, b) = ([0.1, 0.2, 0.3], [1.0, -1.0, 0.5]);
        // +∞ and NaN elements (NaN fails every check; +∞ fails all but `not NaN`).
        for bad in [f64::INFINITY, f64::NAN] {
            let mut x = X;
            x[4] = bad;
            let lazy = Affine::gathered(&a[..], &b[..], &group, &x[..]).unwrap();
            let eager: Vec<f64> = (0..7).map(|i| a[GROUP[i]] + b[GROUP[i]] * x[i]).collect();
            let lazy_results = each_density::<f64>(7, &lazy, 0.5);
            let eager_results = each_density::<f64>(7, &eager, 0.5);
            // A bad scale as well: the location is checked first.
            let bad_scale = each_density::<f64>(7, &lazy, -1.0);
            let eager_bad_scale = each_density::<f64>(7, &eager, -1.0);
            // And one size that differs.
            let short_scale = [0.5; 6];
            let bad_size = each_density::<f64>(7, &lazy, &short_scale[..]);
            let eager_bad_size = each_density::<f64>(7, &eager, &short_scale[..]);
            let mut gradient = [0.0; 6];
            for k in 0..10 {
                let lazy_message = match &lazy_results[k] {
                    Ok(value) => {
                        // Allowed only when the eager vector is valid as well (`not NaN`
                        // passes +∞): then the values agree.
                        assert_eq!(*value, *eager_results[k].as_ref().unwrap(), "density {k}");
                        continue;
                    }
                    Err(err) => err.to_string(),
                };
                let eager_message = eager_results[k].as_ref().unwrap_err().to_string();
                assert_eq!(lazy_message, eager_message, "density {k}");
                assert!(lazy_message.contains("[5] is"), "{lazy_message}");
                for (lazy, eager) in [
                    (&bad_scale[k], &eager_bad_scale[k]),
                    (&bad_size[k], &eager_bad_size[k]),
                ] {
                    let message = lazy.as_ref().unwrap_err().to_string();
                    assert_eq!(
                        message,
                        eager.as_ref().unwrap_err().to_string(),
                        "density {k}"
                    );
                    assert_eq!(message, lazy_message, "density {k}");
                }
                // With tangents too.
                let err = gradient_sparse::<3, _>(
                    |v| {
                        let lazy = Affine::gathered(&v[..3], &v[3..], &group, &x[..])?;
                        let mut results = each_density(7, &lazy, 0.5).into_iter();
                        results.nth(k).unwrap()
                    },
                    &[a, b].concat(),
                    &mut gradient,
                )
                .unwrap_err();
                assert_eq!(err.to_string(), eager_message, "density {k}");
            }
        }
    }

    #[test]
    fn at_builds_elements_with_their_tangents() {
        let u = [0.2, -0.5, 0.9, 0.4, -0.3, 0.1];
        let mut from_at = vec![0.0; 6];
        let mut eager = vec![0.0; 6];
        let weights = |i: usize| 0.3 * i as f64 - 0.7;
        gradient_chunked::<4, _>(
            |v| {
                let group = GroupIndex::new(GROUP.to_vec(), 3)?;
                let mu = Affine::gathered(&v[0..3], &v[3..6], &group, &X[..])?;
                Ok((0..7).map(|i| *mu.at(i) * weights(i)).sum())
            },
            &u,
            &mut from_at,
        )
        .unwrap();
        gradient_chunked::<4, _>(
            |v| {
                Ok((0..7)
                    .map(|i| (v[GROUP[i]] + v[3 + GROUP[i]] * X[i]) * weights(i))
                    .sum())
            },
            &u,
            &mut eager,
        )
        .unwrap();
        for k in 0..6 {
            assert_close(from_at[k], eager[k], 1e-14);
        }
    }

    #[test]
    fn bad_arguments_give_typed_errors() {
        let (a, b) = (vec![0.0; 3], vec![1.0; 3]);
        let err = GroupIndex::new(vec![0, 3, 1], 3).unwrap_err();
        assert_eq!(
            err.to_string(),
            "group index: index[2] is 4, but must be between 1 and 3"
        );
        let group = GroupIndex::new(vec![0, 2, 1], 3).unwrap();
        let err = Affine::gathered(&a[..2], &b, &group, &[1.0, 2.0, 3.0][..])
            .err()
            .unwrap();
        assert_eq!(
            err.to_string(),
            Error::size_mismatch("affine", "offset", 2, 3).to_string()
        );
        let err = Affine::gathered_from(&a, &b[..2], &[0, 2, 1], &[1.0, 2.0, 3.0][..])
            .err()
            .unwrap();
        assert_eq!(
            err.to_string(),
            "affine: index[2] is 3, but must be between 1 and 2, the length of scale"
        );
        let err = Affine::gathered(&a, &b, &group, &[1.0, 2.0][..])
            .err()
            .unwrap();
        assert!(matches!(err, Error::SizeMismatch { .. }), "{err}");
        let err = Affine::new(&a, 1.0, &[1.0, 2.0][..]).err().unwrap();
        assert!(matches!(err, Error::SizeMismatch { .. }), "{err}");
        let mut g = [0.0];
        let err = gradient_chunked::<1, _>(
            |v| {
                Affine::new(0.0, 1.0, v[0])?;
                Ok(v[0])
            },
            &[0.5],
            &mut g,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "affine: offset is data while x holds parameters, but must be of the parameters' \
             scalar type (write it as `T::constant(value)`)"
        );
    }
}
