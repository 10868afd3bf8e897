//! Test-only helpers shared by the NUTS integration tests: hand-written densities and a batch-means Monte Carlo standard error.

#![allow(dead_code)]

use ppl_infer::LogDensity;

/// Monte Carlo standard error of the mean of `series` (one `Vec` per chain) by batch means:
/// each chain is cut into `batches_per_chain` consecutive batches, and the MCSE is the standard
/// deviation of the batch means over the square root of their number.
///
/// Test-only stand-in: replace with `diagnostics::ess_bulk` after merge
/// (MCSE = sd / sqrt(ESS)).
pub fn batch_means_mcse(series: &[Vec<f64>], batches_per_chain: usize) -> f64 {
    let mut batch_means = Vec::new();
    for chain in series {
        let size = chain.len() / batches_per_chain;
        for batch in chain.chunks_exact(size).take(batches_per_chain) {
            batch_means.push(batch.iter().sum::<f64>() / size as f64);
        }
    }
    let n = batch_means.len() as f64;
    let mean = batch_means.iter().sum::<f64>() / n;
    let variance = batch_means.iter().map(|m| (m - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (variance / n).sqrt()
}

/// The pooled mean of `series`.
pub fn pooled_mean(series: &[Vec<f64>]) -> f64 {
    let n: usize = series.iter().map(Vec::len).sum();
    series.iter().flatten().sum::<f64>() / n as f64
}

/// `f` applied element-wise to every chain.
pub fn map_series(series: &[Vec<f64>], f: impl Fn(f64) -> f64) -> Vec<Vec<f64>> {
    series
        .iter()
        .map(|c| c.iter().map(|&x| f(x)).collect())
        .collect()
}

/// Asserts that the pooled mean of `series` is within 5 batch-means MCSE of `expected`.
pub fn assert_mean_within_5_mcse(what: &str, series: &[Vec<f64>], expected: f64) {
    let mean = pooled_mean(series);
    let mcse = batch_means_mcse(series, 10);
    assert!(
        (mean - expected).abs() < 5.0 * mcse,
        "{what}: mean {mean}, expected {expected}, 5 MCSE = {}",
        5.0 * mcse
    );
}

/// `N(mean, diag(scale²))` with an analytic gradient.
pub struct IndependentNormal {
    pub mean: Vec<f64>,
    pub scale: Vec<f64>,
}

impl IndependentNormal {
    pub fn standard(dim: usize) -> Self {
        IndependentNormal {
            mean: vec![0.0; dim],
            scale: vec![1.0; dim],
        }
    }

    fn value_and_gradient(&self, x: &[f64], gradient: Option<&mut [f64]>) -> f64 {
        let mut log_density = 0.0;
        let mut gradient = gradient;
        for i in 0..x.len() {
            let z = (x[i] - self.mean[i]) / self.scale[i];
            log_density -= 0.5 * z * z;
            if let Some(g) = gradient.as_deref_mut() {
                g[i] = -z / self.scale[i];
            }
        }
        log_density
    }
}

impl LogDensity for IndependentNormal {
    fn dim(&self) -> usize {
        self.mean.len()
    }

    fn log_density(&self, x: &[f64]) -> ppl_core::Result<f64> {
        Ok(self.value_and_gradient(x, None))
    }

    fn log_density_gradient(&self, x: &[f64], gradient: &mut [f64]) -> ppl_core::Result<f64> {
        Ok(self.value_and_gradient(x, Some(gradient)))
    }
}
