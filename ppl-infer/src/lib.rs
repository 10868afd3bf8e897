//! ppl-infer: inference engines (NUTS, ADVI, MAP/Laplace), diagnostics, summaries, Stan CSV output and uncertainty tools over any `LogDensity`.

pub mod advi;
pub mod diagnostics;
mod draws;
mod error;
pub mod nuts;
pub mod optimize;
pub mod output;
pub mod uncertainty;

pub use advi::{AdviAlgorithm, AdviFit, AdviOptions, AdviStatus};
pub use diagnostics::{
    ebfmi, ess_basic, ess_bulk, ess_quantile, ess_tail, mcse_mean, mcse_quantile, mcse_sd, rhat,
};
pub use draws::{Chain, Draws, SamplerStats};
pub use error::{Error, Result};
pub use nuts::{NutsFit, NutsOptions, NutsSampler};
pub use optimize::{
    LaplaceFit, LaplaceOptions, MapFit, MapOptions, MultistartFit, MultistartOptions,
};
pub use output::{
    rank_plot, read_stan_csv, trace_plot, warnings, write_stan_csv, ColumnSummary, RunInfo,
    StanCsv, Summary, Warning,
};
pub use ppl_core::LogDensity;
