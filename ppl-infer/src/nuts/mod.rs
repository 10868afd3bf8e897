//! The No-U-Turn sampler (Stan's NUTS with windowed adaptation) over any `LogDensity`.

mod adapt;
mod hamiltonian;
mod init;
mod metric;
mod options;
mod run;
mod sampler;
mod tree;

pub use adapt::{AdaptationUpdate, Adapter, WindowedAdapter};
pub use options::{Init, Metric, NutsOptions};
pub use run::{sample, NutsFit};
pub use sampler::{NutsSampler, Transition};
