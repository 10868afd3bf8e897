//! The variational families on the unconstrained scale as flat parameter vectors: mean-field (μ, ω = log σ) and full-rank (μ, packed lower-triangular L), with draws, entropy and the reparameterisation gradient.

use super::gaussian::LN_SQRT_2PI;
use super::options::AdviAlgorithm;

/// A Gaussian `q` on the unconstrained scale; `params` is `[μ (d), ω (d)]` (mean-field) or
/// `[μ (d), L packed by rows, d(d+1)/2]` (full-rank), the vector the step-size sequence updates.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Variational {
    pub(crate) algorithm: AdviAlgorithm,
    pub(crate) dim: usize,
    pub(crate) params: Vec<f64>,
}

/// Index of `L[i][j]`, `j ≤ i`, in the packed rows after μ.
fn packed(dim: usize, i: usize, j: usize) -> usize {
    dim + i * (i + 1) / 2 + j
}

impl Variational {
    /// Stan's starting approximation: mean `init`, unit scale (ω = 0, or L = I).
    pub(crate) fn new(algorithm: AdviAlgorithm, init: &[f64]) -> Self {
        let dim = init.len();
        let mut params = init.to_vec();
        match algorithm {
            AdviAlgorithm::MeanField => params.extend(std::iter::repeat_n(0.0, dim)),
            AdviAlgorithm::FullRank => {
                params.extend(std::iter::repeat_n(0.0, dim * (dim + 1) / 2));
                for i in 0..dim {
                    params[packed(dim, i, i)] = 1.0;
                }
            }
        }
        Self {
            algorithm,
            dim,
            params,
        }
    }

    /// The approximation `N(mean, covariance)` (row-major `d × d`, positive definite) of this
    /// family: mean-field keeps the conditional sds `1/√(Σ⁻¹)_ii` (the mean-field optimum for
    /// a Gaussian target), full-rank the Cholesky factor. `None` when `covariance` is not
    /// positive definite.
    pub(crate) fn from_gaussian(
        algorithm: AdviAlgorithm,
        mean: &[f64],
        covariance: &[f64],
    ) -> Option<Self> {
        let dim = mean.len();
        let covariance = nalgebra::DMatrix::from_row_slice(dim, dim, covariance);
        let cholesky = covariance.cholesky()?;
        let mut q = Self::new(algorithm, mean);
        match algorithm {
            AdviAlgorithm::MeanField => {
                let precision = cholesky.inverse();
                for i in 0..dim {
                    let precision_ii = precision[(i, i)];
                    if !(precision_ii.is_finite() && precision_ii > 0.0) {
                        return None;
                    }
                    q.params[dim + i] = -0.5 * precision_ii.ln();
                }
            }
            AdviAlgorithm::FullRank => {
                let lower = cholesky.l();
                for i in 0..dim {
                    for j in 0..=i {
                        q.params[packed(dim, i, j)] = lower[(i, j)];
                    }
                }
            }
        }
        q.params.iter().all(|p| p.is_finite()).then_some(q)
    }

    /// The mean μ.
    pub(crate) fn mean(&self) -> &[f64] {
        &self.params[..self.dim]
    }

    /// The scale `S` (q = N(μ, S Sᵀ)) as a dense lower-triangular row-major `d × d` matrix.
    pub(crate) fn scale_lower(&self) -> Vec<f64> {
        let dim = self.dim;
        let mut scale = vec![0.0; dim * dim];
        for i in 0..dim {
            match self.algorithm {
                AdviAlgorithm::MeanField => scale[i * dim + i] = self.params[dim + i].exp(),
                AdviAlgorithm::FullRank => {
                    for j in 0..=i {
                        scale[i * dim + j] = self.params[packed(dim, i, j)];
                    }
                }
            }
        }
        scale
    }

    /// `u = μ + S z` for a standard-normal `z`.
    pub(crate) fn transform(&self, standard: &[f64], out: &mut [f64]) {
        match self.algorithm {
            AdviAlgorithm::MeanField => {
                for i in 0..self.dim {
                    out[i] = self.params[i] + self.params[self.dim + i].exp() * standard[i];
                }
            }
            AdviAlgorithm::FullRank => {
                for (i, value) in out.iter_mut().enumerate().take(self.dim) {
                    let row = &self.params[packed(self.dim, i, 0)..=packed(self.dim, i, i)];
                    *value =
                        self.params[i] + row.iter().zip(standard).map(|(l, z)| l * z).sum::<f64>();
                }
            }
        }
    }

    /// Marginal standard deviations.
    pub(crate) fn sds(&self) -> Vec<f64> {
        let scale = self.scale_lower();
        (0..self.dim)
            .map(|i| {
                scale[i * self.dim..(i + 1) * self.dim]
                    .iter()
                    .map(|s| s * s)
                    .sum::<f64>()
                    .sqrt()
            })
            .collect()
    }

    /// Per-parameter step multipliers of relative steps: the marginal sd `s_i` of `u_i` for
    /// `μ_i`; `s_i / √(i + 1)` for each of the `i + 1` entries of row `i` of `L`, so that a
    /// step changes the row by about as much as it changes `μ_i` (with `s_i` per entry, the
    /// random part of the steps grows the norm of a long row, and with it `s_i` and the next
    /// steps, without bound); 1 for `ω` (already on the log scale).
    pub(crate) fn step_scales(&self) -> Vec<f64> {
        let sds = self.sds();
        let mut scales = sds.clone();
        match self.algorithm {
            AdviAlgorithm::MeanField => scales.extend(std::iter::repeat_n(1.0, self.dim)),
            AdviAlgorithm::FullRank => {
                for (i, sd) in sds.iter().enumerate() {
                    let row_length = (i + 1) as f64;
                    scales.extend(std::iter::repeat_n(sd / row_length.sqrt(), i + 1));
                }
            }
        }
        scales
    }

    /// Entropy `d/2 (1 + ln 2π) + Σ ln|S_ii|`.
    pub(crate) fn entropy(&self) -> f64 {
        let log_det: f64 = match self.algorithm {
            AdviAlgorithm::MeanField => self.params[self.dim..].iter().sum(),
            AdviAlgorithm::FullRank => (0..self.dim)
                .map(|i| self.params[packed(self.dim, i, i)].abs().ln())
                .sum(),
        };
        self.dim as f64 * (0.5 + LN_SQRT_2PI) + log_det
    }

    /// Adds one draw's reparameterisation term: `∇_μ += g`, `∇_ω += g ∘ z` (scaled by σ in
    /// [`Variational::finish_gradient`]) or `∇_L += lower(g zᵀ)`.
    pub(crate) fn accumulate_gradient(
        &self,
        standard: &[f64],
        log_density_gradient: &[f64],
        out: &mut [f64],
    ) {
        let dim = self.dim;
        for i in 0..dim {
            out[i] += log_density_gradient[i];
            match self.algorithm {
                AdviAlgorithm::MeanField => out[dim + i] += log_density_gradient[i] * standard[i],
                AdviAlgorithm::FullRank => {
                    for j in 0..=i {
                        out[packed(dim, i, j)] += log_density_gradient[i] * standard[j];
                    }
                }
            }
        }
    }

    /// Averages over `n` draws and adds the entropy gradient (`+1` for ω, `1/L_ii` for L).
    pub(crate) fn finish_gradient(&self, n: usize, out: &mut [f64]) {
        let dim = self.dim;
        for g in out.iter_mut() {
            *g /= n as f64;
        }
        for i in 0..dim {
            match self.algorithm {
                AdviAlgorithm::MeanField => {
                    out[dim + i] = out[dim + i] * self.params[dim + i].exp() + 1.0;
                }
                AdviAlgorithm::FullRank => {
                    out[packed(dim, i, i)] += 1.0 / self.params[packed(dim, i, i)];
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A non-Gaussian test density: `log p(u) = −Σ u_i⁴/4 + u_0 u_1` and its gradient.
    fn log_p(u: &[f64], gradient: &mut [f64]) -> f64 {
        for (g, x) in gradient.iter_mut().zip(u) {
            *g = -x.powi(3);
        }
        gradient[0] += u[1];
        gradient[1] += u[0];
        -u.iter().map(|x| x.powi(4) / 4.0).sum::<f64>() + u[0] * u[1]
    }

    /// The single-draw objective `log p(μ + S z) + H[q]` whose gradient the engine ascends.
    fn objective(q: &Variational, standard: &[f64]) -> f64 {
        let mut point = vec![0.0; q.dim];
        q.transform(standard, &mut point);
        log_p(&point, &mut vec![0.0; q.dim]) + q.entropy()
    }

    #[test]
    fn reparameterisation_gradient_matches_finite_differences() {
        let standard = [0.3, -1.2, 0.7];
        for algorithm in [AdviAlgorithm::MeanField, AdviAlgorithm::FullRank] {
            let mut q = Variational::new(algorithm, &[0.2, -0.4, 0.9]);
            for (k, p) in q.params.iter_mut().enumerate().skip(3) {
                *p += 0.1 * k as f64;
            }
            let mut point = [0.0; 3];
            q.transform(&standard, &mut point);
            let mut log_p_gradient = [0.0; 3];
            log_p(&point, &mut log_p_gradient);
            let mut gradient = vec![0.0; q.params.len()];
            q.accumulate_gradient(&standard, &log_p_gradient, &mut gradient);
            q.finish_gradient(1, &mut gradient);
            for (k, analytic) in gradient.iter().enumerate() {
                let step = 1e-6;
                let mut forward = q.clone();
                forward.params[k] += step;
                let mut backward = q.clone();
                backward.params[k] -= step;
                let numeric = (objective(&forward, &standard) - objective(&backward, &standard))
                    / (2.0 * step);
                assert!(
                    (analytic - numeric).abs() < 1e-6 * (1.0 + numeric.abs()),
                    "{algorithm} parameter {k}: {analytic} vs {numeric}"
                );
            }
        }
    }

    #[test]
    fn from_gaussian_gives_conditional_sds_or_the_cholesky_factor() {
        // Σ = [[4, 1.8], [1.8, 1]] (ρ = 0.9): Σ⁻¹ diagonal is [1, 4] / (4 − 3.24).
        let covariance = [4.0, 1.8, 1.8, 1.0];
        let mean = [0.5, -1.0];
        let mean_field =
            Variational::from_gaussian(AdviAlgorithm::MeanField, &mean, &covariance).unwrap();
        let determinant: f64 = 4.0 - 1.8 * 1.8;
        let conditional = [(determinant / 1.0).sqrt(), (determinant / 4.0).sqrt()];
        for (sd, expected) in mean_field.sds().iter().zip(conditional) {
            assert!((sd - expected).abs() < 1e-12, "{sd} vs {expected}");
        }
        assert_eq!(mean_field.mean(), &mean);
        let full_rank =
            Variational::from_gaussian(AdviAlgorithm::FullRank, &mean, &covariance).unwrap();
        // L = [[2, 0], [0.9, √(1 − 0.81)]].
        let expected = [2.0, 0.0, 0.9, 0.19_f64.sqrt()];
        for (l, e) in full_rank.scale_lower().iter().zip(expected) {
            assert!((l - e).abs() < 1e-12, "{l} vs {e}");
        }
        assert!(
            Variational::from_gaussian(AdviAlgorithm::FullRank, &mean, &[1.0, 2.0, 2.0, 1.0])
                .is_none()
        );
    }

    #[test]
    fn step_scales_are_the_sds_of_the_rows() {
        let mut q = Variational::new(AdviAlgorithm::MeanField, &[0.0, 0.0]);
        q.params[2] = 2.0_f64.ln();
        assert_eq!(q.step_scales(), vec![2.0, 1.0, 1.0, 1.0]);
        let q =
            Variational::from_gaussian(AdviAlgorithm::FullRank, &[0.0, 0.0], &[4.0, 0.0, 0.0, 9.0])
                .unwrap();
        let row_two = 3.0 / 2.0_f64.sqrt();
        assert_eq!(q.step_scales(), vec![2.0, 3.0, 2.0, row_two, row_two]);
    }

    #[test]
    fn sds_and_entropy_of_the_initial_approximation() {
        for algorithm in [AdviAlgorithm::MeanField, AdviAlgorithm::FullRank] {
            let q = Variational::new(algorithm, &[1.0, 2.0]);
            assert_eq!(q.sds(), vec![1.0, 1.0]);
            // Entropy of N(μ, I₂): 1 + ln 2π.
            let expected = 1.0 + (2.0 * std::f64::consts::PI).ln();
            assert!((q.entropy() - expected).abs() < 1e-14);
        }
    }
}
