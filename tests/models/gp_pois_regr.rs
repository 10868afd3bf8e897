//! posteriordb `gp_pois_regr-gp_pois_regr`: latent Gaussian-process Poisson regression, non-centred; `f = L_cov * f_tilde` is reported.
#![allow(dead_code)]

use ppl::core::linalg::{add_diag, cholesky_decompose, gp_exp_quad_cov};

/// The posterior's name in posteriordb.
pub const POSTERIOR: &str = "gp_pois_regr-gp_pois_regr";
/// Stan's log-density checks, relative to `tests/data`.
pub const CHECKS: &str = "posteriordb/gp_pois_regr-gp_pois_regr/logdensity_checks.json";

ppl::model! {
    /// Latent GP with a Poisson likelihood on the log scale.
    pub struct GpPoisRegr {
        #[data(lower = 1)]
        N: usize,
        #[data(size = N)]
        x: Vec<f64>,
        #[data(size = N)]
        k: Vec<i64>,
    }
    rho: real<lower = 0.0> ~ gamma(25.0, 4.0);
    alpha: real<lower = 0.0> ~ normal(0.0, 2.0);
    f_tilde: vector[N] ~ normal(0.0, 1.0);
    // Stan's jitter 1e-10 on the diagonal before the Cholesky factorisation.
    let covariance = add_diag(&gp_exp_quad_cov(x, alpha, rho)?, 1e-10)?;
    let cholesky_factor = cholesky_decompose(&covariance)?;
    derived f = &cholesky_factor * f_tilde;
    k ~ poisson_log(f);
}

/// The model with the posterior's data.
pub fn load() -> GpPoisRegr {
    GpPoisRegr::from_json_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/posteriordb/gp_pois_regr-gp_pois_regr/data.json"
    ))
    .expect("gp_pois_regr data")
}
