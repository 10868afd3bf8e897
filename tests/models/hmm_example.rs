//! posteriordb `hmm_example-hmm_example`: a two-state hidden Markov model with unit-variance Gaussian emissions, marginalised by the forward algorithm.
#![allow(dead_code)]

use super::hmm::forward_log_likelihood;

/// The posterior's name in posteriordb.
pub const POSTERIOR: &str = "hmm_example-hmm_example";
/// Stan's log-density checks, relative to `tests/data`.
pub const CHECKS: &str = "posteriordb/hmm_example-hmm_example/logdensity_checks.json";

ppl::model! {
    /// Transition rows `theta1`, `theta2` (uniform on the simplex), positive ordered emission
    /// means `mu`; `theta` (the transition matrix, one row per origin state) is reported.
    pub struct HmmExample {
        #[data(lower = 1)]
        N: usize,
        K: usize,
        #[data(size = N)]
        y: Vec<f64>,
    }
    theta1: simplex[K];
    theta2: simplex[K];
    mu: positive_ordered[K];
    derived theta = vec![theta1.clone(), theta2.clone()];
    mu[0] ~ normal(3.0, 1.0);
    mu[1] ~ normal(10.0, 1.0);
    target += forward_log_likelihood(theta, N, |t, k| normal_lpdf::<T>(y[t], mu[k], 1.0));
}

/// The model with the posterior's data.
pub fn load() -> HmmExample {
    HmmExample::from_json_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/posteriordb/hmm_example-hmm_example/data.json"
    ))
    .expect("hmm_example data")
}
