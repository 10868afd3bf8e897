//! Performance suite model 5, `poisson_glm` (N = 1000, D = 5, d = 6).
#![allow(dead_code)]

use ppl::core::Matrix;

/// The model's name in the performance suite.
pub const NAME: &str = "poisson_glm";
/// Stan's log-density checks, relative to `tests/data`.
pub const CHECKS: &str = "bench/checks/poisson_glm.logdensity_checks.json";

ppl::model! {
    /// `y ~ poisson_log(alpha + x * beta)`, `alpha ~ normal(0, 5)`, `beta ~ normal(0, 1)`.
    pub struct PoissonGlm {
        N: usize,
        #[data(lower = 1)]
        D: usize,
        #[data(size = (N, D))]
        x: Matrix<f64>,
        #[data(size = N, lower = 0)]
        y: Vec<i64>,
    }
    alpha: real ~ normal(0.0, 5.0);
    beta: vector[D] ~ normal(0.0, 1.0);
    y ~ poisson_log(alpha + x * beta);
}

/// The model with the suite's data.
pub fn load() -> PoissonGlm {
    PoissonGlm::from_json_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/bench/poisson_glm.json"
    ))
    .expect("poisson_glm data")
}
