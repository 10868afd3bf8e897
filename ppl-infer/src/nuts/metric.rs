//! The Euclidean metric of the Hamiltonian: momentum draws `p ~ N(0, M)`, velocity `M⁻¹p` and kinetic energy `½ pᵀM⁻¹p`, diagonal or dense.

use rand::Rng;
use rand_distr::StandardNormal;

/// The inverse metric `M⁻¹` and what the sampler derives from it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum MassMatrix {
    /// Diagonal `M⁻¹` (`inv_metric`) with `1/sqrt(M⁻¹ᵢᵢ)` cached for momentum draws.
    Diag {
        inv_metric: Vec<f64>,
        inv_sqrt_inv_metric: Vec<f64>,
    },
    /// Dense `M⁻¹` (row-major `d × d`) with its lower Cholesky factor `L` (`M⁻¹ = L Lᵀ`).
    Dense {
        dim: usize,
        inv_metric: Vec<f64>,
        cholesky: Vec<f64>,
    },
}

impl MassMatrix {
    /// The unit metric of dimension `dim`, diagonal or dense.
    pub(crate) fn unit(dense: bool, dim: usize) -> Self {
        if dense {
            let mut identity = vec![0.0; dim * dim];
            for i in 0..dim {
                identity[i * dim + i] = 1.0;
            }
            MassMatrix::Dense {
                dim,
                cholesky: identity.clone(),
                inv_metric: identity,
            }
        } else {
            MassMatrix::diag(vec![1.0; dim]).unwrap_or(MassMatrix::Diag {
                inv_metric: Vec::new(),
                inv_sqrt_inv_metric: Vec::new(),
            })
        }
    }

    /// A diagonal metric; `None` unless every element is positive and finite.
    pub(crate) fn diag(inv_metric: Vec<f64>) -> Option<Self> {
        if inv_metric.iter().any(|v| !(*v > 0.0 && v.is_finite())) {
            return None;
        }
        let inv_sqrt_inv_metric = inv_metric.iter().map(|v| 1.0 / v.sqrt()).collect();
        Some(MassMatrix::Diag {
            inv_metric,
            inv_sqrt_inv_metric,
        })
    }

    /// A dense metric from a row-major `dim × dim` matrix; `None` unless it is finite, symmetric
    /// and positive definite.
    pub(crate) fn dense(dim: usize, inv_metric: Vec<f64>) -> Option<Self> {
        if inv_metric.len() != dim * dim || inv_metric.iter().any(|v| !v.is_finite()) {
            return None;
        }
        let cholesky = cholesky_lower(dim, &inv_metric)?;
        Some(MassMatrix::Dense {
            dim,
            inv_metric,
            cholesky,
        })
    }

    /// Same shape (diagonal or dense) as `self`, from new values; `None` if they are unusable.
    pub(crate) fn with_values(&self, inv_metric: Vec<f64>) -> Option<Self> {
        match self {
            MassMatrix::Diag { .. } => MassMatrix::diag(inv_metric),
            MassMatrix::Dense { dim, .. } => MassMatrix::dense(*dim, inv_metric),
        }
    }

    /// Whether this metric is dense.
    pub(crate) fn is_dense(&self) -> bool {
        matches!(self, MassMatrix::Dense { .. })
    }

    /// The inverse metric: the diagonal, or the dense matrix row-major.
    pub(crate) fn inv_metric(&self) -> &[f64] {
        match self {
            MassMatrix::Diag { inv_metric, .. } | MassMatrix::Dense { inv_metric, .. } => {
                inv_metric
            }
        }
    }

    /// Draws `momentum ~ N(0, M)`: `pᵢ = zᵢ / sqrt(M⁻¹ᵢᵢ)` (diagonal) or `p = L⁻ᵀ z` with
    /// `M⁻¹ = L Lᵀ` (dense), `z` standard normal.
    pub(crate) fn sample_momentum<R: Rng + ?Sized>(&self, rng: &mut R, momentum: &mut [f64]) {
        for p in momentum.iter_mut() {
            *p = rng.sample(StandardNormal);
        }
        match self {
            MassMatrix::Diag {
                inv_sqrt_inv_metric,
                ..
            } => {
                for (p, scale) in momentum.iter_mut().zip(inv_sqrt_inv_metric) {
                    *p *= scale;
                }
            }
            MassMatrix::Dense { dim, cholesky, .. } => {
                // Back-substitution for Lᵀ p = z.
                for i in (0..*dim).rev() {
                    let mut sum = momentum[i];
                    for k in i + 1..*dim {
                        sum -= cholesky[k * dim + i] * momentum[k];
                    }
                    momentum[i] = sum / cholesky[i * dim + i];
                }
            }
        }
    }

    /// `velocity = M⁻¹ p`, the derivative of the kinetic energy (Stan's `dtau_dp`, `p♯`).
    pub(crate) fn velocity(&self, momentum: &[f64], velocity: &mut [f64]) {
        match self {
            MassMatrix::Diag { inv_metric, .. } => {
                for ((v, p), m) in velocity.iter_mut().zip(momentum).zip(inv_metric) {
                    *v = m * p;
                }
            }
            MassMatrix::Dense {
                dim, inv_metric, ..
            } => {
                for (i, v) in velocity.iter_mut().enumerate() {
                    *v = dot(&inv_metric[i * dim..(i + 1) * dim], momentum);
                }
            }
        }
    }
}

/// `Σ aᵢ bᵢ`.
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Lower Cholesky factor of a symmetric positive-definite row-major `dim × dim` matrix; `None`
/// if it is not positive definite or not symmetric.
pub(crate) fn cholesky_lower(dim: usize, matrix: &[f64]) -> Option<Vec<f64>> {
    let mut lower = vec![0.0; dim * dim];
    for i in 0..dim {
        for j in 0..=i {
            let (a_ij, a_ji) = (matrix[i * dim + j], matrix[j * dim + i]);
            if (a_ij - a_ji).abs() > 1e-12 * (a_ij.abs() + a_ji.abs()) {
                return None;
            }
            let sum = a_ij - dot(&lower[i * dim..i * dim + j], &lower[j * dim..j * dim + j]);
            if i == j {
                if !(sum > 0.0 && sum.is_finite()) {
                    return None;
                }
                lower[i * dim + i] = sum.sqrt();
            } else {
                lower[i * dim + j] = sum / lower[j * dim + j];
            }
        }
    }
    Some(lower)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn cholesky_reproduces_the_matrix() {
        let matrix = [4.0, 2.0, 0.6, 2.0, 2.0, 0.5, 0.6, 0.5, 3.0];
        let lower = cholesky_lower(3, &matrix).unwrap();
        for i in 0..3 {
            for j in 0..3 {
                let product: f64 = (0..3).map(|k| lower[i * 3 + k] * lower[j * 3 + k]).sum();
                assert!((product - matrix[i * 3 + j]).abs() < 1e-14);
            }
        }
        assert!(cholesky_lower(2, &[1.0, 2.0, 2.0, 1.0]).is_none());
    }

    #[test]
    fn dense_momentum_has_covariance_metric() {
        // M⁻¹ = [[4, 1.8], [1.8, 1]] so Cov(p) = M = inverse of that.
        let inv_metric = vec![4.0, 1.8, 1.8, 1.0];
        let metric = MassMatrix::dense(2, inv_metric).unwrap();
        let det = 4.0 - 1.8 * 1.8;
        // Cov(p) = M: entries (0,0), (0,1), (1,1).
        let covariance = [[1.0 / det, -1.8 / det], [-1.8 / det, 4.0 / det]];
        let pairs = [(0, 0), (0, 1), (1, 1)];
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let n = 200_000;
        let mut sums = [0.0; 3];
        let mut p = [0.0; 2];
        for _ in 0..n {
            metric.sample_momentum(&mut rng, &mut p);
            for (sum, (i, j)) in sums.iter_mut().zip(pairs) {
                *sum += p[i] * p[j];
            }
        }
        for (sum, (i, j)) in sums.iter().zip(pairs) {
            let want: f64 = covariance[i][j];
            // Var(pᵢ pⱼ) = σᵢᵢ σⱼⱼ + σᵢⱼ² for a zero-mean normal; 5 standard errors.
            let variance: f64 = covariance[i][i] * covariance[j][j] + want * want;
            let tolerance = 5.0 * (variance / n as f64).sqrt();
            assert!((sum / n as f64 - want).abs() < tolerance, "{sum} vs {want}");
        }
        let mut velocity = [0.0; 2];
        metric.velocity(&[1.0, 2.0], &mut velocity);
        assert_eq!(velocity, [4.0 + 3.6, 1.8 + 2.0]);
    }
}
