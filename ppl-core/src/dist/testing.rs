//! Test helpers shared by the density tests: tolerance checks, dual-versus-finite-difference gradients, normalisation (quadrature or summed mass), sample moments and quantiles, GLM reference comparisons, and the `Data`-argument check (`assert_data_drops!`).

use rand::{Rng, SeedableRng};

use super::distribution::Distribution;
use crate::dual::Dual;
use crate::error::Result;
use crate::gradient::{finite_difference_gradient, gradient_chunked};
use crate::matrix::Matrix;
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

/// The number of seeded draws behind every sampling test.
const DRAWS: usize = 200_000;

/// `DRAWS` draws from `distribution` with the shared seed, as `f64`.
fn seeded_draws<D: Distribution>(distribution: &D, as_f64: impl Fn(D::Value) -> f64) -> Vec<f64> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(20261126);
    (0..DRAWS)
        .map(|_| as_f64(distribution.sample(&mut rng)))
        .collect()
}

/// The sample mean and variance of `draws` against `mean` and `variance` (each checked if
/// given), within 5 Monte Carlo standard errors (the variance's MCSE uses the sample fourth
/// moment).
#[track_caller]
fn assert_sample_moments(draws: &[f64], mean: Option<f64>, variance: Option<f64>) {
    let n = draws.len() as f64;
    let sample_mean = draws.iter().sum::<f64>() / n;
    let sample_var = draws.iter().map(|d| (d - sample_mean).powi(2)).sum::<f64>() / (n - 1.0);
    let m4 = draws.iter().map(|d| (d - sample_mean).powi(4)).sum::<f64>() / n;
    if let Some(expected) = mean {
        let mcse = (sample_var / n).sqrt();
        assert!(
            (sample_mean - expected).abs() <= 5.0 * mcse,
            "mean {sample_mean} vs {expected} (mcse {mcse})"
        );
    }
    if let Some(expected) = variance {
        let mcse = ((m4 - sample_var * sample_var) / n).sqrt();
        assert!(
            (sample_var - expected).abs() <= 5.0 * mcse,
            "variance {sample_var} vs {expected} (mcse {mcse})"
        );
    }
}

/// Sample mean and variance of 200 000 draws (seeded) against `mean()` and `variance()`,
/// within 5 Monte Carlo standard errors (the variance's MCSE uses the sample fourth moment).
#[track_caller]
pub(crate) fn assert_moments<D: Distribution<Value = f64, Moment = f64>>(distribution: &D) {
    let draws = seeded_draws(distribution, |d| d);
    assert_sample_moments(&draws, distribution.mean(), distribution.variance());
}

/// The discrete analogue of [`assert_moments`], against independently derived `mean` and
/// `variance`.
#[track_caller]
pub(crate) fn assert_discrete_moments<D: Distribution<Value = i64>>(
    distribution: &D,
    mean: f64,
    variance: f64,
) {
    let draws = seeded_draws(distribution, |d| d as f64);
    assert_sample_moments(&draws, Some(mean), Some(variance));
}

/// `Σ_{y = lower}^{upper} exp(log_mass(y)) = 1` within `1e-10` (the caller picks `upper`
/// so that the truncated tail is negligible).
#[track_caller]
pub(crate) fn assert_pmf_normalised(log_mass: impl Fn(i64) -> f64, lower: i64, upper: i64) {
    let total: f64 = (lower..=upper).map(|y| log_mass(y).exp()).sum();
    assert!((total - 1.0).abs() < 1e-10, "total mass is {total}");
}

/// For families without moments: the fraction of 200 000 seeded draws at or below each point
/// `q` matches `cdf(q)` within 5 Monte Carlo standard errors `√(p(1 − p)/n)`.
#[track_caller]
pub(crate) fn assert_cdf_fractions<D: Distribution<Value = f64>>(
    distribution: &D,
    cdf: impl Fn(f64) -> f64,
    points: &[f64],
) {
    let draws = seeded_draws(distribution, |d| d);
    let n = draws.len() as f64;
    for &q in points {
        let p = cdf(q);
        let fraction = draws.iter().filter(|&&d| d <= q).count() as f64 / n;
        let mcse = (p * (1.0 - p) / n).sqrt();
        assert!(
            (fraction - p).abs() <= 5.0 * mcse,
            "P(y <= {q}): sample {fraction} vs {p} (mcse {mcse})"
        );
    }
}

/// An `rows × cols` GLM design matrix with entries uniform on `[-1.5, 1.5]` (seeded).
pub(crate) fn random_matrix(rows: usize, cols: usize, seed: u64) -> Matrix<f64> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let data = (0..rows * cols)
        .map(|_| rng.random_range(-1.5..1.5))
        .collect();
    Matrix::from_row_major(rows, cols, data).unwrap()
}

/// The GLM linear predictor `x β + α` with duals, through `Matrix::mul_vec` (the plain
/// reference path); `alpha` of length 1 broadcasts.
pub(crate) fn eta_reference(x: &Matrix<f64>, alpha: &[Dual<4>], beta: &[Dual<4>]) -> Vec<Dual<4>> {
    let product = x.mul_vec(beta).unwrap();
    product
        .iter()
        .enumerate()
        .map(|(i, &p)| p + if alpha.len() == 1 { alpha[0] } else { alpha[i] })
        .collect()
}

/// `glm` and `reference` agree in value and gradient at `point` (1e-10 relative).
#[track_caller]
pub(crate) fn assert_same_value_and_gradient<F, G>(glm: F, reference: G, point: &[f64])
where
    F: Fn(&[Dual<4>]) -> Result<Dual<4>>,
    G: Fn(&[Dual<4>]) -> Result<Dual<4>>,
{
    let mut glm_gradient = vec![0.0; point.len()];
    let mut reference_gradient = vec![0.0; point.len()];
    let glm_value = gradient_chunked::<4, _>(glm, point, &mut glm_gradient).unwrap();
    let reference_value =
        gradient_chunked::<4, _>(reference, point, &mut reference_gradient).unwrap();
    assert_close(glm_value, reference_value, 1e-10);
    for (a, b) in glm_gradient.iter().zip(&reference_gradient) {
        assert_close(*a, *b, 1e-10);
    }
}

/// Checks a density's handling of [`crate::Data`] arguments at one point, for the
/// [`assert_data_drops`] macro. `evaluate(propto, marked, x)` evaluates the `_lpdf`
/// (`propto = false`) or `_lupdf` form with the data arguments plain (`marked = false`) or
/// wrapped in `Data`, the parameters taken from `x`; in `f64` and in `Dual<4>`.
///
/// (1) the normalised value with and without `Data` is bit-identical; (2) the unnormalised value
/// with `Data` is the one without minus exactly `dropped` (1e-12 relative), and is the same in
/// `f64` and in duals; (3) the gradients with respect to `x` of both forms are bit-identical
/// with and without `Data`.
#[track_caller]
pub(crate) fn check_data_drops(
    evaluate_f64: impl Fn(bool, bool, &[f64]) -> Result<f64>,
    evaluate_dual: impl Fn(bool, bool, &[Dual<4>]) -> Result<Dual<4>>,
    point: &[f64],
    dropped: f64,
) {
    assert!(
        dropped.is_finite(),
        "the dropped terms must be finite, got {dropped}"
    );
    let value = |propto, marked| evaluate_f64(propto, marked, point).unwrap();
    let value_and_gradient = |propto, marked| {
        let mut gradient = vec![0.0; point.len()];
        let value =
            gradient_chunked::<4, _>(|x| evaluate_dual(propto, marked, x), point, &mut gradient)
                .unwrap();
        (value, gradient)
    };
    // (1) The normalised form ignores the marker.
    assert_eq!(value(false, false).to_bits(), value(false, true).to_bits());
    // (2) The unnormalised form drops exactly `dropped`.
    let (plain, marked) = (value(true, false), value(true, true));
    assert_close(marked, plain - dropped, 1e-12);
    for propto in [false, true] {
        let (plain_dual, plain_gradient) = value_and_gradient(propto, false);
        let (marked_dual, marked_gradient) = value_and_gradient(propto, true);
        assert_close(plain_dual, value(propto, false), 1e-14);
        assert_close(marked_dual, value(propto, true), 1e-14);
        // (3) Dropped terms depend on data alone: the gradient does not change.
        assert_eq!(
            plain_gradient, marked_gradient,
            "gradient with and without Data (propto {propto})"
        );
    }
}

/// `assert_data_drops!(lpdf, lupdf, |x, data| (arguments...), point, dropped)`: the density
/// called with `arguments`, in which the data arguments are written `data(value)` and the
/// parameters are read from `x`, passes [`check_data_drops`] at `point` with the terms
/// `dropped` (their value, so that `lupdf` with `Data` = `lupdf` without − `dropped`).
macro_rules! assert_data_drops {
    ($lpdf:path, $lupdf:path, |$x:ident, $data:ident| ($($argument:expr),+ $(,)?),
     $point:expr, $dropped:expr $(,)?) => {{
        let evaluate_f64 = |propto: bool, marked: bool, $x: &[f64]| -> $crate::error::Result<f64> {
            if marked {
                #[allow(dead_code)]
                fn $data<X>(value: X) -> $crate::data::Data<X> {
                    $crate::data::Data(value)
                }
                if propto { $lupdf($($argument),+) } else { $lpdf($($argument),+) }
            } else {
                #[allow(dead_code)]
                fn $data<X>(value: X) -> X {
                    value
                }
                if propto { $lupdf($($argument),+) } else { $lpdf($($argument),+) }
            }
        };
        let evaluate_dual = |propto: bool,
                             marked: bool,
                             $x: &[$crate::dual::Dual<4>]|
         -> $crate::error::Result<$crate::dual::Dual<4>> {
            if marked {
                #[allow(dead_code)]
                fn $data<X>(value: X) -> $crate::data::Data<X> {
                    $crate::data::Data(value)
                }
                if propto { $lupdf($($argument),+) } else { $lpdf($($argument),+) }
            } else {
                #[allow(dead_code)]
                fn $data<X>(value: X) -> X {
                    value
                }
                if propto { $lupdf($($argument),+) } else { $lpdf($($argument),+) }
            }
        };
        $crate::dist::testing::check_data_drops(evaluate_f64, evaluate_dual, &$point, $dropped)
    }};
}
pub(crate) use assert_data_drops;
