//! NUTS runner behaviour: reproducibility across thread counts, constrained output columns, kept warm-up, faults in the density and failed initialisation.

mod nuts_support;

use nuts_support::{assert_mean_within_5_mcse, map_series, IndependentNormal};
use ppl_infer::nuts::{sample, Init, NutsOptions};
use ppl_infer::{Error, LogDensity};

fn quick_options(seed: u64) -> NutsOptions {
    NutsOptions {
        num_warmup: 200,
        num_draws: 200,
        seed,
        progress: false,
        ..NutsOptions::default()
    }
}

#[test]
fn same_seed_gives_identical_draws_whatever_the_thread_count() {
    let model = IndependentNormal {
        mean: vec![0.0, 1.0, -1.0, 3.0, 0.5],
        scale: vec![1.0, 2.0, 0.5, 5.0, 0.1],
    };
    let one_thread = sample(
        &model,
        &NutsOptions {
            threads: Some(1),
            ..quick_options(11)
        },
    )
    .unwrap();
    let four_threads = sample(
        &model,
        &NutsOptions {
            threads: Some(4),
            ..quick_options(11)
        },
    )
    .unwrap();
    assert_eq!(one_thread.draws, four_threads.draws);
    assert_eq!(
        one_thread.gradient_evaluations,
        four_threads.gradient_evaluations
    );
    let other_seed = sample(
        &model,
        &NutsOptions {
            threads: Some(4),
            ..quick_options(12)
        },
    )
    .unwrap();
    assert_ne!(
        one_thread.draws.chains[0].values,
        other_seed.draws.chains[0].values
    );
    // Chains are different streams of the same seed.
    assert_ne!(
        one_thread.draws.chains[0].values,
        one_thread.draws.chains[1].values
    );
}

/// `σ ~ Gamma(shape 2, rate 1)` sampled as `u = log σ`: `log p(u) = 2u − eᵘ` (Jacobian
/// included); the output column is `sigma = eᵘ`.
struct GammaScale;

impl LogDensity for GammaScale {
    fn dim(&self) -> usize {
        1
    }

    fn log_density(&self, u: &[f64]) -> ppl_core::Result<f64> {
        Ok(2.0 * u[0] - u[0].exp())
    }

    fn log_density_gradient(&self, u: &[f64], gradient: &mut [f64]) -> ppl_core::Result<f64> {
        gradient[0] = 2.0 - u[0].exp();
        self.log_density(u)
    }

    fn param_names(&self) -> Vec<String> {
        vec!["sigma".to_string()]
    }

    fn constrain(&self, u: &[f64]) -> ppl_core::Result<Vec<f64>> {
        Ok(vec![u[0].exp()])
    }

    fn unconstrain(&self, constrained: &[f64]) -> ppl_core::Result<Vec<f64>> {
        Ok(vec![constrained[0].ln()])
    }
}

#[test]
fn outputs_are_constrained_values_and_warmup_is_kept_on_request() {
    let options = NutsOptions {
        keep_warmup: true,
        init: Init::Values(vec![1.5]),
        seed: 5,
        progress: false,
        ..NutsOptions::default()
    };
    let fit = sample(&GammaScale, &options).unwrap();
    assert_eq!(fit.draws.names, vec!["sigma".to_string()]);
    let sigma = fit.draws.column("sigma").unwrap();
    assert!(sigma.iter().flatten().all(|&s| s > 0.0));
    // Gamma(2, 1): mean 2, variance 2.
    assert_mean_within_5_mcse("mean of sigma", &sigma, 2.0);
    assert_mean_within_5_mcse(
        "variance of sigma",
        &map_series(&sigma, |s| (s - 2.0).powi(2)),
        2.0,
    );
    for chain in &fit.draws.chains {
        assert_eq!(chain.warmup_values.len(), 1000);
        assert_eq!(chain.warmup_stats.len(), 1000);
        // Every chain started at sigma = 1.5; the first warm-up draw moved from there.
        assert!(chain.warmup_stats[0].n_leapfrog >= 1);
        assert!(chain.step_size > 0.0 && chain.step_size.is_finite());
    }
    // n_leapfrog of Draws counts warm-up when kept; the fit also counts initialisation and the
    // step-size heuristic.
    assert!(fit.gradient_evaluations > fit.draws.n_leapfrog());
}

/// A standard normal in 2-D that fails for `x[0] > 1.5`, by a NaN or by an `Err`.
struct Truncated {
    with_error: bool,
}

impl LogDensity for Truncated {
    fn dim(&self) -> usize {
        2
    }

    fn log_density(&self, x: &[f64]) -> ppl_core::Result<f64> {
        let mut gradient = [0.0; 2];
        self.log_density_gradient(x, &mut gradient)
    }

    fn log_density_gradient(&self, x: &[f64], gradient: &mut [f64]) -> ppl_core::Result<f64> {
        if x[0] > 1.5 {
            if self.with_error {
                return Err(ppl_core::Error::invalid(
                    "truncated",
                    "x[1]",
                    x[0],
                    "at most 1.5",
                ));
            }
            gradient.iter_mut().for_each(|g| *g = f64::NAN);
            return Ok(f64::NAN);
        }
        gradient[0] = -x[0];
        gradient[1] = -x[1];
        Ok(-0.5 * (x[0] * x[0] + x[1] * x[1]))
    }
}

#[test]
fn failures_inside_trajectories_are_divergences() {
    for with_error in [false, true] {
        let fit = sample(&Truncated { with_error }, &quick_options(3)).unwrap();
        assert!(fit.divergences > 0, "with_error = {with_error}");
        assert_eq!(fit.divergences, fit.draws.divergences());
        let x = fit.draws.pooled("x[1]").unwrap();
        assert_eq!(x.len(), 800);
        assert!(x.iter().all(|&v| v <= 1.5 && v.is_finite()));
        let stats = fit.draws.chains.iter().flat_map(|c| &c.stats);
        assert!(stats
            .clone()
            .all(|s| s.lp.is_finite() && s.energy.is_finite()));
        assert!(stats.filter(|s| s.divergent).all(|s| s.accept_stat < 1.0));
    }
}

/// A density that is NaN, or has an infinite gradient element, or fails, everywhere.
struct Broken {
    kind: &'static str,
}

impl LogDensity for Broken {
    fn dim(&self) -> usize {
        3
    }

    fn log_density(&self, x: &[f64]) -> ppl_core::Result<f64> {
        let mut gradient = [0.0; 3];
        self.log_density_gradient(x, &mut gradient)
    }

    fn log_density_gradient(&self, _x: &[f64], gradient: &mut [f64]) -> ppl_core::Result<f64> {
        gradient.iter_mut().for_each(|g| *g = 0.0);
        match self.kind {
            "nan" => Ok(f64::NAN),
            "gradient" => {
                gradient[2] = f64::INFINITY;
                Ok(0.0)
            }
            _ => Err(ppl_core::Error::invalid("broken", "scale", -1, "positive")),
        }
    }

    fn param_names(&self) -> Vec<String> {
        vec!["mu".into(), "tau".into(), "sigma".into()]
    }
}

#[test]
fn initialisation_failure_names_the_problem() {
    let cases = [
        ("nan", "chain 1: initialisation failed after 100 attempts; last attempt: log density is NaN"),
        ("gradient", "chain 1: initialisation failed after 100 attempts; last attempt: gradient[3] (sigma) is inf"),
        ("error", "chain 1: initialisation failed after 100 attempts; last attempt: broken: scale is -1, but must be positive"),
    ];
    for (kind, message) in cases {
        let error = sample(&Broken { kind }, &quick_options(1)).unwrap_err();
        assert!(matches!(
            error,
            Error::Initialisation {
                chain: 1,
                attempts: 100,
                ..
            }
        ));
        assert_eq!(error.to_string(), message);
    }
    let options = NutsOptions {
        init: Init::Values(vec![0.0, 1.0, 2.0]),
        ..quick_options(1)
    };
    let error = sample(&Broken { kind: "nan" }, &options).unwrap_err();
    assert_eq!(
        error.to_string(),
        "chain 1: initialisation failed after 1 attempt; last attempt: log density is NaN"
    );
    let too_short = NutsOptions {
        init: Init::Values(vec![0.0]),
        ..quick_options(1)
    };
    assert_eq!(
        sample(&Broken { kind: "nan" }, &too_short)
            .unwrap_err()
            .to_string(),
        "nuts: init has size 1, but must have size 3"
    );
}

#[test]
fn invalid_options_are_rejected_before_sampling() {
    let options = NutsOptions {
        max_depth: 0,
        ..quick_options(1)
    };
    assert_eq!(
        sample(&IndependentNormal::standard(2), &options)
            .unwrap_err()
            .to_string(),
        "nuts: max_depth is 0, but must be at least 1"
    );
}

#[test]
fn short_warmups_follow_stans_rules() {
    let model = IndependentNormal {
        mean: vec![0.0, 0.0],
        scale: vec![3.0, 0.5],
    };
    // Fewer than 20 warm-up iterations: only the step size adapts; the metric stays unit.
    let fit = sample(
        &model,
        &NutsOptions {
            num_warmup: 10,
            ..quick_options(4)
        },
    )
    .unwrap();
    assert!(fit
        .draws
        .chains
        .iter()
        .all(|c| c.inv_metric == vec![1.0, 1.0]));
    // 100 < 75 + 25 + 50: one window of 75 draws adapts the metric towards (9, 0.25).
    let fit = sample(
        &model,
        &NutsOptions {
            num_warmup: 100,
            ..quick_options(4)
        },
    )
    .unwrap();
    for chain in &fit.draws.chains {
        assert!(
            chain.inv_metric[0] > 3.0 && chain.inv_metric[1] < 0.6,
            "{:?}",
            chain.inv_metric
        );
    }
    // No warm-up: the initial heuristic's step size and the unit metric.
    let fit = sample(
        &model,
        &NutsOptions {
            num_warmup: 0,
            ..quick_options(4)
        },
    )
    .unwrap();
    assert_eq!(fit.draws.n_draws(), 200);
    assert!(fit
        .draws
        .chains
        .iter()
        .all(|c| c.inv_metric == vec![1.0, 1.0]));
    assert!(fit.draws.chains.iter().all(|c| c.step_size > 0.0));
}
