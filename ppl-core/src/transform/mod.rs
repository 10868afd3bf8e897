//! Bijective transforms from the unconstrained space to each constrained support, with log-|Jacobian|, following Stan's conventions and sizes.
//!
//! See `docs/transforms.md`.

mod check;
mod cholesky_corr;
mod cholesky_cov;
mod cov_matrix;
mod lower;
mod lower_upper;
mod offset_multiplier;
mod ordered;
mod positive_ordered;
mod runtime;
mod simplex;
#[cfg(test)]
mod testing;
mod upper;

pub use cholesky_corr::*;
pub use cholesky_cov::*;
pub use cov_matrix::*;
pub use lower::*;
pub use lower_upper::*;
pub use offset_multiplier::*;
pub use ordered::*;
pub use positive_ordered::*;
pub use runtime::Transform;
pub use simplex::*;
pub use upper::*;
