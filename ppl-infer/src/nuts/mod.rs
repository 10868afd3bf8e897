//! The No-U-Turn sampler (Stan's NUTS with Stan's windowed or nutpie's warm-up) over any `LogDensity`.

mod adapt;
mod hamiltonian;
mod init;
mod metric;
mod options;
mod run;
mod sampler;
mod tree;

pub use adapt::{AdaptationUpdate, Adapter, WindowedAdapter};
pub use options::{
    AcceptStatistic, AdaptationOptions, AdaptationSchedule, DrawFilter, Init, Metric,
    MetricEstimator, MetricInit, NutsOptions, StepSizeJitter, StepSizeRestart,
};
pub use run::{sample, NutsFit};
pub use sampler::{NutsSampler, Transition};
