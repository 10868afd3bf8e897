//! Performance suite model 3, `hierarchical_regression`, written with lazy affine arguments (`Affine`, `GroupIndex`): the same log density as `hierarchical_regression.rs`, with no per-observation tangents.
#![allow(dead_code)]

/// The model's name in the performance suite.
pub const NAME: &str = "hierarchical_regression";
/// Stan's log-density checks, relative to `tests/data`.
pub const CHECKS: &str = "bench/checks/hierarchical_regression.logdensity_checks.json";

ppl::model! {
    /// `y ~ normal(a[group] + b[group] .* x, sigma_y)` with `a = mu_a + sigma_a a_raw`,
    /// `b = mu_b + sigma_b b_raw`, where neither `a`, `b` nor the location vector is built:
    /// `Affine` arguments pass `∂lp/∂μ_i` back per group in `f64`.
    pub struct HierarchicalRegressionAffine {
        #[data(lower = 1)]
        N: usize,
        #[data(lower = 1)]
        G: usize,
        #[data(size = N, upper = G)]
        group: Vec<usize>,
        #[data(size = N)]
        x: Vec<f64>,
        #[data(size = N)]
        y: Vec<f64>,
    }
    data group_index: ppl::core::GroupIndex = ppl::core::GroupIndex::new(group.clone(), G)?;
    mu_a: real ~ normal(0.0, 5.0);
    mu_b: real ~ normal(0.0, 5.0);
    sigma_a: real<lower = 0.0> ~ normal(0.0, 2.5);
    sigma_b: real<lower = 0.0> ~ normal(0.0, 2.5);
    sigma_y: real<lower = 0.0> ~ normal(0.0, 2.5);
    a_raw: vector[G] ~ normal(0.0, 1.0);
    b_raw: vector[G] ~ normal(0.0, 1.0);
    let a = ppl::core::Affine::new(mu_a, sigma_a, a_raw)?;
    let b = ppl::core::Affine::new(mu_b, sigma_b, b_raw)?;
    y ~ normal(ppl::core::Affine::gathered(&a, &b, group_index, x)?, sigma_y);
}

/// The model with the suite's data.
pub fn load() -> HierarchicalRegressionAffine {
    HierarchicalRegressionAffine::from_json_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/bench/hierarchical_regression.json"
    ))
    .expect("hierarchical_regression data")
}
