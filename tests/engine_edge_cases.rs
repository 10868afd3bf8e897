//! Awkward but legitimate inputs to the engines' public API (NUTS, ADVI, MAP/Laplace, summaries), checked against what Stan does.

use ppl::core::LogDensity;
use ppl::infer::advi::{self, AdviOptions, AdviStatus};
use ppl::infer::nuts::{sample, Init, Metric, NutsOptions};
use ppl::infer::optimize::{self, LaplaceOptions, MapOptions, MapTermination};
use ppl::infer::{
    ebfmi, ess_basic, ess_bulk, ess_quantile, ess_tail, mcse_mean, mcse_quantile, mcse_sd,
    rank_plot, rhat, trace_plot, warnings, Chain, Draws, Error, SamplerStats, Summary,
};

/// How a density misbehaves outside its support.
#[derive(Clone, Copy, Debug)]
enum Outside {
    NegInfinity,
    NaN,
    Err,
}

/// A standard normal in one dimension truncated to `x ≤ upper`; beyond `upper` the density
/// returns −∞, NaN or an error.
struct TruncatedNormal {
    upper: f64,
    outside: Outside,
}

impl LogDensity for TruncatedNormal {
    fn dim(&self) -> usize {
        1
    }
    fn log_density(&self, u: &[f64]) -> ppl::core::Result<f64> {
        let mut gradient = [0.0];
        self.log_density_gradient(u, &mut gradient)
    }
    fn log_density_gradient(&self, u: &[f64], gradient: &mut [f64]) -> ppl::core::Result<f64> {
        if u[0] > self.upper {
            gradient[0] = 0.0;
            return match self.outside {
                Outside::NegInfinity => Ok(f64::NEG_INFINITY),
                Outside::NaN => Ok(f64::NAN),
                Outside::Err => Err(ppl::core::Error::invalid(
                    "truncated",
                    "x",
                    u[0],
                    "at most the upper bound",
                )),
            };
        }
        gradient[0] = -u[0];
        Ok(-0.5 * u[0] * u[0])
    }
}

/// A density that is `outside` at every point.
struct Nowhere {
    outside: Outside,
    dim: usize,
}

impl LogDensity for Nowhere {
    fn dim(&self) -> usize {
        self.dim
    }
    fn log_density(&self, u: &[f64]) -> ppl::core::Result<f64> {
        let mut gradient = vec![0.0; u.len()];
        self.log_density_gradient(u, &mut gradient)
    }
    fn log_density_gradient(&self, _u: &[f64], gradient: &mut [f64]) -> ppl::core::Result<f64> {
        gradient.iter_mut().for_each(|g| *g = 0.0);
        match self.outside {
            Outside::NegInfinity => Ok(f64::NEG_INFINITY),
            Outside::NaN => Ok(f64::NAN),
            Outside::Err => Err(ppl::core::Error::invalid("nowhere", "x", 0, "impossible")),
        }
    }
}

/// The improper flat density `log p(x) = 0` on R^dim.
struct Flat {
    dim: usize,
}

impl LogDensity for Flat {
    fn dim(&self) -> usize {
        self.dim
    }
    fn log_density(&self, _u: &[f64]) -> ppl::core::Result<f64> {
        Ok(0.0)
    }
    fn log_density_gradient(&self, _u: &[f64], gradient: &mut [f64]) -> ppl::core::Result<f64> {
        gradient.iter_mut().for_each(|g| *g = 0.0);
        Ok(0.0)
    }
}

/// The improper density `log p(x) = x`, unbounded above: no mode, no normalising constant.
struct ExponentialGrowth;

impl LogDensity for ExponentialGrowth {
    fn dim(&self) -> usize {
        1
    }
    fn log_density(&self, u: &[f64]) -> ppl::core::Result<f64> {
        Ok(u[0])
    }
    fn log_density_gradient(&self, u: &[f64], gradient: &mut [f64]) -> ppl::core::Result<f64> {
        gradient[0] = 1.0;
        Ok(u[0])
    }
}

/// Neal's funnel: `v ~ N(0, 3)`, `x ~ N(0, exp(v/2))`, returning NaN when `exp(v)`
/// overflows, as a naive implementation does.
struct Funnel;

impl LogDensity for Funnel {
    fn dim(&self) -> usize {
        2
    }
    fn log_density(&self, u: &[f64]) -> ppl::core::Result<f64> {
        let mut gradient = [0.0; 2];
        self.log_density_gradient(u, &mut gradient)
    }
    fn log_density_gradient(&self, u: &[f64], gradient: &mut [f64]) -> ppl::core::Result<f64> {
        let (v, x) = (u[0], u[1]);
        let inv_variance = (-v).exp();
        gradient[0] = -v / 9.0 - 0.5 + 0.5 * x * x * inv_variance;
        gradient[1] = -x * inv_variance;
        Ok(-v * v / 18.0 - 0.5 * v - 0.5 * x * x * inv_variance)
    }
}

fn quiet(seed: u64) -> NutsOptions {
    NutsOptions {
        num_chains: 4,
        num_warmup: 500,
        num_draws: 1000,
        seed,
        progress: false,
        threads: Some(1),
        ..NutsOptions::default()
    }
}

/// `|estimate − truth| ≤ 5 MCSE`, with the MCSE from the run's own ESS.
fn assert_mean_within_5_mcse(chains: &[Vec<f64>], truth: f64, what: &str) {
    let pooled: Vec<f64> = chains.concat();
    let mean = pooled.iter().sum::<f64>() / pooled.len() as f64;
    let mcse = mcse_mean(chains);
    assert!(mcse.is_finite() && mcse > 0.0, "{what}: mcse {mcse}");
    assert!(
        (mean - truth).abs() <= 5.0 * mcse,
        "{what}: mean {mean}, truth {truth}, mcse {mcse}"
    );
}

// ---------------------------------------------------------------------------------------------
// NUTS on densities that fail in part of the space.

#[test]
fn nuts_treats_a_failing_region_as_divergences_and_keeps_the_right_mean() {
    // N(0, 1) truncated to x ≤ 1: mean −φ(1)/Φ(1) = −0.2419707245 / 0.8413447461
    // (scipy.stats.truncnorm(-inf, 1).mean(), scipy 1.17: −0.28759997).
    let truth = -0.287_599_970_7;
    for outside in [Outside::NegInfinity, Outside::NaN, Outside::Err] {
        let model = TruncatedNormal {
            upper: 1.0,
            outside,
        };
        let fit = sample(&model, &quiet(11)).unwrap();
        assert!(fit.divergences > 0, "{outside:?}: no divergence recorded");
        assert_eq!(fit.divergences, fit.draws.divergences());
        let chains = fit.draws.column("x[1]").unwrap();
        assert!(chains.iter().flatten().all(|&x| x <= 1.0 && x.is_finite()));
        let stats = fit.draws.chains.iter().flat_map(|c| &c.stats);
        assert!(stats
            .clone()
            .all(|s| s.lp.is_finite() && s.energy.is_finite()));
        assert_mean_within_5_mcse(&chains, truth, &format!("{outside:?}"));
    }
}

#[test]
fn nuts_on_a_funnel_with_overflowing_density_records_divergences_without_panicking() {
    let fit = sample(&Funnel, &quiet(5)).unwrap();
    assert!(fit.divergences > 0);
    let v = fit.draws.pooled("x[1]").unwrap();
    assert_eq!(v.len(), 4000);
    assert!(v.iter().all(|v| v.is_finite()));
    let summary = Summary::new(&fit.draws);
    assert!(summary.get("x[1]").unwrap().rhat.is_finite());
}

// ---------------------------------------------------------------------------------------------
// Initialisation failure (Stan: "Initialization failed" after 100 attempts).

#[test]
fn every_engine_reports_a_density_that_fails_everywhere() {
    let cases = [
        (Outside::NegInfinity, "log density is -inf"),
        (Outside::NaN, "log density is NaN"),
        (Outside::Err, "nowhere: x is 0, but must be impossible"),
    ];
    for (outside, reason) in cases {
        let model = Nowhere { outside, dim: 2 };
        let expected =
            format!("chain 1: initialisation failed after 100 attempts; last attempt: {reason}");
        let nuts_error = sample(&model, &quiet(1)).unwrap_err();
        assert!(matches!(
            nuts_error,
            Error::Initialisation { attempts: 100, .. }
        ));
        assert_eq!(nuts_error.to_string(), expected);
        let advi_error = advi::fit(&model, &AdviOptions::default()).unwrap_err();
        assert!(
            matches!(advi_error, Error::Initialisation { attempts: 100, .. }),
            "{advi_error}"
        );
        let map_error = optimize::map(&model, &MapOptions::default()).unwrap_err();
        assert!(
            matches!(map_error, Error::Initialisation { attempts: 100, .. }),
            "{map_error}"
        );
        let accurate = advi::fit(&model, &AdviOptions::accurate()).unwrap_err();
        assert!(
            matches!(accurate, Error::Initialisation { .. }),
            "{accurate}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Invalid options: typed errors naming the option, the value and the rule.

#[test]
fn invalid_nuts_options_name_option_value_and_rule() {
    let model = TruncatedNormal {
        upper: f64::INFINITY,
        outside: Outside::NaN,
    };
    let cases: Vec<(NutsOptions, &str)> = vec![
        (
            NutsOptions {
                step_size: 0.0,
                ..quiet(1)
            },
            "nuts: step_size is 0, but must be positive and finite",
        ),
        (
            NutsOptions {
                step_size: -0.5,
                ..quiet(1)
            },
            "nuts: step_size is -0.5, but must be positive and finite",
        ),
        (
            NutsOptions {
                step_size: f64::NAN,
                ..quiet(1)
            },
            "nuts: step_size is NaN, but must be positive and finite",
        ),
        (
            NutsOptions {
                adapt_delta: 0.0,
                ..quiet(1)
            },
            "nuts: adapt_delta is 0, but must be in (0, 1)",
        ),
        (
            NutsOptions {
                adapt_delta: 1.2,
                ..quiet(1)
            },
            "nuts: adapt_delta is 1.2, but must be in (0, 1)",
        ),
        (
            NutsOptions {
                adapt_delta: f64::NAN,
                ..quiet(1)
            },
            "nuts: adapt_delta is NaN, but must be in (0, 1)",
        ),
        (
            NutsOptions {
                max_depth: 0,
                ..quiet(1)
            },
            "nuts: max_depth is 0, but must be at least 1",
        ),
        (
            NutsOptions {
                num_chains: 0,
                ..quiet(1)
            },
            "nuts: num_chains is 0, but must be at least 1",
        ),
        (
            NutsOptions {
                gamma: 0.0,
                ..quiet(1)
            },
            "nuts: gamma is 0, but must be positive and finite",
        ),
        (
            NutsOptions {
                t0: f64::INFINITY,
                ..quiet(1)
            },
            "nuts: t0 is inf, but must be positive and finite",
        ),
        (
            NutsOptions {
                kappa: 0.0,
                ..quiet(1)
            },
            "nuts: kappa is 0, but must be in (0, 1]",
        ),
    ];
    for (options, message) in cases {
        let error = sample(&model, &options).unwrap_err();
        assert!(matches!(error, Error::InvalidArgument { .. }), "{error}");
        assert_eq!(error.to_string(), message);
    }
}

#[test]
fn zero_draws_and_zero_warmup_are_legitimate_runs() {
    let model = TruncatedNormal {
        upper: f64::INFINITY,
        outside: Outside::NaN,
    };
    // CmdStan accepts num_samples = 0 (warm-up only) and num_warmup = 0 (no adaptation).
    let warmup_only = sample(
        &model,
        &NutsOptions {
            num_draws: 0,
            ..quiet(2)
        },
    )
    .unwrap();
    assert_eq!(warmup_only.draws.n_draws(), 0);
    assert_eq!(warmup_only.draws.n_chains(), 4);
    assert!(warmup_only.draws.chains.iter().all(|c| c.step_size > 0.0));
    let summary = Summary::new(&warmup_only.draws);
    let x = summary.get("x[1]").unwrap();
    assert!(x.mean.is_nan() && x.rhat.is_nan() && x.ess_bulk.is_nan());
    let _ = summary.to_string();
    let _ = warnings(&warmup_only.draws, &summary, 10);

    let nothing = sample(
        &model,
        &NutsOptions {
            num_draws: 0,
            num_warmup: 0,
            ..quiet(2)
        },
    )
    .unwrap();
    assert_eq!(nothing.draws.n_draws(), 0);

    // No warm-up: the draws use the step size of Stan's initial heuristic and the unit metric.
    let fit = sample(
        &model,
        &NutsOptions {
            num_warmup: 0,
            ..quiet(2)
        },
    )
    .unwrap();
    for chain in &fit.draws.chains {
        assert_eq!(chain.inv_metric, vec![1.0]);
        assert!(chain.stats.iter().all(|s| s.step_size == chain.step_size));
    }
    assert_mean_within_5_mcse(&fit.draws.column("x[1]").unwrap(), 0.0, "no warm-up");
}

#[test]
fn warmups_shorter_than_stans_windows_still_sample_correctly() {
    let model = TruncatedNormal {
        upper: f64::INFINITY,
        outside: Outside::NaN,
    };
    for num_warmup in [1, 3, 19, 20, 99, 149] {
        let fit = sample(
            &model,
            &NutsOptions {
                num_warmup,
                ..quiet(3)
            },
        )
        .unwrap();
        let chains = fit.draws.column("x[1]").unwrap();
        assert_mean_within_5_mcse(&chains, 0.0, &format!("num_warmup = {num_warmup}"));
    }
}

#[test]
fn invalid_advi_and_map_options_are_typed_errors() {
    let model = TruncatedNormal {
        upper: f64::INFINITY,
        outside: Outside::NaN,
    };
    let advi_cases: Vec<(AdviOptions, &str)> = vec![
        (
            AdviOptions {
                eta: 0.0,
                ..AdviOptions::default()
            },
            "advi: eta is 0, but must be positive",
        ),
        (
            AdviOptions {
                tol_rel_obj: -1.0,
                ..AdviOptions::default()
            },
            "advi: tol_rel_obj is -1, but must be positive",
        ),
        (
            AdviOptions {
                grad_samples: 0,
                ..AdviOptions::default()
            },
            "advi: grad_samples is 0, but must be at least 1",
        ),
        (
            AdviOptions {
                max_iterations: 0,
                ..AdviOptions::default()
            },
            "advi: max_iterations is 0, but must be at least 1",
        ),
        (
            AdviOptions {
                output_samples: 0,
                ..AdviOptions::default()
            },
            "advi: output_samples is 0, but must be at least 2",
        ),
    ];
    for (options, message) in advi_cases {
        let error = advi::fit(&model, &options).unwrap_err();
        assert!(matches!(error, Error::InvalidArgument { .. }), "{error}");
        assert_eq!(error.to_string(), message);
    }
    let map_cases: Vec<(MapOptions, &str)> = vec![(
        MapOptions {
            tol_grad: -1.0,
            ..MapOptions::default()
        },
        "map: tol_grad is -1, but must be positive and finite",
    )];
    for (options, message) in map_cases {
        let error = optimize::map(&model, &options).unwrap_err();
        assert!(matches!(error, Error::InvalidArgument { .. }), "{error}");
        assert_eq!(error.to_string(), message);
    }
}

#[test]
fn an_init_box_too_wide_to_draw_from_is_an_error_not_a_panic() {
    // uniform(−radius, radius) needs a finite width: `radius = f64::MAX` panicked in
    // `random_range` (MAP, ADVI and multi-start MAP).
    let model = TruncatedNormal {
        upper: f64::INFINITY,
        outside: Outside::NaN,
    };
    let expected = |function: &str| {
        format!(
            "{function}: init radius is 1.7976931348623157e308, but must be at most \
             8.988465674311579e307 (half the largest f64)"
        )
    };
    let widest = optimize::Init::Random { radius: f64::MAX };
    let map_error = optimize::map(
        &model,
        &MapOptions {
            init: widest.clone(),
            ..MapOptions::default()
        },
    )
    .unwrap_err();
    assert_eq!(map_error.to_string(), expected("map"));
    let advi_error = advi::fit(
        &model,
        &AdviOptions {
            init: widest,
            ..AdviOptions::default()
        },
    )
    .unwrap_err();
    assert_eq!(advi_error.to_string(), expected("advi"));
    let multistart_error = optimize::multistart_map(
        &model,
        &optimize::MultistartOptions {
            radius: f64::MAX,
            ..optimize::MultistartOptions::default()
        },
    )
    .unwrap_err();
    assert_eq!(multistart_error.to_string(), expected("multistart_map"));
    // NUTS draws `radius · (2u − 1)`, which stays finite: every point overflows the density
    // here, and initialisation fails with a typed error.
    let error = sample(
        &model,
        &NutsOptions {
            init: Init::Random { radius: f64::MAX },
            ..quiet(1)
        },
    )
    .unwrap_err();
    assert!(matches!(error, Error::Initialisation { .. }), "{error}");
}

#[test]
fn init_radius_zero_is_a_single_attempt_as_stans_init_0() {
    // Stan's `init=0` starts every unconstrained coordinate at 0 and tries that point once.
    let model = TruncatedNormal {
        upper: f64::INFINITY,
        outside: Outside::NaN,
    };
    let zero = NutsOptions {
        init: Init::Random { radius: 0.0 },
        ..quiet(4)
    };
    let fit = sample(&model, &zero).unwrap();
    assert_eq!(fit.draws.n_draws(), 1000);
    let error = sample(
        &TruncatedNormal {
            upper: -1.0,
            outside: Outside::NegInfinity,
        },
        &zero,
    )
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "chain 1: initialisation failed after 1 attempt; last attempt: log density is -inf"
    );
}

#[test]
fn init_radius_zero_starts_map_and_advi_at_the_origin() {
    // Stan's `init=0` works for `optimize` and `variational` as well.
    let inside = TruncatedNormal {
        upper: f64::INFINITY,
        outside: Outside::NaN,
    };
    let zero = optimize::Init::Random { radius: 0.0 };
    let map_fit = optimize::map(
        &inside,
        &MapOptions {
            init: zero.clone(),
            ..MapOptions::default()
        },
    )
    .unwrap();
    assert!(map_fit.converged() && map_fit.unconstrained[0].abs() < 1e-6);
    let advi_fit = advi::fit(
        &inside,
        &AdviOptions {
            init: zero.clone(),
            ..AdviOptions::default()
        },
    )
    .unwrap();
    assert_eq!(advi_fit.mean.len(), 1);
    // The origin outside the support: one attempt, Stan's message.
    let outside = TruncatedNormal {
        upper: -1.0,
        outside: Outside::NegInfinity,
    };
    for error in [
        optimize::map(
            &outside,
            &MapOptions {
                init: zero.clone(),
                ..MapOptions::default()
            },
        )
        .unwrap_err(),
        advi::fit(
            &outside,
            &AdviOptions {
                init: zero.clone(),
                ..AdviOptions::default()
            },
        )
        .unwrap_err(),
    ] {
        assert_eq!(
            error.to_string(),
            "chain 1: initialisation failed after 1 attempt; last attempt: log density is -inf"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// d = 0 and d = 1.

#[test]
fn a_model_without_parameters() {
    // Stan switches `sample` to its fixed_param sampler; ppl has none and says so.
    let model = Flat { dim: 0 };
    let error = sample(&model, &quiet(1)).unwrap_err();
    assert_eq!(
        error.to_string(),
        "nuts: model dimension is 0, but must be at least 1 (a model without parameters has \
         nothing to sample)"
    );
    // Was: "all proposed step sizes ... failed; the model may be severely ill-conditioned".
    let error = advi::fit(&model, &AdviOptions::default()).unwrap_err();
    assert!(matches!(error, Error::InvalidArgument { .. }), "{error}");
    assert_eq!(
        error.to_string(),
        "advi: model dimension is 0, but must be at least 1 (a model without parameters has \
         nothing to approximate)"
    );
    // The mode of a density without parameters is the empty point.
    let map_fit = optimize::map(&model, &MapOptions::default()).unwrap();
    assert!(map_fit.converged() && map_fit.unconstrained.is_empty());
    assert_eq!(map_fit.log_density, 0.0);
}

#[test]
fn one_dimensional_models_work_in_every_engine() {
    let model = TruncatedNormal {
        upper: f64::INFINITY,
        outside: Outside::NaN,
    };
    let map_fit = optimize::map(
        &model,
        &MapOptions {
            jacobian: true,
            ..MapOptions::default()
        },
    )
    .unwrap();
    assert!(map_fit.unconstrained[0].abs() < 1e-6);
    let laplace_fit = optimize::laplace(&model, &map_fit, &LaplaceOptions::default()).unwrap();
    assert!((laplace_fit.covariance[0] - 1.0).abs() < 1e-6);
    let advi_fit = advi::fit(&model, &AdviOptions::default()).unwrap();
    assert_eq!(advi_fit.mean.len(), 1);
    for metric in [Metric::Diag, Metric::Dense] {
        let fit = sample(&model, &NutsOptions { metric, ..quiet(2) }).unwrap();
        assert!(fit.draws.chains.iter().all(|c| c.inv_metric.len() == 1));
        assert_mean_within_5_mcse(&fit.draws.column("x[1]").unwrap(), 0.0, "d = 1");
    }
}

// ---------------------------------------------------------------------------------------------
// ADVI and MAP/Laplace on partly failing and improper densities.

#[test]
fn map_and_laplace_on_a_partly_failing_density() {
    for outside in [Outside::NegInfinity, Outside::NaN, Outside::Err] {
        let model = TruncatedNormal {
            upper: 1.0,
            outside,
        };
        let map_fit = optimize::map(&model, &MapOptions::default()).unwrap();
        assert!(map_fit.converged(), "{outside:?}");
        assert!(map_fit.unconstrained[0].abs() < 1e-6, "{outside:?}");
        let laplace = optimize::laplace(&model, &map_fit, &LaplaceOptions::default()).unwrap();
        assert_eq!(laplace.draws.n_draws(), 1000);
        // The normal approximation puts 16% of its mass beyond the support: k-hat says so.
        assert!(
            laplace.khat() > 0.7,
            "{outside:?}: k-hat {}",
            laplace.khat()
        );
    }
}

#[test]
fn advi_whose_draws_keep_failing_ends_as_failed_not_frozen() {
    // Stan's ADVI stops with an error at the first failed gradient after the eta search. ppl
    // rejects the step and halves the step size; before the fix the halvings went on until the
    // step size was 0, and the fit came back as `MaxIterations` with q frozen where it was
    // (at the init, mean 0.836 and sd 1, for the truncation at 1; at mean 1.52 for seed 2 of
    // the truncation at 3, whose truth is −0.004), like any run that is merely slow.
    for (upper, seed) in [(1.0, 0), (3.0, 2)] {
        for outside in [Outside::NegInfinity, Outside::NaN, Outside::Err] {
            let model = TruncatedNormal { upper, outside };
            let fit = advi::fit(
                &model,
                &AdviOptions {
                    seed,
                    ..AdviOptions::default()
                },
            )
            .unwrap();
            let AdviStatus::Failed(reason) = &fit.status else {
                panic!("{upper} {outside:?}: expected Failed, got {:?}", fit.status);
            };
            assert!(
                reason.starts_with("100 steps were rejected (last: ")
                    || reason.starts_with("50 consecutive steps were rejected"),
                "{reason}"
            );
            assert!(reason.contains("declare the bounds"), "{reason}");
            assert!(
                fit.warnings[0].starts_with("ADVI failed: "),
                "{:?}",
                fit.warnings
            );
            assert!(fit.mean[0].is_finite() && fit.sd[0].is_finite());
        }
    }
    // Rare failures far out in the tail do not stop the fit (truncation at 3, seed 0).
    let fit = advi::fit(
        &TruncatedNormal {
            upper: 3.0,
            outside: Outside::NegInfinity,
        },
        &AdviOptions::default(),
    )
    .unwrap();
    assert!(
        !matches!(fit.status, AdviStatus::Failed(_)),
        "{:?}",
        fit.status
    );
    assert!(fit.rejected_steps > 0 && fit.rejected_steps < 100);
}

#[test]
fn improper_densities_end_in_typed_errors_or_reports_not_hangs() {
    // NUTS: Stan's "Posterior is improper. Please check your model." from the step-size search.
    for (name, result) in [
        ("flat", sample(&Flat { dim: 1 }, &quiet(1))),
        ("growth", sample(&ExponentialGrowth, &quiet(1))),
    ] {
        let error = result.unwrap_err();
        assert_eq!(
            error.to_string(),
            "chain 1: initialisation failed after 1 attempt; last attempt: the step size grew \
             past 1e7 in the initial step-size search: the posterior is improper, check the \
             model",
            "{name}"
        );
    }
    // MAP: log p = x has no mode; the line search runs into the overflow and stops.
    let growth = optimize::map(&ExponentialGrowth, &MapOptions::default()).unwrap();
    assert!(
        matches!(growth.termination, MapTermination::Stopped(_)),
        "{:?}",
        growth.termination
    );
    // A flat density: every point is a mode, and Laplace says the Hessian is singular.
    let flat = optimize::map(&Flat { dim: 2 }, &MapOptions::default()).unwrap();
    let error = optimize::laplace(&Flat { dim: 2 }, &flat, &LaplaceOptions::default()).unwrap_err();
    assert!(matches!(error, Error::Optimisation { .. }), "{error}");
    assert!(
        error.to_string().contains("not positive definite"),
        "{error}"
    );
    // ADVI on a flat density: the entropy grows without bound and the sd overflowed to inf;
    // before the fix this came back as `Converged(Median)` with sd = inf and infinite draws.
    let error = advi::fit(&Flat { dim: 1 }, &AdviOptions::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "advi: the approximation's sd of u[1] (x[1]) is inf: the ELBO is unbounded, so the \
         posterior is probably improper; check that every parameter has a proper prior"
    );
    // ADVI on log p = x: the mean runs off (as in Stan, which warns that it may be
    // diverging); the fit says so in its warnings and k-hat.
    let fit = advi::fit(&ExponentialGrowth, &AdviOptions::default()).unwrap();
    assert_eq!(fit.status, AdviStatus::MaxIterations);
    assert!(
        fit.warnings.iter().any(|w| w.contains("may be diverging")),
        "{:?}",
        fit.warnings
    );
    assert!(fit.khat_warning());
}

// ---------------------------------------------------------------------------------------------
// Summaries and diagnostics on degenerate draws.

fn draws_of(chains: &[Vec<f64>]) -> Draws {
    Draws {
        names: vec!["theta".to_string()],
        chains: chains
            .iter()
            .map(|values| Chain {
                values: values.clone(),
                stats: values
                    .iter()
                    .map(|&v| SamplerStats {
                        lp: -0.5 * v * v,
                        energy: 0.5 * v * v,
                        ..SamplerStats::default()
                    })
                    .collect(),
                ..Chain::default()
            })
            .collect(),
    }
}

#[test]
fn diagnostics_of_degenerate_draws_are_nan_not_panics() {
    let constant = vec![vec![1.5; 100]; 4];
    for value in [
        rhat(&constant),
        ess_bulk(&constant),
        ess_tail(&constant),
        ess_basic(&constant),
        mcse_mean(&constant),
        mcse_sd(&constant),
    ] {
        assert!(value.is_nan());
    }
    for n in 0..4 {
        let short: Vec<Vec<f64>> = (0..2)
            .map(|c| (0..n).map(|i| (i + c) as f64).collect())
            .collect();
        assert!(rhat(&short).is_nan(), "{n} draws");
        assert!(ess_bulk(&short).is_nan(), "{n} draws");
        let draws = draws_of(&short);
        let summary = Summary::new(&draws);
        let _ = summary.to_string();
        let _ = warnings(&draws, &summary, 10);
    }
    let none: Vec<Vec<f64>> = Vec::new();
    assert!(rhat(&none).is_nan() && ess_bulk(&none).is_nan());
    let summary = Summary::new(&Draws::default());
    let _ = summary.to_string();
    let draws = draws_of(&constant);
    let summary = Summary::new(&draws);
    let theta = summary.get("theta").unwrap();
    assert_eq!((theta.mean, theta.sd), (1.5, 0.0));
    assert!(theta.rhat.is_nan() && theta.ess_bulk.is_nan());
    let _ = summary.to_string();
    let _ = warnings(&draws, &summary, 10);
    // A single chain is split in two, as in Stan and posterior.
    let one_chain = vec![(0..100)
        .map(|i| ((i * 37) % 101) as f64)
        .collect::<Vec<_>>()];
    assert!(rhat(&one_chain).is_finite());
}

#[test]
fn summaries_and_plots_of_unusual_draws() {
    // A constrain that failed leaves NaN in a draw: every statistic of that column is NaN, as
    // numpy's and posterior's are (the 5% and 50% quantiles were 0.22 and 1.0, the NaN
    // sorted last and skipped).
    let with_nan = draws_of(&[vec![0.3, f64::NAN, 0.2, 1.0, 2.0]]);
    let summary = Summary::new(&with_nan);
    let theta = summary.get("theta").unwrap();
    for value in [
        theta.mean, theta.sd, theta.q5, theta.q50, theta.q95, theta.rhat,
    ] {
        assert!(value.is_nan(), "{theta:?}");
    }
    // Chains of different lengths: the diagnostics are NaN, the plots a typed error.
    let unequal = draws_of(&[vec![0.3, 0.1, 0.2, 0.5, 0.7], vec![1.0, 2.0, 3.0]]);
    let summary = Summary::new(&unequal);
    assert!(summary.get("theta").unwrap().rhat.is_nan());
    let _ = summary.to_string();
    let directory = std::env::temp_dir().join("ppl_engine_edge_cases");
    std::fs::create_dir_all(&directory).unwrap();
    let error = trace_plot(directory.join("unequal.svg"), &unequal, &["theta"]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "trace_plot: chain 2 values has size 3, but must have size 5"
    );
    let empty = draws_of(&[vec![], vec![]]);
    let error = rank_plot(directory.join("empty.svg"), &empty, &["theta"]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "rank_plot: draws is 2 chains of 0 draws, but must be at least one chain with at least \
         one draw"
    );
    // A constant column plots without a zero-width axis failing.
    let constant = draws_of(&vec![vec![1.5; 100]; 4]);
    trace_plot(directory.join("constant-trace.svg"), &constant, &["theta"]).unwrap();
    rank_plot(directory.join("constant-rank.svg"), &constant, &["theta"]).unwrap();
    assert!(ebfmi(&[]).is_nan() && ebfmi(&[1.0]).is_nan() && ebfmi(&[1.0, 1.0]).is_nan());
    let chains = constant.column("theta").unwrap();
    assert!(mcse_quantile(&chains, 0.0).is_nan() && ess_quantile(&chains, f64::NAN).is_nan());
}

// ---------------------------------------------------------------------------------------------
// `model!` models: a scale declared with its bound, the same scale without it (Stan users'
// classic mistake: the density errors for sigma < 0), and a model without parameters.

ppl::model! {
    /// `y ~ normal(0, sigma)` with a half-normal prior on a declared positive scale.
    pub struct DeclaredScale {
        y: f64,
    }
    sigma: real<lower = 0.0>;
    sigma ~ normal(0.0, 1.0);
    y ~ normal(0.0, sigma);
}

ppl::model! {
    /// The same density with the bound left out: `normal` fails for sigma < 0.
    pub struct UndeclaredScale {
        y: f64,
    }
    sigma: real;
    sigma ~ normal(0.0, 1.0);
    y ~ normal(0.0, sigma);
}

ppl::model! {
    /// Data only: nothing to sample.
    pub struct NoParameters {
        y: f64,
    }
    y ~ normal(0.0, 1.0);
}

#[test]
fn a_scale_without_its_declared_bound() {
    // p(sigma | y = 0.5) ∝ N(sigma; 0, 1) N(0.5; 0, sigma) on sigma > 0: posterior mean
    // 0.8223255817554684 (scipy.integrate.quad, scipy 1.17).
    let truth = 0.822_325_581_755_468_4;
    let declared = DeclaredScale::new(0.5).unwrap();
    let undeclared = UndeclaredScale::new(0.5).unwrap();
    for (name, fit) in [
        ("declared", sample(&declared, &quiet(7)).unwrap()),
        ("undeclared", sample(&undeclared, &quiet(7)).unwrap()),
    ] {
        let chains = fit.draws.column("sigma").unwrap();
        assert!(chains.iter().flatten().all(|&s| s > 0.0), "{name}");
        assert_mean_within_5_mcse(&chains, truth, name);
        if name == "undeclared" {
            // Every trajectory that crosses sigma = 0 is divergent, as in Stan.
            assert!(fit.divergences > 100, "{}", fit.divergences);
        }
    }
    // ADVI cannot fit the undeclared scale: q keeps putting mass on sigma < 0.
    let fit = advi::fit(&undeclared, &AdviOptions::default()).unwrap();
    let AdviStatus::Failed(reason) = &fit.status else {
        panic!("expected Failed, got {:?}", fit.status);
    };
    assert!(reason.contains("normal: scale is -"), "{reason}");
    assert!(reason.contains("declare the bounds"), "{reason}");
    // MAP finds the same mode either way (the optimiser never leaves sigma > 0).
    let with_bound = optimize::map(&declared, &MapOptions::default()).unwrap();
    let without = optimize::map(&undeclared, &MapOptions::default()).unwrap();
    assert!(with_bound.converged() && without.converged());
    assert!((with_bound.constrained[0] - without.constrained[0]).abs() < 1e-6);
    // Init values outside the support: a typed initialisation error (was the bare transform
    // error, which did not say it came from the init).
    let error = sample(
        &declared,
        &NutsOptions {
            init: Init::Values(vec![-1.0]),
            ..quiet(1)
        },
    )
    .unwrap_err();
    assert!(
        matches!(error, Error::Initialisation { attempts: 1, .. }),
        "{error}"
    );
    assert_eq!(
        error.to_string(),
        "chain 1: initialisation failed after 1 attempt; last attempt: the given init values \
         cannot be transformed to the unconstrained scale: lower_bound: sigma is -1, but must \
         be greater than the lower bound 0"
    );
}

#[test]
fn a_model_macro_without_parameters() {
    let model = NoParameters::new(0.5).unwrap();
    let error = sample(&model, &quiet(1)).unwrap_err();
    assert!(matches!(error, Error::InvalidArgument { .. }), "{error}");
    let error = advi::fit(&model, &AdviOptions::default()).unwrap_err();
    assert!(matches!(error, Error::InvalidArgument { .. }), "{error}");
    // The "mode" is the empty point, with the log density of the data: log N(0.5; 0, 1) up to
    // the constant dropped by `~` (−0.5 · 0.25).
    let fit = optimize::map(&model, &MapOptions::default()).unwrap();
    assert!(fit.converged() && fit.constrained.is_empty());
    assert_eq!(fit.log_density, -0.125);
}

#[test]
fn laplace_at_an_unconverged_mode_search_says_so() {
    // Was silent: the approximation was centred wherever L-BFGS stopped.
    let options = MapOptions {
        max_iterations: 1,
        jacobian: true,
        ..MapOptions::default()
    };
    let stopped = optimize::map(&Funnel, &options).unwrap();
    assert_eq!(stopped.termination, MapTermination::MaxIterations);
    let fit = optimize::laplace(&Funnel, &stopped, &LaplaceOptions::default()).unwrap();
    assert_eq!(
        fit.warnings[0],
        "the mode search did not converge: maximum iterations reached: the approximation is \
         centred at a point that may not be the mode"
    );
    // A converged mode search adds no such warning.
    let mode = optimize::map(
        &Funnel,
        &MapOptions {
            jacobian: true,
            ..MapOptions::default()
        },
    )
    .unwrap();
    assert!(mode.converged());
    // The funnel's joint mode on (v, x): x = 0 and v = −4.5, where −v/9 − 1/2 = 0.
    assert!((mode.unconstrained[0] + 4.5).abs() < 1e-6);
    let fit = optimize::laplace(&Funnel, &mode, &LaplaceOptions::default()).unwrap();
    assert!(
        fit.warnings.iter().all(|w| !w.contains("mode search")),
        "{:?}",
        fit.warnings
    );
}
