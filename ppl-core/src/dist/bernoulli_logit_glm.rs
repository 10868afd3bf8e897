//! Logistic regression `bernoulli_logit_glm(y | x, alpha, beta) = bernoulli_logit(y | alpha + x·beta)`.

use super::bernoulli::check_binary;
use super::bernoulli_logit::bernoulli_logit_term;
use super::normal_id_glm::{add_linear_predictor_tangents, linear_predictor};
use super::partials::log_mass;
use crate::error::Result;
use crate::matrix::Matrix;
use crate::real::{IntOperand, Operand, Real};

/// Log-mass of logistic regression (Stan's `bernoulli_logit_glm_lpmf`):
///
/// `Σ_i bernoulli_logit(y_i | η_i)`, `η = α + X β`,
///
/// for an `N × D` data matrix `X`, an intercept `α` (scalar or `N`-vector) and coefficients
/// `β` (`D`-vector); `y ∈ {0, 1}` is a scalar or an `N`-vector. The same value as
/// `bernoulli_logit_lpmf(y, α + X β)`, computed without dual arithmetic per observation: `η`
/// and `g_i = y_i − inv_logit(η_i)` in `f64` (stable softplus for any `|η|`), then the gradient
/// in `β` as `Xᵀg`, each `β_j`'s tangent applied once. For `N = 2000`, `D = 20` a gradient
/// pass is two `f64` passes over `X` plus `D + 1` tangent updates.
///
/// # Errors
/// `y` not in `{0, 1}`, `alpha`, `beta` or an element of `x` not finite, `y` or `alpha` of a
/// size other than `N`, or `beta` of a size other than `D`:
/// `bernoulli_logit_glm: random variable[4] is 2, but must be in {0, 1}`.
///
/// # Reference
/// Stan Functions Reference, "Bernoulli-logit generalized linear model (logistic regression)".
///
/// ```
/// use ppl_core::Matrix;
/// let x = Matrix::from_rows(&[vec![1.0], vec![-1.0]])?;
/// // η = [0, 0]: two observations of probability 1/2.
/// let lp: f64 = ppl_core::dist::bernoulli_logit_glm_lpmf(&vec![1, 0], &x, 0.0, &vec![0.0])?;
/// assert!((lp - 0.25f64.ln()).abs() < 1e-15);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn bernoulli_logit_glm_lpmf<T: Real>(
    y: impl IntOperand,
    x: &Matrix<f64>,
    alpha: impl Operand,
    beta: impl Operand,
) -> Result<T> {
    const FUNCTION: &str = "bernoulli_logit_glm";
    check_binary(FUNCTION, &y)?;
    let eta = linear_predictor(FUNCTION, ("random variable", y.size()), x, &alpha, &beta)?;
    let mut value = 0.0;
    let d_eta: Vec<f64> = eta
        .iter()
        .enumerate()
        .map(|(i, &eta_i)| {
            let (lp, g) = bernoulli_logit_term(y.at(i), eta_i);
            value += lp;
            g
        })
        .collect();
    let mut out = T::accumulator();
    add_linear_predictor_tangents(&mut out, x, &alpha, &beta, &d_eta);
    Ok(log_mass(out, value))
}

/// The same as [`bernoulli_logit_glm_lpmf`]: no term depends on the data only (Stan's
/// `bernoulli_logit_glm_lupmf`, what `~` uses).
pub fn bernoulli_logit_glm_lupmf<T: Real>(
    y: impl IntOperand,
    x: &Matrix<f64>,
    alpha: impl Operand,
    beta: impl Operand,
) -> Result<T> {
    bernoulli_logit_glm_lpmf(y, x, alpha, beta)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::bernoulli_logit_lpmf;
    use crate::dist::testing::{
        assert_gradient_matches, assert_same_value_and_gradient, eta_reference, random_matrix,
    };
    use proptest::prelude::*;

    fn random_outcomes(rows: usize) -> Vec<i64> {
        (0..rows).map(|i| ((i * 7 + 3) % 5 < 2) as i64).collect()
    }

    #[test]
    fn equals_bernoulli_logit_of_linear_predictor() {
        let (rows, cols) = (60, 6);
        let x = random_matrix(rows, cols, 21);
        let y = random_outcomes(rows);
        let point = [-0.4, 0.5, -1.0, 0.25, 0.0, 2.0, -0.7];
        assert_same_value_and_gradient(
            |p| bernoulli_logit_glm_lpmf(&y, &x, p[0], &p[1..7]),
            |p| bernoulli_logit_lpmf(&y, &eta_reference(&x, &p[0..1], &p[1..7])),
            &point,
        );
        // Vector intercept; large coefficients push |η| past 30.
        let mut point: Vec<f64> = (0..rows).map(|i| 0.05 * i as f64 - 1.5).collect();
        point.extend_from_slice(&[25.0, -12.0, 8.0, 0.0, 30.0, -3.0]);
        assert_same_value_and_gradient(
            |p| bernoulli_logit_glm_lpmf(&y, &x, &p[0..rows], &p[rows..]),
            |p| bernoulli_logit_lpmf(&y, &eta_reference(&x, &p[0..rows], &p[rows..])),
            &point,
        );
        assert_eq!(
            bernoulli_logit_glm_lupmf::<f64>(&y, &x, 0.3, &vec![0.1; cols]).unwrap(),
            bernoulli_logit_glm_lpmf::<f64>(&y, &x, 0.3, &vec![0.1; cols]).unwrap()
        );
    }

    #[test]
    fn argument_checks_name_function_argument_value_and_rule() {
        let x = random_matrix(4, 2, 5);
        let beta = vec![1.0, 2.0];
        let err = bernoulli_logit_glm_lpmf::<f64>(&vec![0, 1, 1, 2], &x, 0.0, &beta).unwrap_err();
        assert_eq!(
            err.to_string(),
            "bernoulli_logit_glm: random variable[4] is 2, but must be in {0, 1}"
        );
        let err = bernoulli_logit_glm_lpmf::<f64>(&vec![0, 1], &x, 0.0, &beta).unwrap_err();
        assert_eq!(
            err.to_string(),
            "bernoulli_logit_glm: random variable has size 2, but must have size 4"
        );
        let err = bernoulli_logit_glm_lpmf::<f64>(1, &x, 0.0, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "bernoulli_logit_glm: beta has size 1, but must have size 2"
        );
        let mut bad = x.clone();
        bad[(3, 1)] = f64::INFINITY;
        let err = bernoulli_logit_glm_lpmf::<f64>(1, &bad, 0.0, &beta).unwrap_err();
        assert_eq!(
            err.to_string(),
            "bernoulli_logit_glm: x[4, 2] is inf, but must be finite"
        );
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(
            alpha in -3.0..3.0f64, b0 in -3.0..3.0f64, b1 in -3.0..3.0f64,
        ) {
            let x = random_matrix(8, 2, 29);
            let y = random_outcomes(8);
            assert_gradient_matches(
                |p| bernoulli_logit_glm_lpmf(&y, &x, p[0], &p[1..3]),
                &[alpha, b0, b1],
            );
        }

        #[test]
        fn matches_plain_density_on_random_data(
            seed in 0u64..1_000_000, alpha in -2.0..2.0f64, b0 in -3.0..3.0f64,
            b1 in -3.0..3.0f64, b2 in -3.0..3.0f64,
        ) {
            let x = random_matrix(25, 3, seed);
            let y: Vec<i64> = (0..25).map(|i| ((seed as usize + 3 * i) % 7 < 3) as i64).collect();
            assert_same_value_and_gradient(
                |p| bernoulli_logit_glm_lpmf(&y, &x, p[0], &p[1..4]),
                |p| bernoulli_logit_lpmf(&y, &eta_reference(&x, &p[0..1], &p[1..4])),
                &[alpha, b0, b1, b2],
            );
            // Vector intercept against finite differences.
            let x = random_matrix(4, 2, seed);
            let y = vec![1, 0, 0, 1];
            assert_gradient_matches(
                |p| bernoulli_logit_glm_lpmf(&y, &x, &p[0..4], &p[4..6]),
                &[alpha, -alpha, 0.5, b2, b0, b1],
            );
        }
    }
}
