//! posteriordb `eight_schools-eight_schools_centered`: the hierarchical normal model of eight schools, centred (theta first in the unconstrained vector).
#![allow(dead_code)]

/// The posterior's name in posteriordb.
pub const POSTERIOR: &str = "eight_schools-eight_schools_centered";
/// Stan's log-density checks, relative to `tests/data`.
pub const CHECKS: &str = "posteriordb/eight_schools-eight_schools_centered/logdensity_checks.json";

ppl::model! {
    /// Eight schools, centred: `theta[j] ~ normal(mu, tau)`.
    pub struct EightSchoolsCentered {
        J: usize,
        #[data(size = J)]
        y: Vec<f64>,
        #[data(size = J, lower = 0.0)]
        sigma: Vec<f64>,
    }
    // Stan declares theta before mu and tau; its prior follows once they exist.
    theta: vector[J];
    mu: real ~ normal(0.0, 5.0);
    tau: real<lower = 0.0> ~ cauchy(0.0, 5.0);
    theta ~ normal(mu, tau);
    y ~ normal(theta, sigma);
}

/// The model with the posterior's data.
pub fn load() -> EightSchoolsCentered {
    EightSchoolsCentered::from_json_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/posteriordb/eight_schools-eight_schools_centered/data.json"
    ))
    .expect("eight_schools data")
}
