//! Performance suite model 4, `correlated_gaussian_100` (d = 100): a fixed Gaussian with AR(1) correlation 0.9 and scales from 0.1 to 10.
#![allow(dead_code)]

use ppl::core::linalg::cholesky_decompose;
use ppl::core::Matrix;

/// The model's name in the performance suite.
pub const NAME: &str = "correlated_gaussian_100";
/// Stan's log-density checks, relative to `tests/data`.
pub const CHECKS: &str = "bench/checks/correlated_gaussian_100.logdensity_checks.json";

ppl::model! {
    /// `x ~ multi_normal_cholesky(0, cholesky_decompose(Sigma))`.
    pub struct CorrelatedGaussian {
        #[data(lower = 1)]
        d: usize,
        #[data(size = (d, d))]
        Sigma: Matrix<f64>,
    }
    data L: Matrix<f64> = cholesky_decompose(Sigma)?;
    data zero: Vec<f64> = vec![0.0; d];
    x: vector[d];
    x ~ multi_normal_cholesky(zero, L);
}

/// The model with the suite's data.
pub fn load() -> CorrelatedGaussian {
    CorrelatedGaussian::from_json_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/bench/correlated_gaussian_100.json"
    ))
    .expect("correlated_gaussian_100 data")
}
