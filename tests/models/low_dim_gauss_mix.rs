//! posteriordb `low_dim_gauss_mix-low_dim_gauss_mix`: a two-component univariate Gaussian mixture with ordered means.
#![allow(dead_code)]

/// The posterior's name in posteriordb.
pub const POSTERIOR: &str = "low_dim_gauss_mix-low_dim_gauss_mix";
/// Stan's log-density checks, relative to `tests/data`.
pub const CHECKS: &str = "posteriordb/low_dim_gauss_mix-low_dim_gauss_mix/logdensity_checks.json";

ppl::model! {
    /// `y[n] ~ theta N(mu[1], sigma[1]) + (1 − theta) N(mu[2], sigma[2])`, mu ordered.
    pub struct LowDimGaussMix {
        N: usize,
        #[data(size = N)]
        y: Vec<f64>,
    }
    mu: ordered[2] ~ normal(0.0, 2.0);
    sigma: vector<lower = 0.0>[2] ~ normal(0.0, 2.0);
    theta: real<lower = 0.0, upper = 1.0> ~ beta(5.0, 5.0);
    for n in 0..N {
        target += log_mix(
            theta,
            normal_lpdf::<T>(y[n], mu[0], sigma[0])?,
            normal_lpdf::<T>(y[n], mu[1], sigma[1])?,
        );
    }
}

/// The model with the posterior's data.
pub fn load() -> LowDimGaussMix {
    LowDimGaussMix::from_json_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/posteriordb/low_dim_gauss_mix-low_dim_gauss_mix/data.json"
    ))
    .expect("low_dim_gauss_mix data")
}
