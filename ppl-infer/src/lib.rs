//! ppl-infer: inference engines (NUTS, ADVI, MAP/Laplace), diagnostics, summaries, Stan CSV output and uncertainty tools over any `LogDensity`.

pub mod advi;
pub mod diagnostics;
mod draws;
mod error;
pub mod nuts;
pub mod optimize;
pub mod output;
pub mod uncertainty;

pub use draws::{Chain, Draws, SamplerStats};
pub use nuts::{NutsFit, NutsOptions, NutsSampler};
pub use error::{Error, Result};
pub use ppl_core::LogDensity;
