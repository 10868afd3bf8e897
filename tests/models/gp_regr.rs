//! posteriordb `gp_pois_regr-gp_regr`: Gaussian-process regression with the latent function marginalised (sigma added to the diagonal as is).
#![allow(dead_code)]

use ppl::core::linalg::{add_diag, cholesky_decompose, gp_exp_quad_cov};

/// The posterior's name in posteriordb.
pub const POSTERIOR: &str = "gp_pois_regr-gp_regr";
/// Stan's log-density checks, relative to `tests/data`.
pub const CHECKS: &str = "posteriordb/gp_pois_regr-gp_regr/logdensity_checks.json";

ppl::model! {
    /// GP regression: `y ~ multi_normal_cholesky(0, cholesky(K(x; alpha, rho) + sigma I))`.
    pub struct GpRegr {
        #[data(lower = 1)]
        N: usize,
        #[data(size = N)]
        x: Vec<f64>,
        #[data(size = N)]
        y: Vec<f64>,
    }
    data zero: Vec<f64> = vec![0.0; N];
    rho: real<lower = 0.0> ~ gamma(25.0, 4.0);
    alpha: real<lower = 0.0> ~ normal(0.0, 2.0);
    sigma: real<lower = 0.0> ~ normal(0.0, 1.0);
    let covariance = add_diag(&gp_exp_quad_cov(x, alpha, rho)?, sigma)?;
    let cholesky_factor = cholesky_decompose(&covariance)?;
    y ~ multi_normal_cholesky(zero, cholesky_factor);
}

/// The model with the posterior's data.
pub fn load() -> GpRegr {
    GpRegr::from_json_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/posteriordb/gp_pois_regr-gp_regr/data.json"
    ))
    .expect("gp_regr data")
}
