//! Performance suite model 2, `logistic_regression` (N = 2000, D = 20, d = 21).
#![allow(dead_code)]

use ppl::core::Matrix;

/// The model's name in the performance suite.
pub const NAME: &str = "logistic_regression";
/// Stan's log-density checks, relative to `tests/data`.
pub const CHECKS: &str = "bench/checks/logistic_regression.logdensity_checks.json";

ppl::model! {
    /// `y ~ bernoulli_logit(alpha + x * beta)`, `alpha ~ normal(0, 5)`, `beta ~ normal(0, 2.5)`.
    pub struct LogisticRegression {
        N: usize,
        #[data(lower = 1)]
        D: usize,
        #[data(size = (N, D))]
        x: Matrix<f64>,
        #[data(size = N, lower = 0, upper = 1)]
        y: Vec<i64>,
    }
    alpha: real ~ normal(0.0, 5.0);
    beta: vector[D] ~ normal(0.0, 2.5);
    y ~ bernoulli_logit(alpha + x * beta);
}

/// The model with the suite's data.
pub fn load() -> LogisticRegression {
    LogisticRegression::from_json_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/bench/logistic_regression.json"
    ))
    .expect("logistic_regression data")
}
