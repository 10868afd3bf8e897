//! The normal linear regression `normal_id_glm(y | x, alpha, beta, sigma) = normal(y | alpha + x·beta, sigma)`, and the linear-predictor engine the three GLMs share.

use super::check::{check_finite, check_positive_finite, leading_value};
use super::partials::{log_mass, ArgPartials};
use crate::data::{include_summand, is_data};
use crate::error::{Error, Result};
use crate::matrix::Matrix;
use crate::real::{Operand, Real};
use crate::special::LN_SQRT_2PI;

/// Log-density of the normal linear model with identity link (Stan's `normal_id_glm_lpdf`):
///
/// `Σ_i normal(y_i | η_i, σ_i)`, `η = α + X β`,
///
/// for an `N × D` data matrix `X`, an intercept `α` (scalar or `N`-vector), coefficients `β`
/// (`D`-vector) and scale `σ` (scalar or `N`-vector); `y` is a scalar or an `N`-vector. The
/// same value as `normal_lpdf(y, α + X β, σ)`, computed without dual arithmetic per
/// observation: `η` and `g_i = ∂lp/∂η_i = (y_i − η_i)/σ_i²` in `f64`, then the gradient in `β`
/// as `Xᵀg` (one `f64` pass over `X`), each `β_j`'s tangent applied once. A gradient pass costs
/// `2ND` flops plus `(D + 2)` tangent updates, whatever the number of lanes.
///
/// # Errors
/// `y`, `alpha`, `beta` or an element of `x` not finite, `scale` not positive and finite,
/// `y`, `alpha` or `scale` of a size other than `N`, or `beta` of a size other than `D`:
/// `normal_id_glm: beta has size 2, but must have size 3`.
///
/// # Reference
/// Stan Functions Reference, "Normal-id generalized linear model (linear regression)".
///
/// ```
/// use ppl_core::Matrix;
/// let x = Matrix::from_rows(&[vec![1.0, 0.0], vec![0.5, 2.0]])?;
/// let lp: f64 = ppl_core::dist::normal_id_glm_lpdf(&vec![1.5, 1.0], &x, 0.5, &vec![1.0, 0.25], 1.0)?;
/// // η = [1.5, 1.5]: normal(1.5 | 1.5, 1) + normal(1 | 1.5, 1)
/// assert!((lp - (-2.0 * 0.918_938_533_204_672_8 - 0.125)).abs() < 1e-14);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn normal_id_glm_lpdf<T: Real>(
    y: impl Operand,
    x: &Matrix<f64>,
    alpha: impl Operand,
    beta: impl Operand,
    scale: impl Operand,
) -> Result<T> {
    normal_id_glm_log_density::<false, T>(y, x, alpha, beta, scale)
}

/// [`normal_id_glm_lpdf`] without the constant `−N ln √(2π)` (Stan's `normal_id_glm_lupdf`,
/// what `~` uses), and without `−Σ ln σ_i` when `scale` is [`crate::Data`].
pub fn normal_id_glm_lupdf<T: Real>(
    y: impl Operand,
    x: &Matrix<f64>,
    alpha: impl Operand,
    beta: impl Operand,
    scale: impl Operand,
) -> Result<T> {
    normal_id_glm_log_density::<true, T>(y, x, alpha, beta, scale)
}

fn normal_id_glm_log_density<const PROPTO: bool, T: Real>(
    y: impl Operand,
    x: &Matrix<f64>,
    alpha: impl Operand,
    beta: impl Operand,
    scale: impl Operand,
) -> Result<T> {
    const FUNCTION: &str = "normal_id_glm";
    check_finite(FUNCTION, "random variable", &y)?;
    check_positive_finite(FUNCTION, "scale", &scale)?;
    check_observation_size(FUNCTION, "scale", scale.size(), x.rows())?;
    let eta = linear_predictor(FUNCTION, ("random variable", y.size()), x, &alpha, &beta)?;
    // `−ln σ` is dropped from the unnormalised form when σ is data (Stan's `~`).
    let include_log_sigma = include_summand::<PROPTO>(is_data(&scale));
    let log_of = |s: f64| if include_log_sigma { s.ln() } else { 0.0 };
    let scalar_scale = scale.size().is_none();
    let (inv_sigma_0, log_sigma_0) = {
        let s = leading_value(&scale);
        (1.0 / s, log_of(s))
    };
    let mut y_partials = ArgPartials::new(&y);
    let mut scale_partials = ArgPartials::new(&scale);
    let mut out = T::accumulator();
    let mut value = 0.0;
    let mut d_eta = Vec::with_capacity(eta.len());
    for (i, &eta_i) in eta.iter().enumerate() {
        let (inv_sigma, log_sigma) = if scalar_scale {
            (inv_sigma_0, log_sigma_0)
        } else {
            let s = scale.value_at(i);
            (1.0 / s, log_of(s))
        };
        let z = (y.value_at(i) - eta_i) * inv_sigma;
        value -= 0.5 * z * z + log_sigma;
        let g = z * inv_sigma;
        d_eta.push(g);
        y_partials.add(&mut out, i, -g);
        scale_partials.add(&mut out, i, (z * z - 1.0) * inv_sigma);
    }
    y_partials.apply(&mut out);
    scale_partials.apply(&mut out);
    add_linear_predictor_tangents(&mut out, x, &alpha, &beta, &d_eta);
    if !PROPTO {
        value -= eta.len() as f64 * LN_SQRT_2PI;
    }
    Ok(log_mass(out, value))
}

/// A per-observation argument (`y`, `alpha`, `scale`) is a scalar or has one element per row.
pub(crate) fn check_observation_size(
    function: &'static str,
    name: &'static str,
    size: Option<usize>,
    rows: usize,
) -> Result<()> {
    match size {
        Some(n) if n != rows => Err(Error::size_mismatch(function, name, n, rows)),
        _ => Ok(()),
    }
}

/// Checks the GLM arguments and returns the linear predictor `η = α + X β` in `f64`.
///
/// `variate` is the variate's name and size (scalar or `N = x.rows()`); `alpha` is finite, a
/// scalar or an `N`-vector; `beta` is finite with `D = x.cols()` elements (a scalar only when
/// `D = 1`). `X` is checked only if some `η_i` is not finite, so that a well-behaved call
/// never scans the data matrix twice.
pub(crate) fn linear_predictor<A: Operand, B: Operand>(
    function: &'static str,
    variate: (&'static str, Option<usize>),
    x: &Matrix<f64>,
    alpha: &A,
    beta: &B,
) -> Result<Vec<f64>> {
    let (rows, cols) = (x.rows(), x.cols());
    check_observation_size(function, variate.0, variate.1, rows)?;
    check_finite(function, "alpha", alpha)?;
    check_observation_size(function, "alpha", alpha.size(), rows)?;
    check_finite(function, "beta", beta)?;
    let beta_size = beta.size().unwrap_or(1);
    if beta_size != cols {
        return Err(Error::size_mismatch(function, "beta", beta_size, cols));
    }
    let beta_values: Vec<f64> = (0..cols).map(|j| beta.value_at(j)).collect();
    let eta: Vec<f64> = (0..rows)
        .map(|i| {
            let dot: f64 = x.row(i).iter().zip(&beta_values).map(|(a, b)| a * b).sum();
            alpha.value_at(i) + dot
        })
        .collect();
    if eta.iter().any(|e| !e.is_finite()) {
        for i in 0..rows {
            for (j, &v) in x.row(i).iter().enumerate() {
                if !v.is_finite() {
                    return Err(Error::invalid(
                        function,
                        format!("x[{}, {}]", i + 1, j + 1),
                        v,
                        "finite",
                    ));
                }
            }
        }
    }
    Ok(eta)
}

/// Applies the chain rule through `η = α + X β` given `d_eta[i] = ∂lp/∂η_i`: `α` receives
/// `Σ_i d_eta[i]` (scalar) or `d_eta[i]` (vector); `β_j` receives `(Xᵀ d_eta)_j`, computed in
/// `f64` in one row-major pass and applied once per coefficient (skipped entirely when no
/// coefficient carries a tangent).
pub(crate) fn add_linear_predictor_tangents<T: Real, A: Operand, B: Operand>(
    out: &mut T,
    x: &Matrix<f64>,
    alpha: &A,
    beta: &B,
    d_eta: &[f64],
) {
    let mut alpha_partials = ArgPartials::new(alpha);
    if alpha_partials.is_active() {
        for (i, &g) in d_eta.iter().enumerate() {
            alpha_partials.add(out, i, g);
        }
        alpha_partials.apply(out);
    }
    let mut beta_partials = ArgPartials::new(beta);
    if beta_partials.is_active() {
        let mut gradient = vec![0.0; x.cols()];
        for (i, &g) in d_eta.iter().enumerate() {
            for (acc, &x_ij) in gradient.iter_mut().zip(x.row(i)) {
                *acc += x_ij * g;
            }
        }
        for (j, &partial) in gradient.iter().enumerate() {
            beta_partials.add(out, j, partial);
        }
        beta_partials.apply(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::normal_lpdf;
    use crate::dist::testing::{
        assert_close, assert_gradient_matches, assert_same_value_and_gradient, eta_reference,
        random_matrix,
    };
    use proptest::prelude::*;

    #[test]
    fn equals_normal_of_linear_predictor() {
        let (rows, cols) = (40, 5);
        let x = random_matrix(rows, cols, 11);
        let y: Vec<f64> = (0..rows).map(|i| (i as f64 * 0.37).sin() * 2.0).collect();
        // Parameters: alpha, beta[0..5], sigma.
        let point = [0.3, 0.5, -1.0, 0.25, 0.0, 2.0, 1.7];
        assert_same_value_and_gradient(
            |p| normal_id_glm_lpdf(&y, &x, p[0], &p[1..6], p[6]),
            |p| normal_lpdf(&y, &eta_reference(&x, &p[0..1], &p[1..6]), p[6]),
            &point,
        );
        // Vector intercept and scale, parameter y (as in a measurement-error model).
        let mut point: Vec<f64> = (0..rows).map(|i| 0.1 * i as f64 - 2.0).collect();
        point.extend_from_slice(&[0.5, -1.0, 0.25, 0.0, 2.0]);
        point.extend((0..rows).map(|i| 0.5 + 0.05 * i as f64));
        point.extend_from_slice(&y);
        let (a, b, s, v) = (
            0..rows,
            rows..rows + 5,
            rows + 5..2 * rows + 5,
            2 * rows + 5..3 * rows + 5,
        );
        assert_same_value_and_gradient(
            |p| {
                normal_id_glm_lpdf(
                    &p[v.clone()],
                    &x,
                    &p[a.clone()],
                    &p[b.clone()],
                    &p[s.clone()],
                )
            },
            |p| {
                normal_lpdf(
                    &p[v.clone()],
                    &eta_reference(&x, &p[a.clone()], &p[b.clone()]),
                    &p[s.clone()],
                )
            },
            &point,
        );
    }

    #[test]
    fn lupdf_drops_the_constant() {
        let x = random_matrix(7, 2, 3);
        let y = vec![0.5; 7];
        let lp: f64 = normal_id_glm_lpdf(&y, &x, 0.1, &vec![1.0, -1.0], 2.0).unwrap();
        let propto: f64 = normal_id_glm_lupdf(&y, &x, 0.1, &vec![1.0, -1.0], 2.0).unwrap();
        assert_close(lp - propto, -7.0 * LN_SQRT_2PI, 1e-14);
        // No observations.
        let empty = Matrix::from_row_major(0, 2, Vec::new()).unwrap();
        let lp: f64 =
            normal_id_glm_lpdf(&Vec::<f64>::new(), &empty, 0.0, &vec![1.0, 2.0], 1.0).unwrap();
        assert_eq!(lp, 0.0);
    }

    #[test]
    fn argument_checks_name_function_argument_value_and_rule() {
        let x = random_matrix(3, 2, 5);
        let y = vec![0.0; 3];
        let beta = vec![1.0, 2.0];
        let err = normal_id_glm_lpdf::<f64>(&y, &x, 0.0, &vec![1.0; 3], 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "normal_id_glm: beta has size 3, but must have size 2"
        );
        let err = normal_id_glm_lpdf::<f64>(&vec![0.0; 4], &x, 0.0, &beta, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "normal_id_glm: random variable has size 4, but must have size 3"
        );
        let err = normal_id_glm_lpdf::<f64>(&y, &x, &vec![0.0; 2], &beta, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "normal_id_glm: alpha has size 2, but must have size 3"
        );
        let err = normal_id_glm_lpdf::<f64>(&y, &x, 0.0, &beta, -1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "normal_id_glm: scale is -1, but must be positive and finite"
        );
        let err = normal_id_glm_lpdf::<f64>(&y, &x, f64::NAN, &beta, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "normal_id_glm: alpha is NaN, but must be finite"
        );
        let err =
            normal_id_glm_lpdf::<f64>(&y, &x, 0.0, &vec![1.0, f64::INFINITY], 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "normal_id_glm: beta[2] is inf, but must be finite"
        );
        let mut bad = x.clone();
        bad[(1, 0)] = f64::NAN;
        let err = normal_id_glm_lpdf::<f64>(&y, &bad, 0.0, &beta, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "normal_id_glm: x[2, 1] is NaN, but must be finite"
        );
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(
            alpha in -2.0..2.0f64, b0 in -2.0..2.0f64, b1 in -2.0..2.0f64, log_sigma in -1.0..1.0f64,
        ) {
            let x = random_matrix(6, 2, 17);
            let y = vec![0.5, -1.0, 2.0, 0.0, 1.0, -0.3];
            assert_gradient_matches(
                |p| normal_id_glm_lpdf(&y, &x, p[0], &p[1..3], p[3]),
                &[alpha, b0, b1, log_sigma.exp()],
            );
        }

        #[test]
        fn matches_plain_density_on_random_data(
            seed in 0u64..1_000_000, alpha in -2.0..2.0f64, b0 in -2.0..2.0f64,
            b1 in -2.0..2.0f64, log_sigma in -1.0..1.0f64,
        ) {
            let x = random_matrix(25, 2, seed);
            let y: Vec<f64> = (0..25).map(|i| ((seed as f64) + i as f64).sin() * 3.0).collect();
            assert_same_value_and_gradient(
                |p| normal_id_glm_lpdf(&y, &x, p[0], &p[1..3], p[3]),
                |p| normal_lpdf(&y, &eta_reference(&x, &p[0..1], &p[1..3]), p[3]),
                &[alpha, b0, b1, log_sigma.exp()],
            );
            // Vector intercept and scale against finite differences.
            let x = random_matrix(3, 2, seed);
            let y = vec![0.5, -1.0, 2.0];
            let sigma = log_sigma.exp();
            assert_gradient_matches(
                |p| normal_id_glm_lupdf(&y, &x, &p[0..3], &p[3..5], &p[5..8]),
                &[alpha, -alpha, 0.5, b0, b1, sigma, 2.0 * sigma, 0.7],
            );
        }
    }

    /// With data `scale` the unnormalised form drops `−Σ ln σ_i`.
    #[test]
    fn data_scale_drops_its_log() {
        use crate::dist::testing::assert_data_drops;
        let x = random_matrix(4, 2, 5);
        let y = [0.3, -1.2, 2.0, 0.8];
        let sigma = [0.5, 1.5, 2.0, 3.0];
        let log_sigma_sum: f64 = sigma.iter().map(|s: &f64| s.ln()).sum();
        assert_data_drops!(
            normal_id_glm_lpdf,
            normal_id_glm_lupdf,
            |p, data| (&y[..], &x, p[0], &p[1..3], data(&sigma[..])),
            [0.1, 0.7, -0.4],
            -log_sigma_sum,
        );
        assert_data_drops!(
            normal_id_glm_lpdf,
            normal_id_glm_lupdf,
            |p, data| (&y[..], &x, p[0], &p[1..3], data(1.5)),
            [0.1, 0.7, -0.4],
            -4.0 * 1.5f64.ln(),
        );
    }
}
