//! Every posteriordb posterior and performance-suite model against Stan's log density and gradient at its three recorded points, plus round trips of the transforms and dual gradients against finite differences at random points.

mod common;
mod models;

use models::*;
use ppl::core::{finite_difference_gradient, LogDensity, Model};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Random points per model for the round-trip and finite-difference checks.
const RANDOM_POINTS: usize = 3;

/// `RANDOM_POINTS` points uniform on `(-2, 2)^d` (Stan's random inits), fixed by `seed`.
fn random_points(dim: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..RANDOM_POINTS)
        .map(|_| (0..dim).map(|_| rng.random_range(-2.0..2.0)).collect())
        .collect()
}

/// `unconstrain(constrain(u)) == u` to rounding: each transform is a bijection, and the
/// round trip loses at most a few ulps per transform step (1e-9 leaves room for the
/// stick-breaking and ordered transforms, whose inverse subtracts nearby numbers).
fn assert_round_trip<M: Model>(model: &M, name: &str) {
    for (p, u) in random_points(Model::dim(model), 7).iter().enumerate() {
        let constrained = Model::constrain(model, u).expect("constrain");
        let back = Model::unconstrain(model, &constrained).expect("unconstrain");
        assert_eq!(back.len(), u.len(), "{name}: unconstrain length");
        for (i, (b, x)) in back.iter().zip(u).enumerate() {
            assert!(
                (b - x).abs() <= 1e-9 * x.abs().max(1.0),
                "{name} point {p}: u[{i}] = {x} comes back as {b}"
            );
        }
    }
}

/// The dual-number gradient against central finite differences (step `1e-6·max(1, |u_i|)`).
/// The tolerance is the truncation error, `1e-5` relative, plus the rounding error of a
/// central difference, about `ε·|lp|/h ≈ 2e-10·|lp|`, with a factor 50 of headroom.
fn assert_gradient_matches_finite_differences<M: Model>(model: &M, name: &str) {
    let dim = Model::dim(model);
    for (p, u) in random_points(dim, 11).iter().enumerate() {
        let mut gradient = vec![0.0; dim];
        let lp = model
            .log_density_gradient(u, &mut gradient)
            .expect("gradient");
        let expected = finite_difference_gradient(|v| model.log_density_f64(v, true), u, 1e-6)
            .expect("finite differences");
        for (i, (g, e)) in gradient.iter().zip(&expected).enumerate() {
            let tolerance = 1e-5 * e.abs().max(1.0) + 1e-8 * lp.abs();
            assert!(
                (g - e).abs() <= tolerance,
                "{name} point {p}: gradient[{i}] = {g}, finite differences {e} (lp {lp})"
            );
        }
    }
}

/// All checks of one model: Stan's three points, round trips, finite differences.
fn check<M: Model>(model: &M, checks: &str) {
    common::check_log_density(model, checks, false);
    assert_round_trip(model, checks);
    assert_gradient_matches_finite_differences(model, checks);
}

#[test]
fn eight_schools_noncentered() {
    check(
        &eight_schools_noncentered::load(),
        eight_schools_noncentered::CHECKS,
    );
}

#[test]
fn eight_schools_centered() {
    check(
        &eight_schools_centered::load(),
        eight_schools_centered::CHECKS,
    );
}

#[test]
fn gp_regr() {
    check(&gp_regr::load(), gp_regr::CHECKS);
}

#[test]
fn earnings() {
    check(&earnings::load(), earnings::CHECKS);
}

#[test]
fn ark() {
    check(&ark::load(), ark::CHECKS);
}

#[test]
fn arma11() {
    check(&arma11::load(), arma11::CHECKS);
}

#[test]
fn low_dim_gauss_mix() {
    check(&low_dim_gauss_mix::load(), low_dim_gauss_mix::CHECKS);
}

#[test]
fn garch11() {
    check(&garch11::load(), garch11::CHECKS);
}

#[test]
fn blr() {
    check(&blr::load(), blr::CHECKS);
}

#[test]
fn hmm_example() {
    let model = hmm_example::load();
    common::check_log_density(&model, hmm_example::CHECKS, false);
    assert_round_trip(&model, hmm_example::CHECKS);
    assert_gradient_matches_finite_differences(&model, hmm_example::CHECKS);
}

#[test]
fn hmm_drive_0() {
    let model = hmm_drive_0::load();
    common::check_log_density(&model, hmm_drive_0::CHECKS, false);
    assert_round_trip(&model, hmm_drive_0::CHECKS);
    assert_gradient_matches_finite_differences(&model, hmm_drive_0::CHECKS);
}

#[test]
fn mesquite() {
    check(&mesquite::load(), mesquite::CHECKS);
}

#[test]
fn nes() {
    check(&nes::load(), nes::CHECKS);
}

#[test]
fn gp_pois_regr() {
    check(&gp_pois_regr::load(), gp_pois_regr::CHECKS);
}

#[test]
fn kidiq() {
    check(&kidiq::load(), kidiq::CHECKS);
}

#[test]
fn kilpisjarvi() {
    check(&kilpisjarvi::load(), kilpisjarvi::CHECKS);
}

#[test]
fn diamonds() {
    check(&diamonds::load(), diamonds::CHECKS);
}

#[test]
fn bench_eight_schools() {
    check(&bench_eight_schools::load(), bench_eight_schools::CHECKS);
}

#[test]
fn bench_logistic_regression() {
    check(&logistic_regression::load(), logistic_regression::CHECKS);
}

#[test]
fn bench_hierarchical_regression() {
    check(
        &hierarchical_regression::load(),
        hierarchical_regression::CHECKS,
    );
}

/// The same posterior written with lazy `Affine` arguments: the same values and gradients.
#[test]
fn bench_hierarchical_regression_affine() {
    check(
        &hierarchical_regression_affine::load(),
        hierarchical_regression_affine::CHECKS,
    );
}

#[test]
fn bench_correlated_gaussian() {
    check(&correlated_gaussian::load(), correlated_gaussian::CHECKS);
}

/// Stan's `log_prob` (propto) drops `−Σ ln L_kk` of `x ~ multi_normal_cholesky(zero, L)` with
/// transformed-data `L`, as `model!` now does (`L` is passed as `Data`): the absolute values
/// agree, not only their differences between points.
#[test]
fn bench_correlated_gaussian_drops_the_log_determinant_as_stan() {
    let model = correlated_gaussian::load();
    let checks = common::read_json(correlated_gaussian::CHECKS);
    for point in checks["points"].as_array().expect("points") {
        let u: Vec<f64> = point["unconstrained"]
            .as_array()
            .expect("unconstrained")
            .iter()
            .map(|v| v.as_f64().expect("number"))
            .collect();
        let stan = point["log_prob_jacobian"].as_f64().expect("log_prob");
        let lp = model.log_density_f64(&u, true).expect("log density");
        assert!(
            (lp - stan).abs() <= 1e-10 * stan.abs(),
            "lp {lp}, Stan's log_prob {stan}"
        );
    }
}

#[test]
fn bench_poisson_glm() {
    check(&poisson_glm::load(), poisson_glm::CHECKS);
}
