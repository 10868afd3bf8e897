//! Performance suite model 1, `eight_schools_noncentered` (d = 10): eight schools, non-centred, with mu and tau declared before theta_tilde.
#![allow(dead_code)]

/// The model's name in the performance suite.
pub const NAME: &str = "eight_schools_noncentered";
/// Stan's log-density checks, relative to `tests/data`.
pub const CHECKS: &str = "bench/checks/eight_schools_noncentered.logdensity_checks.json";

ppl::model! {
    /// `y ~ normal(mu + tau * theta_tilde, sigma)`, tau half-Cauchy.
    pub struct BenchEightSchools {
        J: usize,
        #[data(size = J)]
        y: Vec<f64>,
        #[data(size = J, lower = 0.0)]
        sigma: Vec<f64>,
    }
    mu: real ~ normal(0.0, 5.0);
    tau: real<lower = 0.0> ~ cauchy(0.0, 5.0);
    theta_tilde: vector[J] ~ normal(0.0, 1.0);
    y ~ normal(mu + tau * theta_tilde, sigma);
}

/// The model with the suite's data.
pub fn load() -> BenchEightSchools {
    BenchEightSchools::from_json_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/bench/eight_schools_noncentered.json"
    ))
    .expect("eight_schools_noncentered data")
}
