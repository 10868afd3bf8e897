//! Optimisation-based inference: MAP by L-BFGS (with or without the Jacobian), the Laplace approximation at the mode, and multi-start MAP.

mod init;
mod laplace;
mod map;
mod multistart;
mod problem;

pub(crate) use init::initial_point;
pub use init::Init;
pub use laplace::{laplace, LaplaceFit, LaplaceOptions};
pub use map::{map, MapFit, MapOptions, MapTermination};
pub use multistart::{multistart_map, Mode, MultistartFit, MultistartOptions};
