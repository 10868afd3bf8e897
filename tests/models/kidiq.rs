//! posteriordb `kidiq-kidscore_interaction`: child test score on mother's high-school indicator, IQ and their interaction (uncentred), flat prior on beta.
#![allow(dead_code)]

/// The posterior's name in posteriordb.
pub const POSTERIOR: &str = "kidiq-kidscore_interaction";
/// Stan's log-density checks, relative to `tests/data`.
pub const CHECKS: &str = "posteriordb/kidiq-kidscore_interaction/logdensity_checks.json";

ppl::model! {
    /// `kid_score ~ normal(beta[1] + beta[2] mom_hs + beta[3] mom_iq + beta[4] mom_hs·mom_iq,
    /// sigma)`, `sigma ~ cauchy(0, 2.5)`.
    pub struct Kidiq {
        N: usize,
        #[data(size = N, lower = 0.0, upper = 200.0)]
        kid_score: Vec<f64>,
        #[data(size = N, lower = 0.0, upper = 200.0)]
        mom_iq: Vec<f64>,
        #[data(size = N, lower = 0.0, upper = 1.0)]
        mom_hs: Vec<f64>,
    }
    data inter: Vec<f64> = mom_hs.iter().zip(mom_iq.iter()).map(|(hs, iq)| hs * iq).collect();
    beta: vector[4];
    sigma: real<lower = 0.0> ~ cauchy(0.0, 2.5);
    let location = Vector::from_fn(N, |n| {
        beta[0] + beta[1] * mom_hs[n] + beta[2] * mom_iq[n] + beta[3] * inter[n]
    });
    kid_score ~ normal(location, sigma);
}

/// The model with the posterior's data.
pub fn load() -> Kidiq {
    Kidiq::from_json_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/posteriordb/kidiq-kidscore_interaction/data.json"
    ))
    .expect("kidiq data")
}
