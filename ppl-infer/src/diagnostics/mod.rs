//! Convergence and efficiency diagnostics of MCMC draws: rank-normalised split R-hat, bulk and tail ESS, MCSE and E-BFMI.

mod autocovariance;
mod chains;
mod ebfmi;
mod ess;
mod mcse;
mod rhat;
mod special;

#[cfg(test)]
mod arviz_reference;

pub(crate) use chains::{average_ranks, quantile_sorted, sample_variance};
pub use ebfmi::ebfmi;
pub use ess::{ess_basic, ess_bulk, ess_quantile, ess_tail};
pub use mcse::{mcse_mean, mcse_quantile, mcse_sd};
pub use rhat::rhat;
