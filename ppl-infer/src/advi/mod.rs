//! Automatic differentiation variational inference (Kucukelbir et al. 2017, as Stan implements it) with the PSIS k-hat check of Yao et al. (2018).

mod engine;
mod family;
pub(crate) mod gaussian;
mod options;
mod psis;
mod result;
mod runner;

pub use options::{AdviAlgorithm, AdviOptions};
pub use psis::{gpd_fit, psis, GeneralizedPareto, Psis, KHAT_THRESHOLD};
pub use result::{AdviFit, AdviStatus, ConvergenceRule, ElboRecord};
pub use runner::fit;
