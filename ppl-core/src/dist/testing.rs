//! Test helpers shared by the density tests: tolerance checks, dual-versus-finite-difference gradients, quadrature normalisation and sample moments.

use rand::SeedableRng;

use super::distribution::Distribution;
use crate::dual::Dual;
use crate::error::Result;
use crate::gradient::{finite_difference_gradient, gradient_chunked};
use crate::real::Real;

/// `|actual − expected| ≤ tol · max(1, |expected|)`.
#[track_caller]
pub(crate) fn assert_close(actual: f64, expected: f64, tol: f64) {
    let scale = expected.abs().max(1.0);
    assert!(
        (actual - expected).abs() <= tol * scale || (actual == expected),
        "actual {actual} vs expected {expected} (tol {tol})"
    );
}

/// Checks the dual-number gradient of `f` at `x` against central finite differences
/// (relative tolerance 1e-6). `f` is called with `Dual<4>` inputs for the gradient and with
/// constant duals for the finite differences, so one closure serves both.
#[track_caller]
pub(crate) fn assert_gradient_matches<F>(f: F, x: &[f64])
where
    F: Fn(&[Dual<4>]) -> Result<Dual<4>>,
{
    let mut gradient = vec![0.0; x.len()];
    let value = gradient_chunked::<4, _>(&f, x, &mut gradient).expect("dual evaluation failed");
    let plain = |p: &[f64]| -> Result<f64> {
        let constants: Vec<Dual<4>> = p.iter().map(|&v| Dual::new_constant(v)).collect();
        f(&constants).map(|d| d.value())
    };
    assert_close(value, plain(x).unwrap(), 1e-12);
    let numeric = finite_difference_gradient(plain, x, 1e-6).expect("f64 evaluation failed");
    for (i, (a, n)) in gradient.iter().zip(&numeric).enumerate() {
        assert!(
            (a - n).abs() <= 1e-5 * n.abs().max(1.0),
            "gradient[{i}] at {x:?}: dual {a} vs finite difference {n}"
        );
    }
}

/// `∫ exp(log_density(y)) dy` over `[lower, upper]` equals 1 (composite Simpson, 20 000
/// intervals, tolerance 1e-6).
#[track_caller]
pub(crate) fn assert_normalised(log_density: impl Fn(f64) -> f64, lower: f64, upper: f64) {
    let n = 20_000;
    let h = (upper - lower) / n as f64;
    let mut sum = 0.0;
    for i in 0..=n {
        let y = lower + i as f64 * h;
        let w = if i == 0 || i == n {
            1.0
        } else if i % 2 == 1 {
            4.0
        } else {
            2.0
        };
        let p = log_density(y).exp();
        if p.is_finite() {
            sum += w * p;
        }
    }
    let integral = sum * h / 3.0;
    assert!((integral - 1.0).abs() < 1e-6, "integral is {integral}");
}

/// Sample mean and variance of 200 000 draws (seeded) against `mean()` and `variance()`,
/// within 5 Monte Carlo standard errors (the variance's MCSE uses the sample fourth moment).
#[track_caller]
pub(crate) fn assert_moments<D: Distribution<Value = f64>>(distribution: &D) {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(20261126);
    let n = 200_000;
    let draws: Vec<f64> = (0..n).map(|_| distribution.sample(&mut rng)).collect();
    let mean = draws.iter().sum::<f64>() / n as f64;
    let var = draws.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (n as f64 - 1.0);
    let m4 = draws.iter().map(|d| (d - mean).powi(4)).sum::<f64>() / n as f64;
    if let Some(expected) = distribution.mean() {
        let mcse = (var / n as f64).sqrt();
        assert!(
            (mean - expected).abs() <= 5.0 * mcse,
            "mean {mean} vs {expected} (mcse {mcse})"
        );
    }
    if let Some(expected) = distribution.variance() {
        let mcse = ((m4 - var * var) / n as f64).sqrt();
        assert!(
            (var - expected).abs() <= 5.0 * mcse,
            "variance {var} vs {expected} (mcse {mcse})"
        );
    }
}
