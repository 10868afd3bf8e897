//! The `Distribution` trait: a family with fixed `f64` parameters that can be sampled and that knows its mean, variance and support.

use rand::Rng;

/// The support of a distribution with fixed parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Support {
    /// The real line.
    Real,
    /// `(lower, ∞)`.
    LowerBounded(f64),
    /// `(lower, upper)`.
    Interval(f64, f64),
    /// `{lower, lower + 1, ...}` up to `upper` (inclusive) if given.
    Integers {
        /// Smallest value.
        lower: i64,
        /// Largest value, if bounded.
        upper: Option<i64>,
    },
    /// Real vectors of the given length.
    RealVector(usize),
    /// The simplex of vectors of the given length.
    Simplex(usize),
    /// Cholesky factors of `K × K` correlation matrices.
    CholeskyCorr(usize),
    /// Count vectors of the given length.
    CountVector(usize),
}

/// A distribution with fixed `f64` parameters: sampling, moments, support and log-density.
///
/// Built by each family's constructor (`Normal::new(0.0, 1.0)?`), which checks the arguments
/// and returns the same typed errors as the log-density functions. The generic, vectorised,
/// differentiable log-densities are the free functions (`normal_lpdf`); this trait serves
/// simulation, predictive checks and the uncertainty tools (`mean` and `variance` are the
/// conditional moments `E(y | θ)` and `Var(y | θ)`).
pub trait Distribution {
    /// The type of one draw: `f64`, `i64` or `Vec<f64>`/`Vec<i64>` for multivariate families.
    type Value;
    /// One draw.
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Self::Value;
    /// The mean, if it exists (`None` for the Cauchy).
    fn mean(&self) -> Option<Self::Value>;
    /// The variance (element-wise for vectors), if it exists.
    fn variance(&self) -> Option<Self::Value>;
    /// The support.
    fn support(&self) -> Support;
    /// The normalised log-density (or log-mass) at `x`; `-∞` outside the support.
    fn log_density(&self, x: &Self::Value) -> f64;
}
