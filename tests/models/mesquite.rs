//! posteriordb `mesquite-logmesquite_logvash`: log-log regression of mesquite weight on canopy volume, area, shape, height and group, with flat priors.
#![allow(dead_code)]

/// The posterior's name in posteriordb.
pub const POSTERIOR: &str = "mesquite-logmesquite_logvash";
/// Stan's log-density checks, relative to `tests/data`.
pub const CHECKS: &str = "posteriordb/mesquite-logmesquite_logvash/logdensity_checks.json";

ppl::model! {
    /// `log(weight) ~ normal(beta · (1, lvol, larea, lshape, log total_height, group), sigma)`.
    pub struct Mesquite {
        N: usize,
        #[data(size = N)]
        weight: Vec<f64>,
        #[data(size = N)]
        diam1: Vec<f64>,
        #[data(size = N)]
        diam2: Vec<f64>,
        #[data(size = N)]
        canopy_height: Vec<f64>,
        #[data(size = N)]
        total_height: Vec<f64>,
        #[data(size = N)]
        group: Vec<f64>,
    }
    data log_weight: Vec<f64> = weight.iter().map(|w| w.ln()).collect();
    data log_canopy_volume: Vec<f64> =
        (0..N).map(|n| (diam1[n] * diam2[n] * canopy_height[n]).ln()).collect();
    data log_canopy_area: Vec<f64> = (0..N).map(|n| (diam1[n] * diam2[n]).ln()).collect();
    data log_canopy_shape: Vec<f64> = (0..N).map(|n| (diam1[n] / diam2[n]).ln()).collect();
    data log_total_height: Vec<f64> = total_height.iter().map(|h| h.ln()).collect();
    beta: vector[6];
    sigma: real<lower = 0.0>;
    let location = Vector::from_fn(N, |n| {
        beta[0]
            + beta[1] * log_canopy_volume[n]
            + beta[2] * log_canopy_area[n]
            + beta[3] * log_canopy_shape[n]
            + beta[4] * log_total_height[n]
            + beta[5] * group[n]
    });
    log_weight ~ normal(location, sigma);
}

/// The model with the posterior's data.
pub fn load() -> Mesquite {
    Mesquite::from_json_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/posteriordb/mesquite-logmesquite_logvash/data.json"
    ))
    .expect("mesquite data")
}
