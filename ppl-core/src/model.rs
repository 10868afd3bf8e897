//! The two traits between models and engines: `Model` (what `model!` generates, generic over the scalar) and `LogDensity` (what the engines consume).

use crate::dual::Dual;
use crate::error::Result;
use crate::gradient::{gradient_chunked, DEFAULT_LANES};

/// A log-density over an unconstrained vector, as the inference engines consume it.
///
/// Any type can implement it by hand (a hand-written density with an analytic gradient); every
/// [`Model`] gets it for free through a blanket implementation whose gradient is computed by
/// forward-mode dual numbers.
///
/// An `Err` or a non-finite value returned during sampling is treated by the samplers as a
/// divergence of that trajectory, never as a crash.
pub trait LogDensity: Send + Sync {
    /// Number of unconstrained parameters `d`.
    fn dim(&self) -> usize;

    /// `log p(u)` on the unconstrained scale, log-|Jacobian| included.
    fn log_density(&self, unconstrained: &[f64]) -> Result<f64>;

    /// `log p(u)` and its gradient, written into `gradient` (length `dim()`).
    fn log_density_gradient(&self, unconstrained: &[f64], gradient: &mut [f64]) -> Result<f64>;

    /// `log p(u)` and its gradient *without* the log-|Jacobian| of the transforms (Stan's
    /// `optimize` default, `jacobian=false`). Defaults to [`LogDensity::log_density_gradient`]
    /// for densities that have no transforms.
    fn log_density_gradient_no_jacobian(
        &self,
        unconstrained: &[f64],
        gradient: &mut [f64],
    ) -> Result<f64> {
        self.log_density_gradient(unconstrained, gradient)
    }

    /// Flat names of the output columns in Stan style (`mu`, `theta[1]`), derived quantities
    /// included. Defaults to `x[1]..x[d]`.
    fn param_names(&self) -> Vec<String> {
        (1..=self.dim()).map(|i| format!("x[{i}]")).collect()
    }

    /// The output columns (constrained values, then derived quantities) at `u`, in
    /// [`LogDensity::param_names`] order. Defaults to the identity.
    fn constrain(&self, unconstrained: &[f64]) -> Result<Vec<f64>> {
        Ok(unconstrained.to_vec())
    }

    /// The unconstrained vector for constrained parameter values given in
    /// [`LogDensity::param_names`] order (derived quantities, if given, are ignored). Defaults
    /// to the identity.
    fn unconstrain(&self, constrained: &[f64]) -> Result<Vec<f64>> {
        Ok(constrained[..self.dim()].to_vec())
    }
}

/// A model written against the scalar trait, as the `model!` macro generates it.
///
/// The log-density is provided twice, for `f64` and for [`Dual<N>`], usually by delegating both
/// to one private generic function (see the `model!` macro and `docs/ad.md`). Every `Model` is
/// a [`LogDensity`] whose gradient comes from forward-mode AD in chunks of
/// [`DEFAULT_LANES`] lanes.
pub trait Model: Send + Sync {
    /// Number of unconstrained parameters `d`.
    fn dim(&self) -> usize;

    /// `log p(u)` in `f64`; `jacobian` says whether the transforms' log-|Jacobian| is added.
    fn log_density_f64(&self, unconstrained: &[f64], jacobian: bool) -> Result<f64>;

    /// `log p(u)` with dual-number inputs; the tangents of the output are the directional
    /// derivatives along the inputs' tangents.
    fn log_density_dual<const N: usize>(
        &self,
        unconstrained: &[Dual<N>],
        jacobian: bool,
    ) -> Result<Dual<N>>;

    /// Flat output names in Stan style, parameters then derived quantities.
    fn param_names(&self) -> Vec<String>;

    /// Output values (constrained parameters then derived quantities) at `u`.
    fn constrain(&self, unconstrained: &[f64]) -> Result<Vec<f64>>;

    /// Unconstrained vector from constrained parameter values in `param_names` order.
    fn unconstrain(&self, constrained: &[f64]) -> Result<Vec<f64>>;
}

impl<M: Model> LogDensity for M {
    fn dim(&self) -> usize {
        Model::dim(self)
    }

    fn log_density(&self, unconstrained: &[f64]) -> Result<f64> {
        self.log_density_f64(unconstrained, true)
    }

    fn log_density_gradient(&self, unconstrained: &[f64], gradient: &mut [f64]) -> Result<f64> {
        gradient_chunked::<DEFAULT_LANES, _>(
            |u| self.log_density_dual(u, true),
            unconstrained,
            gradient,
        )
    }

    fn log_density_gradient_no_jacobian(
        &self,
        unconstrained: &[f64],
        gradient: &mut [f64],
    ) -> Result<f64> {
        gradient_chunked::<DEFAULT_LANES, _>(
            |u| self.log_density_dual(u, false),
            unconstrained,
            gradient,
        )
    }

    fn param_names(&self) -> Vec<String> {
        Model::param_names(self)
    }

    fn constrain(&self, unconstrained: &[f64]) -> Result<Vec<f64>> {
        Model::constrain(self, unconstrained)
    }

    fn unconstrain(&self, constrained: &[f64]) -> Result<Vec<f64>> {
        Model::unconstrain(self, constrained)
    }
}
