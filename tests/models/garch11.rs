//! posteriordb `garch-garch11`: GARCH(1,1) volatility, with beta1's upper bound 1 − alpha1 depending on another parameter.
#![allow(dead_code)]

/// The posterior's name in posteriordb.
pub const POSTERIOR: &str = "garch-garch11";
/// Stan's log-density checks, relative to `tests/data`.
pub const CHECKS: &str = "posteriordb/garch-garch11/logdensity_checks.json";

ppl::model! {
    /// `y[t] ~ normal(mu, sigma[t])`, `sigma[t]² = alpha0 + alpha1 (y[t−1] − mu)² + beta1 sigma[t−1]²`,
    /// flat priors on the constrained supports.
    pub struct Garch11 {
        T: usize,
        #[data(size = T)]
        y: Vec<f64>,
        #[data(lower = 0.0)]
        sigma1: f64,
    }
    mu: real;
    alpha0: real<lower = 0.0>;
    alpha1: real<lower = 0.0, upper = 1.0>;
    beta1: real<lower = 0.0, upper = 1.0 - alpha1>;
    let mut sigma: Vec<T> = Vec::with_capacity(T);
    if T > 0 {
        sigma.push(T::from(sigma1));
    }
    for t in 1..T {
        let previous = sigma[t - 1];
        sigma.push((alpha0 + alpha1 * (y[t - 1] - mu).square() + beta1 * previous.square()).sqrt());
    }
    y ~ normal(mu, sigma);
}

/// The model with the posterior's data.
pub fn load() -> Garch11 {
    Garch11::from_json_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/posteriordb/garch-garch11/data.json"
    ))
    .expect("garch11 data")
}
