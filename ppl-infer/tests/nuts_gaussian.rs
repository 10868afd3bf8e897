//! NUTS on Gaussian targets: a 100-dimensional standard normal (diagonal metric) and a strongly correlated, badly scaled 2-D normal (dense metric), moments within 5 MCSE.

mod nuts_support;

use nuts_support::{assert_mean_within_5_mcse, map_series, IndependentNormal};
use ppl_infer::nuts::{sample, Metric, NutsOptions};
use ppl_infer::LogDensity;

#[test]
fn standard_normal_100d_diag_metric() {
    let dim = 100;
    let model = IndependentNormal::standard(dim);
    let options = NutsOptions {
        seed: 42,
        progress: false,
        ..NutsOptions::default()
    };
    let fit = sample(&model, &options).unwrap();
    let draws = &fit.draws;
    assert_eq!(draws.n_chains(), 4);
    assert_eq!(draws.n_draws(), 1000);
    assert_eq!(draws.names[0], "x[1]");
    assert_eq!(fit.divergences, 0);
    for j in 0..dim {
        let column = draws.column_by_index(j);
        assert_mean_within_5_mcse(&format!("mean of x[{}]", j + 1), &column, 0.0);
        // E[x²] = 1 (the mean is known to be 0).
        let squares = map_series(&column, |x| x * x);
        assert_mean_within_5_mcse(&format!("variance of x[{}]", j + 1), &squares, 1.0);
    }
    for chain in &draws.chains {
        assert_eq!(chain.stats.len(), 1000);
        assert!(chain.warmup_values.is_empty());
        // The adapted inverse metric estimates unit variances: the last window has 500 draws,
        // so each element's relative standard error is about sqrt(2/500) = 0.063 (plus
        // autocorrelation); 5 of them allow ±0.32.
        assert_eq!(chain.inv_metric.len(), dim);
        assert!(
            chain.inv_metric.iter().all(|m| (m - 1.0).abs() < 0.32),
            "{:?}",
            chain.inv_metric
        );
        // Dual averaging targets an average acceptance statistic of 0.8.
        let accept = chain.stats.iter().map(|s| s.accept_stat).sum::<f64>() / 1000.0;
        assert!(accept > 0.7 && accept < 0.95, "mean accept_stat {accept}");
        assert!(chain.stats.iter().all(|s| s.step_size == chain.step_size));
        assert!(chain
            .stats
            .iter()
            .all(|s| s.tree_depth <= 10 && s.n_leapfrog >= 1));
        // lp__ is the log density at the draw.
        let first = &chain.values[..dim];
        assert!((chain.stats[0].lp - model.log_density(first).unwrap()).abs() < 1e-12);
    }
    let leapfrogs: u64 = draws.n_leapfrog();
    assert!(fit.gradient_evaluations > leapfrogs);
    assert_eq!(fit.warmup_time.len(), 4);
    assert_eq!(fit.sampling_time.len(), 4);
}

/// `N(mean, Σ)` in 2-D with `Σ = [[σ₁², ρσ₁σ₂], [ρσ₁σ₂, σ₂²]]`, analytic gradient.
struct CorrelatedNormal {
    mean: [f64; 2],
    precision: [[f64; 2]; 2],
}

impl CorrelatedNormal {
    fn new(mean: [f64; 2], scale: [f64; 2], correlation: f64) -> Self {
        let covariance = [
            [scale[0] * scale[0], correlation * scale[0] * scale[1]],
            [correlation * scale[0] * scale[1], scale[1] * scale[1]],
        ];
        let det = covariance[0][0] * covariance[1][1] - covariance[0][1] * covariance[1][0];
        CorrelatedNormal {
            mean,
            precision: [
                [covariance[1][1] / det, -covariance[0][1] / det],
                [-covariance[1][0] / det, covariance[0][0] / det],
            ],
        }
    }
}

impl LogDensity for CorrelatedNormal {
    fn dim(&self) -> usize {
        2
    }

    fn log_density(&self, x: &[f64]) -> ppl_core::Result<f64> {
        let mut gradient = [0.0; 2];
        self.log_density_gradient(x, &mut gradient)
    }

    fn log_density_gradient(&self, x: &[f64], gradient: &mut [f64]) -> ppl_core::Result<f64> {
        let centred = [x[0] - self.mean[0], x[1] - self.mean[1]];
        for (g, row) in gradient.iter_mut().zip(&self.precision) {
            *g = -(row[0] * centred[0] + row[1] * centred[1]);
        }
        Ok(0.5 * (centred[0] * gradient[0] + centred[1] * gradient[1]))
    }
}

#[test]
fn correlated_badly_scaled_normal_dense_metric() {
    let (mean, scale, correlation) = ([1.0, -2.0], [10.0, 0.1], 0.95);
    let model = CorrelatedNormal::new(mean, scale, correlation);
    let options = NutsOptions {
        metric: Metric::Dense,
        seed: 7,
        progress: false,
        ..NutsOptions::default()
    };
    let fit = sample(&model, &options).unwrap();
    assert_eq!(fit.divergences, 0);
    let x = fit.draws.column("x[1]").unwrap();
    let y = fit.draws.column("x[2]").unwrap();
    assert_mean_within_5_mcse("mean of x[1]", &x, mean[0]);
    assert_mean_within_5_mcse("mean of x[2]", &y, mean[1]);
    // Second central moments about the known means.
    let centred_x = map_series(&x, |v| v - mean[0]);
    let centred_y = map_series(&y, |v| v - mean[1]);
    assert_mean_within_5_mcse(
        "variance of x[1]",
        &map_series(&centred_x, |v| v * v),
        scale[0] * scale[0],
    );
    assert_mean_within_5_mcse(
        "variance of x[2]",
        &map_series(&centred_y, |v| v * v),
        scale[1] * scale[1],
    );
    let products: Vec<Vec<f64>> = centred_x
        .iter()
        .zip(&centred_y)
        .map(|(a, b)| a.iter().zip(b).map(|(u, v)| u * v).collect())
        .collect();
    assert_mean_within_5_mcse("covariance", &products, correlation * scale[0] * scale[1]);
    // The dense metric learnt the covariance, so trajectories are short: a diagonal metric
    // would need ~ σ_max/σ_min along the narrow direction.
    for chain in &fit.draws.chains {
        assert_eq!(chain.inv_metric.len(), 4);
        // The sample correlation of n = 500 draws (last window) has standard error about
        // (1 − ρ²)/√n; 5 of them.
        let learnt_correlation =
            chain.inv_metric[1] / (chain.inv_metric[0] * chain.inv_metric[3]).sqrt();
        let tolerance = 5.0 * (1.0 - correlation * correlation) / 500f64.sqrt();
        assert!(
            (learnt_correlation - correlation).abs() < tolerance,
            "{learnt_correlation}"
        );
        let mean_depth = chain
            .stats
            .iter()
            .map(|s| f64::from(s.tree_depth))
            .sum::<f64>()
            / 1000.0;
        assert!(mean_depth < 3.0, "mean tree depth {mean_depth}");
    }
}
