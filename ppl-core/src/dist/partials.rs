//! The partial-derivative accumulator every vectorised density shares, and the assembly of a density's value with its tangents.
//!
//! A density computes its value and the partials `∂lp_i/∂arg_i` in `f64` in one pass over the
//! observations; [`ArgPartials`] routes each partial to the right tangent (element-wise for a
//! vector argument, summed and applied once for a broadcast scalar), and [`log_mass`] adds the
//! value to the accumulated tangents.

use crate::real::{Operand, PartialSink, Real};

/// Accumulates `∂lp/∂arg` for one vectorised argument in one pass, through the argument's
/// [`crate::PartialSink`]: a vector argument's partials are applied to each element's tangent as
/// they come, a scalar argument's are summed and applied once by [`ArgPartials::apply`], a lazy
/// argument's summed per group. An argument without tangents (data, or a dual outside the
/// current gradient chunk) is inactive and costs nothing, so callers can skip computing its
/// partials (`is_active`).
pub(crate) struct ArgPartials<'a, A: Operand + 'a> {
    sink: A::Partials<'a>,
    active: bool,
}

impl<'a, A: Operand + 'a> ArgPartials<'a, A> {
    /// An accumulator for `arg`.
    #[inline]
    pub(crate) fn new(arg: &'a A) -> Self {
        ArgPartials {
            active: arg.any_tangent(),
            sink: arg.partials(),
        }
    }

    /// Whether any element carries a tangent.
    #[inline]
    pub(crate) fn is_active(&self) -> bool {
        self.active
    }

    /// Adds `partial = ∂lp_i/∂arg_i` for observation `i`.
    #[inline]
    pub(crate) fn add<T: Real>(&mut self, out: &mut T, i: usize, partial: f64) {
        if self.active {
            self.sink.add(out, i, partial);
        }
    }

    /// Runs a density's loop over elements `0..n` of `arg` (the argument this accumulator was
    /// made for): `element(out, i, value_i)` returns `∂lp/∂arg_i`, which is added as by
    /// [`ArgPartials::add`]; see [`Operand::visit`].
    #[inline(always)]
    pub(crate) fn visit<T: Real>(
        &mut self,
        arg: &'a A,
        n: usize,
        out: &mut T,
        element: impl FnMut(&mut T, usize, f64) -> f64,
    ) {
        arg.visit(n, self.active.then_some(&mut self.sink), out, element);
    }

    /// Applies what was summed. Every density calls it once per argument.
    #[inline]
    pub(crate) fn apply<T: Real>(self, out: &mut T) {
        if self.active {
            self.sink.finish(out);
        }
    }
}

/// The density's result: `value` plus the accumulated tangents in `tangents`, or a constant
/// `−∞` (no tangent, as Stan's `LOG_ZERO`) when the value is `−∞`.
#[inline]
pub(crate) fn log_mass<T: Real>(tangents: T, value: f64) -> T {
    if value == f64::NEG_INFINITY {
        T::constant(value)
    } else {
        tangents + value
    }
}
