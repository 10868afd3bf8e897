//! Output of inference results: posterior summaries with diagnostics, sampler warnings, Stan CSV files and trace/rank plots.

mod plots;
mod stan_csv;
mod summary;
mod warnings;

pub use plots::{rank_plot, trace_plot};
pub use stan_csv::{
    read_stan_csv, write_stan_csv, Method, Metric, RunInfo, StanCsv, VariationalAlgorithm,
    VariationalInfo,
};
pub use summary::{ColumnSummary, Summary};
pub use warnings::{warnings, Warning};
