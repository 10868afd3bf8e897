//! posteriordb `kilpisjarvi_mod-kilpisjarvi`: a linear trend on uncentred years with data-given normal priors and a flat prior on sigma.
#![allow(dead_code)]

/// The posterior's name in posteriordb.
pub const POSTERIOR: &str = "kilpisjarvi_mod-kilpisjarvi";
/// Stan's log-density checks, relative to `tests/data`.
pub const CHECKS: &str = "posteriordb/kilpisjarvi_mod-kilpisjarvi/logdensity_checks.json";

ppl::model! {
    /// `y ~ normal(alpha + beta x, sigma)`, `alpha ~ normal(pmualpha, psalpha)`,
    /// `beta ~ normal(pmubeta, psbeta)`; `xpred` is data the density does not use.
    pub struct Kilpisjarvi {
        N: usize,
        #[data(size = N)]
        x: Vec<f64>,
        #[data(size = N)]
        y: Vec<f64>,
        xpred: f64,
        pmualpha: f64,
        psalpha: f64,
        pmubeta: f64,
        psbeta: f64,
    }
    alpha: real ~ normal(pmualpha, psalpha);
    beta: real ~ normal(pmubeta, psbeta);
    sigma: real<lower = 0.0>;
    let location = Vector::from_fn(N, |n| alpha + beta * x[n]);
    y ~ normal(location, sigma);
}

/// The model with the posterior's data.
pub fn load() -> Kilpisjarvi {
    Kilpisjarvi::from_json_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/posteriordb/kilpisjarvi_mod-kilpisjarvi/data.json"
    ))
    .expect("kilpisjarvi data")
}
