//! The multivariate normal distribution `multi_normal(y | mu, Sigma)` with a covariance matrix.

use rand::Rng;

use super::check::check_finite;
use super::distribution::{Distribution, Support};
use super::multi_normal_cholesky::{
    check_matrix_size, check_vector_arguments, quadratic_form_terms, sample_with_factor,
};
use crate::data::{include_summand, is_data_matrix};
use crate::error::{Error, Result};
use crate::linalg::{
    all_constant, back_substitution_transpose, check_symmetric, cholesky_lower,
    forward_substitution, VectorOperand,
};
use crate::matrix::{Matrix, MatrixOperand};
use crate::real::{add_scaled_from, Real};
use crate::special::LN_SQRT_2PI;

/// Log-density of the multivariate normal with covariance matrix `Σ` (Stan's
/// `multi_normal_lpdf`):
///
/// `Σ_n −½ (y_n − μ_n)ᵀ Σ⁻¹ (y_n − μ_n) − ½ ln det Σ − K ln √(2π)`.
///
/// `y` and `mu` are each one vector of length `K` or an array of `N` vectors (a single vector
/// is shared); `covariance` is `K × K` (`&Matrix<T>`, or [`crate::Data`]`(&sigma)` for a data
/// covariance), symmetric (absolute tolerance `1e-8`) and positive definite. Σ is factorised once in `f64` (`O(K³)`), then each observation costs two
/// triangular solves. Partials: `∂/∂y_n = −w_n`, `∂/∂μ_n = w_n` with `w_n = Σ⁻¹(y_n − μ_n)`,
/// and, when Σ carries tangents, `∂/∂Σ_ij = ½ Σ_n w_ni w_nj − ½ N (Σ⁻¹)_ij` for every entry
/// (the symmetric gradient, so a parameter entering `Σ_ij` and `Σ_ji` gets both halves).
/// Prefer [`multi_normal_cholesky_lpdf`](crate::dist::multi_normal_cholesky_lpdf) when a
/// factor is at hand.
///
/// # Errors
/// `y` NaN, `mu` not finite, sizes that differ
/// (`multi_normal: covariance has size 3, but must have size 2`), a covariance that is not
/// square, not symmetric, or not positive definite
/// (`multi_normal: covariance pivot[2] is -3, but must be positive (the matrix must be positive definite)`).
///
/// # Reference
/// Stan Functions Reference, "Multivariate normal distribution".
///
/// ```
/// use ppl_core::{dist::multi_normal_lpdf, Matrix};
/// let sigma = Matrix::from_rows(&[vec![1.0, 0.5], vec![0.5, 4.25]])?;
/// let lp: f64 = multi_normal_lpdf(&[0.5, -1.0], &[0.0, 0.0], &sigma)?;
/// // scipy.stats.multivariate_normal.logpdf([0.5, -1], cov=[[1, 0.5], [0.5, 4.25]])
/// assert!((lp - (-2.851_336_746_969_290_7)).abs() < 1e-12);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn multi_normal_lpdf<T: Real>(
    y: impl VectorOperand,
    mu: impl VectorOperand,
    covariance: impl MatrixOperand,
) -> Result<T> {
    multi_normal_log_density::<false, T>(y, mu, covariance)
}

/// [`multi_normal_lpdf`] without the constant `−N K ln √(2π)` (Stan's `multi_normal_lupdf`),
/// and without the log-determinant term `−½ N ln det Σ` when `covariance` is [`crate::Data`]
/// (not computed then), as Stan's `~` drops it for a data covariance. Σ is still factorised
/// (and checked) on every call: the quadratic form needs its factor.
///
/// ```
/// use ppl_core::{dist::multi_normal_lupdf, Data, Matrix};
/// let sigma = Matrix::from_rows(&[vec![1.0, 0.5], vec![0.5, 4.25]])?;
/// let kept: f64 = multi_normal_lupdf(&[0.5, -1.0], &[0.0, 0.0], &sigma)?;
/// let dropped: f64 = multi_normal_lupdf(&[0.5, -1.0], &[0.0, 0.0], Data(&sigma))?;
/// // det Σ = 4: the data covariance drops −½ ln 4.
/// assert!((dropped - (-0.320_312_5)).abs() < 1e-15);
/// assert!((kept - (dropped - 0.5 * 4f64.ln())).abs() < 1e-15);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn multi_normal_lupdf<T: Real>(
    y: impl VectorOperand,
    mu: impl VectorOperand,
    covariance: impl MatrixOperand,
) -> Result<T> {
    multi_normal_log_density::<true, T>(y, mu, covariance)
}

/// The `f64` Cholesky factor of a covariance matrix, with the density's error messages.
fn covariance_factor<S: Real>(
    function: &'static str,
    covariance: &Matrix<S>,
) -> Result<Matrix<f64>> {
    check_symmetric(function, "covariance", covariance)?;
    cholesky_lower(&covariance.map(|x| x.value())).map_err(|(pivot, value)| {
        Error::invalid(
            function,
            format!("covariance pivot[{pivot}]"),
            value,
            "positive (the matrix must be positive definite)",
        )
    })
}

fn multi_normal_log_density<const PROPTO: bool, T: Real>(
    y: impl VectorOperand,
    mu: impl VectorOperand,
    covariance: impl MatrixOperand,
) -> Result<T> {
    const FUNCTION: &str = "multi_normal";
    // Stan's `include_summand<propto, T_covar>`: the log-determinant goes for a data covariance.
    let log_determinant_wanted = include_summand::<PROPTO>(is_data_matrix(&covariance));
    let covariance = covariance.matrix();
    let (observations, dimension) = check_vector_arguments(FUNCTION, &y, &mu)?;
    check_matrix_size(FUNCTION, "covariance", covariance, dimension)?;
    let factor = covariance_factor(FUNCTION, covariance)?;
    if observations == 0 {
        return Ok(T::constant(0.0));
    }
    let covariance_has_tangent = !all_constant(covariance.as_slice());
    let mut d_covariance = vec![
        0.0;
        if covariance_has_tangent {
            dimension * dimension
        } else {
            0
        }
    ];
    let (mut value, mut out) = quadratic_form_terms::<T>(
        &y,
        &mu,
        observations,
        &factor,
        covariance_has_tangent,
        |w, _z| {
            if covariance_has_tangent {
                for (i, w_i) in w.iter().enumerate() {
                    for (j, w_j) in w.iter().enumerate() {
                        d_covariance[i * dimension + j] += 0.5 * w_i * w_j;
                    }
                }
            }
        },
    )?;
    let n = observations as f64;
    if log_determinant_wanted {
        value -= n * (0..dimension).map(|i| factor[(i, i)].ln()).sum::<f64>();
    }
    if covariance_has_tangent {
        // Σ⁻¹ column by column: e_j → L⁻¹ e_j → L⁻ᵀ L⁻¹ e_j.
        for j in 0..dimension {
            let mut unit = vec![0.0; dimension];
            unit[j] = 1.0;
            let column =
                back_substitution_transpose(&factor, &forward_substitution(&factor, &unit)?)?;
            for (i, inverse_ij) in column.iter().enumerate() {
                d_covariance[i * dimension + j] -= 0.5 * n * inverse_ij;
            }
        }
        for (entry, d) in covariance.as_slice().iter().zip(&d_covariance) {
            add_scaled_from(&mut out, entry, *d);
        }
    }
    if !PROPTO {
        value -= n * dimension as f64 * LN_SQRT_2PI;
    }
    Ok(out + value)
}

/// The multivariate normal `multi_normal(mu, Sigma)` with fixed parameters, for sampling and
/// moments (Σ is factorised once by [`MultiNormal::new`]).
#[derive(Debug, Clone, PartialEq)]
pub struct MultiNormal {
    mu: Vec<f64>,
    covariance: Matrix<f64>,
    cholesky_factor: Matrix<f64>,
}

impl MultiNormal {
    /// `multi_normal(mu, Sigma)`.
    ///
    /// # Errors
    /// `mu` not finite, Σ not `K × K` with `K = mu.len()`, not symmetric or not positive
    /// definite.
    pub fn new(mu: Vec<f64>, covariance: Matrix<f64>) -> Result<Self> {
        const FUNCTION: &str = "multi_normal";
        check_finite(FUNCTION, "mean", &&mu)?;
        check_matrix_size(FUNCTION, "covariance", &covariance, mu.len())?;
        let cholesky_factor = covariance_factor(FUNCTION, &covariance)?;
        Ok(MultiNormal {
            mu,
            covariance,
            cholesky_factor,
        })
    }
}

impl Distribution for MultiNormal {
    type Value = Vec<f64>;
    type Moment = Vec<f64>;
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Vec<f64> {
        sample_with_factor(&self.mu, &self.cholesky_factor, rng)
    }
    fn mean(&self) -> Option<Vec<f64>> {
        Some(self.mu.clone())
    }
    fn variance(&self) -> Option<Vec<f64>> {
        Some(
            (0..self.mu.len())
                .map(|i| self.covariance[(i, i)])
                .collect(),
        )
    }
    fn support(&self) -> Support {
        Support::RealVector(self.mu.len())
    }
    fn log_density(&self, x: &Vec<f64>) -> f64 {
        multi_normal_lpdf::<f64>(x, &self.mu, &self.covariance).unwrap_or(f64::NEG_INFINITY)
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::dist::testing::{assert_close, assert_gradient_matches};
    use crate::linalg::multiply_lower_tri_self_transpose;
    use proptest::prelude::*;
    use rand::SeedableRng;

    /// Element-wise sample mean and variance of 100 000 seeded draws against `mean` and
    /// `variance`, within 5 Monte Carlo standard errors (variance MCSE from the fourth
    /// moment); components with zero variance must be constant and equal to their mean.
    #[track_caller]
    pub(crate) fn assert_vector_moments_of(
        mut sample: impl FnMut(&mut rand_chacha::ChaCha8Rng) -> Vec<f64>,
        mean: &[f64],
        variance: &[f64],
    ) {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(20261126);
        let n = 100_000;
        let draws: Vec<Vec<f64>> = (0..n).map(|_| sample(&mut rng)).collect();
        for k in 0..mean.len() {
            let column: Vec<f64> = draws.iter().map(|d| d[k]).collect();
            let m = column.iter().sum::<f64>() / n as f64;
            let var = column.iter().map(|d| (d - m).powi(2)).sum::<f64>() / (n as f64 - 1.0);
            let m4 = column.iter().map(|d| (d - m).powi(4)).sum::<f64>() / n as f64;
            if variance[k] == 0.0 {
                assert!(
                    column.iter().all(|d| *d == mean[k]),
                    "component {k} must be constant {}",
                    mean[k]
                );
                continue;
            }
            let mean_mcse = (var / n as f64).sqrt();
            assert!(
                (m - mean[k]).abs() <= 5.0 * mean_mcse,
                "component {k}: mean {m} vs {} (mcse {mean_mcse})",
                mean[k]
            );
            let var_mcse = ((m4 - var * var) / n as f64).sqrt();
            assert!(
                (var - variance[k]).abs() <= 5.0 * var_mcse,
                "component {k}: variance {var} vs {} (mcse {var_mcse})",
                variance[k]
            );
        }
    }

    /// [`assert_vector_moments_of`] for a distribution's own `mean()` and `variance()`.
    #[track_caller]
    pub(crate) fn assert_vector_moments<D: Distribution<Value = Vec<f64>, Moment = Vec<f64>>>(
        sample: impl FnMut(&mut rand_chacha::ChaCha8Rng) -> Vec<f64>,
        distribution: &D,
    ) {
        let mean = distribution.mean().expect("mean");
        let variance = distribution.variance().expect("variance");
        assert_vector_moments_of(sample, &mean, &variance);
    }

    fn covariance_3() -> Matrix<f64> {
        Matrix::from_rows(&[
            vec![2.0, 0.6, -0.3],
            vec![0.6, 1.0, 0.2],
            vec![-0.3, 0.2, 0.5],
        ])
        .unwrap()
    }

    #[test]
    fn values_match_scipy() {
        // scipy.stats.multivariate_normal.logpdf(y, mean=mu, cov=Sigma), scipy 1.17.1.
        let mu = [0.2, -0.1, 1.0];
        let lp: f64 = multi_normal_lpdf(&[1.0, 0.5, -0.3], &mu, &covariance_3()).unwrap();
        assert_close(lp, REFERENCE_1, 1e-13);
        let ys = vec![vec![1.0, 0.5, -0.3], vec![-2.0, 0.0, 3.0]];
        let lp: f64 = multi_normal_lpdf(&ys, &mu, &covariance_3()).unwrap();
        assert_close(lp, REFERENCE_1 + REFERENCE_2, 1e-13);
        let propto: f64 = multi_normal_lupdf(&ys, &mu, &covariance_3()).unwrap();
        assert_close(lp - propto, -6.0 * LN_SQRT_2PI, 1e-13);
    }

    /// With a data covariance the unnormalised form drops `−½ N ln det Σ` (Stan's `~`); the
    /// normalised form and every gradient are unchanged.
    #[test]
    fn data_covariance_drops_the_log_determinant() {
        use crate::dist::testing::assert_data_drops;
        let sigma = covariance_3();
        // det Σ by cofactor expansion along the first row (no Cholesky factor involved).
        let s = |i, j| sigma[(i, j)];
        let determinant = s(0, 0) * (s(1, 1) * s(2, 2) - s(1, 2) * s(2, 1))
            - s(0, 1) * (s(1, 0) * s(2, 2) - s(1, 2) * s(2, 0))
            + s(0, 2) * (s(1, 0) * s(2, 1) - s(1, 1) * s(2, 0));
        let log_determinant_term = -0.5 * determinant.ln();
        let point = [1.0, 0.5, -0.3, -2.0, 0.0, 3.0, 0.2, -0.1, 1.0];
        assert_data_drops!(
            multi_normal_lpdf,
            multi_normal_lupdf,
            |x, data| (&x[0..3], &x[6..9], data(&sigma)),
            point,
            log_determinant_term,
        );
        assert_data_drops!(
            multi_normal_lpdf,
            multi_normal_lupdf,
            |x, data| (
                &vec![x[0..3].to_vec(), x[3..6].to_vec()],
                &x[6..9],
                data(&sigma)
            ),
            point,
            2.0 * log_determinant_term,
        );
        // A data covariance is still checked.
        let indefinite = Matrix::from_rows(&[vec![1.0, 2.0], vec![2.0, 1.0]]).unwrap();
        assert_eq!(
            multi_normal_lupdf::<f64>(&[0.0, 0.0], &[0.0, 0.0], crate::Data(&indefinite))
                .unwrap_err()
                .to_string(),
            "multi_normal: covariance pivot[2] is -3, but must be positive (the matrix must be positive definite)"
        );
    }

    const REFERENCE_1: f64 = -5.146_392_714_528_339;
    const REFERENCE_2: f64 = -6.830_389_254_320_718;

    #[test]
    fn argument_checks_name_function_argument_value_and_rule() {
        let err = multi_normal_lpdf::<f64>(&[0.0, 0.0], &[0.0, 0.0], &covariance_3()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "multi_normal: covariance has size 3, but must have size 2"
        );
        let not_symmetric = Matrix::from_rows(&[vec![1.0, 0.5], vec![0.3, 1.0]]).unwrap();
        let err = multi_normal_lpdf::<f64>(&[0.0, 0.0], &[0.0, 0.0], &not_symmetric).unwrap_err();
        assert_eq!(
            err.to_string(),
            "multi_normal: covariance[1,2] is 0.5 (while covariance[2,1] is 0.3), but must be symmetric"
        );
        let indefinite = Matrix::from_rows(&[vec![1.0, 2.0], vec![2.0, 1.0]]).unwrap();
        let err = multi_normal_lpdf::<f64>(&[0.0, 0.0], &[0.0, 0.0], &indefinite).unwrap_err();
        assert_eq!(
            err.to_string(),
            "multi_normal: covariance pivot[2] is -3, but must be positive (the matrix must be positive definite)"
        );
        assert_eq!(
            MultiNormal::new(vec![0.0; 2], indefinite).unwrap_err().to_string(),
            "multi_normal: covariance pivot[2] is -3, but must be positive (the matrix must be positive definite)"
        );
    }

    #[test]
    fn sample_moments_match() {
        let distribution = MultiNormal::new(vec![1.0, -2.0, 0.5], covariance_3()).unwrap();
        assert_vector_moments(|rng| distribution.sample(rng), &distribution);
    }

    /// A symmetric positive-definite 3 × 3 matrix from 6 free values: `B Bᵀ + ½ I`.
    fn covariance_from<T: Real>(p: &[T]) -> Matrix<T> {
        let zero = T::constant(0.0);
        let b = Matrix::from_row_major(
            3,
            3,
            vec![p[0], zero, zero, p[1], p[2], zero, p[3], p[4], p[5]],
        )
        .unwrap();
        crate::linalg::add_diag(&multiply_lower_tri_self_transpose(&b), 0.5).unwrap()
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(
            y in proptest::collection::vec(-3.0..3.0f64, 6),
            mu in proptest::collection::vec(-3.0..3.0f64, 3),
            b in proptest::collection::vec(-1.2..1.2f64, 6),
        ) {
            let mut x = y.clone();
            x.extend_from_slice(&mu);
            x.extend_from_slice(&b);
            assert_gradient_matches(
                |q| multi_normal_lpdf(&q[0..3], &q[6..9], &covariance_from(&q[9..15])),
                &x,
            );
            assert_gradient_matches(
                |q| {
                    let ys = vec![q[0..3].to_vec(), q[3..6].to_vec()];
                    multi_normal_lupdf(&ys, &q[6..9], &covariance_from(&q[9..15]))
                },
                &x,
            );
        }
    }
}
