//! ppl: a probabilistic programming language embedded in Rust — one dependency that re-exports the `model!` macro, the core (AD, distributions, transforms) and the inference engines.
//!
//! ```text
//! ppl::model!   — declare a model (ppl-macros)
//! ppl::core     — Real, Dual, distributions, transforms (ppl-core)
//! ppl::infer    — NUTS, ADVI, MAP/Laplace, diagnostics, Stan CSV (ppl-infer)
//! ```

pub use ppl_core as core;
pub use ppl_infer as infer;
pub use ppl_macros::model;

pub use ppl_core::{Dual, Error, LogDensity, Model, Real};
