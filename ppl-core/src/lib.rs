//! ppl-core: the forward-mode AD scalar, special functions, distributions and transforms that every ppl model is built from.
//!
//! - [`Real`] is the scalar trait implemented by `f64` and [`Dual<N>`]; a model written once
//!   against it gives values and gradients.
//! - [`gradient_chunked`] covers any dimension with `N`-lane duals; [`gradient_sparse`] gives
//!   the whole gradient in one pass of [`SparseDual`]s, whose tangents list only the
//!   parameters a value depends on.
//! - [`dist`] holds the log-densities (Stan's parameterisations), [`transform`] the bijectors.
//! - [`Model`] and [`LogDensity`] are the interface to the inference engines.

mod affine;
mod data;
pub mod dist;
mod dual;
mod dual_ops;
mod error;
mod gradient;
pub mod linalg;
mod matrix;
mod model;
mod predictive;
mod real;
#[cfg(test)]
mod real_tests;
mod sparse;
pub mod special;
pub mod transform;
mod vector;

pub use affine::{Affine, AffinePartials, GroupIndex};
pub use data::Data;
pub use dual::Dual;
pub use error::{Error, Result};
pub use gradient::{finite_difference_gradient, gradient_chunked, DEFAULT_LANES};
pub use matrix::{Matrix, MatrixOperand};
pub use model::{GradientMode, LogDensity, Model, DENSE_MAX_DIM};
pub use predictive::Predictive;
#[doc(hidden)]
pub mod __predictive_support {
    pub use crate::predictive::{
        unsupported_site, IntoSiteArg, PredictiveState, SiteArg, SiteBounds, SiteIndex, SiteTarget,
    };
    pub use rand::RngCore;
}
pub use real::{
    broadcast_len, cumulative_sum, dot_product, dot_self, log_diff_exp, log_inv_logit_diff,
    log_mix, log_softmax, log_sum_exp, log_sum_exp2, mean, sd, softmax, sum, variance,
    DirectPartials, IntOperand, Operand, PartialSink, Real,
};
pub use sparse::{gradient_sparse, SparseDual, SPARSE_CAPACITY};
#[doc(hidden)]
pub use vector::macro_support as __macro_support;
pub use vector::Vector;
