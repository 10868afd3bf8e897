//! The partial-derivative accumulator every vectorised density shares, and the assembly of a density's value with its tangents.
//!
//! A density computes its value and the partials `∂lp_i/∂arg_i` in `f64` in one pass over the
//! observations; [`ArgPartials`] routes each partial to the right tangent (element-wise for a
//! vector argument, summed and applied once for a broadcast scalar), and [`log_mass`] adds the
//! value to the accumulated tangents.

use crate::real::{Operand, Real};

/// Whether any element of `arg` carries a tangent (a parameter rather than data), so that
/// partials costing special-function calls (digamma, Bessel ratios) can be skipped for data.
#[inline]
pub(crate) fn has_tangent<A: Operand>(arg: &A) -> bool {
    arg.any_tangent()
}

/// Accumulates `∂lp/∂arg` for one vectorised argument in one pass: a vector argument's
/// partials are applied to each element's tangent as they come; a scalar argument's are summed
/// and applied once by [`ArgPartials::apply`]. An argument without tangents (data, or a dual
/// outside the current gradient chunk) is inactive and costs nothing, so callers can skip
/// computing its partials (`is_active`).
pub(crate) struct ArgPartials<'a, A: Operand> {
    arg: &'a A,
    scalar: bool,
    active: bool,
    sum: f64,
    /// Every element's partial, for an argument that sums them itself
    /// ([`Operand::sums_partials`]); empty otherwise.
    collected: Vec<f64>,
}

impl<'a, A: Operand> ArgPartials<'a, A> {
    /// An accumulator for `arg`.
    pub(crate) fn new(arg: &'a A) -> Self {
        let scalar = arg.size().is_none();
        let active = has_tangent(arg);
        let collected = match arg.size() {
            Some(n) if active && arg.sums_partials() => vec![0.0; n],
            _ => Vec::new(),
        };
        ArgPartials {
            arg,
            scalar,
            active,
            sum: 0.0,
            collected,
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
        if !self.active {
            return;
        }
        if self.scalar {
            self.sum += partial;
        } else if !self.collected.is_empty() {
            self.collected[i] += partial;
        } else {
            self.arg.add_partial(out, i, partial);
        }
    }

    /// Applies a scalar argument's summed partial, a collecting argument's partials, and
    /// whatever a lazy argument buffered ([`Operand::finish_partials`]). Every density calls
    /// it once per argument.
    #[inline]
    pub(crate) fn apply<T: Real>(self, out: &mut T) {
        if !self.active {
            return;
        }
        if self.scalar {
            self.arg.add_partial(out, 0, self.sum);
        } else if !self.collected.is_empty() {
            self.arg.add_partials(out, &self.collected);
            return;
        }
        self.arg.finish_partials(out);
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
