//! The two traits between models and engines: `Model` (what `model!` generates, generic over the scalar) and `LogDensity` (what the engines consume).

use crate::dual::Dual;
use crate::error::Result;
use crate::gradient::{gradient_chunked, DEFAULT_LANES};
use crate::sparse::{gradient_sparse, SparseDual, SPARSE_CAPACITY};

/// How a [`Model`]'s gradient is computed by forward-mode AD (`docs/ad.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum GradientMode {
    /// Chosen from the dimension: [`GradientMode::Dense`] for `d ≤` [`DENSE_MAX_DIM`], else
    /// [`GradientMode::Sparse`]; sparse at any `d` for a model that
    /// [prefers it](Model::prefers_sparse_gradient). The rule is a fixed function of the
    /// model, never a timing, so that a seed gives the same draws on every run; it was chosen
    /// by measurement (`docs/performance.md`).
    Auto,
    /// `ceil(d / 8)` passes of [`Dual<8>`](Dual) ([`gradient_chunked`]).
    Dense,
    /// One pass of [`SparseDual`] ([`gradient_sparse`]).
    Sparse,
}

/// The largest dimension for which [`GradientMode::Auto`] uses dense chunked duals (at most
/// three passes of 8 lanes) for a model without a [sparse hint](Model::prefers_sparse_gradient).
/// Measured on the `model!` models of `docs/performance.md`: dense wins on the small models
/// whose operations touch most parameters (eight schools, `gp_pois_regr`, `hmm_example`; the
/// matrix-vector product `x * beta` with a parameter vector), sparse wins from `diamonds`
/// (d = 26) up.
pub const DENSE_MAX_DIM: usize = 24;

impl GradientMode {
    /// The mode used for `model`: [`GradientMode::Auto`] resolved from its dimension and its
    /// [hint](Model::prefers_sparse_gradient).
    pub fn resolve_for<M: Model + ?Sized>(self, model: &M) -> GradientMode {
        match self {
            GradientMode::Auto if model.prefers_sparse_gradient() => GradientMode::Sparse,
            mode => mode.resolve(model.dim()),
        }
    }

    /// The mode used for a model of dimension `dim` without a sparse hint
    /// ([`GradientMode::Auto`] resolved).
    ///
    /// ```
    /// use ppl_core::GradientMode;
    /// assert_eq!(GradientMode::Auto.resolve(24), GradientMode::Dense);
    /// assert_eq!(GradientMode::Auto.resolve(25), GradientMode::Sparse);
    /// assert_eq!(GradientMode::Sparse.resolve(3), GradientMode::Sparse);
    /// ```
    pub fn resolve(self, dim: usize) -> GradientMode {
        match self {
            GradientMode::Auto if dim <= DENSE_MAX_DIM => GradientMode::Dense,
            GradientMode::Auto => GradientMode::Sparse,
            mode => mode,
        }
    }
}

/// The gradient of a [`Model`] with or without the log-Jacobian, in its resolved mode.
fn model_gradient<M: Model + ?Sized>(
    model: &M,
    unconstrained: &[f64],
    gradient: &mut [f64],
    jacobian: bool,
) -> Result<f64> {
    match model.gradient_mode().resolve_for(model) {
        GradientMode::Sparse => gradient_sparse(
            |u| model.log_density_sparse(u, jacobian),
            unconstrained,
            gradient,
        ),
        _ => gradient_chunked::<DEFAULT_LANES, _>(
            |u| model.log_density_dual(u, jacobian),
            unconstrained,
            gradient,
        ),
    }
}

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
/// The log-density is provided three times, for `f64`, for [`Dual<N>`] and for [`SparseDual`],
/// usually by delegating all of them to one private generic function (see the `model!` macro
/// and `docs/ad.md`). Every `Model` is a [`LogDensity`] whose gradient comes from forward-mode
/// AD, in the mode that [`Model::gradient_mode`] selects.
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

    /// `log p(u)` with sparse dual-number inputs (one pass gives the whole gradient, see
    /// [`SparseDual`]); usually the same generic function as the other two.
    fn log_density_sparse(
        &self,
        unconstrained: &[SparseDual<SPARSE_CAPACITY>],
        jacobian: bool,
    ) -> Result<SparseDual<SPARSE_CAPACITY>>;

    /// How [`LogDensity::log_density_gradient`] differentiates this model; defaults to
    /// [`GradientMode::Auto`].
    fn gradient_mode(&self) -> GradientMode {
        GradientMode::Auto
    }

    /// A hint for [`GradientMode::Auto`]: `true` when the model's intermediates depend on few
    /// parameters each even at small dimension, so that sparse tangents win at any `d`: its
    /// likelihood is a GLM density (coefficient gradient `Xᵀg` computed in `f64`) or has a
    /// gathered [`crate::Affine`] argument (`a.gather(g)? + b.gather(g)? * x`, whose tangent
    /// work is per group). `model!` sets it from the model's `~` statements; defaults to
    /// `false`.
    fn prefers_sparse_gradient(&self) -> bool {
        false
    }

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
        model_gradient(self, unconstrained, gradient, true)
    }

    fn log_density_gradient_no_jacobian(
        &self,
        unconstrained: &[f64],
        gradient: &mut [f64],
    ) -> Result<f64> {
        model_gradient(self, unconstrained, gradient, false)
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
