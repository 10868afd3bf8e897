//! The multivariate normal distribution parameterised by the Cholesky factor of its covariance, `multi_normal_cholesky(y | mu, L)`, and the f64 core shared with `multi_normal`.

use rand::Rng;
use rand_distr::StandardNormal;

use super::check::{check_finite, check_not_nan, common_len};
use super::distribution::{Distribution, Support};
use crate::data::{include_summand, is_data_matrix};
use crate::error::{Error, Result};
use crate::linalg::{
    all_constant, back_substitution_transpose_f64, check_square, forward_substitution_f64,
    VectorOperand,
};
use crate::matrix::{Matrix, MatrixOperand};
use crate::real::{add_scaled_from, Real};
use crate::special::LN_SQRT_2PI;

/// Log-density of the multivariate normal with covariance `L Lᵀ` (Stan's
/// `multi_normal_cholesky_lpdf`):
///
/// `Σ_n −½ |z_n|² − Σ_i ln L_ii − K ln √(2π)`, with `z_n = L⁻¹ (y_n − μ_n)`.
///
/// `y` and `mu` are each one vector of length `K` or an array of `N` such vectors (Stan's
/// `array[] vector`); a single vector is shared by all observations, arrays must have the same
/// length. `cholesky_factor` is `K × K` (`&Matrix<T>`, or [`crate::Data`]`(&l)` for a data
/// factor); only its lower triangle is read. Any argument may be data or a parameter.
///
/// Everything is computed in `f64` with two triangular solves per observation
/// (`O(N K²)`), and the partials are applied once: `∂/∂y_n = −w_n`, `∂/∂μ_n = w_n` with
/// `w_n = L⁻ᵀ z_n`, and, when `L` carries tangents, `∂/∂L_ij = Σ_n w_ni z_nj − N δ_ij / L_ii`
/// for `j ≤ i`. A data factor therefore costs no dual work at all.
///
/// # Errors
/// `y` NaN, `mu` not finite, sizes that differ
/// (`multi_normal_cholesky: cholesky_factor has size 3, but must have size 2`), a factor that
/// is not square, has a non-finite lower-triangle entry or a diagonal entry that is not
/// positive (`multi_normal_cholesky: cholesky_factor[2,2] is 0, but must be positive`). The
/// diagonal is checked on every call (`O(K)`); the entries below it (`O(K²)`, as much work as a
/// triangular solve) only when the density comes out non-finite, which a non-finite entry makes
/// it. The error is the same either way. (Stan checks no entry of the factor.)
///
/// # Reference
/// Stan Functions Reference, "Multivariate normal distribution, Cholesky parameterization".
///
/// ```
/// use ppl_core::{dist::multi_normal_cholesky_lpdf, Matrix};
/// let l = Matrix::from_rows(&[vec![1.0, 0.0], vec![0.5, 2.0]])?;
/// let lp: f64 = multi_normal_cholesky_lpdf(&[0.5, -1.0], &[0.0, 0.0], &l)?;
/// // scipy.stats.multivariate_normal.logpdf([0.5, -1], cov=[[1, 0.5], [0.5, 4.25]])
/// assert!((lp - (-2.851_336_746_969_290_7)).abs() < 1e-12);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn multi_normal_cholesky_lpdf<T: Real>(
    y: impl VectorOperand,
    mu: impl VectorOperand,
    cholesky_factor: impl MatrixOperand,
) -> Result<T> {
    multi_normal_cholesky_log_density::<false, T>(y, mu, cholesky_factor)
}

/// [`multi_normal_cholesky_lpdf`] without the constant `−N K ln √(2π)` (Stan's
/// `multi_normal_cholesky_lupdf`, what `~` uses), and without the log-determinant term
/// `−N Σ_i ln L_ii` when `cholesky_factor` is [`crate::Data`] (not computed then: `K`
/// logarithms fewer per call), as Stan's `~` drops it for a data factor.
///
/// ```
/// use ppl_core::{dist::multi_normal_cholesky_lupdf, Data, Matrix};
/// let l = Matrix::from_rows(&[vec![1.0, 0.0], vec![0.5, 2.0]])?;
/// let kept: f64 = multi_normal_cholesky_lupdf(&[0.5, -1.0], &[0.0, 0.0], &l)?;
/// let dropped: f64 = multi_normal_cholesky_lupdf(&[0.5, -1.0], &[0.0, 0.0], Data(&l))?;
/// // z = L⁻¹ y = (0.5, −0.625): −½ |z|² with and without −ln 1 − ln 2.
/// assert!((dropped - (-0.320_312_5)).abs() < 1e-15);
/// assert!((kept - (dropped - 2f64.ln())).abs() < 1e-15);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn multi_normal_cholesky_lupdf<T: Real>(
    y: impl VectorOperand,
    mu: impl VectorOperand,
    cholesky_factor: impl MatrixOperand,
) -> Result<T> {
    multi_normal_cholesky_log_density::<true, T>(y, mu, cholesky_factor)
}

fn multi_normal_cholesky_log_density<const PROPTO: bool, T: Real>(
    y: impl VectorOperand,
    mu: impl VectorOperand,
    cholesky_factor: impl MatrixOperand,
) -> Result<T> {
    const FUNCTION: &str = "multi_normal_cholesky";
    // Stan's `include_summand<propto, T_covar>`: the log-determinant goes for a data factor.
    let log_determinant_wanted = include_summand::<PROPTO>(is_data_matrix(&cholesky_factor));
    let cholesky_factor = cholesky_factor.matrix();
    let (observations, dimension) = check_vector_arguments(FUNCTION, &y, &mu)?;
    check_matrix_size(FUNCTION, "cholesky_factor", cholesky_factor, dimension)?;
    // A data factor (the usual case) is read in place; a factor of duals is copied to values.
    let copied;
    let factor: &Matrix<f64> =
        match (cholesky_factor as &dyn std::any::Any).downcast_ref::<Matrix<f64>>() {
            Some(data) => data,
            None => {
                copied = cholesky_factor.map(|x| x.value());
                &copied
            }
        };
    // The diagonal is checked now (a non-positive `L_kk` would give a finite, wrong value);
    // the `d(d − 1)/2` entries below it only when the value is not finite, which is what a
    // non-finite entry makes it (Stan checks no entry of the factor). The errors are those of
    // the full check, first bad entry first.
    check_cholesky_diagonal(FUNCTION, "cholesky_factor", factor)?;
    if observations == 0 {
        check_cholesky_factor(FUNCTION, "cholesky_factor", factor)?;
        return Ok(T::constant(0.0));
    }
    let factor_has_tangent = !all_constant(cholesky_factor.as_slice());
    let mut d_factor = vec![
        0.0;
        if factor_has_tangent {
            dimension * dimension
        } else {
            0
        }
    ];
    let (mut value, mut out) =
        quadratic_form_terms::<T>(&y, &mu, observations, factor, factor_has_tangent, |w, z| {
            if factor_has_tangent {
                for (i, w_i) in w.iter().enumerate() {
                    for (j, z_j) in z[..=i].iter().enumerate() {
                        d_factor[i * dimension + j] += w_i * z_j;
                    }
                }
            }
        })?;
    let n = observations as f64;
    if log_determinant_wanted || factor_has_tangent {
        for i in 0..dimension {
            let l_ii = factor[(i, i)];
            if log_determinant_wanted {
                value -= n * l_ii.ln();
            }
            if factor_has_tangent {
                d_factor[i * dimension + i] -= n / l_ii;
            }
        }
    }
    if factor_has_tangent {
        for i in 0..dimension {
            for j in 0..=i {
                add_scaled_from(
                    &mut out,
                    &cholesky_factor[(i, j)],
                    d_factor[i * dimension + j],
                );
            }
        }
    }
    if !value.is_finite() {
        check_cholesky_factor(FUNCTION, "cholesky_factor", factor)?;
    }
    if !PROPTO {
        value -= n * dimension as f64 * LN_SQRT_2PI;
    }
    Ok(out + value)
}

/// Checks `y` and `mu` (values and sizes) and returns `(observations, dimension)`.
pub(super) fn check_vector_arguments<Y: VectorOperand, M: VectorOperand>(
    function: &'static str,
    y: &Y,
    mu: &M,
) -> Result<(usize, usize)> {
    let observations = common_len(
        function,
        &[("random variable", y.count()), ("mean", mu.count())],
    )?;
    if observations == 0 {
        return Ok((0, 0));
    }
    let dimension = y.vector(0).len();
    for n in 0..observations {
        let (y_n, mu_n) = (y.vector(n), mu.vector(n));
        if y_n.len() != dimension {
            return Err(Error::size_mismatch(
                function,
                format!("random variable[{}]", n + 1),
                y_n.len(),
                dimension,
            ));
        }
        if mu_n.len() != dimension {
            return Err(Error::size_mismatch(
                function,
                "mean",
                mu_n.len(),
                dimension,
            ));
        }
        check_not_nan(function, "random variable", &y_n)?;
        check_finite(function, "mean", &mu_n)?;
    }
    Ok((observations, dimension))
}

/// Checks that `m` is `dimension × dimension`.
pub(super) fn check_matrix_size<S: Copy>(
    function: &'static str,
    argument: &'static str,
    m: &Matrix<S>,
    dimension: usize,
) -> Result<()> {
    if m.rows() != dimension {
        return Err(Error::size_mismatch(
            function,
            argument,
            m.rows(),
            dimension,
        ));
    }
    check_square(function, argument, m).map(|_| ())
}

/// Whether every entry is finite: `0 · v` is ±0 for a finite `v` and NaN otherwise, and sums
/// of zeros cannot overflow, so eight independent partial sums of `0 · v` stay 0 exactly when
/// all entries are finite (a loop the compiler vectorises, unlike a chain of `is_finite`).
fn all_finite(values: &[f64]) -> bool {
    let mut sums = [0.0; 8];
    let chunks = values.chunks_exact(8);
    let rest = chunks.remainder();
    for chunk in chunks {
        for lane in 0..8 {
            sums[lane] += chunk[lane] * 0.0;
        }
    }
    sums.iter().all(|&sum| sum == 0.0) && rest.iter().all(|v| v.is_finite())
}

/// Checks that the diagonal of a square factor is positive and finite (`O(K)`); if it is not,
/// runs the full check ([`check_cholesky_factor`]), which reports the first bad entry in
/// row-major order, below the diagonal or on it.
pub(super) fn check_cholesky_diagonal(
    function: &'static str,
    argument: &'static str,
    factor: &Matrix<f64>,
) -> Result<()> {
    let diagonal_is_valid =
        (0..factor.rows()).all(|i| factor[(i, i)] > 0.0 && factor[(i, i)].is_finite());
    if diagonal_is_valid {
        return Ok(());
    }
    check_cholesky_factor(function, argument, factor)
}

/// Checks that the lower triangle of a square factor is finite with a positive diagonal.
pub(super) fn check_cholesky_factor(
    function: &'static str,
    argument: &'static str,
    factor: &Matrix<f64>,
) -> Result<()> {
    for i in 0..factor.rows() {
        let row = &factor.row(i)[..=i];
        // One branch-free pass per row (this runs on every evaluation); the offending entry is
        // looked for only in a row that fails.
        let row_is_valid = all_finite(row) && row[i] > 0.0;
        if row_is_valid {
            continue;
        }
        for (j, &entry) in row.iter().enumerate() {
            let label = || format!("{argument}[{},{}]", i + 1, j + 1);
            if !entry.is_finite() {
                return Err(Error::invalid(function, label(), entry, "finite"));
            }
            if i == j && entry <= 0.0 {
                return Err(Error::invalid(function, label(), entry, "positive"));
            }
        }
    }
    Ok(())
}

/// The quadratic-form part `−½ Σ_n |L⁻¹(y_n − μ_n)|²` in `f64`, with the tangents of `y` and
/// `mu` applied (a single shared vector's partials are summed and applied once). When
/// `matrix_has_tangent`, calls `visit(w_n, z_n)` per observation with `z_n = L⁻¹ r_n`,
/// `w_n = L⁻ᵀ z_n` so the caller can accumulate the partials of its matrix argument. The
/// second triangular solve (`w_n`) is skipped when nothing has a tangent (a plain `f64`
/// evaluation). Returns `(value, tangent carrier)`.
pub(super) fn quadratic_form_terms<T: Real>(
    y: &impl VectorOperand,
    mu: &impl VectorOperand,
    observations: usize,
    factor: &Matrix<f64>,
    matrix_has_tangent: bool,
    mut visit: impl FnMut(&[f64], &[f64]),
) -> Result<(f64, T)> {
    let dimension = factor.rows();
    let vectors_have_tangent = (0..observations).any(|n| {
        y.vector(n).iter().any(Real::has_tangent) || mu.vector(n).iter().any(Real::has_tangent)
    });
    let shared_len = |count: Option<usize>| if count.is_none() { dimension } else { 0 };
    let mut d_y_shared = vec![0.0; shared_len(y.count())];
    let mut d_mu_shared = vec![0.0; shared_len(mu.count())];
    let mut value = 0.0;
    let mut out = T::accumulator();
    for n in 0..observations {
        let (y_n, mu_n) = (y.vector(n), mu.vector(n));
        let residual: Vec<f64> = y_n
            .iter()
            .zip(mu_n)
            .map(|(a, b)| a.value() - b.value())
            .collect();
        let z = forward_substitution_f64(factor, &residual)?;
        value -= 0.5 * z.iter().map(|z_i| z_i * z_i).sum::<f64>();
        if !vectors_have_tangent && !matrix_has_tangent {
            continue;
        }
        let w = back_substitution_transpose_f64(factor, &z)?;
        for i in 0..dimension {
            if d_y_shared.is_empty() {
                add_scaled_from(&mut out, &y_n[i], -w[i]);
            } else {
                d_y_shared[i] -= w[i];
            }
            if d_mu_shared.is_empty() {
                add_scaled_from(&mut out, &mu_n[i], w[i]);
            } else {
                d_mu_shared[i] += w[i];
            }
        }
        if matrix_has_tangent {
            visit(&w, &z);
        }
    }
    for (i, d) in d_y_shared.iter().enumerate() {
        add_scaled_from(&mut out, &y.vector(0)[i], *d);
    }
    for (i, d) in d_mu_shared.iter().enumerate() {
        add_scaled_from(&mut out, &mu.vector(0)[i], *d);
    }
    Ok((value, out))
}

/// One draw `μ + L z`, `z` standard normal, reading the lower triangle of `factor`.
pub(super) fn sample_with_factor<R: Rng + ?Sized>(
    mu: &[f64],
    factor: &Matrix<f64>,
    rng: &mut R,
) -> Vec<f64> {
    let z: Vec<f64> = (0..mu.len()).map(|_| rng.sample(StandardNormal)).collect();
    mu.iter()
        .enumerate()
        .map(|(i, m)| {
            m + factor.row(i)[..=i]
                .iter()
                .zip(&z)
                .map(|(l, z)| l * z)
                .sum::<f64>()
        })
        .collect()
}

/// `diag(L Lᵀ)`: the element-wise variances.
pub(super) fn variances_from_factor(factor: &Matrix<f64>) -> Vec<f64> {
    (0..factor.rows())
        .map(|i| factor.row(i)[..=i].iter().map(|l| l * l).sum())
        .collect()
}

/// The multivariate normal `multi_normal_cholesky(mu, L)` with fixed parameters, for sampling
/// and moments.
#[derive(Debug, Clone, PartialEq)]
pub struct MultiNormalCholesky {
    mu: Vec<f64>,
    cholesky_factor: Matrix<f64>,
}

impl MultiNormalCholesky {
    /// `multi_normal_cholesky(mu, L)`: covariance `L Lᵀ`, only the lower triangle of `L` read.
    ///
    /// # Errors
    /// `mu` not finite, `L` not `K × K` with `K = mu.len()`, a non-finite lower-triangle entry
    /// or a diagonal entry that is not positive.
    pub fn new(mu: Vec<f64>, cholesky_factor: Matrix<f64>) -> Result<Self> {
        const FUNCTION: &str = "multi_normal_cholesky";
        check_finite(FUNCTION, "mean", &&mu)?;
        check_matrix_size(FUNCTION, "cholesky_factor", &cholesky_factor, mu.len())?;
        check_cholesky_factor(FUNCTION, "cholesky_factor", &cholesky_factor)?;
        Ok(MultiNormalCholesky {
            mu,
            cholesky_factor,
        })
    }
}

impl Distribution for MultiNormalCholesky {
    type Value = Vec<f64>;
    type Moment = Vec<f64>;
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Vec<f64> {
        sample_with_factor(&self.mu, &self.cholesky_factor, rng)
    }
    fn mean(&self) -> Option<Vec<f64>> {
        Some(self.mu.clone())
    }
    fn variance(&self) -> Option<Vec<f64>> {
        Some(variances_from_factor(&self.cholesky_factor))
    }
    fn support(&self) -> Support {
        Support::RealVector(self.mu.len())
    }
    fn log_density(&self, x: &Vec<f64>) -> f64 {
        multi_normal_cholesky_lpdf::<f64>(x, &self.mu, &self.cholesky_factor)
            .unwrap_or(f64::NEG_INFINITY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::multi_normal::tests::assert_vector_moments;
    use crate::dist::testing::{assert_close, assert_gradient_matches};
    use crate::Dual;
    use proptest::prelude::*;

    fn factor_3() -> Matrix<f64> {
        Matrix::from_rows(&[
            vec![1.5, 0.0, 0.0],
            vec![0.3, 0.8, 0.0],
            vec![-0.4, 0.25, 1.1],
        ])
        .unwrap()
    }

    #[test]
    fn values_match_scipy() {
        // scipy.stats.multivariate_normal.logpdf(y, mean=mu, cov=L @ L.T), scipy 1.17.1.
        let l = factor_3();
        let mu = [0.2, -0.1, 1.0];
        let lp: f64 = multi_normal_cholesky_lpdf(&[1.0, 0.5, -0.3], &mu, &l).unwrap();
        assert_close(lp, -3.947_169_156_689_801_3, 1e-13);
        // Two observations sharing mu: the sum of their log-densities.
        let ys = vec![vec![1.0, 0.5, -0.3], vec![-2.0, 0.0, 3.0]];
        let lp: f64 = multi_normal_cholesky_lpdf(&ys, &mu, &l).unwrap();
        assert_close(lp, -3.947_169_156_689_801_3 + -4.977_892_942_846_825, 1e-13);
        let propto: f64 = multi_normal_cholesky_lupdf(&ys, &mu, &l).unwrap();
        assert_close(lp - propto, -6.0 * LN_SQRT_2PI, 1e-13);
        // Upper triangle is ignored.
        let mut with_upper = l.clone();
        with_upper[(0, 2)] = 7.0;
        let lp_upper: f64 = multi_normal_cholesky_lpdf(&ys, &mu, &with_upper).unwrap();
        assert_eq!(lp, lp_upper);
    }

    #[test]
    fn data_factor_does_no_dual_work_on_the_matrix() {
        // A factor of inactive duals gives the same value and the mu-gradient only.
        let l = factor_3().map(Dual::<4>::new_constant);
        let mu = [
            Dual::<4>::variable(0.2, 0),
            Dual::variable(-0.1, 1),
            Dual::variable(1.0, 2),
        ];
        let lp: Dual<4> = multi_normal_cholesky_lpdf(&[1.0, 0.5, -0.3], &mu, &l).unwrap();
        assert_close(lp.value(), -3.947_169_156_689_801_3, 1e-13);
        // ∂/∂μ = Σ⁻¹ (y − μ), from numpy.linalg.solve(L @ L.T, y - mu).
        let expected = [
            -0.114_964_990_817_263_44,
            1.003_658_746_556_473_5,
            -1.011_707_988_980_716_1,
        ];
        for (lane, e) in expected.iter().enumerate() {
            assert_close(lp.lanes()[lane], *e, 1e-12);
        }
    }

    /// With a data factor the unnormalised form drops `−N Σ_i ln L_ii` (Stan's `~`), whatever
    /// the shapes of `y` and `mu`; the normalised form and every gradient are unchanged.
    #[test]
    fn data_factor_drops_the_log_determinant() {
        use crate::dist::testing::assert_data_drops;
        let l = factor_3();
        // −Σ ln L_ii, from the diagonal (1.5, 0.8, 1.1) written out.
        let log_determinant_term = -(1.5f64.ln() + 0.8f64.ln() + 1.1f64.ln());
        let point = [1.0, 0.5, -0.3, -2.0, 0.0, 3.0, 0.2, -0.1, 1.0];
        // One observation, y and mu parameters.
        assert_data_drops!(
            multi_normal_cholesky_lpdf,
            multi_normal_cholesky_lupdf,
            |x, data| (&x[0..3], &x[6..9], data(&l)),
            point,
            log_determinant_term,
        );
        // Two observations sharing mu: the term counts twice.
        assert_data_drops!(
            multi_normal_cholesky_lpdf,
            multi_normal_cholesky_lupdf,
            |x, data| (
                &vec![x[0..3].to_vec(), x[3..6].to_vec()],
                &x[6..9],
                data(&l)
            ),
            point,
            2.0 * log_determinant_term,
        );
        // Data y, parameter means per observation.
        let ys = vec![vec![1.0, 0.5, -0.3], vec![-2.0, 0.0, 3.0]];
        assert_data_drops!(
            multi_normal_cholesky_lpdf,
            multi_normal_cholesky_lupdf,
            |x, data| (&ys, &vec![x[6..9].to_vec(), x[0..3].to_vec()], data(&l)),
            point,
            2.0 * log_determinant_term,
        );
        // A data factor is still checked.
        let mut bad = l.clone();
        bad[(2, 2)] = -1.0;
        assert_eq!(
            multi_normal_cholesky_lupdf::<f64>(&[0.0; 3], &[0.0; 3], crate::Data(&bad))
                .unwrap_err()
                .to_string(),
            "multi_normal_cholesky: cholesky_factor[3,3] is -1, but must be positive"
        );
    }

    #[test]
    fn argument_checks_name_function_argument_value_and_rule() {
        let l = factor_3();
        let err = multi_normal_cholesky_lpdf::<f64>(&[0.0, 0.0], &[0.0, 0.0], &l).unwrap_err();
        assert_eq!(
            err.to_string(),
            "multi_normal_cholesky: cholesky_factor has size 3, but must have size 2"
        );
        let err = multi_normal_cholesky_lpdf::<f64>(&[0.0; 3], &[0.0, 0.0], &l).unwrap_err();
        assert_eq!(
            err.to_string(),
            "multi_normal_cholesky: mean has size 2, but must have size 3"
        );
        let mut bad = l.clone();
        bad[(1, 1)] = 0.0;
        let err = multi_normal_cholesky_lpdf::<f64>(&[0.0; 3], &[0.0; 3], &bad).unwrap_err();
        assert_eq!(
            err.to_string(),
            "multi_normal_cholesky: cholesky_factor[2,2] is 0, but must be positive"
        );
        let err =
            multi_normal_cholesky_lpdf::<f64>(&[0.0, f64::NAN, 0.0], &[0.0; 3], &l).unwrap_err();
        assert_eq!(
            err.to_string(),
            "multi_normal_cholesky: random variable[2] is NaN, but must be not NaN"
        );
        let ys = vec![vec![0.0; 3]; 2];
        let mus = vec![vec![0.0; 3]; 3];
        let err = multi_normal_cholesky_lpdf::<f64>(&ys, &mus, &l).unwrap_err();
        assert_eq!(
            err.to_string(),
            "multi_normal_cholesky: mean has size 3, but must have size 2"
        );
        assert_eq!(
            MultiNormalCholesky::new(vec![0.0, f64::INFINITY, 0.0], l)
                .unwrap_err()
                .to_string(),
            "multi_normal_cholesky: mean[2] is inf, but must be finite"
        );
    }

    /// The factor check reads each row in chunks of eight: a non-finite entry is found in a
    /// chunk and in the remainder, and the first bad entry in row-major order is reported.
    #[test]
    fn factor_check_finds_the_first_bad_entry_in_long_rows() {
        let n = 12;
        let identity = Matrix::from_row_major(
            n,
            n,
            (0..n * n)
                .map(|k| if k / n == k % n { 1.0 } else { 0.0 })
                .collect(),
        )
        .unwrap();
        let (y, mu) = (vec![0.0; n], vec![0.0; n]);
        for ((row, col), entry, shown) in [
            ((10, 3), f64::INFINITY, "inf"),
            ((11, 9), f64::NAN, "NaN"),
            ((8, 0), f64::NEG_INFINITY, "-inf"),
        ] {
            let mut bad = identity.clone();
            bad[(row, col)] = entry;
            bad[(11, 10)] = f64::NAN; // later in row-major order: not the one reported
            let err = multi_normal_cholesky_lpdf::<f64>(&y, &mu, &bad).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!(
                    "multi_normal_cholesky: cholesky_factor[{},{}] is {shown}, but must be finite",
                    row + 1,
                    col + 1
                )
            );
        }
        // The diagonal is checked before the density is computed, the entries below it when
        // the value is not finite: the error is still the first bad entry in row-major order.
        for ((first, first_shown), (later, later_value)) in [
            (((3, 1), "inf"), ((5, 5), -1.0)),
            (((5, 5), "-1"), ((7, 2), f64::NAN)),
        ] {
            let mut bad = identity.clone();
            bad[first] = if first.0 == first.1 {
                -1.0
            } else {
                f64::INFINITY
            };
            bad[later] = later_value;
            let rule = if first.0 == first.1 {
                "positive"
            } else {
                "finite"
            };
            let expected = format!(
                "multi_normal_cholesky: cholesky_factor[{},{}] is {first_shown}, but must be {rule}",
                first.0 + 1,
                first.1 + 1
            );
            let err = multi_normal_cholesky_lpdf::<f64>(&y, &mu, &bad).unwrap_err();
            assert_eq!(err.to_string(), expected);
            let mut g = vec![0.0; n];
            let err = crate::gradient_sparse::<4, _>(
                |x| multi_normal_cholesky_lpdf(x, &mu, &bad),
                &vec![0.5; n],
                &mut g,
            )
            .unwrap_err();
            assert_eq!(err.to_string(), expected);
        }
        // Entries above the diagonal are not read.
        let mut upper = identity.clone();
        upper[(2, 9)] = f64::NAN;
        assert!(multi_normal_cholesky_lpdf::<f64>(&y, &mu, &upper).is_ok());
    }

    #[test]
    fn sample_moments_match() {
        let distribution = MultiNormalCholesky::new(vec![1.0, -2.0, 0.5], factor_3()).unwrap();
        assert_vector_moments(|rng| distribution.sample(rng), &distribution);
    }

    /// A 3 × 3 factor from 6 free values: diagonal `exp(d)`, off-diagonal as given.
    fn factor_from<T: Real>(p: &[T]) -> Matrix<T> {
        let zero = T::constant(0.0);
        Matrix::from_row_major(
            3,
            3,
            vec![
                p[0].exp(),
                zero,
                zero,
                p[1],
                p[2].exp(),
                zero,
                p[3],
                p[4],
                p[5].exp(),
            ],
        )
        .unwrap()
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(
            y in proptest::collection::vec(-3.0..3.0f64, 6),
            mu in proptest::collection::vec(-3.0..3.0f64, 3),
            factor in proptest::collection::vec(-0.8..0.8f64, 6),
        ) {
            let mut x = y.clone();
            x.extend_from_slice(&mu);
            x.extend_from_slice(&factor);
            // Everything a parameter, one observation.
            assert_gradient_matches(
                |q| multi_normal_cholesky_lpdf(&q[0..3], &q[6..9], &factor_from(&q[9..15])),
                &x,
            );
            // Two observations sharing mu and L.
            assert_gradient_matches(
                |q| {
                    let ys = vec![q[0..3].to_vec(), q[3..6].to_vec()];
                    multi_normal_cholesky_lpdf(&ys, &q[6..9], &factor_from(&q[9..15]))
                },
                &x,
            );
            // Data factor (f64 matrix), parameter y and mu per observation.
            let data_factor = factor_from(&factor);
            assert_gradient_matches(
                |q| {
                    let ys = vec![q[0..3].to_vec(), q[3..6].to_vec()];
                    let mus = vec![q[6..9].to_vec(), q[6..9].iter().map(|m| *m * 0.5).collect()];
                    multi_normal_cholesky_lupdf(&ys, &mus, &data_factor)
                },
                &x[..9],
            );
        }
    }
}
