//! posteriordb `eight_schools-eight_schools_noncentered`: the hierarchical normal model of eight schools, non-centred.
#![allow(dead_code)]

/// The posterior's name in posteriordb.
pub const POSTERIOR: &str = "eight_schools-eight_schools_noncentered";
/// Stan's log-density checks, relative to `tests/data`.
pub const CHECKS: &str =
    "posteriordb/eight_schools-eight_schools_noncentered/logdensity_checks.json";

ppl::model! {
    /// Eight schools, non-centred: `theta = mu + tau * theta_trans` is reported.
    pub struct EightSchoolsNoncentered {
        J: usize,
        #[data(size = J)]
        y: Vec<f64>,
        #[data(size = J, lower = 0.0)]
        sigma: Vec<f64>,
    }
    theta_trans: vector[J] ~ normal(0.0, 1.0);
    mu: real ~ normal(0.0, 5.0);
    tau: real<lower = 0.0> ~ cauchy(0.0, 5.0);
    derived theta = mu + tau * theta_trans;
    y ~ normal(theta, sigma);
}

/// The model with the posterior's data.
pub fn load() -> EightSchoolsNoncentered {
    EightSchoolsNoncentered::from_json_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/posteriordb/eight_schools-eight_schools_noncentered/data.json"
    ))
    .expect("eight_schools data")
}
