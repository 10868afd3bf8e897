//! posteriordb `arma-arma11`: ARMA(1,1) with a recursive one-step prediction error.
#![allow(dead_code)]

/// The posterior's name in posteriordb.
pub const POSTERIOR: &str = "arma-arma11";
/// Stan's log-density checks, relative to `tests/data`.
pub const CHECKS: &str = "posteriordb/arma-arma11/logdensity_checks.json";

ppl::model! {
    /// ARMA(1,1): `nu[t] = mu + phi y[t−1] + theta err[t−1]`, `err ~ normal(0, sigma)`.
    pub struct Arma11 {
        #[data(lower = 1)]
        T: usize,
        #[data(size = T)]
        y: Vec<f64>,
    }
    mu: real ~ normal(0.0, 10.0);
    phi: real ~ normal(0.0, 2.0);
    theta: real ~ normal(0.0, 2.0);
    sigma: real<lower = 0.0> ~ cauchy(0.0, 2.5);
    // Before t = 1 the series is taken at its mean mu and the error at 0.
    let mut err = Vec::with_capacity(T);
    let mut nu = mu + phi * mu;
    err.push(y[0] - nu);
    for t in 1..T {
        nu = mu + phi * y[t - 1] + theta * err[t - 1];
        err.push(y[t] - nu);
    }
    target += normal_lupdf::<T>(&err, 0.0, sigma);
}

/// The model with the posterior's data.
pub fn load() -> Arma11 {
    Arma11::from_json_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/posteriordb/arma-arma11/data.json"
    ))
    .expect("arma11 data")
}
