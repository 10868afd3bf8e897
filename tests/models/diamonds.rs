//! posteriordb `diamonds-diamonds`: brms-generated linear regression on 24 centred predictors, Student-t priors on the intercept and sigma.
#![allow(dead_code)]

use ppl::core::Matrix;

/// The posterior's name in posteriordb.
pub const POSTERIOR: &str = "diamonds-diamonds";
/// Stan's log-density checks, relative to `tests/data`.
pub const CHECKS: &str = "posteriordb/diamonds-diamonds/logdensity_checks.json";

/// Columns 2..K of `x`, each centred at its mean (brms' `Xc`); column 1 (the intercept) is dropped.
fn centred_predictors(x: &Matrix<f64>) -> Matrix<f64> {
    let (rows, cols) = (x.rows(), x.cols());
    let mut centred = Matrix::filled(rows, cols.saturating_sub(1), 0.0);
    for j in 1..cols {
        let mean = (0..rows).map(|i| x[(i, j)]).sum::<f64>() / rows as f64;
        for i in 0..rows {
            centred[(i, j - 1)] = x[(i, j)] - mean;
        }
    }
    centred
}

ppl::model! {
    /// `Y ~ normal_id_glm(Xc, Intercept, b, sigma)` unless `prior_only`; `b ~ normal(0, 1)`,
    /// `Intercept ~ student_t(3, 8, 10)`, `sigma ~ student_t(3, 0, 10)` (half-t; its constant
    /// normalisation is dropped).
    pub struct Diamonds {
        #[data(lower = 1)]
        N: usize,
        #[data(size = N)]
        Y: Vec<f64>,
        #[data(lower = 1)]
        K: usize,
        #[data(size = (N, K))]
        X: Matrix<f64>,
        prior_only: i64,
    }
    data Kc: usize = K - 1;
    data Xc: Matrix<f64> = centred_predictors(X);
    b: vector[Kc] ~ normal(0.0, 1.0);
    Intercept: real ~ student_t(3.0, 8.0, 10.0);
    sigma: real<lower = 0.0> ~ student_t(3.0, 0.0, 10.0);
    if prior_only == 0 {
        Y ~ normal_id_glm(Xc, Intercept, b, sigma);
    }
}

/// The model with the posterior's data.
pub fn load() -> Diamonds {
    Diamonds::from_json_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/posteriordb/diamonds-diamonds/data.json"
    ))
    .expect("diamonds data")
}
