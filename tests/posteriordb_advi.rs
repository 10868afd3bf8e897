//! ADVI on the near-Gaussian posteriordb posteriors, tested against its expected accuracy (tests/data/posteriordb/README.md, "ADVI"): means within 0.3 reference sds, sds within a factor of 1.5 (mean-field, or full-rank where mean-field cannot be).
//!
//! ADVI is biased by design, so these are not Monte Carlo tolerances: the README gives 0.1–0.3
//! posterior sds for the means on these posteriors, and `0.5 ≤ ŝ/s ≤ 1.5` for the sds, "or use
//! full-rank ADVI for the sd checks". The Monte Carlo error of the 4000 draws from q (about
//! 0.016 sd) is negligible next to that bias.
//!
//! Stan's defaults (`AdviOptions::default()`) are not tested for accuracy: at this seed they
//! meet it on `eight_schools_noncentered` and `gp_regr` only, and at seeds 0–2 on neither
//! reliably (`gp_regr` 0.33–0.92 sd off with k-hat 0.06–0.35). On the other five they miss
//! by 0.7–2000 sds, and `stan_defaults_warn_when_they_miss` checks that the PSIS k-hat says
//! so. The accuracy tests use [`AdviOptions::accurate`]: a
//! Laplace warm start, steps measured in q's sds with the lagged normaliser, `tol_rel_obj =
//! 1e-4`, iterate averaging over the last 1000 iterations and the best ELBO of 4 restarts. On
//! the centred eight schools funnel `accurate()` still misses, and k-hat still warns.
//! docs/advi-map-laplace.md gives the numbers of each setting over several seeds.

mod common;
mod models;

use models::*;
use ppl::core::LogDensity;
use ppl::infer::advi::{fit, AdviAlgorithm, AdviFit, AdviOptions};

/// The largest error of an ADVI mean, in reference posterior sds.
const MEAN_TOLERANCE_IN_SD: f64 = 0.3;
/// The allowed range of `ŝ / s`.
const SD_RATIO_RANGE: (f64, f64) = (0.5, 1.5);
/// The seed of every fit.
const SEED: u64 = 20_251_126;

/// Which of the README's checks a test makes.
#[derive(Clone, Copy, PartialEq)]
enum Checks {
    /// Means and sds.
    MeansAndSds,
    /// Means only: the mean-field optimum itself is below `0.5 s` for some parameter (given
    /// in the test); the sds are checked by a full-rank test.
    MeansOnly,
}

/// Fits ADVI with `options` (seed [`SEED`], 4000 output draws), checks every reference
/// parameter, and returns the fit; failures are collected and reported together.
fn check_advi<M: LogDensity>(
    model: &M,
    posterior: &str,
    options: AdviOptions,
    checks: Checks,
) -> AdviFit {
    let options = AdviOptions {
        seed: SEED,
        output_samples: 4000,
        ..options
    };
    let result = fit(model, &options).unwrap_or_else(|e| panic!("{posterior}: {e}"));
    let reference = common::read_json(&format!("posteriordb/{posterior}/reference.json"));
    let mut failures = Vec::new();
    let mut worst_error = 0.0_f64;
    let mut sd_ratios = (f64::INFINITY, 0.0_f64);
    for (name, stats) in reference["parameters"].as_object().expect("parameters") {
        let draws = result
            .draws
            .pooled(name)
            .unwrap_or_else(|e| panic!("{posterior}: {e}"));
        let n = draws.len() as f64;
        let mean = draws.iter().sum::<f64>() / n;
        let sd = (draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        let reference_mean = stats["mean"].as_f64().expect("mean");
        let reference_sd = stats["sd"].as_f64().expect("sd");
        let error_in_sd = (mean - reference_mean).abs() / reference_sd;
        let sd_ratio = sd / reference_sd;
        worst_error = worst_error.max(error_in_sd);
        sd_ratios = (sd_ratios.0.min(sd_ratio), sd_ratios.1.max(sd_ratio));
        let sd_fails = checks == Checks::MeansAndSds
            && !(SD_RATIO_RANGE.0..=SD_RATIO_RANGE.1).contains(&sd_ratio);
        if error_in_sd > MEAN_TOLERANCE_IN_SD || sd_fails {
            failures.push(format!(
                "{name}: mean {mean:.4} vs {reference_mean:.4} ({error_in_sd:.2} sd), sd ratio {sd_ratio:.2}"
            ));
        }
    }
    eprintln!(
        "{posterior} ({}): {:?} after {} iterations (eta {}), worst mean error {worst_error:.2} \
         sd, sd ratios {:.2}..{:.2}, k-hat {:.2}",
        options.algorithm,
        result.status,
        result.iterations,
        result.eta,
        sd_ratios.0,
        sd_ratios.1,
        result.khat()
    );
    assert!(
        failures.is_empty(),
        "{posterior}: ADVI outside its expected accuracy:\n{}",
        failures.join("\n")
    );
    result
}

fn full_rank(options: AdviOptions) -> AdviOptions {
    AdviOptions {
        algorithm: AdviAlgorithm::FullRank,
        ..options
    }
}

#[test]
fn eight_schools_noncentered_advi() {
    check_advi(
        &eight_schools_noncentered::load(),
        eight_schools_noncentered::POSTERIOR,
        AdviOptions::accurate(),
        Checks::MeansAndSds,
    );
}

#[test]
fn gp_regr_advi() {
    check_advi(
        &gp_regr::load(),
        gp_regr::POSTERIOR,
        AdviOptions::accurate(),
        Checks::MeansAndSds,
    );
}

/// With Stan's defaults, most random inits (uniform(−2, 2)) lead the first steps to take
/// `theta` past 1, where the error recursion explodes (log p ≈ −1e100) and q never comes back.
#[test]
fn arma11_advi() {
    check_advi(
        &arma11::load(),
        arma11::POSTERIOR,
        AdviOptions::accurate(),
        Checks::MeansAndSds,
    );
}

/// With Stan's defaults the relative ELBO rule stops at iteration 300 at a saddle where both
/// components sit together (means ≈ 60 sds off).
#[test]
fn low_dim_gauss_mix_advi() {
    check_advi(
        &low_dim_gauss_mix::load(),
        low_dim_gauss_mix::POSTERIOR,
        AdviOptions::accurate(),
        Checks::MeansAndSds,
    );
}

/// Means only: height, sex and their interaction make the coefficients correlated, and the
/// exact mean-field optimum for the coefficients (conditional over marginal sd, given sigma)
/// is 0.488–0.565 of the posterior sds (numpy, from the design matrix): below 0.5 for
/// `beta[4]`. `earnings_fullrank_advi` checks the sds.
#[test]
fn earnings_advi() {
    check_advi(
        &earnings::load(),
        earnings::POSTERIOR,
        AdviOptions::accurate(),
        Checks::MeansOnly,
    );
}

#[test]
fn earnings_fullrank_advi() {
    check_advi(
        &earnings::load(),
        earnings::POSTERIOR,
        full_rank(AdviOptions::accurate()),
        Checks::MeansAndSds,
    );
}

/// Means only: the AR coefficients are correlated and the mean-field sds are 0.22–0.25 of the
/// posterior's at the optimum (the conditional sds); `ark_fullrank_advi` checks the sds.
#[test]
fn ark_advi() {
    check_advi(
        &ark::load(),
        ark::POSTERIOR,
        AdviOptions::accurate(),
        Checks::MeansOnly,
    );
}

#[test]
fn ark_fullrank_advi() {
    check_advi(
        &ark::load(),
        ark::POSTERIOR,
        full_rank(AdviOptions::accurate()),
        Checks::MeansAndSds,
    );
}

/// Means only: the coefficients' posterior correlations are 0.75–0.82, and the exact
/// mean-field optimum, the conditional sd `σ/√(XᵀX)_ii` over the marginal `σ √((XᵀX)⁻¹)_ii`,
/// is 0.478–0.531 (numpy, from the data), below 0.5 for two coefficients;
/// `blr_fullrank_advi` checks the sds. The coefficients' sds are 0.001: Stan's absolute steps
/// (≈ η/√k) leave them tens of sds off whatever η is; `accurate()` measures steps in q's sds.
#[test]
fn blr_advi() {
    check_advi(
        &blr::load(),
        blr::POSTERIOR,
        AdviOptions::accurate(),
        Checks::MeansOnly,
    );
}

#[test]
fn blr_fullrank_advi() {
    check_advi(
        &blr::load(),
        blr::POSTERIOR,
        full_rank(AdviOptions::accurate()),
        Checks::MeansAndSds,
    );
}

/// ADVI must say when its answer cannot be trusted: with Stan's defaults the five harder
/// posteriors miss (means 1–2000 sds off), and each of those fits has k-hat > 0.7 and the
/// k-hat warning.
#[test]
fn stan_defaults_warn_when_they_miss() {
    fn check<M: LogDensity>(model: &M, posterior: &str) {
        let options = AdviOptions {
            seed: SEED,
            output_samples: 4000,
            ..AdviOptions::default()
        };
        let result = fit(model, &options).unwrap_or_else(|e| panic!("{posterior}: {e}"));
        eprintln!("{posterior} (Stan defaults): k-hat {:.2}", result.khat());
        assert!(
            result.khat_warning() && result.warnings.iter().any(|w| w.contains("k-hat")),
            "{posterior}: k-hat {} with warnings {:?}",
            result.khat(),
            result.warnings
        );
    }
    check(&arma11::load(), arma11::POSTERIOR);
    check(&low_dim_gauss_mix::load(), low_dim_gauss_mix::POSTERIOR);
    check(&earnings::load(), earnings::POSTERIOR);
    check(&ark::load(), ark::POSTERIOR);
    check(&blr::load(), blr::POSTERIOR);
}

/// `accurate()` is no cure for a funnel: on the centred eight schools the warm start finds no
/// mode (the Hessian is singular at the neck) and falls back to Stan's start, `tau` stays
/// 0.83–0.86 sds off (seeds 0, 1 and this one), and k-hat (0.78–0.96) says so.
#[test]
fn accurate_still_warns_on_the_funnel() {
    let options = AdviOptions {
        seed: SEED,
        output_samples: 4000,
        ..AdviOptions::accurate()
    };
    let result = fit(&eight_schools_centered::load(), &options).expect("fit");
    eprintln!(
        "{} (accurate): k-hat {:.2}, warnings {:?}",
        eight_schools_centered::POSTERIOR,
        result.khat(),
        result.warnings
    );
    assert!(
        result.khat_warning() && result.warnings.iter().any(|w| w.contains("k-hat")),
        "k-hat {} with warnings {:?}",
        result.khat(),
        result.warnings
    );
    assert!(result
        .warnings
        .iter()
        .any(|w| w.starts_with("warm start failed")));
}
