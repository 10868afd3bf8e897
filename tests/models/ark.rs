//! posteriordb `arK-arK`: autoregression of order K with Gaussian noise (conditional likelihood of y[K+1..T]).
#![allow(dead_code)]

/// The posterior's name in posteriordb.
pub const POSTERIOR: &str = "arK-arK";
/// Stan's log-density checks, relative to `tests/data`.
pub const CHECKS: &str = "posteriordb/arK-arK/logdensity_checks.json";

ppl::model! {
    /// AR(K): `y[t] ~ normal(alpha + Σ_k beta[k] y[t−k], sigma)` for t > K.
    pub struct Ark {
        K: usize,
        T: usize,
        #[data(size = T)]
        y: Vec<f64>,
    }
    alpha: real ~ normal(0.0, 10.0);
    beta: vector[K] ~ normal(0.0, 10.0);
    sigma: real<lower = 0.0> ~ cauchy(0.0, 2.5);
    for t in K..T {
        let mut mu = alpha;
        for k in 0..K {
            mu += beta[k] * y[t - k - 1];
        }
        y[t] ~ normal(mu, sigma);
    }
}

/// The model with the posterior's data.
pub fn load() -> Ark {
    Ark::from_json_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/posteriordb/arK-arK/data.json"
    ))
    .expect("arK data")
}
