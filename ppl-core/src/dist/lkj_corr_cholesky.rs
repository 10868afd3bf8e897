//! The LKJ distribution on Cholesky factors of correlation matrices, `lkj_corr_cholesky(L | eta)`, with an onion-method sampler.

use rand::Rng;
use rand_distr::{Beta, Distribution as _, StandardNormal};

use super::check::check_positive_finite;
use super::distribution::{Distribution, Support};
use super::partials::ArgPartials;
use crate::data::{include_summand, is_data, is_data_matrix};
use crate::error::{Error, Result};
use crate::linalg::check_square;
use crate::matrix::{Matrix, MatrixOperand};
use crate::real::{add_scaled_from, Operand, Real};
use crate::special::{self, LN_2};

/// Stan's tolerance for the unit length of a correlation factor's rows.
const UNIT_ROW_TOLERANCE: f64 = 1e-8;

/// Log-density of the LKJ distribution on the Cholesky factor `L` of a `K × K` correlation
/// matrix `Ω = L Lᵀ` (Stan's `lkj_corr_cholesky_lpdf`):
///
/// `ln c_K(η) + Σ_{i=2}^{K} (K − i + 2η − 2) ln L_ii`,
///
/// which is `LKJ(Ω | η) ∝ det(Ω)^{η−1}` times the Jacobian `Π_i L_ii^{K−i}` of `L ↦ Ω`. The
/// normalising constant (Lewandowski, Kurowicka & Joe 2009, Theorem 5) is
///
/// `ln c_K(η) = −Σ_{k=1}^{K−1} [(2η − 2 + K − k)(K − k) ln 2 + (K − k) ln B(b_k, b_k)]`,
/// `b_k = η + (K − k − 1)/2`,
///
/// so that the density integrates to 1 over the free (strictly lower) entries of `L`. `η = 1`
/// is uniform over correlation matrices; larger `η` concentrates on the identity. Only the
/// diagonal of `L` enters the density; its partials `(K − i + 2η − 2)/L_ii` and the partial
/// in `η`, `2 Σ_{i≥2} ln L_ii − Σ_k (K − k)[2 ln 2 + 2ψ(b_k) − 2ψ(2b_k)]`, are applied once.
///
/// `eta` is a scalar (`f64`, a parameter, or [`crate::Data`]); `cholesky_factor` is a
/// `&Matrix<T>`, or `Data(&l)` for a data factor.
///
/// # Errors
/// `eta` not positive and finite, or a vector; `L` not square, not lower triangular (upper entries must be
/// exactly 0), with a diagonal entry that is not positive, or with a row whose Euclidean length
/// differs from 1 by more than `1e-8`
/// (`lkj_corr_cholesky: random variable row 2 length is 1.2, but must be 1 (tolerance 1e-8)`).
///
/// # Reference
/// Lewandowski, Kurowicka & Joe (2009), "Generating random correlation matrices based on vines
/// and extended onion method", *J. Multivariate Analysis* 100; Stan Functions Reference,
/// "Cholesky LKJ correlation distribution".
///
/// ```
/// use ppl_core::{dist::lkj_corr_cholesky_lpdf, Matrix};
/// // K = 2, eta = 1: uniform correlation r on (−1, 1), density 1/2 whatever r.
/// let r: f64 = 0.6;
/// let l = Matrix::from_rows(&[vec![1.0, 0.0], vec![r, (1.0 - r * r).sqrt()]])?;
/// let lp: f64 = lkj_corr_cholesky_lpdf(&l, 1.0)?;
/// assert!((lp - 0.5f64.ln()).abs() < 1e-14);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn lkj_corr_cholesky_lpdf<T: Real>(
    cholesky_factor: impl MatrixOperand,
    eta: impl Operand,
) -> Result<T> {
    lkj_corr_cholesky_log_density::<false, T>(cholesky_factor, eta)
}

/// [`lkj_corr_cholesky_lpdf`] for `~` statements (Stan's `lkj_corr_cholesky_lupdf`): without
/// the normalising constant `ln c_K(η)` when `eta` is [`crate::Data`] (it depends on `eta`,
/// which may be a parameter, so it is kept otherwise), and without
/// `Σ_i (K − i + 2η − 2) ln L_ii` as well when the factor is `Data` too (an observed
/// correlation factor with a fixed `eta`: the density is then all constant).
pub fn lkj_corr_cholesky_lupdf<T: Real>(
    cholesky_factor: impl MatrixOperand,
    eta: impl Operand,
) -> Result<T> {
    lkj_corr_cholesky_log_density::<true, T>(cholesky_factor, eta)
}

/// `(ln c_K(η), d ln c_K / dη)`: the LKJ normalising constant and its derivative in `η`
/// (0 where not wanted).
fn log_normalising_constant(
    dimension: usize,
    eta: f64,
    with_value: bool,
    with_derivative: bool,
) -> (f64, f64) {
    let k_total = dimension as f64;
    let (mut value, mut derivative) = (0.0, 0.0);
    for k in 1..dimension {
        let remaining = k_total - k as f64;
        let b = eta + 0.5 * (remaining - 1.0);
        if with_value {
            value -=
                (2.0 * eta - 2.0 + remaining) * remaining * LN_2 + remaining * special::lbeta(b, b);
        }
        if with_derivative {
            derivative -=
                remaining * (2.0 * LN_2 + 2.0 * (special::digamma(b) - special::digamma(2.0 * b)));
        }
    }
    (value, derivative)
}

/// Checks that `factor` is the Cholesky factor of a correlation matrix.
fn check_cholesky_factor_corr(function: &'static str, factor: &Matrix<f64>) -> Result<usize> {
    const NAME: &str = "random variable";
    let dimension = check_square(function, NAME, factor)?;
    for i in 0..dimension {
        for j in 0..dimension {
            let entry = factor[(i, j)];
            let label = || format!("{NAME}[{},{}]", i + 1, j + 1);
            if j > i && entry != 0.0 {
                return Err(Error::invalid(
                    function,
                    label(),
                    entry,
                    "0 (lower triangular)",
                ));
            }
            if !entry.is_finite() {
                return Err(Error::invalid(function, label(), entry, "finite"));
            }
            if j == i && entry <= 0.0 {
                return Err(Error::invalid(function, label(), entry, "positive"));
            }
        }
        let length = factor.row(i).iter().map(|l| l * l).sum::<f64>().sqrt();
        if (length - 1.0).abs() > UNIT_ROW_TOLERANCE {
            return Err(Error::invalid(
                function,
                format!("{NAME} row {} length", i + 1),
                length,
                "1 (tolerance 1e-8)",
            ));
        }
    }
    Ok(dimension)
}

fn lkj_corr_cholesky_log_density<const PROPTO: bool, T: Real>(
    cholesky_factor: impl MatrixOperand,
    eta: impl Operand,
) -> Result<T> {
    const FUNCTION: &str = "lkj_corr_cholesky";
    // Stan's `include_summand<propto, T_covar, T_shape>`: the diagonal term goes only when both
    // the factor and `eta` are data.
    let diagonal_wanted =
        include_summand::<PROPTO>(is_data_matrix(&cholesky_factor) && is_data(&eta));
    let cholesky_factor = cholesky_factor.matrix();
    check_positive_finite(FUNCTION, "eta", &eta)?;
    if let Some(size) = eta.size() {
        return Err(Error::invalid(
            FUNCTION,
            "eta",
            format!("a vector of size {size}"),
            "a scalar",
        ));
    }
    let factor = cholesky_factor.map(|x| x.value());
    let dimension = check_cholesky_factor_corr(FUNCTION, &factor)?;
    let eta_value = eta.value_at(0);
    let mut eta_partials = ArgPartials::new(&eta);
    // The constant is dropped from the unnormalised form when η is data (Stan's `~`), and then
    // not computed; its derivative only for a parameter η.
    let (mut value, mut d_eta) = log_normalising_constant(
        dimension,
        eta_value,
        include_summand::<PROPTO>(is_data(&eta)),
        eta_partials.is_active(),
    );
    let mut out = T::accumulator();
    let k_total = dimension as f64;
    let diagonal_rows = if diagonal_wanted { 1..dimension } else { 1..1 };
    for i in diagonal_rows {
        // 1-based row i + 1: exponent K − (i + 1) + 2η − 2.
        let exponent = k_total - (i as f64 + 1.0) + 2.0 * eta_value - 2.0;
        let l_ii = factor[(i, i)];
        let log_l_ii = l_ii.ln();
        value += exponent * log_l_ii;
        d_eta += 2.0 * log_l_ii;
        add_scaled_from(&mut out, &cholesky_factor[(i, i)], exponent / l_ii);
    }
    eta_partials.add(&mut out, 0, d_eta);
    eta_partials.apply(&mut out);
    Ok(out + value)
}

/// The LKJ distribution on `K × K` correlation Cholesky factors with fixed `eta`, for sampling
/// and moments. Values are the factor `L` flattened row-major (`K²` entries, upper triangle 0).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LkjCorrCholesky {
    dimension: usize,
    eta: f64,
}

impl LkjCorrCholesky {
    /// `lkj_corr_cholesky(eta)` over `dimension × dimension` factors.
    ///
    /// # Errors
    /// `eta` not positive and finite.
    pub fn new(dimension: usize, eta: f64) -> Result<Self> {
        check_positive_finite("lkj_corr_cholesky", "eta", &eta)?;
        Ok(LkjCorrCholesky { dimension, eta })
    }

    /// The onion-method parameters of row `i ≥ 1` (0-based): the squared length `s_i` of its
    /// off-diagonal part is `beta(i/2, η + (K − i − 1)/2)`.
    fn row_beta(&self, i: usize) -> (f64, f64) {
        (
            0.5 * i as f64,
            self.eta + 0.5 * (self.dimension as f64 - i as f64 - 1.0),
        )
    }
}

impl Distribution for LkjCorrCholesky {
    type Value = Vec<f64>;
    type Moment = Vec<f64>;
    /// The onion method (Lewandowski et al. 2009, §3.2) written for the factor directly: row
    /// `i` is `(√s_i · u_i, √(1 − s_i), 0, …)` with `u_i` uniform on the unit sphere in `ℝ^i`
    /// and `s_i ~ beta(i/2, η + (K − i − 1)/2)`, rows independent. Its density is
    /// `Π_i (1 − s_i)^{(K − i + 2η − 3)/2}` in the free entries, which is the LKJ factor
    /// density above.
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Vec<f64> {
        let k = self.dimension;
        let mut factor = vec![0.0; k * k];
        if k > 0 {
            factor[0] = 1.0;
        }
        for i in 1..k {
            let (a, b) = self.row_beta(i);
            let squared_length = Beta::new(a, b).map(|d| d.sample(rng)).unwrap_or(f64::NAN);
            let direction: Vec<f64> = (0..i).map(|_| rng.sample(StandardNormal)).collect();
            let norm = direction.iter().map(|d| d * d).sum::<f64>().sqrt();
            let scale = squared_length.sqrt() / norm;
            for (j, d) in direction.iter().enumerate() {
                factor[i * k + j] = d * scale;
            }
            factor[i * k + i] = (1.0 - squared_length).sqrt();
        }
        factor
    }
    /// `E(L_ij)`: 1 at `(1, 1)`, `E√(1 − s_i) = B(b + ½, a)/B(b, a)` on the rest of the
    /// diagonal, 0 elsewhere (the directions are symmetric).
    fn mean(&self) -> Option<Vec<f64>> {
        let k = self.dimension;
        let mut mean = vec![0.0; k * k];
        if k > 0 {
            mean[0] = 1.0;
        }
        for i in 1..k {
            let (a, b) = self.row_beta(i);
            mean[i * k + i] = (special::lbeta(b + 0.5, a) - special::lbeta(b, a)).exp();
        }
        Some(mean)
    }
    /// `Var(L_ij) = E(s_i)/i = a/((a + b) i)` below the diagonal, `E(1 − s_i) − E(√(1 − s_i))²`
    /// on the diagonal, 0 at `(1, 1)` and above the diagonal.
    fn variance(&self) -> Option<Vec<f64>> {
        let k = self.dimension;
        let mean = self.mean()?;
        let mut variance = vec![0.0; k * k];
        for i in 1..k {
            let (a, b) = self.row_beta(i);
            for j in 0..i {
                variance[i * k + j] = a / (a + b) / i as f64;
            }
            variance[i * k + i] = b / (a + b) - mean[i * k + i].powi(2);
        }
        Some(variance)
    }
    fn support(&self) -> Support {
        Support::CholeskyCorr(self.dimension)
    }
    fn log_density(&self, x: &Vec<f64>) -> f64 {
        Matrix::from_row_major(self.dimension, self.dimension, x.clone())
            .and_then(|l| lkj_corr_cholesky_lpdf::<f64>(&l, self.eta))
            .unwrap_or(f64::NEG_INFINITY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::multi_normal::tests::{assert_vector_moments, assert_vector_moments_of};
    use crate::dist::testing::{assert_close, assert_gradient_matches, assert_normalised};
    use proptest::prelude::*;

    /// A 3 × 3 correlation factor from 3 unconstrained values (rows normalised).
    fn factor_from<T: Real>(p: &[T]) -> Matrix<T> {
        let one = T::constant(1.0);
        let zero = T::constant(0.0);
        let row_2_norm = (p[0] * p[0] + 1.0).sqrt();
        let row_3_norm = (p[1] * p[1] + p[2] * p[2] + 1.0).sqrt();
        Matrix::from_row_major(
            3,
            3,
            vec![
                one,
                zero,
                zero,
                p[0] / row_2_norm,
                one / row_2_norm,
                zero,
                p[1] / row_3_norm,
                p[2] / row_3_norm,
                one / row_3_norm,
            ],
        )
        .unwrap()
    }

    #[test]
    fn values_match_reference() {
        // Reference: the LKJ (2009) constant evaluated with scipy.special.betaln (scipy 1.17.1)
        // plus Σ (K − i + 2η − 2) ln L_ii; that constant was checked against
        // scipy.integrate.tplquad of det(Ω)^(η−1) over 3 × 3 correlation matrices
        // (ln ∫ = 1.596_312_591_138_854 at η = 1 and 0.292_977_675_112_8 at η = 2.5).
        let l = factor_from(&[0.3, -0.5, 0.8]);
        for (eta, expected) in [
            (1.0, REFERENCE_ETA_1),
            (2.5, REFERENCE_ETA_2_5),
            (0.4, REFERENCE_ETA_0_4),
        ] {
            let lp: f64 = lkj_corr_cholesky_lpdf(&l, eta).unwrap();
            assert_close(lp, expected, 1e-13);
            assert_eq!(lp, lkj_corr_cholesky_lupdf::<f64>(&l, eta).unwrap());
        }
        // K = 3, η = 1: the constant is −ln(π²/2), the elliptope's volume.
        let (constant, _) = log_normalising_constant(3, 1.0, true, false);
        assert_close(constant, -(std::f64::consts::PI.powi(2) / 2.0).ln(), 1e-14);
        // K = 1: the only factor is [1], density 1.
        let one = Matrix::from_rows(&[vec![1.0]]).unwrap();
        assert_eq!(lkj_corr_cholesky_lpdf::<f64>(&one, 3.0).unwrap(), 0.0);
    }

    const REFERENCE_ETA_1: f64 = -1.639_401_439_259_380_8;
    const REFERENCE_ETA_2_5: f64 = -1.420_198_311_202_247_4;
    const REFERENCE_ETA_0_4: f64 = -2.428_810_847_488_333_6;

    #[test]
    fn normalised_for_two_dimensions() {
        // K = 2: L = [[1, 0], [r, √(1 − r²)]], and r ↦ L_21 has unit Jacobian.
        for eta in [1.0, 1.5, 4.0] {
            assert_normalised(
                |r| {
                    let l = Matrix::from_rows(&[vec![1.0, 0.0], vec![r, (1.0 - r * r).sqrt()]])
                        .unwrap();
                    lkj_corr_cholesky_lpdf::<f64>(&l, eta).unwrap_or(f64::NEG_INFINITY)
                },
                -1.0 + 1e-12,
                1.0 - 1e-12,
            );
        }
    }

    #[test]
    fn argument_checks_name_function_argument_value_and_rule() {
        let l = factor_from(&[0.3, -0.5, 0.8]);
        assert_eq!(
            lkj_corr_cholesky_lpdf::<f64>(&l, 0.0)
                .unwrap_err()
                .to_string(),
            "lkj_corr_cholesky: eta is 0, but must be positive and finite"
        );
        let mut upper = l.clone();
        upper[(0, 2)] = 0.1;
        assert_eq!(
            lkj_corr_cholesky_lpdf::<f64>(&upper, 1.0)
                .unwrap_err()
                .to_string(),
            "lkj_corr_cholesky: random variable[1,3] is 0.1, but must be 0 (lower triangular)"
        );
        let mut long_row = l.clone();
        long_row[(1, 0)] = 1.0;
        let err = lkj_corr_cholesky_lpdf::<f64>(&long_row, 1.0)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("lkj_corr_cholesky: random variable row 2 length is 1.384"),
            "{err}"
        );
        assert!(err.ends_with(", but must be 1 (tolerance 1e-8)"), "{err}");
        let mut negative = l.clone();
        negative[(2, 2)] = -negative[(2, 2)];
        assert_eq!(
            lkj_corr_cholesky_lpdf::<f64>(&negative, 1.0)
                .unwrap_err()
                .to_string(),
            format!(
                "lkj_corr_cholesky: random variable[3,3] is {}, but must be positive",
                negative[(2, 2)]
            )
        );
        let rectangular = Matrix::from_rows(&[vec![1.0, 0.0]]).unwrap();
        assert_eq!(
            lkj_corr_cholesky_lpdf::<f64>(&rectangular, 1.0)
                .unwrap_err()
                .to_string(),
            "lkj_corr_cholesky: random variable columns has size 2, but must have size 1"
        );
        assert_eq!(
            LkjCorrCholesky::new(3, -1.0).unwrap_err().to_string(),
            "lkj_corr_cholesky: eta is -1, but must be positive and finite"
        );
    }

    #[test]
    fn samples_are_correlation_factors_with_lkj_moments() {
        for (dimension, eta) in [(3, 1.0), (4, 2.5), (2, 0.5)] {
            let distribution = LkjCorrCholesky::new(dimension, eta).unwrap();
            let mut rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(7);
            for _ in 0..100 {
                let draw = distribution.sample(&mut rng);
                let l = Matrix::from_row_major(dimension, dimension, draw.clone()).unwrap();
                assert!(distribution.log_density(&draw).is_finite());
                assert!(check_cholesky_factor_corr("test", &l).is_ok());
            }
            // The factor's entries against the onion-method moments.
            assert_vector_moments(|rng| distribution.sample(rng), &distribution);
            // Independent check on Ω = L Lᵀ: each correlation is marginally
            // 2·beta(η − 1 + K/2, η − 1 + K/2) − 1, mean 0 and variance 1/(2η + K − 1).
            let pairs: Vec<(usize, usize)> = (0..dimension)
                .flat_map(|i| (0..i).map(move |j| (i, j)))
                .collect();
            let variance = 1.0 / (2.0 * eta + dimension as f64 - 1.0);
            assert_vector_moments_of(
                |rng| {
                    let draw = distribution.sample(rng);
                    pairs
                        .iter()
                        .map(|&(i, j)| {
                            (0..=j)
                                .map(|m| draw[i * dimension + m] * draw[j * dimension + m])
                                .sum()
                        })
                        .collect()
                },
                &vec![0.0; pairs.len()],
                &vec![variance; pairs.len()],
            );
        }
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(
            p in proptest::collection::vec(-2.0..2.0f64, 3),
            log_eta in -1.0..1.5f64,
        ) {
            let mut x = p.clone();
            x.push(log_eta.exp());
            assert_gradient_matches(
                |q| lkj_corr_cholesky_lpdf(&factor_from(&q[..3]), q[3]),
                &x,
            );
            // Data factor, parameter eta.
            let l = factor_from(&p);
            assert_gradient_matches(|q| lkj_corr_cholesky_lupdf(&l, q[0]), &[log_eta.exp()]);
        }
    }

    /// With data `eta` the unnormalised form drops the normalising constant `ln c_K(η)`.
    #[test]
    fn data_eta_drops_the_normalising_constant() {
        use crate::dist::testing::assert_data_drops;
        // ln c_3(η) from scipy.special.betaln (scipy 1.17.1): −ln(π²/2) at η = 1,
        // −0.292_977_675_112_815_9 at η = 2.5.
        assert_data_drops!(
            lkj_corr_cholesky_lpdf,
            lkj_corr_cholesky_lupdf,
            |p, data| (&factor_from(p), data(1.0)),
            [0.3, -0.5, 0.8],
            -(std::f64::consts::PI.powi(2) / 2.0).ln(),
        );
        assert_data_drops!(
            lkj_corr_cholesky_lpdf,
            lkj_corr_cholesky_lupdf,
            |p, data| (&factor_from(p), data(2.5)),
            [0.3, -0.5, 0.8],
            -0.292_977_675_112_815_9,
        );
        // A data factor with a parameter eta drops nothing: every term depends on eta.
        let l = factor_from(&[0.3, -0.5, 0.8]);
        assert_data_drops!(
            lkj_corr_cholesky_lpdf,
            lkj_corr_cholesky_lupdf,
            |p, data| (data(&l), p[0]),
            [2.5],
            0.0,
        );
        // A data factor and a data eta: the whole density is constant and goes (the reference
        // value above); the unused parameter only gives the check a gradient to compare.
        assert_data_drops!(
            lkj_corr_cholesky_lpdf,
            lkj_corr_cholesky_lupdf,
            |p, data| (
                {
                    let _ = p;
                    data(&l)
                },
                data(2.5)
            ),
            [0.0],
            REFERENCE_ETA_2_5,
        );
        assert_eq!(
            lkj_corr_cholesky_lupdf::<f64>(crate::Data(&l), crate::Data(2.5)).unwrap(),
            0.0
        );
        // A parameter eta keeps it, with its derivative.
        assert_gradient_matches(
            |p| lkj_corr_cholesky_lupdf(&factor_from(p), p[3]),
            &[0.3, -0.5, 0.8, 2.5],
        );
        let error = lkj_corr_cholesky_lpdf::<f64>(&factor_from(&[0.3, -0.5, 0.8]), &[1.0, 2.0][..])
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "lkj_corr_cholesky: eta is a vector of size 2, but must be a scalar"
        );
    }
}
