//! NUTS on the posteriordb posteriors against their reference draws (k = 5 MCSE), and, for the known-hard posteriors, tests that the sampler's failure at default settings is diagnosed.
//!
//! Every run uses 4 chains and a fixed seed; each test prints its wall time. The tolerances of
//! `common::assert_matches_reference` come from the run's own bulk ESS, so the runs with fewer
//! draws are not tested more loosely, only less sharply.

mod common;
mod models;

use std::time::Instant;

use models::*;
use ppl::core::LogDensity;
use ppl::infer::diagnostics::{ess_bulk, rhat};
use ppl::infer::nuts::{sample, Metric, NutsFit, NutsOptions};

/// The seed of every run.
const SEED: u64 = 20_251_126;

/// Stan's defaults (1000 warm-up, 1000 draws, 4 chains, diagonal metric, adapt_delta 0.8,
/// max depth 10) with a fixed seed and no progress bars.
fn options() -> NutsOptions {
    NutsOptions {
        seed: SEED,
        progress: false,
        ..NutsOptions::default()
    }
}

/// Runs NUTS and prints the wall time, gradient evaluations and divergences.
fn run<M: LogDensity>(model: &M, name: &str, options: &NutsOptions) -> NutsFit {
    let start = Instant::now();
    let fit = sample(model, options).unwrap_or_else(|e| panic!("{name}: {e}"));
    eprintln!(
        "{name}: {:.1} s, {} gradient evaluations, {} divergences",
        start.elapsed().as_secs_f64(),
        fit.gradient_evaluations,
        fit.divergences
    );
    fit
}

/// Fraction of post-warm-up transitions that hit the maximum tree depth.
fn treedepth_saturation(fit: &NutsFit, max_depth: u32) -> f64 {
    let stats: Vec<_> = fit.draws.chains.iter().flat_map(|c| &c.stats).collect();
    stats.iter().filter(|s| s.tree_depth >= max_depth).count() as f64 / stats.len() as f64
}

/// The largest R-hat and the smallest bulk ESS over the reference's parameters.
fn worst_convergence(fit: &NutsFit, posterior: &str) -> (f64, f64) {
    let reference = common::read_json(&format!("posteriordb/{posterior}/reference.json"));
    let parameters = reference["parameters"].as_object().expect("parameters");
    parameters
        .keys()
        .fold((0.0_f64, f64::INFINITY), |(worst_rhat, worst_ess), name| {
            let chains = fit.draws.column(name).expect("column");
            (
                worst_rhat.max(rhat(&chains)),
                worst_ess.min(ess_bulk(&chains)),
            )
        })
}

/// How many divergent post-warm-up transitions a posterior may show.
///
/// A divergence (an energy error above 1000) needs a region whose curvature the adapted step
/// size cannot resolve. Under Stan's defaults (adapt_delta 0.8) a well-specified model shows
/// a divergence rate of about 0, and Stan's advice is to treat any divergence as a warning.
/// But where the posterior has such regions at all, even a healthy run meets one now and then:
/// whether a run of 4000 transitions meets one is chance, and changes with the draws. A real
/// problem shows as a rate of percents: centred eight schools, the canonical funnel, gives
/// 2.1 % at these settings (84 of 4000; `eight_schools_centered_divergences_are_reported`
/// prints it).
#[derive(Debug, Clone, Copy)]
enum Divergences {
    /// None at all: a regression with a Gaussian likelihood, whose posterior given the
    /// scale is Gaussian in the coefficients, with no region of high curvature. A divergence
    /// there is a bug.
    None,
    /// At most [`MAX_DIVERGENCE_RATE`] of the post-warm-up transitions: a hierarchical, GP,
    /// mixture, HMM or volatility posterior, whose curvature varies (a funnel's neck, a
    /// boundary of a constrained parameter).
    Rare,
}

/// The divergence rate above which a run has a real problem: 0.5 % (20 of 4000 transitions),
/// a quarter of the funnel's rate and far above that of rare chance meetings: at a rate of
/// 10⁻³ (4 expected in 4000) more than 20 occur with probability 2·10⁻⁹ (binomial tail,
/// scipy.stats.binom.sf(20, 4000, 1e-3)).
const MAX_DIVERGENCE_RATE: f64 = 0.005;

/// Runs NUTS and asserts: divergences as `divergences` allows, and every reference parameter
/// within 5 MCSE (with R-hat < 1.01 and bulk ESS ≥ 100, see
/// `common::compare_with_reference`).
fn assert_nuts_matches<M: LogDensity>(
    model: &M,
    posterior: &str,
    options: &NutsOptions,
    divergences: Divergences,
) {
    let fit = run(model, posterior, options);
    let transitions = options.num_chains * options.num_draws;
    match divergences {
        Divergences::None => {
            assert_eq!(fit.divergences, 0, "{posterior}: divergent transitions");
        }
        Divergences::Rare => {
            let rate = fit.divergences as f64 / transitions as f64;
            assert!(
                rate <= MAX_DIVERGENCE_RATE,
                "{posterior}: {} divergent transitions of {transitions} ({:.2} %), above {} %",
                fit.divergences,
                100.0 * rate,
                100.0 * MAX_DIVERGENCE_RATE
            );
        }
    }
    common::assert_matches_reference(&fit.draws, posterior, 5.0);
}

// --- easy and moderate posteriors: default settings ---------------------------------------

#[test]
fn eight_schools_noncentered() {
    let model = eight_schools_noncentered::load();
    assert_nuts_matches(
        &model,
        eight_schools_noncentered::POSTERIOR,
        &options(),
        Divergences::Rare,
    );
}

#[test]
fn gp_regr() {
    assert_nuts_matches(
        &gp_regr::load(),
        gp_regr::POSTERIOR,
        &options(),
        Divergences::Rare,
    );
}

#[test]
fn earnings() {
    assert_nuts_matches(
        &earnings::load(),
        earnings::POSTERIOR,
        &options(),
        Divergences::None,
    );
}

#[test]
fn ark() {
    assert_nuts_matches(&ark::load(), ark::POSTERIOR, &options(), Divergences::None);
}

#[test]
fn arma11() {
    assert_nuts_matches(
        &arma11::load(),
        arma11::POSTERIOR,
        &options(),
        Divergences::Rare,
    );
}

#[test]
fn low_dim_gauss_mix() {
    assert_nuts_matches(
        &low_dim_gauss_mix::load(),
        low_dim_gauss_mix::POSTERIOR,
        &options(),
        Divergences::Rare,
    );
}

#[test]
fn garch11() {
    assert_nuts_matches(
        &garch11::load(),
        garch11::POSTERIOR,
        &options(),
        Divergences::Rare,
    );
}

#[test]
fn blr() {
    assert_nuts_matches(&blr::load(), blr::POSTERIOR, &options(), Divergences::None);
}

#[test]
fn hmm_example() {
    assert_nuts_matches(
        &hmm_example::load(),
        hmm_example::POSTERIOR,
        &options(),
        Divergences::Rare,
    );
}

#[test]
fn hmm_drive_0() {
    // The reference run used adapt_delta = 0.9 (theta1 sits near a vertex of its simplex).
    let options = NutsOptions {
        adapt_delta: 0.9,
        ..options()
    };
    assert_nuts_matches(
        &hmm_drive_0::load(),
        hmm_drive_0::POSTERIOR,
        &options,
        Divergences::Rare,
    );
}

#[test]
fn mesquite() {
    assert_nuts_matches(
        &mesquite::load(),
        mesquite::POSTERIOR,
        &options(),
        Divergences::None,
    );
}

#[test]
fn nes() {
    assert_nuts_matches(&nes::load(), nes::POSTERIOR, &options(), Divergences::None);
}

#[test]
fn gp_pois_regr() {
    // The reference run used adapt_delta = 0.99 (latent GP, funnel-like in alpha).
    // At that setting the trajectories are long (about 500 leapfrog steps per draw), so the
    // run is halved: 500 warm-up and 500 draws per chain.
    let options = NutsOptions {
        adapt_delta: 0.99,
        num_warmup: 500,
        num_draws: 500,
        ..options()
    };
    assert_nuts_matches(
        &gp_pois_regr::load(),
        gp_pois_regr::POSTERIOR,
        &options,
        Divergences::Rare,
    );
}

// --- known-hard posteriors -------------------------------------------------------------------

/// Centred eight schools at default settings: the funnel between tau and theta produces
/// divergent transitions, and they are reported.
#[test]
fn eight_schools_centered_divergences_are_reported() {
    let model = eight_schools_centered::load();
    let fit = run(&model, eight_schools_centered::POSTERIOR, &options());
    assert!(fit.divergences > 0, "no divergences reported in the funnel");
    assert_eq!(fit.divergences, fit.draws.divergences());
}

/// kilpisjarvi (corr(alpha, beta) = −0.99999): with the diagonal metric the trajectories
/// saturate the tree depth or mix badly; with a dense metric the posterior is matched.
#[test]
fn kilpisjarvi_diagnosed_with_diag_and_matched_with_dense() {
    let model = kilpisjarvi::load();
    let posterior = kilpisjarvi::POSTERIOR;
    let diag = options();
    let fit = run(&model, posterior, &diag);
    let saturation = treedepth_saturation(&fit, diag.max_depth);
    let (worst_rhat, worst_ess) = worst_convergence(&fit, posterior);
    assert!(
        saturation > 0.1 || worst_rhat > 1.01 || worst_ess < 400.0 || fit.divergences > 0,
        "{posterior} (diagonal metric): no sign of trouble: saturation {saturation}, \
         R-hat {worst_rhat}, ESS {worst_ess}"
    );
    let dense = NutsOptions {
        metric: Metric::Dense,
        ..options()
    };
    assert_nuts_matches(&model, posterior, &dense, Divergences::None);
}

/// kidiq (uncentred predictors, corr(beta[1], beta[3]) = −0.99): matched with a dense metric.
#[test]
fn kidiq_with_dense_metric() {
    let dense = NutsOptions {
        metric: Metric::Dense,
        ..options()
    };
    assert_nuts_matches(&kidiq::load(), kidiq::POSTERIOR, &dense, Divergences::None);
}

/// diamonds (d = 26, condition number 2.6e5; N = 5000): with the diagonal metric the
/// trajectories run into the maximum tree depth. An adapted NUTS on a well-conditioned
/// 26-dimensional posterior needs trees of depth 3–4; here a budget of depth 5 (31 leapfrog
/// steps) is exhausted in most transitions, which is reported as tree-depth saturation. The
/// small depth and a short run (100 warm-up, 100 draws per chain) keep the test cheap: at
/// depth 10 every transition costs up to 1023 gradients of a 5000 × 24 regression.
#[test]
fn diamonds_treedepth_saturation_is_diagnosed() {
    let model = diamonds::load();
    let short = NutsOptions {
        num_warmup: 100,
        num_draws: 100,
        max_depth: 5,
        ..options()
    };
    let fit = run(&model, diamonds::POSTERIOR, &short);
    let saturation = treedepth_saturation(&fit, short.max_depth);
    let (worst_rhat, worst_ess) = worst_convergence(&fit, diamonds::POSTERIOR);
    eprintln!("diamonds: saturation {saturation}, worst R-hat {worst_rhat}, worst ESS {worst_ess}");
    assert!(
        saturation > 0.5,
        "diamonds (diagonal metric): tree depth {} reached in only {saturation} of the \
         transitions (R-hat {worst_rhat}, ESS {worst_ess})",
        short.max_depth
    );
}

/// diamonds with a dense metric and the reference run's adapt_delta = 0.99: an accuracy test,
/// too expensive for CI (run with `cargo test --test posteriordb_nuts -- --ignored`). It passed
/// on 2026-11-26 in 162 s on an idle 2-core machine (578 745 gradients, 0 divergences).
#[test]
#[ignore = "expensive: N = 5000, d = 26; minutes on one core"]
fn diamonds_with_dense_metric() {
    let options = NutsOptions {
        metric: Metric::Dense,
        adapt_delta: 0.99,
        ..options()
    };
    assert_nuts_matches(
        &diamonds::load(),
        diamonds::POSTERIOR,
        &options,
        Divergences::None,
    );
}
