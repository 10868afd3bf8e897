//! posteriordb `sblrc-blr`: Bayesian linear regression without intercept, `y ~ normal(X beta, sigma)`.
#![allow(dead_code)]

use ppl::core::Matrix;

/// The posterior's name in posteriordb.
pub const POSTERIOR: &str = "sblrc-blr";
/// Stan's log-density checks, relative to `tests/data`.
pub const CHECKS: &str = "posteriordb/sblrc-blr/logdensity_checks.json";

ppl::model! {
    /// Linear regression with normal priors on beta and a half-normal on sigma.
    pub struct Blr {
        N: usize,
        D: usize,
        #[data(size = (N, D))]
        X: Matrix<f64>,
        #[data(size = N)]
        y: Vec<f64>,
    }
    beta: vector[D] ~ normal(0.0, 10.0);
    sigma: real<lower = 0.0> ~ normal(0.0, 10.0);
    y ~ normal(X * beta, sigma);
}

/// The model with the posterior's data.
pub fn load() -> Blr {
    Blr::from_json_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/posteriordb/sblrc-blr/data.json"
    ))
    .expect("blr data")
}
