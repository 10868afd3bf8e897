//! posteriordb `bball_drive_event_0-hmm_drive_0`: a two-state hidden Markov model with exponential emissions and Dirichlet priors on the transition rows.
#![allow(dead_code)]

use ppl::core::Matrix;

use super::hmm::forward_log_likelihood;

/// The posterior's name in posteriordb.
pub const POSTERIOR: &str = "bball_drive_event_0-hmm_drive_0";
/// Stan's log-density checks, relative to `tests/data`.
pub const CHECKS: &str = "posteriordb/bball_drive_event_0-hmm_drive_0/logdensity_checks.json";

ppl::model! {
    /// Transition rows `theta1 ~ dirichlet(alpha[1])`, `theta2 ~ dirichlet(alpha[2])`;
    /// emissions `u ~ exponential(phi[k])`, `v ~ exponential(lambda[k])`; `theta` is reported.
    pub struct HmmDrive0 {
        #[data(lower = 1)]
        K: usize,
        #[data(lower = 1)]
        N: usize,
        #[data(size = N)]
        u: Vec<f64>,
        #[data(size = N)]
        v: Vec<f64>,
        #[data(size = (K, K), lower = 0.0)]
        alpha: Matrix<f64>,
    }
    theta1: simplex[K];
    theta2: simplex[K];
    phi: positive_ordered[K];
    lambda: positive_ordered[K];
    derived theta = vec![theta1.clone(), theta2.clone()];
    // Stan: `theta[k] ~ dirichlet(alpha[k])`; `&Vector<_>` is not a `VectorOperand` yet.
    for k in 0..K {
        target += dirichlet_lupdf::<T>(theta[k].as_slice(), alpha.row(k));
    }
    phi[0] ~ normal(0.0, 1.0);
    phi[1] ~ normal(3.0, 1.0);
    lambda[0] ~ normal(0.0, 1.0);
    lambda[1] ~ normal(3.0, 1.0);
    target += forward_log_likelihood(theta, N, |t, k| {
        Ok(exponential_lpdf::<T>(u[t], phi[k])? + exponential_lpdf::<T>(v[t], lambda[k])?)
    });
}

/// The model with the posterior's data.
pub fn load() -> HmmDrive0 {
    HmmDrive0::from_json_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/posteriordb/bball_drive_event_0-hmm_drive_0/data.json"
    ))
    .expect("hmm_drive_0 data")
}
