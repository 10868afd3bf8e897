//! A hierarchical logistic regression with varying intercepts and slopes (N = 1000, G = 50, d = 104) on synthetic data: a benchmark of a non-normal likelihood over a lazy `Affine` predictor.
#![allow(dead_code)]

/// The model's name in the benchmarks.
pub const NAME: &str = "hierarchical_logistic";

ppl::model! {
    /// `successes ~ bernoulli_logit(a[group] + b[group] .* x)` with `a = mu_a + sigma_a a_raw`,
    /// `b = mu_b + sigma_b b_raw`; half-normal scales.
    pub struct HierarchicalLogistic {
        #[data(lower = 1)]
        N: usize,
        #[data(lower = 1)]
        G: usize,
        #[data(size = N, upper = G)]
        group: Vec<usize>,
        #[data(size = N)]
        x: Vec<f64>,
        #[data(size = N, lower = 0, upper = 1)]
        successes: Vec<i64>,
    }
    mu_a: real ~ normal(0.0, 5.0);
    mu_b: real ~ normal(0.0, 5.0);
    sigma_a: real<lower = 0.0> ~ normal(0.0, 2.5);
    sigma_b: real<lower = 0.0> ~ normal(0.0, 2.5);
    a_raw: vector[G] ~ normal(0.0, 1.0);
    b_raw: vector[G] ~ normal(0.0, 1.0);
    let a = mu_a + sigma_a * a_raw;
    let b = mu_b + sigma_b * b_raw;
    successes ~ bernoulli_logit(a.gather(group)? + b.gather(group)? * x);
}

/// The model with N = 1000 observations in G = 50 groups: group `1 + 7919 i mod 50`,
/// `x_i` spread over (−1.5, 1.5) by the golden ratio, and outcomes drawn from the model
/// with `a_k = 0.3 + 0.8 sin k`, `b_k = −0.5 + 0.6 cos k` by a fixed low-discrepancy
/// sequence (no random number generator, so the data never change).
pub fn load() -> HierarchicalLogistic {
    let (n, g) = (1000, 50);
    let group: Vec<usize> = (0..n).map(|i| 1 + (i * 7919) % g).collect();
    let x: Vec<f64> = (0..n)
        .map(|i| ((i as f64 * 0.618_033_988_75).fract() - 0.5) * 3.0)
        .collect();
    let successes = (0..n)
        .map(|i| {
            let k = group[i] as f64;
            let eta = 0.3 + 0.8 * k.sin() + (-0.5 + 0.6 * k.cos()) * x[i];
            let p = 1.0 / (1.0 + (-eta).exp());
            i64::from((i as f64 * 0.754_877_666_2).fract() < p)
        })
        .collect();
    HierarchicalLogistic::new(n, g, group, x, successes).expect("hierarchical_logistic data")
}
