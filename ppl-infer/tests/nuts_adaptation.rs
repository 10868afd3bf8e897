//! NUTS with nutpie's warm-up (`AdaptationOptions::nutpie_like` and each of its switches alone): moments within 5 MCSE on a badly scaled Gaussian and on eight schools (non-centred) against posteriordb, R-hat, divergences, and what the warm-up costs against Stan's.

mod nuts_support;

use nuts_support::IndependentNormal;
use ppl_infer::nuts::{
    sample, AcceptStatistic, AdaptationOptions, AdaptationSchedule, DrawFilter, Metric,
    MetricEstimator, MetricInit, NutsFit, NutsOptions, StepSizeJitter, StepSizeRestart,
};
use ppl_infer::{ess_bulk, mcse_mean, mcse_sd, rhat, LogDensity};

/// `N(μ, diag(σ²))` in `dim` dimensions, σ log-spaced from 0.01 to 10, μᵢ = σᵢ·(i mod 3 − 1) + 1.
fn anisotropic_gaussian(dim: usize) -> IndependentNormal {
    let scale: Vec<f64> = (0..dim)
        .map(|i| 0.01 * 1000f64.powf(i as f64 / (dim - 1) as f64))
        .collect();
    let mean = scale
        .iter()
        .enumerate()
        .map(|(i, s)| s * ((i % 3) as f64 - 1.0) + 1.0)
        .collect();
    IndependentNormal { mean, scale }
}

/// Leapfrog steps of the warm-up and of the sampling phase, over all chains.
fn leapfrogs(fit: &NutsFit) -> (u64, u64) {
    let sum = |stats: &[ppl_infer::SamplerStats]| -> u64 {
        stats.iter().map(|s| u64::from(s.n_leapfrog)).sum()
    };
    let chains = &fit.draws.chains;
    (
        chains.iter().map(|c| sum(&c.warmup_stats)).sum(),
        chains.iter().map(|c| sum(&c.stats)).sum(),
    )
}

/// Asserts that every coordinate's mean and variance (about the known mean) are within 5 MCSE
/// of the truth and R-hat is below 1.01.
fn assert_gaussian_moments(what: &str, fit: &NutsFit, model: &IndependentNormal) {
    for (j, (mean, scale)) in model.mean.iter().zip(&model.scale).enumerate() {
        let column = fit.draws.column_by_index(j);
        let pooled: Vec<f64> = column.concat();
        let estimate = pooled.iter().sum::<f64>() / pooled.len() as f64;
        let mcse = mcse_mean(&column);
        assert!(
            (estimate - mean).abs() < 5.0 * mcse,
            "{what}: mean of x[{}] {estimate}, expected {mean}, 5 MCSE {}",
            j + 1,
            5.0 * mcse
        );
        let squares: Vec<Vec<f64>> = column
            .iter()
            .map(|c| c.iter().map(|x| (x - mean).powi(2)).collect())
            .collect();
        let pooled: Vec<f64> = squares.concat();
        let variance = pooled.iter().sum::<f64>() / pooled.len() as f64;
        let mcse = mcse_mean(&squares);
        assert!(
            (variance - scale * scale).abs() < 5.0 * mcse,
            "{what}: variance of x[{}] {variance}, expected {}, 5 MCSE {}",
            j + 1,
            scale * scale,
            5.0 * mcse
        );
        let r_hat = rhat(&column);
        assert!(r_hat < 1.01, "{what}: R-hat of x[{}] is {r_hat}", j + 1);
    }
}

/// The smallest bulk ESS over the coordinates.
fn min_ess_bulk(fit: &NutsFit) -> f64 {
    (0..fit.draws.n_columns())
        .map(|j| ess_bulk(&fit.draws.column_by_index(j)))
        .fold(f64::INFINITY, f64::min)
}

#[test]
fn nutpie_like_on_a_badly_scaled_gaussian() {
    let model = anisotropic_gaussian(30);
    let run = |adaptation| {
        let options = NutsOptions {
            seed: 2026,
            keep_warmup: true,
            progress: false,
            adaptation,
            ..NutsOptions::default()
        };
        sample(&model, &options).unwrap()
    };
    let nutpie = run(AdaptationOptions::nutpie_like());
    assert_eq!(nutpie.divergences, 0);
    assert_gaussian_moments("nutpie_like", &nutpie, &model);
    for chain in &nutpie.draws.chains {
        // With independent coordinates the gradient is −(x − μ)/σ², so the draw/gradient
        // estimate is exactly σ² whatever the draws.
        for (m, s) in chain.inv_metric.iter().zip(&model.scale) {
            assert!((m / (s * s) - 1.0).abs() < 1e-9, "{m} vs {}", s * s);
        }
        // Jitter: every sampling step size within ±10 % of the adapted one, not all equal.
        let ratios: Vec<f64> = chain
            .stats
            .iter()
            .map(|s| s.step_size / chain.step_size)
            .collect();
        assert!(ratios.iter().all(|r| (0.9..=1.1).contains(r)));
        assert!(ratios.iter().any(|r| (r - 1.0).abs() > 0.05));
        let accept = chain.stats.iter().map(|s| s.accept_stat).sum::<f64>() / 1000.0;
        assert!(accept > 0.7 && accept < 0.95, "mean accept_stat {accept}");
    }
    // What it costs against Stan's warm-up with the same seed: Stan spends its first 100
    // iterations on a unit metric with σ from 0.01 to 10, hence tiny steps and deep trees.
    let stan = run(AdaptationOptions::default());
    assert_gaussian_moments("stan", &stan, &model);
    let (nutpie_warmup, nutpie_sampling) = leapfrogs(&nutpie);
    let (stan_warmup, stan_sampling) = leapfrogs(&stan);
    assert!(
        nutpie_warmup * 4 < stan_warmup,
        "warm-up leapfrogs: nutpie_like {nutpie_warmup}, Stan {stan_warmup}"
    );
    // Not worse per gradient once warmed up (an iid Gaussian is Stan's best case).
    let per_gradient = |fit: &NutsFit, sampling: u64| min_ess_bulk(fit) / sampling as f64;
    assert!(
        per_gradient(&nutpie, nutpie_sampling) > 0.9 * per_gradient(&stan, stan_sampling),
        "sampling ESS per gradient: nutpie_like {}, Stan {}",
        per_gradient(&nutpie, nutpie_sampling),
        per_gradient(&stan, stan_sampling)
    );
}

#[test]
fn each_nutpie_switch_alone_samples_correctly() {
    // Runs (4 chains × 500 warm-up + 1000 draws) of Stan's warm-up with one of nutpie's choices, and of
    // the continuous schedule with a dense metric (draw-variance estimator).
    let model = anisotropic_gaussian(10);
    let stan = AdaptationOptions::default();
    let variants = [
        (
            "schedule",
            Metric::Diag,
            AdaptationOptions {
                schedule: AdaptationSchedule::nutpie(),
                ..stan
            },
        ),
        (
            "metric_init",
            Metric::Diag,
            AdaptationOptions {
                metric_init: MetricInit::AbsGradient,
                ..stan
            },
        ),
        (
            "metric_estimator",
            Metric::Diag,
            AdaptationOptions {
                metric_estimator: MetricEstimator::DrawGradient,
                ..stan
            },
        ),
        (
            "step_size_restart",
            Metric::Diag,
            AdaptationOptions {
                step_size_restart: StepSizeRestart::FirstMetricUpdate,
                ..stan
            },
        ),
        (
            "accept_statistic",
            Metric::Diag,
            AdaptationOptions {
                accept_statistic: AcceptStatistic::SymmetricLate,
                ..stan
            },
        ),
        (
            "draw_filter",
            Metric::Diag,
            AdaptationOptions {
                draw_filter: DrawFilter::Moved,
                ..stan
            },
        ),
        (
            "step_size_jitter",
            Metric::Diag,
            AdaptationOptions {
                step_size_jitter: StepSizeJitter::Uniform { half_width: 0.1 },
                ..stan
            },
        ),
        (
            "dense continuous",
            Metric::Dense,
            AdaptationOptions {
                metric_estimator: MetricEstimator::DrawVariance,
                ..AdaptationOptions::nutpie_like()
            },
        ),
    ];
    for (what, metric, adaptation) in variants {
        let options = NutsOptions {
            seed: 7,
            num_warmup: 500,
            metric,
            progress: false,
            adaptation,
            ..NutsOptions::default()
        };
        let fit = sample(&model, &options).unwrap();
        assert_eq!(fit.divergences, 0, "{what}");
        assert_gaussian_moments(what, &fit, &model);
    }
}

/// Eight schools, non-centred (posteriordb `eight_schools_noncentered`):
/// `mu ~ normal(0, 5)`, `tau ~ cauchy(0, 5)` on `(0, ∞)`, `theta_tilde ~ normal(0, 1)`,
/// `y ~ normal(mu + tau·theta_tilde, sigma)`; unconstrained `(mu, log tau, theta_tilde)`,
/// outputs `mu, tau, theta = mu + tau·theta_tilde`.
struct EightSchools;

/// posteriordb `eight_schools` data.
const Y: [f64; 8] = [28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0];
const SIGMA: [f64; 8] = [15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0];

impl LogDensity for EightSchools {
    fn dim(&self) -> usize {
        10
    }

    fn log_density(&self, u: &[f64]) -> ppl_core::Result<f64> {
        let mut gradient = [0.0; 10];
        self.log_density_gradient(u, &mut gradient)
    }

    fn log_density_gradient(&self, u: &[f64], gradient: &mut [f64]) -> ppl_core::Result<f64> {
        let (mu, log_tau) = (u[0], u[1]);
        let tau = log_tau.exp();
        let tau_over_5_squared = (tau / 5.0).powi(2);
        // normal(mu | 0, 5), cauchy(tau | 0, 5) with the Jacobian log_tau, up to constants.
        let mut log_density = -mu * mu / 50.0 - tau_over_5_squared.ln_1p() + log_tau;
        gradient[0] = -mu / 25.0;
        gradient[1] = 1.0 - 2.0 * tau_over_5_squared / (1.0 + tau_over_5_squared);
        for j in 0..8 {
            let theta_tilde = u[2 + j];
            let residual = Y[j] - mu - tau * theta_tilde;
            let scaled = residual / (SIGMA[j] * SIGMA[j]);
            log_density -= 0.5 * (theta_tilde * theta_tilde + residual * scaled);
            gradient[0] += scaled;
            gradient[1] += scaled * tau * theta_tilde;
            gradient[2 + j] = -theta_tilde + scaled * tau;
        }
        Ok(log_density)
    }

    fn param_names(&self) -> Vec<String> {
        let mut names = vec!["mu".to_string(), "tau".to_string()];
        names.extend((1..=8).map(|j| format!("theta[{j}]")));
        names
    }

    fn constrain(&self, u: &[f64]) -> ppl_core::Result<Vec<f64>> {
        let tau = u[1].exp();
        let mut values = vec![u[0], tau];
        values.extend(u[2..].iter().map(|t| u[0] + tau * t));
        Ok(values)
    }
}

#[test]
fn eight_schools_log_density_gradient_matches_finite_differences() {
    let u = [1.3, 0.4, -0.5, 0.2, 1.1, -1.4, 0.3, 0.9, -0.2, 0.6];
    let mut gradient = [0.0; 10];
    EightSchools
        .log_density_gradient(&u, &mut gradient)
        .unwrap();
    for i in 0..10 {
        let h = 1e-6;
        let (mut up, mut down) = (u, u);
        up[i] += h;
        down[i] -= h;
        let difference = (EightSchools.log_density(&up).unwrap()
            - EightSchools.log_density(&down).unwrap())
            / (2.0 * h);
        assert!((difference - gradient[i]).abs() < 1e-6, "{i}");
    }
}

#[test]
fn nutpie_like_on_eight_schools_matches_posteriordb() {
    // posteriordb reference posterior `eight_schools-eight_schools_noncentered`
    // (tests/data/posteriordb, 10 000 draws of Stan): mean, sd, MCSE of the mean.
    let reference = [
        (
            "mu",
            4.41051833695493,
            3.309296476726353,
            0.0330374705950917,
        ),
        (
            "tau",
            3.602059523640593,
            3.198477670976633,
            0.0318615135640706,
        ),
        (
            "theta[1]",
            6.150502293344254,
            5.615863418889274,
            0.0557375282295219,
        ),
        (
            "theta[2]",
            4.939581140742195,
            4.645578113940842,
            0.0462293788624847,
        ),
        (
            "theta[3]",
            3.905906090015824,
            5.280711952216745,
            0.0542313705632124,
        ),
        (
            "theta[4]",
            4.79601675138494,
            4.770938024092453,
            0.0474935816762281,
        ),
        (
            "theta[5]",
            3.614436324679897,
            4.614720692235884,
            0.0461450610244603,
        ),
        (
            "theta[6]",
            4.051147578967499,
            4.796248400609525,
            0.0485195392528031,
        ),
        (
            "theta[7]",
            6.317169758868929,
            5.002855395177529,
            0.0498766794075794,
        ),
        (
            "theta[8]",
            4.883996943532884,
            5.317692056077128,
            0.0542511606560972,
        ),
    ];
    let options = NutsOptions {
        seed: 8,
        progress: false,
        ..NutsOptions::nutpie_like()
    };
    let fit = sample(&EightSchools, &options).unwrap();
    for (name, mean, sd, reference_mcse) in reference {
        let column = fit.draws.column(name).unwrap();
        let pooled: Vec<f64> = column.concat();
        let n = pooled.len() as f64;
        let estimate = pooled.iter().sum::<f64>() / n;
        let tolerance = 5.0 * mcse_mean(&column).hypot(reference_mcse);
        assert!(
            (estimate - mean).abs() < tolerance,
            "{name}: mean {estimate}, posteriordb {mean}, tolerance {tolerance}"
        );
        let estimate_sd =
            (pooled.iter().map(|x| (x - estimate).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        // The reference sd's MCSE is not stored: sd / sqrt(2·10 000) is that of a normal
        // sample of the reference's 10 000 (nearly independent) draws.
        let tolerance = 5.0 * mcse_sd(&column).hypot(sd / 20_000f64.sqrt());
        assert!(
            (estimate_sd - sd).abs() < tolerance,
            "{name}: sd {estimate_sd}, posteriordb {sd}, tolerance {tolerance}"
        );
        let r_hat = rhat(&column);
        assert!(r_hat < 1.01, "{name}: R-hat {r_hat}");
    }
    // Non-centred eight schools at adapt_delta 0.8 has rare divergences in Stan too.
    assert!(fit.divergences <= 10, "{} divergences", fit.divergences);
}
