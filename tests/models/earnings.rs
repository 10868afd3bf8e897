//! posteriordb `earnings-logearn_interaction_z`: log earnings on standardised height, sex and their interaction, with flat priors.
#![allow(dead_code)]

/// The posterior's name in posteriordb.
pub const POSTERIOR: &str = "earnings-logearn_interaction_z";
/// Stan's log-density checks, relative to `tests/data`.
pub const CHECKS: &str = "posteriordb/earnings-logearn_interaction_z/logdensity_checks.json";

/// `(x − mean(x)) / sd(x)`, with the sample sd (denominator `n − 1`, Stan's `sd`).
fn standardise(x: &[f64]) -> Vec<f64> {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let sd = (x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    x.iter().map(|v| (v - mean) / sd).collect()
}

ppl::model! {
    /// `log(earn) ~ normal(beta[1] + beta[2] z + beta[3] male + beta[4] z·male, sigma)`, flat priors.
    pub struct Earnings {
        N: usize,
        #[data(size = N)]
        earn: Vec<f64>,
        #[data(size = N)]
        height: Vec<f64>,
        #[data(size = N)]
        male: Vec<f64>,
    }
    data log_earn: Vec<f64> = earn.iter().map(|e| e.ln()).collect();
    data z_height: Vec<f64> = standardise(height);
    data inter: Vec<f64> = z_height.iter().zip(male.iter()).map(|(z, m)| z * m).collect();
    beta: vector[4];
    sigma: real<lower = 0.0>;
    let location = Vector::from_fn(N, |n| {
        beta[0] + beta[1] * z_height[n] + beta[2] * male[n] + beta[3] * inter[n]
    });
    log_earn ~ normal(location, sigma);
}

/// The model with the posterior's data.
pub fn load() -> Earnings {
    Earnings::from_json_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/posteriordb/earnings-logearn_interaction_z/data.json"
    ))
    .expect("earnings data")
}
