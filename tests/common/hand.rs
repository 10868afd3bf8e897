//! Checks of a `model!` model against a log density written by hand in `f64`: values with and without the Jacobian, and gradients in every gradient mode against a hand gradient or extrapolated differences.

use ppl::core::{GradientMode, LogDensity, Model};

/// The gradient of `f` at `u` by central differences `D(h)` extrapolated twice
/// (`R = (4 D(h/2) − D(h))/3`, then `(16 R(h/2) − R(h))/15`): truncation error O(h⁶), about
/// 1e-11 for the test models, independent of the models' forward-mode AD.
pub fn richardson_gradient(f: impl Fn(&[f64]) -> f64, u: &[f64]) -> Vec<f64> {
    let central = |i: usize, h: f64| {
        let mut plus = u.to_vec();
        let mut minus = u.to_vec();
        plus[i] += h;
        minus[i] -= h;
        (f(&plus) - f(&minus)) / (2.0 * h)
    };
    (0..u.len())
        .map(|i| {
            let h = 0.01;
            let d = [central(i, h), central(i, h / 2.0), central(i, h / 4.0)];
            let r = [(4.0 * d[1] - d[0]) / 3.0, (4.0 * d[2] - d[1]) / 3.0];
            (16.0 * r[1] - r[0]) / 15.0
        })
        .collect()
}

/// `|actual − expected| ≤ tolerance · max(1, |expected|)`.
#[track_caller]
pub fn assert_close(actual: f64, expected: f64, tolerance: f64, what: &str) {
    assert!(
        (actual - expected).abs() <= tolerance * expected.abs().max(1.0),
        "{what}: {actual} vs {expected} (difference {:e})",
        actual - expected
    );
}

/// The model's log density (with and without the Jacobian, to 1e-12) and gradient, in every
/// gradient mode, against the hand computation: `hand(u)` returns the log density with the
/// Jacobian and the log-Jacobian alone. The gradient is compared, to `gradient_tolerance`, with
/// `hand_gradient` if one is written out (itself first checked against the extrapolated
/// differences of `hand`, to 1e-8), else with those differences.
#[track_caller]
pub fn check_against_hand<M: Model>(
    with_mode: impl Fn(GradientMode) -> M,
    u: &[f64],
    hand: impl Fn(&[f64]) -> (f64, f64),
    hand_gradient: Option<&[f64]>,
    gradient_tolerance: f64,
) {
    let (expected, log_jacobian) = hand(u);
    let model = with_mode(GradientMode::Auto);
    assert_close(
        model.log_density_f64(u, true).unwrap(),
        expected,
        1e-12,
        "log density",
    );
    assert_close(
        model.log_density_f64(u, false).unwrap(),
        expected - log_jacobian,
        1e-12,
        "log density without the Jacobian",
    );
    let differences = richardson_gradient(|v| hand(v).0, u);
    if let Some(analytic) = hand_gradient {
        for (i, (a, r)) in analytic.iter().zip(&differences).enumerate() {
            assert_close(
                *a,
                *r,
                1e-8,
                &format!("hand gradient [{i}] vs its differences"),
            );
        }
    }
    let expected_gradient = hand_gradient.unwrap_or(&differences);
    for mode in [
        GradientMode::Auto,
        GradientMode::Dense,
        GradientMode::Sparse,
    ] {
        let model = with_mode(mode);
        assert_eq!(model.gradient_mode(), mode);
        let mut gradient = vec![0.0; u.len()];
        let lp = LogDensity::log_density_gradient(&model, u, &mut gradient).unwrap();
        assert_close(lp, expected, 1e-12, &format!("{mode:?} log density"));
        for (i, (g, e)) in gradient.iter().zip(expected_gradient).enumerate() {
            assert_close(
                *g,
                *e,
                gradient_tolerance,
                &format!("{mode:?} gradient [{i}]"),
            );
        }
    }
}
