//! Poisson regression with log link, `poisson_log_glm(y | x, alpha, beta) = poisson_log(y | alpha + x·beta)`.

use super::check::check_int_all;
use super::math::ln_factorial;
use super::normal_id_glm::{add_linear_predictor_tangents, linear_predictor};
use super::partials::log_mass;
use super::poisson_log::poisson_log_term;
use crate::error::Result;
use crate::matrix::Matrix;
use crate::real::{IntOperand, Operand, Real};

/// Log-mass of Poisson regression with log link (Stan's `poisson_log_glm_lpmf`):
///
/// `Σ_i y_i η_i − exp(η_i) − ln y_i!`, `η = α + X β`,
///
/// for an `N × D` data matrix `X`, an intercept `α` (scalar or `N`-vector) and coefficients
/// `β` (`D`-vector); `y ≥ 0` is a scalar or an `N`-vector. The same value as
/// `poisson_log_lpmf(y, α + X β)`, computed without dual arithmetic per observation: `η` and
/// `g_i = y_i − exp(η_i)` in `f64`, then the gradient in `β` as `Xᵀg`, each `β_j`'s tangent
/// applied once.
///
/// # Errors
/// `y` negative, `alpha`, `beta` or an element of `x` not finite, `y` or `alpha` of a size
/// other than `N`, or `beta` of a size other than `D`:
/// `poisson_log_glm: random variable is -1, but must be non-negative`.
///
/// # Reference
/// Stan Functions Reference, "Poisson-log generalized linear model (Poisson regression)".
///
/// ```
/// use ppl_core::Matrix;
/// let x = Matrix::from_rows(&[vec![1.0], vec![2.0]])?;
/// // η = [1, 2]: poisson_log(2 | 1) + poisson_log(0 | 2) = 2 − e − ln 2 − e²
/// let lp: f64 = ppl_core::dist::poisson_log_glm_lpmf(&vec![2, 0], &x, 0.0, &vec![1.0])?;
/// let expected = 2.0 - 1f64.exp() - 2f64.ln() - 2f64.exp();
/// assert!((lp - expected).abs() < 1e-14);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn poisson_log_glm_lpmf<T: Real>(
    y: impl IntOperand,
    x: &Matrix<f64>,
    alpha: impl Operand,
    beta: impl Operand,
) -> Result<T> {
    poisson_log_glm_log_mass::<false, T>(y, x, alpha, beta)
}

/// [`poisson_log_glm_lpmf`] without `−Σ ln y_i!`, which depends only on the data (Stan's
/// `poisson_log_glm_lupmf`, what `~` uses).
pub fn poisson_log_glm_lupmf<T: Real>(
    y: impl IntOperand,
    x: &Matrix<f64>,
    alpha: impl Operand,
    beta: impl Operand,
) -> Result<T> {
    poisson_log_glm_log_mass::<true, T>(y, x, alpha, beta)
}

fn poisson_log_glm_log_mass<const PROPTO: bool, T: Real>(
    y: impl IntOperand,
    x: &Matrix<f64>,
    alpha: impl Operand,
    beta: impl Operand,
) -> Result<T> {
    const FUNCTION: &str = "poisson_log_glm";
    check_int_all(FUNCTION, "random variable", &y, "non-negative", |v| v >= 0)?;
    let eta = linear_predictor(FUNCTION, ("random variable", y.size()), x, &alpha, &beta)?;
    let mut value = 0.0;
    let d_eta: Vec<f64> = eta
        .iter()
        .enumerate()
        .map(|(i, &eta_i)| {
            let count = y.at(i);
            let (lp, g) = poisson_log_term(count, eta_i, eta_i.exp());
            value += lp;
            if !PROPTO {
                value -= ln_factorial(count);
            }
            g
        })
        .collect();
    let mut out = T::accumulator();
    add_linear_predictor_tangents(&mut out, x, &alpha, &beta, &d_eta);
    Ok(log_mass(out, value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::poisson_log_lpmf;
    use crate::dist::testing::{
        assert_close, assert_gradient_matches, assert_same_value_and_gradient, eta_reference,
        random_matrix,
    };
    use proptest::prelude::*;

    fn random_counts(rows: usize) -> Vec<i64> {
        (0..rows).map(|i| ((i * 13 + 5) % 9) as i64).collect()
    }

    #[test]
    fn equals_poisson_log_of_linear_predictor() {
        let (rows, cols) = (50, 4);
        let x = random_matrix(rows, cols, 31);
        let y = random_counts(rows);
        let point = [0.8, 0.3, -0.5, 0.1, 0.6];
        assert_same_value_and_gradient(
            |p| poisson_log_glm_lpmf(&y, &x, p[0], &p[1..5]),
            |p| poisson_log_lpmf(&y, &eta_reference(&x, &p[0..1], &p[1..5])),
            &point,
        );
        let mut point: Vec<f64> = (0..rows).map(|i| 0.02 * i as f64).collect();
        point.extend_from_slice(&[0.3, -0.5, 0.1, 0.6]);
        assert_same_value_and_gradient(
            |p| poisson_log_glm_lupmf(&y, &x, &p[0..rows], &p[rows..]),
            |p| crate::dist::poisson_log_lupmf(&y, &eta_reference(&x, &p[0..rows], &p[rows..])),
            &point,
        );
    }

    #[test]
    fn lupmf_drops_the_factorials() {
        let x = random_matrix(5, 2, 3);
        let y = vec![0, 1, 2, 3, 4];
        let beta = vec![0.2, -0.1];
        let lp: f64 = poisson_log_glm_lpmf(&y, &x, 0.5, &beta).unwrap();
        let propto: f64 = poisson_log_glm_lupmf(&y, &x, 0.5, &beta).unwrap();
        // ln(0! 1! 2! 3! 4!) = ln 288
        assert_close(lp - propto, -(288.0f64).ln(), 1e-14);
    }

    #[test]
    fn argument_checks_name_function_argument_value_and_rule() {
        let x = random_matrix(2, 2, 5);
        let beta = vec![1.0, 2.0];
        let err = poisson_log_glm_lpmf::<f64>(-1, &x, 0.0, &beta).unwrap_err();
        assert_eq!(
            err.to_string(),
            "poisson_log_glm: random variable is -1, but must be non-negative"
        );
        let err = poisson_log_glm_lpmf::<f64>(1, &x, &vec![0.0; 3], &beta).unwrap_err();
        assert_eq!(
            err.to_string(),
            "poisson_log_glm: alpha has size 3, but must have size 2"
        );
        let err = poisson_log_glm_lpmf::<f64>(1, &x, 0.0, &vec![f64::NAN, 1.0]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "poisson_log_glm: beta[1] is NaN, but must be finite"
        );
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(
            alpha in -1.0..1.0f64, b0 in -1.0..1.0f64, b1 in -1.0..1.0f64,
        ) {
            let x = random_matrix(8, 2, 37);
            let y = random_counts(8);
            assert_gradient_matches(
                |p| poisson_log_glm_lpmf(&y, &x, p[0], &p[1..3]),
                &[alpha, b0, b1],
            );
        }

        #[test]
        fn matches_plain_density_on_random_data(
            seed in 0u64..1_000_000, alpha in -1.0..1.0f64, b0 in -1.0..1.0f64,
            b1 in -1.0..1.0f64, b2 in -1.0..1.0f64,
        ) {
            let x = random_matrix(25, 3, seed);
            let y: Vec<i64> = (0..25).map(|i| ((seed as usize + 5 * i) % 11) as i64).collect();
            assert_same_value_and_gradient(
                |p| poisson_log_glm_lpmf(&y, &x, p[0], &p[1..4]),
                |p| poisson_log_lpmf(&y, &eta_reference(&x, &p[0..1], &p[1..4])),
                &[alpha, b0, b1, b2],
            );
            let x = random_matrix(4, 2, seed);
            let y = vec![3, 0, 1, 6];
            assert_gradient_matches(
                |p| poisson_log_glm_lupmf(&y, &x, &p[0..4], &p[4..6]),
                &[alpha, -alpha, 0.5, b2, b0, b1],
            );
        }
    }
}
