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
/// simulation, predictive checks and the uncertainty tools.
///
/// # Moments
/// `mean` and `variance` are the conditional moments `E(y | θ)` and `Var(y | θ)`, in the type
/// [`Distribution::Moment`], which is separate from the type of a draw so that every family can
/// report them: `f64` for every univariate family, discrete ones included (a Poisson draw is an
/// `i64`, its mean `λ` is not), and `Vec<f64>` (element-wise) for multivariate families. They
/// are `None` only where the moment does not exist (the Cauchy's mean, Student-t's variance
/// for `ν ≤ 2`).
///
/// ```
/// use ppl_core::dist::{Distribution, Poisson};
/// let poisson = Poisson::new(3.5)?;
/// assert_eq!(poisson.mean(), Some(3.5));
/// assert_eq!(poisson.variance(), Some(3.5));
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub trait Distribution {
    /// The type of one draw: `f64`, `i64` or `Vec<f64>`/`Vec<i64>` for multivariate families.
    type Value;
    /// The type of the mean and variance: `f64` for univariate families (discrete included),
    /// `Vec<f64>` for multivariate ones.
    type Moment;
    /// One draw.
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Self::Value;
    /// The mean `E(y | θ)`, if it exists (`None` for the Cauchy).
    fn mean(&self) -> Option<Self::Moment>;
    /// The variance `Var(y | θ)` (element-wise for vectors), if it exists.
    fn variance(&self) -> Option<Self::Moment>;
    /// The support.
    fn support(&self) -> Support;
    /// The normalised log-density (or log-mass) at `x`; `-∞` outside the support.
    fn log_density(&self, x: &Self::Value) -> f64;
}
